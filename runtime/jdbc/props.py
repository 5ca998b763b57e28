"""The JDBC tasks' rendered properties, read as Kestra converts them (`Property.as`): an absent
or empty value takes the default, booleans and numbers may be written as text, enums in any
case. A value that does not convert fails the task, naming the property."""
from __future__ import annotations

import json
from typing import Any, Mapping

from ..task import TaskFailed

Props = Mapping[str, Any]

FETCH_TYPES = ("FETCH", "FETCH_ONE", "STORE", "NONE")


def _absent(value: Any) -> bool:
    return value is None or value == ""


def invalid(key: str, value: Any, expected: str) -> TaskFailed:
    shown = value if isinstance(value, str) else json.dumps(value, default=str)
    return TaskFailed(f"Invalid value '{shown}' for property '{key}': expected {expected}")


def text(props: Props, key: str, default: str | None = None) -> str | None:
    value = props.get(key)
    if value is None:
        return default
    if isinstance(value, (dict, list)):
        raise invalid(key, value, "a string")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def required_text(props: Props, key: str) -> str:
    value = text(props, key)
    if value is None:
        raise TaskFailed(f"Missing required property '{key}'")
    return value


def flag(props: Props, key: str, default: bool) -> bool:
    value = props.get(key)
    if _absent(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid(key, value, "true or false")


def integer(props: Props, key: str, default: int | None = None) -> int | None:
    value = props.get(key)
    if _absent(value):
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise invalid(key, value, "an integer") from None


def choice(props: Props, key: str, choices: tuple[str, ...], default: str) -> str:
    value = props.get(key)
    if _absent(value):
        return default
    found = str(value).strip().upper()
    if found not in choices:
        raise invalid(key, value, "one of " + ", ".join(choices))
    return found


def char(props: Props, key: str) -> str | None:
    """A Character property: exactly one character."""
    value = props.get(key)
    if value is None:
        return None
    value = str(value)
    if len(value) != 1:
        raise invalid(key, value, "a single character")
    return value


def string_list(props: Props, key: str) -> list[str]:
    """A list of strings (a JSON list as text, or one string, when rendered from an expression)."""
    value = props.get(key)
    if _absent(value):
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        value = parsed if isinstance(parsed, list) else [value]
    if not isinstance(value, list):
        raise invalid(key, value, "a list of strings")
    return [str(v) for v in value if v is not None]


def mapping(props: Props, key: str) -> dict[str, Any] | None:
    """A map property (a JSON object as text when rendered from an expression); absent: None."""
    value = props.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            raise invalid(key, value, "a map of names to values") from None
    if not isinstance(value, dict):
        raise invalid(key, value, "a map of names to values")
    return {str(k): v for k, v in value.items()}


def fetch_type(props: Props) -> str:
    """The fetch type: the deprecated `fetch`, `fetchOne` and `store` flags first, in Kestra's
    order, then `fetchType` (default NONE)."""
    for key, kind in (("fetch", "FETCH"), ("fetchOne", "FETCH_ONE"), ("store", "STORE")):
        if flag(props, key, False):
            return kind
    return choice(props, "fetchType", FETCH_TYPES, "NONE")
