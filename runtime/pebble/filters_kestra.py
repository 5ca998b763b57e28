"""Kestra's own filters (pebble.md §4.2, Kestra `core/.../runners/pebble/filters`, Dec 2024),
except the date filters (module `dates`), plus `distinct` and `string` documented later (§7).

Each filter reproduces the Java behaviour on the value model of `values`. The serialisers
re-create the Java libraries Kestra calls, for the settings Kestra gives them: Jackson's JSON
(`printing.to_json`), Jackson's YAML over SnakeYAML (`yaml`), Jackson's Ion over ion-java
(`toIon`) and jackson-jq (`jq`, a subset of jq 1.6). Immutable Java collections (a map's key
set, `flatten`'s result) are returned as tuples.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterator, NamedTuple
from zoneinfo import ZoneInfo

from .errors import LimitError, RenderError
from .printing import java_double, java_number, json_string, to_json, to_string
from .signatures import REQUIRED, Param, filter
from .values import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    URI,
    Float32,
    Instant,
    Int32,
    JArray,
    JavaHashMap,
    JChar,
    MapEntry,
    class_name,
    java_equals,
    to_float32,
    wrap_int,
    wrap_long,
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
    """A `new HashMap<>()` filled with `items`: 16 buckets, doubled past 75% load."""
    capacity = 16
    while len(items) > capacity * 0.75:
        capacity *= 2
    return JavaHashMap.of(items, capacity)


# --------------------------------------------------------------------------- simple filters


@filter("className", params=None, returns="string|null")
def class_name_filter(value, *args):
    """The name of the Java class of the value (`java.lang.Long` for an integer literal)."""
    return None if value is None else class_name(value)


def _starts_or_ends(value, needle, test: Callable[[str, str], bool]) -> bool:
    if value is None:
        raise _null_error("input")
    if needle is None:
        raise _null_error("value")
    return test(to_string(value), to_string(needle))


@filter("startsWith", params=[Param("value", "any", REQUIRED)], returns="boolean")
def starts_with(text, value=None):
    """Whether the text of the input starts with the text of `value`."""
    return _starts_or_ends(text, value, str.startswith)


@filter("endsWith", params=[Param("value", "any", REQUIRED)], returns="boolean")
def ends_with(text, value=None):
    """Whether the text of the input ends with the text of `value`."""
    return _starts_or_ends(text, value, str.endswith)


@filter("chunk", params=[Param("size", "integer", REQUIRED)], input="list", returns="list")
def chunk(value, size=None):
    """Splits a list into consecutive sub-lists of `size` elements (the last may be shorter)."""
    if value is None:
        return None
    if size is None:
        raise RenderError("'chunk' filter expects an argument 'size'.")
    if not _is_list(value):
        raise RenderError(f"'chunk' filter can only be applied to List. Actual type was: {class_name(value)}")
    n = wrap_int(_long_arg(size, "size"))
    if n <= 0:
        raise RenderError(f"IllegalArgumentException: size must be positive, was {n}")
    return tuple(list(value[i : i + n]) for i in range(0, len(value), n))


@filter("flatten", params=[], input="list", returns="list")
def flatten(value):
    """Flattens one level of nesting: elements that are lists are replaced by their elements."""
    if value is None:
        return None
    if not _is_list(value):
        raise RenderError("The 'flatten' filter can only be applied to lists.")
    return tuple(x for item in value for x in (item if _is_list(item) else (item,)))


@filter("distinct", params=None, input="list", returns="list|string")
def distinct(value, *args):
    """The list without repeated elements (Java equality, first occurrence kept); null gives
    the string "null"."""
    if value is None:
        return "null"
    if not _is_list(value):
        raise RenderError(f"Input must be a list, but received : {class_name(value)}")
    kept: list = []
    for item in value:
        if not any(java_equals(item, seen) for seen in kept):
            kept.append(item)
    return kept


@filter("keys", params=None, input="map|list", returns="list")
def keys(value, *args):
    """A map's keys (in its iteration order), or the indexes of a list or array."""
    if value is None:
        return None
    if isinstance(value, dict):
        return tuple(value)
    if isinstance(value, (list, tuple)) and not isinstance(value, MapEntry):
        return tuple(Int32(i) for i in range(len(value)))
    raise RenderError(f"'keys' filter can only be applied to List, Map, Array. Actual type was: {class_name(value)}")


@filter("values", params=None, input="map", returns="list")
def values(value, *args):
    """A map's values, in its iteration order."""
    if value is None:
        return None
    if isinstance(value, dict):
        return tuple(value.values())
    raise RenderError(f"'values' filter can only be applied to Map. Actual type was: {class_name(value)}")


_ESCAPE_STYLES = {"SINGLE": ("'", "\\'"), "DOUBLE": ('"', '\\"'), "SHELL": ("'", "'\\''")}


@filter("escapeChar", params=[Param("type", "string", REQUIRED)], returns="any")
def escape_char(value, type=None):
    """Escapes quotes for `single`- or `double`-quoted strings or for a `shell` single-quoted
    word; lists and maps are processed recursively (every leaf becomes a string, maps become
    HashMaps). The type is only checked when a string is escaped."""

    def escape(text: str) -> str:
        if type is None:
            raise RenderError("The 'escapeChar' filter expects an argument 'type'.")
        style = _ESCAPE_STYLES.get(_string_arg(type, "type").upper())
        if style is None:
            raise RenderError(
                "The 'escapeChar' filter expects the value of 'type' to be either 'single', 'double', or 'shell'."
            )
        return text.replace(*style)

    def walk(v):
        if isinstance(v, dict):
            return _hashmap([(k, walk(x)) for k, x in v.items()])
        if _is_list(v):
            return [walk(x) for x in v]
        if v is None:
            raise _null_error("value")
        return escape(to_string(v))

    return None if value is None else walk(value)


def _line_separator(text: str) -> str:
    for separator in ("\r\n", "\n\r", "\n", "\r"):
        if separator in text:
            return separator
    return "\n"  # System.lineSeparator() of a Linux server


def _indent(name: str, value, amount, prefix, first_line: bool):
    if value is None:
        return None
    text = to_string(value)
    if not text:
        return text
    if amount is None:
        raise RenderError(f"The '{name}' filter expects an integer as argument 'amount'.")
    n = wrap_int(_long_arg(amount, "amount"))
    if n < 0:
        raise RenderError(f"The '{name}' filter expects a positive integer >=0 as argument 'amount'.")
    pad = _string_arg(prefix, "prefix")
    if n * len(pad) > MAX_TEXT:
        raise LimitError(f"The '{name}' filter would build a too long indentation")
    separator = _line_separator(text)
    if first_line:
        text = separator + text
    return text.replace(separator, separator + pad * n)


_INDENT_PARAMS = [Param("amount", "integer", REQUIRED), Param("prefix", "string", " ")]


@filter("indent", params=_INDENT_PARAMS, returns="string")
def indent(value, amount=None, prefix=" "):
    """Inserts `amount` times `prefix` after every line break (the first line is left as is)."""
    return _indent("indent", value, amount, prefix, first_line=False)


@filter("nindent", params=_INDENT_PARAMS, returns="string")
def nindent(value, amount=None, prefix=" "):
    """Like `indent`, after starting with a line break, so that every line is indented."""
    return _indent("nindent", value, amount, prefix, first_line=True)


def _digest(algorithm: str):
    def hash_filter(value, *args):
        if value is None:
            return None
        if not _is_string(value):
            raise RenderError("Need a string to hash\n")
        return hashlib.new(algorithm, value.encode("utf-8", "replace")).hexdigest()

    hash_filter.__doc__ = f"The lowercase hexadecimal {algorithm.upper()} digest of the UTF-8 bytes of a string."
    return hash_filter


for _name in ("md5", "sha1", "sha512"):
    filter(_name, params=None, input="string", returns="string")(_digest(_name))

_JAVA_WHITESPACE = re.compile(r"[ \t\n\x0b\f\r]")
_NOT_WORD = re.compile(r"[^A-Za-z0-9_-]")


@filter(
    "slugify",
    # Kestra's class inherits the date filters' argument names; they are ignored.
    params=[Param("format"), Param("timeZone"), Param("existingFormat"), Param("locale")],
    returns="string",
)
def slugify(value, format=None, timeZone=None, existingFormat=None, locale=None):
    """A lowercase ASCII slug: whitespace and `_` become `-`, accents are stripped, every
    other character outside `[A-Za-z0-9-]` is dropped, dashes are collapsed and trimmed."""
    if value is None:
        return None
    slug = unicodedata.normalize("NFD", _JAVA_WHITESPACE.sub("-", to_string(value)))
    slug = _NOT_WORD.sub("", slug).replace("_", "-")
    slug = re.sub("-{2,}", "-", slug).removeprefix("-").removesuffix("-")
    return slug.lower()


def _substring_filter(name: str, cut: Callable[[str, str], str]):
    def substring(value, separator=None):
        if value is None:
            return None
        if separator is None:
            raise RenderError(f"The '{name}' filter expects an argument 'separator'.")
        return cut(to_string(value), _string_arg(separator, "separator"))

    substring.__doc__ = f"commons-lang's StringUtils.{name} on the text of the input."
    filter(name, params=[Param("separator", "string", REQUIRED)], returns="string")(substring)


def _before(text: str, sep: str) -> str:
    pos = text.find(sep)
    return text[:pos] if pos >= 0 else text


def _after(text: str, sep: str) -> str:
    pos = text.find(sep)
    return text[pos + len(sep) :] if pos >= 0 else ""


def _before_last(text: str, sep: str) -> str:
    pos = text.rfind(sep) if sep else -1
    return text[:pos] if pos >= 0 else text


