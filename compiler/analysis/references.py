"""Check the names every expression uses against what exists where it is rendered.

One walk per template: each variable chain (`outputs.t.value`, `inputs['a'].b`) is resolved
from its root; filters, functions and tests are looked up in the runtime's registry (the same
declarations the renderer binds arguments with). An access guarded by `??`, `???`,
`default` or `is defined` is not an error when it may be missing.

`render(vars.x)` calls are recorded in `env.renders`, so that the analysis checks the
variable's own template where it is rendered (compiler.analysis.scope).
"""
from __future__ import annotations

from dataclasses import dataclass

from runtime.pebble.signatures import FILTERS, FUNCTIONS, REQUIRED, TESTS, accepts

from ..diagnostics import Fix, Reporter, Severity
from ..expr import ast
from ..expr.to_python import is_chain
from ..model import Plugin
from ..registry import did_you_mean
from ..rules import deprecations as D
from ..rules import references as R
from ..rules import types as T
from .scope import BRANCH_NOTE, Env, RenderCall, caller_name
from .types import from_schema

ROOTS = ("inputs", "outputs", "vars", "flow", "execution", "task", "taskrun", "trigger", "labels", "envs",
         "globals", "parents", "parent", "tasks", "schedule", "kestra", "namespace", "locale", "template", "_context",
         "workerTaskrun", "error")  # `error`: the failure, in errors branches (newer Kestra)
IMPLICIT_FUNCTIONS = ("block", "parent")
# wrong wherever they are: they fail the parse of the whole template, or are plain typos of a name
_ALWAYS_ERRORS = (R.UNKNOWN_FILTER, R.UNKNOWN_FUNCTION, R.UNKNOWN_TEST, R.WRONG_ARGUMENTS, R.HYPHEN_SUBTRACTION,
                  T.WRONG_ARGUMENT_TYPE)


@dataclass
class Step:
    key: object  # attribute name, literal subscript, or None when the subscript is computed
    node: ast.Node
    is_index: bool

    @property
    def span(self):
        if isinstance(self.node, ast.Attribute):
            return self.node.name_span
        return self.node.span


def check_template(template, env: Env, reporter: Reporter) -> None:
    if env.via is not None:  # a variable's template, rendered by a task: report each problem once
        reporter = env.via.sink.capture(reporter, env.via.caller)
    walker = _Walker(template, env, reporter)
    for node in template.tree.body:
        walker.stmt(node, frozenset())
    _json_interpolation(template, reporter)


def _json_interpolation(template, reporter: Reporter) -> None:
    """`'{"text": "{{ x }}"}'`: an expression printed inside a string of a JSON text."""
    text = template.node.value.strip()
    if not (text.startswith(("{", "[")) and text.endswith(("}", "]"))):
        return
    body = template.tree.body
    for before, node in zip(body, body[1:]):
        if isinstance(before, ast.Text) and isinstance(node, ast.Print) and before.value.endswith('"'):
            reporter.report(R.JSON_INTERPOLATION, "an expression printed inside a JSON string: a quote or newline in its value breaks the JSON",
                            template.span(*node.span), help="build the whole value with `| toJson`, e.g. `{{ {'text': inputs.message} | toJson }}`")
            return


