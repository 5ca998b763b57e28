"""The cross-flow pass: what the flows checked together (one `flowc check`) say about each
other, whatever the order of their files (X rules).

A task that runs another flow (its type's schema has `$calls`) must call a flow that exists,
give it the inputs it declares and read only the outputs it declares; a trigger that reacts
to other flows' executions must name flows (`$namesFlow`) that exist. A flow that is not among
the checked files may live elsewhere: that is a warning. The contract is checked only against
a called flow that is among them, once, and only when the call pins no `revision` (the file is
the latest revision).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis.references import chain
from .diagnostics import Reporter, Severity, Span
from .expr import ast
from .expr.to_python import is_chain
from .model import Flow, Plugin, scalar_text
from .registry import did_you_mean
from .rules import crossflow as X
from .rules.base import literal_text
from .source import Mapping, Node, Scalar, Sequence

_JAVA_INT = re.compile(r"[+-]?\d+")
_JAVA_FLOAT = re.compile(r"[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?|0[xX][0-9a-fA-F.]+[pP][+-]?\d+[fFdD]?)", re.ASCII)
_WHERE = "check its namespace and id, or check the flow that defines it together with this one"


@dataclass
class _Call:
    task: Plugin
    spec: dict  # the type's `$calls`
    name: str | None = None  # `namespace.flowId` of a called flow among the checked ones
    outputs: set | None = None  # the outputs the call gets from it; None when unknown


class _Project:
    """The checked flows, by namespace and id."""

    def __init__(self, flows: list[Flow]) -> None:
        self.flows: dict[tuple[str, str], list[Flow]] = {}
        for flow in flows:
            if flow.namespace and flow.id:
                self.flows.setdefault((flow.namespace, flow.id), []).append(flow)

    def find(self, caller: Flow, namespace: str, flow_id: str) -> tuple[bool, Flow | None]:
        """Whether the flow is among the checked ones, and its definition unless several
        files define it (one in the caller's file wins)."""
        found = self.flows.get((namespace, flow_id), [])
        mine = [f for f in found if f.source is caller.source] or found
        return bool(found), mine[0] if len(mine) == 1 else None

    def report_missing(self, reporter: Reporter, rule, what: str, namespace: str, flow_id: str,
                       namespace_span: Span, flow_id_span: Span) -> None:
        # a strict cutoff: flow ids of a namespace often share words (`orders` is not `retries`)
        suggestion = did_you_mean(flow_id, [i for ns, i in self.flows if ns == namespace], cutoff=0.82)
        other = None if suggestion else did_you_mean(namespace, [ns for ns, i in self.flows if i == flow_id], cutoff=0.82)
        help = f"did you mean `{namespace}.{suggestion}`?" if suggestion else f"did you mean namespace `{other}`?" if other else _WHERE
        reporter.report(rule, f"{what} `{namespace}.{flow_id}`, which is not among the checked flows: it may live elsewhere",
                        namespace_span if other else flow_id_span, help=help)


def check_flows(entries: list[tuple[Flow, Reporter]]) -> None:
    """Check each flow of `entries` against all of them; each reports to its own reporter."""
    project = _Project([flow for flow, _ in entries])
    for flow, reporter in entries:
        calls: dict[str, _Call] = {}
        for task in flow.walk("task"):
            spec = task.ptype.raw.get("$calls") if task.ptype else None
            if spec and _flag(task.values.get("disabled")) is not True and task.id:
                calls.setdefault(task.id, _check_call(project, flow, task, spec, reporter))
        if calls:
            _check_reads(flow, calls, reporter)
        for trigger in flow.walk("trigger"):
            if trigger.ptype is not None and trigger.ptype.raw.get("$firesOnExecutions"):
                _check_upstream(project, flow, trigger, reporter)


# --------------------------------------------------------------------------- calls


def _check_call(project: _Project, flow: Flow, task: Plugin, spec: dict, reporter: Reporter) -> _Call:
    call = _Call(task, spec)
    namespace = literal_text(task.values.get(spec["namespace"]))
    flow_id = literal_text(task.values.get(spec["flowId"]))
    if namespace is None or flow_id is None or (namespace, flow_id) == (flow.namespace, flow.id):
        return call  # an expression, or a recursive call (S216)
    exists, child = project.find(flow, namespace, flow_id)
    if not exists:
        project.report_missing(reporter, X.UNKNOWN_SUBFLOW, f"`{task.id}` calls", namespace, flow_id,
                               _span(task, spec["namespace"]), _span(task, spec["flowId"]))
        return call
    if child is None or task.values.get(spec.get("revision")) is not None:
        return call  # defined in several files, or an older revision is called
    call.name = f"{namespace}.{flow_id}"
    if _flag(child.node.value("disabled")):
        reporter.report(X.DISABLED_SUBFLOW, f"`{call.name}` is disabled: Kestra refuses to execute it", _span(task, spec["flowId"]),
                        help="enable it (remove `disabled: true`), or remove this call")
    _check_inputs(child, call, reporter)
    call.outputs = _child_outputs(child, call)
    return call


def _check_inputs(child: Flow, call: _Call, reporter: Reporter) -> None:
    task, prop = call.task, call.spec.get("inputs")
    given = task.values.get(prop) if prop else None
    if not prop or (given is not None and not isinstance(given, dict)):
        return  # an expression
    declared = {}
    for item in child.list_of("inputs"):
        ident = scalar_text(item.get("id")) or scalar_text(item.get("name"))
        if ident:
            declared.setdefault(ident, item)
    node = task.prop(prop)
    for key, key_node, value in node.items() if isinstance(node, Mapping) else ():
        item = declared.get(key)
        if item is None:
            if not any(ident.startswith(key + ".") for ident in declared):
                suggestion = did_you_mean(key, declared)
                reporter.report(X.UNKNOWN_SUBFLOW_INPUT, f"`{call.name}` has no input `{key}`", key_node.span,
                                help=f"did you mean `{suggestion}`?" if suggestion else _known("inputs", declared))
            continue
        kind = (scalar_text(item.get("type")) or "").upper()
        problem = _value_problem(kind, item, value)
        if problem:
            message, severity, help = problem
            reporter.report(X.INVALID_SUBFLOW_INPUT, f"input `{key}` of `{call.name}` is {kind}: {message}", value.span,
                            help=help, severity=severity)
    for ident, item in declared.items():
        if ident not in (given or {}) and _required(item):
            reporter.report(X.MISSING_SUBFLOW_INPUT, f"`{call.name}` requires the input `{ident}`, which `{task.id}` does not give",
                            task.key_span(prop) or _span(task, call.spec["flowId"]),
                            help=f"add `{ident}` to `{prop}`, or give the input `defaults` in `{call.name}`")


def _required(item: Mapping) -> bool:
    """An input the execution cannot be created without (one with `dependsOn` may be disabled)."""
    return _flag(item.value("required")) is not False and item.value("defaults") is None and "dependsOn" not in item


def _value_problem(kind: str, item: Mapping, node: Node) -> tuple[str, Severity | None, str | None] | None:
    """What is wrong with a literal value for an input of this type, as Kestra converts it."""
    if isinstance(node, (Mapping, Sequence)):
        shape = "a map" if isinstance(node, Mapping) else "a list"
        wanted = {"INT": "an integer", "FLOAT": "a number", "BOOLEAN": "a boolean"}.get(kind)
        return (f"{shape} is not {wanted}", None, None) if wanted else None
    value = node.value if isinstance(node, Scalar) else None
    if value is None or (isinstance(value, str) and ("{{" in value or "{%" in value)):
        return None
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if kind == "INT":
        if isinstance(value, (bool, float)) or not (isinstance(value, int) or _JAVA_INT.fullmatch(value)):
            return f"`{text}` is not an integer", None, None
        return None if -2**31 <= int(value) < 2**31 else (f"`{text}` is out of range (32 bits)", None, None)
    if kind == "FLOAT":
        ok = not isinstance(value, bool) and (isinstance(value, (int, float)) or _JAVA_FLOAT.fullmatch(value.strip()))
        return None if ok else (f"`{text}` is not a number", None, None)
    if kind == "BOOLEAN":
        if isinstance(value, bool) or text in ("true", "false"):
            return None
        if isinstance(value, str):
            return f"`{text}` is read as `false`", Severity.WARNING, "write `true` or `false`"
        return f"`{text}` is not a boolean", None, "write `true` or `false`"
    if kind in ("SELECT", "ENUM") and isinstance(value, str):
        values = item.get("values")
        options = [scalar_text(v) for v in values] if isinstance(values, Sequence) else []
        if (not options or None in options or any("{{" in o for o in options) or _flag(item.value("allowCustomValue"))
                or _flag(item.value("required")) is False or value in options):
            return None
        suggestion = did_you_mean(value, options)
        return (f"`{value}` is not one of its values", None,
                f"did you mean `{suggestion}`?" if suggestion else _known("values", options))
    return None


def _child_outputs(child: Flow, call: _Call) -> set | None:
    """The outputs a call gets: the child's flow outputs, or (when it declares none) the
    task's deprecated `outputs`; None when they cannot be known."""
    declared = child.node.get("outputs")
    if isinstance(declared, Sequence):
        return {ident for item in child.list_of("outputs") if (ident := scalar_text(item.get("id")))}
    if declared is not None and not (isinstance(declared, Scalar) and declared.value is None):
        return None
    legacy = call.task.values.get(call.spec.get("legacyOutputs"))
    if legacy is None:
        return set()
    return set(legacy) if isinstance(legacy, dict) else None


# --------------------------------------------------------------------------- outputs read


def _check_reads(flow: Flow, calls: dict[str, _Call], reporter: Reporter) -> None:
    for template in flow.expressions:
        owner = template.owner
        prop = owner.ptype.properties.get(template.path[0], {}) if owner is not None and owner.ptype else {}
        if prop.get("$renderedIn"):
            continue  # rendered in the child's execution
        for steps, in_branch in _output_reads(template.tree):
            call = calls.get(steps[0].key) if isinstance(steps[0].key, str) else None
            attr = call.spec.get("childOutputs") if call else None
            if not attr or call.task is owner:
                continue
            i = 1
            while i < len(steps) and steps[i].is_index and steps[i].key != attr:
                i += 1  # iteration values of a call in a loop
            if i == len(steps) or steps[i].key != attr:
                continue
            severity, suffix = (Severity.WARNING, " (when this branch is taken)") if in_branch else (None, "")
            if _flag(call.task.values.get(call.spec.get("wait"))) is False:
                reporter.report(X.OUTPUTS_WITHOUT_WAIT, f"`{call.task.id}` does not wait for its flow (`wait: false`): it has no outputs{suffix}",
                                template.span(*steps[i].span), help="set `wait: true` to get the child's outputs", severity=severity)
            elif call.outputs is not None and i + 1 < len(steps) and isinstance(steps[i + 1].key, str) and steps[i + 1].key not in call.outputs:
                name = steps[i + 1].key
                suggestion = did_you_mean(name, call.outputs)
                reporter.report(X.UNKNOWN_SUBFLOW_OUTPUT, f"`{call.name}` has no output `{name}`{suffix}", template.span(*steps[i + 1].span),
                                help=f"did you mean `{suggestion}`?" if suggestion else f"declare it in the `outputs` of `{call.name}`",
                                severity=severity)


def _output_reads(tree: ast.Template) -> list[tuple[list, bool]]:
    """The chains rooted at `outputs` a template reads without a guard (`??`, `default`,
    `is defined`, `is null`), each with whether it is read in a branch that may not be taken."""
    tested = set()
    for node in tree.walk():
        if isinstance(node, ast.Test) and node.name in ("defined", "null") and (found := chain(node.value)):
            tested.add((found[0].name, *(s.key for s in found[1])))
    reads: list[tuple[list, bool]] = []

    def visit(node, guarded: bool, in_branch: bool) -> None:
        found = chain(node) if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) else None
        if found is not None:
            root, steps = found
            key = (root.name, *(s.key for s in steps))
            if root.name == "outputs" and steps and not guarded and not any(key[:n] in tested for n in range(2, len(key) + 1)):
                reads.append((steps, in_branch))
            for step in steps:
                if step.is_index:
                    visit(step.node.index, False, in_branch)
        elif isinstance(node, ast.Binary) and node.op in ("??", "???"):
            visit(node.left, is_chain(node.left), in_branch)
            visit(node.right, False, in_branch)
        elif isinstance(node, (ast.Filter, ast.Test)):
            guard = node.name == "default" if isinstance(node, ast.Filter) else node.name == "defined"
            visit(node.value, (guarded or guard) and is_chain(node.value), in_branch)
            for arg in [*node.args, *(v for _, v in getattr(node, "kwargs", ()))]:
                visit(arg, False, in_branch)
        elif isinstance(node, ast.Ternary):
            visit(node.condition, False, in_branch)
            visit(node.then, False, True)
            visit(node.otherwise, False, True)
        elif isinstance(node, ast.If):
            for n, (condition, body) in enumerate(node.branches):
                visit(condition, False, in_branch or n > 0)
                for child in body:
                    visit(child, False, True)
            for child in node.otherwise or ():
                visit(child, False, True)
        else:
            for child in ast.children(node):
                visit(child, False, in_branch)

    for node in tree.body:
        visit(node, False, False)
    return reads