def _after_last(text: str, sep: str) -> str:
    pos = text.rfind(sep) if sep else -1
    return text[pos + len(sep) :] if pos >= 0 else ""


_substring_filter("substringBefore", _before)
_substring_filter("substringAfter", _after)
_substring_filter("substringBeforeLast", _before_last)
_substring_filter("substringAfterLast", _after_last)


_ILLEGAL_ESCAPE = "URLDecoder: Illegal hex characters in escape (%) pattern"


@filter("urldecode", params=None, input="string", returns="string")
def urldecode(value, *args):
    """java.net.URLDecoder with UTF-8: `+` is a space, runs of `%XX` are decoded as UTF-8."""
    if value is None:
        return None
    if not _is_string(value):
        raise _cast_error(value, "java.lang.String")
    out, i, n = [], 0, len(value)
    while i < n:
        c = value[i]
        if c == "+":
            out.append(" ")
            i += 1
        elif c == "%":
            data = bytearray()
            while i + 2 < n and value[i] == "%":
                digits = value[i + 1 : i + 3]
                if not re.fullmatch(r"[+-]?[0-9A-Fa-f]+", digits) or int(digits, 16) < 0:
                    raise RenderError(f"IllegalArgumentException: {_ILLEGAL_ESCAPE} - {digits!r}")
                data.append(int(digits, 16))
                i += 3
            if i < n and value[i] == "%":
                raise RenderError("IllegalArgumentException: URLDecoder: Incomplete trailing escape (%) pattern")
            out.append(data.decode("utf-8", "replace"))
        else:
            out.append(c)
            i += 1
    return "".join(out)


@filter("string", params=None, input="number|string", returns="string")
def string(value, *args):
    """A number's Java text; a numeric string is normalised through BigDecimal (`1e3` →
    `1E+3`)."""
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return java_number(value)
    if _is_string(value):
        try:
            return str(_big_decimal(value))
        except RenderError:
            message = f"'string' filter expects a valid number. Received an invalid numeric string: {value}"
            raise RenderError(message) from None
    raise RenderError(
        f"'string' filter expects a Number (INT, FLOAT, DOUBLE, etc.) or numeric String. Received: {class_name(value)}"
    )


# --------------------------------------------------------------------------- number: Java number parsing


def _invalid(text: str) -> RenderError:
    return RenderError(f"NumberFormatException: {text} is not a valid number.")


def _decode(text: str, bits: int) -> int:
    """Integer.decode / Long.decode: sign, then `0x`, `#` (hex) or a leading `0` (octal)."""
    m = re.fullmatch(r"([+-]?)(0[xX]|#|0(?=.))?(.*)", text, re.S)
    sign, prefix, digits = m.groups()
    radix = 10 if prefix is None else 8 if prefix == "0" else 16
    pattern = {10: r"\d+", 8: r"[0-7]+", 16: r"[0-9A-Fa-f]+"}[radix]
    if not re.fullmatch(pattern, digits):
        raise RenderError(f'NumberFormatException: For input string: "{text}"')
    n = int(digits, radix) * (-1 if sign == "-" else 1)
    if not -(2 ** (bits - 1)) <= n < 2 ** (bits - 1):
        raise RenderError(f'NumberFormatException: For input string: "{text}"')
    return Int32(n) if bits == 32 else n


def _big_integer(text: str) -> int:
    """commons-lang createBigInteger: sign, hex (`0x`, `#`) or octal (leading `0`)."""
    m = re.fullmatch(r"([+-]?)(0[xX]|#|0(?=.))?([+-]?)(.*)", text, re.S)
    sign, prefix, inner_sign, digits = m.groups()
    radix = 10 if prefix is None else 8 if prefix == "0" else 16
    pattern = {10: r"\d+", 8: r"[0-7]+", 16: r"[0-9A-Fa-f]+"}[radix]
    if not re.fullmatch(pattern, digits):
        raise RenderError(f'NumberFormatException: For input string: "{text}"')
    n = int(digits, radix) * (-1 if inner_sign == "-" else 1)
    return -n if sign == "-" else n


_JAVA_FLOAT = re.compile(
    r"[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?"
    r"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+[fFdD]?)"
)


def _parse_double(text: str) -> float:
    """Double.parseDouble: Java's literal syntax, surrounding control/space characters ignored."""
    s = text.strip("".join(map(chr, range(33))))
    if not _JAVA_FLOAT.fullmatch(s):
        raise RenderError(f'NumberFormatException: For input string: "{text}"')
    if "x" in s.lower():
        return float.fromhex(s.rstrip("fFdD"))
    return float(s.rstrip("fFdD"))


def _big_decimal(text: str) -> Decimal:
    """new BigDecimal(text) (which has no negative zero)."""
    if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text):
        raise RenderError(f"NumberFormatException: Character array is missing \"exponent\" mark 'e' or 'E'. ({text})")
    d = Decimal(text)
    return d.copy_abs() if d.is_zero() else d


def _is_zero(mantissa: str, fraction: str | None) -> bool:
    return not mantissa.strip("0") and not (fraction or "").strip("0")


def _mantissa(text: str, stop: int) -> str:
    return text[1:stop] if text[0] in "+-" else text[:stop]


def _create_number(text: str):
    """commons-lang 3.17 NumberUtils.createNumber: the smallest fitting type among Integer,
    Long, BigInteger, or Float, Double, BigDecimal; a trailing l/f/d asks for a type."""
    if not text or text.isspace():
        raise RenderError("NumberFormatException: A blank string is not a valid number")
    n = len(text)
    offset = 1 if text[0] in "+-" else 0
    for hex_prefix in ("0x", "0X", "#"):
        if text.startswith(hex_prefix, offset):
            digits = text[offset + len(hex_prefix) :].lstrip("0")
            first = digits[:1] or "0"
            if len(digits) > 16 or (len(digits) == 16 and first > "7"):
                return _big_integer(text)
            if len(digits) > 8 or (len(digits) == 8 and first > "7"):
                return _decode(text, 64)
            return _decode(text, 32)
    last = text[-1]
    dec_pos = text.find(".")
    exp_pos = text.find("e") + text.find("E") + 1
    typed = not last.isdecimal() and last != "."
    if dec_pos > -1:
        if exp_pos > -1:
            if exp_pos < dec_pos:
                raise _invalid(text)
            fraction = text[dec_pos + 1 : exp_pos]
        else:
            fraction = text[dec_pos + 1 : n - 1 if typed else n]
        mantissa = _mantissa(text, dec_pos)
    else:
        mantissa = _mantissa(text, exp_pos if exp_pos > -1 else n - 1 if typed else n)
        fraction = None
    exponent_end = n - 1 if typed else n
    exponent = text[exp_pos + 1 : exponent_end] if -1 < exp_pos < n - 1 else None
    if typed:
        numeric = text[:-1]
        if last in "lL":
            body = numeric[1:] if numeric.startswith("-") else numeric
            if fraction is None and exponent is None and body.isdecimal():
                try:
                    return _decode(numeric, 64)
                except RenderError:
                    return _big_integer(numeric)
            raise _invalid(text)
        if last in "fF":
            try:
                f = to_float32(_parse_double(text))
                if not (math.isinf(f) or (f == 0 and not _is_zero(mantissa, fraction))):
                    return Float32(f)
            except RenderError:
                pass
        if last in "fFdD":
            try:
                d = _parse_double(text)
                if not (math.isinf(d) or (d == 0 and not _is_zero(mantissa, fraction))):
                    return d
            except RenderError:
                pass
            try:
                return _big_decimal(numeric)
            except RenderError:
                pass
        raise _invalid(text)
    if fraction is None and exponent is None:
        for bits in (32, 64):
            try:
                return _decode(text, bits)
            except RenderError:
                pass
        return _big_integer(text)
    try:
        d = _parse_double(text)
        f = to_float32(d)
        zero = _is_zero(mantissa, fraction)
        if not math.isinf(f) and (f != 0 or zero) and java_double(f, True) == java_double(d):
            return Float32(f)
        if not math.isinf(d) and (d != 0 or zero):
            b = _big_decimal(text)
            return d if b == Decimal(java_double(d)) else b
    except (RenderError, InvalidOperation):
        pass
    return _big_decimal(text)


_NUMBER_TYPES: dict[str, Callable] = {
    "INT": lambda s: _decode(s, 32),
    "LONG": lambda s: _decode(s, 64),
    "FLOAT": lambda s: Float32(_parse_double(s)),
    "DOUBLE": _parse_double,
    "BIGDECIMAL": _big_decimal,
    "BIGINTEGER": _big_integer,
}


@filter("number", params=[Param("type", "string", "")], input="string", returns="number")
def number(value, type=""):
    """Parses a string into a number: `type` (exactly `INT`, `FLOAT`, `LONG`, `DOUBLE`,
    `BIGDECIMAL` or `BIGINTEGER`) forces the Java type, otherwise the smallest type that
    holds the value is chosen (`"12.3"` gives a Float)."""
    if value is None:
        return None
    if not _is_string(value):
        raise RenderError(f"'number' filter can only be applied to String. Actual type was: {class_name(value)}")
    parse = _NUMBER_TYPES.get(_string_arg(type, "type"), _create_number)
    return parse(value)


# --------------------------------------------------------------------------- ISO texts of java.time values


def _offset_id(dt: datetime) -> str:
    seconds = int(dt.utcoffset().total_seconds())
    if seconds == 0:
        return "Z"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{'+' if seconds > 0 else '-'}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _iso_time(t) -> str:
    """ISO_LOCAL_TIME: seconds always, the fraction without trailing zeros."""
    text = f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    return text + ("." + f"{t.microsecond:06d}".rstrip("0") if t.microsecond else "")


