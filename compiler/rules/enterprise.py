"""Features of Kestra's Enterprise Edition, refused by the open-source server."""
from __future__ import annotations

from ..diagnostics import Severity, rule
from .base import check

WORKER_GROUP = rule(
    "S218", "enterprise-worker-group", Severity.WARNING,
    "`workerGroup` works only on Kestra Enterprise Edition.",
    """
    ## What it does
    Reports `workerGroup` on the flow, a task or a trigger.

    ## Why is this bad?
    Kestra's open-source edition refuses the flow (`Worker Group is an Enterprise Edition
    functionality`). It is right on Enterprise Edition: ignore this rule there.

    ## Example
    ```yaml
    - id: heavy
      type: io.kestra.plugin.scripts.python.Script
      workerGroup:
        key: gpu
    ```

    ## Use instead
    Remove `workerGroup` on open-source Kestra.
    """,
)


@check
def worker_groups(flow, reporter) -> None:
    key = flow.node.key_node("workerGroup")
    if key is not None:
        reporter.report(WORKER_GROUP, "`workerGroup` is an Enterprise Edition feature", key.span,
                        help="remove it when deploying to open-source Kestra")
    for plugin in flow.walk():
        span = plugin.key_span("workerGroup")
        if span is not None:
            reporter.report(WORKER_GROUP, f"`workerGroup` on `{plugin.id}` is an Enterprise Edition feature", span,
                            help="remove it when deploying to open-source Kestra")
