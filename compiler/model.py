"""The typed flow model: what the schema stage builds from a document and every later
stage (structure rules, expressions, analysis, diagrams, code generation) reads.

The model keeps the source nodes, so any part of it can be located in the file, and the
effective values Kestra would see: types resolved through their aliases and
`pluginDefaults` applied.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from .diagnostics import Span
from .registry import PluginType, Slot
from .settings import DEFAULT, Settings
from .source import Document, Mapping, Node, Scalar, Sequence, SourceFile


@dataclass(eq=False)
class PluginDefault:
    type: str
    forced: bool
    values: Mapping  # the `values` node
    node: Mapping  # the whole entry


@dataclass(eq=False)
class Plugin:
    """A task, trigger, condition or task runner, dispatched on its `type`."""

    kind: str
    node: Node
    type_name: str | None  # as written (or supplied by a default)
    ptype: PluginType | None  # None when flowc does not know the type
    values: dict  # the node's data with pluginDefaults applied
    parent: "Plugin | None" = None
    slot: Slot | None = None  # the slot of the parent (or of the flow) that holds it
    key: str | None = None  # the map key inside its slot (a Switch case value)
    children: list["Plugin"] = field(default_factory=list)
    default_sources: list[Mapping] = field(default_factory=list)  # `values` of applied defaults

    @property
    def id(self) -> str | None:
        value = self.values.get("id")
        return value if isinstance(value, str) else (str(value) if value is not None else None)

    @property
    def mapping(self) -> Mapping | None:
        return self.node if isinstance(self.node, Mapping) else None

    def prop(self, name: str) -> Node | None:
        """The node of a property as written in this object (not from a default)."""
        return self.node.get(name) if isinstance(self.node, Mapping) else None

    def key_span(self, name: str) -> Span | None:
        if isinstance(self.node, Mapping):
            key = self.node.key_node(name)
            if key is not None:
                return key.span
        return None

    @property
    def span(self) -> Span:
        """Where to point at the object as a whole: its `id` value, else its first key."""
        if isinstance(self.node, Mapping):
            ident = self.node.get("id")
            if ident is not None:
                return ident.span
            if self.node.pairs:
                return self.node.pairs[0][0].span
        return self.node.span

    @property
    def is_flowable(self) -> bool:
        return self.ptype is not None and self.ptype.category == "flowable"

    def children_in(self, slot_name: str) -> list["Plugin"]:
        return [c for c in self.children if c.slot and c.slot.name == slot_name]

    def walk(self) -> Iterator["Plugin"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(eq=False)
class Flow:
    source: SourceFile
    document: Document
    node: Mapping
    plugins: list[Plugin] = field(default_factory=list)  # held directly by the flow's slots
    plugin_defaults: list[PluginDefault] = field(default_factory=list)
    expressions: list = field(default_factory=list)  # compiler.expressions.Template, once parsed
    graph: object = None  # compiler.analysis.graph.TaskGraph, once analysed
    settings: Settings = DEFAULT  # the options of the run (target Kestra version, ...)

    @property
    def id(self) -> str | None:
        return _text(self.node.value("id"))

    @property
    def namespace(self) -> str | None:
        return _text(self.node.value("namespace"))

    @property
    def span(self) -> Span:
        node = self.node.get("id")
        return node.span if node is not None else self.document.span

    def in_slot(self, slot_name: str) -> list[Plugin]:
        return [p for p in self.plugins if p.slot and p.slot.name == slot_name]

    def walk(self, kind: str | None = None) -> Iterator[Plugin]:
        """Every plugin object of the flow, depth first in document order."""
        for plugin in self.plugins:
            for p in plugin.walk():
                if kind is None or p.kind == kind:
                    yield p

    def tasks(self) -> Iterator[Plugin]:
        return self.walk("task")

    def list_of(self, name: str) -> list[Mapping]:
        """The mappings of a top-level list property (`inputs`, `outputs`, ...)."""
        node = self.node.get(name)
        if isinstance(node, Sequence):
            return [item for item in node if isinstance(item, Mapping)]
        return []


def _text(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return value if isinstance(value, str) else str(value)


def follow(node: Node | None, path: tuple[str, ...], key: str | None = None) -> Iterator[tuple[Node, str | None]]:
    """The nodes at the end of a slot path, with the map key (for `{}` steps) they sit under."""
    if node is None:
        return
    if not path:
        yield node, key
        return
    step, rest = path[0], path[1:]
    if step == "[]":
        if isinstance(node, Sequence):
            for item in node.items:
                yield from follow(item, rest, key)
    elif step == "{}":
        if isinstance(node, Mapping):
            for name, _, value in node.items():
                yield from follow(value, rest, name)
    elif isinstance(node, Mapping):
        yield from follow(node.get(step), rest, key)


def scalar_text(node: Node | None) -> str | None:
    if isinstance(node, Scalar) and node.value is not None:
        return node.value if isinstance(node.value, str) else str(node.value)
    return None