def _iso(v, zone_id: bool = False) -> str:
    """The text Jackson's java.time serialisers write: ISO_INSTANT, ISO_OFFSET_DATE_TIME (or
    ISO_ZONED_DATE_TIME with `zone_id`), ISO_LOCAL_DATE_TIME, ISO_LOCAL_DATE, ISO_LOCAL_TIME."""
    if isinstance(v, Instant):
        u = v.astimezone(timezone.utc)
        micros = f"{u.microsecond:06d}"
        fraction = "" if not u.microsecond else "." + (micros[:3] if micros.endswith("000") else micros)
        return f"{u.date().isoformat()}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}{fraction}Z"
    if isinstance(v, datetime):
        text = f"{v.date().isoformat()}T{_iso_time(v)}"
        if v.tzinfo is None:
            return text
        text += _offset_id(v)
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


# --------------------------------------------------------------------------- toJson, json, toIon


@filter("toJson", params=None, returns="string")
def to_json_filter(value, *args):
    """The value as compact JSON, as Kestra serialises it (null map values dropped, dates in
    the server's zone); null gives `null`."""
    return to_json(value)


@filter("json", params=None, returns="string")
def json_filter(value, *args):
    """Deprecated alias of `toJson`."""
    return to_json(value)


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


def _ion_symbol(text: str) -> str:
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


def _ion(v) -> str:
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
        return "{" + ",".join(f"{_ion_symbol(k)}:{_ion(x)}" for k, x in _entries(v)) + "}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[" + ",".join(_ion(x) for x in v) + "]"
    if isinstance(v, Instant):
        u = v.astimezone(timezone.utc)
        return f"{u.date().isoformat()}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond // 1000:03d}Z"
    if isinstance(v, datetime):
        kind = "ZonedDateTime" if v.tzinfo else "LocalDateTime"
        return f'{kind}::"{_iso(v, zone_id=True)}"'
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return f'LocalTime::"{_iso_time(v)}"'
    if isinstance(v, timedelta):
        return _ion_decimal(_duration_seconds(v))
    return '"' + _ion_chars(str(v), '"') + '"'


@filter("toIon", params=None, returns="string")
def to_ion(value, *args):
    """The value as Amazon Ion text (floats as `1.1230000257492065e0`, structs `{a:1}`,
    dates annotated with their Java type); null gives `null`."""
    return _ion(value)


# --------------------------------------------------------------------------- yaml


class _Analysis(NamedTuple):
    empty: bool
    multiline: bool
    allow_flow_plain: bool
    allow_block_plain: bool
    allow_single_quoted: bool
    allow_block: bool


_LINEBR = "\n\x85\u2028\u2029"
_BLANK = "\0 \t"
_YAML_ESCAPES = {
    "\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r", "\x1b": "e",
    '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
}
_RESERVED_WORDS = set(
    "false False FALSE n N no No NO null Null NULL on On ON off Off OFF true True TRUE y Y yes Yes YES".split()
)


def _analyze(s: str) -> _Analysis:
    """SnakeYAML's scalar analysis: which styles can represent `s`."""
    if not s:
        return _Analysis(True, False, False, True, True, False)
    block_ind = flow_ind = line_breaks = special = False
    leading_space = leading_break = trailing_space = trailing_break = break_space = space_break = False
    if s.startswith(("---", "...")):
        block_ind = flow_ind = True
    preceded_ws, followed_ws = True, len(s) == 1 or s[1] in _BLANK + _LINEBR
    previous_space = previous_break = False
    last = len(s) - 1
    for i, c in enumerate(s):
        if i == 0:
            if c in "#,[]{}&*!|>'\"%@`":
                flow_ind = block_ind = True
            if c in "?:":
                flow_ind = True
                block_ind = block_ind or followed_ws
            if c == "-" and followed_ws:
                flow_ind = block_ind = True
        else:
            if c in ",?[]{}":
                flow_ind = True
            if c == ":":
                flow_ind = True
                block_ind = block_ind or followed_ws
            if c == "#" and preceded_ws:
                flow_ind = block_ind = True
        is_break = c in _LINEBR
        line_breaks = line_breaks or is_break
        o = ord(c)
        if c != "\n" and not 0x20 <= o <= 0x7E:
            if not (o == 0x85 or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or 0x10000 <= o <= 0x10FFFF):
                special = True
        if c == " ":
            leading_space |= i == 0
            trailing_space |= i == last
            break_space |= previous_break
            previous_space, previous_break = True, False
        elif is_break:
            leading_break |= i == 0
            trailing_break |= i == last
            space_break |= previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_ws = c in _BLANK or is_break
        followed_ws = True
        if i + 2 <= last:
            followed_ws = s[i + 2] in _BLANK or is_break
    flow_plain = block_plain = single = block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        flow_plain = block_plain = False
    if trailing_space:
        block = False
    if break_space:
        flow_plain = block_plain = single = False
    if space_break or special:
        flow_plain = block_plain = single = block = False
    if line_breaks or flow_ind:
        flow_plain = False
    if block_ind:
        block_plain = False
    return _Analysis(False, line_breaks, flow_plain, block_plain, single, block)


def _yaml_string_style(s: str) -> str:
    """The style Jackson's YAML writer asks for (MINIMIZE_QUOTES): quoted when the text would
    read as another type or as structure, a literal block when multi-line, else plain."""
    if not s:
        return "double"
    if "\n" in s:
        return "literal"
    if s in _RESERVED_WORDS or s[0] == "~":
        return "double"
    for i, c in enumerate(s):
        if c in "[]{},":
            return "double"
        if c == "#" and (i == 0 or s[i - 1] in " \t"):
            return "double"
        if c == ":" and (i == len(s) - 1 or s[i + 1] in " \t"):
            return "double"
    return "plain"


def _yaml_key_style(s: str) -> str:
    """Jackson quotes keys that read as booleans, null or numbers, or hold control characters."""
    if not s or s in _RESERVED_WORDS or s[0] in "~0123456789-+." or any(c < " " for c in s):
        return "double"
    return "plain"


def _yaml_scalar(v) -> tuple[str, str]:
    """The text and requested style of a scalar, as Jackson serialises the Java value."""
    if v is None:
        return "null", "plain"
    if isinstance(v, bool):
        return ("true" if v else "false"), "plain"
    if isinstance(v, (int, float, Decimal)):
        return java_number(v), "plain"
    if isinstance(v, timedelta):
        return str(_duration_seconds(v)), "plain"
    text = _iso(v) if isinstance(v, (date, time)) else str(v)
    return text, _yaml_string_style(text)


