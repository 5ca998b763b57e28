"""E002: an expression written in a property that Kestra passes on without rendering it.

Which properties Kestra renders is read from the type schemas (`$dynamic`); this check walks
the properties a type declares itself and reports a string holding `{{ }}` or `{% %}` in one
that is not rendered. It says nothing where it cannot be sure: unknown types and properties,
shared definitions (`$ref`: inputs, labels, retry, ...), values rendered elsewhere
(`$renderedIn`) or evaluated as templates by the task (`$template`), the common properties
of every task and trigger, the flow's own places, and values another rule already reported
(a template in an integer or enum property is a type error first).
"""
from __future__ import annotations

from ..diagnostics import Severity, Span, rule
from ..registry import is_dynamic
from ..source import Mapping, Node, Scalar, Sequence
from .base import check

TEMPLATE_NOT_RENDERED = rule(
    "E002", "template-not-rendered", Severity.WARNING,
    "An expression in a property that Kestra does not render: it stays literal text.",
    """
    ## What it does
    Reports a string holding `{{ ... }}` or `{% ... %}` in a property of a known task, trigger,
    condition or task runner that Kestra does not render (a property it takes as written, such
    as a Schedule's `cron` or `timezone`, a Flow trigger's `preconditions`, a Dag's
    `dependsOn`, a WorkingDirectory's `cache`, a Webhook's `responseContentType`). The
    diagnostic points at the first expression of the value.

    ## Why is this bad?
    Kestra renders only the properties its plugins declare dynamic. Elsewhere the expression is
    not evaluated: the task receives the characters `{{ inputs.zone }}` themselves, so the run
    does something else than intended (or Kestra refuses the value, as with a cron
    expression), and nothing warns about it.

    ## Example
    ```yaml
    triggers:
      - id: daily
        type: io.kestra.plugin.core.trigger.Schedule
        cron: "0 9 * * *"
        timezone: "{{ vars.zone }}"
    ```

    ## Use instead
    Write the value itself where Kestra does not render:
    ```yaml
        timezone: Europe/Paris
    ```
    """,
)

_OPENERS = (("{{", "}}"), ("{%", "%}"))
_SHOWN = 40  # characters of the expression quoted in the message


def first_template(text: str) -> tuple[int, int] | None:
    """Offsets [start, end) of the first `{{ ... }}` or `{% ... %}` in `text` (to the end of
    the text when it is not closed), or None."""
    found = [(text.find(op), op, close) for op, close in _OPENERS if op in text]
    if not found:
        return None
    start, _, close = min(found)
    end = text.find(close, start + 2)
    return start, (len(text) if end < 0 else end + 2)


def accepts_string(schema: dict) -> bool:
    """Whether a plain string is a valid value for `schema` (else validation already reports
    a template there as a type or enum error)."""
    if "enum" in schema or "const" in schema:
        return False
    branches = [s for key in ("anyOf", "oneOf") for s in schema.get(key, ()) if isinstance(s, dict)]
    if branches:
        return any(accepts_string(b) for b in branches)
    kind = schema.get("type")
    if kind is None:
        return True
    return "string" in (kind if isinstance(kind, list) else [kind])


def _unrendered(node: Node | None, schema, path: str):
    """(string node, property path) of each templated string under `node` that `schema`
    (a type file's own schema, references kept) says Kestra does not render."""
    if node is None or not isinstance(schema, dict) or is_dynamic(schema):
        return
    if any(key in schema for key in ("$ref", "$renderedIn", "$template")):
        return
    if isinstance(node, Scalar):
        if isinstance(node.value, str) and first_template(node.value) is not None and accepts_string(schema):
            yield node, path
        return
    branches = [schema] + [s for key in ("anyOf", "oneOf") for s in schema.get(key, ()) if isinstance(s, dict)]
    seen: set[int] = set()
    for branch in branches:
        for found, where in _children(node, branch, path):
            if id(found) not in seen:
                seen.add(id(found))
                yield found, where


def _children(node: Node, schema: dict, path: str):
    # an object or a list whose content the schema leaves open holds values taken as written
    open_content = {} if schema.get("type") in ("object", "array") else None
    if isinstance(node, Mapping):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        if not isinstance(extra, dict):
            extra = open_content if not properties and extra is not False else None
        for name, _, value in node.items():
            sub = properties.get(name, extra)
            if sub is not None:
                yield from _unrendered(value, sub, f"{path}.{name}")
    elif isinstance(node, Sequence):
        items = schema.get("items") if isinstance(schema.get("items"), dict) else open_content
        if items is not None:
            for i, item in enumerate(node):
                yield from _unrendered(item, items, f"{path}[{i}]")


def _inside(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) <= (outer.end_line, outer.end_column)


def _template_span(flow, node: Scalar, start: int, end: int) -> Span:
    from ..expressions import Template
    from ..expr import ast

    return Template(node, None, (), ast.Template([]), flow.source.text).span(start, end)


@check
def unrendered_templates(flow, reporter) -> None:
    earlier = [d.span for d in reporter.diagnostics if d.span is not None]
    for plugin in flow.walk():
        if plugin.ptype is None or not isinstance(plugin.node, Mapping):
            continue
        own = plugin.ptype.own_properties
        slots = {slot.name for slot in plugin.ptype.slots}
        for name, _, value in plugin.node.items():
            if name in slots or name not in own:
                continue
            for node, path in _unrendered(value, own[name], name):
                if any(_inside(span, node.span) for span in earlier):
                    continue
                start, end = first_template(node.value)
                shown = node.value[start:end]
                if len(shown) > _SHOWN:
                    shown = shown[: _SHOWN - 4] + " ..."
                reporter.report(
                    TEMPLATE_NOT_RENDERED,
                    f"`{shown}` in `{path}` of {plugin.ptype.short_name} stays literal text: Kestra does not render this property",
                    _template_span(flow, node, start, end),
                    help="Kestra passes this value on as written; write the value itself, "
                         "or compute it in a property Kestra renders",
                )
