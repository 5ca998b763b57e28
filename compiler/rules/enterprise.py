"""Features of Kestra's Enterprise Edition, refused by the open-source server."""
from __future__ import annotations

from ..diagnostics import Severity, rule
from .base import check

ENTERPRISE_FEATURE = rule(
    "S218", "enterprise-only-feature", Severity.WARNING,
    "A property that works only on Kestra Enterprise Edition (`workerGroup`, `assets`).",
    """
    ## What it does
    Reports `workerGroup` on the flow, a task or a trigger, and `assets` on a task or a
    trigger.

    ## Why is this bad?
    Kestra's open-source edition refuses the flow (`Worker Group is an Enterprise Edition
    functionality`, `assets are only available in Enterprise Edition`). They are right on
    Enterprise Edition: ignore this rule there.

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


FEATURES = ("workerGroup", "assets")


@check
def enterprise_features(flow, reporter) -> None:
    key = flow.node.key_node("workerGroup")
    if key is not None:
        reporter.report(ENTERPRISE_FEATURE, "`workerGroup` is an Enterprise Edition feature", key.span,
                        help="remove it when deploying to open-source Kestra")
    for plugin in flow.walk():
        for name in FEATURES:
            span = plugin.key_span(name)
            if span is not None:
                reporter.report(ENTERPRISE_FEATURE, f"`{name}` on `{plugin.id}` is an Enterprise Edition feature", span,
                                help="remove it when deploying to open-source Kestra")
