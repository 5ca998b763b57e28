"""Flow inputs and flow outputs at run time, read as Kestra reads them (`FlowInputOutput`).

Inputs: each declared input takes its given value, else its default; its `dependsOn` enables it
or not; it is parsed by its type and validated; the first invalid input (in declaration order)
stops the run with Kestra's message, `Invalid input for `<id>`, <why>, but received `<value>``.
Outputs: each declared output's rendered value is parsed by its type (no validation).

Values are what a task sees in Kestra. Kestra stores the execution as JSON between reading its
inputs and running a task, so what a task renders went through Jackson: DATETIME, DATE and TIME
are ISO strings (TIME always with seconds), FLOAT is the double its Float's text reads as, and
DURATION is a number of seconds (Jackson writes durations as decimal seconds; kestra-io/kestra
#3742). Messages keep Java's wording, including the `java.lang.Exception: Expected `<TYPE>` ...`
wrapping Kestra puts around parse failures that are not IllegalArgumentExceptions.
"""
from __future__ import annotations

import re
import struct
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, NamedTuple

from .pebble.functions import parse_json
from .pebble.errors import RenderError
from .pebble.printing import java_double, to_string
from .pebble.values import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, Float32, Int32, JavaHashMap, class_name, hashmap_order
from .pebble.yaml_reader import parse_yaml
from .storage import Storage, StorageError

Render = Callable[[str, dict], Any]


# --------------------------------------------------------------------------- public errors


class InputError(Exception):
    """An input Kestra refuses. `message` is the violation (`Invalid input for ...`)."""

    def __init__(self, input_id: str, message: str) -> None:
        super().__init__(message)
        self.input_id = input_id
        self.message = message

    @property
    def kestra_message(self) -> str:
        """What Kestra's ConstraintViolationException says: the input id, a colon, the violation."""
        return f"{self.input_id}: {self.message}"


class OutputError(Exception):
    """A flow output whose rendered value does not parse as its type."""

    def __init__(self, output_id: str, message: str) -> None:
        super().__init__(message)
        self.output_id = output_id
        self.message = message


@dataclass
class ResolvedInputs:
    values: dict  # the execution's `inputs`: dotted ids nested, disabled inputs absent
    secrets: set[str] = field(default_factory=set)  # values of SECRET inputs, to mask in logs
    warnings: list[str] = field(default_factory=list)  # inputs dropped because their condition failed


# --------------------------------------------------------------------------- Java exceptions


class _JavaException(Exception):
    """A Java exception Kestra would catch; `to_string()` is Throwable.toString()."""

    java_class = "java.lang.Exception"

    def __init__(self, message: str | None) -> None:
        super().__init__(message)
        self.message = message

    def to_string(self) -> str:
        return self.java_class if self.message is None else f"{self.java_class}: {self.message}"


class _IllegalArgument(_JavaException):
    java_class = "java.lang.IllegalArgumentException"


class _NumberFormat(_IllegalArgument):
    java_class = "java.lang.NumberFormatException"


class _ClassCast(_JavaException):
    java_class = "java.lang.ClassCastException"


class _NullPointer(_JavaException):
    java_class = "java.lang.NullPointerException"


class _DateTimeParse(_JavaException):
    java_class = "java.time.format.DateTimeParseException"


class _Violation(Exception):
    """A constraint an input's `validate` refuses; Kestra wraps the message with id and value."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _java_class(v) -> str:
    """The Java class of a value as Jackson or Kestra would hand it over."""
    if isinstance(v, bool):
        return "java.lang.Boolean"
    if isinstance(v, Int32):
        return "java.lang.Integer"
    if isinstance(v, int):
        if INT_MIN <= v <= INT_MAX:
            return "java.lang.Integer"  # Jackson reads small whole numbers as Integer
        return "java.lang.Long" if LONG_MIN <= v <= LONG_MAX else "java.math.BigInteger"
    if isinstance(v, _Instant):
        return "java.time.Instant"
    if isinstance(v, _Date):
        return "java.time.LocalDate"
    if isinstance(v, _Time):
        return "java.time.LocalTime"
    if isinstance(v, _Duration):
        return "java.time.Duration"
    if isinstance(v, (list, tuple)):
        return "java.util.ArrayList"
    return class_name(v) or "null"


def _cast_error(v, target: str = "java.lang.String") -> _ClassCast:
    source = _java_class(v)
    return _ClassCast(f"class {source} cannot be cast to class {target} "
                      f"({source} and {target} are in module java.base of loader 'bootstrap')")


def _jstr(v) -> str:
    """Java's String.valueOf(v)."""
    if v is None:
        return "null"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Float32):
        return java_double(v, float32=True)
    if isinstance(v, float):
        return java_double(v)
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, (_Instant, _Date, _Time, _Duration)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_jstr(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_jstr(k)}={_jstr(x)}" for k, x in v.items()) + "}"
    return to_string(v)


def _simple_name(v) -> str:
    """Class.getSimpleName() of a rendered value, `<null>` for null (Kestra's wording)."""
    if v is None:
        return "<null>"
    name = class_name(v) or type(v).__name__
    if name.startswith("[L"):
        return name[2:-1].rsplit(".", 1)[-1] + "[]"
    return name.rsplit(".", 1)[-1]


# --------------------------------------------------------------------------- numbers


def _digit(c: str) -> int:
    """Character.digit(c, 10): any Unicode decimal digit of the BMP (Java chars are UTF-16)."""
    if "0" <= c <= "9":
        return ord(c) - 48
    if ord(c) > 0xFFFF:
        return -1
    return unicodedata.decimal(c, -1)


