"""Dag tasks: every dependency exists, and there is no cycle."""
from __future__ import annotations

from ..diagnostics import Severity, rule
from ..graphs import cycle_path, cycles
from ..model import scalar_text
from ..registry import did_you_mean
from ..source import Mapping, Sequence
from .base import check

DAG_UNKNOWN_DEPENDENCY = rule(
    "S212", "dag-unknown-dependency", Severity.ERROR,
    "A Dag task depends on a task id that is not in the Dag.",
    """
    ## What it does
    Reports an id in a Dag task's `dependsOn` that names no task of the same Dag.

    ## Why is this bad?
    Kestra refuses the flow (`Not existing task id in dependency`).

    ## Example
    ```yaml
    - id: dag
      type: io.kestra.plugin.core.flow.Dag
      tasks:
        - task: {id: extract, type: io.kestra.plugin.core.log.Log, message: e}
        - task: {id: load, type: io.kestra.plugin.core.log.Log, message: l}
          dependsOn: [extrcat]
    ```

    ## Use instead
    ```yaml
          dependsOn: [extract]
    ```
    """,
)

DAG_CYCLE = rule(
    "S213", "dag-cycle", Severity.ERROR,
    "Dag tasks depend on each other in a cycle.",
    """
    ## What it does
    Reports Dag tasks whose `dependsOn` lead back to themselves, naming the cycle.

    ## Why is this bad?
    None of the tasks in the cycle can ever start; Kestra refuses the flow (`Cyclic
    dependency detected`).

    ## Example
    ```yaml
    tasks:
      - task: {id: a, type: io.kestra.plugin.core.log.Log, message: a}
        dependsOn: [b]
      - task: {id: b, type: io.kestra.plugin.core.log.Log, message: b}
        dependsOn: [a]
    ```

    ## Use instead
    Remove one of the dependencies so that the tasks form a directed acyclic graph.
    """,
)


@check
def dag_dependencies(flow, reporter) -> None:
    for plugin in flow.walk("task"):
        if plugin.ptype is None:
            continue
        for prop, spec in plugin.ptype.own_properties.items():
            if isinstance(spec, dict) and "$dag" in spec:
                _check_dag(plugin.prop(prop), spec["$dag"], reporter)


def _check_dag(entries, spec: dict, reporter) -> None:
    if not isinstance(entries, Sequence):
        return
    order: list[str] = []
    depends: list[tuple] = []  # (task id, dependsOn node, dependsOn key node)
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        task = entry.get(spec["task"])
        ident = scalar_text(task.get("id")) if isinstance(task, Mapping) else None
        if ident:
            order.append(ident)
        deps = entry.get(spec["dependsOn"])
        if isinstance(deps, Sequence):
            depends.append((ident, deps, entry.key_node(spec["dependsOn"])))
    edges: dict[str, list[str]] = {}
    first_dep: dict[str, object] = {}
    for ident, deps, key in depends:
        for node in deps:
            name = scalar_text(node)
            if name is None:
                continue
            if name not in order:
                suggestion = did_you_mean(name, order)
                reporter.report(DAG_UNKNOWN_DEPENDENCY, f"`{ident}` depends on `{name}`, which is not a task of this Dag",
                                node.span, help=f"did you mean `{suggestion}`?" if suggestion else f"tasks of this Dag: {', '.join(order)}")
            elif ident:
                edges.setdefault(ident, []).append(name)
                first_dep.setdefault(ident, key)
    for cycle in cycles(order, edges):
        path = " -> ".join(cycle_path(cycle, edges))
        at = first_dep.get(cycle[0])
        reporter.report(DAG_CYCLE, f"Dag tasks depend on each other in a cycle: {path}", at.span,
                        help="remove one of these dependencies")
