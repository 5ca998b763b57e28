"""Compile a template's AST into Python source that calls runtime.pebble.engine (`rt`).

The generated module defines `render(rt, ctx, scope, W)`; `W` is a writer (string or
typed), `scope` the variable scope chain, `ctx` the RenderContext. Every literal goes
through repr(), user names appear only as string constants, and every operation goes
through a runtime helper: the source is data-driven code, never user text. The module ends
with `LINES`, a map from generated line to template line, used to point run-time errors at
the template (like jinja2's debug info). Output is deterministic.
"""
from __future__ import annotations

from . import ast

_BINARY = {"==": "eq", "!=": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge", "+": "add", "-": "sub",
           "*": "mul", "/": "div", "%": "mod", "~": "concat", "..": "range_", "contains": "contains", "isIn": "is_in"}
_UNARY = {"not": "not_", "-": "neg", "+": "pos"}


def is_chain(node: ast.Node, calls: bool = False) -> bool:
    """Operands whose undefined-ness `??`, `???`, `default` and `is defined` catch: a name,
    attributes, subscripts and method calls on it, and filters applied to such a chain; with
    `calls`, a chain may also start at a function call."""
    while True:
        if isinstance(node, ast.Name) or (calls and isinstance(node, ast.Call)):
            return True
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.MethodCall)):
            node = node.obj
        elif isinstance(node, ast.Filter):
            node = node.value
        else:
            return False


class _Writer:
    """Emits indented lines and remembers the template line of each."""

    def __init__(self, line_of) -> None:
        self.lines: list[str] = []
        self.depth = 0
        self.line_of = line_of
        self.map: dict[int, int] = {}

    def line(self, code: str, node: ast.Node | None = None) -> None:
        self.lines.append("    " * self.depth + code)
        if node is not None:
            self.map[len(self.lines)] = self.line_of(node.span[0])

    def indent(self) -> None:
        self.depth += 1

    def outdent(self) -> None:
        self.depth -= 1


