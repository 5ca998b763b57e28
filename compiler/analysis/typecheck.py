"""Types inside expressions: what each operand is, from the declarations (inputs, variables,
task output schemas), literals and the return types filters and functions declare; and the
operations that cannot succeed with them (T rules)."""
from __future__ import annotations

from runtime.pebble.signatures import FILTERS, FUNCTIONS

from ..diagnostics import Reporter
from ..expr import ast
from ..rules import types as T
from .references import chain
from .scope import Env
from .types import ANY, Type, from_literal, from_schema

# input type -> the type of `inputs.<id>`
INPUT_TYPES = {
    "STRING": "string", "ENUM": "string", "SELECT": "string", "EMAIL": "string", "URI": "string", "SECRET": "string",
    "FILE": "string", "DATETIME": "string", "DATE": "string", "TIME": "string",
    "INT": "integer", "FLOAT": "number", "BOOLEAN": "boolean", "BOOL": "boolean",
    "ARRAY": "list", "MULTISELECT": "list",
}
_NOT_NUMBERS = ("string", "boolean", "list", "map")
# members of a java.lang.String the templates can read (`s.length`)
STRING_MEMBERS = ("length", "empty", "blank", "bytes", "class")
_ARITHMETIC = ("*", "/", "%")
_ORDERING = ("<", ">", "<=", ">=")


def check_types(template, env: Env, reporter: Reporter, condition: bool) -> None:
    if env.via is not None:  # a variable's template, rendered by a task: report each problem once
        reporter = env.via.sink.capture(reporter, env.via.caller)
    checker = _Types(template, env, reporter)
    for node in template.tree.walk():
        if isinstance(node, ast.Binary) and node.op in _ARITHMETIC + _ORDERING:
            checker.operands(node, [node.left, node.right])
        elif isinstance(node, ast.Unary) and node.op == "-":
            checker.operands(node, [node.operand])
        elif isinstance(node, ast.Attribute) and node.name.lower() not in STRING_MEMBERS:
            if checker.type_of(node.obj).kind == "string" and not _guarded(template, node):
                reporter.report(T.ATTRIBUTE_OF_STRING, f"this value is a string: it has no attribute `{node.name}`",
                                template.span(*node.name_span),
                                help="parse JSON text first, e.g. `fromJson(taskrun.value).id`")
    body = template.tree.body
    if condition and len(body) == 1 and isinstance(body[0], ast.Print):
        kind = checker.type_of(body[0].expr).kind
        if kind in ("list", "map"):
            reporter.report(T.ALWAYS_TRUE, f"this condition prints a {kind}, which Kestra always takes as true",
                            template.span(*body[0].expr.span), help="test it, e.g. `| length > 0`")
    single = _single_value_property(template)
    printed = _only_print(body)
    if single is not None and printed is not None:
        kind = checker.type_of(printed.expr).kind
        if kind in ("list", "map"):
            reporter.report(T.COLLECTION_FOR_ONE_VALUE,
                            f"`{single}` needs one value, but this is a {kind}, which prints as JSON text: the {template.owner.kind} fails",
                            template.span(*printed.expr.span), help=_pick_one(template, printed.expr, kind))


