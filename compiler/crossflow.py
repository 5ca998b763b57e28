"""The cross-flow pass: what the flows checked together (one `flowc check`) say about each
other, whatever the order of their files (X rules).

A task that runs another flow (its type's schema has `$calls`) must call a flow that exists,
give it the inputs it declares and read only the outputs it declares; a trigger that reacts
to other flows' executions must name flows (`$namesFlow`) that exist. A flow that is not among
the checked files may live elsewhere: that is a warning. The contract is checked only against
a called flow that is among them, once, and only when the call pins no `revision` (the file is
the latest revision).

The pass runs in two steps, so that it never needs the flow models of unchanged files (the
cache) or of files checked in other processes: `summarize` reduces each flow to the plain
facts the pass compares (`FlowFacts`: what it declares, what it calls, which outputs of its
calls it reads, which flows its triggers wait for, with the spans to report at), and
`check_facts` compares the facts of every flow of the project.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from typing import TYPE_CHECKING

from .diagnostics import Reporter, Severity, Span
from .model import Flow, Plugin, scalar_text
from .registry import did_you_mean
from .rules import crossflow as X
from .rules.base import literal_text
from .source import Mapping, Node, Scalar, Sequence

_JAVA_INT = re.compile(r"[+-]?\d+")
_JAVA_FLOAT = re.compile(r"[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?|0[xX][0-9a-fA-F.]+[pP][+-]?\d+[fFdD]?)", re.ASCII)
_WHERE = "check its namespace and id, or check the flow that defines it together with this one"

if TYPE_CHECKING:
    from .expr import ast


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class InputFacts:
    """An input a flow declares: its type (upper case), whether an execution needs it, and
    the literal values a SELECT or ENUM accepts (None: any value)."""

    ident: str
    kind: str
    required: bool
    options: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class GivenInput:
    """A key of a call's `inputs` as written, and its value: `shape` is `map`, `list` or
    `scalar` (then `value` is the scalar's typed value)."""

    key: str
    key_span: Span
    shape: str
    value: object
    span: Span


@dataclass(frozen=True, slots=True)
class CallFacts:
    """A task that runs another flow (not disabled, with an id)."""

    task_id: str
    namespace: str | None  # literal; None for an expression
    flow_id: str | None
    namespace_span: Span
    flow_id_span: Span
    pinned: bool  # a `revision` is given: it may call an older revision
    inputs_property: str | None
    given: tuple[str, ...] | None  # the inputs given, pluginDefaults included; None: not checked
    written: tuple[GivenInput, ...]  # the inputs as written in the task
    inputs_span: Span  # where a missing input is reported
    legacy_outputs: tuple[str, ...] | None  # the task's deprecated `outputs`; None: not literal


@dataclass(frozen=True, slots=True)
class ReadFacts:
    """An unguarded read of a call's child outputs: `output` is the name read, or None when
    the call does not wait for its flow (which then has no outputs at all)."""

    task_id: str
    output: str | None
    span: Span
    in_branch: bool  # in a branch that may not be taken


@dataclass(frozen=True, slots=True)
class UpstreamFacts:
    """A flow a trigger waits for, named literally."""

    namespace: str
    flow_id: str
    namespace_span: Span
    flow_id_span: Span


@dataclass(frozen=True, slots=True)
class FlowFacts:
    """What the cross-flow pass needs to know about one flow: plain data, so that it can be
    cached and sent between processes."""

    namespace: str | None
    id: str | None
    disabled: bool
    inputs: tuple[InputFacts, ...]  # the first declaration of each id
    declares_outputs: bool  # `outputs` is written (not absent, not null)
    outputs: tuple[str, ...] | None  # the declared output ids; None: not a list
    calls: tuple[CallFacts, ...]
    reads: tuple[ReadFacts, ...]
    upstream: tuple[UpstreamFacts, ...]


def summarize(flow: Flow) -> FlowFacts:
    """The facts of one checked flow."""
    calls: list[CallFacts] = []
    first: dict[str, tuple[Plugin, dict]] = {}  # the first call of each task id, as Kestra keeps it
    for task in flow.walk("task"):
        spec = task.ptype.raw.get("$calls") if task.ptype else None
        if spec and _flag(task.values.get("disabled")) is not True and task.id:
            calls.append(_call_facts(task, spec))
            first.setdefault(task.id, (task, spec))
    upstream = []
    for trigger in flow.walk("trigger"):
        if trigger.ptype is not None and trigger.ptype.raw.get("$firesOnExecutions"):
            for _, ns_node, id_node in _upstream_names(trigger):
                namespace, flow_id = _literal(ns_node), _literal(id_node)
                if namespace and flow_id:
                    upstream.append(UpstreamFacts(namespace, flow_id, ns_node.span, id_node.span))
    declared = flow.node.get("outputs")
    return FlowFacts(
        namespace=flow.namespace, id=flow.id, disabled=_flag(flow.node.value("disabled")) is True,
        inputs=_input_facts(flow),
        declares_outputs=declared is not None and not (isinstance(declared, Scalar) and declared.value is None),
        outputs=tuple(i for item in flow.list_of("outputs") if (i := scalar_text(item.get("id")))) if isinstance(declared, Sequence) else None,
        calls=tuple(calls), reads=tuple(_reads(flow, first)) if first else (), upstream=tuple(upstream))


def _input_facts(flow: Flow) -> tuple[InputFacts, ...]:
    declared: dict[str, InputFacts] = {}
    for item in flow.list_of("inputs"):
        ident = scalar_text(item.get("id")) or scalar_text(item.get("name"))
        if ident and ident not in declared:
            declared[ident] = InputFacts(ident, (scalar_text(item.get("type")) or "").upper(), _required(item), _options(item))
    return tuple(declared.values())


def _required(item: Mapping) -> bool:
    """An input the execution cannot be created without (one with `dependsOn` may be disabled)."""
    return _flag(item.value("required")) is not False and item.value("defaults") is None and "dependsOn" not in item


def _options(item: Mapping) -> tuple[str, ...] | None:
    """The values a SELECT or ENUM input surely accepts; None when it accepts any value (it
    has no literal values, allows custom ones, or is optional)."""
    values = item.get("values")
    options = [scalar_text(v) for v in values] if isinstance(values, Sequence) else []
    if (not options or None in options or any("{{" in o for o in options) or _flag(item.value("allowCustomValue"))
            or _flag(item.value("required")) is False):
        return None
    return tuple(options)


def _call_facts(task: Plugin, spec: dict) -> CallFacts:
    prop = spec.get("inputs")
    given = task.values.get(prop) if prop else None
    checked = bool(prop) and (given is None or isinstance(given, dict))
    node = task.prop(prop) if checked else None
    written = tuple(_given(key, key_node, value) for key, key_node, value in node.items()) if isinstance(node, Mapping) else ()
    legacy = task.values.get(spec.get("legacyOutputs"))
    return CallFacts(
        task_id=task.id, namespace=literal_text(task.values.get(spec["namespace"])),
        flow_id=literal_text(task.values.get(spec["flowId"])),
        namespace_span=_span(task, spec["namespace"]), flow_id_span=_span(task, spec["flowId"]),
        pinned=task.values.get(spec.get("revision")) is not None,
        inputs_property=prop if checked else None, given=tuple(given or ()) if checked else None, written=written,
        inputs_span=(task.key_span(prop) if prop else None) or _span(task, spec["flowId"]),
        legacy_outputs=() if legacy is None else tuple(legacy) if isinstance(legacy, dict) else None)


def _given(key: str, key_node: Scalar, value: Node) -> GivenInput:
    if isinstance(value, (Mapping, Sequence)):
        return GivenInput(key, key_node.span, "map" if isinstance(value, Mapping) else "list", None, value.span)
    return GivenInput(key, key_node.span, "scalar", value.value if isinstance(value, Scalar) else None, value.span)


def _reads(flow: Flow, calls: dict[str, tuple[Plugin, dict]]) -> list[ReadFacts]:
    """The reads of the child outputs of `calls` (the first call of each task id)."""
    found = []
    for template in flow.expressions:
        owner = template.owner
        prop = owner.ptype.properties.get(template.path[0], {}) if owner is not None and owner.ptype else {}
        if prop.get("$renderedIn"):
            continue  # rendered in the child's execution
        for steps, in_branch in _output_reads(template.tree):
            task, spec = calls.get(steps[0].key, (None, None)) if isinstance(steps[0].key, str) else (None, None)
            attr = spec.get("childOutputs") if spec else None
            if not attr or task is owner:
                continue
            i = 1
            while i < len(steps) and steps[i].is_index and steps[i].key != attr:
                i += 1  # iteration values of a call in a loop
            if i == len(steps) or steps[i].key != attr:
                continue
            if _flag(task.values.get(spec.get("wait"))) is False:
                found.append(ReadFacts(task.id, None, template.span(*steps[i].span), in_branch))
            elif i + 1 < len(steps) and isinstance(steps[i + 1].key, str):
                found.append(ReadFacts(task.id, steps[i + 1].key, template.span(*steps[i + 1].span), in_branch))
    return found


# --------------------------------------------------------------------------- the pass


@dataclass
class _Resolved:
    """What a call gets from the flow it calls, when that flow is among the checked ones."""

    name: str | None = None  # `namespace.flowId`
    outputs: tuple[str, ...] | None = None  # None when unknown


class _Project:
    """The checked flows, by namespace and id, with the index of their file."""

    def __init__(self, files: list[tuple[list[FlowFacts], Reporter]]) -> None:
        self.flows: dict[tuple[str, str], list[tuple[int, FlowFacts]]] = {}
        self._help: dict[tuple[str, str], tuple[str, bool]] = {}
        for index, (flows, _) in enumerate(files):
            for flow in flows:
                if flow.namespace and flow.id:
                    self.flows.setdefault((flow.namespace, flow.id), []).append((index, flow))

    def find(self, file: int, namespace: str, flow_id: str) -> tuple[bool, FlowFacts | None]:
        """Whether the flow is among the checked ones, and its definition unless several
        files define it (one in the caller's file wins)."""
        found = self.flows.get((namespace, flow_id), [])
        mine = [f for i, f in found if i == file] or [f for _, f in found]
        return bool(found), mine[0] if len(mine) == 1 else None

    def report_missing(self, reporter: Reporter, rule, what: str, namespace: str, flow_id: str,
                       namespace_span: Span, flow_id_span: Span) -> None:
        help, other = self._missing_help(namespace, flow_id)
        reporter.report(rule, f"{what} `{namespace}.{flow_id}`, which is not among the checked flows: it may live elsewhere",
                        namespace_span if other else flow_id_span, help=help)

    def _missing_help(self, namespace: str, flow_id: str) -> tuple[str, bool]:
        """The help for a missing flow, and whether it suggests another namespace; once per
        flow (comparing with every flow id of a large project takes time)."""
        if (namespace, flow_id) not in self._help:
            # a strict cutoff: flow ids of a namespace often share words (`orders` is not `retries`)
            suggestion = did_you_mean(flow_id, [i for ns, i in self.flows if ns == namespace], cutoff=0.82)
            other = None if suggestion else did_you_mean(namespace, [ns for ns, i in self.flows if i == flow_id], cutoff=0.82)
            help = f"did you mean `{namespace}.{suggestion}`?" if suggestion else f"did you mean namespace `{other}`?" if other else _WHERE
            self._help[namespace, flow_id] = help, other is not None
        return self._help[namespace, flow_id]


def check_facts(files: list[tuple[list[FlowFacts], Reporter]]) -> None:
    """Check each flow of each file against all the flows of `files` (a file's flows, and
    the reporter of that file)."""
    project = _Project(files)
    for index, (flows, reporter) in enumerate(files):
        for flow in flows:
            calls: dict[str, _Resolved] = {}
            for call in flow.calls:
                resolved = _check_call(project, index, flow, call, reporter)
                calls.setdefault(call.task_id, resolved)
            for read in flow.reads:
                _check_read(read, calls[read.task_id], reporter)
            for upstream in flow.upstream:
                if not project.find(index, upstream.namespace, upstream.flow_id)[0]:
                    project.report_missing(reporter, X.UNKNOWN_UPSTREAM_FLOW, "the trigger waits for", upstream.namespace,
                                           upstream.flow_id, upstream.namespace_span, upstream.flow_id_span)


def _check_call(project: _Project, file: int, flow: FlowFacts, call: CallFacts, reporter: Reporter) -> _Resolved:
    resolved = _Resolved()
    namespace, flow_id = call.namespace, call.flow_id
    if namespace is None or flow_id is None or (namespace, flow_id) == (flow.namespace, flow.id):
        return resolved  # an expression, or a recursive call (S216)
    exists, child = project.find(file, namespace, flow_id)
    if not exists:
        project.report_missing(reporter, X.UNKNOWN_SUBFLOW, f"`{call.task_id}` calls", namespace, flow_id,
                               call.namespace_span, call.flow_id_span)
        return resolved
    if child is None or call.pinned:
        return resolved  # defined in several files, or an older revision is called
    resolved.name = f"{namespace}.{flow_id}"
    if child.disabled:
        reporter.report(X.DISABLED_SUBFLOW, f"`{resolved.name}` is disabled: Kestra refuses to execute it", call.flow_id_span,
                        help="enable it (remove `disabled: true`), or remove this call")
    if call.given is not None:
        _check_inputs(child, call, resolved.name, reporter)
    resolved.outputs = child.outputs if child.declares_outputs else call.legacy_outputs
    return resolved


def _check_inputs(child: FlowFacts, call: CallFacts, name: str, reporter: Reporter) -> None:
    declared = {item.ident: item for item in child.inputs}
    for given in call.written:
        item = declared.get(given.key)
        if item is None:
            if not any(ident.startswith(given.key + ".") for ident in declared):
                suggestion = did_you_mean(given.key, declared)
                reporter.report(X.UNKNOWN_SUBFLOW_INPUT, f"`{name}` has no input `{given.key}`", given.key_span,
                                help=f"did you mean `{suggestion}`?" if suggestion else _known("inputs", declared))
            continue
        problem = _value_problem(item, given)
        if problem:
            message, severity, help = problem
            reporter.report(X.INVALID_SUBFLOW_INPUT, f"input `{given.key}` of `{name}` is {item.kind}: {message}", given.span,
                            help=help, severity=severity)
    for item in child.inputs:
        if item.required and item.ident not in call.given:
            reporter.report(X.MISSING_SUBFLOW_INPUT, f"`{name}` requires the input `{item.ident}`, which `{call.task_id}` does not give",
                            call.inputs_span, help=f"add `{item.ident}` to `{call.inputs_property}`, or give the input `defaults` in `{name}`")


def _value_problem(item: InputFacts, given: GivenInput) -> tuple[str, Severity | None, str | None] | None:
    """What is wrong with a literal value for an input of this type, as Kestra converts it."""
    kind = item.kind
    if given.shape != "scalar":
        wanted = {"INT": "an integer", "FLOAT": "a number", "BOOLEAN": "a boolean"}.get(kind)
        return (f"a {given.shape} is not {wanted}", None, None) if wanted else None
    value = given.value
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
        if item.options is None or value in item.options:
            return None
        suggestion = did_you_mean(value, item.options)
        return (f"`{value}` is not one of its values", None,
                f"did you mean `{suggestion}`?" if suggestion else _known("values", item.options))
    return None


def _check_read(read: ReadFacts, call: _Resolved, reporter: Reporter) -> None:
    severity, suffix = (Severity.WARNING, " (when this branch is taken)") if read.in_branch else (None, "")
    if read.output is None:
        reporter.report(X.OUTPUTS_WITHOUT_WAIT, f"`{read.task_id}` does not wait for its flow (`wait: false`): it has no outputs{suffix}",
                        read.span, help="set `wait: true` to get the child's outputs", severity=severity)
    elif call.outputs is not None and read.output not in call.outputs:
        suggestion = did_you_mean(read.output, call.outputs)
        reporter.report(X.UNKNOWN_SUBFLOW_OUTPUT, f"`{call.name}` has no output `{read.output}`{suffix}", read.span,
                        help=f"did you mean `{suggestion}`?" if suggestion else f"declare it in the `outputs` of `{call.name}`",
                        severity=severity)


# --------------------------------------------------------------------------- outputs read


def _output_reads(tree: ast.Template) -> list[tuple[list, bool]]:
    """The chains rooted at `outputs` a template reads without a guard (`??`, `default`,
    `is defined`, `is null`), each with whether it is read in a branch that may not be taken."""
    # imported here: the pass over cached facts needs no expression machinery
    from .analysis.references import chain
    from .expr import ast
    from .expr.to_python import is_chain

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
