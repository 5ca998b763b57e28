"""The time zone of a JDBC task: its `timeZoneId` (Java's ZoneId.of: a region such as
Europe/Paris, UTC, or an offset such as +02:00), else the machine's zone, as Kestra takes
the worker's default zone."""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..task import TaskFailed

_OFFSET = re.compile(r"(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?")


class FixedZone(tzinfo):
    """A ZoneId that is a fixed offset (`+02:00`): datetimes in it are ZonedDateTimes, unlike
    those with a `datetime.timezone`, which stand for OffsetDateTimes."""

    def __init__(self, offset: timedelta, name: str) -> None:
        self._offset, self._name = offset, name

    def utcoffset(self, dt) -> timedelta:
        return self._offset

    def dst(self, dt) -> timedelta:
        return timedelta(0)

    def tzname(self, dt) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"FixedZone({self._name!r})"


def zone_of(zone_id: str) -> tzinfo:
    """ZoneId.of(zone_id), or the task fails with Java's words."""
    text = str(zone_id).strip()
    if text == "Z":
        return FixedZone(timedelta(0), "Z")
    offset = _OFFSET.fullmatch(text)
    if offset:
        sign, hours, minutes, seconds = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0), seconds=int(seconds or 0))
        if delta > timedelta(hours=18):
            raise TaskFailed(f"Zone offset not in valid range: {text}")
        return FixedZone(-delta if sign == "-" else delta, text)
    try:
        if "/" in text or text in ("UTC", "GMT", "UT") or text.isalpha():
            return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise TaskFailed(f"Unknown time-zone ID: {text}")


def system_zone() -> tzinfo:
    """The machine's time zone, by name when it has one (TZ, /etc/localtime)."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.path.realpath("/etc/localtime")
        except OSError:
            target = ""
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")


def task_zone(time_zone_id: object) -> tzinfo:
    return system_zone() if time_zone_id is None or time_zone_id == "" else zone_of(str(time_zone_id))


def zone_name(zone: tzinfo) -> str | None:
    """The region name of `zone`, if it has one (what a database session can be given: an
    offset such as +02:00 would be read by PostgreSQL as a POSIX zone, west of Greenwich)."""
    return zone.key if isinstance(zone, ZoneInfo) else None
