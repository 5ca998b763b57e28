"""Kestra's date filters (`date`, `dateAdd`, `timestamp*`) and the `now()` function
(pebble.md §5.8 and §4.2), with java.time's behaviour.

Every date goes through the same three steps, as in Kestra's `AbstractDate`:

1. the target zone: the `timeZone` argument read like `ZoneId.of` (a region such as
   `Europe/Paris`, an offset such as `+02:00`, `UTC`, `GMT+2`), else the server zone (UTC);
2. the input becomes a zoned date-time (a `_Moment`): an Instant or a Long (epoch seconds)
   at the target zone, a naive datetime (LocalDateTime) at the target zone, a date
   (LocalDate) at noon, an aware datetime (ZonedDateTime) as it is, a String parsed with
   `existingFormat` or as ISO-8601;
3. the result is printed with a `DateTimeFormatter`: a preset name (`iso`, `sql`,
   `iso_date_time`, `full`, ...) or an `ofPattern` pattern, always in the target zone.

Patterns are compiled into small printer-parser elements (`_Num`, `_Text`, `_Offset`, ...)
that both print and parse, following `DateTimeFormatterBuilder.appendPattern`: letter
counts, quoting, optional sections, padding and adjacent-value parsing. Parsing resolves
fields the way java.time does (SMART for patterns, STRICT for the ISO presets).

Limits (Python's datetime): years 1 to 9999, microsecond wall clocks (nanoseconds are
carried beside them). Month and day names exist for English, French, German and Spanish
(other languages use English); the localized styles `full`/`long`/`medium`/`short` use the
en_US patterns of JDK 17; zone names come from the tz database's abbreviations.
"""
from __future__ import annotations

import functools
import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, available_timezones

from .errors import RenderError
from .printing import offset_id
from .signatures import REQUIRED, Param, filter, function
from .values import LONG_MAX, LONG_MIN, URI, Instant, Int32, JChar, class_name, wrap_long

DEFAULT_ZONE = "UTC"  # the JVM default zone of Kestra's server
DEFAULT_LOCALE = "en_US"  # the JVM default locale

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NANOS = 1_000_000_000


# --------------------------------------------------------------------------- locales


@dataclass(frozen=True)
class _Texts:
    """The CLDR names a locale prints (JDK 17)."""

    months: tuple
    months_short: tuple
    days: tuple  # Monday first
    days_short: tuple
    days_narrow: tuple
    ampm: tuple
    eras: tuple  # (BC, AD)
    eras_full: tuple
    eras_narrow: tuple
    quarters_short: tuple
    quarters: tuple


def _split(text: str) -> tuple:
    return tuple(text.split("|"))


_EN = _Texts(
    _split("January|February|March|April|May|June|July|August|September|October|November|December"),
    _split("Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"),
    _split("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"),
    _split("Mon|Tue|Wed|Thu|Fri|Sat|Sun"),
    _split("M|T|W|T|F|S|S"),
    ("AM", "PM"),
    ("BC", "AD"),
    ("Before Christ", "Anno Domini"),
    ("B", "A"),
    _split("Q1|Q2|Q3|Q4"),
    _split("1st quarter|2nd quarter|3rd quarter|4th quarter"),
)

_TEXTS = {
    "en": _EN,
    "fr": _Texts(
        _split("janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"),
        _split("janv.|févr.|mars|avr.|mai|juin|juil.|août|sept.|oct.|nov.|déc."),
        _split("lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"),
        _split("lun.|mar.|mer.|jeu.|ven.|sam.|dim."),
        _split("L|M|M|J|V|S|D"),
        ("AM", "PM"),
        ("av. J.-C.", "ap. J.-C."),
        ("avant Jésus-Christ", "après Jésus-Christ"),
        ("av. J.-C.", "ap. J.-C."),
        _split("T1|T2|T3|T4"),
        _split("1er trimestre|2e trimestre|3e trimestre|4e trimestre"),
    ),
    "de": _Texts(
        _split("Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"),
        _split("Jan.|Feb.|März|Apr.|Mai|Juni|Juli|Aug.|Sept.|Okt.|Nov.|Dez."),
        _split("Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag"),
        _split("Mo.|Di.|Mi.|Do.|Fr.|Sa.|So."),
        _split("M|D|M|D|F|S|S"),
        ("AM", "PM"),
        ("v. Chr.", "n. Chr."),
        ("v. Chr.", "n. Chr."),
        ("v. Chr.", "n. Chr."),
        _split("Q1|Q2|Q3|Q4"),
        _split("1. Quartal|2. Quartal|3. Quartal|4. Quartal"),
    ),
    "es": _Texts(
        _split("enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"),
        _split("ene|feb|mar|abr|may|jun|jul|ago|sept|oct|nov|dic"),
        _split("lunes|martes|miércoles|jueves|viernes|sábado|domingo"),
        _split("lun|mar|mié|jue|vie|sáb|dom"),
        _split("L|M|X|J|V|S|D"),
        ("a.\u00a0m.", "p.\u00a0m."),
        ("a. C.", "d. C."),
        ("antes de Cristo", "después de Cristo"),
        ("a. C.", "d. C."),
        _split("T1|T2|T3|T4"),
        _split("1.er trimestre|2.º trimestre|3.er trimestre|4.º trimestre"),
    ),
}

# CLDR week data: (first day of week, ISO numbering, minimal days in the first week)
_SUNDAY_FIRST = set("US CA MX BR AR CO PE VE IL IN JP KR TW HK PH TH ID PK SA ZA".split())
_ISO_WEEKS = set("AT BE CH CZ DE DK EE ES FI FR GB IE IS IT LT LU NL NO PL PT SE SK".split())


@dataclass(frozen=True)
class _Locale:
    language: str
    country: str = ""

    @property
    def texts(self) -> _Texts:
        return _TEXTS.get(self.language, _EN)

    @property
    def week(self) -> tuple[int, int]:
        country = self.country or "US"  # the JDK's default region for week data
        if country in _SUNDAY_FIRST:
            return 7, 1
        return (1, 4) if country in _ISO_WEEKS else (1, 1)


@functools.lru_cache(maxsize=64)
def _locale(text: str) -> _Locale:
    """commons-lang `LocaleUtils.toLocale`: `fr`, `fr_FR`, `fr-FR`, `_FR`, `en_US_POSIX`."""
    invalid = RenderError(f"Invalid locale format: {text}")
    if text == "":
        return _Locale("")
    if "#" in text or len(text) < 2:
        raise invalid
    if text[0] in "_-":
        parts = text[1:].split(text[0], 1)
        if _is_country(parts[0]) and (len(parts) == 1 or parts[1]):
            return _Locale("", parts[0])
        raise invalid
    if _is_language(text):
        return _Locale(text)
    parts = text.split("_" if "_" in text else "-", 2)
    if len(parts) == 2 and _is_language(parts[0]) and _is_country(parts[1]):
        return _Locale(parts[0], parts[1])
    if len(parts) == 3 and _is_language(parts[0]) and (parts[1] == "" or _is_country(parts[1])) and parts[2]:
        return _Locale(parts[0], parts[1])
    raise invalid


def _is_language(s: str) -> bool:
    return len(s) in (2, 3) and s.isalpha() and s.islower()


def _is_country(s: str) -> bool:
    return (len(s) == 2 and s.isalpha() and s.isupper()) or (len(s) == 3 and s.isdigit())


# --------------------------------------------------------------------------- zones


@dataclass(frozen=True)
class _Zone:
    """A java.time ZoneId: its id, the tzinfo that computes its offsets, and whether it is a
    plain ZoneOffset (no region)."""

    id: str
    tz: tzinfo
    is_offset: bool = False


_REGION_ID = re.compile(r"[A-Za-z][A-Za-z0-9~/._+-]+")
_ZONE_OFFSET = re.compile(r"[+-](?:\d|\d\d|\d{4}|\d\d:\d\d|\d{6}|\d\d:\d\d:\d\d)")


@functools.lru_cache(maxsize=1)
def _regions() -> frozenset:
    return frozenset(available_timezones())


