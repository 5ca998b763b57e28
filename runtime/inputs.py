"""Flow inputs and flow outputs at run time, read as Kestra reads them (`FlowInputOutput`).

Inputs: each declared input takes its given value, else its default; its `dependsOn` enables it
or not; it is parsed by its type and validated; the first invalid input (in declaration order)
stops the run with Kestra's message, `Invalid input for `<id>`, <why>, but received `<value>``.
Outputs: each declared output's rendered value is parsed by its type (no validation).

Values are what a task sees in Kestra. Kestra stores the execution as JSON between reading its
inputs and running a task, so what a task renders went through Jackson: DATETIME, DATE and TIME
are ISO strings (TIME always with seconds), FLOAT is the double its Float's text reads as, and
DURATION is a number of seconds (Jackson writes durations as decimal seconds; kestra-io/kestra
#3742). Messages keep Java's wording, including the `java.lang.Exception: Expected `<TYPE>` ...`
wrapping Kestra puts around parse failures that are not IllegalArgumentExceptions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .java_text import (
    JAVA_TIME_VALUES,
    IllegalArgumentException,
    JavaDate,
    JavaDuration,
    JavaException,
    JavaInstant,
    JavaTime,
    NumberFormatException,
    float_compare,
    parse_float,
    parse_instant,
    parse_int,
    parse_java_duration,
    parse_local_date,
    parse_local_time,
)
from .pebble.functions import parse_json
from .pebble.errors import RenderError
from .pebble.printing import java_double, to_string
from .pebble.values import INT_MAX, INT_MIN, Float32, Int32, JavaHashMap, class_name, hashmap_capacity, hashmap_order
from .pebble.yaml_reader import parse_yaml
from .storage import Storage, StorageError

Render = Callable[[str, dict], Any]


# --------------------------------------------------------------------------- public errors


class InputError(Exception):
    """An input Kestra refuses. `message` is the violation (`Invalid input for ...`)."""

    def __init__(self, input_id: str, message: str) -> None:
        super().__init__(message)
        self.input_id = input_id
        self.message = message

    @property
    def kestra_message(self) -> str:
        """What Kestra's ConstraintViolationException says: the input id, a colon, the violation."""
        return f"{self.input_id}: {self.message}"


class OutputError(Exception):
    """A flow output whose rendered value does not parse as its type."""

    def __init__(self, output_id: str, message: str) -> None:
        super().__init__(message)
        self.output_id = output_id
        self.message = message


@dataclass
class ResolvedInputs:
    values: dict  # the execution's `inputs`: dotted ids nested, disabled inputs absent
    secrets: set[str] = field(default_factory=set)  # values of SECRET inputs, to mask in logs
    warnings: list[str] = field(default_factory=list)  # inputs dropped because their condition failed


# --------------------------------------------------------------------------- Java exceptions
# (java_text has the base class and those its parsers raise)


class _ClassCast(JavaException):
    java_class = "java.lang.ClassCastException"


class _NullPointer(JavaException):
    java_class = "java.lang.NullPointerException"


