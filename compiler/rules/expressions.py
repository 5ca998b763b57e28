"""E: expression syntax, found when every template of the flow is parsed (compiler.expressions)."""
from ..diagnostics import Severity, rule

EXPRESSION_SYNTAX = rule(
    "E001", "expression-syntax-error", Severity.ERROR,
    "An expression (`{{ }}`, `{% %}`, `{# #}`) that Kestra cannot parse.",
    """
    ## What it does
    Parses every expression in the values Kestra renders (task properties marked dynamic,
    variables, flow outputs, input conditions) with Kestra's expression grammar (Pebble),
    and reports the first syntax error of each value at its exact line and column.

    ## Why is this bad?
    Kestra saves the flow without looking inside expressions; the error appears only when
    an execution renders the value, and the task fails (`ParserException`).

    ## Example
    ```yaml
    message: "{{ outputs.extract.body. }}"
    ```

    ## Use instead
    ```yaml
    message: "{{ outputs.extract.body }}"
    ```
    """,
)
