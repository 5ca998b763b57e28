"""Java semantics shared by Kestra's filters (`filters_kestra`) and the engines behind them
(`jq`, `yaml_writer`, `ion_writer`): which Python values a Java cast accepts and the
exceptions it throws, `Double.parseDouble` failing as a template error, and the ISO texts
Jackson writes for java.time values and the fields it writes for a map.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..java_text import NumberFormatException, parse_double
from .errors import RenderError
from .printing import iso_instant, offset_id, to_string
from .printing import iso_local_time as _iso_time  # the name ion_writer imports
from .values import (
    LONG_MAX, LONG_MIN, URI, Instant, Int32, JArray, JavaHashMap, JChar, MapEntry, class_name, hashmap_capacity,
)


MAX_TEXT = 10_000_000  # a safety limit on built strings (Java would run out of memory)

# --------------------------------------------------------------------------- Java type checks


def _is_string(v) -> bool:
    """A java.lang.String (a Character or a URI is a str in Python, not a String in Java)."""
    return isinstance(v, str) and not isinstance(v, (JChar, URI))


def _is_list(v) -> bool:
    """A java.util.List (tuples stand for immutable lists; Java arrays are not lists)."""
    return isinstance(v, (list, tuple)) and not isinstance(v, (JArray, MapEntry))


def _cast_error(v, target: str) -> RenderError:
    return RenderError(f"ClassCastException: class {class_name(v)} cannot be cast to class {target}")


def _null_error(what: str) -> RenderError:
    return RenderError(f'NullPointerException: Cannot invoke a method because "{what}" is null')


def _string_arg(v, what: str) -> str:
    """Java's `(String) args.get(what)` followed by a use of the string."""
    if v is None:
        raise _null_error(what)
    if not _is_string(v):
        raise _cast_error(v, "java.lang.String")
    return v


def _long_arg(v, what: str) -> int:
    """Java's `(Long) args.get(what)`: Integers (JSON data, `length`) fail, literals pass."""
    if v is None:
        raise _null_error(what)
    if isinstance(v, (bool, Int32)) or not isinstance(v, int) or not LONG_MIN <= v <= LONG_MAX:
        raise _cast_error(v, "java.lang.Long")
    return int(v)


def _hashmap(items: list[tuple]) -> JavaHashMap:
    """A `new HashMap<>()` filled with `items` (distinct keys)."""
    return JavaHashMap.of(items, hashmap_capacity(len(items)))


# --------------------------------------------------------------------------- Java number parsing


def _parse_double(text: str) -> float:
    """Double.parseDouble, its NumberFormatException as the RenderError Kestra reports."""
    try:
        return parse_double(text)
    except NumberFormatException as e:
        raise RenderError(f"NumberFormatException: {e.message}") from None


# --------------------------------------------------------------------------- ISO texts of java.time values


def iso_text(v, zone_id: bool = False) -> str:
    """The text Jackson's java.time serialisers write: ISO_INSTANT, ISO_OFFSET_DATE_TIME (or
    ISO_ZONED_DATE_TIME with `zone_id`), ISO_LOCAL_DATE_TIME, ISO_LOCAL_DATE, ISO_LOCAL_TIME."""
    if isinstance(v, Instant):
        return iso_instant(v)
    if isinstance(v, datetime):
        text = f"{v.date().isoformat()}T{_iso_time(v)}"
        if v.tzinfo is None:
            return text
        text += offset_id(int(v.utcoffset().total_seconds()))
        return text + (f"[{v.tzinfo.key}]" if zone_id and isinstance(v.tzinfo, ZoneInfo) else "")
    if isinstance(v, date):
        return v.isoformat()
    return _iso_time(v)


def _duration_seconds(d: timedelta) -> Decimal:
    """A Duration as Jackson writes it by default: decimal seconds with nine digits."""
    micros = (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
    return Decimal(micros * 1000).scaleb(-9)


def _map_key(k) -> str:
    if k is None:
        raise RenderError("Null key for a Map not allowed in JSON (use a converting NullKeySerializer?)")
    return to_string(k)


def _entries(v) -> list[tuple[str, object]]:
    """The fields Jackson writes for a map (or a Map.Entry)."""
    pairs = [tuple(v)] if isinstance(v, MapEntry) else v.items()
    return [(_map_key(k), x) for k, x in pairs]
