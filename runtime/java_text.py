"""Java's text forms of numbers and java.time values, parsed and printed as the JDK does.

`Integer.parseInt`, `Double.parseDouble`, `Float.valueOf` and `Float.compare`; `Instant.parse`,
`LocalDate.parse`, `LocalTime.parse` and `Duration.parse` in strict ISO mode, with the messages of
the exceptions they throw; and the `toString()` of those java.time values. The values are exact (nanoseconds,
any year Java allows), unlike Python's datetime, date, time and timedelta, which is why they are
their own types here rather than what `pebble/printing.py` and `pebble/dates.py` print and parse.
"""
from __future__ import annotations

import re
import struct
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Callable, NamedTuple

from .pebble.values import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, Float32

# --------------------------------------------------------------------------- Java exceptions


class JavaException(Exception):
    """A Java exception; `to_string()` is Throwable.toString()."""

    java_class = "java.lang.Exception"

    def __init__(self, message: str | None) -> None:
        super().__init__(message)
        self.message = message

    def to_string(self) -> str:
        return self.java_class if self.message is None else f"{self.java_class}: {self.message}"


class IllegalArgumentException(JavaException):
    java_class = "java.lang.IllegalArgumentException"


class NumberFormatException(IllegalArgumentException):
    java_class = "java.lang.NumberFormatException"


class DateTimeParseException(JavaException):
    java_class = "java.time.format.DateTimeParseException"


# --------------------------------------------------------------------------- numbers


def _digit(c: str) -> int:
    """Character.digit(c, 10): any Unicode decimal digit of the BMP (Java chars are UTF-16)."""
    if "0" <= c <= "9":
        return ord(c) - 48
    if ord(c) > 0xFFFF:
        return -1
    return unicodedata.decimal(c, -1)


def parse_int(text: str, low: int = INT_MIN, high: int = INT_MAX) -> int:
    """Integer.parseInt(text) (Long.parseLong with the long bounds)."""
    error = NumberFormatException(f'For input string: "{text}"')
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


def parse_double(text: str) -> float:
    """Double.parseDouble(text): Java's literal syntax (hex too, a type suffix allowed) after
    String.trim(); a value beyond a double is an infinity, never an error."""
    s = _java_trim(text)
    if not s:
        raise NumberFormatException("empty String")
    if not _JAVA_FLOAT.fullmatch(s):
        raise NumberFormatException(f'For input string: "{s}"')  # Java shows the trimmed text
    body = s.lstrip("+-")
    negative = s.startswith("-")
    if body in ("NaN", "Infinity"):
        return float("nan") if body == "NaN" else float("-inf") if negative else float("inf")
    if s[-1] in "fFdD":  # a type suffix: never a digit here, even in hex (the exponent ends it)
        s = s[:-1]
    if body[:2].lower() != "0x":
        return float(s)  # Python's float() gives an infinity past the range, as Java does
    try:
        return float.fromhex(s)
    except OverflowError:
        return float("-inf") if negative else float("inf")


def parse_float(text: str) -> Float32:
    """Float.valueOf(text)."""
    return Float32(parse_double(text))


def float_compare(a: float, b: float) -> int:
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


# --------------------------------------------------------------------------- java.time values and toString()

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


class JavaInstant(NamedTuple):
    """java.time.Instant"""

    # printing.iso_instant prints the pebble Instant (a datetime) through this class
    java_class = "java.time.Instant"
    seconds: int
    nano: int

    def __str__(self) -> str:
        days, secs = divmod(self.seconds, 86400)
        y, m, d = _civil_from_days(days)
        hh, rest = divmod(secs, 3600)
        mm, ss = divmod(rest, 60)
        return f"{_year_text(y)}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}{_nano_groups(self.nano)}Z"

    @classmethod
    def of(cls, dt: datetime) -> "JavaInstant":
        offset = dt.utcoffset() or timedelta(0)  # a naive datetime is taken as UTC
        seconds = (_days_from_civil(dt.year, dt.month, dt.day) * 86400 + dt.hour * 3600 + dt.minute * 60
                   + dt.second - int(offset.total_seconds()))
        return cls(seconds, dt.microsecond * 1000)


class JavaDate(NamedTuple):
    """java.time.LocalDate"""

    java_class = "java.time.LocalDate"
    year: int
    month: int
    day: int

    def __str__(self) -> str:
        return f"{_year_text(self.year)}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def of(cls, d: date) -> "JavaDate":
        return cls(d.year, d.month, d.day)


class JavaTime(NamedTuple):
    """java.time.LocalTime"""

    # printing.java_local_time and printing.iso_local_time print a Python time through this class
    java_class = "java.time.LocalTime"
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

    @classmethod
    def of(cls, t: time) -> "JavaTime":
        return cls(t.hour, t.minute, t.second, t.microsecond * 1000)