class _Types:
    def __init__(self, template, env: Env, reporter: Reporter) -> None:
        self.t = template
        self.env = env
        self.reporter = reporter

    def operands(self, node, operands) -> None:
        for operand in operands:
            kind = self.type_of(operand).kind
            if kind in _NOT_NUMBERS:
                what = "arithmetic" if isinstance(node, ast.Unary) or node.op in _ARITHMETIC else "an ordering comparison"
                op = node.op if isinstance(node, ast.Binary) else "-"
                self.reporter.report(T.INCOMPATIBLE_OPERANDS, f"`{op}` needs numbers: this operand is a {kind}",
                                     self.t.span(*operand.span),
                                     help="convert text with `| number`" if kind == "string" else f"{what} does not apply to a {kind}")
                return

    def type_of(self, node) -> Type:
        if isinstance(node, ast.Literal):
            return {"long": Type("integer"), "double": Type("number"), "string": Type("string"),
                    "boolean": Type("boolean"), "null": Type("null")}[node.kind]
        if isinstance(node, (ast.ListLit,)):
            return Type("list")
        if isinstance(node, ast.MapLit):
            return Type("map")
        if isinstance(node, ast.Interpolated):
            return Type("string") if len(node.parts) != 1 or isinstance(node.parts[0], str) else self.type_of(node.parts[0])
        if isinstance(node, ast.Binary):
            if node.op in ("~",):
                return Type("string")
            if node.op in ("==", "!=", "<", ">", "<=", ">=", "and", "or", "contains", "isIn"):
                return Type("boolean")
            if node.op == "..":
                return Type("list")
            return ANY
        if isinstance(node, ast.Unary):
            return Type("boolean") if node.op == "not" else ANY
        if isinstance(node, ast.Test):
            return Type("boolean")
        if isinstance(node, ast.Filter):
            return _declared(FILTERS.get(node.name))
        if isinstance(node, ast.Call):
            return _declared(FUNCTIONS.get(node.name))
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
            return self.chain_type(node)
        return ANY

    def chain_type(self, node) -> Type:
        found = chain(node)
        if found is None:
            return ANY
        root, steps = found
        keys = [s.key for s in steps]
        if not keys or not isinstance(keys[0], str):
            return ANY
        env = self.env
        if keys in (["value"], ["taskrun", "value"]) and root.name in ("taskrun", "item", "parent") or (
                root.name == "parents" and keys[-2:] == ["taskrun", "value"] and len(keys) == 3):
            return Type("string")  # iteration values are strings (objects arrive as JSON text)
        if root.name == "inputs" and len(keys) == 1:
            item = env.inputs.get(keys[0])
            if item is None or (item.value("id") or item.value("name")) != keys[0]:
                return ANY  # a dotted id (`nested.key`): `inputs.nested` is a map
            kind = (item.value("type") or "").upper()
            return Type(INPUT_TYPES.get(kind, "any"))
        if root.name == "vars" and env.variables is not None:
            value = env.variables
            for key in keys:
                if not isinstance(value, dict) or key not in value:
                    return ANY
                value = value[key]
            return ANY if isinstance(value, str) and "{{" in value else from_literal(value)
        if root.name == "outputs" and len(keys) >= 2 and env.outputs_visible:
            target = env.tasks.get(keys[0])
            if target is None or target.ptype is None or env.graph.loop_depth(target) or keys[0] in env.implicit:
                return ANY
            typ = from_schema(target.ptype.outputs)
            for key in keys[1:]:
                if typ.kind != "map" or not isinstance(key, str):
                    return ANY
                typ = typ.field(key) or ANY
            return typ
        return ANY


def _single_value_property(template) -> str | None:
    """The name of the property a template is the whole value of, when its schema says it
    needs one value (`$single`: a URI, a flow id, a key)."""
    owner = template.owner
    if owner is None or owner.ptype is None or len(template.path) != 1:
        return None
    name = template.path[0]
    spec = owner.ptype.properties.get(name)
    return name if isinstance(spec, dict) and spec.get("$single") else None


def _pick_one(template, expr, kind: str) -> str:
    """How to take one value of a list or a map, written on the expression itself."""
    text = template.node.value[expr.span[0]:expr.span[1]]
    simple = chain(expr) is not None
    indexed = text if simple else f"({text})"
    if kind == "map":
        return f"take one entry: `{indexed}['key']`"
    filtered = text if simple or isinstance(expr, (ast.Filter, ast.Call)) else f"({text})"
    return f"take one item: `{filtered} | first` or `{indexed}[0]`"


def _only_print(body):
    """The one `{{ }}` of a template that holds nothing else (but blanks)."""
    prints = [node for node in body if not (isinstance(node, ast.Text) and not node.value.strip())]
    return prints[0] if len(prints) == 1 and isinstance(prints[0], ast.Print) else None


def _guarded(template, node) -> bool:
    """Whether `node` sits in the left operand of `??`/`???` or under `default`/`is defined`."""
    for parent in template.tree.walk():
        if isinstance(parent, ast.Binary) and parent.op in ("??", "???") and _contains(parent.left, node):
            return True
        if isinstance(parent, (ast.Filter, ast.Test)) and parent.name in ("default", "defined") and _contains(parent.value, node):
            return True
    return False


def _contains(tree, node) -> bool:
    if tree is node:
        return True
    return any(_contains(child, node) for child in ast.children(tree))


def _declared(sig) -> Type:
    if sig is None or "|" in sig.returns:
        return ANY
    return Type(sig.returns if sig.returns in ("string", "integer", "number", "boolean", "list", "map") else "any")
