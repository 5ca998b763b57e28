"""The Amazon Ion text of a value, as Kestra's `toIon` filter produces it: Jackson's Ion
mapper over ion-java's compact text writer (symbols unquoted when they can be, floats and
decimals in Ion notation, java.time values annotated with their type). Entry point:
`to_ion_text`.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from .java import _duration_seconds, _entries, iso_text, _iso_time
from .printing import java_double
from .values import Instant, MapEntry


_ION_ESCAPES = {c: "\\" + e for c, e in zip("\0\a\b\t\n\v\f\r\\", "0abtnvfr\\")}
_ION_KEYWORDS = re.compile(r"null|true|false|nan|\$[0-9]+")


def _ion_chars(text: str, quote: str) -> str:
    out = []
    for c in text:
        o = ord(c)
        if c in _ION_ESCAPES or c == quote:
            out.append(_ION_ESCAPES.get(c, "\\" + c))
        elif o < 0x20 or 0x7F <= o <= 0x9F:
            out.append(f"\\x{o:02x}")
        else:
            out.append(c)
    return "".join(out)


def ion_symbol(text: str) -> str:
    if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", text) and not _ION_KEYWORDS.fullmatch(text):
        return text
    return "'" + _ion_chars(text, "'") + "'"


def _ion_float(x: float) -> str:
    if x == 0:
        return "-0e0" if math.copysign(1, x) < 0 else "0e0"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "+inf" if x > 0 else "-inf"
    text = java_double(x)
    if text.endswith(".0"):
        return text[:-2] + "e0"
    return text if "E" in text else text + "e0"


def _ion_decimal(d: Decimal) -> str:
    sign, digits, exponent = d.as_tuple()
    unscaled = str(int("".join(map(str, digits))))
    sign_text = "-" if sign and d != 0 else ""
    scale = -exponent
    if scale == 0:
        return f"{sign_text}{unscaled}."
    if scale < 0:
        return f"{sign_text}{unscaled}d{-scale}"
    adjusted = len(unscaled) - 1 - scale
    if adjusted >= 0:
        whole = len(unscaled) - scale
        return f"{sign_text}{unscaled[:whole]}.{unscaled[whole:]}"
    if adjusted >= -6:
        return f"{sign_text}0.{'0' * (scale - len(unscaled))}{unscaled}"
    return f"{sign_text}{unscaled}d-{scale}"


def to_ion_text(v) -> str:
    """Ion text as Kestra's Ion mapper writes it (ion-java's compact text writer)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _ion_float(float(v))  # a Float is widened to a double
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, Decimal):
        return _ion_decimal(v)
    if isinstance(v, str):
        return '"' + _ion_chars(v, '"') + '"'
    if isinstance(v, (dict, MapEntry)):
        return "{" + ",".join(f"{ion_symbol(k)}:{to_ion_text(x)}" for k, x in _entries(v)) + "}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[" + ",".join(to_ion_text(x) for x in v) + "]"
    if isinstance(v, Instant):
        u = v.astimezone(timezone.utc)
        return f"{u.date().isoformat()}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond // 1000:03d}Z"
    if isinstance(v, datetime):
        kind = "ZonedDateTime" if v.tzinfo else "LocalDateTime"
        return f'{kind}::"{iso_text(v, zone_id=True)}"'
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return f'LocalTime::"{_iso_time(v)}"'
    if isinstance(v, timedelta):
        return _ion_decimal(_duration_seconds(v))
    return '"' + _ion_chars(str(v), '"') + '"'
