"""Compile templates once and render them as Kestra does (pebble.md §5.1)."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

from runtime.pebble import engine as rt
from runtime.pebble.context import RenderContext
from runtime.pebble.errors import LimitError, RenderError, UndefinedError

from .lexer import RAW_MARK
from .parser import TemplateSyntaxError, parse
from .to_python import to_python

MAX_RECURSIVE_PASSES = 100


@dataclass(frozen=True)
class Compiled:
    template: str
    source: str  # the generated Python module
    function: object
    lines: dict  # generated line -> template line
    raw_blocks: tuple[str, ...]

    def run(self, variables: dict, typed: bool = False, rctx: RenderContext | None = None):
        if rctx is None:
            rctx = RenderContext(variables)
        if rctx.render is None:
            rctx.render = lambda template, visible, recursive: render(template, visible, recursive=recursive, rctx=rctx)
        writer = rt.TypedWriter() if typed else rt.StringWriter()
        try:
            self.function(rt, rctx, rt.Scope(variables), writer)
        except UndefinedError as e:
            raise RenderError(
                f"Unable to find `{e.name}` used in the expression `{self.template}` at line {self._line(e)}",
                self._line(e),
            ) from None
        except RenderError as e:
            if e.line is None:
                e.line = self._line(e)
            raise
        except RecursionError:
            raise LimitError("the template nests too deeply") from None
        result = writer.result()
        if self.raw_blocks and isinstance(result, str):
            for i, content in enumerate(self.raw_blocks):
                result = result.replace(RAW_MARK.format(i), content)
        return result

    def _line(self, error: BaseException) -> int:
        """The template line of the innermost generated line in the traceback."""
        line = 1
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == _FILENAME:
                line = self.lines.get(_nearest(self.lines, tb.tb_lineno), line)
            tb = tb.tb_next
        return line


_FILENAME = "<kestra template>"


def _nearest(lines: dict, lineno: int) -> int:
    known = [n for n in lines if n <= lineno]
    return max(known) if known else lineno


@lru_cache(maxsize=4096)
def compile_template(template: str) -> Compiled:
    """Parse and compile `template` (cached); raises TemplateSyntaxError."""
    tree = parse(template)
    source = to_python(tree, template)
    namespace: dict = {}
    exec(compile(source, _FILENAME, "exec"), namespace)  # our generated source, never user text
    return Compiled(template, source, namespace["render"], namespace["LINES"], tuple(tree.raw_blocks))


def render(template: str, context: dict, *, typed: bool = False, recursive: bool = False, rctx: RenderContext | None = None):
    """Render `template` against `context` exactly as Kestra would; raises RenderError
    (syntax errors included) with the message Kestra would give."""
    if "{" not in template:
        return template  # Kestra does not even parse strings without `{`
    result = _render_once(template, context, typed, rctx)
    if recursive:
        for _ in range(MAX_RECURSIVE_PASSES):
            if not isinstance(result, str) or "{" not in result:
                return result
            again = _render_once(result, context, typed, rctx)
            if again == result:
                return result
            result = again
        raise LimitError("Too many rendering attempts")
    return result


def _render_once(template: str, context: dict, typed: bool, rctx):
    try:
        compiled = compile_template(template)
    except TemplateSyntaxError as e:
        line = template.count("\n", 0, e.offset) + 1
        raise RenderError(f"{e.message} (in `{template}` at line {line})", line) from None
    return compiled.run(context, typed=typed, rctx=rctx)


sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
