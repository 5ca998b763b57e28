"""R: references inside expressions (compiler.analysis): names, inputs, variables, task
outputs, the order in which tasks run, loop values, trigger variables, filters and functions."""
from ..diagnostics import Severity, rule


def _doc(what: str, why: str, bad: str, good: str) -> str:
    return f"## What it does\n{what}\n\n## Why is this bad?\n{why}\n\n## Example\n```yaml\n{bad}\n```\n\n## Use instead\n```yaml\n{good}\n```\n"


UNKNOWN_INPUT = rule(
    "R101", "unknown-input", Severity.ERROR, "`inputs.x` names an input the flow does not declare.",
    _doc("Reports `inputs.<id>` where no input of the flow has that id, with the closest one.",
         "Kestra renders expressions in strict mode: the task fails with `Unable to find`.",
         "inputs:\n  - id: user\n    type: STRING\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: \"Hi {{ inputs.usr }}\"",
         "    message: \"Hi {{ inputs.user }}\""))

UNKNOWN_VARIABLE = rule(
    "R102", "unknown-variable", Severity.ERROR, "`vars.x` names a variable the flow does not declare.",
    _doc("Reports `vars.<key>` (and keys inside a variable whose value is a literal map) that the flow's "
         "`variables` do not define, with the closest one.",
         "The task fails at run time with `Unable to find`.",
         "variables:\n  region: eu\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ vars.regoin }}\"",
         "    message: \"{{ vars.region }}\""))

UNKNOWN_TASK = rule(
    "R103", "unknown-task", Severity.ERROR, "`outputs.x` names a task the flow does not have.",
    _doc("Reports `outputs.<id>` where no task of the flow has that id, with the closest one.",
         "The task fails at run time with `Unable to find`.",
         "tasks:\n  - id: fetch_users\n    type: io.kestra.plugin.core.http.Request\n    uri: https://example.com\n"
         "  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ outputs.fetch_user.body }}\"",
         "    message: \"{{ outputs.fetch_users.body }}\""))

UNKNOWN_OUTPUT = rule(
    "R104", "unknown-task-output", Severity.ERROR, "An output attribute the task's type does not produce.",
    _doc("Reports `outputs.<task>.<attribute>` where the task's type has no such output (from its schema; "
         "OutputValues outputs are its `values` keys), with the closest one. Plugins flowc does not know, and "
         "open outputs such as scripts' `vars`, are never reported.",
         "The expression fails at run time with `Unable to find`.",
         "  - id: cfg\n    type: io.kestra.plugin.core.output.OutputValues\n    values: {env: prod}\n"
         "  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ outputs.cfg.env }}\"",
         "    message: \"{{ outputs.cfg.values.env }}\""))

TASK_NOT_RUN_YET = rule(
    "R105", "output-of-task-not-run", Severity.ERROR, "A task reads the outputs of a task that cannot have run before it.",
    _doc("Reports `outputs.<task>` read by a task that starts before that task can have run: a later task, a "
         "parallel sibling, a Dag task that is not upstream, a task of another branch, the task itself, or a "
         "task inside the reader.",
         "The outputs do not exist yet when the expression is rendered: the task fails.",
         "  - id: report\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ outputs.compute.value }}\"\n"
         "  - id: compute\n    type: io.kestra.plugin.core.debug.Return\n    format: \"42\"",
         "  - id: compute\n    type: io.kestra.plugin.core.debug.Return\n    format: \"42\"\n"
         "  - id: report\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ outputs.compute.value }}\""))

TASK_MAY_NOT_HAVE_RUN = rule(
    "R106", "output-of-task-that-may-not-run", Severity.WARNING,
    "A task reads the outputs of a task that may not have run, without a fallback.",
    _doc("Reports `outputs.<task>` where the task may not have run, or may have failed without outputs: it sits "
         "in an If or Switch branch, has `runIf` or `allowFailure`, or the reader is in `errors` or `finally`. "
         "An expression guarded with `??`, `???`, `default` or `is defined` is not reported.",
         "When the branch did not run, the expression fails and so does the execution.",
         "  - id: mode\n    type: io.kestra.plugin.core.flow.If\n    condition: \"{{ inputs.full }}\"\n    then:\n"
         "      - id: full\n        type: io.kestra.plugin.core.debug.Return\n        format: full\n"
         "  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ outputs.full.value }}\"",
         "    message: \"{{ outputs.full.value ?? 'incremental' }}\""))

