"""T: types: values that cannot have the type a property or an operator needs. The checks
inside expressions live in compiler.analysis.typecheck; literal values are checked here."""
from __future__ import annotations

import json

from ..diagnostics import Severity, rule
from ..source import Scalar
from .base import check

NOT_A_LIST = rule(
    "T101", "loop-values-not-a-list", Severity.ERROR, "A loop's `values` that is neither a list nor a JSON array.",
    """
    ## What it does
    Reports a literal `values` of ForEach (`value` of EachSequential and EachParallel) that is a
    plain string which does not parse as a JSON array.

    ## Why is this bad?
    Kestra parses a string as a JSON array; any other text fails the task at run time.

    ## Example
    ```yaml
    - id: loop
      type: io.kestra.plugin.core.flow.ForEach
      values: hello
    ```

    ## Use instead
    ```yaml
      values: ["hello"]
    ```
    """,
)

INCOMPATIBLE_OPERANDS = rule(
    "T102", "incompatible-operands", Severity.ERROR, "Arithmetic or an ordering comparison on values that cannot take it.",
    """
    ## What it does
    Reports `*`, `/`, `%`, unary `-` and `<`, `>`, `<=`, `>=` where an operand is known to be a
    string, a boolean, a list or a map (from input declarations, variables, task output types,
    literals and filter results). `+` is not reported: it concatenates strings.

    ## Why is this bad?
    Kestra's expressions have no implicit conversion: the render fails (`Could not perform
    multiplication`).

    ## Example
    ```yaml
    message: "{{ inputs.count * 2 }}"   # count is a STRING input
    ```

    ## Use instead
    ```yaml
    message: "{{ (inputs.count | number) * 2 }}"
    ```
    """,
)

ALWAYS_TRUE = rule(
    "T103", "condition-always-true", Severity.WARNING, "A condition whose value is a list or a map, which is always true.",
    """
    ## What it does
    Reports a condition (`If`, `runIf`, `Fail`, `LoopUntil`) that prints a list or a map.

    ## Why is this bad?
    Kestra renders the condition to text and treats anything but `false`, `0`, `-0` and the
    empty string as true: a list prints as `[...]`, even an empty one.

    ## Example
    ```yaml
    condition: "{{ outputs.query.rows }}"
    ```

    ## Use instead
    ```yaml
    condition: "{{ outputs.query.rows | length > 0 }}"
    ```
    """,
)


ATTRIBUTE_OF_STRING = rule(
    "T104", "attribute-of-string", Severity.ERROR, "An attribute read on a value that is a string (`taskrun.value.id`).",
    """
    ## What it does
    Reports `.name` on a value known to be a string: `taskrun.value` and a Loop's
    `item.value` are always strings (an object iteration value arrives as its JSON text),
    and so are string inputs. A string's own members (`length`, `empty`, ...) are not reported.

    ## Why is this bad?
    A string has no such attribute: the render fails (`Unable to find`).

    ## Example
    ```yaml
    values: '[{"id": 1}, {"id": 2}]'
    tasks:
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: "{{ taskrun.value.id }}"
    ```

    ## Use instead
    ```yaml
        message: "{{ fromJson(taskrun.value).id }}"
    ```
    """,
)


WRONG_ARGUMENT_TYPE = rule(
    "T105", "wrong-argument-type", Severity.ERROR,
    "A literal of a kind a filter or function cannot take, as an argument or as the filtered value.",
    """
    ## What it does
    Reports a literal (a quoted string, a number, `true`/`false`, a list or a map written in
    the expression) given to a parameter that cannot take that kind of value: a quoted number
    for `abbreviate`'s length, `chunk`'s size or `dateAdd`'s amount, two strings for
    `replace` (it takes a map of replacements), `'false'` for `kv`'s `errorOnMissing`, a list
    for `split`'s delimiter. It also reports a literal filtered value the filter cannot be
    applied to (`{{ 'abc' | keys }}`, `{{ 12 | number }}`). Values computed at run time are
    not checked. What each parameter takes is declared next to flowc's implementation of the
    filter or function, and checked against it; only kinds Kestra refuses in every version
    are reported.

    ## Why is this bad?
    Kestra's filters and functions do not convert their arguments: the render fails
    (`ClassCastException`, `... must be a number`), and with it the task.

    ## Example
    ```yaml
    message: "{{ inputs.text | abbreviate('10') }}"
    key: "site_{{ taskrun.value | replace('.', '_') }}"
    ```

    ## Use instead
    ```yaml
    message: "{{ inputs.text | abbreviate(10) }}"
    key: "site_{{ taskrun.value | replace({'.': '_'}) }}"
    ```
    """,
)


COLLECTION_FOR_ONE_VALUE = rule(
    "T106", "collection-where-one-value-expected", Severity.ERROR,
    "A list or a map printed alone in a property that needs one value (a URI, a flow id, a key).",
    """
    ## What it does
    Reports a property that needs one value (an HTTP `uri`, a storage `from` or `uri`, a
    Subflow's `namespace` and `flowId`, ForEachItem's `items`, a KV `key`, a JDBC `url`,
    CopyIn's `table`: the properties a schema marks `$single`) whose whole value is one
    expression that is certainly a list or a map: a task output declared as one
    (`outputFiles`, `uris`, `rows`), a list or map variable or input, a `jq`, `split` or
    `keys` result. Values whose type flowc cannot know are not reported.

    ## Why is this bad?
    Kestra prints a list or a map as its JSON text (`["kestra:///..."]`, `{"data.csv":
    "kestra:///..."}`). That is never a valid URI, flow id, key or table name: the task
    fails every time.

    ## Example
    ```yaml
    - id: upload
      type: io.kestra.plugin.core.http.Request
      uri: "{{ outputs.extract.outputFiles }}"
    ```

    ## Use instead
    Pick the one value: the entry of the map, or an item of the list.
    ```yaml
      uri: "{{ outputs.extract.outputFiles['data.csv'] }}"
    ```
    """,
)


@check
def loop_values(flow, reporter) -> None:
    for task in flow.walk("task"):
        if task.ptype is None:
            continue
        for name, spec in task.ptype.properties.items():
            if not (isinstance(spec, dict) and spec.get("$jsonList")):
                continue
            node = task.prop(name)
            if not isinstance(node, Scalar) or not isinstance(node.value, str) or "{{" in node.value or "{%" in node.value:
                continue
            try:
                parsed = json.loads(node.value)
            except ValueError:
                parsed = None
            if not isinstance(parsed, list):
                reporter.report(NOT_A_LIST, f"`{name}` must be a list or a JSON array, got the text `{node.value[:40]}`",
                                node.span, help=f"write `{name}: [{json.dumps(node.value)}]`, or a JSON array such as '[\"a\", \"b\"]'")