class _YamlEmitter:
    """The part of SnakeYAML's emitter that Jackson's YAML writer drives with Kestra's
    settings: block collections, indent 2, sequence dashes indented by 1, no line folding,
    `\\n` line breaks, no document markers."""

    INDENT, INDICATOR_INDENT, MAX_SIMPLE_KEY = 2, 1, 128

    def __init__(self) -> None:
        self.out: list[str] = []
        self.column, self.whitespace, self.indention = 0, True, True
        self.indent: int | None = None
        self.indents: list[int | None] = []
        self.mapping_context = self.simple_key = False

    def dump(self, value) -> str:
        if isinstance(value, str) and not value:  # an empty root scalar makes the document explicit
            self.write_indent()
            self.write_indicator("---", True, False, False)
        self.node(value)
        self.write_indent()
        return "".join(self.out)

    # -- low-level writing

    def write(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def write_indicator(self, text: str, need_whitespace: bool, whitespace: bool, indentation: bool) -> None:
        if need_whitespace and not self.whitespace:
            self.write(" ")
        self.whitespace = whitespace
        self.indention = self.indention and indentation
        self.write(text)

    def write_indent(self) -> None:
        indent = self.indent or 0
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.write_line_break()
        self.write_whitespace(indent - self.column)

    def write_whitespace(self, n: int) -> None:
        if n > 0:
            self.whitespace = True
            self.write(" " * n)

    def write_line_break(self, data: str = "\n") -> None:
        self.whitespace = self.indention = True
        self.column = 0
        self.out.append(data)

    def write_breaks(self, text: str) -> None:
        for br in text:
            self.write_line_break(br)

    def increase_indent(self, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent is None:
            self.indent = self.INDENT if flow else 0
        elif not indentless:
            self.indent += self.INDENT

    # -- nodes

    def node(self, value, mapping: bool = False, simple_key: bool = False) -> None:
        self.mapping_context, self.simple_key = mapping, simple_key
        if isinstance(value, (dict, MapEntry)):
            entries = _entries(value)
            if entries:
                self.block_mapping(entries)
            else:
                self.flow("{", "}")
        elif isinstance(value, (list, tuple, set, frozenset)):
            if value:
                self.block_sequence(value)
            else:
                self.flow("[", "]")
        else:
            self.scalar(*_yaml_scalar(value))

    def flow(self, open_: str, close: str) -> None:
        self.write_indicator(open_, True, True, False)
        self.increase_indent(True, False)
        self.indent = self.indents.pop()
        self.write_indicator(close, False, False, False)

    def block_sequence(self, items) -> None:
        self.increase_indent(False, self.mapping_context and not self.indention)
        for item in items:
            self.write_indent()
            self.write_whitespace(self.INDICATOR_INDENT)
            self.write_indicator("-", True, False, True)
            self.node(item)
        self.indent = self.indents.pop()

    def block_mapping(self, entries) -> None:
        self.increase_indent(False, False)
        for key, value in entries:
            self.write_indent()
            style = _yaml_key_style(key)
            analysis = _analyze(key)
            if len(key) < self.MAX_SIMPLE_KEY and not analysis.empty and not analysis.multiline:
                self.mapping_context, self.simple_key = True, True
                self.scalar(key, style)
                self.write_indicator(":", False, False, False)
            else:
                self.write_indicator("?", True, False, True)
                self.mapping_context, self.simple_key = True, False
                self.scalar(key, style)
                self.write_indent()
                self.write_indicator(":", True, False, True)
            self.node(value, mapping=True)
        self.indent = self.indents.pop()

    # -- scalars

    def scalar(self, text: str, requested: str) -> None:
        self.increase_indent(True, False)
        a = _analyze(text)
        if requested == "plain" and (not self.simple_key or not (a.empty or a.multiline)) and a.allow_block_plain:
            self.write_plain(text)
        elif requested == "literal" and not self.simple_key and a.allow_block:
            self.write_literal(text)
        elif requested == "plain" and a.allow_single_quoted and not (self.simple_key and a.multiline):
            self.write_single_quoted(text)
        else:
            self.write_double_quoted(text)
        self.indent = self.indents.pop()

    def write_plain(self, text: str) -> None:
        if not text:
            return
        if not self.whitespace:
            self.write(" ")
        self.whitespace = self.indention = False
        spaces = breaks = False
        start = 0
        for end in range(len(text) + 1):
            ch = text[end] if end < len(text) else None
            if spaces:
                if ch != " ":
                    self.write(text[start:end])
                    start = end
            elif breaks:
                if ch is None or ch not in _LINEBR:
                    if text[start] == "\n":
                        self.write_line_break()
                    self.write_breaks(text[start:end])
                    self.write_indent()
                    self.whitespace = self.indention = False
                    start = end
            elif ch is None or ch in _LINEBR or ch == " ":
                self.write(text[start:end])
                start = end
            if ch is not None:
                spaces, breaks = ch == " ", ch in _LINEBR

    def write_single_quoted(self, text: str) -> None:
        self.write_indicator("'", True, False, False)
        spaces = breaks = False
        start = 0
        for end in range(len(text) + 1):
            ch = text[end] if end < len(text) else None
            if spaces:
                if ch != " ":
                    self.write(text[start:end])
                    start = end
            elif breaks:
                if ch is None or ch not in _LINEBR:
                    if text[start] == "\n":
                        self.write_line_break()
                    self.write_breaks(text[start:end])
                    self.write_indent()
                    start = end
            elif (ch is None or ch in _LINEBR or ch in " '") and start < end:
                self.write(text[start:end])
                start = end
            if ch == "'":
                self.write("''")
                start = end + 1
            if ch is not None:
                spaces, breaks = ch == " ", ch in _LINEBR
        self.write_indicator("'", False, False, False)

    def write_double_quoted(self, text: str) -> None:
        self.write_indicator('"', True, False, False)
        out = []
        for c in text:
            o = ord(c)
            if c in '"\\\x85\u2028\u2029\ufeff' or not 0x20 <= o <= 0x7E:
                if c in _YAML_ESCAPES:
                    c = "\\" + _YAML_ESCAPES[c]
                elif not (o in (0x9, 0xA, 0xD, 0x85) or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD):
                    c = f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}"
            out.append(c)
        self.write("".join(out))
        self.write_indicator('"', False, False, False)

    def write_literal(self, text: str) -> None:
        hints = str(self.INDENT) if text[0] in _LINEBR + " " else ""
        if text[-1] not in _LINEBR:
            hints += "-"
        elif len(text) == 1 or text[-2] in _LINEBR:
            hints += "+"
        self.write_indicator("|" + hints, True, False, False)
        self.write_line_break()
        breaks = True
        start = 0
        for end in range(len(text) + 1):
            ch = text[end] if end < len(text) else None
            if breaks:
                if ch is None or ch not in _LINEBR:
                    self.write_breaks(text[start:end])
                    if ch is not None:
                        self.write_indent()
                    start = end
            elif ch is None or ch in _LINEBR:
                self.out.append(text[start:end])  # SnakeYAML does not count these columns
                if ch is None:
                    self.write_line_break()
                start = end
            if ch is not None:
                breaks = ch in _LINEBR


@filter("yaml", params=None, returns="string")
def yaml(value, *args):
    """The value as YAML, as Kestra's Jackson YAML writer produces it: minimal quoting, block
    style, sequence dashes indented by one space, a trailing line break; null gives `null`."""
    return "null" if value is None else _YamlEmitter().dump(value)


# --------------------------------------------------------------------------- jq: values


class _JqError(Exception):
    """A jq runtime error (what `?` and `try` catch); `value` is the error's jq value."""

    def __init__(self, message, value=None) -> None:
        super().__init__(message)
        self.value = message if value is None else value


class _JqSyntax(Exception):
    """The jq program does not parse."""


class _JqUnsupported(Exception):
    """A jq construct flowc does not implement."""


def _unsupported(what: str) -> _JqUnsupported:
    return _JqUnsupported(f"the jq feature {what} is not supported by flowc")


def _jtype(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float, Decimal)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _is_num(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _integral(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _truthy(v) -> bool:
    return v is not None and v is not False


def _f(v) -> float:
    """JsonNode.asDouble"""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def _clamped(x: float, low: int, high: int) -> int:
    """Java's `(int)`/`(long)` cast of a double: truncation, saturation, NaN is 0."""
    if math.isnan(x):
        return 0
    return high if x >= high else low if x <= low else int(x)


def _as_long(v) -> int:
    return wrap_long(int(v)) if isinstance(v, (int, Decimal)) else _clamped(_f(v), LONG_MIN, LONG_MAX)


def _as_int(v) -> int:
    return wrap_int(int(v)) if isinstance(v, (int, Decimal)) else _clamped(_f(v), INT_MIN, INT_MAX)


def _jlong(n: int):
    """jackson-jq's asNumericNode(long): an Integer when it fits."""
    return Int32(n) if INT_MIN <= n <= INT_MAX else n


def _jnum(x: float):
    """jackson-jq's asNumericNode(double): an Integer or Long when integral, else a Double."""
    if math.isfinite(x) and x == int(x):
        n = int(x)
        if LONG_MIN <= n <= LONG_MAX:
            return _jlong(n)
        if n == 2**63:
            return LONG_MAX
    return float(x)


def _jq_text(v) -> str:
    """Jackson's compact JSON of a jq value (null fields kept)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return json_string(java_number(v))
    if _is_num(v):
        return java_number(v)
    if isinstance(v, str):
        return json_string(v)
    if isinstance(v, list):
        return "[" + ",".join(map(_jq_text, v)) + "]"
    return "{" + ",".join(f"{json_string(k)}:{_jq_text(x)}" for k, x in v.items()) + "}"


def _describe(v) -> str:
    text = _jq_text(v)
    return f"{_jtype(v)} ({text if len(text) <= 11 else text[:10] + '...'})"


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def _sign(n: float) -> int:
    return (n > 0) - (n < 0)


_TYPE_ORDER = {"null": 0, "boolean": 1, "number": 2, "string": 3, "array": 4, "object": 5}


def _cmp(a, b) -> int:
    """jq's total order: null < false < true < numbers < strings < arrays < objects."""
    ta, tb = _jtype(a), _jtype(b)
    if ta != tb:
        return _sign(_TYPE_ORDER[ta] - _TYPE_ORDER[tb])
    if ta == "boolean":
        return _sign(a - b)
    if ta == "number":
        x, y = _f(a), _f(b)
        return -1 if math.isnan(x) else 1 if math.isnan(y) else _sign(x - y) if x != y else 0
    if ta == "string":
        x, y = _utf16(a), _utf16(b)
        return (x > y) - (x < y)
    if ta == "array":
        for x, y in zip(a, b):
            if r := _cmp(x, y):
                return r
        return _sign(len(a) - len(b))
    if ta == "object":
        ka, kb = sorted(a, key=_utf16), sorted(b, key=_utf16)
        if r := _cmp(ka, kb):
            return r
        for k in ka:
            if r := _cmp(a[k], b[k]):
                return r
    return 0


_sort_key = functools.cmp_to_key(_cmp)


def _json_int(text: str):
    n = int(text)
    return _jlong(n) if LONG_MIN <= n <= LONG_MAX else n


def _reject_constant(name: str):
    raise ValueError(f"Non-standard token '{name}'")


def _read_json(text: str, floats=float):
    """Jackson's readTree: integers become Integer, Long or BigInteger, decimals Double;
    blank text is the missing node (null here); a root scalar must end its token."""
    body = text.lstrip(" \t\r\n")
    if not body:
        return None
    decoder = json.JSONDecoder(parse_int=_json_int, parse_float=floats, parse_constant=_reject_constant)
    value, end = decoder.raw_decode(body)
    rest = body[end:]
    if rest and not isinstance(value, (str, list, dict)) and (rest[0].isalnum() or rest[0] in "._-+"):
        raise ValueError(f"Unexpected character {rest[0]!r} after a root value")
    return value


def _strip_zeros(d: Decimal) -> Decimal:
    """BigDecimal.stripTrailingZeros (Jackson normalises decimals it puts in a tree)."""
    if not d:
        return Decimal(0)
    sign, digits, exponent = d.as_tuple()
    while len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return Decimal((sign, digits, exponent))


def _to_tree(v):
    """Kestra's mapper `valueToTree`: JSON data with Java number types kept, null map values
    dropped, dates as ISO strings, durations as decimal seconds."""
    if v is None or isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, Decimal):
        return _strip_zeros(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, (dict, MapEntry)):
        return {k: _to_tree(x) for k, x in _entries(v) if x is not None}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_to_tree(x) for x in v]
    return _to_tree(_read_json(to_json(v), floats=Decimal))


# --------------------------------------------------------------------------- jq: evaluation nodes

Env = dict
Node = Callable[[object, Env], Iterator]


def _identity(v, env):
    yield v


def _const(c) -> Node:
    return lambda v, env: iter((c,))


_NULL = _const(None)


def _empty(v, env):
    return iter(())


def _pipe(first: Node, then: Node) -> Node:
    return lambda v, env: (y for x in first(v, env) for y in then(x, env))


def _comma(first: Node, second: Node) -> Node:
    return lambda v, env: itertools.chain(first(v, env), second(v, env))


def _bind(source: Node, name: str, body: Node) -> Node:
    return lambda v, env: (y for x in source(v, env) for y in body(v, {**env, name: x}))


def _variable(name: str) -> Node:
    def run(v, env):
        if name not in env:
            raise _JqError(f"${name} is not defined")
        yield env[name]

    return run


def _collect(node: Node) -> Node:
    return lambda v, env: iter(([*node(v, env)],))


def _binary(op: Callable, lhs: Node, rhs: Node) -> Node:
    """Every right output, then for each every left output (jq's order)."""
    return lambda v, env: (op(x, y) for y in rhs(v, env) for x in lhs(v, env))


def _and(lhs: Node, rhs: Node) -> Node:
    def run(v, env):
        for x in lhs(v, env):
            if _truthy(x):
                yield from (_truthy(y) for y in rhs(v, env))
            else:
                yield False

    return run


def _or(lhs: Node, rhs: Node) -> Node:
    def run(v, env):
        for x in lhs(v, env):
            if _truthy(x):
                yield True
            else:
                yield from (_truthy(y) for y in rhs(v, env))

    return run


def _alternative(lhs: Node, rhs: Node) -> Node:
    def run(v, env):
        found = False
        for x in lhs(v, env):
            if _truthy(x):
                found = True
                yield x
        if not found:
            yield from rhs(v, env)

    return run


def _negate(node: Node) -> Node:
    def negate(x):
        if not _is_num(x):
            raise _JqError(f"{_describe(x)} cannot be negated")
        return _jnum(-_f(x))

    return lambda v, env: map(negate, node(v, env))


def _if(branches: list[tuple[Node, Node]], otherwise: Node) -> Node:
    def run(v, env, i=0):
        cond, body = branches[i]
        for c in cond(v, env):
            if _truthy(c):
                yield from body(v, env)
            elif i + 1 < len(branches):
                yield from run(v, env, i + 1)
            else:
                yield from otherwise(v, env)

    return run


def _try(body: Node, handler: Node | None = None) -> Node:
    def run(v, env):
        try:
            yield from body(v, env)
        except _JqError as e:
            if handler is not None:
                yield from handler(e.value, env)

    return run


def _reduce(source: Node, name: str, init: Node, update: Node) -> Node:
    """`reduce SOURCE as $x (INIT; UPDATE)`: the accumulator becomes the last output of
    UPDATE (null when it has none) for each value of SOURCE."""

    def run(v, env):
        for acc in init(v, env):
            for x in source(v, env):
                outputs = [*update(acc, {**env, name: x})]
                acc = outputs[-1] if outputs else None
            yield acc

    return run


def _foreach(source: Node, name: str, init: Node, update: Node, extract: Node | None) -> Node:
    """`foreach SOURCE as $x (INIT; UPDATE; EXTRACT)`: every state UPDATE produces is
    emitted (through EXTRACT) and becomes the accumulator."""

    def run(v, env):
        for acc in init(v, env):
            for x in source(v, env):
                scope = {**env, name: x}
                for acc in [*update(acc, scope)]:
                    yield from extract(acc, scope) if extract else (acc,)

    return run


def _lookup(t, k):
    """`t[k]` for one container and one key (jackson-jq's path resolution)."""
    if _is_num(k):
        if isinstance(t, list):
            i = _as_int(k)
            if _f(k) != i:
                return None
            i += len(t) if i < 0 else 0
            return t[i] if 0 <= i < len(t) else None
        if t is None:
            return None
        raise _JqError(f"Cannot index {_jtype(t)} with number")
    if isinstance(k, str):
        if t is None:
            return None
        if isinstance(t, dict):
            return t.get(k)
        raise _JqError(f'Cannot index {_jtype(t)} with string "{k}"')
    if isinstance(k, list):
        raise _unsupported("indices lookup `.[array]`")
    raise _JqError(f"Cannot index {_jtype(t)} with {_jtype(k)}")


def _index(target: Node, key: Node, permissive: bool) -> Node:
    def run(v, env):
        for k in key(v, env):
            for t in target(v, env):
                try:
                    found = _lookup(t, k)
                except _JqError:
                    if permissive:
                        continue
                    raise
                yield found

    return run


def _children(v):
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return v.values()
    raise _JqError(f"Cannot iterate over {_describe(v)}")


def _iterate(target: Node, permissive: bool) -> Node:
    def run(v, env):
        for t in target(v, env):
            if isinstance(t, (list, dict)) or not permissive:
                yield from _children(t)

    return run


def _bounds(start, end, size: int) -> tuple[int, int]:
    def resolve(x, default):
        if x is None:
            return default
        i = _f(x)
        return i + size if i < 0 else i

    a, b = resolve(start, 0), resolve(end, size)
    if a >= size:
        return size, size
    a, b = max(a, 0), min(b, size)
    return (int(a), int(a)) if a > b else (int(a), math.ceil(b))


def _slice(target: Node, start: Node, end: Node, permissive: bool) -> Node:
    def run(v, env):
        for s in start(v, env):
            for e in end(v, env):
                for t in target(v, env):
                    if not all(x is None or _is_num(x) for x in (s, e)):
                        if not permissive:
                            raise _JqError(f"Start and end indices of an {_jtype(t)} slice must be numbers")
                    elif isinstance(t, (list, str)):
                        a, b = _bounds(s, e, len(t))
                        yield t[a:b]
                    elif t is None:
                        yield None
                    elif not permissive:
                        raise _JqError(f"Cannot index {_jtype(t)} with object")

    return run


def _object(fields: list[tuple[Node, Node]]) -> Node:
    def build(v, env, i, acc):
        if i == len(fields):
            yield acc
            return
        key, value = fields[i]
        for k in key(v, env):
            if not isinstance(k, str):
                raise _JqError(f"Object keys must be strings, not {_jtype(k)}")
            for x in value(v, env):
                yield from build(v, env, i + 1, {**acc, k: x})

    return lambda v, env: build(v, env, 0, {})


def _interpolate(parts: list) -> Node:
    """A string with `\\(...)` parts: text, node, text, ..., text; the last part varies slowest."""
    texts, nodes = parts[0::2], parts[1::2]

    def run(v, env):
        def fill(k, chosen):
            if k < 0:
                yield texts[0] + "".join(chosen[i] + texts[i + 1] for i in range(len(nodes)))
                return
            for x in nodes[k](v, env):
                chosen[k] = x if isinstance(x, str) else _jq_text(x)
                yield from fill(k - 1, chosen)

        return fill(len(nodes) - 1, {})

    return run


def _walk(step: Callable) -> Node:
    """Depth-first exploration without recursion: `step(x, env)` yields ("out", value) to
    produce a value and ("go", value) to explore one further."""

    def run(v, env):
        stack = [step(v, env)]
        while stack:
            if len(stack) > 100_000:
                raise LimitError("jq recursion is too deep")
            try:
                kind, x = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            if kind == "out":
                yield x
            else:
                stack.append(step(x, env))

    return run


def _recurse_all(v, env):
    """`..`: every value, parents first (nulls included)."""

    def step(x, env):
        yield "out", x
        if isinstance(x, (list, dict)):
            yield from (("go", c) for c in _children(x))

    return _walk(step)(v, env)


# --------------------------------------------------------------------------- jq: operators


def _plus(a, b):
    if _integral(a) and _integral(b):
        return _jlong(wrap_long(_as_long(a) + _as_long(b)))
    if _is_num(a) and _is_num(b):
        return _jnum(_f(a) + _f(b))
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **b}
    if a is None:
        return b
    if b is None:
        return a
    raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be added")