def _parse_int(text: str, low: int = INT_MIN, high: int = INT_MAX) -> int:
    """Integer.parseInt(text) (Long.parseLong with the long bounds)."""
    error = _NumberFormat(f'For input string: "{text}"')
    if not text:
        raise error
    start, negative = 0, False
    if text[0] < "0":
        if text[0] == "-":
            negative = True
        elif text[0] != "+":
            raise error
        if len(text) == 1:
            raise error
        start = 1
    n = 0
    for c in text[start:]:
        d = _digit(c)
        if d < 0:
            raise error
        n = n * 10 + d
        if n > high + 1:
            raise error  # stop early: the text may be huge
    n = -n if negative else n
    if not low <= n <= high:
        raise error
    return n


_JAVA_FLOAT = re.compile(
    r"[+-]?(?:NaN|Infinity"
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?"
    r"|0[xX](?:[0-9a-fA-F]+\.?|[0-9a-fA-F]*\.[0-9a-fA-F]+)[pP][+-]?[0-9]+[fFdD]?)"
)


def _java_trim(text: str) -> str:
    """String.trim(): strips every character up to U+0020 from both ends."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def _parse_float(text: str) -> float:
    """Float.valueOf(text), as a double holding the float."""
    s = _java_trim(text)
    if not s:
        raise _NumberFormat("empty String")
    if not _JAVA_FLOAT.fullmatch(s):
        raise _NumberFormat(f'For input string: "{s}"')
    body = s.lstrip("+-")
    negative = s.startswith("-")
    if body in ("NaN", "Infinity"):
        return float("nan") if body == "NaN" else float("-inf") if negative else float("inf")
    if s[-1] in "fFdD":  # a type suffix: never a digit here, even in hex (the exponent ends it)
        s = s[:-1]
    if body[:2].lower() != "0x":
        return Float32(float(s))
    try:
        return Float32(float.fromhex(s))
    except OverflowError:
        return Float32(float("-inf") if negative else float("inf"))


def _float_compare(a: float, b: float) -> int:
    """Float.compare: NaN above everything, -0.0 below 0.0."""
    if a < b:
        return -1
    if a > b:
        return 1
    bits_a, bits_b = _float_bits(a), _float_bits(b)
    return (bits_a > bits_b) - (bits_a < bits_b)


def _float_bits(x: float) -> int:
    """Float.floatToIntBits: every NaN is the canonical one."""
    return 0x7FC00000 if x != x else struct.unpack("i", struct.pack("f", x))[0]


# --------------------------------------------------------------------------- dates and durations

_MONTHS = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER",
           "OCTOBER", "NOVEMBER", "DECEMBER")
_INSTANT_MIN, _INSTANT_MAX = -31557014167219200, 31556889864403199
_NANOS = 1_000_000_000


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if _leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def _year_text(y: int) -> str:
    """The year as LocalDate.toString writes it: 4 digits at least, `+` above 9999."""
    if abs(y) < 1000:
        return f"-{-y:04d}" if y < 0 else f"{y:04d}"
    return f"+{y}" if y > 9999 else str(y)


def _nano_groups(nano: int) -> str:
    """A fraction of second in groups of 3 digits (LocalTime.toString, ISO_INSTANT)."""
    if not nano:
        return ""
    if nano % 1_000_000 == 0:
        return f".{nano // 1_000_000:03d}"
    if nano % 1000 == 0:
        return f".{nano // 1000:06d}"
    return f".{nano:09d}"


class _Instant(NamedTuple):
    """java.time.Instant"""

    seconds: int
    nano: int

    def __str__(self) -> str:
        days, secs = divmod(self.seconds, 86400)
        y, m, d = _civil_from_days(days)
        hh, rest = divmod(secs, 3600)
        mm, ss = divmod(rest, 60)
        return f"{_year_text(y)}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}{_nano_groups(self.nano)}Z"

    @classmethod
    def of(cls, dt: datetime) -> "_Instant":
        offset = dt.utcoffset() or timedelta(0)  # a naive datetime is taken as UTC
        seconds = (_days_from_civil(dt.year, dt.month, dt.day) * 86400 + dt.hour * 3600 + dt.minute * 60
                   + dt.second - int(offset.total_seconds()))
        return cls(seconds, dt.microsecond * 1000)


class _Date(NamedTuple):
    """java.time.LocalDate"""

    year: int
    month: int
    day: int

    def __str__(self) -> str:
        return f"{_year_text(self.year)}-{self.month:02d}-{self.day:02d}"


class _Time(NamedTuple):
    """java.time.LocalTime"""

    hour: int
    minute: int
    second: int
    nano: int

    def __str__(self) -> str:
        text = f"{self.hour:02d}:{self.minute:02d}"
        if self.second or self.nano:
            text += f":{self.second:02d}{_nano_groups(self.nano)}"
        return text

    def iso(self) -> str:
        """DateTimeFormatter.ISO_LOCAL_TIME (how Jackson writes it): seconds always."""
        fraction = f".{self.nano:09d}".rstrip("0") if self.nano else ""
        return f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}{fraction}"


def _tdiv(a: int, b: int) -> int:
    """Java's integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


class _Duration(NamedTuple):
    """java.time.Duration: whole seconds and 0 <= nano < 10^9."""

    seconds: int
    nano: int

    def __str__(self) -> str:
        return format_java_duration(self.seconds, self.nano)

    def total_seconds(self) -> float:
        """What Kestra's stored execution holds: Jackson writes decimal seconds, reads a double."""
        return float(Decimal(self.seconds) + Decimal(self.nano).scaleb(-9))


