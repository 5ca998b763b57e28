"""Templates compiled ahead of time: a compiled flow holds one `Template` per expression of
the flow, as Python functions made by the compiler (compiler/expr/to_python.py); rendering
one never parses text.

`render()` in an expression renders a value found at run time (a variable's template, say).
The compiler precompiles every string of the flow that holds a template, so those are found
in `Templates`; only a template built during the run needs the compiler, and is compiled by it
when flowc is installed.
"""
from __future__ import annotations

from .pebble import engine as rt
from .pebble.context import RenderContext
from .pebble.errors import LimitError, RenderError, UndefinedError

RAW_MARK = "\ue000raw{}\ue001"  # must match compiler/expr/lexer.py
MAX_RECURSIVE_PASSES = 100


class Template:
    """One compiled template of the flow file; `line` is where it starts in the file."""

    __slots__ = ("fn", "text", "line", "lines", "raw_blocks")

    def __init__(self, fn, text: str, line: int = 0, lines: dict | None = None, raw_blocks: tuple = ()) -> None:
        self.fn = fn
        self.text = text
        self.line = line
        self.lines = lines or {}
        self.raw_blocks = raw_blocks

    def __repr__(self) -> str:
        return f"Template({self.text!r})"

    def render(self, rctx: RenderContext, typed: bool = False, variables: dict | None = None):
        writer = rt.TypedWriter() if typed else rt.StringWriter()
        try:
            self.fn(rt, rctx, rt.Scope(rctx.root if variables is None else variables), writer)
        except UndefinedError as e:
            raise RenderError(f"Unable to find `{e.name}` used in the expression `{self.text}` "
                              f"at line {self._line(e)}", self._line(e)) from None
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
        """The template line of the innermost line of this template's code in the traceback
        (its nested functions, for loops and macros, are in the same range of lines)."""
        line = 1
        if not self.lines:
            return line
        first, last = self.fn.__code__.co_firstlineno, max(self.lines)
        tb = error.__traceback__
        while tb is not None:
            relative = tb.tb_lineno - first + 1
            if tb.tb_frame.f_code.co_filename == self.fn.__code__.co_filename and 1 <= relative <= last:
                known = [n for n in self.lines if n <= relative]
                if known:
                    line = self.lines[max(known)]
            tb = tb.tb_next
        return line


class Templates:
    """The flow's templates by text, for `render()` of values known before the run."""

    def __init__(self, templates: list[Template]) -> None:
        self.by_text = {t.text: t for t in templates}

    def render(self, text: str, rctx: RenderContext, recursive: bool = False, typed: bool = False,
               variables: dict | None = None):
        if "{" not in text:
            return text  # Kestra does not even parse strings without `{`
        variables = rctx.root if variables is None else variables
        result = self._once(text, rctx, typed, variables)
        if recursive:
            for _ in range(MAX_RECURSIVE_PASSES):
                if not isinstance(result, str) or "{" not in result:
                    return result
                again = self._once(result, rctx, typed, variables)
                if again == result:
                    return result
                result = again
            raise LimitError("Too many rendering attempts")
        return result

    def _once(self, text: str, rctx: RenderContext, typed: bool, variables: dict):
        template = self.by_text.get(text)
        if template is not None:
            return template.render(rctx, typed, variables)
        try:  # a template that exists only at run time: compile it if flowc is installed
            from compiler.expr.engine import render
        except ImportError:
            raise RenderError(f"render() of `{text}`: this template was built during the run, and rendering it "
                              "needs flowc installed (pip install flowc)") from None
        return render(text, variables, typed=typed, rctx=rctx)


def context(variables: dict, templates: Templates, services=None) -> RenderContext:
    """A render context whose `render()` goes through `templates`."""
    rctx = RenderContext(variables, services)
    rctx.render = lambda text, visible, recursive: templates.render(text, rctx, recursive, variables=visible)
    return rctx