def _minus(a, b):
    if _integral(a) and _integral(b):
        return _jlong(wrap_long(_as_long(a) - _as_long(b)))
    if _is_num(a) and _is_num(b):
        return _jnum(_f(a) - _f(b))
    if isinstance(a, list) and isinstance(b, list):
        return [x for x in a if not any(_cmp(x, y) == 0 for y in b)]
    raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be subtracted")


def _repeat(text: str, count: float):
    if count <= 0:
        return None
    if count < 2:
        return text
    if len(text) * count > MAX_TEXT:
        raise LimitError("jq string repetition is too long")
    return text * int(count)


def _deep_merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, x in b.items():
        out[k] = _deep_merge(out[k], x) if isinstance(out.get(k), dict) and isinstance(x, dict) else x
    return out


def _times(a, b):
    if _integral(a) and _integral(b):
        return _jlong(wrap_long(_as_long(a) * _as_long(b)))
    if _is_num(a) and _is_num(b):
        return _jnum(_f(a) * _f(b))
    if isinstance(a, str) and _is_num(b):
        return _repeat(a, _f(b))
    if _is_num(a) and isinstance(b, str):
        return _repeat(b, _f(a))
    if isinstance(a, dict) and isinstance(b, dict):
        return _deep_merge(a, b)
    raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be multiplied")


def _divide(a, b):
    if _is_num(a) and _is_num(b):
        if _f(b) == 0:
            raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be divided because the divisor is zero")
        return _jnum(_f(a) / _f(b))
    if isinstance(a, str) and isinstance(b, str):
        return _split(a, b)
    raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be divided")


