"""S1xx: the flow and each plugin object checked against its JSON Schema (compiler.schema),
and D001 for old type names."""
from ..diagnostics import Severity, rule

UNKNOWN_PROPERTY = rule(
    "S101", "unknown-property", Severity.ERROR,
    "A property that the flow, task or trigger does not have.",
    """
    ## What it does
    Reports a key that the object's schema does not declare, with the closest known name
    and the list of known ones.

    ## Why is this bad?
    Kestra refuses the flow (`Unrecognized field`). A misspelt optional property would
    otherwise be silently ignored by tools that do not check.

    ## Example
    ```yaml
    - id: hello
      type: io.kestra.plugin.core.log.Log
      mesage: Hello
    ```

    ## Use instead
    ```yaml
    - id: hello
      type: io.kestra.plugin.core.log.Log
      message: Hello
    ```
    """,
)

MISSING_REQUIRED = rule(
    "S102", "missing-required-property", Severity.ERROR,
    "A required property is missing.",
    """
    ## What it does
    Reports an object without a property its type requires, after `pluginDefaults` have
    been applied (a property a default supplies is not missing).

    ## Why is this bad?
    Kestra refuses the flow (`must not be null`).

    ## Example
    ```yaml
    - id: hello
      type: io.kestra.plugin.core.log.Log
    ```

    ## Use instead
    ```yaml
    - id: hello
      type: io.kestra.plugin.core.log.Log
      message: Hello
    ```
    """,
)

INVALID_TYPE = rule(
    "S103", "invalid-type", Severity.ERROR,
    "A value of the wrong type: a list where a string is expected, and so on.",
    """
    ## What it does
    Reports a value whose YAML type cannot be read as the property's type. Like Kestra,
    numbers and booleans are accepted where a string is expected, and numeric strings
    where a number is; a property rendered at run time accepts an expression.

    ## Why is this bad?
    Kestra refuses the flow (`Cannot deserialize value`).

    ## Example
    ```yaml
    - id: parallel
      type: io.kestra.plugin.core.flow.Parallel
      concurrent: two
      tasks: [...]
    ```

    ## Use instead
    ```yaml
      concurrent: 2
    ```
    """,
)

INVALID_VALUE = rule(
    "S104", "invalid-value", Severity.ERROR,
    "A value outside the property's allowed values.",
    """
    ## What it does
    Reports a value that is not one of the values the property allows (an enumeration),
    with the closest allowed value.

    ## Why is this bad?
    Kestra refuses the flow; enumerations are case-sensitive.

    ## Example
    ```yaml
    - id: log
      type: io.kestra.plugin.core.log.Log
      message: hi
      level: warning
    ```

    ## Use instead
    ```yaml
      level: WARN
    ```
    """,
)

PATTERN_MISMATCH = rule(
    "S105", "invalid-format", Severity.ERROR,
    "A value that does not have the required form (an id, a namespace, a duration).",
    """
    ## What it does
    Reports ids, namespaces, durations and other strings that do not match the form Kestra
    requires.

    ## Why is this bad?
    Kestra refuses the flow (`must match "<regex>"`). Task ids, for instance, may contain
    only letters, digits, `_` and `-`; namespaces must be lower case.

    ## Example
    ```yaml
    id: my flow
    namespace: Company.Team
    ```

    ## Use instead
    ```yaml
    id: my-flow
    namespace: company.team
    ```
    """,
)

EMPTY_VALUE = rule(
    "S106", "empty-value", Severity.ERROR,
    "An empty list or string where at least one item or character is required.",
    """
    ## What it does
    Reports empty lists and strings that Kestra requires to be non-empty: a flow's
    `tasks`, a Parallel's `tasks`, an id.

    ## Why is this bad?
    Kestra refuses the flow (`must not be empty`).

    ## Example
    ```yaml
    - id: parallel
      type: io.kestra.plugin.core.flow.Parallel
      tasks: []
    ```

    ## Use instead
    Give the list at least one task, or remove the task.
    """,
)

OUT_OF_RANGE = rule(
    "S107", "value-out-of-range", Severity.ERROR,
    "A number or length outside the allowed bounds.",
    """
    ## What it does
    Reports numbers below a minimum or above a maximum (`concurrency.limit: 0`,
    `maxAttempt: 0`), and strings or lists that are too long (a flow id over 100
    characters).

    ## Why is this bad?
    Kestra refuses the flow (`must be greater than 0`).

    ## Example
    ```yaml
    concurrency:
      limit: 0
    ```

    ## Use instead
    ```yaml
    concurrency:
      limit: 1
    ```
    """,
)

UNKNOWN_TYPE = rule(
    "S108", "unknown-type", Severity.ERROR,
    "A task, trigger or condition type that does not exist in Kestra's core.",
    """
    ## What it does
    Reports a `type` in a package that flowc knows completely (`io.kestra.plugin.core.*`
    and the old `io.kestra.core.*` names) that names no type, with the closest one.

    ## Why is this bad?
    Kestra refuses the flow (`Invalid type`).

    ## Example
    ```yaml
    - id: hello
      type: io.kestra.plugin.core.log.Logs
      message: hi
    ```

    ## Use instead
    ```yaml
      type: io.kestra.plugin.core.log.Log
    ```
    """,
)

UNKNOWN_PLUGIN = rule(
    "S109", "unknown-plugin", Severity.WARNING,
    "A plugin type flowc has no schema for: its properties are not checked.",
    """
    ## What it does
    Reports, once per type and file, a plugin type outside the packages flowc knows. The
    object's properties are not checked and its outputs are untyped.

    ## Why is this bad?
    It is not wrong: it may be a plugin installed on your Kestra server. But flowc cannot
    check it; describe it with a schema file to get full checking.

    ## Example
    ```yaml
    - id: query
      type: com.example.InHouseQuery
    ```

    ## Use instead
    Keep it, and add a schema for `com.example.InHouseQuery` in a schema directory of the
    configuration, or ignore this rule for the file.
    """,
)

PLUGIN_DEFAULT_UNKNOWN_PROPERTY = rule(
    "S110", "unknown-plugin-default-property", Severity.ERROR,
    "A `pluginDefaults` value names a property its type does not have.",
    """
    ## What it does
    Reports, in a `pluginDefaults` entry whose `type` is a known type, a key that is not a
    property of that type. For a package prefix (`type: io.kestra.plugin.jdbc.postgresql`),
    reports, as a warning, a key that no type flowc knows under the prefix has and that is
    close to one of their properties (a key far from all of them may belong to a type flowc
    does not know).

    ## Why is this bad?
    Kestra refuses the flow (`No property ... exists in plugin`). It does not check the keys
    of a package prefix, but drops a key a task does not have: a misspelled one never
    reaches any task.

    ## Example
    ```yaml
    pluginDefaults:
      - type: io.kestra.plugin.core.log.Log
        values:
          levl: ERROR
    ```

    ## Use instead
    ```yaml
        values:
          level: ERROR
    ```
    """,
)

TYPE_ALIAS = rule(
    "D001", "deprecated-type-alias", Severity.INFO,
    "An old type name that Kestra replaces with its canonical name.",
    """
    ## What it does
    Reports types written with an old name (`io.kestra.core.tasks.log.Log`) and names the
    canonical one.

    ## Why is this bad?
    Kestra still accepts the old names but marks them deprecated, and Kestra 2.0 removes
    them.

    ## Example
    ```yaml
    - id: log
      type: io.kestra.core.tasks.log.Log
      message: hi
    ```

    ## Use instead
    ```yaml
      type: io.kestra.plugin.core.log.Log
    ```
    """,
)
