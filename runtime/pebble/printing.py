"""How values become text, exactly as Kestra prints them: Java's `toString` (for `~`, `+`,
`join`, ...), Jackson's compact JSON (for maps and lists in `{{ }}`), and the print writer."""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..java_text import JavaInstant, JavaTime
from .values import Float32, Instant, JChar, MapEntry, to_float32


# --------------------------------------------------------------------------- numbers


def _layout(digits: str, exponent: int, negative: bool) -> str:
    """Java's Double/Float.toString layout for a value digits * 10**exponent, where
    `digits` has no leading zeros: plain between 1e-3 and 1e7, else d.dddE±n."""
    sign = "-" if negative else ""
    point = len(digits) + exponent  # position of the decimal point within the digits
    magnitude = point - 1  # scientific exponent
    if -3 <= magnitude < 7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{magnitude}"


def _shortest(x: float, float32: bool) -> tuple[str, int]:
    if float32:
        for precision in range(1, 10):
            text = f"{x:.{precision - 1}e}"
            if to_float32(float(text)) == x:
                break
    else:
        text = repr(x)
    sign, digits, exponent = Decimal(text).as_tuple()
    digits = "".join(map(str, digits)).lstrip("0") or "0"
    trailing = len(digits) - len(digits.rstrip("0"))
    return digits.rstrip("0") or "0", exponent + trailing


def java_double(x: float, float32: bool = False) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    digits, exponent = _shortest(abs(x), float32)
    return _layout(digits, exponent, x < 0)


def java_number(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Float32):
        return java_double(float(v), float32=True)
    if isinstance(v, float):
        return java_double(v)
    if isinstance(v, Decimal):
        return str(v)  # BigDecimal.toString: same rules as Python's Decimal
    return str(int(v))


def plain_decimal(v: Decimal) -> str:
    """BigDecimal.toPlainString()"""
    return format(v, "f")


# --------------------------------------------------------------------------- dates


def java_local_time(t) -> str:
    """LocalTime.toString() of a time (or of a datetime's time): HH:mm, then :ss and the fraction
    (in groups of 3) when non-zero."""
    return str(JavaTime.of(t))


def iso_local_time(t) -> str:
    """DateTimeFormatter.ISO_LOCAL_TIME (how Jackson writes a LocalTime): seconds always, the
    fraction without trailing zeros."""
    return JavaTime.of(t).iso()


def iso_instant(dt: datetime) -> str:
    """Instant.toString(), which is also ISO_INSTANT, of an aware datetime: UTC, `Z`, the fraction
    in groups of 3, a 4-digit year."""
    return str(JavaInstant.of(dt))


def offset_id(seconds: int) -> str:
    """ZoneOffset.getId() (how toString, ISO formats and zone ids print an offset): `Z`,
    `+02:00`, `-05:30:15`; the seconds only when there are some."""
    if seconds == 0:
        return "Z"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return ("-" if seconds < 0 else "+") + f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _offset(dt: datetime) -> str:
    offset = dt.utcoffset()
    return "" if offset is None else offset_id(int(offset.total_seconds()))


def java_datetime(dt: datetime) -> str:
    """toString() of an Instant, ZonedDateTime, OffsetDateTime or LocalDateTime."""
    if isinstance(dt, Instant):
        return iso_instant(dt)
    text = f"{dt.date().isoformat()}T{java_local_time(dt.time())}"
    if dt.tzinfo is None:
        return text
    text += _offset(dt)
    if isinstance(dt.tzinfo, ZoneInfo):
        text += f"[{dt.tzinfo.key}]"
    return text


def java_duration(d: timedelta) -> str:
    """Duration.toString()"""
    from ..durations import format_duration  # one implementation for templates and the engine

    return format_duration(d)


def _json_datetime(dt: datetime) -> str:
    if dt.tzinfo is None:
        return f"{dt.date().isoformat()}T{iso_local_time(dt)}"
    return iso_instant(dt)  # Jackson writes zoned values in the server's zone (UTC)


# --------------------------------------------------------------------------- toString and JSON


def to_string(v) -> str:
    """Java's String.valueOf(v)."""
    if v is None:
        return "null"
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or isinstance(v, (int, float, Decimal)):
        return java_number(v)
    if isinstance(v, MapEntry):
        return f"{to_string(v[0])}={to_string(v[1])}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[" + ", ".join(to_string(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{to_string(k)}={to_string(x)}" for k, x in v.items()) + "}"
    if isinstance(v, datetime):
        return java_datetime(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return java_local_time(v)
    if isinstance(v, timedelta):
        return java_duration(v)
    return str(v)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def json_string(s: str) -> str:
    out = []
    for c in s:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def to_json(v) -> str:
    """Jackson's compact JSON, with Kestra's mapper settings (null map values dropped)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, Decimal)):
        return java_number(v)
    if isinstance(v, str):
        return json_string(v)
    if isinstance(v, MapEntry):
        return "{" + json_string(to_string(v[0])) + ":" + to_json(v[1]) + "}"
    if isinstance(v, dict):
        parts = []
        for k, x in v.items():
            if x is None:
                continue
            if k is None:
                from .errors import RenderError

                raise RenderError("Null key for a Map not allowed in JSON")
            parts.append(json_string(to_string(k)) + ":" + to_json(x))
        return "{" + ",".join(parts) + "}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[" + ",".join(to_json(x) for x in v) + "]"
    if isinstance(v, datetime):
        return json_string(_json_datetime(v))
    if isinstance(v, date):
        return json_string(v.isoformat())
    if isinstance(v, time):
        return json_string(iso_local_time(v))
    if isinstance(v, timedelta):
        micros = (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
        sign = "-" if micros < 0 else ""
        seconds, fraction = divmod(abs(micros), 1_000_000)
        return f"{sign}{seconds}.{fraction * 1000:09d}"
    if isinstance(v, bytes):
        import base64

        return json_string(base64.b64encode(v).decode("ascii"))
    return json_string(str(v))


def output(v) -> str:
    """What `{{ v }}` writes."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, Decimal):
        return plain_decimal(v)
    if isinstance(v, (bool, int, float)):
        return java_number(v)
    if isinstance(v, (dict, list, tuple, set, frozenset, bytes)) and not isinstance(v, MapEntry):
        return to_json(v)
    return to_string(v)


__all__ = ["java_double", "java_number", "to_string", "to_json", "output", "json_string", "plain_decimal", "JChar"]