def _fixed(seconds: int, name: str | None = None) -> tzinfo:
    if seconds == 0 and name in (None, "UTC"):
        return timezone.utc
    return timezone(timedelta(seconds=seconds), name) if name else timezone(timedelta(seconds=seconds))


def _offset_seconds(hours: int, minutes: int, seconds: int, negative: bool) -> int | None:
    if hours > 18 or minutes > 59 or seconds > 59 or (hours == 18 and (minutes or seconds)):
        return None
    total = hours * 3600 + minutes * 60 + seconds
    return -total if negative else total


def _zone_offset(text: str) -> int:
    """ZoneOffset.of: `+h`, `+hh`, `+hhmm`, `+hh:mm`, `+hhmmss`, `+hh:mm:ss`."""
    if not _ZONE_OFFSET.fullmatch(text):
        raise RenderError(f"Invalid ID for ZoneOffset, invalid format: {text}")
    digits = text[1:].replace(":", "")
    if len(digits) == 1:
        digits = "0" + digits
    total = _offset_seconds(int(digits[:2]), int(digits[2:4] or 0), int(digits[4:6] or 0), text[0] == "-")
    if total is None:
        raise RenderError(f"Zone offset not in valid range: {text}")
    return total


def _offset_zone(seconds: int) -> _Zone:
    return _Zone(offset_id(seconds), _fixed(seconds), True)


@functools.lru_cache(maxsize=256)
def _zone(text: str) -> _Zone:
    """ZoneId.of(text)."""
    if len(text) <= 1 or text[0] in "+-":
        if text == "Z":
            return _offset_zone(0)
        return _offset_zone(_zone_offset(text))
    for prefix in ("UTC", "GMT", "UT"):
        if text.startswith(prefix):
            rest = text[len(prefix):]
            if rest == "":
                return _Zone(prefix, _fixed(0, prefix))
            if rest[0] in "+-":
                seconds = _zone_offset(rest)
                zone_id = prefix + (offset_id(seconds) if seconds else "")
                return _Zone(zone_id, _fixed(seconds, zone_id))
            break
    if not _REGION_ID.fullmatch(text):
        raise RenderError(f"Invalid ID for region-based ZoneId, invalid format: {text}")
    if text not in _regions():
        raise RenderError(f"Unknown time-zone ID: {text}")
    return _Zone(text, ZoneInfo(text))


# English zone names: (abbreviation, zones it applies to ("" = any), long name, a zone using it)
_ZONE_NAMES = [
    ("UTC", "", "Coordinated Universal Time", "UTC"),
    ("GMT", "", "Greenwich Mean Time", "GMT"),
    ("BST", "", "British Summer Time", "Europe/London"),
    ("IST", "Europe", "Irish Standard Time", "Europe/Dublin"),
    ("IST", "Asia/Jerusalem", "Israel Standard Time", "Asia/Jerusalem"),
    ("IDT", "", "Israel Daylight Time", "Asia/Jerusalem"),
    ("IST", "Asia", "India Standard Time", "Asia/Kolkata"),
    ("CET", "", "Central European Standard Time", "Europe/Paris"),
    ("CEST", "", "Central European Summer Time", "Europe/Paris"),
    ("EET", "", "Eastern European Standard Time", "Europe/Athens"),
    ("EEST", "", "Eastern European Summer Time", "Europe/Athens"),
    ("WET", "", "Western European Standard Time", "Europe/Lisbon"),
    ("WEST", "", "Western European Summer Time", "Europe/Lisbon"),
    ("MSK", "", "Moscow Standard Time", "Europe/Moscow"),
    ("EST", "", "Eastern Standard Time", "America/New_York"),
    ("EDT", "", "Eastern Daylight Time", "America/New_York"),
    ("CST", "Asia", "China Standard Time", "Asia/Shanghai"),
    ("CST", "", "Central Standard Time", "America/Chicago"),
    ("CDT", "", "Central Daylight Time", "America/Chicago"),
    ("MST", "", "Mountain Standard Time", "America/Denver"),
    ("MDT", "", "Mountain Daylight Time", "America/Denver"),
    ("PST", "Asia", "Philippine Standard Time", "Asia/Manila"),
    ("PST", "", "Pacific Standard Time", "America/Los_Angeles"),
    ("PDT", "", "Pacific Daylight Time", "America/Los_Angeles"),
    ("AKST", "", "Alaska Standard Time", "America/Anchorage"),
    ("AKDT", "", "Alaska Daylight Time", "America/Anchorage"),
    ("HST", "", "Hawaii-Aleutian Standard Time", "Pacific/Honolulu"),
    ("HDT", "", "Hawaii-Aleutian Daylight Time", "America/Adak"),
    ("AST", "", "Atlantic Standard Time", "America/Halifax"),
    ("ADT", "", "Atlantic Daylight Time", "America/Halifax"),
    ("NST", "", "Newfoundland Standard Time", "America/St_Johns"),
    ("NDT", "", "Newfoundland Daylight Time", "America/St_Johns"),
    ("JST", "", "Japan Standard Time", "Asia/Tokyo"),
    ("KST", "", "Korean Standard Time", "Asia/Seoul"),
    ("HKT", "", "Hong Kong Standard Time", "Asia/Hong_Kong"),
    ("AEST", "", "Australian Eastern Standard Time", "Australia/Sydney"),
    ("AEDT", "", "Australian Eastern Daylight Time", "Australia/Sydney"),
    ("ACST", "", "Australian Central Standard Time", "Australia/Adelaide"),
    ("ACDT", "", "Australian Central Daylight Time", "Australia/Adelaide"),
    ("AWST", "", "Australian Western Standard Time", "Australia/Perth"),
    ("NZST", "", "New Zealand Standard Time", "Pacific/Auckland"),
    ("NZDT", "", "New Zealand Daylight Time", "Pacific/Auckland"),
    ("SAST", "", "South Africa Standard Time", "Africa/Johannesburg"),
    ("WAT", "", "West Africa Standard Time", "Africa/Lagos"),
    ("CAT", "", "Central Africa Time", "Africa/Maputo"),
    ("EAT", "", "East Africa Time", "Africa/Nairobi"),
    ("PKT", "", "Pakistan Standard Time", "Asia/Karachi"),
    ("WIB", "", "Western Indonesia Time", "Asia/Jakarta"),
]


def _gmt_text(seconds: int, full: bool) -> str:
    """The localized offset (`O`, `OOOO`, `ZZZZ`): GMT, GMT+2, GMT+02:00."""
    if seconds == 0:
        return "GMT"
    if full:
        return "GMT" + offset_id(seconds)
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if seconds < 0 else "+"
    return f"GMT{sign}{hours}" + (f":{minutes:02d}" if minutes or secs else "") + (f":{secs:02d}" if secs else "")


def _zone_text(zone: _Zone, local: datetime, full: bool) -> str:
    """Pattern letter `z`: an offset prints its id, a region its (English) name."""
    if zone.is_offset or (zone.id not in ("UTC", "GMT") and isinstance(zone.tz, timezone)):
        return zone.id
    abbreviation = local.tzname() or ""
    if not abbreviation[:1].isalpha():
        return _gmt_text(int(local.utcoffset().total_seconds()), True)
    if full:
        for short, where, long, _ in _ZONE_NAMES:
            if short == abbreviation and (not where or zone.id == where or zone.id.startswith(where + "/")):
                return long
    return abbreviation


# --------------------------------------------------------------------------- fields


def _jan1(year: int) -> int:
    """The proleptic Gregorian ordinal of January 1st (works beyond Python's year range)."""
    y = year - 1
    return y * 365 + y // 4 - y // 100 + y // 400 + 1


def _iso_dow(ordinal: int) -> int:
    return (ordinal - 1) % 7 + 1


def _week_one(year: int, week: tuple[int, int]) -> int:
    """The ordinal of the first day of week 1 of `year` for a week definition."""
    first, min_days = week
    jan1 = _jan1(year)
    back = (_iso_dow(jan1) - first) % 7
    return jan1 - back + (0 if 7 - back >= min_days else 7)


