"""Durations as Kestra reads them: ISO-8601 (Java's `Duration.parse`: days, hours, minutes,
seconds, each optionally signed, case-insensitive) or a number of seconds; as timedeltas."""
from __future__ import annotations

import re
from datetime import timedelta

from .java_text import DateTimeParseException, JavaDuration, parse_java_duration

_SECONDS = re.compile(r"-?\d+(\.\d+)?")


def parse_duration(value) -> timedelta | None:
    """The duration `value` stands for, or None when it is not a duration."""
    # lenient on purpose (numbers of seconds, spaces, None); java_text.parse_java_duration is Java's strict parser
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _SECONDS.fullmatch(text):
        return timedelta(seconds=float(text))
    try:
        return parse_java_duration(text).to_timedelta()
    except DateTimeParseException:
        return None


def format_duration(delta: timedelta) -> str:
    """Java's `Duration.toString()`: PT1H30M, PT0.5S, PT48H."""
    return str(JavaDuration.of(delta))


def format_hms(seconds: float) -> str:
    """`H:MM:SS.mmm`, as Kestra words elapsed times in its messages (a timeout, a copy)."""
    millis = int(seconds * 1000)
    return f"{millis // 3_600_000}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"
