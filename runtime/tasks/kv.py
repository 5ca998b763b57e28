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
from ..pebble.values import INT_MAX, INT_MIN, Instant, Int32
from ..task import TaskFailed, TaskRunContext
from .props import choice, flag, invalid, missing, optional_text, required_text

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


def _namespace(ctx: TaskRunContext) -> str:
    return optional_text(ctx.props, "namespace", ctx.ids.namespace)


def run_set(ctx: TaskRunContext) -> dict:
    key = required_text(ctx.props, "key")
    if "value" not in ctx.props:
        raise missing("value")
    # the engine renders `value` typed: a pure expression keeps its type (Kestra's renderTyped)
    value = ctx.props["value"]
    kv_type = choice(ctx.props, "kvType", KV_TYPES, None)
    if kv_type is not None and isinstance(value, str):
        value = convert(value, kv_type)
    ttl = None
    if ctx.props.get("ttl") is not None:
        ttl = parse_duration(ctx.props["ttl"])
        if ttl is None:
            raise invalid("ttl", ctx.props["ttl"], "a duration such as PT1H30M")
    try:
        kv_store(ctx).set(
            _namespace(ctx),
            key,
            value,
            ttl=ttl,
            overwrite=flag(ctx.props, "overwrite", True),
            description=optional_text(ctx.props, "kvDescription"),
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
    namespace, key = _namespace(ctx), required_text(ctx.props, "key")
    try:
        found = kv_store(ctx).entry(namespace, key)
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    if found is None:
        _check_missing(ctx, namespace, key)
    return {"value": None if found is None else found.value}


def run_delete(ctx: TaskRunContext) -> dict:
    namespace, key = _namespace(ctx), required_text(ctx.props, "key")
    try:
        deleted = kv_store(ctx).delete(namespace, key)
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    if not deleted:
        _check_missing(ctx, namespace, key)
    return {"deleted": deleted}


def _check_missing(ctx: TaskRunContext, namespace: str, key: str) -> None:
    """A key that is not there fails Get and Delete when `errorOnMissing` says so."""
    if flag(ctx.props, "errorOnMissing", False):
        raise TaskFailed(
            f"No value found for key '{key}' in namespace '{namespace}' and `errorOnMissing` is set to true"
        )


def run_get_keys(ctx: TaskRunContext) -> dict:
    try:
        keys = kv_store(ctx).keys(_namespace(ctx), optional_text(ctx.props, "prefix"))
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    return {"keys": keys}


TASKS = {
    "io.kestra.plugin.core.kv.Set": run_set,
    "io.kestra.plugin.core.kv.Get": run_get,
    "io.kestra.plugin.core.kv.Delete": run_delete,
    "io.kestra.plugin.core.kv.GetKeys": run_get_keys,
}
