"""What each template can see: the scope of an expression.

`scopes(flow, graph)` pairs every template of the flow (`flow.expressions`) with its `Env`:
the task that reads it (its place in the task graph decides which outputs exist), the flow's
inputs and variables, the tasks by id, the trigger variables, and the names the property
adds. A Subflow's deprecated `outputs` (rendered in the child) get no Env.

A variable's template is rendered only where a task calls `render(vars.x)` (or
`renderOnce`), in that task's context: once every other template has been checked (which
records those calls in `Env.renders`), each variable template is paired with the Env of
each task that renders it (`Env.via` says which), following render() inside variables and
stopping on cycles. What the checks report about a variable goes through `Rendering.sink`,
which reports each problem once, naming the rendering task when the problem depends on it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..diagnostics import Fix, Reporter, Rule, Severity, Span
from ..model import Flow, Plugin
from ..rules import references as R
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
    renders: list | None = None  # RenderCall of every render(vars.x) found while checking (shared)
    via: "Rendering | None" = None  # set on a variable's template: the task that renders it


@dataclass(frozen=True)
class RenderCall:
    """`render(vars.a.b)` (or a variable read inside a variable rendered recursively)."""

    path: tuple  # the keys after `vars`
    recursive: bool  # render() renders its result again until it stops changing; renderOnce() does not
    branch: bool  # the call sits in a branch that may not be taken
    env: Env  # where the call was found
    caller: str  # who renders, for messages: "task `load`"


@dataclass(frozen=True)
class Rendering:
    """How a variable's template is rendered: by whom, and where its problems go."""

    caller: str
    recursive: bool
    branch: bool
    sink: "VariableSink"
    stack: tuple  # variables being rendered, outermost first (cycles stop here)


BRANCH_NOTE = " (when this branch is taken)"  # added to a problem met only when a branch is taken

# problems that depend on where the variable is rendered, named with the rendering task
_CALLER_DEPENDENT = frozenset(r.code for r in (
    R.TASK_NOT_RUN_YET, R.TASK_MAY_NOT_HAVE_RUN, R.LOOP_VALUE_OUTSIDE_LOOP, R.LOOP_OUTPUT_WITHOUT_INDEX,
    R.LOOP_OUTPUT_NOT_VISIBLE, R.UNKNOWN_NAME))


class VariableSink:
    """Collects what the checks find in one variable's template, for every task that renders
    it, and reports each problem once: plain when every renderer has it and it does not depend
    on the renderer, else naming the renderers that have it."""

    def __init__(self) -> None:
        self.callers: list[str] = []
        self.found: dict[tuple, tuple[list[str], Fix | None]] = {}
        self.reporter: Reporter | None = None

    def capture(self, reporter: Reporter, caller: str) -> "_Capture":
        if caller not in self.callers:
            self.callers.append(caller)
        return _Capture(self, reporter, caller)

    def flush(self) -> None:
        if self.reporter is None:
            return
        found = self.found
        # a problem some renderers meet only in a branch and others always: the latter tells it
        for (rule, message, span, help, severity), (callers, _) in list(found.items()):
            if severity is Severity.WARNING and message.endswith(BRANCH_NOTE):
                certain = found.get((rule, message[: -len(BRANCH_NOTE)], span, help, None))
                if certain is not None:
                    certain[0].extend(c for c in callers if c not in certain[0])
                    del found[(rule, message, span, help, severity)]
        for (rule, message, span, help, severity), (callers, fix) in found.items():
            if rule.code in _CALLER_DEPENDENT or len(callers) < len(self.callers):
                message = f"{message} (when rendered by {_join(callers)})"
            self.reporter.report(rule, message, span, help=help, severity=severity, fix=fix)
        found.clear()


class _Capture:
    """A reporter that hands what it is told to a VariableSink."""

    def __init__(self, sink: VariableSink, reporter: Reporter, caller: str) -> None:
        self.sink, self.file, self.caller = sink, reporter.file, caller
        sink.reporter = reporter

    def report(self, rule: Rule, message: str, span: Span | None, help: str | None = None,
               severity: Severity | None = None, fix: Fix | None = None) -> None:
        callers = self.sink.found.setdefault((rule, message, span, help, severity), ([], fix))[0]
        if self.caller not in callers:
            callers.append(self.caller)


def _join(callers: list[str]) -> str:
    if all(c.startswith("task `") for c in callers) and len(callers) > 1:
        names = [c[len("task "):] for c in callers]
        return "tasks " + ", ".join(names[:-1]) + " and " + names[-1]
    return " and ".join(callers)


def caller_name(template) -> str:
    """Who renders a template, for messages: "task `load`", "trigger `daily`", "the flow's `outputs`"."""
    owner = template.owner
    if owner is None:
        return f"the flow's `{template.path[0]}`"
    plugin = owner
    while plugin is not None and plugin.id is None:
        plugin = plugin.parent
    if plugin is None:
        return f"a {owner.kind}"
    return f"{plugin.kind} `{plugin.id}`"


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
    renders: list[RenderCall] = []
    base = dict(graph=graph, tasks=tasks, implicit=implicit, inputs=input_names(flow),
                variables=_variables(flow, graph), trigger_variables=_trigger_variables(flow), renders=renders)
    for template in flow.expressions:
        owner = template.owner
        if template.path and template.path[0] == "variables":
            continue  # rendered only through render(), in the caller's context: below
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
    yield from _rendered_variables(flow, renders)


def _rendered_variables(flow: Flow, renders: list[RenderCall]):
    """Each variable template, with the Env of each task that renders it. The list of calls
    grows while the caller checks what is yielded (render() inside a variable)."""
    templates = {t.path[1:]: t for t in flow.expressions if t.path and t.path[0] == "variables"}
    if not templates:
        return
    sinks: dict[tuple, VariableSink] = {}
    done: set = set()
    i = 0
    while i < len(renders):
        call = renders[i]
        i += 1
        via = call.env.via
        origin = call.env if via is None else replace(call.env, via=None)
        stack = via.stack if via is not None else ()
        for path, template in templates.items():
            if path[: len(call.path)] != call.path or path in stack:
                continue  # not this variable, or one already being rendered (a cycle)
            key = (path, call.caller, _env_key(origin), call.recursive, call.branch)
            if key in done:
                continue
            done.add(key)
            sink = sinks.setdefault(path, VariableSink())
            rendering = Rendering(call.caller, call.recursive, call.branch, sink, stack + (path,))
            yield template, replace(origin, via=rendering, condition=False)
    for sink in sinks.values():
        sink.flush()


def _env_key(env: Env) -> tuple:
    """What of an Env changes what a variable's template can see."""
    return (id(env.reader), env.outputs_visible, frozenset(env.local), env.sees_children)


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