HYPHEN_SUBTRACTION = rule(
    "R107", "hyphenated-id-subtraction", Severity.ERROR, "`outputs.my-task` is a subtraction, not an id with a hyphen.",
    _doc("Reports `outputs.my-task.x` (and `inputs.my-input`, `vars.my-var`) where the hyphenated name is an id "
         "of the flow: Pebble reads `outputs.my - task.x`.",
         "The subtraction fails at run time (`Could not perform subtraction`).",
         "    message: \"{{ outputs.load-data.value }}\"",
         "    message: \"{{ outputs['load-data'].value }}\""))

LOOP_VALUE_OUTSIDE_LOOP = rule(
    "R108", "loop-value-outside-loop", Severity.ERROR, "`taskrun.value` or `parents` where no loop sets it.",
    _doc("Reports `taskrun.value` in a task that is not a direct child of a loop (ForEach, EachSequential, "
         "EachParallel), and `parent`/`parents` in a task with no enclosing loop.",
         "The variable does not exist there: the task fails (`Unable to find value`). Inside a Sequential or "
         "Switch nested in a loop, the value is the parent's: `parent.taskrun.value`.",
         "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ taskrun.value }}\"",
         "  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [a, b]\n    tasks:\n"
         "      - id: log\n        type: io.kestra.plugin.core.log.Log\n        message: \"{{ taskrun.value }}\""))

LOOP_OUTPUT_WITHOUT_INDEX = rule(
    "R109", "loop-output-without-index", Severity.ERROR, "The output of a task in a loop read without its iteration value.",
    _doc("Reports `outputs.<task>.<attribute>` where the task runs in a loop: its outputs are keyed by the "
         "iteration value first (`outputs.<task>[value].<attribute>`, one level per nested loop).",
         "`<attribute>` is looked up as an iteration value and the expression fails.",
         "      - id: make\n        type: io.kestra.plugin.core.debug.Return\n        format: \"{{ taskrun.value }}\"\n"
         "      - id: use\n        type: io.kestra.plugin.core.log.Log\n        message: \"{{ outputs.make.value }}\"",
         "        message: \"{{ outputs.make[taskrun.value].value }}\""))

TRIGGER_VARIABLE = rule(
    "R110", "unavailable-trigger-variable", Severity.WARNING,
    "`trigger.*` in a flow whose triggers do not provide it, without a fallback.",
    _doc("Reports `trigger.<name>` when the flow has no trigger (the variable exists only in executions a "
         "trigger or a parent flow created), or when none of its triggers provides `<name>`. Guarded "
         "expressions (`??`, `default`, `is defined`) are not reported.",
         "A manual execution has no `trigger`: the expression fails.",
         "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ trigger.date }}\"",
         "    message: \"{{ trigger.date ?? execution.startDate }}\""))

UNKNOWN_FILTER = rule(
    "R111", "unknown-filter", Severity.ERROR, "A filter Kestra does not have.",
    _doc("Reports `| name` where no filter has that name, with the closest one.",
         "The render fails (`Filter [...] does not exist`). Invented filters (`jsonify`) are a common mistake.",
         "    message: \"{{ inputs.cols | jsonify }}\"", "    message: \"{{ inputs.cols | toJson }}\""))

UNKNOWN_FUNCTION = rule(
    "R112", "unknown-function", Severity.ERROR, "A function Kestra does not have.",
    _doc("Reports a call `name(...)` where no function and no macro of the template has that name.",
         "The render fails (`Function or Macro [...] does not exist`).",
         "    message: \"{{ fromJSON(outputs.api.body).id }}\"", "    message: \"{{ fromJson(outputs.api.body).id }}\""))

UNKNOWN_TEST = rule(
    "R113", "unknown-test", Severity.ERROR, "A test (`is name`) Kestra does not have.",
    _doc("Reports `x is name` where no test has that name.",
         "The render fails.",
         "    condition: \"{{ inputs.x is blank }}\"", "    condition: \"{{ inputs.x is empty }}\""))

