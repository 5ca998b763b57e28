"""The schema stage: check a flow document against flow.schema.json, dispatch every plugin
object (task, trigger, condition, task runner) on its `type` and check it against that
type's schema only, after applying `pluginDefaults`, as Kestra does. Builds the model.

Errors from the validator are mapped back to the exact key or value in the file and
turned into messages a person understands, with did-you-mean where it helps.
"""
from __future__ import annotations

import re

from jsonschema.exceptions import ValidationError, best_match

from .diagnostics import Fix, Reporter, Severity, Span
from .model import Flow, Plugin, PluginDefault, follow
from .registry import PluginType, Registry, Slot, did_you_mean
from .settings import DEFAULT, Settings
from .rules import schema as S
from .validation import is_expression
from .source import Document, Mapping, Node, Scalar, Sequence, SourceFile, to_data

KIND_NAMES = {"task": "task", "trigger": "trigger", "condition": "condition", "task-runner": "task runner"}
_JSON_TYPES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean",
               "object": "a mapping", "array": "a list", "null": "null"}


def check_document(source: SourceFile, document: Document, registry: Registry, reporter: Reporter,
                   settings: Settings = DEFAULT) -> Flow | None:
    root = document.root
    if not isinstance(root, Mapping):
        return None
    flow = Flow(source, document, root, settings=settings)
    flow.plugin_defaults = _read_defaults(root)
    validator = registry.validator("flow", registry.flow_schema)
    _report(validator, to_data(root), root, [], reporter, "the flow", root.pairs[0][0].span if root.pairs else document.span)
    builder = _Builder(registry, reporter, flow)
    for slot in registry.flow_slots:
        for node, key in follow(root, slot.path):
            plugin = builder.build(node, slot, key, None)
            if plugin is not None:
                flow.plugins.append(plugin)
    flow.plugins.sort(key=_position)
    _check_default_properties(flow, registry, reporter)
    return flow


def _position(plugin: Plugin) -> tuple[int, int]:
    return (plugin.node.span.line, plugin.node.span.column)


def _read_defaults(root: Mapping) -> list[PluginDefault]:
    found = []
    for name in ("pluginDefaults", "taskDefaults"):
        entries = root.get(name)
        if not isinstance(entries, Sequence):
            continue
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            type_name, values = entry.value("type"), entry.get("values")
            if isinstance(type_name, str) and isinstance(values, Mapping):
                found.append(PluginDefault(type_name, entry.value("forced") is True, values, entry))
    return found


