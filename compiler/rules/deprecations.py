"""D: deprecated syntax inside expressions (compiler.analysis); old type names are D001."""
from ..diagnostics import Severity, rule

JSON_FUNCTION = rule(
    "D002", "deprecated-json", Severity.INFO, "`json()` and `| json`, removed in Kestra 2.0.",
    """
    ## What it does
    Reports the function `json(...)` and the filter `| json`, deprecated aliases of `fromJson(...)` and
    `| toJson`.

    ## Why is this bad?
    Kestra 2.0 removes them, and its migration tool does not flag the filter: the flow fails at run time
    after the upgrade.

    ## Example
    ```yaml
    message: "{{ json(outputs.api.body).id }} {{ inputs.list | json }}"
    ```

    ## Use instead
    ```yaml
    message: "{{ fromJson(outputs.api.body).id }} {{ inputs.list | toJson }}"
    ```
    """,
)
