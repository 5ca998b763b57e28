"""Typed readers of a task's rendered properties, with one wording for what is wrong.

Kestra converts a rendered property to its declared type with Jackson (`Property.as`): an empty
string is no value (the default applies), `true`/`false` may be written as strings, numbers
as text. A value that does not convert fails the task with

    Missing required property 'key'
    Invalid value 'maybe' for property 'errorOnMissing': expected true or false

`name` arguments let a nested property be named in full (`namespaceFiles.enabled`).
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from ..pebble.printing import output
from ..task import TaskFailed

Props = Mapping[str, Any]

_SHOWN_LIMIT = 200  # characters of a bad value quoted in a message


def kind(value: Any) -> str:
    """What a value is, for messages: "an object", "a list", "a string", ..."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__)


def text(value: Any) -> str:
    """A value as text, as `{{ value }}` prints it (maps and lists as JSON, Java's numbers)."""
    return value if isinstance(value, str) else output(value)


def missing(name: str) -> TaskFailed:
    return TaskFailed(f"Missing required property '{name}'")


def invalid(name: str, value: Any, expected: str, detail: str | None = None) -> TaskFailed:
    """The failure for a value of property `name` that is not what was `expected`."""
    shown = text(value)
    if len(shown) > _SHOWN_LIMIT:
        shown = shown[:_SHOWN_LIMIT] + "..."
    return TaskFailed(f"Invalid value '{shown}' for property '{name}': expected {expected}"
                      + (f" ({detail})" if detail else ""))


def _absent(value: Any) -> bool:
    return value is None or value == ""


def required(props: Props, key: str) -> Any:
    """The value of a required property, as it is."""
    value = props.get(key)
    if value is None:
        raise missing(key)
    return value


def required_text(props: Props, key: str) -> str:
    return text(required(props, key))


def optional_text(props: Props, key: str, default: str | None = None) -> str | None:
    value = props.get(key)
    return default if value is None else text(value)


def flag(props: Props, key: str, default: bool, name: str | None = None) -> bool:
    """A boolean property: true/false (any case, as strings too); absent or empty: `default`."""
    value = props.get(key)
    if _absent(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid(name or key, value, "true or false")


def integer(props: Props, key: str, default: int | None = None, name: str | None = None) -> int | None:
    """An integer property (a number, or its text); absent or empty: `default`."""
    value = props.get(key)
    if _absent(value):
        return default
    if isinstance(value, bool):
        raise invalid(name or key, value, "an integer")
    if isinstance(value, int):
        return int(value)
    try:
        return int(text(value).strip())
    except ValueError:
        raise invalid(name or key, value, "an integer") from None


def choice(props: Props, key: str, choices: Iterable[str], default: str | None,
           name: str | None = None) -> str | None:
    """An enumerated property, upper-cased as Kestra's enums are read; absent: `default`."""
    value = props.get(key)
    if _absent(value):
        return default
    found = text(value).strip().upper()
    choices = tuple(choices)
    if found not in choices:
        raise invalid(name or key, value, "one of " + ", ".join(choices))
    return found


def string_list(props: Props, key: str, required: bool = False, default: list[str] | None = None,
                name: str | None = None) -> list[str]:
    """A list of strings; a string is a JSON list (a rendered expression) or one item. Null
    items are dropped, others are printed as text."""
    name = name or key
    value = props.get(key)
    if value is None:
        if required:
            raise missing(name)
        return list(default or [])
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        value = parsed if isinstance(parsed, list) else [value]
    if not isinstance(value, (list, tuple)):
        raise invalid(name, value, "a list of strings")
    return [text(item) for item in value if item is not None]
