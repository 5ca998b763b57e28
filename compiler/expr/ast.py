"""The typed AST of Kestra templates. Every node carries its span: (start, end) character
offsets in the template text; compiler.expr.positions maps them to the YAML file."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

Span = tuple[int, int]


@dataclass(eq=False)
class Node:
    span: Span = field(default=(0, 0), kw_only=True)


# --------------------------------------------------------------------------- expressions


@dataclass(eq=False)
class Literal(Node):
    value: Any
    kind: str  # long | double | string | boolean | null


@dataclass(eq=False)
class Name(Node):
    name: str


@dataclass(eq=False)
class Attribute(Node):
    obj: "Expr"
    name: str
    name_span: Span = (0, 0)


@dataclass(eq=False)
class Subscript(Node):
    obj: "Expr"
    index: "Expr"


@dataclass(eq=False)
class MethodCall(Node):
    obj: "Expr"
    name: str
    args: list["Expr"]


@dataclass(eq=False)
class Call(Node):
    name: str
    args: list["Expr"]
    kwargs: list[tuple[str, "Expr"]]


@dataclass(eq=False)
class ListLit(Node):
    items: list["Expr"]


@dataclass(eq=False)
class MapLit(Node):
    entries: list[tuple["Expr", "Expr"]]


@dataclass(eq=False)
class Interpolated(Node):
    """A double-quoted string with `#{...}` parts."""

    parts: list[Union[str, "Expr"]]


@dataclass(eq=False)
class Unary(Node):
    op: str  # not | - | +
    operand: "Expr"


@dataclass(eq=False)
class Binary(Node):
    op: str  # or and contains == != < > <= >= + - * / % ~ .. ?? ???  (`equals` is `==`)
    left: "Expr"
    right: "Expr"


@dataclass(eq=False)
class Filter(Node):
    value: "Expr"
    name: str
    args: list["Expr"]
    kwargs: list[tuple[str, "Expr"]]
    name_span: Span = (0, 0)


@dataclass(eq=False)
class Test(Node):
    value: "Expr"
    name: str
    args: list["Expr"]
    negated: bool
    name_span: Span = (0, 0)


@dataclass(eq=False)
class Ternary(Node):
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"


Expr = Union[Literal, Name, Attribute, Subscript, MethodCall, Call, ListLit, MapLit, Interpolated,
             Unary, Binary, Filter, Test, Ternary]


# --------------------------------------------------------------------------- template structure


@dataclass(eq=False)
class Text(Node):
    value: str


@dataclass(eq=False)
class Print(Node):
    expr: Expr


@dataclass(eq=False)
class If(Node):
    branches: list[tuple[Expr, list["Stmt"]]]
    otherwise: list["Stmt"] | None


@dataclass(eq=False)
class For(Node):
    var: str
    iterable: Expr
    body: list["Stmt"]
    otherwise: list["Stmt"] | None


@dataclass(eq=False)
class Set(Node):
    name: str
    expr: Expr


@dataclass(eq=False)
class Macro(Node):
    name: str
    params: list[tuple[str, Expr | None]]
    body: list["Stmt"]


@dataclass(eq=False)
class Block(Node):
    name: str
    body: list["Stmt"]


@dataclass(eq=False)
class FilterBlock(Node):
    filters: list[tuple[str, list[Expr], list[tuple[str, Expr]]]]
    body: list["Stmt"]


Stmt = Union[Text, Print, If, For, Set, Macro, Block, FilterBlock]


@dataclass(eq=False)
class Template(Node):
    body: list[Stmt]
    raw_blocks: list[str] = field(default_factory=list)

    def walk(self):
        """Every node of the template, depth first."""
        stack: list = list(reversed(self.body))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(list(children(node))))


def children(node: Node):
    for value in vars(node).values():
        if isinstance(value, Node):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Node):
                    yield item
                elif isinstance(item, tuple):
                    for part in item:
                        if isinstance(part, Node):
                            yield part
                        elif isinstance(part, list):
                            yield from (p for p in part if isinstance(p, Node))