# --------------------------------------------------------------------------- triggers


def _check_upstream(project: _Project, flow: Flow, trigger: Plugin, reporter: Reporter) -> None:
    for _, ns_node, id_node in _upstream_names(trigger):
        namespace, flow_id = _literal(ns_node), _literal(id_node)
        if namespace and flow_id and not project.find(flow, namespace, flow_id)[0]:
            project.report_missing(reporter, X.UNKNOWN_UPSTREAM_FLOW, "the trigger waits for", namespace, flow_id,
                                   ns_node.span, id_node.span)


def _upstream_names(trigger: Plugin):
    """(entry, namespace node, flowId node) of each flow a trigger's conditions or preconditions
    name, the entry being the mapping that names it."""
    for plugin in trigger.walk():
        if plugin.ptype is None or not isinstance(plugin.node, Mapping):
            continue
        marked = [(plugin.node, plugin.ptype.raw["$namesFlow"])] if "$namesFlow" in plugin.ptype.raw else []
        for name, _, value in plugin.node.items():
            marked.extend(_marked(value, plugin.ptype.properties.get(name)))
        for node, spec in marked:
            yield node, node.get(spec["namespace"]), node.get(spec["flowId"])


@dataclass(frozen=True)
class Link:
    """One flow's dependency on another: `calls` (a Subflow or ForEachItem task) or
    `waits-for` (a Flow trigger's condition). Names are literal, or None when an expression;
    `states` are the upstream states a trigger waits for, when it says so literally."""

    kind: str
    via: str  # the task or trigger id
    namespace: str | None
    flow_id: str | None
    states: tuple[str, ...] = ()


