"""Cross-flow contracts: calls between flows and the flows a trigger waits for.

These rules compare flows with each other, so they are reported by the project pass
(compiler.crossflow) over all the flows checked together, not by a per-flow check.
"""
from __future__ import annotations

from ..diagnostics import Severity, rule

UNKNOWN_SUBFLOW = rule(
    "X101", "unknown-subflow", Severity.WARNING,
    "A task calls a flow that is not among the checked flows.",
    """
    ## What it does
    Reports a Subflow or ForEachItem task whose literal `namespace` and `flowId` name no
    flow among the files checked together, with the closest flow id of that namespace (or
    the namespace that has this flow id). Calls whose `namespace` or `flowId` is an
    expression are not checked.

    ## Why is this bad?
    The flow may live elsewhere (another repository, or only on the server), but a typo
    in `flowId` or `namespace` is only found when the task runs: it fails with `Unable to
    find flow`.

    ## Example
    ```yaml
    - id: call
      type: io.kestra.plugin.core.flow.Subflow
      namespace: company.team
      flowId: hello_wrld
    ```

    ## Use instead
    ```yaml
      flowId: hello_world
    ```
    and check the called flow together with its callers (`flowc check flows/`).
    """,
)

UNKNOWN_SUBFLOW_INPUT = rule(
    "X102", "unknown-subflow-input", Severity.WARNING,
    "A call gives an input that the called flow does not declare.",
    """
    ## What it does
    Reports a key of a Subflow or ForEachItem task's `inputs` that is not an input of the
    called flow, when that flow is among the checked files.

    ## Why is this bad?
    Kestra drops inputs the child does not declare: the value never reaches the child,
    which runs with its default (or fails when the input it meant is required).

    ## Example
    ```yaml
    - id: call
      type: io.kestra.plugin.core.flow.Subflow
      namespace: company.team
      flowId: hello_world  # declares the input `user`
      inputs:
        usr: Ana
    ```

    ## Use instead
    ```yaml
      inputs:
        user: Ana
    ```
    """,
)

MISSING_SUBFLOW_INPUT = rule(
    "X103", "missing-subflow-input", Severity.ERROR,
    "A call does not give a required input of the called flow.",
    """
    ## What it does
    Reports a required input of the called flow (no `required: false`, no `defaults`, no
    `dependsOn`) that a Subflow or ForEachItem task does not give, when that flow is among
    the checked files.

    ## Why is this bad?
    The child execution cannot be created (`missing required input`): the task fails
    every time.

    ## Example
    ```yaml
    - id: call
      type: io.kestra.plugin.core.flow.Subflow
      namespace: company.team
      flowId: hello_world  # requires the input `user`
    ```

    ## Use instead
    ```yaml
      inputs:
        user: Ana
    ```
    or give the child's input `defaults`.
    """,
)

INVALID_SUBFLOW_INPUT = rule(
    "X104", "invalid-subflow-input-value", Severity.ERROR,
    "A call gives a literal input value that does not suit the child input's type.",
    """
    ## What it does
    Reports a literal value in a Subflow or ForEachItem task's `inputs` that the called
    flow's input cannot take: not an integer for INT, not a number for FLOAT, not a
    boolean for BOOLEAN, not one of the `values` of a SELECT. A string other than `true`
    or `false` for a BOOLEAN is a warning: Kestra reads it as `false`. Expressions are not
    checked.

    ## Why is this bad?
    Kestra converts the value to the input's type when it creates the child execution;
    when it cannot, the task fails every time.

    ## Example
    ```yaml
    - id: call
      type: io.kestra.plugin.core.flow.Subflow
      namespace: company.team
      flowId: report  # input `days` is INT
      inputs:
        days: seven
    ```

    ## Use instead
    ```yaml
      inputs:
        days: 7
    ```
    """,
)

DISABLED_SUBFLOW = rule(
    "X105", "disabled-subflow", Severity.ERROR,
    "A task calls a flow that is disabled.",
    """
    ## What it does
    Reports a Subflow or ForEachItem task that calls a flow with `disabled: true`, when
    that flow is among the checked files (and the call pins no `revision`).

    ## Why is this bad?
    Kestra refuses to execute a disabled flow (`Cannot execute a flow which is
    disabled`): the task fails every time.

    ## Example
    ```yaml
    id: cleanup
    namespace: company.team
    disabled: true
    ```
    called by
    ```yaml
    - id: call
      type: io.kestra.plugin.core.flow.Subflow
      namespace: company.team
      flowId: cleanup
    ```

    ## Use instead
    Enable the called flow (remove `disabled: true`), or remove the call.
    """,
)

UNKNOWN_SUBFLOW_OUTPUT = rule(
    "X106", "unknown-subflow-output", Severity.ERROR,
    "An expression reads an output that the called flow does not declare.",
    """
    ## What it does
    Reports `outputs.<task>.outputs.<name>` where `<task>` is a Subflow task whose called
    flow, among the checked files, declares no flow output `<name>` (when the child
    declares no outputs at all, the task's deprecated `outputs` property supplies them).
    Reads guarded by `??`, `default` or `is defined` are not reported; reads in a branch
    that may not be taken are warnings.

    ## Why is this bad?
    The child's execution has no such output: rendering the expression fails, and so
    does the task that reads it.

    ## Example
    ```yaml
    - id: child
      type: io.kestra.plugin.core.flow.Subflow
      namespace: company.team
      flowId: make_report  # declares the output `uri`
    - id: log
      type: io.kestra.plugin.core.log.Log
      message: "{{ outputs.child.outputs.report_uri }}"
    ```

    ## Use instead
    ```yaml
      message: "{{ outputs.child.outputs.uri }}"
    ```
    or declare `report_uri` in the child's `outputs`.
    """,
)

OUTPUTS_WITHOUT_WAIT = rule(
    "X107", "subflow-outputs-without-wait", Severity.ERROR,
    "An expression reads the outputs of a call made with `wait: false`.",
    """
    ## What it does
    Reports `outputs.<task>.outputs...` where `<task>` is a Subflow task with `wait:
    false`. Reads guarded by `??`, `default` or `is defined` are not reported.

    ## Why is this bad?
    Without `wait`, the task ends as soon as the child execution is created, before the
    child has any output: the parent never gets them, and the expression fails.

    ## Example
    ```yaml
    - id: child
      type: io.kestra.plugin.core.flow.Subflow
      namespace: company.team
      flowId: make_report
      wait: false
    - id: log
      type: io.kestra.plugin.core.log.Log
      message: "{{ outputs.child.outputs.uri }}"
    ```

    ## Use instead
    ```yaml
      wait: true
    ```
    """,
)

UNKNOWN_UPSTREAM_FLOW = rule(
    "X108", "unknown-upstream-flow", Severity.WARNING,
    "A Flow trigger waits for a flow that is not among the checked flows.",
    """
    ## What it does
    Reports a flow named by a Flow trigger's conditions (ExecutionFlow) or
    `preconditions.flows` (literal `namespace` and `flowId`) that is not among the files
    checked together, with the closest flow id of that namespace.

    ## Why is this bad?
    The flow may live elsewhere, but a typo in its id or namespace is never reported by
    Kestra: the trigger silently never fires.

    ## Example
    ```yaml
    triggers:
      - id: after_extract
        type: io.kestra.plugin.core.trigger.Flow
        conditions:
          - type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: company.team
            flowId: extrcat
    ```

    ## Use instead
    ```yaml
            flowId: extract
    ```
    and check the upstream flow together with this one.
    """,
)