class _Violation(Exception):
    """A constraint an input's `validate` refuses; Kestra wraps the message with id and value."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _java_class(v) -> str:
    """The Java class of a value as Jackson or Kestra would hand it over (else pebble's class_name)."""
    if isinstance(v, int) and not isinstance(v, bool) and INT_MIN <= v <= INT_MAX:
        return "java.lang.Integer"  # Jackson reads small whole numbers as Integer
    if isinstance(v, JAVA_TIME_VALUES):
        return v.java_class
    if isinstance(v, (list, tuple)):
        return "java.util.ArrayList"
    return class_name(v) or "null"


def _cast_error(v, target: str = "java.lang.String") -> _ClassCast:
    source = _java_class(v)
    return _ClassCast(f"class {source} cannot be cast to class {target} "
                      f"({source} and {target} are in module java.base of loader 'bootstrap')")


def _jstr(v) -> str:
    """Java's String.valueOf(v): printing.to_string, which knows every value but java_text's."""
    # those are tuples to to_string; they are only printed alone (bounds, a DURATION default), never in a list
    if isinstance(v, JAVA_TIME_VALUES):
        return str(v)
    return to_string(v)


def _simple_name(v) -> str:
    """Class.getSimpleName() of a rendered value, `<null>` for null (Kestra's wording)."""
    if v is None:
        return "<null>"
    name = class_name(v) or type(v).__name__
    if name.startswith("[L"):
        return name[2:-1].rsplit(".", 1)[-1] + "[]"
    return name.rsplit(".", 1)[-1]


# --------------------------------------------------------------------------- JSON and YAML


def _read_json(text: str):
    """ObjectMapper.readValue(text, Object.class)"""
    if not text.strip(" \t\r\n"):
        raise JavaException("No content to map due to end-of-input")
    try:
        return parse_json(text)
    except RenderError as e:
        raise JavaException(e.message) from None


_JSON_KINDS = ((bool, "Boolean"), (int, "Integer"), (float, "Floating-point"), (str, "String"), (dict, "Object"))


def _read_json_list(text: str):
    """ObjectMapper.readValue(text, List.class): a JSON array (or null)."""
    value = _read_json(text)
    if value is None or isinstance(value, list):
        return value
    kind = next(name for t, name in _JSON_KINDS if isinstance(value, t))
    raise JavaException(f"Cannot deserialize value of type `java.util.ArrayList<java.lang.Object>` from {kind} value")


def _read_yaml(text: str):
    if not text.strip(" \t\r\n"):
        raise JavaException("No content to map due to end-of-input")
    try:
        return parse_yaml(text)
    except RenderError as e:
        raise JavaException(e.message) from None


# --------------------------------------------------------------------------- parsing by type

_URI = re.compile(r"[a-z]+://(?:www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b"
                  r"(?:[-a-zA-Z0-9()@:%_+.~#?&/=]*)", re.ASCII)
_EMAIL = re.compile(r"^$|^[a-zA-Z0-9_!#$%&’*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STRING_KINDS = frozenset(("STRING", "SECRET", "EMAIL", "SELECT", "ENUM", "URI"))
KINDS = frozenset(("STRING", "ENUM", "SELECT", "MULTISELECT", "INT", "FLOAT", "BOOLEAN", "DATETIME", "DATE",
                   "TIME", "DURATION", "FILE", "JSON", "YAML", "URI", "SECRET", "ARRAY", "EMAIL"))


@dataclass
class _Run:
    """What parsing needs besides the value: where FILE inputs go, where SECRET values are noted."""

    storage: Storage | None
    prefix: str | None
    secrets: set[str] = field(default_factory=set)

    def file(self, text: str, data_id: str) -> str:
        scheme = _SCHEME.match(text.replace("\\", "/"))
        if scheme and scheme.group(1) == "kestra":
            # Kestra keeps the URI unchecked; checking now names the bad input instead of a later task
            try:
                self._storage().get(text)
            except StorageError as e:
                raise IllegalArgumentException(str(e)) from None
            return text
        path = Path(text)
        if text and path.is_dir():
            raise JavaException(f"{text} (Is a directory)")
        if not text or not path.is_file():
            raise JavaException(f"{text} (No such file or directory)")
        if self.prefix is None:
            raise JavaException(f"{text} (no execution to store it in)")
        uri = f"{self.prefix}/inputs/{data_id}/{path.name}"
        try:
            self._storage().put(uri, path)
        except OSError as e:
            raise JavaException(f"{text} ({e.strerror or e})") from None
        return uri

    def _storage(self) -> Storage:
        if self.storage is None:
            raise JavaException("no internal storage to read or store files")
        return self.storage


def _string(v) -> str:
    if isinstance(v, str):
        return v
    raise _cast_error(v)


def _parse_value(kind: str, value, item_kind: str | None, run: _Run, data_id: str):
    """FlowInputOutput.parseType: the typed value, or a Java exception as Kestra raises it."""
    try:
        return _parse_raw(kind, value, item_kind, run, data_id)
    except IllegalArgumentException:
        raise
    except JavaException as e:
        raise JavaException(f"Expected `{kind}` but received `{_jstr(value)}` with errors:\n```\n"
                             f"{_jstr(e.message)}\n```") from None


def _parse_raw(kind: str, value, item_kind: str | None, run: _Run, data_id: str):
    if kind in ("STRING", "SELECT", "ENUM", "EMAIL"):
        return value
    if kind == "SECRET":
        if value is None:
            raise _NullPointer(None)
        secret = _string(value)
        if secret:
            run.secrets.add(secret)
        return secret
    if kind == "INT":
        if isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX:
            return Int32(value)
        if value is None:
            raise NumberFormatException("Cannot parse null string: null")
        return Int32(parse_int(_string(value)))
    if kind == "FLOAT":
        if isinstance(value, Float32):
            return value
        if value is None:
            raise _NullPointer('Cannot invoke "Object.toString()" because "current" is null')
        return Float32(parse_float(_jstr(value)))  # Float.valueOf(current.toString())
    if kind == "BOOLEAN":
        if isinstance(value, bool):
            return value
        return value is not None and _string(value).lower() == "true"  # Boolean.valueOf
    if kind in ("DATETIME", "DATE", "TIME", "DURATION"):
        return _parse_temporal(kind, value)
    if kind == "FILE":
        if value is None:
            raise _NullPointer('Cannot invoke "String.replace(java.lang.CharSequence, java.lang.CharSequence)" '
                               'because "current" is null')
        return run.file(_string(value), data_id)
    if kind in ("JSON", "YAML"):
        if value is None:
            raise IllegalArgumentException('argument "content" is null')
        if not isinstance(value, str):
            return value  # already structured (a Subflow's map, a typed inputs file): kept as is
        return _read_json(value) if kind == "JSON" else _read_yaml(value)
    if kind == "URI":
        if value is None:
            raise _NullPointer('Cannot invoke "java.lang.CharSequence.length()" because "this.text" is null')
        if not _URI.fullmatch(_string(value)):
            raise IllegalArgumentException(f"Expected `URI` but received `{value}`")
        return value
    if kind in ("ARRAY", "MULTISELECT"):
        return _parse_list(value, item_kind, run, data_id)
    raise IllegalArgumentException(f"Unknown type `{kind}`")


def _parse_temporal(kind: str, value):
    if value is None:
        raise _NullPointer("text")
    typed, parse = {
        "DATETIME": (JavaInstant, parse_instant),
        "DATE": (JavaDate, parse_local_date),
        "TIME": (JavaTime, parse_local_time),
        "DURATION": (JavaDuration, parse_java_duration),
    }[kind]
    if isinstance(value, typed):
        return value
    converted = _from_python(kind, value)
    return converted if converted is not None else parse(_string(value))


def _from_python(kind: str, v):
    """A Python datetime, date, time or timedelta as the Java value of that type, else None."""
    if kind == "DATETIME" and isinstance(v, datetime):
        return JavaInstant.of(v)
    if kind == "DATE" and isinstance(v, date) and not isinstance(v, datetime):
        return JavaDate.of(v)
    if kind == "TIME" and isinstance(v, time):
        return JavaTime.of(v)
    if kind == "DURATION" and isinstance(v, timedelta):
        return JavaDuration.of(v)
    return None


def _parse_list(value, item_kind: str | None, run: _Run, data_id: str):
    if value is None:
        raise IllegalArgumentException('argument "content" is null')
    if isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = _read_json_list(_string(value))
    if item_kind is None:
        return items
    if items is None:
        raise _NullPointer('Cannot invoke "java.util.List.stream()" because "asList" is null')
    parsed = []
    for item in items:
        try:
            parsed.append(_parse_value(item_kind, item, None, run, data_id))
        except JavaException:
            raise IllegalArgumentException(f"Unable to parse array element as `{item_kind}` on `{_jstr(item)}`") from None
    return parsed


def _stored(v):
    """The value as a task reads it back from Kestra's stored execution (see the module doc)."""
    if isinstance(v, (JavaInstant, JavaDate)):
        return str(v)
    if isinstance(v, JavaTime):
        return v.iso()
    if isinstance(v, JavaDuration):
        return v.total_seconds()
    if isinstance(v, Float32):
        return float(java_double(v, float32=True))
    if isinstance(v, list):
        return [_stored(x) for x in v]
    return v


# --------------------------------------------------------------------------- declarations


def _data_id(decl: dict) -> str:
    data_id = decl.get("id") if decl.get("id") is not None else decl.get("name")
    if not isinstance(data_id, str) or not data_id:
        raise InputError(str(data_id), f"an input has no `id`: {_jstr(decl)}")
    return data_id


def _flag(decl: dict, key: str, default: bool) -> bool:
    value = decl.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _kind(decl: dict, data_id: str, error=InputError) -> str | None:
    kind = decl.get("type")
    if kind is None:
        return None
    if kind not in KINDS:
        raise error(data_id, f"`{data_id}` has an unknown type `{_jstr(kind)}`")
    return kind


def _item_kind(decl: dict, kind: str) -> str | None:
    if kind == "MULTISELECT":
        return decl.get("itemType") or "STRING"
    return decl.get("itemType") if kind == "ARRAY" else None


def _strings(values) -> list | None:
    """A List<String> property as Jackson reads it: scalars become their text."""
    if values is None:
        return None
    if not isinstance(values, (list, tuple)):
        values = [values]
    return [_jstr(v) if isinstance(v, (bool, int, float)) else v for v in values]


def _duration_property(value):
    """A Duration in the flow (defaults, min, max): Kestra's reader also takes (numeric) seconds."""
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[-+]?[0-9]*\.?[0-9]*", text, re.ASCII) or not any(c.isdigit() for c in text):
            return value  # an ISO text, parsed (and refused) like a given value
        value = float(text) if "." in text else int(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    nanos = int(Decimal(java_double(value) if isinstance(value, float) else value).scaleb(9))
    return JavaDuration.of_nanos(nanos)


def _default(decl: dict, kind: str | None):
    """`defaults` as Jackson types it into the input's Java type when the flow is read."""
    value = decl.get("defaults")
    if value is None or kind is None:
        return value
    if kind in _STRING_KINDS and isinstance(value, (bool, int, float)):
        return _jstr(value)
    if kind == "MULTISELECT" and isinstance(value, (list, tuple)):
        return _strings(value)
    if kind == "DURATION":
        return _duration_property(value)
    return value


def _bound(decl: dict, key: str, kind: str, data_id: str):
    value = decl.get(key)
    if value is None:
        return None
    if kind == "DURATION":
        value = _duration_property(value)
    try:
        return _parse_raw(kind, value, None, _Run(None, None), data_id)
    except JavaException as e:
        raise InputError(data_id, f"Invalid input for `{data_id}`, its `{key}` is not a valid {kind} "
                                  f"({e.message}), but received `{_jstr(value)}`") from None


@lru_cache(maxsize=256)
def _java_regex(pattern: str) -> re.Pattern:
    """A Java regular expression run by Python's `re` (ASCII classes as in Java; `\\z` → `\\Z`)."""
    return re.compile(re.sub(r"(?<!\\)((?:\\\\)*)\\z", r"\1\\Z", pattern), re.ASCII)


def _validate(kind: str, decl: dict, typed, values: list | None, required: bool, data_id: str) -> None:
    """Input.validate: raises _Violation (wrapped by Kestra) or a Java exception."""
    if kind in ("STRING", "SECRET"):
        text = _string(typed)  # the generic bridge method casts before validating
        validator = decl.get("validator")
        if validator is not None:
            try:
                regex = _java_regex(str(validator))
            except re.error as e:
                raise InputError(data_id, f"Invalid input for `{data_id}`, its `validator` `{validator}` is not a "
                                          f"regular expression flowc can run ({e}), but received `{text}`") from None
            if not regex.fullmatch(text):
                raise _Violation(f"it must match the pattern `{validator}`")
    elif kind in ("ENUM", "SELECT"):
        text = _string(typed)
        if values is None:
            raise _NullPointer('Cannot invoke "java.util.List.contains(Object)" because "this.values" is null')
        if text not in values and required:
            if kind == "SELECT" and _flag(decl, "allowCustomValue", False):
                return
            raise _Violation(f"it must match the values `{_jstr(values)}`")
    elif kind == "MULTISELECT":
        options = None if decl.get("expression") is not None else _strings(decl.get("options"))
        if values is not None and options is not None:
            raise _Violation("you can't define both `values` and `options`")
        if not _flag(decl, "allowCustomValue", False):
            allowed = values if values is not None else options
            for item in typed:
                text = _string(item)
                if allowed is None:
                    raise _NullPointer('Cannot invoke "java.util.List.contains(Object)" because "finalValues" is null')
                if text not in allowed:
                    raise _Violation(f"it must match the values `{_jstr(allowed)}`")
    elif kind in ("INT", "FLOAT", "DURATION"):
        low, high = _bound(decl, "min", kind, data_id), _bound(decl, "max", kind, data_id)
        compare = float_compare if kind == "FLOAT" else (lambda a, b: (a > b) - (a < b))
        it = "It" if kind == "DURATION" else "it"
        if low is not None and compare(typed, low) < 0:
            raise _Violation(f"{it} must be more than `{_jstr(low)}`")
        if high is not None and compare(typed, high) > 0:
            raise _Violation(f"{it} must be less than `{_jstr(high)}`")
    elif kind in ("DATETIME", "DATE", "TIME"):
        after, before = _bound(decl, "after", kind, data_id), _bound(decl, "before", kind, data_id)
        if after is not None and typed < after:
            raise _Violation(f"it must be after `{after}`")
        if before is not None and typed > before:
            raise _Violation(f"it must be before `{before}`")
    elif kind == "EMAIL":
        if not _EMAIL.fullmatch(_string(typed)):
            raise _Violation("The input must be a valid email")


# --------------------------------------------------------------------------- nesting dotted ids


class _KeyConflict(IllegalArgumentException):
    """Two dotted ids that cannot both be nested (`a` and `a.b`)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class _Branch(dict):
    """A map created for a dotted id (a java.util.HashMap in Kestra)."""


def _java_split_dots(key: str) -> list[str]:
    """String.split("\\\\."): trailing empty parts dropped."""
    parts = key.split(".")
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def _as_hashmaps(value):
    if isinstance(value, _Branch):
        items = [(k, _as_hashmaps(v)) for k, v in value.items()]
        return JavaHashMap.of(items, hashmap_capacity(len(items)))
    return value


def _nest(flat: dict[str, Any]) -> dict:
    """MapUtils.flattenToNestedMap: `a.b` becomes {a: {b: ...}}; the top level sorted by key."""
    order = hashmap_order(list(flat), hashmap_capacity(len(flat)))
    result: dict = {}
    for key in order:
        parts = _java_split_dots(key)
        current = result
        for i, part in enumerate(parts[:-1]):
            if part not in current:
                current[part] = _Branch()
            elif not isinstance(current[part], dict):
                # (sic) Kestra names the parts before the conflicting one
                raise _KeyConflict(key, f"Conflict at key: '{','.join(parts[:i])}'. Map keys are: {_jstr(order)}")
            current = current[part]
        if parts[-1] in current:
            raise _KeyConflict(key, f"Conflict at key: '{parts[-1]}', Map keys are: {_jstr(order)}")
        current[parts[-1]] = flat[key]
    return {k: _as_hashmaps(result[k]) for k in sorted(result)}


# --------------------------------------------------------------------------- inputs


@dataclass(eq=False)
class _Slot:
    """One declared input while it is being resolved (Kestra's ResolvableInput)."""

    id: str
    decl: dict
    kind: str | None
    value: Any  # the given value or default; the parsed value once resolved without error
    state: str = "pending"  # pending | resolving | done
    enabled: bool = True
    error: str | None = None


def _message(e: Exception) -> str:
    return getattr(e, "message", None) or str(e)


class _Resolver:
    def __init__(self, slots: dict[str, _Slot], run: _Run, render_condition: Render | None,
                 render_expression: Render | None) -> None:
        self.slots = slots
        self.run = run
        self.render_condition = render_condition
        self.render_expression = render_expression
        self.warnings: list[str] = []

    def resolve(self, slot: _Slot, chain: tuple[str, ...] = ()) -> None:
        if slot.state == "done":
            return
        if slot.state == "resolving":
            cycle = " -> ".join(chain[chain.index(slot.id):] + (slot.id,))
            raise InputError(slot.id, f"Invalid input for `{slot.id}`, its `dependsOn` makes a cycle ({cycle}), "
                                      f"but received `{_jstr(slot.value)}`")
        slot.state = "resolving"
        try:
            self._resolve(slot, chain + (slot.id,))
        finally:
            slot.state = "done"

    def _invalid(self, slot: _Slot, why: str, value) -> None:
        slot.error = f"Invalid input for `{slot.id}`, {why}, but received `{_jstr(value)}`"

    def _resolve(self, slot: _Slot, chain: tuple[str, ...]) -> None:
        depends = slot.decl.get("dependsOn") or {}
        dependencies = []
        for dep_id in dict.fromkeys(depends.get("inputs") or ()):
            dep = self.slots.get(dep_id)  # unknown ids are ignored, as Kestra does
            if dep is not None and dep is not slot:
                self.resolve(dep, chain)
                dependencies.append(dep)
        try:
            visible = {"inputs": _nest({d.id: d.value for d in dependencies})}
        except IllegalArgumentException as e:
            return self._invalid(slot, e.message, slot.value)

        enabled = all(d.enabled for d in dependencies)
        condition = depends.get("condition")
        if condition is not None and enabled:
            if self.render_condition is None:
                raise InputError(slot.id, f"the `dependsOn.condition` of input `{slot.id}` needs the flow engine "
                                          "to render it (no condition renderer was given)")
            try:
                enabled = self.render_condition(condition, visible) is True  # Boolean.TRUE.equals(...)
            except Exception as e:  # noqa: BLE001 - any render failure disables the input, as in Kestra
                slot.error = f"Invalid condition: {_message(e)}"
                self.warnings.append(f"input `{slot.id}` is disabled: its condition failed to render: {_message(e)}")
                enabled = False
        if not enabled:
            slot.enabled = False
            return

        kind = slot.kind
        values = _strings(slot.decl.get("values"))
        expression = slot.decl.get("expression")
        if kind in ("SELECT", "MULTISELECT") and expression is not None:
            render = self.render_expression or self.render_condition
            if render is None:
                raise InputError(slot.id, f"the `expression` of input `{slot.id}` needs the flow engine to render it "
                                          "(no expression renderer was given)")
            try:
                result = render(expression, visible)
            except Exception as e:  # noqa: BLE001
                slot.error = f"Cannot render 'expression'. Cause: {_message(e)}"
                return
            if not isinstance(result, (list, tuple)):
                slot.error = f"Invalid expression result. Expected a list of strings, but received {_simple_name(result)}"
                return
            values = [_jstr(v) for v in result if v is not None]

        raw = slot.value
        required = _flag(slot.decl, "required", True)
        if raw is None:
            if required:
                self._invalid(slot, "missing required input", None)
            return
        if kind is None:
            return
        try:
            typed = _parse_value(kind, raw, _item_kind(slot.decl, kind), self.run, slot.id)
        except JavaException as e:
            return self._invalid(slot, e.message if isinstance(e, IllegalArgumentException) else e.to_string(), raw)
        try:
            _validate(kind, slot.decl, typed, values, required, slot.id)
        except _Violation as e:
            return self._invalid(slot, e.message, raw)
        except JavaException as e:
            return self._invalid(slot, e.message if isinstance(e, IllegalArgumentException) else e.to_string(), raw)
        slot.value = _stored(typed)


def resolve_inputs(declarations: list[dict] | None, provided: dict[str, Any] | None, *, storage: Storage,
                   execution_prefix: str, render_condition: Render | None = None,
                   render_expression: Render | None = None) -> ResolvedInputs:
    """The execution's inputs from the flow's `inputs` and the values given for them.

    `provided` holds raw values: strings (`--input k=v`) or typed values (an inputs file, a
    Subflow's `inputs`). FILE inputs given as local paths are copied to
    `<execution_prefix>/inputs/<id>/<file name>` in `storage`. `render_condition(text,
    {"inputs": ...})` renders a `dependsOn.condition` (typed) with the input's dependencies
    visible; `render_expression` (same signature, defaults to `render_condition`) renders the
    `expression` of SELECT and MULTISELECT inputs. Raises InputError for the first invalid input.
    """
    slots: dict[str, _Slot] = {}
    for decl in declarations or ():
        data_id = _data_id(decl)
        if data_id in slots:
            continue  # Kestra keeps the first of two inputs with one id
        kind = _kind(decl, data_id)
        value = (provided or {}).get(data_id)
        slots[data_id] = _Slot(data_id, decl, kind, _default(decl, kind) if value is None else value)

    run = _Run(storage, execution_prefix)
    resolver = _Resolver(slots, run, render_condition, render_expression)
    for slot in slots.values():
        resolver.resolve(slot)
    enabled = [s for s in slots.values() if s.enabled]
    for slot in enabled:
        if slot.error is not None:
            raise InputError(slot.id, slot.error)
    try:
        values = _nest({s.id: s.value for s in enabled})
    except _KeyConflict as e:
        raise InputError(e.key, e.message) from None
    return ResolvedInputs(values, run.secrets, resolver.warnings)


# --------------------------------------------------------------------------- outputs


def resolve_outputs(declarations: list[dict] | None, rendered: dict[str, Any] | None, *,
                    storage: Storage | None = None, execution_prefix: str | None = None) -> dict:
    """The flow's outputs: each declared output's rendered value parsed by its `type`.

    As in Kestra, outputs are not validated (no min/max/values checks), and a null value drops
    the output from the map. SECRET outputs keep their plain value here (see `secret_outputs`).
    Raises OutputError (`Invalid output for `<id>`, ...`) for the first value that does not parse.
    """
    results: dict[str, Any] = {}
    run = _Run(storage, execution_prefix)
    for decl in declarations or ():
        out_id = decl.get("id")
        kind = _kind(decl, str(out_id), OutputError)
        current = (rendered or {}).get(out_id)
        if kind is None:
            results[out_id] = current
            continue
        try:
            typed = _parse_value(kind, current, None, run, out_id)
        except JavaException as e:
            raise OutputError(out_id, f"Invalid output for `{out_id}`, {e.message}, but received "
                                      f"`{_jstr(current)}`") from None
        results[out_id] = _stored(typed)
    # a java.util.HashMap, through Kestra's mapper, which drops null values
    kept = [(k, v) for k, v in results.items() if v is not None]
    return JavaHashMap.of(kept, hashmap_capacity(len(results)))


def secret_outputs(declarations: list[dict] | None, values: dict) -> set[str]:
    """The values of SECRET outputs, to mask like secret inputs."""
    secrets = set()
    for decl in declarations or ():
        value = values.get(decl.get("id"))
        if decl.get("type") == "SECRET" and isinstance(value, str) and value:
            secrets.add(value)
    return secrets
