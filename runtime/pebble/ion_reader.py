"""An Amazon Ion text reader for Kestra's `fromIon()` function (the standard library only):
structs, lists, strings, symbols, numbers, timestamps, and the annotated java.time strings
Kestra writes (`LocalDate::"2024-01-02"`)."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .errors import RenderError
from .values import Instant, boxed_int, join_surrogates
from .yaml_reader import HEX_ESCAPES

_ION_TOKEN = re.compile(r"[0-9A-Za-z_.:+\-]+")
_ION_INT = re.compile(r"-?(?:0|[1-9](?:_?[0-9])*)")
_ION_RADIX = re.compile(r"-?0(?:[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|[bB][01](?:_?[01])*)")
_ION_DIGITS = r"-?(?:0|[1-9](?:_?[0-9])*)(?:\.(?:[0-9](?:_?[0-9])*)?)?"
_ION_DECIMAL = re.compile(_ION_DIGITS + r"(?:[dD][+-]?[0-9]+)?")
_ION_FLOAT = re.compile(_ION_DIGITS + r"[eE][+-]?[0-9]+")
_ION_TIMESTAMP = re.compile(
    r"(\d{4})(?:T|-(\d{2})(?:T|-(\d{2})(?:T(?:(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2}))?)?)?)"
)
_ION_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ION_ESCAPES = {
    "a": "\a", "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "v": "\v", "?": "?", "0": "\0",
    "'": "'", '"': '"', "/": "/", "\\": "\\", "\n": "",
}


def _instant(dt: datetime) -> Instant:
    if dt.tzinfo is None:
        raise ValueError("an Instant needs an offset")
    u = dt.astimezone(timezone.utc)
    return Instant(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=timezone.utc)


def _zoned(text: str) -> datetime:
    base, _, zone = text.partition("[")
    dt = datetime.fromisoformat(base)
    return dt.astimezone(ZoneInfo(zone.rstrip("]"))) if zone else dt


# Kestra writes java.time values as annotated strings, e.g. LocalDate::"2024-01-02"
_ION_TYPED = {
    "Instant": lambda s: _instant(datetime.fromisoformat(s)),
    "OffsetDateTime": datetime.fromisoformat,
    "ZonedDateTime": _zoned,
    "LocalDateTime": datetime.fromisoformat,
    "LocalDate": date.fromisoformat,
    "LocalTime": time.fromisoformat,
}


class _Ion:
    """A reader for Amazon Ion text: structs, lists, strings, symbols, numbers, timestamps,
    booleans and nulls, plus Kestra's annotated java.time strings. S-expressions, blobs,
    clobs and other annotations are refused."""

    def __init__(self, text: str) -> None:
        self.s, self.i = text, 0

    def fail(self, message: str):
        raise RenderError(f"Invalid ion: {message} (at offset {self.i})")

    def space(self) -> str:
        """Skip white space and comments; the next character ('' at the end)."""
        s = self.s
        while self.i < len(s):
            if s[self.i] in " \t\n\r\v\f":
                self.i += 1
            elif s.startswith("//", self.i):
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end + 1
            elif s.startswith("/*", self.i):
                end = s.find("*/", self.i + 2)
                if end < 0:
                    self.fail("unterminated comment")
                self.i = end + 2
            else:
                break
        return s[self.i:self.i + 1]

    def first(self):
        """The first value of the text (null when there is none); the rest is not read."""
        while self.space():
            value, symbol = self.annotated()
            if not (symbol and value == "$ion_1_0"):  # skip the version marker
                return value
        return None

    def all(self) -> list:
        """Every top-level value of the text."""
        values = []
        while self.space():
            value, symbol = self.annotated()
            if not (symbol and value == "$ion_1_0"):
                values.append(value)
        return values

    def annotated(self):
        annotations = []
        while True:
            value, symbol = self.value()
            if symbol and self.space() == ":" and self.s.startswith("::", self.i):
                self.i += 2
                annotations.append(value)
                continue
            break
        if not annotations:
            return value, symbol
        convert = _ION_TYPED.get(annotations[0])
        if convert is None or not isinstance(value, str):
            self.fail(f"annotation {annotations[0]}:: is not supported")
        try:
            return convert(value), False
        except (ValueError, KeyError):
            self.fail(f"invalid {annotations[0]} {value!r}")

    def value(self):
        """A value, and whether it was a symbol (which may be an annotation)."""
        s, c = self.s, self.space()
        if not c:
            self.fail("unexpected end of input")
        if c == "{":
            if s.startswith("{{", self.i):
                self.fail("blobs and clobs are not supported")
            return self.struct(), False
        if c == "[":
            return self.list(), False
        if c == "(":
            self.fail("s-expressions are not supported")
        if c == '"':
            return self.string('"'), False
        if s.startswith("'''", self.i):
            return self.long_strings(), False
        if c == "'":
            return self.string("'"), True
        if c.isdigit() or c in "+-":
            return self.number(), False
        match = _ION_IDENTIFIER.match(s, self.i)
        if match is None:
            self.fail(f"unexpected character {c!r}")
        self.i = match.end()
        word = match.group()
        if word == "null":
            if s.startswith(".", self.i):  # typed null: null.string, null.int, ...
                type_name = _ION_IDENTIFIER.match(s, self.i + 1)
                if type_name is None:
                    self.fail("bad typed null")
                self.i = type_name.end()
            return None, False
        if word in ("true", "false"):
            return word == "true", False
        if word == "nan":
            return math.nan, False
        return word, True

    def struct(self) -> dict:
        self.i += 1
        result = {}
        while self.space() != "}":
            c = self.space()
            if c == '"':
                name = self.string('"')
            elif self.s.startswith("'''", self.i):
                name = self.long_strings()
            elif c == "'":
                name = self.string("'")
            else:
                match = _ION_IDENTIFIER.match(self.s, self.i)
                if match is None:
                    self.fail("expected a field name")
                name, self.i = match.group(), match.end()
            if self.space() != ":" or self.s.startswith("::", self.i):
                self.fail("expected ':' after a field name")
            self.i += 1
            result[name] = self.annotated()[0]
            self.separator("}")
        self.i += 1
        return result

    def list(self) -> list:
        self.i += 1
        items = []
        while self.space() != "]":
            items.append(self.annotated()[0])
            self.separator("]")
        self.i += 1
        return items

    def separator(self, closing: str) -> None:
        c = self.space()
        if c == ",":
            self.i += 1
        elif c != closing:
            self.fail(f"expected ',' or '{closing}'")

    def string(self, quote: str) -> str:
        """A short string ("...") or quoted symbol ('...'), on one line."""
        s, out = self.s, []
        self.i += 1
        while True:
            if self.i >= len(s) or s[self.i] == "\n":
                self.fail("unterminated string")
            c = s[self.i]
            if c == quote:
                self.i += 1
                return join_surrogates("".join(out))
            if c == "\\":
                out.append(self.escape())
            else:
                out.append(c)
                self.i += 1

    def long_strings(self) -> str:
        """One or more '''...''' strings, concatenated."""
        s, out = self.s, []
        while s.startswith("'''", self.i):
            self.i += 3
            while not s.startswith("'''", self.i):
                if self.i >= len(s):
                    self.fail("unterminated long string")
                if s[self.i] == "\\":
                    out.append(self.escape())
                else:
                    out.append(s[self.i])
                    self.i += 1
            self.i += 3
            self.space()
        return join_surrogates("".join(out))

    def escape(self) -> str:
        code = self.s[self.i + 1:self.i + 2]
        if code in _ION_ESCAPES:
            self.i += 2
            return _ION_ESCAPES[code]
        if code in HEX_ESCAPES:
            digits = self.s[self.i + 2:self.i + 2 + HEX_ESCAPES[code]]
            if len(digits) == HEX_ESCAPES[code] and all(c in "0123456789abcdefABCDEF" for c in digits):
                self.i += 2 + len(digits)
                try:
                    return chr(int(digits, 16))
                except ValueError:
                    pass
        self.fail(f"unknown escape \\{code}")

    def number(self):
        """An int, decimal, float, special float or timestamp."""
        match = _ION_TOKEN.match(self.s, self.i)
        token = match.group() if match else ""
        self.i += len(token)
        try:
            if token in ("+inf", "-inf"):
                return math.inf if token[0] == "+" else -math.inf
            if _ION_INT.fullmatch(token):
                return boxed_int(int(token.replace("_", "")))
            if _ION_RADIX.fullmatch(token):
                return boxed_int(int(token.replace("_", ""), 0))
            if _ION_FLOAT.fullmatch(token):
                return float(token.replace("_", ""))
            if _ION_DECIMAL.fullmatch(token):
                value = Decimal(token.replace("_", "").replace("d", "E").replace("D", "E"))
                return abs(value) if value.is_zero() else value  # BigDecimal has no -0
            stamp = _ION_TIMESTAMP.fullmatch(token)
            if stamp:
                return _ion_timestamp(*stamp.groups())
        except (ValueError, InvalidOperation, OverflowError):
            pass
        self.fail(f"invalid number or timestamp {token!r}")


def _ion_timestamp(year, month, day, hour, minute, second, fraction, offset):
    """What Kestra makes of an Ion timestamp: a LocalDate at UTC midnight, else an Instant
    in UTC (or unknown offset), else a date-time at its offset."""
    day_value = date(int(year), int(month or 1), int(day or 1))
    if hour is None:
        return day_value
    fraction = fraction or ""
    parts = (int(hour), int(minute), int(second or 0), int(fraction[:6].ljust(6, "0")))
    midnight = parts[:3] == (0, 0, 0) and not fraction.strip("0")
    sign = -1 if offset.startswith("-") else 1
    minutes = 0 if offset == "Z" else sign * (int(offset[1:3]) * 60 + int(offset[4:6]))
    if minutes == 0:  # Z, +00:00 and -00:00 (unknown offset)
        return day_value if midnight else Instant(*day_value.timetuple()[:3], *parts, tzinfo=timezone.utc)
    return datetime(*day_value.timetuple()[:3], *parts, tzinfo=timezone(timedelta(minutes=minutes)))


def parse_ion(text: str, all_rows: bool = False):
    """The first value of an Ion text, or (`all_rows`) the list of all its top-level values."""
    try:
        reader = _Ion(text)
        return reader.all() if all_rows else reader.first()
    except RecursionError:
        raise RenderError("Invalid ion: the value nests too deeply") from None
