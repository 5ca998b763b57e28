"""The JDBC tasks' rendered properties, read as Kestra converts them (`Property.as`): the
readers every task uses (runtime/tasks/props.py), and those only JDBC needs: strict strings,
single characters, maps, and the fetch type."""
from __future__ import annotations

import json
from typing import Any, Mapping

from ..task import TaskFailed
from ..tasks.props import choice, flag, integer, invalid, string_list

Props = Mapping[str, Any]

FETCH_TYPES = ("FETCH", "FETCH_ONE", "STORE", "NONE")

__all__ = ["char", "choice", "fetch_type", "flag", "integer", "invalid", "mapping", "required_text", "string_list",
           "text"]


def text(props: Props, key: str, default: str | None = None) -> str | None:
    """A string property; a map or a list is refused (it would print as JSON)."""
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


def char(props: Props, key: str) -> str | None:
    """A Character property: exactly one character."""
    value = props.get(key)
    if value is None:
        return None
    value = str(value)
    if len(value) != 1:
        raise invalid(key, value, "a single character")
    return value


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