def links(flow: Flow) -> list[Link]:
    """Every flow `flow` depends on, in YAML order."""
    found = []
    for task in flow.walk("task"):
        spec = task.ptype.raw.get("$calls") if task.ptype else None
        if spec:
            found.append(Link("calls", task.id or "", _literal(task.prop(spec["namespace"])), _literal(task.prop(spec["flowId"]))))
    for trigger in flow.walk("trigger"):
        if trigger.ptype is not None and trigger.ptype.raw.get("$firesOnExecutions"):
            everywhere = _states(trigger)
            for entry, ns_node, id_node in _upstream_names(trigger):
                states = _literal_list(entry.get("states")) or everywhere
                found.append(Link("waits-for", trigger.id or "", _literal(ns_node), _literal(id_node), states))
    return found


def _states(trigger: Plugin) -> tuple[str, ...]:
    """The states a trigger accepts for all its upstream flows: its own `states`, or those of
    an ExecutionStatus condition's `in`."""
    if states := _literal_list(trigger.prop("states")):
        return states
    for plugin in trigger.walk():
        if plugin.ptype is not None and plugin.ptype.name.endswith("condition.ExecutionStatus"):
            if states := _literal_list(plugin.prop("in")):
                return states
    return ()


def _literal_list(node: Node | None) -> tuple[str, ...]:
    if not isinstance(node, Sequence):
        return ()
    items = tuple(_literal(item) for item in node)
    return items if all(items) else ()


def _marked(node: Node | None, schema) -> list[tuple[Mapping, dict]]:
    """The mappings under `node` whose schema has `$namesFlow`, with the marker."""
    found = []
    if not isinstance(schema, dict):
        return found
    if isinstance(node, Mapping):
        if "$namesFlow" in schema:
            found.append((node, schema["$namesFlow"]))
        for name, _, value in node.items():
            found.extend(_marked(value, schema.get("properties", {}).get(name)))
    elif isinstance(node, Sequence):
        for item in node:
            found.extend(_marked(item, schema.get("items")))
    return found


# --------------------------------------------------------------------------- helpers


def _flag(value) -> bool | None:
    """A boolean as Kestra reads it (`true`, or the string "true"); None for anything else."""
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(value.lower()) if isinstance(value, str) else None


def _literal(node: Node | None) -> str | None:
    return literal_text(node.value) if isinstance(node, Scalar) else None


def _span(task: Plugin, prop: str) -> Span:
    node = task.prop(prop)
    return node.span if node is not None else task.span


def _known(what: str, names) -> str:
    return f"its {what}: {', '.join(sorted(names))}" if names else f"it declares no {what}"