class _Builder:
    def __init__(self, registry: Registry, reporter: Reporter, flow: Flow) -> None:
        self.registry = registry
        self.reporter = reporter
        self.flow = flow
        self.unknown_reported: set[str] = set()
        # shared by every plugin: a bad value of a plugin default is reported once, not per task
        self.seen: set = set()

    def build(self, node: Node, slot: Slot, key: str | None, parent: Plugin | None) -> Plugin | None:
        kind = slot.kind
        what = KIND_NAMES[kind]
        if not isinstance(node, Mapping):
            self.reporter.report(S.INVALID_TYPE, f"a {what} must be a mapping, got {_describe(to_data(node))}",
                                 node.span, help=f"write the {what} as a mapping with `type`" + (" and `id`" if kind in ("task", "trigger") else ""))
            return None
        data = to_data(node)
        type_name = data.get("type")
        plugin = Plugin(kind, node, type_name if isinstance(type_name, str) else None, None, data, parent, slot, key)
        if not isinstance(type_name, str) or not type_name.strip():
            if "type" in data:
                self.reporter.report(S.INVALID_TYPE, f"`type` of a {what} must be a type name", node.get("type").span)
            else:
                self.reporter.report(S.MISSING_REQUIRED, f"{what} has no `type`", plugin.span,
                                     help=f"add `type:` with the {what}'s class name, e.g. io.kestra.plugin.core.log.Log" if kind == "task" else f"add `type:` with the {what}'s class name")
            return plugin
        type_span = node.get("type").span
        ptype = self.registry.resolve(type_name)
        if ptype is None:
            self._unknown_type(type_name, kind, type_span)
            return plugin
        if ptype.kind != kind:
            self.reporter.report(S.UNKNOWN_TYPE, f"`{type_name}` is a {KIND_NAMES[ptype.kind]} type, not a {what} type", type_span,
                                 help=f"move it to the flow's `{ptype.kind}s`" if ptype.kind in ("trigger", "task") else None)
            return plugin
        if self.registry.is_alias(type_name):
            removed = self.registry.flow_raw.get("$aliasesRemovedIn")
            if self.flow.settings.removed(removed):
                self.reporter.report(S.TYPE_ALIAS, f"`{type_name}` no longer exists in Kestra {removed}: it was an old name of `{ptype.name}`",
                                     type_span, help=f"use `type: {ptype.name}`", severity=Severity.ERROR,
                                     fix=Fix(type_span, ptype.name))
            else:
                self.reporter.report(S.TYPE_ALIAS, f"`{type_name}` is an old name of `{ptype.name}`", type_span,
                                     help=f"use `type: {ptype.name}`", fix=Fix(type_span, ptype.name))
        plugin.ptype = ptype
        plugin.values, plugin.default_sources = _apply_defaults(data, ptype, type_name, self.flow.plugin_defaults)
        validator = self.registry.validator(ptype.name, ptype.schema)
        _report(validator, plugin.values, node, plugin.default_sources, self.reporter, ptype.short_name, plugin.span,
                self.seen)
        for child_slot in ptype.slots:
            for child_node, child_key in follow(node, child_slot.path):
                child = self.build(child_node, child_slot, child_key, plugin)
                if child is not None:
                    plugin.children.append(child)
        plugin.children.sort(key=_position)
        return plugin

    def _unknown_type(self, type_name: str, kind: str, span: Span) -> None:
        if self.registry.in_known_package(type_name):
            suggestion = self.registry.suggest(type_name, kind)
            self.reporter.report(
                S.UNKNOWN_TYPE, f"unknown {KIND_NAMES[kind]} type `{type_name}`", span,
                help=f"did you mean `{suggestion}`?" if suggestion else f"see `flowc schema` for the known {kind} types")
        elif type_name not in self.unknown_reported:
            self.unknown_reported.add(type_name)
            self.reporter.report(
                S.UNKNOWN_PLUGIN, f"flowc does not know the plugin `{type_name}`: its properties are not checked", span,
                help="describe it in a schema directory, or ignore this rule for plugins you trust",
                severity=Severity.ERROR if self.flow.settings.strict else None)


# --------------------------------------------------------------------------- plugin defaults


def _applies(default: PluginDefault, canonical: str, written: str) -> bool:
    return canonical.startswith(default.type) or written.startswith(default.type)


def _apply_defaults(data: dict, ptype: PluginType, written: str, defaults: list[PluginDefault]) -> tuple[dict, list[Mapping]]:
    matching = [d for d in defaults if _applies(d, ptype.name, written)]
    if not matching:
        return data, []
    known = ptype.properties
    values = data
    # non-forced: the flow's own values win, and the first declared default wins over later ones
    for default in reversed([d for d in matching if not d.forced]):
        values = merge(_known(to_data(default.values), known), values)
    # forced: the default's values win, the first declared forced default last
    for default in reversed([d for d in matching if d.forced]):
        values = merge(values, _known(to_data(default.values), known))
    return values, [d.values for d in matching]


def _known(values: dict, known: dict) -> dict:
    return {k: v for k, v in values.items() if k in known}


def merge(a: dict, b: dict) -> dict:
    """Kestra's map merge: `b` wins, maps merge deeply, lists are concatenated, nulls in
    `b` do not erase."""
    out = dict(a)
    for key, value in b.items():
        original = out.get(key)
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(original, dict):
            out[key] = merge(original, value)
        elif isinstance(value, list) and isinstance(original, list):
            out[key] = original + value
        else:
            out[key] = value
    return out


def _check_default_properties(flow: Flow, registry: Registry, reporter: Reporter) -> None:
    for default in flow.plugin_defaults:
        ptype = registry.resolve(default.type)
        if ptype is None:
            _check_prefix_default(default, registry, reporter)
            continue
        for name, key_node, _ in default.values.items():
            if name not in ptype.properties:
                suggestion = did_you_mean(name, ptype.properties)
                reporter.report(
                    S.PLUGIN_DEFAULT_UNKNOWN_PROPERTY,
                    f"`{ptype.short_name}` has no property `{name}`", key_node.span,
                    help=f"did you mean `{suggestion}`?" if suggestion else _known_list(ptype.properties))


