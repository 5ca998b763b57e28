"""The plugin types flowc knows, read from schemas/ (the single source of truth).

`Registry` loads `flow.schema.json` and every `types/*.json` once, inlines `$ref`s, merges
each type with the common properties of its kind and closes it (Kestra rejects unknown
properties), and finds its plugin slots: the paths where nested tasks, triggers,
conditions or task runners live. Validators are compiled lazily, per type, on first use.
"""
from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import schemas

PLUGIN_SLOTS = {"task": "task", "trigger": "trigger", "condition": "condition", "task-runner": "task-runner"}
COMMON = {"task": "task-common", "trigger": "trigger-common", "condition": "condition-common", "task-runner": "task-runner-common"}

# Packages whose every type flowc knows: an unknown type there is a typo, not a plugin.
KNOWN_PACKAGES = (
    "io.kestra.plugin.core.",
    "io.kestra.core.tasks.",
    "io.kestra.core.models.triggers.types.",
    "io.kestra.core.models.conditions.types.",
)
# Under those prefixes but shipped elsewhere: Kestra's test-only types, and the legacy script
# tasks of plugin-scripts (io.kestra.core.tasks.scripts.Bash, ...). Plugins flowc does not know.
NOT_CORE_PACKAGES = ("io.kestra.core.tasks.test.", "io.kestra.core.tasks.scripts.")


@dataclass(frozen=True, slots=True)
class Slot:
    """Where plugin objects sit inside an object: a path of property names, `[]` for list
    items and `{}` for map values, ending at an object of the given kind."""

    path: tuple[str, ...]
    kind: str

    @property
    def name(self) -> str:
        return self.path[0]


@dataclass
class PluginType:
    name: str
    kind: str
    category: str | None
    aliases: tuple[str, ...]
    deprecated: bool | str
    description: str
    schema: dict  # merged with the common properties of its kind, refs inlined, closed
    outputs: dict
    variables: dict
    slots: tuple[Slot, ...]
    raw: dict = field(repr=False)

    @property
    def short_name(self) -> str:
        """`Log`, `Return`, `python.Script`: the class name, with its package's last part
        when that part is not one of core's generic packages."""
        parts = self.name.split(".")
        if self.name.startswith("io.kestra.plugin.core."):
            return parts[-1]
        return ".".join(parts[-2:])

    @property
    def properties(self) -> dict:
        return self.schema.get("properties", {})

    @property
    def required(self) -> list[str]:
        return self.schema.get("required", [])

    @property
    def own_properties(self) -> dict:
        return self.raw.get("properties", {})