def format_java_duration(seconds: int, nano: int = 0) -> str:
    """Duration.toString() of the duration `seconds` + `nano` / 10^9 (0 <= nano < 10^9)."""
    if seconds == 0 and nano == 0:
        return "PT0S"
    effective = seconds + 1 if seconds < 0 and nano > 0 else seconds
    hours = _tdiv(effective, 3600)
    minutes = _tdiv(effective - hours * 3600, 60)
    secs = effective - hours * 3600 - minutes * 60
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs == 0 and nano == 0 and len(out) > 2:
        return out
    if seconds < 0 and nano > 0:
        out += "-0" if secs == 0 else str(secs)
    else:
        out += str(secs)
    if nano > 0:
        digits = str(2 * _NANOS - nano if seconds < 0 else nano + _NANOS).rstrip("0")
        out += "." + digits[1:]
    return out + "S"


_DURATION = re.compile(
    r"([-+]?)P(?:([-+]?[0-9]+)D)?"
    r"(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?",
    re.IGNORECASE | re.ASCII,
)


def _parse_duration(text: str) -> _Duration:
    """Duration.parse(text)"""
    m = _DURATION.fullmatch(text)
    if not m or (m.group(3) or "").upper() == "T" or not any(m.group(i) for i in (2, 4, 5, 6)):
        raise _DateTimeParse("Text cannot be parsed to a Duration")
    total = 0
    for group, unit, what in ((2, 86400, "days"), (4, 3600, "hours"), (5, 60, "minutes"), (6, 1, "seconds")):
        if m.group(group) is None:
            continue
        try:
            number = _parse_int(m.group(group), LONG_MIN, LONG_MAX)
        except _NumberFormat:
            raise _DateTimeParse(f"Text cannot be parsed to a Duration: {what}") from None
        if not LONG_MIN <= number * unit <= LONG_MAX:
            raise _DateTimeParse(f"Text cannot be parsed to a Duration: {what}")
        total += number * unit
    fraction = m.group(7)
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    if m.group(6) and m.group(6).startswith("-"):
        nanos = -nanos
    overflow = _DateTimeParse("Text cannot be parsed to a Duration: overflow")
    if not LONG_MIN <= total <= LONG_MAX:
        raise overflow
    whole, nano = divmod(total * _NANOS + nanos, _NANOS)
    if m.group(1) == "-":
        whole, nano = divmod(-(whole * _NANOS + nano), _NANOS)
    if not LONG_MIN <= whole <= LONG_MAX:
        raise overflow
    return _Duration(whole, nano)


def parse_java_duration(text: str) -> tuple[int, int]:
    """Duration.parse: (seconds, nano) of an ISO-8601 duration; ValueError with Java's message."""
    try:
        return tuple(_parse_duration(text))
    except _JavaException as e:
        raise ValueError(e.message) from None


class _Failed(Exception):
    """A DateTimeFormatter parser stopped at `index`."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class _Scanner:
    """The parts of java.time's DateTimeFormatter the ISO formats use, in strict mode."""

    def __init__(self, text: str, case_insensitive: bool = False) -> None:
        self.text = text
        self.pos = 0
        self.case_insensitive = case_insensitive

    def number(self, min_width: int, max_width: int, exceeds_pad: bool = False) -> int:
        text, position = self.text, self.pos
        if position == len(text):
            raise _Failed(position)
        negative = positive = False
        if text[position] in "+-":
            if not exceeds_pad:  # NOT_NEGATIVE fields refuse any sign in strict mode
                raise _Failed(position)
            negative, positive = text[position] == "-", text[position] == "+"
            position += 1
        if position + min_width > len(text):
            raise _Failed(position)
        end = position
        while end < min(position + max_width, len(text)) and "0" <= text[end] <= "9":
            end += 1
        if end - position < min_width:
            raise _Failed(position)
        value = int(text[position:end])
        if negative:
            if value == 0:
                raise _Failed(position - 1)
            value = -value
        elif exceeds_pad:  # a sign is needed exactly when the year exceeds 4 digits
            if positive and end - position <= min_width:
                raise _Failed(position - 1)
            if not positive and end - position > min_width:
                raise _Failed(position)
        self.pos = end
        return value

    def literal(self, expected: str) -> None:
        if self.pos == len(self.text):
            raise _Failed(self.pos)
        c = self.text[self.pos]
        if c != expected and not (self.case_insensitive
                                  and (c.upper() == expected.upper() or c.lower() == expected.lower())):
            raise _Failed(self.pos)
        self.pos += 1

    def fraction(self) -> int:
        """An optional `.` and up to 9 digits, as nanoseconds."""
        if self.pos == len(self.text) or self.text[self.pos] != ".":
            return 0
        start = self.pos + 1
        end = start
        while end < min(start + 9, len(self.text)) and "0" <= self.text[end] <= "9":
            end += 1
        self.pos = end
        return int(self.text[start:end].ljust(9, "0")) if end > start else 0

    def _two_digits(self, at: int) -> int | None:
        pair = self.text[at:at + 2]
        if len(pair) == 2 and all("0" <= c <= "9" for c in pair) and int(pair) <= 59:
            return int(pair)
        return None

    def offset(self) -> int:
        """appendOffsetId(): `Z`, or +HH:MM with optional :ss; in seconds."""
        text, start = self.text, self.pos
        if start == len(text):
            raise _Failed(start)
        if text[start] == "Z" or (self.case_insensitive and text[start] == "z"):
            self.pos += 1
            return 0
        if text[start] not in "+-":
            raise _Failed(start)
        hours = self._two_digits(start + 1)
        minutes = self._two_digits(start + 4) if text[start + 3:start + 4] == ":" else None
        if hours is None or minutes is None:
            raise _Failed(start)
        end = start + 6
        seconds = 0
        if text[end:end + 1] == ":" and self._two_digits(end + 1) is not None:
            seconds = self._two_digits(end + 1)
            end += 3
        if hours > 23:
            raise _DateTimeParse("Value out of range: Hour[0-23], Minute[0-59], Second[0-59]")
        self.pos = end
        sign = -1 if text[start] == "-" else 1
        return sign * (hours * 3600 + minutes * 60 + seconds)

    def date(self) -> tuple[int, int, int]:
        """ISO_LOCAL_DATE's fields, not yet checked."""
        year = self.number(4, 10, exceeds_pad=True)
        self.literal("-")
        month = self.number(2, 2)
        self.literal("-")
        return year, month, self.number(2, 2)


