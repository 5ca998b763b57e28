"""Durations as Kestra reads them: ISO-8601 (Java's `Duration.parse`: days, hours, minutes,
seconds, each optionally signed, case-insensitive) or a number of seconds."""
from __future__ import annotations

import re
from datetime import timedelta

_ISO = re.compile(
    r"([-+]?)P(?:([-+]?[0-9]+)D)?"
    r"(?:T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?",
    re.IGNORECASE,
)
_SECONDS = re.compile(r"-?\d+(\.\d+)?")


def parse_duration(value) -> timedelta | None:
    """The duration `value` stands for, or None when it is not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _SECONDS.fullmatch(text):
        return timedelta(seconds=float(text))
    m = _ISO.fullmatch(text)
    if not m or text.upper().endswith("T") or not any(m.group(i) for i in (2, 3, 4, 5)):
        return None
    sign, days, hours, minutes, seconds, fraction = m.groups()
    total = timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(seconds or 0),
    )
    if fraction:
        nanos = int(fraction.ljust(9, "0"))
        total += timedelta(microseconds=(-1 if (seconds or "").startswith("-") else 1) * nanos / 1000)
    return -total if sign == "-" else total


def format_duration(delta: timedelta) -> str:
    """Java's `Duration.toString()` form: PT1H30M, PT0.5S, PT48H."""
    total = delta.total_seconds()
    if total == 0:
        return "PT0S"
    sign = "-" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{sign}{int(hours)}H"
    if minutes:
        out += f"{sign}{int(minutes)}M"
    if seconds:
        text = f"{seconds:.9f}".rstrip("0").rstrip(".")
        out += f"{sign}{text}S"
    return out