def _week_based(d: date, week: tuple[int, int]) -> tuple[int, int]:
    ordinal = d.toordinal()
    for year in (d.year + 1, d.year, d.year - 1):
        start = _week_one(year, week)
        if ordinal >= start:
            return year, (ordinal - start) // 7 + 1
    raise RenderError("date out of range")


def _week_of_month(d: date, week: tuple[int, int]) -> int:
    first, min_days = week
    back = (_iso_dow(d.toordinal() - d.day + 1) - first) % 7
    start = 1 - back + (0 if 7 - back >= min_days else 7)
    return (d.day - start) // 7 + 1


@dataclass
class _T:
    """A date-time being printed or cross-checked: its wall time (aware when printing),
    nano-of-second, zone and locale."""

    local: datetime
    nano: int = 0
    zone: _Zone | None = None
    locale: _Locale = _Locale("en", "US")

    @property
    def offset(self) -> int:
        return int(self.local.utcoffset().total_seconds())

    @property
    def second_of_day(self) -> int:
        return self.local.hour * 3600 + self.local.minute * 60 + self.local.second


_MJD_EPOCH = date(1858, 11, 17).toordinal()

_DATE_FIELDS = {
    "Era": lambda t: 1,
    "YearOfEra": lambda t: t.local.year,
    "Year": lambda t: t.local.year,
    "QuarterOfYear": lambda t: (t.local.month + 2) // 3,
    "MonthOfYear": lambda t: t.local.month,
    "DayOfMonth": lambda t: t.local.day,
    "DayOfYear": lambda t: t.local.toordinal() - _jan1(t.local.year) + 1,
    "DayOfWeek": lambda t: t.local.isoweekday(),
    "AlignedDayOfWeekInMonth": lambda t: (t.local.day - 1) % 7 + 1,
    "ModifiedJulianDay": lambda t: t.local.toordinal() - _MJD_EPOCH,
    "WeekBasedYear": lambda t: t.local.isocalendar()[0],
    "WeekOfWeekBasedYear": lambda t: t.local.isocalendar()[1],
    "LocalizedDayOfWeek": lambda t: (t.local.isoweekday() - t.locale.week[0]) % 7 + 1,
    "LocalizedWeekOfMonth": lambda t: _week_of_month(t.local, t.locale.week),
    "LocalizedWeekOfWeekBasedYear": lambda t: _week_based(t.local, t.locale.week)[1],
    "LocalizedWeekBasedYear": lambda t: _week_based(t.local, t.locale.week)[0],
}
_TIME_FIELDS = {
    "AmPmOfDay": lambda t: t.local.hour // 12,
    "HourOfDay": lambda t: t.local.hour,
    "ClockHourOfDay": lambda t: t.local.hour or 24,
    "HourOfAmPm": lambda t: t.local.hour % 12,
    "ClockHourOfAmPm": lambda t: t.local.hour % 12 or 12,
    "MinuteOfHour": lambda t: t.local.minute,
    "SecondOfMinute": lambda t: t.local.second,
    "NanoOfSecond": lambda t: t.nano,
    "MilliOfDay": lambda t: t.second_of_day * 1000 + t.nano // 1_000_000,
    "NanoOfDay": lambda t: t.second_of_day * _NANOS + t.nano,
}
_FIELDS = {**_DATE_FIELDS, **_TIME_FIELDS}
_RANGES = {
    "Era": (0, 1),
    "YearOfEra": (1, 999_999_999),
    "Year": (-999_999_999, 999_999_999),
    "MonthOfYear": (1, 12),
    "DayOfMonth": (1, 31),
    "DayOfYear": (1, 366),
    "DayOfWeek": (1, 7),
    "AmPmOfDay": (0, 1),
    "HourOfDay": (0, 23),
    "ClockHourOfDay": (1, 24),
    "HourOfAmPm": (0, 11),
    "ClockHourOfAmPm": (1, 12),
    "MinuteOfHour": (0, 59),
    "SecondOfMinute": (0, 59),
    "NanoOfSecond": (0, _NANOS - 1),
    "MilliOfDay": (0, 86_400_000 - 1),
    "NanoOfDay": (0, 86_400 * _NANOS - 1),
}


def _check(name: str, value: int) -> int:
    low, high = _RANGES[name]
    if not low <= value <= high:
        raise RenderError(f"Invalid value for {name} (valid values {low} - {high}): {value}")
    return value


# --------------------------------------------------------------------------- printer-parsers
#
# Each element prints a part of a _T (`print` returns None when it has nothing to print,
# which empties an enclosing optional section) and parses text into a _Parsed (`parse`
# returns the position after what it read, or ~position where it failed).

NORMAL, NOT_NEGATIVE, EXCEEDS_PAD = "NORMAL", "NOT_NEGATIVE", "EXCEEDS_PAD"


@dataclass
class _Parsed:
    text: str
    locale: _Locale
    fields: dict = field(default_factory=dict)
    zone: _Zone | None = None

    def set(self, name: str, value: int) -> bool:
        """Record a field; the same field read twice must agree."""
        return self.fields.setdefault(name, value) == value


def _digits_end(text: str, pos: int, limit: int) -> int:
    end = pos
    while end < len(text) and end - pos < limit and "0" <= text[end] <= "9":
        end += 1
    return end


def _matches(text: str, pos: int, expected: str, ci: bool) -> bool:
    part = text[pos:pos + len(expected)]
    return part == expected or (ci and part.lower() == expected.lower())


@dataclass
class _Lit:
    text: str
    ci: bool = False

    def print(self, t):
        return self.text

    def parse(self, st, pos):
        return pos + len(self.text) if _matches(st.text, pos, self.text, self.ci) else ~pos


@dataclass
class _Num:
    """A numeric field printed with `min_w`..`max_w` digits (zero padded)."""

    field: str
    min_w: int
    max_w: int
    sign: str = NOT_NEGATIVE
    lenient: bool = False
    subsequent: int = 0  # digits reserved for the fixed-width fields that follow (adjacent parsing)

    def __post_init__(self):
        if not 1 <= self.min_w <= 19 or not 1 <= self.max_w <= 19 or self.max_w < self.min_w:
            raise RenderError(f"The width must be from 1 to 19 inclusive: {self.field}")

    @property
    def fixed(self) -> bool:
        return self.min_w == self.max_w and self.sign == NOT_NEGATIVE

    def value(self, t) -> int:
        return _FIELDS[self.field](t)

    def print(self, t):
        value = self.value(t)
        digits = str(abs(value))
        if len(digits) > self.max_w:
            raise RenderError(
                f"Field {self.field} cannot be printed as the value {value} exceeds the maximum print width of {self.max_w}"
            )
        digits = digits.zfill(self.min_w)
        if value < 0:
            if self.sign == NOT_NEGATIVE:
                raise RenderError(f"Field {self.field} cannot be printed as the value {value} cannot be negative")
            return "-" + digits
        if self.sign == EXCEEDS_PAD and self.min_w < 19 and value >= 10**self.min_w:
            return "+" + digits
        return digits

    def store(self, st, value: int) -> bool:
        return st.set(self.field, value)

    def parse(self, st, pos):
        text = st.text
        if pos >= len(text):
            return ~pos
        sign = text[pos] if text[pos] in "+-" else ""
        if sign:
            allowed = {NORMAL: sign == "-" or self.lenient, EXCEEDS_PAD: True}.get(self.sign, self.lenient)
            if not allowed:
                return ~pos
        start = pos + len(sign)
        min_w, max_w = (1, 9) if self.lenient and not self.fixed else (self.min_w, self.max_w)
        available = _digits_end(text, start, max_w + self.subsequent) - start
        if available < min_w:
            return ~start
        taken = max(min_w, available - self.subsequent)  # leave the digits of the fields that follow
        if self.sign == EXCEEDS_PAD and not self.lenient:
            if sign == "+" and taken <= self.min_w:
                return ~pos
            if not sign and taken > self.min_w:
                return ~start
        end = start + taken
        value = int(text[start:end])
        if sign == "-":
            if value == 0 and not self.lenient:
                return ~pos
            value = -value
        return end if self.store(st, value) else ~pos