def _modulo(a, b):
    if not (_is_num(a) and _is_num(b)):
        raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be divided (remainder)")
    dividend, divisor = _as_long(a), _as_long(b)
    if math.isnan(_f(b)):
        return _jlong(dividend)
    if divisor == 0:
        raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be divided (remainder) because the divisor is zero")
    remainder = abs(dividend) % abs(divisor)
    return _jlong(-remainder if dividend < 0 else remainder)


_COMPARISONS = {
    "==": lambda a, b: _cmp(a, b) == 0,
    "!=": lambda a, b: _cmp(a, b) != 0,
    "<": lambda a, b: _cmp(a, b) < 0,
    "<=": lambda a, b: _cmp(a, b) <= 0,
    ">": lambda a, b: _cmp(a, b) > 0,
    ">=": lambda a, b: _cmp(a, b) >= 0,
}
_ADDITIVE = {"+": _plus, "-": _minus}
_MULTIPLICATIVE = {"*": _times, "/": _divide, "%": _modulo}


# --------------------------------------------------------------------------- jq: builtins


def _simple(fn: Callable) -> Callable:
    """A builtin computing one value from its input and one value of each argument (every
    combination of the arguments' outputs, the first argument varying slowest)."""

    def factory(*args: Node) -> Node:
        def run(v, env):
            for values_ in itertools.product(*(list(a(v, env)) for a in args)):
                yield fn(v, *values_)

        return run

    return factory


def _need(v, kind: str, name: str):
    if _jtype(v) != kind:
        raise _JqError(f"{name} cannot be applied to {_describe(v)}")
    return v


def _length(v):
    if isinstance(v, (str, list, dict)):
        return Int32(len(v))
    if v is None:
        return Int32(0)
    if _is_num(v):
        return _jnum(abs(_f(v)))
    raise _JqError(f"{_describe(v)} has no length")


def _keys(v, sort: bool):
    if isinstance(v, dict):
        return sorted(v, key=_utf16) if sort else list(v)
    if isinstance(v, list):
        return [Int32(i) for i in range(len(v))]
    raise _JqError(f"{'keys' if sort else 'keys_unsorted'} cannot be applied to {_describe(v)}")


def _has(key: Node) -> Node:
    def run(v, env):
        if v is None:
            yield False
            return
        for k in key(v, env):
            if isinstance(v, dict):
                if not isinstance(k, str):
                    raise _JqError("argument 1 of has() must be string for object input")
                yield k in v
            elif isinstance(v, list):
                if not _integral(k):
                    raise _JqError("argument 1 of has() must be int for array input")
                yield 0 <= _as_int(k) < len(v)
            else:
                raise _JqError(f"has() is not applicable to {_jtype(v)}")

    return run


def _contained(needle, haystack) -> bool:
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    if isinstance(haystack, list) and isinstance(needle, list):
        return all(any(_contained(n, h) for h in haystack) for n in needle)
    if isinstance(haystack, dict) and isinstance(needle, dict):
        return all(k in haystack and _contained(x, haystack[k]) for k, x in needle.items())
    return _cmp(haystack, needle) == 0


def _contains(a, b) -> bool:
    if _jtype(a) != _jtype(b) or (isinstance(a, bool) and a != b):
        raise _JqError(f"{_describe(a)} and {_describe(b)} cannot have their containment checked")
    return _contained(b, a)


def _split(v, sep):
    if not isinstance(v, str) or not isinstance(sep, str):
        raise _JqError("split input and separator must be strings")
    if not sep:
        return list(v)
    return v.split(sep) if v else []


def _join(v, sep) -> str:
    out: list[str] = []
    for i, item in enumerate(_children(v)):
        if i and sep is not None:
            if not isinstance(sep, str):
                raise _JqError(f"{_describe(''.join(out))} and {_describe(sep)} cannot be added")
            out.append(sep)
        if isinstance(item, str):
            out.append(item)
        elif _is_num(item) or isinstance(item, bool):
            out.append(_jq_text(item))
        elif item is not None:
            raise _JqError(f"{_describe(''.join(out))} and {_describe(item)} cannot be added")
    return "".join(out)


def _to_entries(v):
    if isinstance(v, dict):
        return [{"key": k, "value": x} for k, x in v.items()]
    if isinstance(v, list):
        return [{"key": Int32(i), "value": x} for i, x in enumerate(v)]
    raise _JqError(f"{_describe(v)} has no keys")


def _from_entries(v):
    out = {}
    for entry in _children(v):
        if not isinstance(entry, dict):
            raise _JqError(f'Cannot index {_jtype(entry)} with string "key"')
        key = next((entry[n] for n in ("key", "Key", "name", "Name") if n in entry), None)
        if not isinstance(key, str):
            raise _JqError(f"Cannot use {_describe(key)} as object key")
        out[key] = next((entry[n] for n in ("value", "Value") if n in entry), None)
    return out


def _flat(v, depth: float) -> list:
    out = []
    for item in _children(v):
        out.extend(_flat(item, depth - 1) if isinstance(item, list) and depth != 0 else (item,))
    return out


def _flatten(v, depth) -> list:
    if not _is_num(depth):
        raise _JqError(f"{_describe(depth)} and number (0) cannot be compared")
    if _f(depth) < 0:
        raise _JqError("flatten depth must not be negative")
    return _flat(v, _f(depth))


def _range(start, end):
    if not (_is_num(start) and _is_num(end)):
        raise _JqError("Range bounds must be numeric")
    i, stop = _f(start), _f(end)
    while i < stop:
        yield _jnum(i)
        i += 1


def _range_step(start, end, step):
    direction = _cmp(Int32(0), step)
    current = start
    while direction and _cmp(current, end) == direction:
        yield current
        current = _plus(current, step)


def _ranges(*args: Node) -> Node:
    if len(args) == 1:
        return lambda v, env: (x for e in args[0](v, env) for x in _range(Int32(0), e))
    if len(args) == 2:
        return lambda v, env: (x for s in args[0](v, env) for e in args[1](v, env) for x in _range(s, e))
    return lambda v, env: (
        x for s in args[0](v, env) for e in args[1](v, env) for d in args[2](v, env) for x in _range_step(s, e, d)
    )


def _math(fn: Callable[[float], float], name: str):
    def apply(v):
        if not _is_num(v):
            raise _JqError(f"{_describe(v)} number required")
        try:
            return _jnum(fn(_f(v)))
        except ValueError:
            return math.nan

    return _simple(apply)


def _keyed(v, f: Node, env, name: str) -> list[tuple[list, object]]:
    return [([*f(x, env)], x) for x in _need(v, "array", name)]


def _sort_by(f: Node) -> Node:
    def run(v, env):
        yield [x for _, x in sorted(_keyed(v, f, env, "sort_by"), key=lambda p: _sort_key(p[0]))]

    return run


def _group_by(f: Node) -> Node:
    def run(v, env):
        groups: list[tuple[list, list]] = []
        for key, x in sorted(_keyed(v, f, env, "group_by"), key=lambda p: _sort_key(p[0])):
            if groups and _cmp(groups[-1][0], key) == 0:
                groups[-1][1].append(x)
            else:
                groups.append((key, [x]))
        yield [items for _, items in groups]

    return run


def _unique_by(f: Node) -> Node:
    return _pipe(_group_by(f), lambda v, env: iter(([group[0] for group in v],)))


def _extreme(f: Node, largest: bool, name: str) -> Node:
    def run(v, env):
        best = best_key = None
        for key, x in _keyed(v, f, env, name):
            if best_key is None or (_cmp(best_key, key) <= 0 if largest else _cmp(best_key, key) > 0):
                best, best_key = x, key
        yield best

    return run


def _reverse(v):
    if v is None:
        return []
    if isinstance(v, list):
        return v[::-1]
    if isinstance(v, bool):
        raise _JqError(f"{_describe(v)} has no length")
    if v == "" or v == {} or (_is_num(v) and _f(v) == 0):
        return []
    raise _JqError(f"Cannot index {_jtype(v)} with number")


def _any_all(generator: Node, condition: Node, wanted: bool) -> Node:
    def run(v, env):
        for x in generator(v, env):
            if any(_truthy(c) == wanted for c in condition(x, env)):
                yield wanted
                return
        yield not wanted

    return run


def _first(f: Node) -> Node:
    def run(v, env):
        for x in f(v, env):
            yield x
            return

    return run


def _last(f: Node) -> Node:
    def run(v, env):
        last = None
        for last in f(v, env):
            pass
        yield last

    return run


def _limit(n: Node, f: Node) -> Node:
    def run(v, env):
        for count in n(v, env):
            if _cmp(count, Int32(0)) < 0:
                yield from f(v, env)
                continue
            remaining = _f(count)
            for x in f(v, env):
                if remaining < 1:
                    break
                remaining -= 1
                yield x

    return run


def _nth(n: Node, f: Node) -> Node:
    def run(v, env):
        for i in n(v, env):
            if _cmp(i, Int32(0)) < 0:
                raise _JqError("nth doesn't support negative indices")
            yield from _last(_limit(_const(_plus(i, Int32(1))), f))(v, env)

    return run


_NOTHING = object()


def _map_values(f: Node) -> Node:
    """`.[] |= f`: each value replaced by the first output of f, or removed when f has none."""

    def run(v, env):
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                for y in f(x, env):
                    out[k] = y
                    break
            yield out
            return
        current = list(_children(v))
        for i in range(len(v)):
            y = next(f(current[i] if i < len(current) else None, env), _NOTHING)
            if y is not _NOTHING:
                current.extend([None] * (i + 1 - len(current)))
                current[i] = y
            elif i < len(current):
                del current[i]
        yield current

    return run


def _recurse(f: Node | None = None, cond: Node | None = None) -> Node:
    def step(x, env):
        yield "out", x
        children = f(x, env) if f else iter(x if isinstance(x, list) else x.values() if isinstance(x, dict) else ())
        for child in children:
            if any(map(_truthy, cond(child, env))) if cond else child is not None:
                yield "go", child

    return _walk(step)


