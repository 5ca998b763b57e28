"""The expression stage: parse every template of the flow that Kestra renders, with spans
in the YAML file, and report syntax errors (E001).

Templates are found in the properties each type's schema marks `$dynamic` (and anything
nested under them), and in the flow's variables, outputs and input conditions. Each parsed
template is kept on the flow (`flow.expressions`) for the analysis stage.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .diagnostics import Reporter, Span
from .expr import ast
from .expr.parser import TemplateSyntaxError, parse
from .expr.positions import value_positions
from .model import Flow, Plugin
from .registry import is_dynamic
from .rules import expressions as E
from .source import Mapping, Node, Scalar, Sequence

DELIMITERS = ("{{", "{%", "{#")
# flow-level places Kestra renders: (top-level list or map, path inside each item)
_FLOW_PLACES = (("variables", None), ("outputs", ("value",)), ("inputs", ("dependsOn", "condition")),
                ("inputs", ("expression",)), ("inputs", ("defaults",)), ("sla", ("assert",)),
                ("checks", ("condition",)), ("checks", ("message",)))


@dataclass
class Template:
    """One parsed template: where it is, and its AST (offsets into `node.value`)."""

    node: Scalar
    owner: Plugin | None  # the task, trigger, ... whose property holds it; None for the flow
    path: tuple  # property path inside the owner (or the flow)
    tree: ast.Template
    file_text: str = field(repr=False, default="")

    @cached_property
    def positions(self) -> list[tuple[int, int]] | None:
        """File position of each character of the value (computed on first use)."""
        node = self.node
        try:
            return value_positions(self.file_text, node.span.line, node.span.column, node.style, node.value)
        except Exception:  # positions are a nicety: never let them hide the diagnostic
            return None

    def span(self, start: int, end: int) -> Span:
        """The file span of template offsets [start, end)."""
        positions = self.positions
        if positions is None:
            return self.node.span
        s = positions[min(max(start, 0), len(positions) - 1)]
        e = positions[min(max(end, 0), len(positions) - 1)]
        if e <= s:
            e = (s[0], s[1] + 1)
        return Span(s[0], s[1], e[0], e[1])


def check_flow(flow: Flow, reporter: Reporter) -> None:
    flow.expressions = []
    for node, owner, path in _templates(flow):
        _parse(flow, node, owner, path, reporter)



def _parse(flow: Flow, node: Scalar, owner, path, reporter: Reporter) -> None:
    text = node.value
    try:
        tree = parse(text)
    except TemplateSyntaxError as e:
        template = Template(node, owner, path, ast.Template([]), flow.source.text)
        reporter.report(E.EXPRESSION_SYNTAX, e.message, template.span(e.offset, e.end))
        return
    flow.expressions.append(Template(node, owner, path, tree, flow.source.text))


def _templates(flow: Flow):
    for plugin in flow.walk():
        if plugin.ptype is None or not isinstance(plugin.node, Mapping):
            continue
        for name, key, value in plugin.node.items():
            schema = plugin.ptype.properties.get(name)
            if schema is not None and not _is_slot(plugin, name):
                yield from _strings(value, schema, plugin, (name,))
    for name, inner in _FLOW_PLACES:
        node = flow.node.get(name)
        if inner is None:
            yield from _all_strings(node, None, (name,))
        elif isinstance(node, Sequence):
            for i, item in enumerate(node):
                target = item
                for step in inner:
                    target = target.get(step) if isinstance(target, Mapping) else None
                yield from _all_strings(target, None, (name, i) + inner)


def _is_slot(plugin: Plugin, name: str) -> bool:
    return any(slot.name == name for slot in plugin.ptype.slots)


def has_template(value) -> bool:
    """A string Kestra would parse as a template (it holds a delimiter)."""
    return isinstance(value, str) and any(d in value for d in DELIMITERS)


def _strings(node: Node | None, schema: dict, owner, path):
    """Strings under `node` that Kestra renders, following `schema` down to `$dynamic`."""
    if node is None or not isinstance(schema, dict):
        return
    if is_dynamic(schema):
        yield from _all_strings(node, owner, path)
        return
    if isinstance(node, Mapping):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, _, value in node.items():
            sub = properties.get(name, extra if isinstance(extra, dict) else None)
            if sub is not None:
                yield from _strings(value, sub, owner, path + (name,))
    elif isinstance(node, Sequence) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(node):
            yield from _strings(item, schema["items"], owner, path + (i,))


def _all_strings(node: Node | None, owner, path):
    if isinstance(node, Scalar):
        if has_template(node.value):
            yield node, owner, path
    elif isinstance(node, Mapping):
        for name, _, value in node.items():
            yield from _all_strings(value, owner, path + (name,))
    elif isinstance(node, Sequence):
        for i, item in enumerate(node):
            yield from _all_strings(item, owner, path + (i,))