class _Walker:
    def __init__(self, template, env: Env, reporter: Reporter) -> None:
        self.t = template
        self.env = env
        self.reporter = reporter
        self.macros = {n.name for n in template.tree.walk() if isinstance(n, ast.Macro)}
        names = set()
        for n in template.tree.walk():
            if isinstance(n, ast.Set):
                names.add(n.name)
            elif isinstance(n, ast.For):
                names.update((n.var, "loop"))
            elif isinstance(n, ast.Macro):
                names.update(p for p, _ in n.params)
        self.local = names | env.local
        self.branch = 0  # > 0 inside a ternary branch or an `{% if %}` body
        self.in_render = 0  # > 0 inside the arguments of render() / renderOnce()
        self.recursive: list[bool] = []  # per enclosing render call: whether it renders recursively
        via = env.via
        if via is not None:
            self.branch += via.branch  # the render() call itself may not be reached
            if via.recursive:
                # rendered again until it stops changing: a variable printed here is rendered too
                self.recursive.append(True)
                self.in_render += 1
        self.caller = via.caller if via is not None else caller_name(template)

    def report(self, rule, message: str, span, help: str | None = None, fix: str | None = None) -> None:
        severity = None
        if self.branch and rule.severity is Severity.ERROR and rule not in _ALWAYS_ERRORS:
            # in a branch that may not be taken, a failing access fails only sometimes
            severity = Severity.WARNING
            message += BRANCH_NOTE
        where = self.t.span(*span)
        self.reporter.report(rule, message, where, help=help, severity=severity,
                             fix=Fix(where, fix) if fix is not None and self.t.positions is not None else None)

    # -- statements

    def stmt(self, node, guards: frozenset) -> None:
        if isinstance(node, ast.Print):
            self.expr(node.expr, False, guards)
        elif isinstance(node, ast.If):
            for n, (condition, body) in enumerate(node.branches):
                self.branch += n > 0
                self.expr(condition, False, guards)
                self.branch -= n > 0
                inner = guards | _defined_chains(condition)
                self.branch += 1
                for child in body:
                    self.stmt(child, inner)
                self.branch -= 1
            self.branch += 1
            for child in node.otherwise or ():
                self.stmt(child, guards)
            self.branch -= 1
        elif isinstance(node, ast.For):
            self.expr(node.iterable, False, guards)
            for child in [*node.body, *(node.otherwise or ())]:
                self.stmt(child, guards)
        elif isinstance(node, ast.Set):
            self.expr(node.expr, False, guards)
        elif isinstance(node, (ast.Macro, ast.Block)):
            for child in node.body:
                self.stmt(child, guards)
        elif isinstance(node, ast.FilterBlock):
            for name, args, kwargs in node.filters:
                self.filter_call(name, args, kwargs, node.span, guards, fixable=False)
            for child in node.body:
                self.stmt(child, guards)

    # -- expressions

    def expr(self, node, guarded: bool, guards: frozenset) -> None:
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
            found = chain(node)
            if found is not None:
                root, steps = found
                tested = any(_key(root, steps[:i]) in guards for i in range(1, len(steps) + 1))
                self.chain(root, steps, guarded or tested)
                for step in steps:
                    if isinstance(step.node, ast.Subscript):
                        self.expr(step.node.index, False, guards)
                return
        if isinstance(node, ast.Attribute):
            self.expr(node.obj, guarded, guards)
        elif isinstance(node, ast.Subscript):
            self.expr(node.obj, guarded, guards)
            self.expr(node.index, False, guards)
        elif isinstance(node, ast.MethodCall):
            self.expr(node.obj, guarded, guards)
            for a in node.args:
                self.expr(a, False, guards)
        elif isinstance(node, ast.Call):
            self.function_call(node, guards)
        elif isinstance(node, ast.ListLit):
            for item in node.items:
                self.expr(item, False, guards)
        elif isinstance(node, ast.MapLit):
            for k, v in node.entries:
                self.expr(k, False, guards)
                self.expr(v, False, guards)
        elif isinstance(node, ast.Interpolated):
            for part in node.parts:
                if not isinstance(part, str):
                    self.expr(part, False, guards)
        elif isinstance(node, ast.Unary):
            self.expr(node.operand, False, guards)
        elif isinstance(node, ast.Binary):
            if node.op == "-" and self.hyphen(node):
                return
            if node.op in ("??", "???") and isinstance(node.left, ast.Call) and node.left.name == "secret":
                self.report(R.SECRET_MISUSE, "`secret()` fails when the secret is missing: the fallback after `??` is never used",
                            node.span, help="make sure the secret exists, or read an optional value with `kv(..., errorOnMissing=false)`")
            left_guarded = node.op in ("??", "???") and is_chain(node.left)
            self.expr(node.left, left_guarded, guards)
            self.expr(node.right, guarded if node.op in ("??", "???") else False, guards)
        elif isinstance(node, ast.Filter):
            value_guarded = (guarded or node.name == "default") and is_chain(node.value)
            self.expr(node.value, value_guarded, guards)
            self.filter_call(node.name, node.args, node.kwargs, node.name_span, guards)
            self.filtered_value(node)
        elif isinstance(node, ast.Test):
            self.expr(node.value, node.name == "defined" and is_chain(node.value), guards)
            if node.name not in TESTS:
                suggestion = did_you_mean(node.name, TESTS)
                self.report(R.UNKNOWN_TEST, f"unknown test `{node.name}`", node.name_span,
                            help=f"did you mean `{suggestion}`?" if suggestion else f"tests: {', '.join(sorted(TESTS))}")
        elif isinstance(node, ast.Ternary):
            self.expr(node.condition, False, guards)
            inner = guards | _defined_chains(node.condition)
            self.branch += 1
            self.expr(node.then, guarded, inner)
            self.expr(node.otherwise, guarded, guards)
            self.branch -= 1

    # -- filters and functions

    def filter_call(self, name, args, kwargs, span, guards, fixable: bool = True) -> None:
        for a in args:
            self.expr(a, False, guards)
        for _, v in kwargs:
            self.expr(v, False, guards)
        sig = FILTERS.get(name)
        if sig is None:
            suggestion = did_you_mean(name, FILTERS)
            self.report(R.UNKNOWN_FILTER, f"unknown filter `{name}`", span,
                        help=f"did you mean `{suggestion}`?" if suggestion else "see Kestra's expression docs for the filters")
            return
        if name == "json":
            self.deprecated_json("the `json` filter", span, "use `| toJson`", "toJson" if fixable else None)
        self.arguments(sig, args, kwargs, span)

    def function_call(self, node: ast.Call, guards) -> None:
        renders = node.name in ("render", "renderOnce")
        self.in_render += renders
        if renders:
            self.recursive.append(node.name == "render" and _recursive(node))
        for a in node.args:
            self.expr(a, False, guards)
        for _, v in node.kwargs:
            self.expr(v, False, guards)
        self.in_render -= renders
        if renders:
            self.recursive.pop()
        name = node.name
        if name == "secret" and node.args and isinstance(node.args[0], ast.Literal) and str(node.args[0].value).startswith("SECRET_"):
            bare = str(node.args[0].value)[len("SECRET_"):]
            self.report(R.SECRET_MISUSE, "`SECRET_` is the prefix of the environment variable, not part of the secret's name",
                        node.args[0].span, help=f"write `secret('{bare}')`")
        if name in self.macros or name in IMPLICIT_FUNCTIONS:
            return
        sig = FUNCTIONS.get(name)
        span = (node.span[0], node.span[0] + len(name))
        if sig is None:
            suggestion = did_you_mean(name, [*FUNCTIONS, *self.macros])
            self.report(R.UNKNOWN_FUNCTION, f"unknown function `{name}`", span,
                        help=f"did you mean `{suggestion}`?" if suggestion else "see Kestra's expression docs for the functions")
            return
        if name == "json":
            self.deprecated_json("the `json()` function", span, "use `fromJson(...)`", "fromJson")
        self.arguments(sig, node.args, node.kwargs, span)

    def deprecated_json(self, what: str, span, help: str, fix: str | None) -> None:
        if self.env.flow.settings.removed(D.JSON_REMOVED_IN):
            where = self.t.span(*span)
            self.reporter.report(D.JSON_FUNCTION, f"{what} no longer exists in Kestra {D.JSON_REMOVED_IN}", where,
                                 help=help, severity=Severity.ERROR,
                                 fix=Fix(where, fix) if fix is not None and self.t.positions is not None else None)
        else:
            self.report(D.JSON_FUNCTION, f"{what} is deprecated (removed in Kestra {D.JSON_REMOVED_IN})", span, help=help, fix=fix)

    def arguments(self, sig, args, kwargs, span) -> None:
        if sig.params is None:
            return
        names = [p.name for p in sig.params]
        what = f"{sig.kind} `{sig.name}`"
        if len(args) > len(names):
            self.report(R.WRONG_ARGUMENTS, f"{what} takes at most {len(names)} argument{'s' if len(names) != 1 else ''}, got {len(args)}",
                        args[len(names)].span, help=f"parameters: {', '.join(names) or 'none'}")
        given = set(names[: len(args)])
        for key, value in kwargs:
            if key not in names:
                suggestion = did_you_mean(key, names)
                self.report(R.WRONG_ARGUMENTS, f"{what} has no parameter `{key}`", value.span,
                            help=f"did you mean `{suggestion}`?" if suggestion else f"parameters: {', '.join(names) or 'none'}")
            given.add(key)
        if sig.kind == "function":
            missing = [p.name for p in sig.params if p.default is REQUIRED and p.name not in given]
            if missing:
                self.report(R.WRONG_ARGUMENTS, f"{what} needs the argument `{missing[0]}`", span)
        # a literal of a kind the parameter's declaration leaves out fails in every Kestra
        # version (runtime.pebble.signatures); the first one is reported, the others often follow from it
        declared = {p.name: p.type for p in sig.params}
        given = [*zip(names, args), *kwargs]
        for index, (name, value) in enumerate(given):
            kind = literal_kind(value)
            expected = declared.get(name, "any")
            if kind is None or accepts(expected, kind):
                continue
            after = given[index + 1][1] if index + 1 < len(given) else None
            self.report(T.WRONG_ARGUMENT_TYPE, f"argument `{name}` of {what} must be {_kinds(expected)}, got {_a(kind)}",
                        value.span, help=self.argument_help(sig, value, kind, expected, after))
            return

    def argument_help(self, sig, value, kind: str, expected: str, after) -> str | None:
        text = self.t.node.value
        if kind == "string" and isinstance(value, ast.Literal):
            if accepts(expected, "number"):
                return "write the number without quotes"
            if accepts(expected, "boolean") and str(value.value).lower() in ("true", "false"):
                return f"write `{str(value.value).lower()}` without quotes"
            if accepts(expected, "map") and isinstance(after, ast.Literal) and after.kind == "string":
                # replace('a', 'b'): the pairs are a map
                pair = f"{text[value.span[0]:value.span[1]]}: {text[after.span[0]:after.span[1]]}"
                return f"write `{sig.name}({{{pair}}})`"
        return None

    def filtered_value(self, node: ast.Filter) -> None:
        """`{{ 'abc' | keys }}`: a literal the filter cannot be applied to."""
        sig = FILTERS.get(node.name)
        kind = literal_kind(node.value)
        if sig is None or kind is None or accepts(sig.input, kind):
            return
        already = sig.returns == kind  # `{{ 12 | number }}`
        self.report(T.WRONG_ARGUMENT_TYPE, f"filter `{node.name}` cannot be applied to {_a(kind)}: it takes {_kinds(sig.input)}",
                    node.value.span, help=f"the value is already {_a(kind)}: drop `| {node.name}`" if already else None)

    # -- hyphenated ids

    def hyphen(self, node: ast.Binary) -> bool:
        """`outputs.my-task.x` read as `outputs.my - task.x`: report when the joined name is an id."""
        parts = []
        right = node
        while isinstance(right, ast.Binary) and right.op == "-":
            parts.append(right.right)
            right = right.left
        left_chain = chain(right)
        if left_chain is None or not left_chain[1] or left_chain[0].name not in ("outputs", "inputs", "vars"):
            return False
        root, steps = left_chain
        if len(steps) != 1 or steps[0].is_index:
            return False
        pieces = [str(steps[0].key)]
        tail = None
        for piece in reversed(parts):
            while isinstance(piece, ast.Filter):  # `|` binds tighter than `-`: a.my - task.x | f
                piece = piece.value
            piece_chain = chain(piece)
            if piece_chain is None:
                return False
            pieces.append(piece_chain[0].name)
            tail = piece_chain[1]
        joined = "-".join(pieces)
        known = {"outputs": self.env.tasks, "inputs": self.env.inputs, "vars": self.env.variables or {}}[root.name]
        if joined not in known:
            return False
        tail_text = self.t.node.value[_tail_start(tail) : node.span[1]] if tail else ""
        fixed = f"{root.name}['{joined}']{tail_text}"
        self.report(R.HYPHEN_SUBTRACTION, f"`{root.name}.{joined}` is read as a subtraction: `-` cannot appear in a dotted name",
                    node.span, help=f"write `{fixed}`", fix=fixed)
        return True

    # -- variable chains

    def chain(self, root: ast.Name, steps: list[Step], guarded: bool) -> None:
        name = root.name
        env = self.env
        if name in self.local or name in self.macros:
            return
        if name not in ROOTS:
            if not guarded:
                suggestion = did_you_mean(name, [*ROOTS, *self.local])
                self.report(R.UNKNOWN_NAME, f"`{name}` is not a variable here", root.span,
                            help=f"did you mean `{suggestion}`?" if suggestion else None)
            return
        first = steps[0] if steps else None
        key = first.key if first is not None else None
        if name == "inputs" and isinstance(key, str) and not guarded:
            if key not in env.inputs:
                suggestion = did_you_mean(key, env.inputs)
                self.report(R.UNKNOWN_INPUT, f"the flow has no input `{key}`", first.span,
                            help=f"did you mean `{suggestion}`?" if suggestion else _known("inputs", env.inputs))
        elif name == "vars" and isinstance(key, str):
            if self.in_render and env.renders is not None:
                self.rendered_variable(steps)
            if not guarded and env.variables is not None:
                self.variable(key, steps, env.variables, "vars")
        elif name == "outputs" and isinstance(key, str) and env.outputs_visible:
            self.output(key, steps, guarded)
        elif name == "taskrun" and key == "value" and not guarded and env.reader is not None:
            # Inside a loop, Kestra 0.21 sets the value for direct children only; newer versions
            # pass it further down: report only a task that no loop encloses.
            if not env.graph.in_loop(env.reader):
                self.report(R.LOOP_VALUE_OUTSIDE_LOOP, "`taskrun.value` is not set here: the task is not in a loop", first.span)
        elif name in ("parents", "parent") and not guarded and env.reader is not None:
            if not env.graph.in_loop(env.reader) and not env.graph.ancestors(env.reader):
                self.report(R.LOOP_VALUE_OUTSIDE_LOOP, f"`{name}` is not set here: the task is not inside a flowable task", root.span)
        elif name == "trigger" and not guarded:
            if env.trigger_variables is None:
                self.report(R.TRIGGER_VARIABLE, "the flow has no trigger: `trigger` exists only in executions a trigger or a parent flow created",
                            root.span, help="add a fallback, e.g. `trigger.date ?? execution.startDate`")
            elif isinstance(key, str) and env.trigger_variables.closed and key not in env.trigger_variables.names:
                self.report(R.TRIGGER_VARIABLE, f"none of the flow's triggers provides `trigger.{key}`", first.span,
                            help=_known("trigger variables", env.trigger_variables.names))

    def variable(self, key: str, steps: list[Step], values, path: str) -> None:
        if not isinstance(values, dict):
            return
        value = values.get(key)
        if isinstance(value, str) and "{{" in value and not self.in_render and len(steps) == 1:
            self.report(R.NEEDS_RENDER, f"`{path}.{key}` holds an expression, which is printed as text without `render()`",
                        steps[0].span, help=f"write `render({path}.{key})`")
        if key not in values:
            suggestion = did_you_mean(key, values)
            self.report(R.UNKNOWN_VARIABLE, f"`{path}` has no key `{key}`", steps[0].span,
                        help=f"did you mean `{suggestion}`?" if suggestion else _known("keys", values))
            return
        rest = steps[1:]
        if rest and isinstance(rest[0].key, str) and isinstance(values[key], dict):
            self.variable(rest[0].key, rest, values[key], f"{path}.{key}")

    def rendered_variable(self, steps: list[Step]) -> None:
        """Record `render(vars.a.b)`: the variable's template is checked where it is rendered."""
        path = []
        for step in steps:
            if not isinstance(step.key, (str, int)) or isinstance(step.key, bool):
                break  # a computed key: which variable is rendered is not known here
            path.append(step.key)
        if len(path) == len(steps):
            self.env.renders.append(RenderCall(tuple(path), self.recursive[-1], self.branch > 0, self.env, self.caller))

    def output(self, task_id: str, steps: list[Step], guarded: bool) -> None:
        env = self.env
        first = steps[0]
        target = env.tasks.get(task_id)
        if target is None:
            if not guarded:
                suggestion = did_you_mean(task_id, env.tasks)
                self.report(R.UNKNOWN_TASK, f"the flow has no task `{task_id}`", first.span,
                            help=f"did you mean `{suggestion}`?" if suggestion else None)
            return
        relation = env.graph.relation(env.reader, target)
        if relation in ("descendant", "self") and env.sees_children:
            # rendered after each iteration: the task's children ran, its own outputs exist,
            # and (Loop `outputs`) the children's outputs are those of the current iteration
            if relation == "descendant":
                return
            relation = "before"
        if relation in ("self", "descendant", "never"):
            why = {"self": "a task cannot read its own outputs",
                   "descendant": f"`{task_id}` runs inside this task, after this property is rendered",
                   "never": f"`{task_id}` cannot have run before this task starts"}[relation]
            self.report(R.TASK_NOT_RUN_YET, why, first.span,
                        help="move the reading task after it, or depend on it (Dag `dependsOn`)")
            return
        scope = env.graph.scoping_ancestor(target)
        if scope is not None and env.reader is not None and scope is not env.reader and scope not in env.graph.ancestors(env.reader):
            self.report(R.LOOP_OUTPUT_NOT_VISIBLE, f"`{task_id}` runs inside Loop `{scope.id}`: its outputs are not visible after it",
                        first.span, help=f"declare it in `{scope.id}`'s `outputs` and read `outputs.{scope.id}.outputs...`")
            return
        if relation == "may" and not guarded:
            self.report(R.TASK_MAY_NOT_HAVE_RUN, f"`{task_id}` may not have run (a branch, `runIf`, `allowFailure` or an error path)",
                        first.span, help=f"add a fallback: `outputs.{task_id}... ?? 'default'`, or test it with `is defined`")
        rest = steps[1:]
        depth = env.graph.loop_depth(target)
        indexes = 0
        while indexes < len(rest) and rest[indexes].is_index and indexes < depth:
            indexes += 1
        if depth and indexes < depth and indexes < len(rest) and self.is_output_name(target, rest[indexes].key):
            self.report(R.LOOP_OUTPUT_WITHOUT_INDEX,
                        f"`{task_id}` runs in a loop: its outputs are keyed by the iteration value" + (" first" if depth == 1 else f" ({depth} levels)"),
                        rest[indexes].span, help=f"write `outputs.{task_id}[taskrun.value].{rest[indexes].key}`" if depth == 1 and not rest[indexes].is_index else None)
            return
        if depth and indexes < depth:
            return  # iteration values written as attributes (`outputs.t.s1.value`)
        attrs = rest[indexes:]
        if not attrs or not isinstance(attrs[0].key, str) or target.ptype is None:
            return
        self.output_attribute(target, attrs, env.implicit.get(task_id))

    def is_output_name(self, target: Plugin, key) -> bool:
        if not isinstance(key, str) or target.ptype is None:
            return False
        outputs = from_schema(target.ptype.outputs)
        return key in outputs.names

    def output_attribute(self, target: Plugin, attrs: list[Step], schema: dict | None = None) -> None:
        outputs = from_schema(schema if schema is not None else target.ptype.outputs)
        name = attrs[0].key
        if outputs.kind != "map" or not outputs.closed:
            return
        if name not in outputs.names:
            suggestion = did_you_mean(name, outputs.names)
            where = target.ptype.short_name
            self.report(R.UNKNOWN_OUTPUT, f"{where} task `{target.id}` has no output `{name}`", attrs[0].span,
                        help=f"did you mean `{suggestion}`?" if suggestion else _known("outputs", outputs.names))
            return
        values = target.ptype.raw.get("$outputsFrom", {}).get(name) if schema is None else None
        if values and len(attrs) > 1 and isinstance(attrs[1].key, str):
            declared = target.values.get(values)
            if isinstance(declared, dict) and attrs[1].key not in declared:
                suggestion = did_you_mean(attrs[1].key, declared)
                self.report(R.UNKNOWN_OUTPUT, f"`{target.id}` sets no `{name}.{attrs[1].key}`", attrs[1].span,
                            help=f"did you mean `{suggestion}`?" if suggestion else _known("keys", declared))


