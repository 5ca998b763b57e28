"""Y: problems in the file itself, found while reading the YAML (compiler.source)."""
from ..diagnostics import Severity, rule

YAML_SYNTAX = rule(
    "Y001", "yaml-syntax-error", Severity.ERROR,
    "The file is not valid YAML.",
    """
    ## What it does
    Reports the first place where the YAML parser cannot go on.

    ## Why is this bad?
    Kestra refuses to save a flow it cannot parse, and nothing after the error can be
    checked.

    ## Example
    ```yaml
    tasks:
      - id: hello
        type: io.kestra.plugin.core.log.Log
       message: hi        # indented one space less than its siblings
    ```

    ## Use instead
    ```yaml
    tasks:
      - id: hello
        type: io.kestra.plugin.core.log.Log
        message: hi
    ```
    """,
)

DUPLICATE_KEY = rule(
    "Y002", "duplicate-key", Severity.ERROR,
    "A key appears twice in the same mapping.",
    """
    ## What it does
    Reports the second occurrence of a key in one mapping.

    ## Why is this bad?
    Most YAML tools silently keep the last value, so half of the configuration is lost
    without a word. Kestra rejects the flow (`Duplicate field`).

    ## Example
    ```yaml
    - id: log
      type: io.kestra.plugin.core.log.Log
      message: first
      message: second
    ```

    ## Use instead
    Keep one of the two keys.
    """,
)

UNQUOTED_EXPRESSION = rule(
    "Y003", "unquoted-expression", Severity.ERROR,
    "A value starting with `{{` is not quoted, so YAML reads it as a mapping.",
    """
    ## What it does
    Reports a plain (unquoted) value that starts with `{{`.

    ## Why is this bad?
    In YAML, `{` opens a flow mapping: `message: {{ inputs.name }}` is a mapping whose key
    is another mapping, not the text of an expression. Kestra either rejects the flow or
    receives a map where it expects a string.

    ## Example
    ```yaml
    message: {{ inputs.name }}
    ```

    ## Use instead
    ```yaml
    message: "{{ inputs.name }}"
    ```
    """,
)

EMPTY_FILE = rule(
    "Y004", "empty-file", Severity.ERROR,
    "The file holds no YAML document.",
    """
    ## What it does
    Reports a flow file that is empty or holds only comments.

    ## Why is this bad?
    An empty document is not a flow: Kestra cannot save it.

    ## Example
    ```yaml
    # just a comment
    ```

    ## Use instead
    Write the flow, or remove the file.
    """,
)

NOT_UTF8 = rule(
    "Y005", "invalid-encoding", Severity.ERROR,
    "The file is not valid UTF-8.",
    """
    ## What it does
    Reports the first byte sequence that is not valid UTF-8.

    ## Why is this bad?
    Kestra reads flows as UTF-8; another encoding garbles every non-ASCII character or
    fails outright.

    ## Example
    A flow saved as Latin-1 with `message: café`.

    ## Use instead
    Save the file as UTF-8.
    """,
)

NOT_A_MAPPING = rule(
    "Y006", "document-not-a-mapping", Severity.ERROR,
    "A document is not a mapping of flow properties.",
    """
    ## What it does
    Reports a YAML document whose top level is a list or a scalar.

    ## Why is this bad?
    A flow is a mapping with `id`, `namespace` and `tasks`; anything else cannot be a flow.

    ## Example
    ```yaml
    - id: hello
      namespace: company.team
    ```

    ## Use instead
    ```yaml
    id: hello
    namespace: company.team
    tasks: [...]
    ```
    """,
)

TOO_LARGE = rule(
    "Y007", "input-too-large", Severity.ERROR,
    "The file, its nesting or its alias expansion exceeds flowc's limits.",
    """
    ## What it does
    Refuses files larger than the size limit, documents nested deeper than the depth
    limit, and aliases whose expansion would exceed the node limit (the "billion laughs"
    attack), before they can exhaust time or memory.

    ## Why is this bad?
    No real flow comes near these limits; input that does is a mistake (a data file
    checked as a flow) or hostile.

    ## Example
    ```yaml
    a: &a [x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    # ... nine more levels expand to billions of nodes
    ```

    ## Use instead
    Write the values out, or split the data from the flow.
    """,
)

RECURSIVE_ALIAS = rule(
    "Y008", "recursive-alias", Severity.ERROR,
    "An alias refers to a node that contains it.",
    """
    ## What it does
    Reports an alias (`*name`) used inside the node its anchor (`&name`) marks.

    ## Why is this bad?
    The value would be infinite: no flow property can hold it.

    ## Example
    ```yaml
    variables: &v
      self: *v
    ```

    ## Use instead
    Refer only to anchors whose node is complete.
    """,
)

NON_SCALAR_KEY = rule(
    "Y009", "non-scalar-key", Severity.ERROR,
    "A mapping key is a list or a mapping.",
    """
    ## What it does
    Reports complex mapping keys (`? [a, b]`, `{a: 1}: x`).

    ## Why is this bad?
    Kestra's properties and map keys are strings; a complex key cannot be read.

    ## Example
    ```yaml
    variables:
      ? [a, b]
      : value
    ```

    ## Use instead
    ```yaml
    variables:
      a_b: value
    ```
    """,
)

UNUSED_SUPPRESSION = rule(
    "Y010", "unused-suppression", Severity.WARNING,
    "A `# flowc: ignore[...]` comment that suppresses nothing, names no rule, or is misspelt.",
    """
    ## What it does
    Reports a suppression comment that no longer hides any diagnostic, a code in it that is not a rule,
    and a `# flowc:` comment that is neither `ignore[...]` nor `ignore-file[...]`.

    ## Why is this bad?
    A stale suppression hides the next real problem on that line; a misspelt one hides nothing and
    misleads the reader. `flowc check --no-ignores` shows what the suppressions hide.

    ## Example
    ```yaml
    tasks:
      - id: hello
        type: io.kestra.plugin.core.log.Log
        message: hi  # flowc: ignore[S101] the typo was fixed long ago
    ```

    ## Use instead
    ```yaml
    tasks:
      - id: hello
        type: io.kestra.plugin.core.log.Log
        message: hi
    ```
    """,
)