class Compiler:
    def __init__(self, template: str) -> None:
        self.template = template
        starts = [0] + [i + 1 for i, c in enumerate(template) if c == "\n"]
        import bisect

        self.w = _Writer(lambda offset: bisect.bisect_right(starts, offset))
        self.counter = 0

    def temp(self, prefix: str) -> str:
        self.counter += 1
        return f"_{prefix}{self.counter}"

    # -- module

    def module(self, tree: ast.Template, name: str = "render", lines: str | None = "LINES") -> str:
        """The source of `def <name>(rt, ctx, scope, W)`, then `<lines> = {...}` unless
        `lines` is None (the caller then reads `line_map`)."""
        w = self.w
        w.line(f"def {name}(rt, ctx, scope, W):")
        w.indent()
        w.line("macros = {}")
        w.line("text = W.text")
        w.line("value = W.value")
        self.hoist_macros(tree.body)
        self.body(tree.body)
        w.line("return W")
        w.outdent()
        self.line_map = dict(sorted(w.map.items()))
        if lines is not None:
            w.line(f"{lines} = {self.line_map!r}")
        return "\n".join(w.lines) + "\n"

    def hoist_macros(self, body: list[ast.Stmt]) -> None:
        """Macros can be called before their definition: define them all first."""
        for node in body:
            if isinstance(node, ast.Macro):
                self.macro(node)

    def body(self, body: list[ast.Stmt]) -> None:
        if not any(not isinstance(n, ast.Macro) for n in body):
            self.w.line("pass")
            return
        for node in body:
            getattr(self, "stmt_" + type(node).__name__)(node)

    # -- statements

    def stmt_Text(self, node: ast.Text) -> None:
        self.w.line(f"text({node.value!r})", node)

    def stmt_Print(self, node: ast.Print) -> None:
        self.w.line(f"value({self.expr(node.expr)})", node)

    def stmt_If(self, node: ast.If) -> None:
        w = self.w
        for i, (condition, body) in enumerate(node.branches):
            keyword = "if" if i == 0 else "elif"
            w.line(f"{keyword} rt.test_if({self.expr(condition)}):", condition)
            w.indent()
            self.body(body)
            w.outdent()
        if node.otherwise is not None:
            w.line("else:")
            w.indent()
            self.body(node.otherwise)
            w.outdent()

    def stmt_For(self, node: ast.For) -> None:
        w = self.w
        items, index = self.temp("items"), self.temp("i")
        w.line(f"{items} = rt.iterate({self.expr(node.iterable)})", node)
        w.line(f"if {items} is not None:")
        w.indent()
        if node.otherwise is not None:
            w.line(f"if not {items}:")
            w.indent()
            self.body(node.otherwise)
            w.outdent()
        w.line("scope.push()")
        w.line(f"for {index}, _item in enumerate({items}):")
        w.indent()
        w.line(f"scope.define({node.var!r}, _item)")
        w.line(f"scope.define('loop', rt.loop_info({index}, len({items})))")
        self.body(node.body)
        w.outdent()
        w.line("scope.pop()")
        w.outdent()

    def stmt_Set(self, node: ast.Set) -> None:
        self.w.line(f"scope.set({node.name!r}, {self.expr(node.expr)})", node)

    def stmt_Macro(self, node: ast.Macro) -> None:
        pass  # hoisted

    def function(self, name: str, node) -> None:
        """A nested `def name(scope, W)` rendering `node.body` into the writer W."""
        w = self.w
        w.line(f"def {name}(scope, W):", node)
        w.indent()
        w.line("text = W.text")
        w.line("value = W.value")
        self.body(node.body)
        w.outdent()

    def macro(self, node: ast.Macro) -> None:
        fn = self.temp("macro")
        self.function(f"{fn}_body", node)
        defaults = ", ".join(f"({name!r}, {self.expr(default) if default is not None else 'None'})" for name, default in node.params)
        self.w.line(f"macros[{node.name!r}] = lambda *a, **k: rt.call_macro({fn}_body, [{defaults}], a, k, ctx, macros)")

    def stmt_Block(self, node: ast.Block) -> None:
        """Render in place, and register for `block('name')`."""
        fn = self.temp("block")
        self.function(fn, node)
        self.w.line(f"macros['block:' + {node.name!r}] = lambda: rt.render_block({fn}, scope)")
        self.w.line(f"{fn}(scope, W)")

    def stmt_FilterBlock(self, node: ast.FilterBlock) -> None:
        w = self.w
        inner = self.temp("w")
        w.line(f"{inner} = W")
        w.line("W = rt.StringWriter()")
        w.line("text, value = W.text, W.value")
        self.body(node.body)
        filters = ", ".join(f"({name!r}, {self.args(args)}, {self.kwargs(kwargs)})" for name, args, kwargs in node.filters)
        w.line(f"_filtered = rt.apply_filters(W.result(), [{filters}])", node)
        w.line(f"W = {inner}")
        w.line("text, value = W.text, W.value")
        w.line("value(_filtered)")

    # -- expressions

    def expr(self, node: ast.Expr) -> str:
        return getattr(self, "expr_" + type(node).__name__)(node)

    def args(self, args: list) -> str:
        return "(" + "".join(self.expr(a) + ", " for a in args) + ")"

    def kwargs(self, kwargs: list) -> str:
        return "{" + ", ".join(f"{name!r}: {self.expr(v)}" for name, v in kwargs) + "}"

    def expr_Literal(self, node: ast.Literal) -> str:
        return repr(node.value)

    def expr_Name(self, node: ast.Name) -> str:
        return f"scope.lookup({node.name!r})"

    def expr_Attribute(self, node: ast.Attribute) -> str:
        return f"rt.get({self.expr(node.obj)}, {node.name!r})"

    def expr_Subscript(self, node: ast.Subscript) -> str:
        return f"rt.get({self.expr(node.obj)}, {self.expr(node.index)})"

    def expr_MethodCall(self, node: ast.MethodCall) -> str:
        return f"rt.call_method({self.expr(node.obj)}, {node.name!r}, {self.args(node.args)})"

    def expr_Call(self, node: ast.Call) -> str:
        return f"rt.call(ctx, scope, macros, {node.name!r}, {self.args(node.args)}, {self.kwargs(node.kwargs)})"

    def expr_ListLit(self, node: ast.ListLit) -> str:
        return "[" + ", ".join(self.expr(i) for i in node.items) + "]"

    def expr_MapLit(self, node: ast.MapLit) -> str:
        return "rt.map_literal([" + ", ".join(f"({self.expr(k)}, {self.expr(v)})" for k, v in node.entries) + "])"

    def expr_Interpolated(self, node: ast.Interpolated) -> str:
        if len(node.parts) == 1 and not isinstance(node.parts[0], str):
            return self.expr(node.parts[0])  # a lone `#{x}` keeps the value of x
        parts = ", ".join(repr(p) if isinstance(p, str) else self.expr(p) for p in node.parts)
        return f"rt.interpolate([{parts}])"

    def expr_Unary(self, node: ast.Unary) -> str:
        return f"rt.{_UNARY[node.op]}({self.expr(node.operand)})"

    def expr_Binary(self, node: ast.Binary) -> str:
        left, right = self.expr(node.left), self.expr(node.right)
        if node.op == "and":
            return f"(rt.truth_and({left}) and rt.truth_and({right}))"
        if node.op == "or":
            return f"(rt.truth_or({left}) or rt.truth_or({right}))"
        # Kestra's coalescing expressions catch a missing attribute raised by their left side: a
        # chain of names, or one read off a function's result (`kv('k').field ?? null`);
        # operators turn it into their own failure first ("Could not perform ...")
        if node.op == "??":
            if is_chain(node.left, calls=True):
                return f"rt.coalesce(lambda: {left}, lambda: {right})"
            return f"rt.coalesce_value({left}, lambda: {right})"
        if node.op == "???":
            if is_chain(node.left, calls=True):
                return f"rt.coalesce_undefined(lambda: {left}, lambda: {right})"
            return left
        return f"rt.{_BINARY[node.op]}({left}, {right})"

    def expr_Filter(self, node: ast.Filter) -> str:
        value = self.expr(node.value)
        if node.name == "default" and is_chain(node.value):
            value = f"rt.try_chain(lambda: {value})"
        return f"rt.filter_({node.name!r}, {value}, {self.args(node.args)}, {self.kwargs(node.kwargs)})"

    def expr_Test(self, node: ast.Test) -> str:
        value = self.expr(node.value)
        if node.name == "defined" and is_chain(node.value):
            value = f"rt.try_chain(lambda: {value})"
        call = f"rt.test_({node.name!r}, {value}, {self.args(node.args)}, {{}})"
        return f"(not {call})" if node.negated else call

    def expr_Ternary(self, node: ast.Ternary) -> str:
        return f"({self.expr(node.then)} if rt.test_ternary({self.expr(node.condition)}) else {self.expr(node.otherwise)})"


def to_python(tree: ast.Template, template: str) -> str:
    """The Python source of the module rendering `tree`."""
    return Compiler(template).module(tree)
