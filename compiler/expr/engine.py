"""Compile templates once and render them as Kestra does (pebble.md §5.1)."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

from runtime.pebble.context import RenderContext
from runtime.pebble.errors import LimitError, RenderError
from runtime.templates import Template

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
        # the same rendering (writers, undefined names, error lines) as a compiled flow's templates
        return Template(self.function, self.template, 0, self.lines, self.raw_blocks).render(rctx, typed, variables)


_FILENAME = "<kestra template>"


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