def _unparseable(text: str, why: str) -> _DateTimeParse:
    shown = text if len(text) <= 64 else text[:64] + "..."
    return _DateTimeParse(f"Text '{shown}'{why}")


def _run_scanner(text: str, read: Callable[[_Scanner], Any], case_insensitive: bool = False):
    """Parse `text` fully with `read`, raising DateTimeParseException's messages."""
    scanner = _Scanner(text, case_insensitive)
    try:
        fields = read(scanner)
    except _Failed as e:
        raise _unparseable(text, f" could not be parsed at index {e.index}") from None
    except _DateTimeParse as e:
        raise _unparseable(text, f" could not be parsed: {e.message}") from None
    if scanner.pos < len(text):
        raise _unparseable(text, f" could not be parsed, unparsed text found at index {scanner.pos}")
    return fields


def _check_range(name: str, valid: str, value: int, low: int, high: int) -> str | None:
    if low <= value <= high:
        return None
    return f"Invalid value for {name} (valid values {valid}): {value}"


def _parse_local_date(text: str) -> _Date:
    """LocalDate.parse(text): ISO_LOCAL_DATE, strict."""
    year, month, day = _run_scanner(text, _Scanner.date)
    problem = (_check_range("Year", "-999999999 - 999999999", year, -999_999_999, 999_999_999)
               or _check_range("MonthOfYear", "1 - 12", month, 1, 12)
               or _check_range("DayOfMonth", "1 - 28/31", day, 1, 31))
    if problem is None and day > _month_length(year, month):
        if day == 29:
            problem = f"Invalid date 'February 29' as '{year}' is not a leap year"
        else:
            problem = f"Invalid date '{_MONTHS[month - 1]} {day}'"
    if problem:
        raise _unparseable(text, f" could not be parsed: {problem}")
    return _Date(year, month, day)


def _read_local_time(scanner: _Scanner) -> tuple[int, int, int, int]:
    hour = scanner.number(2, 2)
    scanner.literal(":")
    minute = scanner.number(2, 2)
    second = nano = 0
    mark = scanner.pos
    try:  # optional `:ss` and fraction
        scanner.literal(":")
        second = scanner.number(2, 2)
        nano = scanner.fraction()
    except _Failed:
        scanner.pos, second, nano = mark, 0, 0
    return hour, minute, second, nano


def _parse_local_time(text: str) -> _Time:
    """LocalTime.parse(text): ISO_LOCAL_TIME, strict (fields checked minute, hour, second)."""
    hour, minute, second, nano = _run_scanner(text, _read_local_time)
    problem = (_check_range("MinuteOfHour", "0 - 59", minute, 0, 59)
               or _check_range("HourOfDay", "0 - 23", hour, 0, 23)
               or _check_range("SecondOfMinute", "0 - 59", second, 0, 59))
    if problem:
        raise _unparseable(text, f" could not be parsed: {problem}")
    return _Time(hour, minute, second, nano)


def _read_instant(scanner: _Scanner):
    year, month, day = scanner.date()
    scanner.literal("T")
    hour = scanner.number(2, 2)
    scanner.literal(":")
    minute = scanner.number(2, 2)
    scanner.literal(":")
    second = scanner.number(2, 2)
    nano = scanner.fraction()
    return year, month, day, hour, minute, second, nano, scanner.offset()


def _parse_instant(text: str) -> _Instant:
    """Instant.parse(text): ISO_INSTANT (case-insensitive `T`/`Z`, offsets accepted)."""
    year, month, day, hour, minute, second, nano, offset = _run_scanner(text, _read_instant, True)
    extra_day = 0
    if (hour, minute, second, nano) == (24, 0, 0, 0):
        hour, extra_day = 0, 1
    elif (hour, minute, second) == (23, 59, 60):
        second = 59  # a leap second reads as the second before it
    if (not 1 <= month <= 12 or not 1 <= day <= _month_length(year, month) or hour > 23 or minute > 59
            or second > 59 or abs(offset) > 18 * 3600):
        raise _unparseable(text, " could not be parsed at index 0")
    seconds = ((_days_from_civil(year, month, day) + extra_day) * 86400 + hour * 3600 + minute * 60 + second
               - offset)
    if not _INSTANT_MIN <= seconds <= _INSTANT_MAX:
        raise _unparseable(text, " could not be parsed: Instant exceeds minimum or maximum instant")
    return _Instant(seconds, nano)


# --------------------------------------------------------------------------- JSON and YAML


def _read_json(text: str):
    """ObjectMapper.readValue(text, Object.class)"""
    if not text.strip(" \t\r\n"):
        raise _JavaException("No content to map due to end-of-input")
    try:
        return parse_json(text)
    except RenderError as e:
        raise _JavaException(e.message) from None


_JSON_KINDS = ((bool, "Boolean"), (int, "Integer"), (float, "Floating-point"), (str, "String"), (dict, "Object"))


