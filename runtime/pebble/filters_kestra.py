"""Kestra's own filters (pebble.md §4.2, Kestra `core/.../runners/pebble/filters`, Dec 2024),
except the date filters (module `dates`), plus `distinct` and `string` documented later (§7).

Each filter reproduces the Java behaviour on the value model of `values`. The serialisers
re-create the Java libraries Kestra calls, for the settings Kestra gives them: Jackson's JSON
(`printing.to_json`), Jackson's YAML over SnakeYAML (`yaml`, module `yaml_writer`), Jackson's
Ion over ion-java (`toIon`, module `ion_writer`) and jackson-jq (`jq`, a subset of jq 1.6,
module `jq`). Immutable Java collections (a map's key set, `flatten`'s result) are returned
as tuples.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Callable

from .errors import LimitError, RenderError
from .ion_writer import to_ion_text
from .java import (
    MAX_TEXT,
    _cast_error,
    _hashmap,
    _is_list,
    _is_string,
    _long_arg,
    _null_error,
    _parse_double,
    _string_arg,
)
from .jq import run_jq
from .printing import java_double, java_number, to_json, to_string
from .signatures import REQUIRED, Param, filter
from .values import Float32, Int32, MapEntry, class_name, java_equals, to_float32, wrap_int
from .yaml_writer import to_yaml


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


# input: Kestra 0.21 takes numbers and numeric strings; later versions convert any value
@filter("string", params=None, input="any", returns="string")
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


@filter("toIon", params=None, returns="string")
def to_ion(value, *args):
    """The value as Amazon Ion text (floats as `1.1230000257492065e0`, structs `{a:1}`,
    dates annotated with their Java type); null gives `null`."""
    return to_ion_text(value)


# --------------------------------------------------------------------------- yaml


@filter("yaml", params=None, returns="string")
def yaml(value, *args):
    """The value as YAML, as Kestra's Jackson YAML writer produces it: minimal quoting, block
    style, sequence dashes indented by one space, a trailing line break; null gives `null`."""
    return to_yaml(value)


# --------------------------------------------------------------------------- jq


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
    return run_jq(value, program_text)
