"""KV store tasks (`io.kestra.plugin.core.kv.*`): Set, Get, Delete, GetKeys.

They use the run's store, `ctx.services.kv_store` (a `runtime.kvstore.KVStore`). `namespace`
defaults to the flow's namespace.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from ..durations import parse_duration
from ..kvstore import KV_TYPES, KVStore, KVStoreError
from ..pebble.printing import output
from ..pebble.values import INT_MAX, INT_MIN, Instant, Int32
from ..task import TaskFailed, TaskRunContext

# Java's Instant.parse (ISO_INSTANT): date, 'T', hours:minutes[:seconds[.fraction]], Z or offset.
_INSTANT = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.(\d{1,9}))?)?)(Z|[+-]\d{2}:\d{2}(?::\d{2})?)"
)
_ISO_DURATION = re.compile(r"[-+]?P.*", re.IGNORECASE)


def kv_store(ctx: TaskRunContext) -> KVStore:
    store = getattr(ctx.services, "kv_store", None)
    if store is None:
        raise TaskFailed("No KV store is available in this run")
    return store


def _text(value: Any) -> str:
    return value if isinstance(value, str) else output(value)


def _namespace(ctx: TaskRunContext) -> str:
    namespace = ctx.props.get("namespace")
    return ctx.ids.namespace if namespace is None else _text(namespace)


def _required_string(ctx: TaskRunContext, name: str) -> str:
    value = ctx.props.get(name)
    if value is None:
        raise TaskFailed(f"Missing required property '{name}'")
    return _text(value)


def _flag(ctx: TaskRunContext, name: str, default: bool) -> bool:
    value = ctx.props.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise TaskFailed(f"Invalid value '{value}' for property '{name}': expected true or false")


def run_set(ctx: TaskRunContext) -> dict:
    key = _required_string(ctx, "key")
    if "value" not in ctx.props:
        raise TaskFailed("Missing required property 'value'")
    # the engine renders `value` typed: a pure expression keeps its type (Kestra's renderTyped)
    value = ctx.props["value"]
    kv_type = ctx.props.get("kvType")
    if kv_type is not None:
        kv_type = _text(kv_type).upper()
        if kv_type not in KV_TYPES:
            raise TaskFailed(f"Invalid kvType '{ctx.props['kvType']}': expected one of {', '.join(KV_TYPES)}")
        if isinstance(value, str):
            value = convert(value, kv_type)
    ttl = None
    if ctx.props.get("ttl") is not None:
        ttl = parse_duration(ctx.props["ttl"])
        if ttl is None:
            raise TaskFailed(f"Invalid duration '{ctx.props['ttl']}' for property 'ttl'")
    description = ctx.props.get("kvDescription")
    try:
        kv_store(ctx).set(
            _namespace(ctx),
            key,
            value,
            ttl=ttl,
            overwrite=_flag(ctx, "overwrite", True),
            description=None if description is None else _text(description),
        )
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    return {}


def convert(text: str, kv_type: str) -> Any:
    """A string value converted to `kvType` as Kestra's Set task does."""
    if kv_type == "NUMBER":
        try:
            number = json.loads(text, parse_int=_java_int)
        except ValueError:
            number = None
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise TaskFailed(f"Cannot convert '{text}' to a NUMBER")
        return number
    if kv_type == "BOOLEAN":
        return text.lower() == "true"  # Boolean.parseBoolean: anything else is false
    if kv_type in ("DATETIME", "DATE"):
        # Kestra parses both as an Instant
        return _instant(text, kv_type)
    if kv_type == "DURATION":
        parsed = parse_duration(text) if _ISO_DURATION.fullmatch(text.strip()) else None
        if parsed is None:
            raise TaskFailed(f"Cannot convert '{text}' to a DURATION: expected an ISO-8601 duration such as PT1H30M")
        return parsed
    if kv_type == "JSON":
        try:
            return json.loads(text, parse_int=_java_int)
        except ValueError as e:
            raise TaskFailed(f"Cannot convert '{text}' to JSON: {e}") from None
    return text


def _java_int(text: str) -> int:
    n = int(text)
    return Int32(n) if INT_MIN <= n <= INT_MAX else n


def _instant(text: str, kv_type: str) -> Instant:
    m = _INSTANT.fullmatch(text)
    if not m:
        raise TaskFailed(
            f"Cannot convert '{text}' to a {kv_type}: expected an ISO-8601 instant such as 2024-01-31T10:15:30Z"
        )
    day, clock, fraction, offset = m.groups()
    if fraction:
        clock = clock[: clock.index(".")] + "." + fraction[:6].ljust(6, "0")
    if len(clock) == 5:
        clock += ":00"
    zone = "+00:00" if offset == "Z" else offset
    try:
        moment = datetime.fromisoformat(f"{day}T{clock}{zone}").astimezone(timezone.utc)
    except ValueError:
        raise TaskFailed(f"Cannot convert '{text}' to a {kv_type}: not a valid date and time") from None
    return Instant(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                   moment.microsecond, tzinfo=timezone.utc)


def run_get(ctx: TaskRunContext) -> dict:
    namespace = _namespace(ctx)
    key = _required_string(ctx, "key")
    try:
        found = kv_store(ctx).entry(namespace, key)
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    if found is None and _flag(ctx, "errorOnMissing", False):
        raise TaskFailed(
            f"No value found for key '{key}' in namespace '{namespace}' and `errorOnMissing` is set to true"
        )
    return {"value": None if found is None else found.value}


def run_delete(ctx: TaskRunContext) -> dict:
    namespace = _namespace(ctx)
    key = _required_string(ctx, "key")
    try:
        deleted = kv_store(ctx).delete(namespace, key)
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    if not deleted and _flag(ctx, "errorOnMissing", False):
        raise TaskFailed(
            f"No value found for key '{key}' in namespace '{namespace}' and `errorOnMissing` is set to true"
        )
    return {"deleted": deleted}


def run_get_keys(ctx: TaskRunContext) -> dict:
    prefix = ctx.props.get("prefix")
    try:
        keys = kv_store(ctx).keys(_namespace(ctx), None if prefix is None else _text(prefix))
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    return {"keys": keys}


TASKS = {
    "io.kestra.plugin.core.kv.Set": run_set,
    "io.kestra.plugin.core.kv.Get": run_get,
    "io.kestra.plugin.core.kv.Delete": run_delete,
    "io.kestra.plugin.core.kv.GetKeys": run_get_keys,
}
