"""Variables for `flowc eval`, read from a JSON or YAML file as Kestra would hold them:
integers that fit 32 bits are Integers (as Jackson reads JSON), dates stay ISO strings."""
from __future__ import annotations

import json
from pathlib import Path

from runtime.pebble.values import Int32

from .diagnostics import Reporter
from .source import parse_bytes, to_data


class ContextError(Exception):
    """The context file cannot be read as a mapping."""


def load_context(path: str) -> dict:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ContextError(f"cannot read {path}: {e.strerror or e}") from None
    if path.endswith(".json"):
        try:
            value = json.loads(data)
        except (ValueError, UnicodeDecodeError) as e:
            raise ContextError(f"{path} is not valid JSON: {e}") from None
    else:
        reporter = Reporter(path)
        source = parse_bytes(data, reporter, path)
        if reporter.diagnostics:
            d = reporter.diagnostics[0]
            where = f":{d.span.line}:{d.span.column}" if d.span else ""
            raise ContextError(f"{path}{where}: {d.message}")
        value = to_data(source.documents[0].root) if source.documents else None
    if not isinstance(value, dict):
        raise ContextError(f"{path} must hold a mapping of variables")
    return java_values(value)


def java_values(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Int32(value) if -(2**31) <= value < 2**31 else value
    if isinstance(value, list):
        return [java_values(v) for v in value]
    if isinstance(value, dict):
        return {str(k): java_values(v) for k, v in value.items()}
    return value