def literal_kind(node) -> str | None:
    """The kind (runtime.pebble.signatures.LITERAL_KINDS) of a literal written in the
    template; None for anything else, `null` included."""
    if isinstance(node, ast.Unary) and node.op in ("-", "+"):
        return "number" if isinstance(node.operand, ast.Literal) and node.operand.kind in ("long", "double") else None
    if isinstance(node, ast.Literal):
        return {"long": "number", "double": "number", "string": "string", "boolean": "boolean"}.get(node.kind)
    return {ast.Interpolated: "string", ast.ListLit: "list", ast.MapLit: "map"}.get(type(node))


def _a(kind: str) -> str:
    return f"a {kind}"


def _kinds(declared: str) -> str:
    """`list|map` -> "a list or a map" (`integer` is "a number": literals do not tell them apart)."""
    names = []
    for name in declared.split("|"):
        name = "number" if name == "integer" else name
        if name != "null" and name not in names:
            names.append(name)
    words = [_a(name) for name in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _recursive(node: ast.Call) -> bool:
    """Whether a render() call renders its result again: unless `recursive` is literally false."""
    value = node.args[1] if len(node.args) > 1 else dict(node.kwargs).get("recursive")
    return not (isinstance(value, ast.Literal) and value.value is False)


def _tail_start(tail: list[Step]) -> int:
    """Where the steps after the hyphenated name begin in the template (`.value` of `task.value`)."""
    first = tail[0].node
    inner = first.obj if isinstance(first, (ast.Attribute, ast.Subscript)) else first
    while isinstance(inner, (ast.Attribute, ast.Subscript)):
        inner = inner.obj
    return inner.span[1]


def _known(what: str, names) -> str:
    names = sorted(names)
    return f"{what}: {', '.join(names)}" if names else f"no {what} are declared"


def chain(node) -> tuple[ast.Name, list[Step]] | None:
    """A variable chain: its root name and its steps (`outputs.t['x'].y`), or None."""
    steps: list[Step] = []
    while True:
        if isinstance(node, ast.Name):
            return node, list(reversed(steps))
        if isinstance(node, ast.Attribute):
            steps.append(Step(node.name, node, False))
            node = node.obj
        elif isinstance(node, ast.Subscript):
            key = node.index.value if isinstance(node.index, ast.Literal) else None
            steps.append(Step(key, node, True))
            node = node.obj
        else:
            return None


def _key(root: ast.Name, steps: list[Step]) -> tuple:
    return (root.name, *[s.key for s in steps])


def _defined_chains(condition) -> frozenset:
    """Chains a condition tests with `is defined` (or `is not null`): guarded where it holds."""
    found = set()
    stack = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Test) and node.name in ("defined", "null") and node.negated == (node.name == "null"):
            tested = chain(node.value)
            if tested is not None:
                found.add(_key(*tested))  # the chain and anything read below it
        elif isinstance(node, ast.Binary) and node.op == "and":
            stack.extend((node.left, node.right))
    return frozenset(found)