def _check_prefix_default(default: PluginDefault, registry: Registry, reporter: Reporter) -> None:
    """A package prefix (`io.kestra.plugin.jdbc.postgresql`): Kestra checks none of its keys
    and silently drops those a type lacks. A key that no known type under the prefix has, and
    that is close to one of their properties, is a typo whose value never arrives (a warning:
    Kestra accepts the flow). A key with no close property may belong to a type flowc does not
    know, and is left alone."""
    types = [t for t in registry.types.values()
             if t.name.startswith(default.type) or any(a.startswith(default.type) for a in t.aliases)]
    if not types:
        return  # an unknown plugin package, or a mistyped prefix (L111)
    known = {name for t in types for name in t.properties}
    for name, key_node, _ in default.values.items():
        if name in known:
            continue
        suggestion = did_you_mean(name, sorted(known), cutoff=0.8)  # many candidates: only near misses
        if suggestion is not None:
            reporter.report(
                S.PLUGIN_DEFAULT_UNKNOWN_PROPERTY,
                f"no type under `{default.type}` has a property `{name}`: its value is never used", key_node.span,
                help=f"did you mean `{suggestion}`?", severity=Severity.WARNING)


# --------------------------------------------------------------------------- validator errors -> diagnostics


def _report(validator, data, base: Node, sources: list[Mapping], reporter: Reporter, what: str, whole: Span,
            seen: set | None = None) -> None:
    seen = set() if seen is None else seen
    data = _without_nulls(data)
    for error in validator.iter_errors(data):
        _report_one(_leaf(error), data, base, sources, reporter, what, whole, seen)