class _Reduced(_Num):
    """Two-digit years (`yy`, `uu`, `YY`): printed modulo 100, read as 2000-2099."""

    def __init__(self, name: str):
        super().__init__(name, 2, 2)

    def value(self, t) -> int:
        return abs(_FIELDS[self.field](t)) % 100

    def store(self, st, value: int) -> bool:
        return st.set(self.field, 2000 + value)


@dataclass
class _Frac:
    """The nano-of-second as a fraction: `SSS` (fixed digits) or ISO's `.fraction` (0-9)."""

    min_w: int
    max_w: int
    point: bool
    subsequent: int = 0

    def __post_init__(self):
        if self.max_w > 9:
            raise RenderError(f"Maximum width must be from 1 to 9 inclusive but was {self.max_w}")

    @property
    def fixed(self) -> bool:
        return self.min_w == self.max_w and not self.point

    def print(self, t):
        digits = f"{t.nano:09d}"
        width = min(max(len(digits.rstrip("0")), self.min_w), self.max_w)
        if width == 0:
            return ""
        return ("." if self.point else "") + digits[:width]

    def parse(self, st, pos):
        text = st.text
        if self.point:
            if pos >= len(text) or text[pos] != ".":
                return pos if self.min_w == 0 else ~pos
            pos += 1
        end = _digits_end(text, pos, self.max_w)
        if end - pos < self.min_w:
            return ~pos
        digits = text[pos:end]
        return end if st.set("NanoOfSecond", int(digits.ljust(9, "0")) if digits else 0) else ~pos


def _names(name: str, style: str, texts: _Texts) -> dict[int, str]:
    if name == "MonthOfYear":
        source = {"full": texts.months, "short": texts.months_short}.get(style) or [m[0].upper() for m in texts.months]
        return dict(enumerate(source, 1))
    if name == "DayOfWeek":
        return dict(enumerate({"full": texts.days, "short": texts.days_short, "narrow": texts.days_narrow}[style], 1))
    if name == "AmPmOfDay":
        return dict(enumerate(texts.ampm))
    if name == "Era":
        return dict(enumerate({"full": texts.eras_full, "short": texts.eras, "narrow": texts.eras_narrow}[style]))
    quarters = {"full": texts.quarters, "short": texts.quarters_short, "narrow": ("1", "2", "3", "4")}[style]
    return dict(enumerate(quarters, 1))


@dataclass
class _Text:
    """A field printed as text (month, day of week, AM/PM, era, quarter) in a style."""

    field: str
    style: str  # full | short | narrow
    ci: bool = False
    texts: _Texts | None = None  # fixed texts (RFC 1123) instead of the locale's

    def print(self, t):
        return _names(self.field, self.style, self.texts or t.locale.texts)[_FIELDS[self.field](t)]

    def parse(self, st, pos):
        names = _names(self.field, self.style, self.texts or st.locale.texts)
        found = [(len(text), value) for value, text in names.items() if _matches(st.text, pos, text, self.ci)]
        if not found:
            return ~pos
        length, value = max(found, key=lambda f: f[0])
        return pos + length if st.set(self.field, value) else ~pos


_OFFSET_PATTERNS = ("+HH", "+HHmm", "+HH:mm", "+HHMM", "+HH:MM", "+HHMMss", "+HH:MM:ss", "+HHMMSS", "+HH:MM:SS", "+HHmmss", "+HH:mm:ss")


@dataclass
class _Offset:
    """The zone offset in one of java.time's offset patterns (`X`, `x`, `Z`, ISO offsets)."""

    pattern: str
    zero: str
    ci: bool = False
    lenient: bool = False

    def print(self, t):
        total = t.offset
        if total == 0:
            return self.zero
        kind = _OFFSET_PATTERNS.index(self.pattern)
        hours, rest = divmod(abs(total), 3600)
        minutes, seconds = divmod(rest, 60)
        sep = ":" if ":" in self.pattern else ""
        out, printed = ("-" if total < 0 else "+") + f"{hours:02d}", hours
        if 3 <= kind <= 8 or (kind >= 9 and seconds) or (kind >= 1 and minutes):
            out += f"{sep}{minutes:02d}"
            printed += minutes
            if kind in (7, 8) or (kind >= 5 and seconds):
                out += f"{sep}{seconds:02d}"
                printed += seconds
        return out if printed else self.zero

    @functools.cached_property
    def regex(self):
        pattern = "+HH:mm:ss" if self.lenient else self.pattern
        sep = ":" if ":" in pattern else ""
        minutes, seconds = pattern[3:].replace(":", "")[:2], pattern[3:].replace(":", "")[2:]
        if not minutes:
            return re.compile(r"([+-])(\d\d)")
        tail = "" if not seconds else (rf"{sep}(\d\d)" if seconds == "SS" else rf"(?:{sep}(\d\d))?")
        inner = rf"{sep}(\d\d){tail}"
        return re.compile(rf"([+-])(\d\d){inner}" if minutes == "MM" else rf"([+-])(\d\d)(?:{inner})?")

    def read(self, text: str, pos: int) -> tuple[int, int] | None:
        """The signed offset at `pos`, as (end, seconds), or None."""
        m = self.regex.match(text, pos)
        if not m:
            return None
        hours, minutes, seconds = (int(g or 0) for g in (m.groups()[1:] + (None, None))[:3])
        total = _offset_seconds(hours, minutes, seconds, m.group(1) == "-")
        return None if total is None else (m.end(), total)

    def parse(self, st, pos):
        if self.zero and _matches(st.text, pos, self.zero, self.ci):
            return pos + len(self.zero) if st.set("OffsetSeconds", 0) else ~pos
        found = self.read(st.text, pos)
        return found[0] if found and st.set("OffsetSeconds", found[1]) else ~pos


_GMT = re.compile(r"GMT(?:([+-])(\d{1,2})(?::(\d\d)(?::(\d\d))?)?)?")


@dataclass
class _LocOffset:
    """The localized offset: `O` (GMT+2) or `OOOO`/`ZZZZ` (GMT+02:00)."""

    full: bool

    def print(self, t):
        return _gmt_text(t.offset, self.full)

    def parse(self, st, pos):
        m = _GMT.match(st.text, pos)
        if not m:
            return ~pos
        total = 0
        if m.group(1):
            total = _offset_seconds(int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0), m.group(1) == "-")
            if total is None:
                return ~pos
        return m.end() if st.set("OffsetSeconds", total) else ~pos


_ID_OFFSET = _Offset("+HH:MM:ss", "", lenient=True)  # +02, +02:00, -05:30:15
_ID_CHARS = re.compile(r"[A-Za-z0-9~/._+-]+")


def _parse_zone_id(st, pos) -> int:
    """Read a zone id: an offset, UTC/GMT/UT with an optional offset, a region, or Z."""
    text = st.text
    if text.startswith(("+", "-"), pos):
        found = _ID_OFFSET.read(text, pos)
        if not found:
            return ~pos
        st.zone = _offset_zone(found[1])
        return found[0]
    for prefix in ("UTC", "GMT", "UT"):
        if text.startswith(prefix, pos):
            end = pos + len(prefix)
            if prefix == "GMT" and text.startswith("0", end):
                st.zone = _zone("GMT0")
                return end + 1
            found = _ID_OFFSET.read(text, end)
            st.zone = _zone(prefix + (offset_id(found[1]) if found and found[1] else ""))
            return found[0] if found else end
    m = _ID_CHARS.match(text, pos)
    candidate = m.group() if m else ""
    for end in range(len(candidate), 1, -1):
        if candidate[:end] in _regions():
            st.zone = _zone(candidate[:end])
            return pos + end
    if text.startswith("Z", pos):
        st.zone = _offset_zone(0)
        return pos + 1
    return ~pos


@dataclass
class _ZoneId:
    """The zone id (`VV`; ISO's `[Region]`, which prints nothing for a plain offset)."""

    region_only: bool = False

    def print(self, t):
        return None if self.region_only and t.zone.is_offset else t.zone.id

    def parse(self, st, pos):
        return _parse_zone_id(st, pos)


