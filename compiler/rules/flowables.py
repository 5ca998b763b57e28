"""Rules of flowable tasks that their schemas declare with `$requiresTasks` and
`$runnableChildren` (Switch, WorkingDirectory, ...)."""
from __future__ import annotations

from ..diagnostics import Severity, rule
from .base import check

NO_TASKS = rule(
    "S214", "flowable-without-tasks", Severity.ERROR,
    "A flowable task none of whose branches holds a task.",
    """
    ## What it does
    Reports a flowable task that needs at least one task in one of its branches and has
    none: a Switch with no `cases` and no `defaults`, or only empty ones.

    ## Why is this bad?
    Kestra refuses the flow (`No task defined, neither cases or default have any tasks`).

    ## Example
    ```yaml
    - id: route
      type: io.kestra.plugin.core.flow.Switch
      value: "{{ inputs.kind }}"
      cases: {}
    ```

    ## Use instead
    ```yaml
      cases:
        csv:
          - id: parse_csv
            type: io.kestra.plugin.core.log.Log
            message: csv
    ```
    """,
)

NON_RUNNABLE_CHILD = rule(
    "S215", "non-runnable-in-working-directory", Severity.ERROR,
    "A WorkingDirectory holds a task that is not runnable, or a child sets `workerGroup`.",
    """
    ## What it does
    Reports flowable tasks (Parallel, Pause, If, ...) and subflow calls among the direct
    children of a WorkingDirectory, and children that set their own `workerGroup`.

    ## Why is this bad?
    A WorkingDirectory runs all its children on one worker in one directory; only runnable
    tasks can run there. Kestra refuses the flow (`Only runnable tasks are allowed as
    children of a WorkingDirectory task`).

    ## Example
    ```yaml
    - id: wd
      type: io.kestra.plugin.core.flow.WorkingDirectory
      tasks:
        - id: wait
          type: io.kestra.plugin.core.flow.Pause
          delay: PT5S
    ```

    ## Use instead
    Move the flowable task outside the WorkingDirectory.
    """,
)


@check
def flowable_children(flow, reporter) -> None:
    for plugin in flow.walk("task"):
        ptype = plugin.ptype
        if ptype is None:
            continue
        slots = ptype.raw.get("$requiresTasks")
        if slots and not any(child.slot.name in slots for child in plugin.children if child.kind == "task"):
            reporter.report(NO_TASKS, f"`{plugin.id}` has no task in any of {', '.join(f'`{s}`' for s in slots)}",
                            plugin.span, help=f"add at least one task to {' or '.join(f'`{s}`' for s in slots)}")
        slot = ptype.raw.get("$runnableChildren")
        if slot:
            for child in plugin.children_in(slot):
                if child.ptype is not None and child.ptype.category != "runnable":
                    reporter.report(NON_RUNNABLE_CHILD,
                                    f"`{child.id}` ({child.ptype.short_name}) cannot run inside WorkingDirectory `{plugin.id}`: only runnable tasks can",
                                    child.key_span("type") or child.span, help="move this task outside the WorkingDirectory")
                if child.prop("workerGroup") is not None:
                    reporter.report(NON_RUNNABLE_CHILD,
                                    f"`{child.id}` sets `workerGroup` inside WorkingDirectory `{plugin.id}`",
                                    child.key_span("workerGroup"), help="set `workerGroup` on the WorkingDirectory itself")
