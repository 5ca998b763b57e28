"""Duplicate ids: tasks (across the whole tree), triggers, inputs, outputs."""
from __future__ import annotations

from ..diagnostics import Severity, rule
from ..model import scalar_text
from .base import check

DUPLICATE_TASK_ID = rule(
    "S201", "duplicate-task-id", Severity.ERROR,
    "Two tasks of the flow have the same id.",
    """
    ## What it does
    Reports a task whose id is already used by another task anywhere in the flow: in
    `tasks`, `errors`, `finally`, `afterExecution`, listeners, and inside every flowable
    task (branches, cases, Dag tasks, local `errors`).

    ## Why is this bad?
    Task ids name outputs (`outputs.<id>`) and task runs; Kestra refuses a flow that uses
    one twice (`Duplicate task id with name [...]`).

    ## Example
    ```yaml
    tasks:
      - id: extract
        type: io.kestra.plugin.core.log.Log
        message: one
    errors:
      - id: extract
        type: io.kestra.plugin.core.log.Log
        message: two
    ```

    ## Use instead
    Give the second task another id, e.g. `extract_failed`.
    """,
)

DUPLICATE_TRIGGER_ID = rule(
    "S202", "duplicate-trigger-id", Severity.ERROR,
    "Two triggers of the flow have the same id.",
    """
    ## What it does
    Reports a trigger whose id another trigger of the flow already uses.

    ## Why is this bad?
    Kestra refuses the flow (`Duplicate trigger id with name [...]`): trigger state is
    stored by id.

    ## Example
    ```yaml
    triggers:
      - id: trigger
        type: io.kestra.plugin.core.trigger.Schedule
        cron: "0 * * * *"
      - id: trigger
        type: io.kestra.plugin.core.trigger.Webhook
        key: abc
    ```

    ## Use instead
    ```yaml
      - id: hourly
        ...
      - id: webhook
        ...
    ```
    """,
)

DUPLICATE_INPUT_ID = rule(
    "S203", "duplicate-input-id", Severity.ERROR,
    "Two inputs have the same id.",
    """
    ## What it does
    Reports an input whose id an earlier input already uses.

    ## Why is this bad?
    Kestra refuses the flow (`Duplicate input with name [...]`); `inputs.<id>` could only
    mean one of them.

    ## Example
    ```yaml
    inputs:
      - id: user
        type: STRING
      - id: user
        type: STRING
    ```

    ## Use instead
    Remove the second input, or rename it.
    """,
)

DUPLICATE_OUTPUT_ID = rule(
    "S204", "duplicate-output-id", Severity.ERROR,
    "Two flow outputs have the same id.",
    """
    ## What it does
    Reports a flow output whose id an earlier output already uses.

    ## Why is this bad?
    Kestra refuses the flow (`Duplicate output with name [...]`).

    ## Example
    ```yaml
    outputs:
      - id: result
        type: STRING
        value: "{{ outputs.a.value }}"
      - id: result
        type: STRING
        value: "{{ outputs.b.value }}"
    ```

    ## Use instead
    Give each output its own id.
    """,
)


def _report_duplicates(items, rule, what, reporter) -> None:
    first: dict[str, int] = {}
    for name, node in items:
        if name is None:
            continue
        if name in first:
            reporter.report(rule, f"duplicate {what} id `{name}` (first used on line {first[name]})", node.span,
                            help=f"{what} ids must be unique in the flow")
        else:
            first[name] = node.span.line


@check
def duplicate_ids(flow, reporter) -> None:
    tasks = [(t.id, t.prop("id")) for t in flow.walk("task") if t.prop("id") is not None]
    _report_duplicates(sorted(tasks, key=lambda p: (p[1].span.line, p[1].span.column)), DUPLICATE_TASK_ID, "task", reporter)
    triggers = [(t.id, t.prop("id")) for t in flow.walk("trigger") if t.prop("id") is not None]
    _report_duplicates(triggers, DUPLICATE_TRIGGER_ID, "trigger", reporter)
    inputs = []
    for item in flow.list_of("inputs"):
        node = item.get("id") or item.get("name")
        inputs.append((scalar_text(node), node))
    _report_duplicates([p for p in inputs if p[1] is not None], DUPLICATE_INPUT_ID, "input", reporter)
    outputs = [(scalar_text(o.get("id")), o.get("id")) for o in flow.list_of("outputs") if o.get("id") is not None]
    _report_duplicates(outputs, DUPLICATE_OUTPUT_ID, "output", reporter)