@dataclass
class _ZoneName:
    """The zone name (`z`: CEST, `zzzz`: Central European Summer Time)."""

    full: bool

    def print(self, t):
        return _zone_text(t.zone, t.local, self.full)

    def parse(self, st, pos):
        for name, zone_id in _NAMED_ZONES:
            if st.text.startswith(name, pos) and not st.text[pos + len(name):pos + len(name) + 1].isalpha():
                st.zone = _zone(zone_id)
                return pos + len(name)
        return _parse_zone_id(st, pos)


_NAMED_ZONES = sorted(((n, z) for short, _, long, z in _ZONE_NAMES for n in (short, long)), key=lambda x: -len(x[0]))


class _InstantP:
    """ISO_INSTANT: the UTC date-time with the fraction in groups of three digits."""

    def print(self, t):
        utc = t.local.astimezone(timezone.utc)
        text = utc.strftime("%Y-%m-%dT%H:%M:%S")
        if t.nano:
            digits = f"{t.nano:09d}"
            text += "." + (digits[:3] if t.nano % 1_000_000 == 0 else digits[:6] if t.nano % 1000 == 0 else digits)
        return text + "Z"

    def parse(self, st, pos):
        return ~pos  # an instant alone never yields a ZonedDateTime, LocalDateTime or LocalDate


def _print_all(items, t) -> str | None:
    out = []
    for item in items:
        text = item.print(t)
        if text is None:
            return None
        out.append(text)
    return "".join(out)


def _parse_all(items, st, pos) -> int:
    for item in items:
        pos = item.parse(st, pos)
        if pos < 0:
            return pos
    return pos


@dataclass
class _Opt:
    """An optional section `[...]`: printed when all of it can be, parsed when present."""

    items: list

    def print(self, t):
        return _print_all(self.items, t) or ""

    def parse(self, st, pos):
        saved = dict(st.fields), st.zone
        end = _parse_all(self.items, st, pos)
        if end < 0:
            st.fields, st.zone = saved
            return pos
        return end


@dataclass
class _Pad:
    """`p` before a field: left-pad with spaces to a width."""

    width: int
    item: object

    def print(self, t):
        text = self.item.print(t)
        if text is not None and len(text) > self.width:
            raise RenderError(f"Cannot print as output of {len(text)} characters exceeds pad width of {self.width}")
        return None if text is None else text.rjust(self.width)

    def parse(self, st, pos):
        end = pos + self.width
        if end > len(st.text):
            return ~pos
        start = pos
        while start < end and st.text[start] == " ":
            start += 1
        inner = _Parsed(st.text[:end], st.locale, st.fields, st.zone)
        result = self.item.parse(inner, start)
        st.zone = inner.zone
        return result if result < 0 or result == end else ~result


# --------------------------------------------------------------------------- formatters


@dataclass
class _Formatter:
    items: list
    strict: bool = False  # ResolverStyle.STRICT (ISO constants) rather than SMART

    def format(self, t: _T) -> str:
        return _print_all(self.items, t) or ""


class _Builder:
    """DateTimeFormatterBuilder's bookkeeping: nested optional sections, pending padding
    and the head of a run of adjacent numbers (which reserves the digits of the fixed-width
    numbers that follow it, so `yyyyMMdd` can be parsed)."""

    def __init__(self):
        self.levels = [([], None)]
        self.pad = 0

    def add(self, item) -> None:
        items, head = self.levels[-1]
        if self.pad:
            item, self.pad = _Pad(self.pad, item), 0
        numeric = isinstance(item, _Num) or (isinstance(item, _Frac) and item.fixed)
        if numeric and head is not None and item.fixed:
            head.subsequent += item.max_w
        else:
            head = item if numeric else None
        items.append(item)
        self.levels[-1] = (items, head)

    def open(self) -> None:
        self.levels.append(([], None))

    def close(self, pattern: str) -> None:
        if len(self.levels) == 1:
            raise RenderError(f"Pattern invalid as it contains ] without previous [: {pattern}")
        items, _ = self.levels.pop()
        self.add(_Opt(items))

    def finish(self) -> list:
        while len(self.levels) > 1:
            items, _ = self.levels.pop()
            self.add(_Opt(items))
        return self.levels[0][0]


_TEXT_STYLE = {3: "short", 4: "full", 5: "narrow"}
_SIMPLE = {
    "d": "DayOfMonth",
    "h": "ClockHourOfAmPm",
    "H": "HourOfDay",
    "k": "ClockHourOfDay",
    "K": "HourOfAmPm",
    "m": "MinuteOfHour",
    "s": "SecondOfMinute",
}
_VALUES = {"n": "NanoOfSecond", "N": "NanoOfDay", "A": "MilliOfDay"}


def _letter(b: _Builder, c: str, n: int) -> None:
    """Append what `n` repetitions of the pattern letter `c` stand for."""

    def too_many():
        raise RenderError(f"Too many pattern letters: {c}")

    if c in "uyY":
        name = {"u": "Year", "y": "YearOfEra", "Y": "LocalizedWeekBasedYear"}[c]
        b.add(_Reduced(name) if n == 2 else _Num(name, n, 19, NORMAL if n < 4 else EXCEEDS_PAD))
    elif c in "MLQq":
        name = "MonthOfYear" if c in "ML" else "QuarterOfYear"
        if n > 5:
            too_many()
        b.add(_Num(name, 1, 19, NORMAL) if n == 1 else _Num(name, 2, 2) if n == 2 else _Text(name, _TEXT_STYLE[n]))
    elif c in _SIMPLE:
        if n > 2:
            too_many()
        b.add(_Num(_SIMPLE[c], 1, 19, NORMAL) if n == 1 else _Num(_SIMPLE[c], 2, 2))
    elif c == "D":
        if n > 3:
            too_many()
        b.add(_Num("DayOfYear", 1, 19, NORMAL) if n == 1 else _Num("DayOfYear", n, 3))
    elif c == "F":
        if n > 1:
            too_many()
        b.add(_Num("AlignedDayOfWeekInMonth", 1, 19, NORMAL))
    elif c in _VALUES:
        b.add(_Num(_VALUES[c], 1, 19, NORMAL) if n == 1 else _Num(_VALUES[c], n, n))
    elif c == "g":
        b.add(_Num("ModifiedJulianDay", n, 19, NORMAL))
    elif c == "E":
        if n > 5:
            too_many()
        b.add(_Text("DayOfWeek", _TEXT_STYLE[max(n, 3)]))
    elif c in "ec":
        if n > 5:
            too_many()
        if c == "c" and n == 2:
            raise RenderError('Invalid pattern "cc"')
        b.add(_Num("LocalizedDayOfWeek", n, 2) if n <= 2 else _Text("DayOfWeek", _TEXT_STYLE[n]))
    elif c in "wW":
        if n > (2 if c == "w" else 1):
            too_many()
        b.add(_Num("LocalizedWeekOfWeekBasedYear" if c == "w" else "LocalizedWeekOfMonth", n, 2))
    elif c == "a":
        if n > 1:
            too_many()
        b.add(_Text("AmPmOfDay", "short"))
    elif c == "G":
        if n > 5:
            too_many()
        b.add(_Text("Era", _TEXT_STYLE[max(n, 3)]))
    elif c == "S":
        b.add(_Frac(n, n, False))
    elif c == "V":
        if n != 2:
            raise RenderError("Pattern letter count must be 2: V")
        b.add(_ZoneId())
    elif c == "z":
        if n > 4:
            too_many()
        b.add(_ZoneName(n == 4))
    elif c == "Z":
        if n > 5:
            too_many()
        b.add(_LocOffset(True) if n == 4 else _Offset("+HH:MM:ss", "Z") if n == 5 else _Offset("+HHMM", "+0000"))
    elif c == "O":
        if n not in (1, 4):
            raise RenderError("Pattern letter count must be 1 or 4: O")
        b.add(_LocOffset(n == 4))
    elif c in "Xx":
        if n > 5:
            too_many()
        zero = "Z" if c == "X" else "+00" if n == 1 else "+0000" if n % 2 == 0 else "+00:00"
        b.add(_Offset(_OFFSET_PATTERNS[n + (0 if n == 1 else 1)], zero))
    elif c in "vB":
        raise RenderError(f"The pattern letter '{c}' (generic zone name / day period) is not supported")
    else:
        raise RenderError(f"Unknown pattern letter: {c}")


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> _Formatter:
    """DateTimeFormatter.ofPattern(pattern)."""
    b = _Builder()
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c.isascii() and c.isalpha():
            j = i
            while j < n and pattern[j] == c:
                j += 1
            if c == "p":
                if j >= n or not (pattern[j].isascii() and pattern[j].isalpha()):
                    raise RenderError(f"Pad letter 'p' must be followed by valid pad pattern: {pattern}")
                b.pad, i, c = j - i, j, pattern[j]
                while j < n and pattern[j] == c:
                    j += 1
            _letter(b, c, j - i)
            i = j
        elif c == "'":
            j = i + 1
            while j < n and not (pattern[j] == "'" and pattern[j + 1:j + 2] != "'"):
                j += 2 if pattern[j] == "'" else 1
            if j >= n:
                raise RenderError(f"Pattern ends with an incomplete string literal: {pattern}")
            b.add(_Lit(pattern[i + 1:j].replace("''", "'") or "'"))
            i = j + 1
        elif c == "[":
            b.open()
            i += 1
        elif c == "]":
            b.close(pattern)
            i += 1
        elif c in "{}#":
            raise RenderError(f"Pattern includes reserved character: '{c}'")
        else:
            b.add(_Lit(c))
            i += 1
    return _Formatter(b.finish())


