"""Subflow calls (types whose schema has `$calls`)."""
from __future__ import annotations

from ..diagnostics import Severity, rule
from .base import check, literal_text

RECURSIVE_SUBFLOW = rule(
    "S216", "recursive-subflow", Severity.ERROR,
    "A task calls the flow it belongs to.",
    """
    ## What it does
    Reports a Subflow or ForEachItem task whose literal `namespace` and `flowId` are those
    of its own flow.

    ## Why is this bad?
    Each execution would start another one, forever; Kestra refuses the flow
    (`Recursive call to flow`).

    ## Example
    ```yaml
    id: report
    namespace: company.team
    tasks:
      - id: again
        type: io.kestra.plugin.core.flow.Subflow
        namespace: company.team
        flowId: report
    ```

    ## Use instead
    Call another flow, or use a loop task (ForEach) inside this one.
    """,
)


@check
def recursive_calls(flow, reporter) -> None:
    if flow.id is None or flow.namespace is None:
        return
    for plugin in flow.walk("task"):
        calls = plugin.ptype.raw.get("$calls") if plugin.ptype else None
        if not calls:
            continue
        namespace = literal_text(plugin.values.get(calls["namespace"]))
        flow_id = literal_text(plugin.values.get(calls["flowId"]))
        if namespace == flow.namespace and flow_id == flow.id:
            reporter.report(RECURSIVE_SUBFLOW, f"`{plugin.id}` calls its own flow `{namespace}.{flow_id}`",
                            plugin.key_span(calls["flowId"]) or plugin.span,
                            help="a flow cannot call itself; use a loop task instead")
