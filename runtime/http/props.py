"""The readers of the HTTP tasks' own property shapes: durations as socket timeouts and maps
that may be written as JSON text. (Flags are the shared runtime/tasks/props.py readers.)"""
from __future__ import annotations

import json
from typing import Any

from ..durations import parse_duration
from ..task import TaskFailed


def seconds(value: Any, name: str, default: float | None) -> float | None:
    """A timeout in seconds for a socket; None waits forever (Kestra's zero duration)."""
    if value is None or value == "":
        return default
    duration = parse_duration(value)
    if duration is None:
        raise TaskFailed(f"`{name}` is not a duration: `{value}`")
    total = duration.total_seconds()
    if total < 0:
        raise TaskFailed(f"`{name}` must not be negative: `{value}`")
    return total or None


def mapping(value: Any, name: str) -> dict:
    """A map, or a JSON object as text (a rendered expression); absent or empty: {}."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise TaskFailed(f"`{name}` is neither a map nor a JSON object: `{value}`") from None
    if not isinstance(value, dict):
        raise TaskFailed(f"`{name}` must be a map")
    return value