def _iso_presets() -> dict[str, _Formatter]:
    def year(name="Year"):
        return _Num(name, 4, 10, EXCEEDS_PAD)

    def two(name):
        return _Num(name, 2, 2)

    local_date = [year(), _Lit("-"), two("MonthOfYear"), _Lit("-"), two("DayOfMonth")]
    local_time = [
        two("HourOfDay"), _Lit(":"), two("MinuteOfHour"),
        _Opt([_Lit(":"), two("SecondOfMinute"), _Opt([_Frac(0, 9, True)])]),
    ]
    local_date_time = [*local_date, _Lit("T", ci=True), *local_time]
    offset = _Offset("+HH:MM:ss", "Z", ci=True, lenient=True)
    region = [_Lit("["), _ZoneId(region_only=True), _Lit("]")]
    rfc = [
        _Opt([_Text("DayOfWeek", "short", ci=True, texts=_EN), _Lit(", ")]),
        _Num("DayOfMonth", 1, 2, lenient=True), _Lit(" "),
        _Text("MonthOfYear", "short", ci=True, texts=_EN), _Lit(" "),
        _Num("Year", 4, 4, lenient=True), _Lit(" "),
        two("HourOfDay"), _Lit(":"), two("MinuteOfHour"), _Opt([_Lit(":"), two("SecondOfMinute")]), _Lit(" "),
        _Offset("+HHMM", "GMT", ci=True),
    ]
    strict = {
        "iso_date_time": [*local_date_time, _Opt([offset, _Opt(region)])],
        "iso_date": [*local_date, _Opt([offset])],
        "iso_time": [*local_time, _Opt([offset])],
        "iso_local_date": local_date,
        "iso_instant": [_InstantP()],
        "iso_local_date_time": local_date_time,
        "iso_local_time": local_time,
        "iso_offset_time": [*local_time, offset],
        "iso_ordinal_date": [year(), _Lit("-"), _Num("DayOfYear", 3, 3), _Opt([offset])],
        "iso_week_date": [
            year("WeekBasedYear"), _Lit("-W", ci=True), two("WeekOfWeekBasedYear"), _Lit("-"),
            _Num("DayOfWeek", 1, 1), _Opt([offset]),
        ],
        "iso_zoned_date_time": [*local_date_time, offset, _Opt(region)],
    }
    presets = {name: _Formatter(items, strict=True) for name, items in strict.items()}
    presets["rfc_1123_date_time"] = _Formatter(rfc)
    return presets


_PRESETS = {
    "iso": "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
    "iso_sec": "yyyy-MM-dd'T'HH:mm:ssXXX",
    "sql": "yyyy-MM-dd HH:mm:ss.SSSSSS",
    "sql_seq": "yyyy-MM-dd HH:mm:ss",
    # ofLocalizedDateTime(style) for en_US, JDK 17 (CLDR 39)
    "full": "EEEE, MMMM d, y 'at' h:mm:ss a zzzz",
    "long": "MMMM d, y 'at' h:mm:ss a z",
    "medium": "MMM d, y, h:mm:ss a",
    "short": "M/d/yy, h:mm a",
}
_ISO = _iso_presets()
_ISO_ZONED, _ISO_LOCAL_DATE_TIME, _ISO_LOCAL_DATE = (
    _ISO[name] for name in ("iso_zoned_date_time", "iso_local_date_time", "iso_local_date")
)


def _formatter(name: str) -> _Formatter:
    """Kestra's `formatter(format)`: a style, a named preset, or an ofPattern pattern."""
    return _ISO.get(name) or _pattern(_PRESETS.get(name, name))


# --------------------------------------------------------------------------- parsing


def _parse(fmt: _Formatter, text: str) -> _Parsed:
    st = _Parsed(text, _locale(DEFAULT_LOCALE))
    end = _parse_all(fmt.items, st, 0)
    if end < 0:
        raise RenderError(f"Text '{text}' could not be parsed at index {~end}")
    if end != len(text):
        raise RenderError(f"Text '{text}' could not be parsed, unparsed text found at index {end}")
    return st


def _put(fields: dict, name: str, value: int) -> None:
    old = fields.setdefault(name, value)
    if old != value:
        raise RenderError(f"Conflict found: {name} {old} differs from {name} {value}")


def _make_date(year: int, month: int, day: int, smart: bool) -> date:
    _check("Year", year), _check("MonthOfYear", month), _check("DayOfMonth", day)
    if not 1 <= year <= 9999:
        raise RenderError(f"Year {year} is outside the range flowc supports (1-9999)")
    if smart:  # SMART resolution clamps the day to the month's length
        day = min(day, monthrange(year, month)[1])
    try:
        return date(year, month, day)
    except ValueError:
        raise RenderError(f"Invalid date '{year:04d}-{month:02d}-{day:02d}'") from None


def _resolve_date(f: dict, strict: bool, locale: _Locale) -> date | None:
    if "YearOfEra" in f:
        yoe = _check("YearOfEra", f.pop("YearOfEra"))
        era = f.pop("Era", None)
        if era is not None:
            _put(f, "Year", yoe if _check("Era", era) == 1 else 1 - yoe)
        elif not strict or "Year" in f:
            _put(f, "Year", yoe if f.get("Year", 1) > 0 else 1 - yoe)
        else:
            f["YearOfEra"] = yoe  # STRICT does not invent the era
    if "Year" in f and "MonthOfYear" in f and "DayOfMonth" in f:
        return _make_date(f.pop("Year"), f.pop("MonthOfYear"), f.pop("DayOfMonth"), not strict)
    if "Year" in f and "DayOfYear" in f:
        year, day = f.pop("Year"), _check("DayOfYear", f.pop("DayOfYear"))
        start = _make_date(year, 1, 1, False)
        result = start + timedelta(days=day - 1)
        if result.year != year:
            raise RenderError(f"Invalid date 'DayOfYear 366' as '{year}' is not a leap year")
        return result
    if {"WeekBasedYear", "WeekOfWeekBasedYear", "DayOfWeek"} <= f.keys():
        year, week, dow = f.pop("WeekBasedYear"), f.pop("WeekOfWeekBasedYear"), _check("DayOfWeek", f.pop("DayOfWeek"))
        try:
            return date.fromisocalendar(year, week, dow)
        except ValueError:
            raise RenderError(f"Invalid week-based date {year}-W{week}-{dow}") from None
    if {"LocalizedWeekBasedYear", "LocalizedWeekOfWeekBasedYear"} <= f.keys() and (
        "LocalizedDayOfWeek" in f or "DayOfWeek" in f
    ):
        first = locale.week[0]
        ldow = f.pop("LocalizedDayOfWeek") if "LocalizedDayOfWeek" in f else (f.pop("DayOfWeek") - first) % 7 + 1
        start = _week_one(f.pop("LocalizedWeekBasedYear"), locale.week)
        return date.fromordinal(start + (f.pop("LocalizedWeekOfWeekBasedYear") - 1) * 7 + ldow - 1)
    return None


