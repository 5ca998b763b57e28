"""D: deprecated syntax inside expressions (compiler.analysis); old type names are D001."""
from ..diagnostics import Fix, Severity, rule
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


NEWER_THAN_TARGET = rule(
    "D005", "newer-than-target-version", Severity.WARNING, "A type or property that the target Kestra version does not have yet.",
    """
    ## What it does
    Reports types and properties introduced after the Kestra version the flows deploy to
    (`--target-version`, default the 1.x line), from the `$since` of their schema.

    ## Why is this bad?
    The Kestra server refuses the flow (`Invalid type`, `Unrecognized field`).

    ## Example
    ```yaml
    # flowc check --target-version 1.3
    - id: loop
      type: io.kestra.plugin.core.flow.Loop   # Kestra 2.0
    ```

    ## Use instead
    ```yaml
    - id: loop
      type: io.kestra.plugin.core.flow.ForEach
    ```
    """,
)

JSON_REMOVED_IN = "2.0"  # Kestra 2.0 removes `json()` and `| json`


def _replacement(marker) -> str | None:
    return marker if isinstance(marker, str) else None


@check
def version_usage(flow, reporter) -> None:
    """Deprecated, removed, and not-yet-available types and properties, for the target version."""
    settings = flow.settings
    flow_properties = _flow_properties()
    present = {name for name, _, _ in flow.node.items()}
    for name, key, _ in flow.node.items():
        replacement = _replacement(flow_properties.get(name, {}).get("$deprecated"))
        # a renamed flow property (taskDefaults) can be renamed in place, unless the new one is there too
        renamed = replacement in flow_properties and replacement not in present
        _property(reporter, settings, flow_properties.get(name, {}), name, "the flow", key.span,
                  Fix(key.span, replacement) if renamed else None)
    for plugin in flow.walk():
        ptype = plugin.ptype
        if ptype is None:
            continue
        span = plugin.key_span("type") or plugin.span
        since = ptype.raw.get("$since")
        if not settings.supports(since):
            reporter.report(NEWER_THAN_TARGET, f"`{ptype.name}` exists only from Kestra {since} (the target is {settings.target_version})", span,
                            help="use `--target-version` if the server is newer")
        if ptype.deprecated:
            replacement = _replacement(ptype.deprecated)
            removed = ptype.raw.get("$removedIn")
            gone = settings.removed(removed)
            reporter.report(DEPRECATED_TYPE, f"`{ptype.name}` " + (f"no longer exists in Kestra {removed}" if gone else "is deprecated"), span,
                            help=f"use `{replacement}`" if replacement else "see the type's documentation for its replacement",
                            severity=Severity.ERROR if gone else None)
        if plugin.mapping is None:
            continue
        for name, key, _ in plugin.mapping.items():
            _property(reporter, settings, ptype.properties.get(name, {}), name, f"`{ptype.short_name}`", key.span)


def _property(reporter, settings, schema: dict, name: str, owner: str, span, fix: Fix | None = None) -> None:
    since = schema.get("$since")
    if not settings.supports(since):
        reporter.report(NEWER_THAN_TARGET, f"`{name}` of {owner} exists only from Kestra {since} (the target is {settings.target_version})",
                        span, help="use `--target-version` if the server is newer")
    marker = schema.get("$deprecated")
    if not marker:
        return
    removed = schema.get("$removedIn")
    gone = settings.removed(removed)
    replacement = _replacement(marker)
    reporter.report(DEPRECATED_PROPERTY, f"`{name}` of {owner} " + (f"no longer exists in Kestra {removed}" if gone else "is deprecated"),
                    span, help=f"use `{replacement}`" if replacement else None, severity=Severity.ERROR if gone else None, fix=fix)


def _flow_properties() -> dict:
    from ..registry import default_registry

    return default_registry().flow_raw["properties"]
