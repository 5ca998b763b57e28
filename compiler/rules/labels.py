"""Labels: the `system.` prefix is Kestra's own."""
from __future__ import annotations

from ..diagnostics import Severity, rule
from ..model import scalar_text
from ..source import Mapping, Sequence
from .base import check

SYSTEM_LABEL = rule(
    "S211", "system-label", Severity.ERROR,
    "A label whose key starts with `system.`.",
    """
    ## What it does
    Reports labels whose key starts with `system.` on the flow (except
    `system.readOnly`), its triggers, and tasks that set labels.

    ## Why is this bad?
    System labels are set by Kestra itself; it refuses the flow (`System labels can only
    be set by Kestra itself`).

    ## Example
    ```yaml
    labels:
      system.team: data
    ```

    ## Use instead
    ```yaml
    labels:
      team: data
    ```
    """,
)


def _label_keys(node):
    """(key, node to point at) for a labels map or a list of {key, value}."""
    if isinstance(node, Mapping):
        for name, key_node, _ in node.items():
            yield name, key_node
    elif isinstance(node, Sequence):
        for item in node:
            if isinstance(item, Mapping) and item.get("key") is not None:
                yield scalar_text(item.get("key")), item.get("key")


def _check(node, allowed: tuple[str, ...], reporter) -> None:
    for name, at in _label_keys(node):
        if name and name.startswith("system.") and name not in allowed:
            reporter.report(SYSTEM_LABEL, f"label `{name}` uses the `system.` prefix, which only Kestra may set", at.span,
                            help="rename the label without the `system.` prefix")


@check
def system_labels(flow, reporter) -> None:
    _check(flow.node.get("labels"), ("system.readOnly",), reporter)
    for plugin in flow.walk():
        if plugin.ptype is not None and "labels" in plugin.ptype.properties:
            _check(plugin.prop("labels"), (), reporter)