WRONG_ARGUMENTS = rule(
    "R114", "wrong-arguments", Severity.ERROR, "A filter or function called with arguments it does not take.",
    _doc("Reports too many positional arguments, named arguments the filter or function does not declare, and "
         "required arguments that are missing.",
         "The render fails (`The argument at position ... is not allowed`).",
         "    message: \"{{ now(format='yyyy') }}\"\n    other: \"{{ 'a' | upper(1) }}\"",
         "    message: \"{{ now('yyyy') }}\"\n    other: \"{{ 'a' | upper }}\""))

UNKNOWN_NAME = rule(
    "R115", "unknown-variable-name", Severity.ERROR, "A name that is not a variable of Kestra's expressions.",
    _doc("Reports a root name that Kestra does not provide (`inputs`, `outputs`, `vars`, `flow`, `execution`, "
         "`task`, `taskrun`, `trigger`, `labels`, `envs`, `globals`, `parents`, ...) and the template does not "
         "set, with the closest one.",
         "Strict mode fails the render: `input.user` instead of `inputs.user` is a common typo.",
         "    message: \"{{ input.user }}\"", "    message: \"{{ inputs.user }}\""))

NEEDS_RENDER = rule(
    "R116", "variable-needs-render", Severity.WARNING, "A variable holding `{{ }}` printed without `render()`.",
    _doc("Reports `{{ vars.x }}` where the variable's value itself contains an expression: Kestra renders "
         "expressions once, so the inner `{{ }}` is printed as text.",
         "Since Kestra 0.14 variables are not rendered recursively: users see the raw template in their output.",
         "variables:\n  day: \"{{ execution.startDate | date('yyyy-MM-dd') }}\"\ntasks:\n  - id: log\n"
         "    type: io.kestra.plugin.core.log.Log\n    message: \"{{ vars.day }}\"",
         "    message: \"{{ render(vars.day) }}\""))

SECRET_MISUSE = rule(
    "R117", "secret-misuse", Severity.WARNING, "`secret('SECRET_X')`, or a fallback that cannot catch a missing secret.",
    _doc("Reports a secret name starting with `SECRET_` (the prefix belongs to the environment variable of "
         "Kestra's open-source secret backend, not to the name), and `secret(...) ?? fallback` (a missing "
         "secret fails the render; `??` does not catch it).",
         "The secret is not found and the task fails.",
         "    headers:\n      Authorization: \"Bearer {{ secret('SECRET_API_TOKEN') }}\"",
         "    headers:\n      Authorization: \"Bearer {{ secret('API_TOKEN') }}\""))

JSON_INTERPOLATION = rule(
    "R118", "json-by-interpolation", Severity.WARNING, "A JSON text built by placing expressions inside its quotes.",
    _doc("Reports a value that is JSON text with `{{ }}` inside one of its string literals.",
         "A value containing a quote, a backslash or a newline breaks the JSON.",
         "    body: '{\"text\": \"{{ inputs.message }}\"}'",
         "    body: \"{{ {'text': inputs.message} | toJson }}\""))

LOOP_OUTPUT_NOT_VISIBLE = rule(
    "R119", "loop-output-not-visible", Severity.ERROR, "The output of a task inside a Loop, read after the Loop.",
    _doc("Reports `outputs.<task>` read outside the Loop (Kestra 2.0) that contains the task: a Loop's "
         "children's outputs are visible only inside it, and what the Loop exposes is what its own `outputs` "
         "declare.",
         "The output does not exist after the Loop: the expression fails.",
         "  - id: loop\n    type: io.kestra.plugin.core.flow.Loop\n    values: [1, 2]\n    tasks:\n"
         "      - id: p\n        type: io.kestra.plugin.core.debug.Return\n        format: \"{{ item.value }}\"\n"
         "  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ outputs.p.value }}\"",
         "  - id: loop\n    type: io.kestra.plugin.core.flow.Loop\n    values: [1, 2]\n    outputs:\n"
         "      - id: p\n        type: STRING\n        value: \"{{ outputs.p.value }}\"\n    tasks: [...]\n"
         "  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ outputs.loop.outputs.p }}\""))