def _resolve_time(f: dict, strict: bool) -> tuple[tuple | None, int]:
    """The (hour, minute, second, nano) the fields give, and the days it overflows by."""
    smart = not strict
    if "ClockHourOfDay" in f:
        value = f.pop("ClockHourOfDay")
        if strict or value:
            _check("ClockHourOfDay", value)
        _put(f, "HourOfDay", 0 if value == 24 else value)
    if "ClockHourOfAmPm" in f:
        value = f.pop("ClockHourOfAmPm")
        if strict or value:
            _check("ClockHourOfAmPm", value)
        _put(f, "HourOfAmPm", 0 if value == 12 else value)
    if "AmPmOfDay" in f and "HourOfAmPm" in f:
        ampm, hour = _check("AmPmOfDay", f.pop("AmPmOfDay")), _check("HourOfAmPm", f.pop("HourOfAmPm"))
        _put(f, "HourOfDay", ampm * 12 + hour)
    for name, unit in (("NanoOfDay", 1), ("MilliOfDay", 1_000_000)):
        if name in f:
            nanos = _check(name, f.pop(name)) * unit
            seconds, nano = divmod(nanos, _NANOS)
            for part, value in (("HourOfDay", seconds // 3600), ("MinuteOfHour", seconds // 60 % 60),
                                ("SecondOfMinute", seconds % 60), ("NanoOfSecond", nano)):
                _put(f, part, value)
    if "HourOfDay" not in f:
        return None, 0
    minute, second, nano = (f.get(k) for k in ("MinuteOfHour", "SecondOfMinute", "NanoOfSecond"))
    if (minute is None and (second is not None or nano is not None)) or (minute is not None and second is None and nano is not None):
        return None, 0
    hour = f.pop("HourOfDay")
    minute, second, nano = (f.pop(k, 0) for k in ("MinuteOfHour", "SecondOfMinute", "NanoOfSecond"))
    _check("MinuteOfHour", minute), _check("NanoOfSecond", nano)
    if smart and hour == 24 and minute == second == nano == 0:
        return (0, 0, 0, 0), 1
    return (_check("HourOfDay", hour), minute, _check("SecondOfMinute", second), nano), 0


def _resolve(st: _Parsed, strict: bool) -> tuple[date | None, tuple | None, int | None]:
    """java.time's field resolution (Parsed.resolve) for the fields flowc's patterns read."""
    f = dict(st.fields)
    offset = f.pop("OffsetSeconds", None)
    d = _resolve_date(f, strict, st.locale)
    t, extra_days = _resolve_time(f, strict)
    if d is not None and extra_days:
        d += timedelta(days=extra_days)
    for name, value in f.items():  # what is left must agree with the date and time
        if name in _TIME_FIELDS and name in _RANGES:
            _check(name, value)
        if (name in _DATE_FIELDS and d is not None) or (name in _TIME_FIELDS and t is not None):
            local = datetime.combine(d or date(2000, 1, 1), time(*t[:3]) if t else time())
            derived = _FIELDS[name](_T(local, t[3] if t else 0, locale=st.locale))
            if derived != value:
                raise RenderError(f"Conflict found: Field {name} {derived} differs from {name} {value} derived from {local}")
    return d, t, offset


def _local_to_zone(naive: datetime, tz: tzinfo, prefer: timedelta | None = None) -> datetime:
    """ZonedDateTime.ofLocal: in an overlap keep the preferred (else the earlier) offset;
    in a gap move forward by the length of the gap."""
    candidates = [naive.replace(tzinfo=tz, fold=fold) for fold in (0, 1)]
    valid = [c for c in candidates if c.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) == naive]
    if valid:
        return next((c for c in valid if c.utcoffset() == prefer), valid[0])
    return candidates[0].astimezone(timezone.utc).astimezone(tz)


@dataclass(frozen=True)
class _Moment:
    """A java.time ZonedDateTime: an aware datetime in its own zone, plus the full
    nano-of-second (the datetime keeps microseconds)."""

    at: datetime
    nano: int

    @classmethod
    def of(cls, at: datetime, nano: int | None = None) -> "_Moment":
        return cls(at, at.microsecond * 1000 if nano is None else nano)

    def epoch_second(self) -> int:
        return (self.at.replace(microsecond=0) - _EPOCH) // timedelta(seconds=1)


