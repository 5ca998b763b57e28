"""Trigger rules Kestra applies when saving a flow."""
from __future__ import annotations

from ..diagnostics import Severity, rule
from .base import check

FLOW_TRIGGER_UNFILTERED = rule(
    "S219", "unfiltered-flow-trigger", Severity.WARNING,
    "A Flow trigger without `conditions` or `preconditions` fires after every execution.",
    """
    ## What it does
    Reports a Flow trigger (one reacting to other executions) that has neither
    `conditions` nor `preconditions`.

    ## Why is this bad?
    It starts this flow after every execution of every flow of the instance, including its
    own: almost never what was meant. Kestra warns about it when saving.

    ## Example
    ```yaml
    triggers:
      - id: after
        type: io.kestra.plugin.core.trigger.Flow
    ```

    ## Use instead
    ```yaml
    triggers:
      - id: after
        type: io.kestra.plugin.core.trigger.Flow
        preconditions:
          id: upstream
          flows:
            - namespace: company.team
              flowId: extract
              states: [SUCCESS]
    ```
    """,
)

UNSUPPORTED_CONDITION = rule(
    "S220", "unsupported-trigger-condition", Severity.ERROR,
    "A condition type that this trigger does not accept.",
    """
    ## What it does
    Reports a MultipleCondition among the conditions of a Webhook trigger.

    ## Why is this bad?
    Kestra refuses the flow (`conditions of type MultipleCondition are not supported`).

    ## Example
    ```yaml
    - id: hook
      type: io.kestra.plugin.core.trigger.Webhook
      key: abc
      conditions:
        - type: io.kestra.plugin.core.condition.MultipleCondition
          ...
    ```

    ## Use instead
    Use a Flow trigger with `preconditions` for conditions across executions.
    """,
)



@check
def trigger_rules(flow, reporter) -> None:
    for trigger in flow.walk("trigger"):
        raw = trigger.ptype.raw if trigger.ptype else {}
        if raw.get("$firesOnExecutions") and not any(trigger.values.get(k) for k in ("conditions", "preconditions", "dependsOn")):
            reporter.report(FLOW_TRIGGER_UNFILTERED,
                            f"Flow trigger `{trigger.id}` has no `conditions` or `preconditions`: it fires after every execution of every flow",
                            trigger.span, help="add `preconditions` naming the flows to react to")
        refused = raw.get("$refusesConditions", ())
        for condition in trigger.children:
            if condition.kind == "condition" and condition.ptype and condition.ptype.name in refused:
                reporter.report(UNSUPPORTED_CONDITION,
                                f"a {trigger.ptype.short_name} trigger does not accept {condition.ptype.short_name} conditions",
                                condition.key_span("type") or condition.span)