def _until(cond: Node, update: Node) -> Node:
    """`until(cond; update)`: apply update until cond holds, then emit."""

    def step(x, env):
        for c in cond(x, env):
            if _truthy(c):
                yield "out", x
            else:
                yield from (("go", y) for y in update(x, env))

    return _walk(step)


def _while(cond: Node, update: Node) -> Node:
    """`while(cond; update)`: emit and apply update as long as cond holds."""

    def step(x, env):
        for c in cond(x, env):
            if _truthy(c):
                yield "out", x
                yield from (("go", y) for y in update(x, env))

    return _walk(step)


def _error(message: Node | None = None) -> Node:
    def run(v, env):
        for m in message(v, env) if message else (v,):
            raise _JqError(m if isinstance(m, str) else _jq_text(m), m)
        yield from ()

    return run


def _fromjson(v):
    if not isinstance(v, str):
        raise _JqError(f"{_describe(v)} cannot be parsed as JSON")
    try:
        return _read_json(v)
    except ValueError as e:
        raise _JqError(f"{v} cannot be parsed as JSON: {e}") from None


def _tonumber(v):
    if _is_num(v):
        return v
    if isinstance(v, str):
        try:
            return _jnum(_parse_double(v))
        except RenderError as e:
            raise _JqError(e.message) from None
    raise _JqError(f"{_describe(v)} cannot be parsed as a number")


def _string_test(name: str, test: Callable[[str, str], bool]) -> Callable:
    def apply(v, s):
        if not isinstance(v, str) or not isinstance(s, str):
            raise _JqError(f"{name}() requires string inputs")
        return test(v, s)

    return _simple(apply)


def _ascii_case(v, upper: bool) -> str:
    if not isinstance(v, str):
        raise _JqError(f"{_describe(v)} cannot be exploded")
    low, high, shift = ("a", "z", -32) if upper else ("A", "Z", 32)
    return "".join(chr(ord(c) + shift) if low <= c <= high else c for c in v)


def _implode(v) -> str:
    if not isinstance(v, list) or not all(_is_num(c) for c in v):
        raise _JqError(f"{_describe(v)} cannot be imploded")
    return "".join(chr(_as_int(c)) for c in v)


def _both_strings(a, b) -> bool:
    return isinstance(a, str) and isinstance(b, str)


def _of_type(*types: str) -> Callable:
    return lambda: lambda v, env: iter((v,) if _jtype(v) in types else ())


_EACH = _iterate(_identity, False)
_TO_ENTRIES, _FROM_ENTRIES = _simple(_to_entries)(), _simple(_from_entries)()

_BUILTINS: dict[tuple[str, int], Callable[..., Node]] = {
    ("empty", 0): lambda: _empty,
    ("not", 0): _simple(lambda v: not _truthy(v)),
    ("length", 0): _simple(_length),
    ("utf8bytelength", 0): _simple(
        lambda v: Int32(len(_need(v, "string", "utf8bytelength").encode("utf-8", "replace")))
    ),
    ("type", 0): _simple(_jtype),
    ("keys", 0): _simple(lambda v: _keys(v, True)),
    ("keys_unsorted", 0): _simple(lambda v: _keys(v, False)),
    ("values", 0): _of_type("boolean", "number", "string", "array", "object"),
    ("nulls", 0): _of_type("null"),
    ("booleans", 0): _of_type("boolean"),
    ("numbers", 0): _of_type("number"),
    ("strings", 0): _of_type("string"),
    ("arrays", 0): _of_type("array"),
    ("objects", 0): _of_type("object"),
    ("iterables", 0): _of_type("array", "object"),
    ("scalars", 0): _of_type("null", "boolean", "number", "string"),
    ("has", 1): _has,
    ("in", 1): lambda f: lambda v, env: (y for o in f(v, env) for y in _has(_const(v))(o, env)),
    ("contains", 1): _simple(_contains),
    ("inside", 1): lambda f: lambda v, env: (_contains(b, v) for b in f(v, env)),
    ("select", 1): lambda f: lambda v, env: (v for c in f(v, env) if _truthy(c)),
    ("map", 1): lambda f: _collect(_pipe(_EACH, f)),
    ("map_values", 1): _map_values,
    ("add", 0): _simple(lambda v: functools.reduce(_plus, _children(v), None)),
    ("any", 0): lambda: _any_all(_EACH, _identity, True),
    ("any", 1): lambda c: _any_all(_EACH, c, True),
    ("any", 2): lambda g, c: _any_all(g, c, True),
    ("all", 0): lambda: _any_all(_EACH, _identity, False),
    ("all", 1): lambda c: _any_all(_EACH, c, False),
    ("all", 2): lambda g, c: _any_all(g, c, False),
    ("flatten", 0): _simple(lambda v: _flat(v, -1)),
    ("flatten", 1): _simple(_flatten),
    ("range", 1): _ranges,
    ("range", 2): _ranges,
    ("range", 3): _ranges,
    ("floor", 0): _math(math.floor, "floor"),
    ("sqrt", 0): _math(math.sqrt, "sqrt"),
    ("tostring", 0): _simple(lambda v: v if isinstance(v, str) else _jq_text(v)),
    ("tojson", 0): _simple(_jq_text),
    ("fromjson", 0): _simple(_fromjson),
    ("tonumber", 0): _simple(_tonumber),
    ("ascii_downcase", 0): _simple(lambda v: _ascii_case(v, False)),
    ("ascii_upcase", 0): _simple(lambda v: _ascii_case(v, True)),
    ("explode", 0): _simple(lambda v: [Int32(ord(c)) for c in _need(v, "string", "explode")]),
    ("implode", 0): _simple(_implode),
    ("startswith", 1): _string_test("startswith", str.startswith),
    ("endswith", 1): _string_test("endswith", str.endswith),
    ("ltrimstr", 1): _simple(lambda v, s: v[len(s) :] if _both_strings(v, s) and v.startswith(s) else v),
    ("rtrimstr", 1): _simple(lambda v, s: v[: len(v) - len(s)] if _both_strings(v, s) and v.endswith(s) else v),
    ("split", 1): _simple(_split),
    ("join", 1): _simple(_join),
    ("to_entries", 0): _simple(_to_entries),
    ("from_entries", 0): _simple(_from_entries),
    ("with_entries", 1): lambda f: _pipe(_TO_ENTRIES, _pipe(_collect(_pipe(_EACH, f)), _FROM_ENTRIES)),
    ("sort", 0): lambda: _sort_by(_identity),
    ("sort_by", 1): _sort_by,
    ("group_by", 1): _group_by,
    ("unique", 0): lambda: _unique_by(_identity),
    ("unique_by", 1): _unique_by,
    ("min", 0): lambda: _extreme(_identity, False, "min_by"),
    ("max", 0): lambda: _extreme(_identity, True, "max_by"),
    ("min_by", 1): lambda f: _extreme(f, False, "min_by"),
    ("max_by", 1): lambda f: _extreme(f, True, "max_by"),
    ("reverse", 0): _simple(_reverse),
    ("first", 0): _simple(lambda v: _lookup(v, Int32(0))),
    ("last", 0): _simple(lambda v: _lookup(v, Int32(-1))),
    ("nth", 1): lambda n: lambda v, env: (_lookup(v, i) for i in n(v, env)),
    ("first", 1): _first,
    ("last", 1): _last,
    ("limit", 2): _limit,
    ("nth", 2): _nth,
    ("recurse", 0): lambda: _recurse(),
    ("recurse", 1): lambda f: _recurse(f),
    ("recurse", 2): lambda f, c: _recurse(f, c),
    ("until", 2): _until,
    ("while", 2): _while,
    ("error", 0): lambda: _error(),
    ("error", 1): _error,
}

# --------------------------------------------------------------------------- jq: parser