def _tdiv(a: int, b: int) -> int:
    """Java's integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


class JavaDuration(NamedTuple):
    """java.time.Duration: whole seconds and 0 <= nano < 10^9."""

    java_class = "java.time.Duration"
    seconds: int
    nano: int

    def __str__(self) -> str:
        return format_java_duration(self.seconds, self.nano)

    def total_seconds(self) -> float:
        """What Kestra's stored execution holds: Jackson writes decimal seconds, reads a double."""
        return float(Decimal(self.seconds) + Decimal(self.nano).scaleb(-9))

    @classmethod
    def of_nanos(cls, nanos: int) -> "JavaDuration":
        return cls(*divmod(nanos, _NANOS))

    @classmethod
    def of(cls, delta: timedelta) -> "JavaDuration":
        return cls.of_nanos(((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1000)

    def to_timedelta(self) -> timedelta:
        """The nearest timedelta (microseconds, rounded half to even)."""
        return timedelta(seconds=self.seconds, microseconds=self.nano / 1000)


JAVA_TIME_VALUES = (JavaInstant, JavaDate, JavaTime, JavaDuration)


def format_java_duration(seconds: int, nano: int = 0) -> str:
    """Duration.toString() of the duration `seconds` + `nano` / 10^9 (0 <= nano < 10^9)."""
    # templates print a timedelta through this too (durations.format_duration)
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


# --------------------------------------------------------------------------- parsing java.time text

_DURATION = re.compile(
    r"([-+]?)P(?:([-+]?[0-9]+)D)?"
    r"(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?",
    re.IGNORECASE | re.ASCII,
)


def parse_java_duration(text: str) -> JavaDuration:
    """Duration.parse(text): an ISO-8601 duration (PnDTnHnMn.nS, each part signed, case-insensitive)."""
    m = _DURATION.fullmatch(text)
    if not m or (m.group(3) or "").upper() == "T" or not any(m.group(i) for i in (2, 4, 5, 6)):
        raise DateTimeParseException("Text cannot be parsed to a Duration")
    total = 0
    for group, unit, what in ((2, 86400, "days"), (4, 3600, "hours"), (5, 60, "minutes"), (6, 1, "seconds")):
        if m.group(group) is None:
            continue
        try:
            number = parse_int(m.group(group), LONG_MIN, LONG_MAX)
        except NumberFormatException:
            raise DateTimeParseException(f"Text cannot be parsed to a Duration: {what}") from None
        if not LONG_MIN <= number * unit <= LONG_MAX:
            raise DateTimeParseException(f"Text cannot be parsed to a Duration: {what}")
        total += number * unit
    fraction = m.group(7)
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    if m.group(6) and m.group(6).startswith("-"):
        nanos = -nanos
    overflow = DateTimeParseException("Text cannot be parsed to a Duration: overflow")
    if not LONG_MIN <= total <= LONG_MAX:
        raise overflow
    nanos += total * _NANOS
    duration = JavaDuration.of_nanos(-nanos if m.group(1) == "-" else nanos)
    if not LONG_MIN <= duration.seconds <= LONG_MAX:
        raise overflow
    return duration


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
            raise DateTimeParseException("Value out of range: Hour[0-23], Minute[0-59], Second[0-59]")
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


def _unparseable(text: str, why: str) -> DateTimeParseException:
    shown = text if len(text) <= 64 else text[:64] + "..."
    return DateTimeParseException(f"Text '{shown}'{why}")


def _run_scanner(text: str, read: Callable[[_Scanner], Any], case_insensitive: bool = False):
    """Parse `text` fully with `read`, raising DateTimeParseException's messages."""
    scanner = _Scanner(text, case_insensitive)
    try:
        fields = read(scanner)
    except _Failed as e:
        raise _unparseable(text, f" could not be parsed at index {e.index}") from None
    except DateTimeParseException as e:
        raise _unparseable(text, f" could not be parsed: {e.message}") from None
    if scanner.pos < len(text):
        raise _unparseable(text, f" could not be parsed, unparsed text found at index {scanner.pos}")
    return fields


def _check_range(name: str, valid: str, value: int, low: int, high: int) -> str | None:
    if low <= value <= high:
        return None
    return f"Invalid value for {name} (valid values {valid}): {value}"


def parse_local_date(text: str) -> JavaDate:
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
    return JavaDate(year, month, day)


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


def parse_local_time(text: str) -> JavaTime:
    """LocalTime.parse(text): ISO_LOCAL_TIME, strict (fields checked minute, hour, second)."""
    hour, minute, second, nano = _run_scanner(text, _read_local_time)
    problem = (_check_range("MinuteOfHour", "0 - 59", minute, 0, 59)
               or _check_range("HourOfDay", "0 - 23", hour, 0, 23)
               or _check_range("SecondOfMinute", "0 - 59", second, 0, 59))
    if problem:
        raise _unparseable(text, f" could not be parsed: {problem}")
    return JavaTime(hour, minute, second, nano)


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


def parse_instant(text: str) -> JavaInstant:
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
    return JavaInstant(seconds, nano)