def _leaf(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf, the most relevant error of the branches, unless every branch only
    disagrees on the type (then the anyOf error itself says which types are accepted)."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        if all(e.validator == "type" and list(e.relative_path) == [] for e in error.context):
            return error
        error = best_match(error.context)
    return error


def _report_one(e: ValidationError, data, base: Node, sources, reporter: Reporter, what: str, whole: Span, seen: set) -> None:
    path = list(e.absolute_path)
    node, key = _locate(base, path, sources)
    name = _path_name(path)
    subject = f"`{name}`" if name else what
    kw = e.validator
    schema = e.schema if isinstance(e.schema, dict) else {}
    if kw == "additionalProperties" and isinstance(e.instance, dict):
        known = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        mapping = node if isinstance(node, Mapping) else None
        for extra in e.instance:
            if extra in known or any(re.search(p, extra) for p in patterns):
                continue
            key_node = mapping.key_node(extra) if mapping else None
            if key_node is None or (id(key_node), "extra") in seen:
                continue
            seen.add((id(key_node), "extra"))
            suggestion = did_you_mean(extra, known)
            owner = what if not name else f"`{name}`"
            help = f"did you mean `{suggestion}`?" if suggestion else _known_list(known)
            if suggestion:
                help += " " + _known_list(known)
            reporter.report(S.UNKNOWN_PROPERTY, f"unknown property `{extra}` for {owner}", key_node.span, help=help)
        return
    if kw == "required" and isinstance(e.instance, dict):
        for missing in e.validator_value:
            if missing in e.instance or (id(node), missing) in seen:
                continue
            seen.add((id(node), missing))
            if isinstance(node, Mapping) and missing in node:  # written as null
                reporter.report(S.MISSING_REQUIRED, f"`{_path_name(path + [missing])}` must not be null",
                                node.key_node(missing).span, help=_property_help(missing, schema.get("properties", {}).get(missing)))
                continue
            span = key.span if key is not None else _first_key(node) or whole
            owner = what if not name else f"`{name}`"
            reporter.report(S.MISSING_REQUIRED, f"{owner} is missing the required property `{missing}`", span,
                            help=_property_help(missing, schema.get("properties", {}).get(missing)))
        return
    span = node.span if node is not None else (key.span if key is not None else whole)
    marker = (span, kw)
    if marker in seen:
        return
    seen.add(marker)
    value = e.instance
    if kw in ("type", "anyOf", "oneOf"):
        types = _accepted_types(e)
        expected = " or ".join(_JSON_TYPES.get(t, t) for t in types) if types else "another kind of value"
        hint = None
        if is_expression(value) and not schema.get("$dynamic"):
            hint = "Kestra does not render this property, so it cannot hold an expression"
        reporter.report(S.INVALID_TYPE, f"{subject} must be {expected}, got {_describe(value)}", span, help=hint)
    elif kw in ("enum", "const"):
        allowed = e.validator_value if kw == "enum" else [e.validator_value]
        shown = ", ".join(str(a) for a in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        suggestion = did_you_mean(str(value), [str(a) for a in allowed]) if isinstance(value, (str, int, float)) else None
        help = f"did you mean `{suggestion}`?" if suggestion else f"expected one of: {shown}"
        reporter.report(S.INVALID_VALUE, f"`{_short(value)}` is not a valid value for {subject}", span, help=help)
    elif kw == "pattern" and value == "":
        return  # reported as empty
    elif kw == "pattern":
        fmt = schema.get("$format")
        message = f"`{_short(value)}` is not {fmt}" if fmt else f"`{_short(value)}` does not match the pattern `{e.validator_value}`"
        reporter.report(S.PATTERN_MISMATCH, f"{subject}: {message}" if name else message, span,
                        help=schema.get("$formatHelp"))
    elif kw in ("minItems", "minLength", "minProperties") and e.validator_value == 1:
        reporter.report(S.EMPTY_VALUE, f"{subject} must not be empty", span)
    elif kw in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most", "exclusiveMaximum": "less than"}
        reporter.report(S.OUT_OF_RANGE, f"{subject} must be {words[kw]} {e.validator_value}, got {_short(value)}", span)
    elif kw in ("maxLength", "minLength"):
        bound = "at most" if kw == "maxLength" else "at least"
        unit = "character" if e.validator_value == 1 else "characters"
        reporter.report(S.OUT_OF_RANGE, f"{subject} must be {bound} {e.validator_value} {unit} long, got {len(value)}", span)
    elif kw in ("maxItems", "minItems"):
        bound = "at most" if kw == "maxItems" else "at least"
        reporter.report(S.OUT_OF_RANGE, f"{subject} must have {bound} {e.validator_value} items, got {len(value)}", span)
    else:  # uniqueItems, multipleOf, not, ...: a value the schema does not allow
        reporter.report(S.INVALID_VALUE, f"{subject}: {e.message}", span)


def _without_nulls(data):
    """Jackson reads `key: null` as an absent property: validate without them."""
    if isinstance(data, dict):
        return {k: _without_nulls(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_nulls(v) for v in data]
    return data


def _first_key(node) -> Span | None:
    if isinstance(node, Mapping) and node.pairs:
        return node.pairs[0][0].span
    return None


def _accepted_types(e: ValidationError) -> list[str]:
    if e.validator == "type":
        v = e.validator_value
        return [v] if isinstance(v, str) else list(v)
    found: list[str] = []
    for sub in e.context or ():
        if sub.validator == "type":
            v = sub.validator_value
            found.extend([v] if isinstance(v, str) else v)
    return list(dict.fromkeys(found))


def _locate(base: Node, path: list, sources: list[Mapping]) -> tuple[Node | None, Scalar | None]:
    """The node at `path` under `base` and the key node naming it. When the value came from
    a plugin default, the node in that default; failing both, the deepest node found."""
    deepest = None
    for root in [base, *sources]:
        node, key, complete = _walk(root, path)
        if complete:
            return node, key
        deepest = deepest or (node, key)
    return deepest


def _walk(node: Node, path: list) -> tuple[Node, Scalar | None, bool]:
    key: Scalar | None = None
    for step in path:
        if isinstance(node, Mapping) and isinstance(step, str) and step in node:
            key, node = node.key_node(step), node.get(step)
        elif isinstance(node, Sequence) and isinstance(step, int) and step < len(node.items):
            key, node = None, node.items[step]
        else:
            return node, key, False
    return node, key, True


def _path_name(path: list) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean (`{str(value).lower()}`)"
    if isinstance(value, (int, float)):
        return f"a number (`{value}`)"
    if isinstance(value, str):
        return f"a string (`{_short(value)}`)" if value else "an empty string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _short(value, limit: int = 60) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _known_list(known) -> str:
    names = sorted(known)
    return f"known properties: {', '.join(names)}" if names else "this object takes no properties"


def _property_help(name: str, schema) -> str:
    description = schema.get("description") if isinstance(schema, dict) else None
    return f"add `{name}`: {description[0].lower()}{description[1:]}" if description else f"add `{name}`"