class Registry:
    def __init__(self, directory: Path | None = None, extra_dirs: tuple[Path, ...] = ()) -> None:
        self.directory = directory or schemas.DIR
        self.flow_raw: dict = json.loads((self.directory / "flow.schema.json").read_text("utf-8"))
        self.defs: dict = self.flow_raw["$defs"]
        self.types: dict[str, PluginType] = {}
        self.aliases: dict[str, str] = {}
        files = sorted((self.directory / "types").glob("*.json"))
        for extra in extra_dirs:
            files.extend(sorted(Path(extra).glob("*.json")))
        for path in files:
            self._add(json.loads(path.read_text("utf-8")), path)
        self._validators: dict[str, object] = {}

    # -- loading

    def _add(self, raw: dict, path: Path) -> None:
        name = raw["title"]
        kind = raw["$kind"]
        common = self.inline(self.defs[COMMON[kind]])
        own = self.inline({k: v for k, v in raw.items() if k not in ("$outputs", "$variables")})
        properties = {**common.get("properties", {}), **own.get("properties", {})}
        required = list(dict.fromkeys(common.get("required", []) + own.get("required", [])))
        merged = {k: v for k, v in own.items() if k not in ("properties", "required", "$schema", "$aliases")}
        merged.update(type="object", properties=properties, required=required, additionalProperties=False)
        ptype = PluginType(
            name=name,
            kind=kind,
            category=raw.get("$category"),
            aliases=tuple(raw.get("$aliases", ())),
            deprecated=raw.get("$deprecated", False),
            description=raw.get("description", ""),
            schema=merged,
            outputs=self.inline(raw.get("$outputs", {"type": "object"})),
            variables=self.inline(raw.get("$variables", {"type": "object"})),
            slots=tuple(find_slots(merged)),
            raw=raw,
        )
        self.types[name] = ptype
        for alias in ptype.aliases:
            self.aliases[alias] = name

    def inline(self, schema, _seen: tuple[str, ...] = ()):
        """A copy of `schema` with `$ref`s to flow.schema.json's definitions replaced by the
        definitions themselves (siblings of the `$ref` win); plugin references become
        `{"$plugin": kind}`, which the validator accepts as is and the checker dispatches."""
        if isinstance(schema, list):
            return [self.inline(s, _seen) for s in schema]
        if not isinstance(schema, dict):
            return schema
        out = {}
        ref = schema.get("$ref")
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            if name in PLUGIN_SLOTS:
                out = {"$plugin": PLUGIN_SLOTS[name]}
            elif name in _seen:
                raise ValueError(f"recursive schema definition {name}")
            else:
                out = self.inline(self.defs[name], _seen + (name,))
        for key, value in schema.items():
            if key == "$ref":
                continue
            if key in ("properties", "patternProperties", "definitions", "$defs"):
                out[key] = {k: self.inline(v, _seen) for k, v in value.items()}
            else:
                out[key] = self.inline(value, _seen)
        return out

    # -- queries

    def resolve(self, type_name: str) -> PluginType | None:
        name = self.aliases.get(type_name, type_name)
        return self.types.get(name)

    def is_alias(self, type_name: str) -> bool:
        return type_name in self.aliases

    def in_known_package(self, type_name: str) -> bool:
        # `Outer$Inner` classes are test fixtures (WorkingDirectoryTest$LocalFiles), never core types
        return type_name.startswith(KNOWN_PACKAGES) and not type_name.startswith(NOT_CORE_PACKAGES) and "$" not in type_name

    def suggest(self, type_name: str, kind: str | None = None) -> str | None:
        names = [n for n, t in self.types.items() if kind is None or t.kind == kind]
        names += [a for a, n in self.aliases.items() if kind is None or self.types[n].kind == kind]
        # compare class names within the same package: long shared prefixes fool difflib
        package, _, short = type_name.rpartition(".")
        siblings = {n.rpartition(".")[2]: n for n in names if n.rpartition(".")[0] == package}
        found = did_you_mean(short, siblings)
        if found:
            return self.aliases.get(siblings[found], siblings[found])
        # a wrong package with the right class name: `io.kestra.plugin.core.log.Return`
        same = sorted(n for n in names if n.rsplit(".", 1)[-1] == short)
        return self.aliases.get(same[0], same[0]) if same else None

    @cached_property
    def flow_schema(self) -> dict:
        body = {k: v for k, v in self.flow_raw.items() if k != "$defs"}
        return self.inline(body)

    @cached_property
    def flow_slots(self) -> tuple[Slot, ...]:
        return tuple(find_slots(self.flow_schema))

    def definition(self, name: str) -> dict:
        return self.inline(self.defs[name])

    def validator(self, key: str, schema: dict):
        """A compiled validator for `schema`, cached under `key`."""
        found = self._validators.get(key)
        if found is None:
            from .validation import make_validator

            found = self._validators[key] = make_validator(schema)
        return found


def find_slots(schema: dict, path: tuple[str, ...] = ()) -> list[Slot]:
    """Every path in `schema` that leads to a plugin object."""
    found: list[Slot] = []
    if not isinstance(schema, dict):
        return found
    if "$plugin" in schema:
        return [Slot(path, schema["$plugin"])]
    for name, sub in schema.get("properties", {}).items():
        found += find_slots(sub, path + (name,))
    items = schema.get("items")
    if isinstance(items, dict):
        found += find_slots(items, path + ("[]",))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found += find_slots(extra, path + ("{}",))
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, ()):
            found += find_slots(sub, path)
    for key in ("then", "else"):
        if key in schema:
            found += find_slots(schema[key], path)
    unique: dict[Slot, None] = dict.fromkeys(found)
    return list(unique)


def is_dynamic(schema) -> bool:
    """A property Kestra renders: marked `$dynamic`, itself or one of its alternatives."""
    if not isinstance(schema, dict):
        return False
    return bool(schema.get("$dynamic")) or any(
        isinstance(sub, dict) and sub.get("$dynamic") for key in ("anyOf", "oneOf") for sub in schema.get(key, ()))