_JQ_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
      (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
    | (?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
    | (?P<format>@[A-Za-z0-9_]+)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<str>")
    | (?P<op>\?//|//=|\|=|\+=|-=|\*=|/=|%=|==|!=|<=|>=|//|\.\.|[.\[\]{}()|,:;=<>+\-*/%?])
    )""",
    re.X,
)
_ASSIGNMENTS = {"=", "|=", "+=", "-=", "*=", "/=", "%=", "//=", "?//"}
_KEYWORDS = {"and", "or", "if", "then", "elif", "else", "end", "as", "catch"}
_UNSUPPORTED_KEYWORDS = {"def", "label", "import", "include", "__loc__"}
_STRING_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _merge_surrogates(s: str) -> str:
    return s.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")


class _JqParser:
    """Recursive descent over jq's grammar as jackson-jq parses it; builds evaluation nodes.

    Precedence, loosest first: `|` (and `as $x |`), `,`, `//`, `or`, `and`, comparisons,
    `+ -`, `* / %`, unary `-`, postfix accessors (`.a`, `[...]`, `?`)."""

    def __init__(self, source: str) -> None:
        self.src, self.pos = source, 0

    def parse(self) -> Node:
        node = self.pipe()
        kind, text, _ = self.peek()
        if kind != "eof":
            raise _JqSyntax(f"unexpected {text!r} at offset {self.pos}")
        return node

    # -- tokens

    def peek(self) -> tuple[str, str, int]:
        m = _JQ_TOKEN.match(self.src, self.pos)
        if m:
            return m.lastgroup, m.group(m.lastgroup), m.end()
        rest = self.src[self.pos :].lstrip(" \t\r\n")
        if not rest:
            return "eof", "", len(self.src)
        raise _JqSyntax(f"unexpected character {rest[0]!r}")

    def at(self, text: str) -> bool:
        kind, token, _ = self.peek()
        return kind in ("op", "ident") and token == text

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.pos = self.peek()[2]
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise _JqSyntax(f"expected {text!r} at offset {self.pos}")

    # -- expressions, loosest first

    def pipe(self, comma: bool = True) -> Node:
        node = self.comma() if comma else self.alternative()
        if self.accept("as"):
            name = self.variable_after_as()
            self.expect("|")
            return _bind(node, name, self.pipe(comma))
        if self.accept("|"):
            return _pipe(node, self.pipe(comma))
        return node

    def comma(self) -> Node:
        node = self.alternative()
        while self.accept(","):
            node = _comma(node, self.alternative())
        return node

    def alternative(self) -> Node:
        node = self.disjunction()
        kind, text, _ = self.peek()
        if kind == "op" and text in _ASSIGNMENTS:
            raise _unsupported(f"operator '{text}'")
        return _alternative(node, self.alternative()) if self.accept("//") else node

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.accept("or"):
            node = _or(node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.accept("and"):
            node = _and(node, self.comparison())
        return node

    def comparison(self) -> Node:
        node = self.additive()
        kind, text, end = self.peek()
        if kind == "op" and text in _COMPARISONS:
            self.pos = end
            node = _binary(_COMPARISONS[text], node, self.additive())
        return node

    def additive(self) -> Node:
        return self.level(_ADDITIVE, self.multiplicative)

    def multiplicative(self) -> Node:
        return self.level(_MULTIPLICATIVE, self.postfix)

    def level(self, table: dict, operand: Callable[[], Node]) -> Node:
        """A left-associative level of binary operators."""
        node = operand()
        while True:
            kind, text, end = self.peek()
            if kind != "op" or text not in table:
                return node
            self.pos = end
            node = _binary(table[text], node, operand())

    # -- terms

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            kind, text, end = self.peek()
            if kind == "field":
                self.pos = end
                node = _index(node, _const(text[1:]), self.accept("?"))
            elif kind == "op" and text == "[":
                self.pos = end
                node = self.bracket(node)
            elif kind == "op" and text == "." and self.after_dot(end):
                self.pos = end
                node = self.dot(node)
            elif kind == "op" and text == "?":
                self.pos = end
                node = _try(node)
            else:
                return node

    def after_dot(self, end: int) -> bool:
        """Whether the `.` ending at `end` starts an accessor (`."key"` or `.[...]`)."""
        saved, self.pos = self.pos, end
        kind, text, _ = self.peek()
        self.pos = saved
        return kind == "str" or (kind == "op" and text == "[")

    def dot(self, target: Node) -> Node:
        """After a `.`: a quoted key, a bracket, or nothing (the target itself)."""
        kind, text, end = self.peek()
        if kind == "str":
            self.pos = end
            return _index(target, self.string(), self.accept("?"))
        if kind == "op" and text == "[":
            self.pos = end
            return self.bracket(target)
        return target

    def bracket(self, target: Node) -> Node:
        """After `[`: `]` iterates, `a:b` slices, `k` indexes; a trailing `?` ignores errors."""
        if self.accept("]"):
            return _iterate(target, self.accept("?"))
        start = None if self.at(":") else self.pipe()
        if self.accept(":"):
            end = None if self.at("]") else self.pipe()
            self.expect("]")
            return _slice(target, start or _NULL, end or _NULL, self.accept("?"))
        self.expect("]")
        return _index(target, start, self.accept("?"))

    def primary(self) -> Node:
        kind, text, end = self.peek()
        if kind == "eof":
            raise _JqSyntax("unexpected end of expression")
        self.pos = end
        if kind == "num":
            if re.fullmatch(r"[0-9]+", text):
                n = int(text)
                if n > LONG_MAX:
                    raise _JqSyntax(f"number literal {text} is too large")
                return _const(_jlong(n))
            return _const(float(text))
        if kind == "str":
            return self.string()
        if kind == "field":
            return _index(_identity, _const(text[1:]), self.accept("?"))
        if kind == "var":
            return _variable(text[1:])
        if kind == "format":
            raise _unsupported(f"format {text}")
        if kind == "ident":
            return self.word(text)
        if text == ".":
            return self.dot(_identity)
        if text == "..":
            return _recurse_all
        if text == "(":
            node = self.pipe()
            self.expect(")")
            return node
        if text == "[":
            if self.accept("]"):
                return _collect(_empty)
            node = self.pipe()
            self.expect("]")
            return _collect(node)
        if text == "{":
            return self.object()
        if text == "-":
            return _negate(self.postfix())
        raise _JqSyntax(f"unexpected {text!r}")

    def word(self, name: str) -> Node:
        literals = {"true": True, "false": False, "null": None}
        if name in literals:
            return _const(literals[name])
        if name == "if":
            return self.conditional()
        if name == "try":
            body = self.pipe()
            return _try(body, self.postfix() if self.accept("catch") else None)
        if name in ("reduce", "foreach"):
            return self.fold(name)
        if name in _UNSUPPORTED_KEYWORDS:
            raise _unsupported(f"'{name}'")
        if name in _KEYWORDS:
            raise _JqSyntax(f"unexpected {name!r}")
        args = []
        if self.accept("("):
            args.append(self.pipe())
            while self.accept(";"):
                args.append(self.pipe())
            self.expect(")")
        factory = _BUILTINS.get((name, len(args)))
        if factory is None:
            raise _unsupported(f"function {name}/{len(args)}")
        return factory(*args)

    def variable_after_as(self) -> str:
        kind, text, end = self.peek()
        if kind != "var":
            raise _unsupported("destructuring") if text in ("[", "{") else _JqSyntax("expected a $variable after 'as'")
        self.pos = end
        return text[1:]

    def fold(self, keyword: str) -> Node:
        """`reduce`/`foreach SOURCE as $x (INIT; UPDATE[; EXTRACT])`."""
        source = self.postfix()
        self.expect("as")
        name = self.variable_after_as()
        self.expect("(")
        init = self.pipe()
        self.expect(";")
        update = self.pipe()
        extract = self.pipe() if keyword == "foreach" and self.accept(";") else None
        self.expect(")")
        if keyword == "reduce":
            return _reduce(source, name, init, update)
        return _foreach(source, name, init, update, extract)

    def conditional(self) -> Node:
        branches = []
        while True:
            cond = self.pipe()
            self.expect("then")
            branches.append((cond, self.pipe()))
            if not self.accept("elif"):
                break
        self.expect("else")
        otherwise = self.pipe()
        self.expect("end")
        return _if(branches, otherwise)

    def object(self) -> Node:
        fields = []
        if not self.accept("}"):
            while True:
                fields.append(self.object_field())
                if self.accept("}"):
                    break
                self.expect(",")
        return _object(fields)

    def object_field(self) -> tuple[Node, Node]:
        kind, text, end = self.peek()
        self.pos = end
        if kind == "var":
            return _const(text[1:]), _variable(text[1:])
        if kind == "ident":
            key = _const(text)
        elif kind == "str":
            key = self.string()
        elif kind == "op" and text == "(":
            key = self.pipe()
            self.expect(")")
            self.expect(":")
            return key, self.pipe(comma=False)
        else:
            raise _JqSyntax(f"unexpected {text!r} in an object")
        if self.accept(":"):
            return key, self.pipe(comma=False)
        return key, _index(_identity, key, False)

    def string(self) -> Node:
        """A string literal whose opening quote was just read; `\\(...)` interpolates."""
        parts: list = []
        chars: list[str] = []
        while True:
            if self.pos >= len(self.src):
                raise _JqSyntax("unterminated string")
            c = self.src[self.pos]
            self.pos += 1
            if c == '"':
                break
            if c in "\b\f\n\r\t":
                raise _JqSyntax("unescaped control character in a string")
            if c != "\\":
                chars.append(c)
                continue
            e = self.src[self.pos : self.pos + 1]
            self.pos += 1
            if e in _STRING_ESCAPES:
                chars.append(_STRING_ESCAPES[e])
            elif e == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", self.src[self.pos : self.pos + 4]):
                chars.append(chr(int(self.src[self.pos : self.pos + 4], 16)))
                self.pos += 4
            elif e == "(":
                parts += [_merge_surrogates("".join(chars)), self.pipe()]
                chars = []
                self.expect(")")
            else:
                raise _JqSyntax(f"invalid escape \\{e}")
        parts.append(_merge_surrogates("".join(chars)))
        return _const(parts[0]) if len(parts) == 1 else _interpolate(parts)


@filter("jq", params=[Param("expression", "string", REQUIRED)], returns="list")
def jq(value, expression=None):
    """Runs a jq program (jq 1.6 semantics, as jackson-jq implements them) and returns the
    list of all its results. A string input is parsed as JSON, any other value converted as
    Kestra serialises it. flowc implements the common part of jq (paths, iteration, pipes,
    `,`, literals, constructors, `if`, `try`, `as $x`, `reduce`, `foreach`, operators and the
    usual builtins) and fails on the rest (`def`, assignments, regexes, formats, paths...)."""
    if value is None:
        return None
    if expression is None:
        raise RenderError("The 'jq' filter expects an argument 'expression'.")
    program_text = _string_arg(expression, "expression")
    failure = f"Unable to parse jq value '{to_string(value)}' with type '{class_name(value)}'"
    try:
        program = _JqParser(program_text).parse()
        tree = _read_json(value) if _is_string(value) else _to_tree(value)
        return list(program(tree, {}))
    except _JqUnsupported as e:
        raise RenderError(str(e)) from None
    except RenderError:
        raise
    except Exception as e:  # jq errors, JSON syntax, recursion: Kestra wraps them all
        raise RenderError(f"{failure}: {e}") from None
