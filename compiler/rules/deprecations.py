"""D: deprecated syntax inside expressions (compiler.analysis); old type names are D001."""
from ..diagnostics import Severity, rule
from .base import check

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

DEPRECATED_TYPE = rule(
    "D003", "deprecated-type", Severity.INFO, "A task, trigger or condition type that Kestra deprecates.",
    """
    ## What it does
    Reports a type whose schema marks it deprecated (EachSequential, EachParallel, Echo, LocalFiles,
    Template, the state store tasks, ...), naming its replacement when there is one.

    ## Why is this bad?
    Deprecated types still run, but they are removed in a later Kestra version (2.0 removes most of
    them): the flow breaks at the upgrade.

    ## Example
    ```yaml
    - id: each
      type: io.kestra.plugin.core.flow.EachSequential
      value: [1, 2]
      tasks: [...]
    ```

    ## Use instead
    ```yaml
    - id: each
      type: io.kestra.plugin.core.flow.ForEach
      values: [1, 2]
      tasks: [...]
    ```
    """,
)

DEPRECATED_PROPERTY = rule(
    "D004", "deprecated-property", Severity.INFO, "A property that Kestra deprecates.",
    """
    ## What it does
    Reports a flow or plugin property whose schema marks it deprecated (`taskDefaults`, `listeners`,
    a Subflow's `outputs`, a trigger's `minLogLevel`, ...), naming the replacement.

    ## Why is this bad?
    It is removed in a later Kestra version, and some deprecated properties already behave
    differently (a Subflow's `outputs` is ignored when the child declares flow outputs).

    ## Example
    ```yaml
    taskDefaults:
      - type: io.kestra.plugin.core.log.Log
        values: {level: ERROR}
    ```

    ## Use instead
    ```yaml
    pluginDefaults:
      - type: io.kestra.plugin.core.log.Log
        values: {level: ERROR}
    ```
    """,
)


def _replacement(marker) -> str | None:
    return marker if isinstance(marker, str) else None


@check
def deprecated_usage(flow, reporter) -> None:
    registry_flow = _flow_properties()
    for name, key, _ in flow.node.items():
        marker = registry_flow.get(name, {}).get("$deprecated")
        if marker:
            _report_property(reporter, name, "the flow", key.span, _replacement(marker))
    for plugin in flow.walk():
        ptype = plugin.ptype
        if ptype is None:
            continue
        if ptype.deprecated:
            replacement = _replacement(ptype.deprecated)
            reporter.report(DEPRECATED_TYPE, f"`{ptype.name}` is deprecated", plugin.key_span("type") or plugin.span,
                            help=f"use `{replacement}`" if replacement else "see the type's documentation for its replacement")
        if plugin.mapping is None:
            continue
        for name, key, _ in plugin.mapping.items():
            marker = ptype.properties.get(name, {}).get("$deprecated")
            if marker:
                _report_property(reporter, name, f"`{ptype.short_name}`", key.span, _replacement(marker))


def _report_property(reporter, name: str, owner: str, span, replacement: str | None) -> None:
    reporter.report(DEPRECATED_PROPERTY, f"`{name}` of {owner} is deprecated", span,
                    help=f"use `{replacement}`" if replacement else None)


def _flow_properties() -> dict:
    from ..registry import default_registry

    return default_registry().flow_raw["properties"]