def _from_parsed(st: _Parsed, kind: str, zone: _Zone, strict: bool) -> _Moment:
    d, t, offset = _resolve(st, strict)
    parsed_zone = st.zone
    if d is None or (t is None and kind != "date") or (kind == "zoned" and offset is None and parsed_zone is None):
        target = {"zoned": "ZonedDateTime", "datetime": "LocalDateTime", "date": "LocalDate"}[kind]
        raise RenderError(f"Text '{st.text}' could not be parsed: Unable to obtain {target} from TemporalAccessor")
    if kind == "date":
        return _Moment.of(_local_to_zone(datetime.combine(d, time()), zone.tz), 0)
    naive = datetime.combine(d, time(t[0], t[1], t[2], t[3] // 1000))
    if kind == "datetime":
        return _Moment.of(_local_to_zone(naive, zone.tz), t[3])
    if offset is None:
        return _Moment.of(_local_to_zone(naive, parsed_zone.tz), t[3])
    tz = (parsed_zone or _offset_zone(offset)).tz
    return _Moment.of((naive - timedelta(seconds=offset)).replace(tzinfo=timezone.utc).astimezone(tz), t[3])


def _parse_text(text: str, zone: _Zone, existing: str | None) -> _Moment:
    """A String input: `existingFormat` (else ISO) read as a zoned date-time, else a local
    date-time at the target zone, else a local date at midnight."""
    if existing is not None:
        fmt = _formatter(existing)
        attempts = [(fmt, "zoned"), (fmt, "datetime"), (fmt, "date")]
    else:
        attempts = [(_ISO_ZONED, "zoned"), (_ISO_LOCAL_DATE_TIME, "datetime"), (_ISO_LOCAL_DATE, "date")]
    error = None
    for fmt, kind in attempts:
        try:
            return _from_parsed(_parse(fmt, text), kind, zone, fmt.strict)
        except RenderError as e:
            error = e
    raise error


# --------------------------------------------------------------------------- conversion and arithmetic


def _is_long(value) -> bool:
    return isinstance(value, int) and not isinstance(value, (bool, Int32)) and LONG_MIN <= value <= LONG_MAX


def _plain(dt: datetime) -> datetime:
    return datetime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond, dt.tzinfo, fold=dt.fold)


def _cast_error(value, target: str) -> RenderError:
    return RenderError(f"class {class_name(value)} cannot be cast to class {target}")


def _convert(value, zone: _Zone, existing: str | None) -> _Moment:
    """Kestra's `convert`: any accepted input as a zoned date-time."""
    if isinstance(value, Instant):
        at = _plain(value) if value.tzinfo else _plain(value).replace(tzinfo=timezone.utc)
        return _Moment.of(at.astimezone(zone.tz))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return _Moment.of(_local_to_zone(_plain(value), zone.tz))
        return _Moment.of(_plain(value))
    if isinstance(value, date):
        return _Moment.of(_local_to_zone(datetime.combine(value, time(12)), zone.tz))
    if _is_long(value):
        return _Moment.of((_EPOCH + timedelta(seconds=value)).astimezone(zone.tz))
    if isinstance(value, str) and not isinstance(value, (JChar, URI)):
        return _parse_text(value, zone, existing)
    raise _cast_error(value, "java.lang.String")


_TIME_UNITS = {
    "NANOS": 1,
    "MICROS": 1000,
    "MILLIS": 1_000_000,
    "SECONDS": _NANOS,
    "MINUTES": 60 * _NANOS,
    "HOURS": 3600 * _NANOS,
    "HALF_DAYS": 43_200 * _NANOS,
}
_DATE_UNITS = {  # (months, days)
    "DAYS": (0, 1),
    "WEEKS": (0, 7),
    "MONTHS": (1, 0),
    "YEARS": (12, 0),
    "DECADES": (120, 0),
    "CENTURIES": (1200, 0),
    "MILLENNIA": (12000, 0),
}


def _plus(m: _Moment, amount: int, unit: str) -> _Moment:
    """ZonedDateTime.plus(amount, ChronoUnit.valueOf(unit)): time units move the instant,
    date units move the wall clock (month ends clamped) and keep the offset when possible."""
    if unit in _TIME_UNITS:
        seconds, nano = divmod(m.nano + amount * _TIME_UNITS[unit], _NANOS)
        utc = m.at.astimezone(timezone.utc).replace(microsecond=0) + timedelta(seconds=seconds)
        return _Moment.of(utc.replace(microsecond=nano // 1000).astimezone(m.at.tzinfo), nano)
    if unit in _DATE_UNITS:
        months, days = (amount * n for n in _DATE_UNITS[unit])
        naive = m.at.replace(tzinfo=None)
        if months:
            year, month = divmod(naive.year * 12 + naive.month - 1 + months, 12)
            if not 1 <= year <= 9999:
                raise RenderError(f"Year {year} is outside the range flowc supports (1-9999)")
            naive = naive.replace(year=year, month=month + 1, day=min(naive.day, monthrange(year, month + 1)[1]))
        naive += timedelta(days=days)
        return _Moment.of(_local_to_zone(naive, m.at.tzinfo, m.at.utcoffset()), m.nano)
    if unit == "ERAS" and amount == 0:
        return m
    if unit in ("ERAS", "FOREVER"):
        raise RenderError(f"Unsupported unit: {unit.capitalize()}")
    raise RenderError(f"No enum constant java.time.temporal.ChronoUnit.{unit}")


# --------------------------------------------------------------------------- filters and functions


def _string(value, name: str) -> str | None:
    if value is None or (isinstance(value, str) and not isinstance(value, (JChar, URI))):
        return value
    raise RenderError(f"class {class_name(value)} cannot be cast to class java.lang.String (argument {name})")


def _java_errors(fn):
    """Report Python's range/overflow failures as rendering errors, like java.time's."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (OverflowError, ValueError, ArithmeticError) as e:
            raise RenderError(f"DateTimeException: {e}") from None

    return run


def _target_zone(time_zone) -> _Zone:
    text = _string(time_zone, "timeZone")
    return _zone(DEFAULT_ZONE if text is None else text)


def _moment(value, time_zone, existing_format) -> _Moment:
    """Kestra's `convert` with the `timeZone` and `existingFormat` arguments; a _Moment
    (a ZonedDateTime already) is kept."""
    zone, existing = _target_zone(time_zone), _string(existing_format, "existingFormat")
    return value if isinstance(value, _Moment) else _convert(value, zone, existing)


def _format(value, format, time_zone, existing_format, locale) -> str:
    """Kestra's `AbstractDate.format`: convert the input, print it in the target zone."""
    pattern = _string(format, "format")
    zone = _target_zone(time_zone)
    text = _string(locale, "locale")
    the_locale = None if text is None else _locale(text)
    moment = _moment(value, time_zone, existing_format)
    if pattern is None:
        raise RenderError("NullPointerException: pattern")
    fmt = _formatter(pattern)
    if the_locale is None:
        raise RenderError("NullPointerException: locale")
    return fmt.format(_T(moment.at.astimezone(zone.tz), moment.nano, zone, the_locale))


_FORMAT_PARAMS = [
    Param("format", "string", "iso"),
    Param("timeZone", "string", None),
    Param("existingFormat", "string", None),
    Param("locale", "string", DEFAULT_LOCALE),
]
_ZONE_PARAMS = [Param("timeZone", "string", None), Param("existingFormat", "string", None)]
_DATE_INPUT = "date|string|integer"


@filter("date", params=_FORMAT_PARAMS, input=_DATE_INPUT, returns="string")
@_java_errors
def date_filter(value, format="iso", timeZone=None, existingFormat=None, locale=DEFAULT_LOCALE):
    """Format a date (Instant, zoned/local date-time, local date, epoch seconds or a date
    string) with a preset or a Java pattern, in the target time zone; null stays null."""
    if value is None:
        return None
    return _format(value, format, timeZone, existingFormat, locale)


@filter(
    "dateAdd",
    params=[Param("amount", "integer", REQUIRED), Param("unit", "string", REQUIRED), *_FORMAT_PARAMS],
    input=_DATE_INPUT,
    returns="string",
)
@_java_errors
def date_add(value, amount=None, unit=None, format="iso", timeZone=None, existingFormat=None, locale=DEFAULT_LOCALE):
    """Add `amount` (a Long) of a ChronoUnit named exactly (`DAYS`, `HOURS`, ...) to a date,
    in the date's own zone, then format it like `date`."""
    if value is None:
        return None
    if amount is not None and not _is_long(amount):
        raise _cast_error(amount, "java.lang.Long")
    unit = _string(unit, "unit")
    moment = _moment(value, timeZone, existingFormat)
    if amount is None or unit is None:
        raise RenderError("NullPointerException: dateAdd needs an amount and a unit")
    return _format(_plus(moment, amount, unit), format, timeZone, existingFormat, locale)


@filter("timestamp", params=_ZONE_PARAMS, input=_DATE_INPUT, returns="integer")
@_java_errors
def timestamp(value, timeZone=None, existingFormat=None):
    """The date as epoch seconds (a Long)."""
    if value is None:
        return None
    return _moment(value, timeZone, existingFormat).epoch_second()


@filter("timestampMilli", params=_ZONE_PARAMS, input=_DATE_INPUT, returns="integer")
@_java_errors
def timestamp_milli(value, timeZone=None, existingFormat=None):
    """The date as epoch milliseconds (a Long; a filter of Kestra releases after 0.20)."""
    if value is None:
        return None
    m = _moment(value, timeZone, existingFormat)
    millis = m.epoch_second() * 1000 + m.nano // 1_000_000
    if not LONG_MIN <= millis <= LONG_MAX:
        raise RenderError("ArithmeticException: long overflow")
    return millis


def _seconds_to_nanos(seconds: int) -> int:
    """TimeUnit.SECONDS.toNanos: saturates instead of overflowing."""
    return min(max(seconds * _NANOS, LONG_MIN), LONG_MAX)


@filter("timestampMicro", params=_ZONE_PARAMS, input=_DATE_INPUT, returns="string")
@_java_errors
def timestamp_micro(value, timeZone=None, existingFormat=None):
    """Kestra's "microseconds" timestamp as a String, bug included: epoch seconds scaled to
    nanoseconds plus the microseconds of the second."""
    if value is None:
        return None
    m = _moment(value, timeZone, existingFormat)
    return str(wrap_long(_seconds_to_nanos(m.epoch_second()) + m.nano // 1000))


@filter("timestampNano", params=_ZONE_PARAMS, input=_DATE_INPUT, returns="string")
@_java_errors
def timestamp_nano(value, timeZone=None, existingFormat=None):
    """The date as epoch nanoseconds, as a String."""
    if value is None:
        return None
    m = _moment(value, timeZone, existingFormat)
    return str(wrap_long(_seconds_to_nanos(m.epoch_second()) + m.nano))


@function("now", params=_FORMAT_PARAMS, returns="string", context=True)
@_java_errors
def now(ctx, format="iso", timeZone=None, existingFormat=None, locale=DEFAULT_LOCALE):
    """The current time (the render's clock, in the server zone) formatted like `date`."""
    current = ctx.clock()
    if current.tzinfo is None:
        current = current.replace(tzinfo=timezone.utc)
    server = _zone(DEFAULT_ZONE).tz
    return _format(_Moment.of(_plain(current).astimezone(server)), format, timeZone, existingFormat, locale)