def did_you_mean(word: str, candidates, cutoff: float = 0.6) -> str | None:
    """The closest candidate, compared case-insensitively, or None."""
    lowered: dict[str, str] = {}
    for c in candidates:
        lowered.setdefault(c.lower(), c)  # the first spelling wins (STRING over string)
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[found[0]] if found else None


_default: Registry | None = None


def default_registry() -> Registry:
    global _default
    if _default is None:
        _default = Registry()
    return _default


def bundle(registry: Registry) -> dict:
    """One self-contained JSON Schema of the flow and every known type, for editors and
    plain validators: each plugin slot checks an object against the schema of its `type`,
    and accepts types flowc does not know."""
    defs = copy.deepcopy(registry.defs)
    for kind, common in COMMON.items():
        names = sorted(n for n, t in registry.types.items() if t.kind == kind)
        branches = []
        for name in names:
            t = registry.types[name]
            type_names = [name, *t.aliases]
            key = f"type:{name}"
            defs[key] = _bundle_type(t, registry.defs[common])
            branches.append({
                "if": {"properties": {"type": {"enum": type_names}}, "required": ["type"]},
                "then": {"$ref": f"#/$defs/{_escape(key)}"},
            })
        known = sorted(n for t in registry.types.values() if t.kind == kind for n in (t.name, *t.aliases))
        slot = copy.deepcopy(defs[kind])
        slot["properties"] = {
            "type": {
                "description": f"The {kind}'s type: one flowc knows, or another plugin.",
                "anyOf": [{"enum": known}, {"type": "string"}],
            }
        }
        slot["allOf"] = branches
        defs[kind] = slot
    out = {k: v for k, v in registry.flow_raw.items() if k != "$defs"}
    out["$defs"] = defs
    return _lenient(_rewrite_refs(out))


def _bundle_type(t: PluginType, common: dict) -> dict:
    """The type's own schema with the common properties of its kind, closed. Only the kind's
    required properties (`id`, `type`) stay required: any other may come from the flow's
    pluginDefaults (`url` of every JDBC task, say), which a JSON Schema cannot see;
    `flowc check` reports a missing one once the defaults are applied."""
    raw = {k: v for k, v in t.raw.items() if k not in ("$schema", "properties", "required")}
    raw["properties"] = {**common.get("properties", {}), **t.raw.get("properties", {})}
    raw["required"] = list(common.get("required", []))
    raw["additionalProperties"] = False
    return raw


_ANNOTATIONS = ("description", "default", "$dynamic", "$since", "$deprecated", "$format", "$formatHelp")
EXPRESSION = {"type": "string", "pattern": "\\{\\{|\\{%"}


def _lenient(node):
    """What Kestra accepts beyond the declared types, made explicit for plain validators:
    an optional property may be null (Jackson reads it as absent), and a dynamic property
    may hold an expression whatever its type."""
    if isinstance(node, list):
        return [_lenient(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: (_lenient(v) if k not in ("properties", "patternProperties", "$defs") else v) for k, v in node.items()}
    for key in ("properties", "patternProperties", "$defs"):
        if key in node:
            out[key] = {name: _lenient(sub) for name, sub in node[key].items()}
    properties = out.get("properties")
    if isinstance(properties, dict):
        required = set(out.get("required", ()))
        out["properties"] = {name: (sub if name in required else _nullable(sub)) for name, sub in properties.items()}
    if out.get("$dynamic"):
        keep = {k: v for k, v in out.items() if k in _ANNOTATIONS}
        rest = {k: v for k, v in out.items() if k not in _ANNOTATIONS}
        if rest and rest != {"type": "string"}:
            out = {**keep, "anyOf": [rest, EXPRESSION]}
    return out


def _nullable(schema):
    if not isinstance(schema, dict) or not schema:
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _rewrite_refs(node):
    """flow.schema.json#/$defs/x -> #/$defs/x; a `$ref` with siblings becomes allOf, since
    draft-07 ignores the siblings of `$ref`."""
    if isinstance(node, list):
        return [_rewrite_refs(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _rewrite_refs(v) for k, v in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str):
        if ref.startswith("flow.schema.json#"):
            ref = ref[len("flow.schema.json") :]
        siblings = {k: v for k, v in out.items() if k != "$ref"}
        if siblings and any(k not in ("description", "default", "$dynamic", "$since", "$deprecated") for k in siblings):
            return {**siblings, "allOf": [{"$ref": ref}] + siblings.get("allOf", [])}
        out["$ref"] = ref
    return out