def _read_json_list(text: str):
    """ObjectMapper.readValue(text, List.class): a JSON array (or null)."""
    value = _read_json(text)
    if value is None or isinstance(value, list):
        return value
    kind = next(name for t, name in _JSON_KINDS if isinstance(value, t))
    raise _JavaException(f"Cannot deserialize value of type `java.util.ArrayList<java.lang.Object>` from {kind} value")


def _read_yaml(text: str):
    if not text.strip(" \t\r\n"):
        raise _JavaException("No content to map due to end-of-input")
    try:
        return parse_yaml(text)
    except RenderError as e:
        raise _JavaException(e.message) from None


# --------------------------------------------------------------------------- parsing by type

_URI = re.compile(r"[a-z]+://(?:www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b"
                  r"(?:[-a-zA-Z0-9()@:%_+.~#?&/=]*)", re.ASCII)
_EMAIL = re.compile(r"^$|^[a-zA-Z0-9_!#$%&’*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STRING_KINDS = frozenset(("STRING", "SECRET", "EMAIL", "SELECT", "ENUM", "URI"))
KINDS = frozenset(("STRING", "ENUM", "SELECT", "MULTISELECT", "INT", "FLOAT", "BOOLEAN", "DATETIME", "DATE",
                   "TIME", "DURATION", "FILE", "JSON", "YAML", "URI", "SECRET", "ARRAY", "EMAIL"))


@dataclass
class _Run:
    """What parsing needs besides the value: where FILE inputs go, where SECRET values are noted."""

    storage: Storage | None
    prefix: str | None
    secrets: set[str] = field(default_factory=set)

    def file(self, text: str, data_id: str) -> str:
        scheme = _SCHEME.match(text.replace("\\", "/"))
        if scheme and scheme.group(1) == "kestra":
            # Kestra keeps the URI unchecked; checking now names the bad input instead of a later task
            try:
                self._storage().get(text)
            except StorageError as e:
                raise _IllegalArgument(str(e)) from None
            return text
        path = Path(text)
        if text and path.is_dir():
            raise _JavaException(f"{text} (Is a directory)")
        if not text or not path.is_file():
            raise _JavaException(f"{text} (No such file or directory)")
        if self.prefix is None:
            raise _JavaException(f"{text} (no execution to store it in)")
        uri = f"{self.prefix}/inputs/{data_id}/{path.name}"
        try:
            self._storage().put(uri, path)
        except OSError as e:
            raise _JavaException(f"{text} ({e.strerror or e})") from None
        return uri

    def _storage(self) -> Storage:
        if self.storage is None:
            raise _JavaException("no internal storage to read or store files")
        return self.storage


def _string(v) -> str:
    if isinstance(v, str):
        return v
    raise _cast_error(v)


def _parse_value(kind: str, value, item_kind: str | None, run: _Run, data_id: str):
    """FlowInputOutput.parseType: the typed value, or a Java exception as Kestra raises it."""
    try:
        return _parse_raw(kind, value, item_kind, run, data_id)
    except _IllegalArgument:
        raise
    except _JavaException as e:
        raise _JavaException(f"Expected `{kind}` but received `{_jstr(value)}` with errors:\n```\n"
                             f"{_jstr(e.message)}\n```") from None


def _parse_raw(kind: str, value, item_kind: str | None, run: _Run, data_id: str):
    if kind in ("STRING", "SELECT", "ENUM", "EMAIL"):
        return value
    if kind == "SECRET":
        if value is None:
            raise _NullPointer(None)
        secret = _string(value)
        if secret:
            run.secrets.add(secret)
        return secret
    if kind == "INT":
        if isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX:
            return Int32(value)
        if value is None:
            raise _NumberFormat("Cannot parse null string: null")
        return Int32(_parse_int(_string(value)))
    if kind == "FLOAT":
        if isinstance(value, Float32):
            return value
        if value is None:
            raise _NullPointer('Cannot invoke "Object.toString()" because "current" is null')
        return Float32(_parse_float(_jstr(value)))  # Float.valueOf(current.toString())
    if kind == "BOOLEAN":
        if isinstance(value, bool):
            return value
        return value is not None and _string(value).lower() == "true"  # Boolean.valueOf
    if kind in ("DATETIME", "DATE", "TIME", "DURATION"):
        return _parse_temporal(kind, value)
    if kind == "FILE":
        if value is None:
            raise _NullPointer('Cannot invoke "String.replace(java.lang.CharSequence, java.lang.CharSequence)" '
                               'because "current" is null')
        return run.file(_string(value), data_id)
    if kind in ("JSON", "YAML"):
        if value is None:
            raise _IllegalArgument('argument "content" is null')
        if not isinstance(value, str):
            return value  # already structured (a Subflow's map, a typed inputs file): kept as is
        return _read_json(value) if kind == "JSON" else _read_yaml(value)
    if kind == "URI":
        if value is None:
            raise _NullPointer('Cannot invoke "java.lang.CharSequence.length()" because "this.text" is null')
        if not _URI.fullmatch(_string(value)):
            raise _IllegalArgument(f"Expected `URI` but received `{value}`")
        return value
    if kind in ("ARRAY", "MULTISELECT"):
        return _parse_list(value, item_kind, run, data_id)
    raise _IllegalArgument(f"Unknown type `{kind}`")


def _parse_temporal(kind: str, value):
    if value is None:
        raise _NullPointer("text")
    typed, parse = {
        "DATETIME": (_Instant, _parse_instant),
        "DATE": (_Date, _parse_local_date),
        "TIME": (_Time, _parse_local_time),
        "DURATION": (_Duration, _parse_duration),
    }[kind]
    if isinstance(value, typed):
        return value
    converted = _from_python(kind, value)
    return converted if converted is not None else parse(_string(value))


def _from_python(kind: str, v):
    """A Python datetime, date, time or timedelta as the Java value of that type, else None."""
    if kind == "DATETIME" and isinstance(v, datetime):
        return _Instant.of(v)
    if kind == "DATE" and isinstance(v, date) and not isinstance(v, datetime):
        return _Date(v.year, v.month, v.day)
    if kind == "TIME" and isinstance(v, time):
        return _Time(v.hour, v.minute, v.second, v.microsecond * 1000)
    if kind == "DURATION" and isinstance(v, timedelta):
        micros = (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
        return _Duration(*divmod(micros * 1000, _NANOS))
    return None


def _parse_list(value, item_kind: str | None, run: _Run, data_id: str):
    if value is None:
        raise _IllegalArgument('argument "content" is null')
    if isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = _read_json_list(_string(value))
    if item_kind is None:
        return items
    if items is None:
        raise _NullPointer('Cannot invoke "java.util.List.stream()" because "asList" is null')
    parsed = []
    for item in items:
        try:
            parsed.append(_parse_value(item_kind, item, None, run, data_id))
        except _JavaException:
            raise _IllegalArgument(f"Unable to parse array element as `{item_kind}` on `{_jstr(item)}`") from None
    return parsed


def _stored(v):
    """The value as a task reads it back from Kestra's stored execution (see the module doc)."""
    if isinstance(v, (_Instant, _Date)):
        return str(v)
    if isinstance(v, _Time):
        return v.iso()
    if isinstance(v, _Duration):
        return v.total_seconds()
    if isinstance(v, Float32):
        return float(java_double(v, float32=True))
    if isinstance(v, list):
        return [_stored(x) for x in v]
    return v


# --------------------------------------------------------------------------- declarations


def _data_id(decl: dict) -> str:
    data_id = decl.get("id") if decl.get("id") is not None else decl.get("name")
    if not isinstance(data_id, str) or not data_id:
        raise InputError(str(data_id), f"an input has no `id`: {_jstr(decl)}")
    return data_id


def _flag(decl: dict, key: str, default: bool) -> bool:
    value = decl.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _kind(decl: dict, data_id: str, error=InputError) -> str | None:
    kind = decl.get("type")
    if kind is None:
        return None
    if kind not in KINDS:
        raise error(data_id, f"`{data_id}` has an unknown type `{_jstr(kind)}`")
    return kind


def _item_kind(decl: dict, kind: str) -> str | None:
    if kind == "MULTISELECT":
        return decl.get("itemType") or "STRING"
    return decl.get("itemType") if kind == "ARRAY" else None


def _strings(values) -> list | None:
    """A List<String> property as Jackson reads it: scalars become their text."""
    if values is None:
        return None
    if not isinstance(values, (list, tuple)):
        values = [values]
    return [_jstr(v) if isinstance(v, (bool, int, float)) else v for v in values]


def _duration_property(value):
    """A Duration in the flow (defaults, min, max): Kestra's reader also takes (numeric) seconds."""
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[-+]?[0-9]*\.?[0-9]*", text, re.ASCII) or not any(c.isdigit() for c in text):
            return value  # an ISO text, parsed (and refused) like a given value
        value = float(text) if "." in text else int(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    nanos = int(Decimal(java_double(value) if isinstance(value, float) else value).scaleb(9))
    return _Duration(*divmod(nanos, _NANOS))


def _default(decl: dict, kind: str | None):
    """`defaults` as Jackson types it into the input's Java type when the flow is read."""
    value = decl.get("defaults")
    if value is None or kind is None:
        return value
    if kind in _STRING_KINDS and isinstance(value, (bool, int, float)):
        return _jstr(value)
    if kind == "MULTISELECT" and isinstance(value, (list, tuple)):
        return _strings(value)
    if kind == "DURATION":
        return _duration_property(value)
    return value


def _bound(decl: dict, key: str, kind: str, data_id: str):
    value = decl.get(key)
    if value is None:
        return None
    if kind == "DURATION":
        value = _duration_property(value)
    try:
        return _parse_raw(kind, value, None, _Run(None, None), data_id)
    except _JavaException as e:
        raise InputError(data_id, f"Invalid input for `{data_id}`, its `{key}` is not a valid {kind} "
                                  f"({e.message}), but received `{_jstr(value)}`") from None


@lru_cache(maxsize=256)
def _java_regex(pattern: str) -> re.Pattern:
    """A Java regular expression run by Python's `re` (ASCII classes as in Java; `\\z` → `\\Z`)."""
    return re.compile(re.sub(r"(?<!\\)((?:\\\\)*)\\z", r"\1\\Z", pattern), re.ASCII)


def _validate(kind: str, decl: dict, typed, values: list | None, required: bool, data_id: str) -> None:
    """Input.validate: raises _Violation (wrapped by Kestra) or a Java exception."""
    if kind in ("STRING", "SECRET"):
        text = _string(typed)  # the generic bridge method casts before validating
        validator = decl.get("validator")
        if validator is not None:
            try:
                regex = _java_regex(str(validator))
            except re.error as e:
                raise InputError(data_id, f"Invalid input for `{data_id}`, its `validator` `{validator}` is not a "
                                          f"regular expression flowc can run ({e}), but received `{text}`") from None
            if not regex.fullmatch(text):
                raise _Violation(f"it must match the pattern `{validator}`")
    elif kind in ("ENUM", "SELECT"):
        text = _string(typed)
        if values is None:
            raise _NullPointer('Cannot invoke "java.util.List.contains(Object)" because "this.values" is null')
        if text not in values and required:
            if kind == "SELECT" and _flag(decl, "allowCustomValue", False):
                return
            raise _Violation(f"it must match the values `{_jstr(values)}`")
    elif kind == "MULTISELECT":
        options = None if decl.get("expression") is not None else _strings(decl.get("options"))
        if values is not None and options is not None:
            raise _Violation("you can't define both `values` and `options`")
        if not _flag(decl, "allowCustomValue", False):
            allowed = values if values is not None else options
            for item in typed:
                text = _string(item)
                if allowed is None:
                    raise _NullPointer('Cannot invoke "java.util.List.contains(Object)" because "finalValues" is null')
                if text not in allowed:
                    raise _Violation(f"it must match the values `{_jstr(allowed)}`")
    elif kind in ("INT", "FLOAT", "DURATION"):
        low, high = _bound(decl, "min", kind, data_id), _bound(decl, "max", kind, data_id)
        compare = _float_compare if kind == "FLOAT" else (lambda a, b: (a > b) - (a < b))
        it = "It" if kind == "DURATION" else "it"
        if low is not None and compare(typed, low) < 0:
            raise _Violation(f"{it} must be more than `{_jstr(low)}`")
        if high is not None and compare(typed, high) > 0:
            raise _Violation(f"{it} must be less than `{_jstr(high)}`")
    elif kind in ("DATETIME", "DATE", "TIME"):
        after, before = _bound(decl, "after", kind, data_id), _bound(decl, "before", kind, data_id)
        if after is not None and typed < after:
            raise _Violation(f"it must be after `{after}`")
        if before is not None and typed > before:
            raise _Violation(f"it must be before `{before}`")
    elif kind == "EMAIL":
        if not _EMAIL.fullmatch(_string(typed)):
            raise _Violation("The input must be a valid email")


# --------------------------------------------------------------------------- nesting dotted ids


def _hashmap_capacity(size: int) -> int:
    """The table size of a java.util.HashMap filled from empty with `size` keys."""
    capacity = 16
    while size > capacity * 0.75:
        capacity *= 2
    return capacity


class _KeyConflict(_IllegalArgument):
    """Two dotted ids that cannot both be nested (`a` and `a.b`)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class _Branch(dict):
    """A map created for a dotted id (a java.util.HashMap in Kestra)."""


def _java_split_dots(key: str) -> list[str]:
    """String.split("\\\\."): trailing empty parts dropped."""
    parts = key.split(".")
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def _as_hashmaps(value):
    if isinstance(value, _Branch):
        items = [(k, _as_hashmaps(v)) for k, v in value.items()]
        return JavaHashMap.of(items, _hashmap_capacity(len(items)))
    return value


def _nest(flat: dict[str, Any]) -> dict:
    """MapUtils.flattenToNestedMap: `a.b` becomes {a: {b: ...}}; the top level sorted by key."""
    order = hashmap_order(list(flat), _hashmap_capacity(len(flat)))
    result: dict = {}
    for key in order:
        parts = _java_split_dots(key)
        current = result
        for i, part in enumerate(parts[:-1]):
            if part not in current:
                current[part] = _Branch()
            elif not isinstance(current[part], dict):
                # (sic) Kestra names the parts before the conflicting one
                raise _KeyConflict(key, f"Conflict at key: '{','.join(parts[:i])}'. Map keys are: {_jstr(order)}")
            current = current[part]
        if parts[-1] in current:
            raise _KeyConflict(key, f"Conflict at key: '{parts[-1]}', Map keys are: {_jstr(order)}")
        current[parts[-1]] = flat[key]
    return {k: _as_hashmaps(result[k]) for k in sorted(result)}


# --------------------------------------------------------------------------- inputs


@dataclass(eq=False)
class _Slot:
    """One declared input while it is being resolved (Kestra's ResolvableInput)."""

    id: str
    decl: dict
    kind: str | None
    value: Any  # the given value or default; the parsed value once resolved without error
    state: str = "pending"  # pending | resolving | done
    enabled: bool = True
    error: str | None = None


def _message(e: Exception) -> str:
    return getattr(e, "message", None) or str(e)


class _Resolver:
    def __init__(self, slots: dict[str, _Slot], run: _Run, render_condition: Render | None,
                 render_expression: Render | None) -> None:
        self.slots = slots
        self.run = run
        self.render_condition = render_condition
        self.render_expression = render_expression
        self.warnings: list[str] = []

    def resolve(self, slot: _Slot, chain: tuple[str, ...] = ()) -> None:
        if slot.state == "done":
            return
        if slot.state == "resolving":
            cycle = " -> ".join(chain[chain.index(slot.id):] + (slot.id,))
            raise InputError(slot.id, f"Invalid input for `{slot.id}`, its `dependsOn` makes a cycle ({cycle}), "
                                      f"but received `{_jstr(slot.value)}`")
        slot.state = "resolving"
        try:
            self._resolve(slot, chain + (slot.id,))
        finally:
            slot.state = "done"

    def _invalid(self, slot: _Slot, why: str, value) -> None:
        slot.error = f"Invalid input for `{slot.id}`, {why}, but received `{_jstr(value)}`"

    def _resolve(self, slot: _Slot, chain: tuple[str, ...]) -> None:
        depends = slot.decl.get("dependsOn") or {}
        dependencies = []
        for dep_id in dict.fromkeys(depends.get("inputs") or ()):
            dep = self.slots.get(dep_id)  # unknown ids are ignored, as Kestra does
            if dep is not None and dep is not slot:
                self.resolve(dep, chain)
                dependencies.append(dep)
        try:
            visible = {"inputs": _nest({d.id: d.value for d in dependencies})}
        except _IllegalArgument as e:
            return self._invalid(slot, e.message, slot.value)

        enabled = all(d.enabled for d in dependencies)
        condition = depends.get("condition")
        if condition is not None and enabled:
            if self.render_condition is None:
                raise InputError(slot.id, f"the `dependsOn.condition` of input `{slot.id}` needs the flow engine "
                                          "to render it (no condition renderer was given)")
            try:
                enabled = self.render_condition(condition, visible) is True  # Boolean.TRUE.equals(...)
            except Exception as e:  # noqa: BLE001 - any render failure disables the input, as in Kestra
                slot.error = f"Invalid condition: {_message(e)}"
                self.warnings.append(f"input `{slot.id}` is disabled: its condition failed to render: {_message(e)}")
                enabled = False
        if not enabled:
            slot.enabled = False
            return

        kind = slot.kind
        values = _strings(slot.decl.get("values"))
        expression = slot.decl.get("expression")
        if kind in ("SELECT", "MULTISELECT") and expression is not None:
            render = self.render_expression or self.render_condition
            if render is None:
                raise InputError(slot.id, f"the `expression` of input `{slot.id}` needs the flow engine to render it "
                                          "(no expression renderer was given)")
            try:
                result = render(expression, visible)
            except Exception as e:  # noqa: BLE001
                slot.error = f"Cannot render 'expression'. Cause: {_message(e)}"
                return
            if not isinstance(result, (list, tuple)):
                slot.error = f"Invalid expression result. Expected a list of strings, but received {_simple_name(result)}"
                return
            values = [_jstr(v) for v in result if v is not None]

        raw = slot.value
        required = _flag(slot.decl, "required", True)
        if raw is None:
            if required:
                self._invalid(slot, "missing required input", None)
            return
        if kind is None:
            return
        try:
            typed = _parse_value(kind, raw, _item_kind(slot.decl, kind), self.run, slot.id)
        except _JavaException as e:
            return self._invalid(slot, e.message if isinstance(e, _IllegalArgument) else e.to_string(), raw)
        try:
            _validate(kind, slot.decl, typed, values, required, slot.id)
        except _Violation as e:
            return self._invalid(slot, e.message, raw)
        except _JavaException as e:
            return self._invalid(slot, e.message if isinstance(e, _IllegalArgument) else e.to_string(), raw)
        slot.value = _stored(typed)


def resolve_inputs(declarations: list[dict] | None, provided: dict[str, Any] | None, *, storage: Storage,
                   execution_prefix: str, render_condition: Render | None = None,
                   render_expression: Render | None = None) -> ResolvedInputs:
    """The execution's inputs from the flow's `inputs` and the values given for them.

    `provided` holds raw values: strings (`--input k=v`) or typed values (an inputs file, a
    Subflow's `inputs`). FILE inputs given as local paths are copied to
    `<execution_prefix>/inputs/<id>/<file name>` in `storage`. `render_condition(text,
    {"inputs": ...})` renders a `dependsOn.condition` (typed) with the input's dependencies
    visible; `render_expression` (same signature, defaults to `render_condition`) renders the
    `expression` of SELECT and MULTISELECT inputs. Raises InputError for the first invalid input.
    """
    slots: dict[str, _Slot] = {}
    for decl in declarations or ():
        data_id = _data_id(decl)
        if data_id in slots:
            continue  # Kestra keeps the first of two inputs with one id
        kind = _kind(decl, data_id)
        value = (provided or {}).get(data_id)
        slots[data_id] = _Slot(data_id, decl, kind, _default(decl, kind) if value is None else value)

    run = _Run(storage, execution_prefix)
    resolver = _Resolver(slots, run, render_condition, render_expression)
    for slot in slots.values():
        resolver.resolve(slot)
    enabled = [s for s in slots.values() if s.enabled]
    for slot in enabled:
        if slot.error is not None:
            raise InputError(slot.id, slot.error)
    try:
        values = _nest({s.id: s.value for s in enabled})
    except _KeyConflict as e:
        raise InputError(e.key, e.message) from None
    return ResolvedInputs(values, run.secrets, resolver.warnings)


# --------------------------------------------------------------------------- outputs


def resolve_outputs(declarations: list[dict] | None, rendered: dict[str, Any] | None, *,
                    storage: Storage | None = None, execution_prefix: str | None = None) -> dict:
    """The flow's outputs: each declared output's rendered value parsed by its `type`.

    As in Kestra, outputs are not validated (no min/max/values checks), and a null value drops
    the output from the map. SECRET outputs keep their plain value here (see `secret_outputs`).
    Raises OutputError (`Invalid output for `<id>`, ...`) for the first value that does not parse.
    """
    results: dict[str, Any] = {}
    run = _Run(storage, execution_prefix)
    for decl in declarations or ():
        out_id = decl.get("id")
        kind = _kind(decl, str(out_id), OutputError)
        current = (rendered or {}).get(out_id)
        if kind is None:
            results[out_id] = current
            continue
        try:
            typed = _parse_value(kind, current, None, run, out_id)
        except _JavaException as e:
            raise OutputError(out_id, f"Invalid output for `{out_id}`, {e.message}, but received "
                                      f"`{_jstr(current)}`") from None
        results[out_id] = _stored(typed)
    # a java.util.HashMap, through Kestra's mapper, which drops null values
    kept = [(k, v) for k, v in results.items() if v is not None]
    return JavaHashMap.of(kept, _hashmap_capacity(len(results)))


def secret_outputs(declarations: list[dict] | None, values: dict) -> set[str]:
    """The values of SECRET outputs, to mask like secret inputs."""
    secrets = set()
    for decl in declarations or ():
        value = values.get(decl.get("id"))
        if decl.get("type") == "SECRET" and isinstance(value, str) and value:
            secrets.add(value)
    return secrets
