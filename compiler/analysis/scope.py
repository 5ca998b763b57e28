"""What each template can see: the scope of an expression.

`scopes(flow, graph)` pairs every template of the flow (`flow.expressions`) with its `Env`:
the task that reads it (its place in the task graph decides which outputs exist), the flow's
inputs and variables, the tasks by id, the trigger variables, and the names the property
adds. Templates rendered elsewhere (variables, through render(); a Subflow's deprecated
`outputs`, in the child) get no Env.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Flow, Plugin
from ..source import Mapping, to_data
from ..registry import Registry
from .graph import TaskGraph
from .types import Type, from_schema

# flow-level places whose templates see no task outputs (rendered before any task runs)
_NO_OUTPUTS = ("inputs",)


@dataclass
class Env:
    """What a template can see: the reader task, and the flow's declarations."""

    flow: Flow
    graph: TaskGraph
    reader: Plugin | None  # None: the end of the execution (flow outputs)
    outputs_visible: bool
    tasks: dict[str, Plugin]
    inputs: dict[str, object]
    variables: dict
    trigger_variables: Type | None  # None when the flow has no trigger
    local: set[str] = field(default_factory=set)  # names the property adds (`response`, `count`)
    sees_children: bool = False  # the property is rendered after the task's children ran (LoopUntil)
    implicit: dict = field(default_factory=dict)  # ids of tasks a type creates at run time -> their outputs schema
    condition: bool = False  # the property is judged true or false (If `condition`, `runIf`)




def scopes(flow: Flow, graph: TaskGraph):
    """(template, Env) for every template of the flow rendered in this execution."""
    tasks, implicit = {}, {}
    for task in graph.tasks:
        if task.id is not None:
            tasks.setdefault(task.id, task)
            # tasks a type creates at run time (ForEachItem's `<id>_merge`): ordered like the task itself
            for pattern, outputs in (task.ptype.raw.get("$implicitTasks", {}) if task.ptype else {}).items():
                name = pattern.format(id=task.id)
                tasks.setdefault(name, task)
                implicit[name] = outputs
    base = dict(graph=graph, tasks=tasks, implicit=implicit, inputs=input_names(flow),
                variables=_variables(flow, graph), trigger_variables=_trigger_variables(flow))
    for template in flow.expressions:
        owner = template.owner
        if template.path and template.path[0] == "variables":
            continue  # rendered only through render(), in the caller's context
        if owner is None:
            yield template, Env(flow, reader=None, outputs_visible=template.path[0] not in _NO_OUTPUTS, **base)
            continue
        prop = owner.ptype.properties.get(template.path[0], {}) if owner.ptype else {}
        if prop.get("$renderedIn"):
            continue  # rendered against another execution (a subflow's), not this one
        condition = len(template.path) == 1 and bool(prop.get("$condition"))
        if owner.kind == "task":
            yield template, Env(flow, reader=owner, outputs_visible=True, local=_extra_variables(owner, prop, graph),
                                sees_children=bool(prop.get("$seesChildren")), condition=condition, **base)
        else:
            # triggers, conditions and task runners: no task outputs of this execution
            task = _enclosing_task(owner)
            yield template, Env(flow, reader=task, outputs_visible=task is not None,
                                local=set(prop.get("$extraVariables", ())), condition=condition, **base)


def input_names(flow: Flow) -> dict[str, object]:
    """First segments of the declared input ids (`a.b` is `inputs.a.b`)."""
    names = {}
    for item in flow.list_of("inputs"):
        ident = item.value("id") or item.value("name")
        if isinstance(ident, str):
            names.setdefault(ident.split(".")[0], item)
    return names


def variables_of(flow: Flow):
    node = flow.node.get("variables")
    return to_data(node) if isinstance(node, Mapping) else {}


def _extra_variables(task, prop: dict, graph: TaskGraph) -> set[str]:
    """Names a task's property sees besides the usual ones: the property's own (`response`),
    the type's (`workingDir` in scripts), and those an enclosing slot gives (`item` in Loop)."""
    names = set(prop.get("$extraVariables", ()))
    if task.ptype is not None:
        names.update(task.ptype.raw.get("$extraVariables", ()))
    for ancestor in graph.ancestors(task):
        for child in ancestor.children:
            if child is task or child in graph.ancestors(task):
                slot = ancestor.ptype.properties.get(child.slot.name, {}) if ancestor.ptype and child.slot else {}
                names.update(slot.get("$childVariables", ()))
    return names


def _variables(flow: Flow, graph: TaskGraph):
    """The flow's variables, with the keys SetVariables tasks add; None when a task sets
    variables flowc cannot see (then any key may exist)."""
    values = dict(variables_of(flow))
    for task in graph.tasks:
        prop = task.ptype.raw.get("$setsVariables") if task.ptype else None
        if prop:
            added = task.values.get(prop)
            if not isinstance(added, dict):
                return None
            values.update(added)
    return values


def _enclosing_task(plugin):
    while plugin is not None and plugin.kind != "task":
        plugin = plugin.parent
    return plugin


def _trigger_variables(flow: Flow) -> Type | None:
    triggers = [t for t in flow.walk("trigger")]
    if not triggers:
        return None
    fields: dict[str, Type] = {}
    closed = True
    for trigger in triggers:
        if trigger.ptype is None:
            closed = False
            continue
        variables = from_schema(trigger.ptype.variables)
        closed = closed and variables.closed
        fields.update(dict(variables.fields))
    # an execution a parent flow created (Subflow) has these too
    for name in ("executionId", "namespace", "flowId", "flowRevision"):
        fields.setdefault(name, Type("string"))
    return Type("map", tuple(fields.items()), closed=closed)


def flow_slot_kinds(registry: Registry) -> dict[str, str]:
    """The `$graph` kind of each of the flow's task slots (tasks, errors, listeners, ...)."""
    kinds = {}
    for slot in registry.flow_slots:
        schema = registry.flow_schema
        kind = None
        for step in slot.path:
            if step == "[]":
                schema = schema.get("items", {})
            elif step == "{}":
                schema = schema.get("additionalProperties", {})
            else:
                schema = schema.get("properties", {}).get(step, {})
            kind = schema.get("$graph", kind)
        if slot.kind == "task":
            kinds[slot.name] = kind or "sequence"
    return kinds
