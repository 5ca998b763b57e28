"""Pebble's core filters, as Kestra exposes them (pebble.md §4.1).

Each filter reproduces the Java behaviour on the value model of `values`: which inputs are
accepted, which are passed through (null), which fail, and the Java type of the result.
Filters whose Java implementation declares no argument names are registered with
`params=None` (their arguments are accepted and ignored).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

from .errors import RenderError
from .printing import to_string
from .signatures import REQUIRED, Param, filter
from .values import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    UNDEFINED,
    URI,
    Float32,
    Int32,
    JArray,
    JavaHashMap,
    JChar,
    MapEntry,
    class_name,
    hashmap_capacity,
    is_number,
    wrap_int,
    wrap_long,
)

# --------------------------------------------------------------------------- Java type checks


def is_java_string(v) -> bool:
    """A java.lang.String (a Character or a URI is not one)."""
    return isinstance(v, str) and not isinstance(v, (JChar, URI))


def is_list(v) -> bool:
    """A java.util.List (tuples stand for immutable lists; arrays are not lists)."""
    return isinstance(v, (list, tuple)) and not isinstance(v, (JArray, MapEntry))


def is_collection(v) -> bool:
    """A java.util.Collection: lists, sets, a map's key set or values."""
    return isinstance(v, Collection) and not isinstance(v, (str, bytes, dict, JArray, MapEntry))


def is_empty(v) -> bool:
    """Pebble's `empty` test: null, a blank String, an empty Collection or Map."""
    if v is None:
        return True
    if is_java_string(v):
        return not java_trim(v)
    if is_collection(v) or isinstance(v, dict):
        return len(v) == 0
    return False


def cast_error(v, target: str) -> RenderError:
    return RenderError(f"class {class_name(v)} cannot be cast to class {target}")


def _string(v) -> str:
    if not is_java_string(v):
        raise cast_error(v, "java.lang.String")
    return v


def _long(v) -> int:
    """A `(Long)` cast: Integer and every other type fail."""
    if isinstance(v, bool) or type(v) is not int or not LONG_MIN <= v <= LONG_MAX:
        raise cast_error(v, "java.lang.Long")
    return v


def _int_value(v, name: str) -> int:
    """Number.intValue() of a numeric argument."""
    if not is_number(v):
        raise RenderError(f"Argument {name} must be a number. Actual type: {class_name(v)}")
    if isinstance(v, float):  # a saturating cast
        return 0 if math.isnan(v) else int(max(INT_MIN, min(INT_MAX, v)))
    return wrap_int(int(v))


# --------------------------------------------------------------------------- Java strings


def _u16_len(s: str) -> int:
    """String.length(): UTF-16 code units."""
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def _u16_slice(s: str, start: int, end: int) -> str:
    """String.substring(start, end) on UTF-16 indexes."""
    if all(ord(c) <= 0xFFFF for c in s):
        return s[start:end]
    units = s.encode("utf-16-le", "surrogatepass")
    return units[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")


_TRIMMED = "".join(map(chr, range(33)))


def java_trim(s: str) -> str:
    """String.trim(): strips every char <= U+0020."""
    return s.strip(_TRIMMED)


def _java_whitespace(c: str) -> bool:
    """Character.isWhitespace"""
    if c in "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f":
        return True
    return unicodedata.category(c) in ("Zs", "Zl", "Zp") and c not in "\u00a0\u2007\u202f"


def _title_char(c: str) -> str:
    """Character.toTitleCase: one char to one char (chars outside the BMP are UTF-16 pairs
    in Java, left unchanged)."""
    t = c.title()
    return t if len(t) == 1 and ord(c) <= 0xFFFF else c


# --------------------------------------------------------------------------- Java regexes


@lru_cache(maxsize=256)
def java_regex(pattern: str) -> re.Pattern:
    """Compile a java.util.regex pattern: ASCII classes like Java's defaults, plus Java's
    `\\Q…\\E` quoting, `(?<name>…)` groups, `\\k<name>` and `\\z`."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        nxt = pattern[i + 1 : i + 2]
        if c == "\\" and nxt == "Q":
            end = pattern.find("\\E", i + 2)
            end = len(pattern) if end < 0 else end
            out.append(re.escape(pattern[i + 2 : end]))
            i = end + 2
        elif c == "\\" and nxt == "k" and pattern[i + 2 : i + 3] == "<" and ">" in pattern[i:]:
            end = pattern.index(">", i)
            out.append(f"(?P={pattern[i + 3 : end]})")
            i = end + 1
        elif c == "\\" and nxt:
            out.append("\\Z" if nxt == "z" else c + nxt)
            i += 2
        elif pattern.startswith("(?<", i) and pattern[i + 3 : i + 4] not in ("=", "!", ""):
            out.append("(?P<")
            i += 3
        else:
            out.append(c)
            i += 1
    try:
        return re.compile("".join(out), re.ASCII)
    except (re.error, OverflowError, RecursionError) as e:
        raise RenderError(f"PatternSyntaxException: {e} near index {getattr(e, 'pos', 0)}\n{pattern}") from None


_DIGITS = "0123456789"


def _java_replacement(template: str):
    """A function building Matcher.replaceAll's replacement (`$1`, `${name}`, `\\x`)."""

    def expand(m: re.Match) -> str:
        out, i = [], 0
        while i < len(template):
            c = template[i]
            if c == "\\":
                if i + 1 == len(template):
                    raise RenderError("character to be escaped is missing")
                out.append(template[i + 1])
                i += 2
            elif c == "$":
                i += 1
                if template[i : i + 1] == "{":
                    end = template.find("}", i)
                    name = template[i + 1 : end] if end > 0 else ""
                    if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9]*", name) or name not in m.re.groupindex:
                        raise RenderError(f"No group with name {{{name}}}")
                    group, i = name, end + 1
                elif i < len(template) and template[i] in _DIGITS:
                    group, i = int(template[i]), i + 1
                    if group > m.re.groups:
                        raise RenderError(f"No group {group}")
                    # Java reads further digits while they still name an existing group
                    while i < len(template) and template[i] in _DIGITS and group * 10 + int(template[i]) <= m.re.groups:
                        group, i = group * 10 + int(template[i]), i + 1
                else:
                    raise RenderError("Illegal group reference")
                out.append(m.group(group) or "")
            else:
                out.append(c)
                i += 1
        return "".join(out)

    return expand


def java_split(s: str, regex: str, limit: int = 0) -> list[str]:
    """String.split(regex, limit): a zero-width match at the start yields no leading empty
    string; limit > 0 caps the parts, limit == 0 drops trailing empty strings."""
    parts: list[str] = []
    index = 0
    for m in java_regex(regex).finditer(s):
        if limit > 0 and len(parts) >= limit - 1:
            break
        if m.end() == 0:
            continue
        parts.append(s[index : m.start()])
        index = m.end()
    if index == 0:  # no match (a zero-width one at the start does not count)
        return [s]
    parts.append(s[index:])
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()
    return parts


# --------------------------------------------------------------------------- Java HashMap


def _hashmap(pairs: list[tuple], initial: int = 16) -> JavaHashMap:
    size = len({k: None for k, _ in pairs})
    return JavaHashMap.of(pairs, hashmap_capacity(size, initial))


# --------------------------------------------------------------------------- filters


@filter("abs", params=None, input="number", returns="number")
def abs_(value, *_):
    """Absolute value, keeping the numeric type (Math.abs wraps at the type's minimum)."""
    if value is None:
        raise RenderError('Can not pass null value to "abs" filter.')
    if not is_number(value):
        raise RenderError("The 'abs' filter does require as input a number.")
    if isinstance(value, Int32):
        return Int32(wrap_int(abs(value)))
    if isinstance(value, Float32):
        return Float32(abs(value))
    if isinstance(value, Decimal):
        return value.copy_abs()
    if isinstance(value, int) and LONG_MIN <= value <= LONG_MAX:
        return wrap_long(abs(value))
    return abs(value)


@filter("abbreviate", params=[Param("length", "integer", REQUIRED)], input="string", returns="string")
def abbreviate(value, length=None):
    """Cut a string to `length` characters, the last three replaced by `...`."""
    if value is None:
        return None
    s = _string(value)
    if length is None:
        raise RenderError("NullPointerException: the 'length' argument of abbreviate is required")
    width = wrap_int(_long(length))
    if width < 0:
        raise RenderError("Invalid argument to abbreviate filter; must be greater than zero")
    size = _u16_len(s)
    if size < width or size <= 3:
        return s
    if width <= 3:
        return _u16_slice(s, 0, width)
    return _u16_slice(s, 0, width - 3) + "..."


@filter("base64encode", params=None, input="any", returns="string")
def base64encode(value, *_):
    """Standard Base64 (padded) of the UTF-8 bytes of the value's text."""
    if value is None:
        return None
    return base64.b64encode(to_string(value).encode("utf-8", "replace")).decode("ascii")


_BASE64 = re.compile(r"[A-Za-z0-9+/]*")
_BAD_BASE64 = "Please provide a correctly Base64 encoded string containing an UTF-8 string\n"


@filter("base64decode", params=None, input="string", returns="string")
def base64decode(value, *_):
    """Decode standard Base64 (padding optional, as java.util.Base64) into UTF-8 text."""
    if value is None:
        return None
    if not is_java_string(value):
        raise RenderError("This filter applies to String\n")
    body, eq, rest = value.partition("=")
    tail = len(body) % 4  # 2 or 3 leftover characters need "==" / "=" when padded
    padding_ok = (eq + rest) in ("", {2: "==", 3: "="}.get(tail))
    if not (_BASE64.fullmatch(body) and tail != 1 and padding_ok):
        raise RenderError(_BAD_BASE64)
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise RenderError(_BAD_BASE64) from None
    return data.decode("utf-8", "replace")  # Java replaces malformed UTF-8 too


@filter("capitalize", params=None, input="string", returns="string")
def capitalize(value, *_):
    """Title-case the first non-whitespace character; everything else is kept."""
    if value is None:
        return None
    s = _string(value)
    for i, c in enumerate(s):
        if not _java_whitespace(c):
            return s[:i] + _title_char(c) + s[i + 1 :]
    return s


@filter("title", params=None, input="string", returns="string")
def title(value, *_):
    """Title-case every character that starts the string or follows whitespace."""
    if value is None:
        return None
    out, start = [], True
    for c in _string(value):
        space = _java_whitespace(c)
        out.append(_title_char(c) if start and not space else c)
        start = space
    return "".join(out)


@filter("default", params=[Param("default", "any", None)], input="any", returns="any")
def default(value, default=None):
    """`default` when the input is undefined, null, blank, or an empty collection or map."""
    return default if value is UNDEFINED or is_empty(value) else value


def _end(value, last: bool):
    if value is None:
        return None
    if is_java_string(value):
        size = _u16_len(value)
        index = size - 1 if last else 0
        if size == 0:
            raise RenderError(f"String index out of range: {index}")
        return JChar(_u16_slice(value, index, index + 1))
    if not (isinstance(value, JArray) or is_collection(value)):
        raise cast_error(value, "java.util.Collection")
    items = list(value)
    return (items[-1] if last else items[0]) if items else None


@filter("first", params=None, input="string|list", returns="any")
def first(value, *_):
    """First element of a collection or array, or first Character of a string."""
    return _end(value, last=False)


@filter("last", params=None, input="string|list", returns="any")
def last(value, *_):
    """Last element of a collection or array, or last Character of a string."""
    return _end(value, last=True)


@filter("join", params=[Param("separator", "string", None)], input="list", returns="string")
def join(value, separator=None):
    """Concatenate the elements' Java text, with `separator` between them."""
    if value is None:
        return None
    if separator is not None:
        _string(separator)
    if not (isinstance(value, JArray) or is_collection(value)):
        raise RenderError("The 'join' filter expects that the input is either a collection or an array.")
    return (separator or "").join(to_string(x) for x in value)


@filter("length", params=None, input="any", returns="integer")
def length(value, *_):
    """Size of a string (UTF-16 units), collection, map or array; 0 for anything else."""
    if is_java_string(value):
        return Int32(_u16_len(value))
    if isinstance(value, (dict, JArray)) or is_collection(value):
        return Int32(len(value))
    return Int32(0)


@filter("lower", params=None, input="any", returns="string")
def lower(value, *_):
    """Lower-case the value's Java text."""
    return None if value is None else str.lower(to_string(value))


@filter("upper", params=None, input="any", returns="string")
def upper(value, *_):
    """Upper-case the value's Java text (`ß` becomes `SS`)."""
    return None if value is None else str.upper(to_string(value))


@filter("merge", params=[Param("items", "list|map", None)], input="list|map", returns="list|map")
def merge(value, items=None):
    """A new map, list or array holding the input then `items` (for a map, items win;
    a list merged into a map adds each element as its own key)."""
    if value is None:
        if items is None:
            raise RenderError("The two arguments to be merged are null")
        return items
    if items is None:
        return value
    if isinstance(value, dict):
        if isinstance(items, dict):
            pairs = [*value.items(), *items.items()]
        elif is_list(items):
            pairs = [*value.items(), *((x, x) for x in items)]
        else:
            raise RenderError(f"Currently, only Maps and Lists can be merged with a Map. Arg2: {class_name(items)}")
        return _hashmap(pairs, len(value) + len(items) + 16)
    if is_list(value):
        if isinstance(items, dict):
            return [*value, *(MapEntry(kv) for kv in items.items())]
        if is_list(items):
            return [*value, *items]
        raise RenderError(f"Currently, only Maps and Lists can be merged with a List. Arg2: {class_name(items)}")
    if isinstance(value, JArray):
        if not isinstance(items, JArray) or items.component != value.component:
            raise RenderError("Currently, only Arrays of the same component class can be merged.")
        return JArray([*value, *items], component=value.component)
    raise RenderError("The object being filtered is not a Map/List/Array")


@filter(
    "replace",
    params=[Param("replace_pairs", "map", REQUIRED), Param("regexp", "boolean", False)],
    input="any",
    returns="any",
)
def replace(value, replace_pairs=None, regexp=False):
    """Kestra's replace: apply each (search, replacement) pair in turn, literally or as a
    Java regex, to a string or to every leaf of a list/map (leaves become strings)."""
    if value is None:
        return None
    if replace_pairs is None:
        raise RenderError("The argument 'replace_pairs' is required.")
    if not isinstance(regexp, bool):
        raise RenderError(f"The argument 'regexp' must be a Boolean, not {class_name(regexp)}")
    if not isinstance(replace_pairs, dict):
        raise cast_error(replace_pairs, "java.util.Map")
    pairs = [(_text(k), _text(v)) for k, v in replace_pairs.items()]

    def text(s: str) -> str:
        for search, replacement in pairs:
            if regexp:
                s = java_regex(search).sub(_java_replacement(replacement), s)
            else:
                s = s.replace(search, replacement)
        return s

    def walk(v):
        if isinstance(v, dict):
            return _hashmap([(k, walk(x)) for k, x in v.items()])
        if is_list(v):
            return [walk(x) for x in v]
        return text(v if is_java_string(v) else _text(v))

    return walk(value)


def _text(v) -> str:
    """toString() of a non-null object (null fails like Java's NullPointerException)."""
    if v is None:
        raise RenderError("NullPointerException: cannot call toString() on null")
    return to_string(v)


@filter("reverse", params=None, input="list", returns="list")
def reverse(value, *_):
    """Reverse a list in place and return it."""
    if value is None:
        return None
    if not is_list(value):
        raise cast_error(value, "java.util.List")
    if isinstance(value, tuple):
        if len(value) > 1:
            raise RenderError("UnsupportedOperationException: the list is immutable")
        return value
    value.reverse()
    return value


_COMPARABLE = {
    "java.lang.String", "java.lang.Character", "java.lang.Boolean", "java.lang.Integer", "java.lang.Long",
    "java.math.BigInteger", "java.lang.Float", "java.lang.Double", "java.math.BigDecimal", "java.net.URI",
    "java.time.Instant", "java.time.ZonedDateTime", "java.time.LocalDateTime", "java.time.LocalDate",
    "java.time.LocalTime", "java.time.Duration",
}  # fmt: skip


def _sort_key(items):
    """Java natural ordering: all elements of one Comparable class, compared by value."""
    if len(items) < 2:
        return None
    if any(x is None for x in items):
        raise RenderError("NullPointerException: cannot sort null elements")
    classes = sorted({class_name(x) for x in items})
    if len(classes) > 1:
        raise RenderError(f"class {classes[0]} cannot be cast to class {classes[1]}")
    if classes[0] not in _COMPARABLE:
        raise RenderError(f"class {classes[0]} cannot be cast to class java.lang.Comparable")
    if isinstance(items[0], str):
        return lambda s: s.encode("utf-16-be", "surrogatepass")  # UTF-16 code unit order
    if isinstance(items[0], float):
        return lambda x: (math.isnan(x), x, math.copysign(1, x))
    return lambda x: x


def _sort(value, descending: bool):
    if value is None:
        return None
    if isinstance(value, JArray) and not descending and value.component in _COMPARABLE:
        value.sort(key=_sort_key(value))  # sort in place, return the Arrays.asList view
        return list(value)
    if not is_list(value):
        if descending:
            raise cast_error(value, "java.util.List")
        raise RenderError("Unsupported input type for sort filter")
    key = _sort_key(value)
    if isinstance(value, tuple):
        raise RenderError("UnsupportedOperationException: the list is immutable")
    value.sort(key=key, reverse=descending)
    return value


@filter("sort", params=None, input="list", returns="list")
def sort(value, *_):
    """Sort a list (or array) in place in natural order and return it."""
    return _sort(value, descending=False)


@filter("rsort", params=None, input="list", returns="list")
def rsort(value, *_):
    """Sort a list in place in reverse natural order and return it."""
    return _sort(value, descending=True)


@filter("sha256", params=None, input="string", returns="string")
def sha256(value, *_):
    """Lower-case hex SHA-256 of the string's UTF-8 bytes."""
    if value is None:
        return None
    if not is_java_string(value):
        raise RenderError("Need a string to hash\n")
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


@filter(
    "slice",
    params=[Param("fromIndex", "integer", 0), Param("toIndex", "integer", None)],
    input="string|list",
    returns="string|list",
)
def slice_(value, fromIndex=0, toIndex=None):
    """The part of a string, list or array from `fromIndex` (inclusive) to `toIndex`
    (exclusive); an empty or out-of-range slice fails."""
    if value is None:
        return None
    start = _int_value(0 if fromIndex is None else fromIndex, "fromIndex")
    if start < 0:
        raise RenderError("fromIndex must be greater than 0")
    if toIndex is not None and not is_number(toIndex):
        raise RenderError(f"Argument toIndex must be a number. Actual type: {class_name(toIndex)}")
    if isinstance(value, JArray) or is_list(value):
        size = len(value)
    elif is_java_string(value):
        size = _u16_len(value)
    else:
        raise RenderError(
            f"Slice filter can only be applied to String, List and array inputs. Actual type was: {class_name(value)}"
        )
    end = size
    if toIndex is not None:
        end = _int_value(toIndex, "toIndex")
        if end > size:
            raise RenderError(f"toIndex must be smaller than input size: {size}")
        if start >= end:
            raise RenderError("toIndex must be greater than fromIndex")
    if start > end:
        raise RenderError(f"fromIndex({start}) > toIndex({end})")
    if isinstance(value, JArray):
        return JArray(value[start:end], component=value.component)
    if is_list(value):
        return value[start:end]
    return _u16_slice(value, start, end)


@filter(
    "split",
    params=[Param("delimiter", "string", REQUIRED), Param("limit", "integer", None)],
    input="string",
    returns="list",
)
def split(value, delimiter=None, limit=None):
    """Java String.split on the `delimiter` regex; returns a String[]."""
    if value is None:
        return None
    if delimiter is not None:
        _string(delimiter)
    if limit is not None and not is_number(limit):
        raise cast_error(limit, "java.lang.Number")
    if delimiter is None:
        raise RenderError("missing delimiter parameter in split filter")
    s = _string(value)
    return JArray(java_split(s, delimiter, 0 if limit is None else _int_value(limit, "limit")))


@filter("trim", params=None, input="string", returns="string")
def trim(value, *_):
    """Strip leading and trailing characters up to U+0020."""
    return None if value is None else java_trim(_string(value))


_URL_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")


@filter("urlencode", params=None, input="string", returns="string")
def urlencode(value, *_):
    """java.net.URLEncoder with UTF-8: form encoding, space as `+`."""
    if value is None:
        return None
    data = _string(value).encode("utf-8", "replace")
    return "".join(chr(b) if b in _URL_SAFE else "+" if b == 0x20 else f"%{b:02X}" for b in data)


# --------------------------------------------------------------------------- numberFormat


_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


@dataclass(frozen=True)
class DecimalPattern:
    """A parsed java.text.DecimalFormat pattern (en_US symbols)."""

    prefix: str
    suffix: str
    neg_prefix: str
    neg_suffix: str
    multiplier: int = 1
    min_int: int = 1
    max_int: int = 2**31 - 1
    min_frac: int = 0
    max_frac: int = 3
    grouping: int = 0  # digits per group, 0 = no grouping
    point_always: bool = False
    min_exp: int = 0  # exponent digits, 0 = no scientific notation


def _split_affixes(pattern: str, whole: str):
    """Scan one subpattern: (prefix, number part, suffix, multiplier, rest after `;`)."""
    affixes: list[list[str]] = [[], []]
    number: list[str] = []
    phase, multiplier, quoted, i = 0, 1, False, 0
    while i < len(pattern):
        c = pattern[i]
        affix = affixes[0 if phase == 0 else 1]
        if quoted or c == "'":
            if pattern.startswith("''", i):
                affix.append("'")
                i += 2
                continue
            if c == "'":
                quoted = not quoted
            else:
                affix.append(c)
            i += 1
            continue
        if phase == 1:
            if c in "#0,.":
                number.append(c)
            elif c == "E":
                zeros = len(pattern[i + 1 :]) - len(pattern[i + 1 :].lstrip("0"))
                if not zeros or "E" in number:
                    raise RenderError(f'Malformed exponential pattern "{whole}"')
                number.append(pattern[i : i + 1 + zeros])
                i += zeros
                phase = 2
            else:
                phase = 2
                continue
            i += 1
            continue
        if c in "#0,.":  # digits, even after a suffix has started, go to the number part
            phase = 1
            continue
        if c == ";":
            if phase == 0:
                raise RenderError(f"Unquoted special character ';' in pattern \"{whole}\"")
            return "".join(affixes[0]), "".join(number), "".join(affixes[1]), multiplier, pattern[i + 1 :]
        if c in "%\u2030":
            if multiplier != 1:
                raise RenderError("Too many percent/per mille characters in pattern")
            multiplier = 100 if c == "%" else 1000
        if c == "\u00a4":
            doubled = pattern.startswith("\u00a4\u00a4", i)
            affix.append("USD" if doubled else "$")
            i += 2 if doubled else 1
            continue
        affix.append(c)
        i += 1
    if quoted:
        raise RenderError(f'Malformed pattern "{whole}"')
    return "".join(affixes[0]), "".join(number), "".join(affixes[1]), multiplier, None


@lru_cache(maxsize=256)
def parse_decimal_pattern(pattern: str) -> DecimalPattern:
    """Parse a DecimalFormat pattern the way Java's applyPattern counts its digits."""
    if pattern == "":
        return DecimalPattern("", "", "-", "", min_int=0, max_frac=340, grouping=3)  # Java keeps its defaults
    prefix, number, suffix, multiplier, negative = _split_affixes(pattern, pattern)
    left = zeros = right = 0
    grouping = point = -1
    min_exp = 0
    for i, c in enumerate(number):
        if c == "E":
            min_exp = len(number) - i - 1
            if left + zeros < 1:
                raise RenderError(f'Malformed exponential pattern "{pattern}"')
            break
        if c in "#0":
            if c == "0" and right:
                raise RenderError(f"Unexpected '0' in pattern \"{pattern}\"")
            if c == "0":
                zeros += 1
            elif zeros:
                right += 1
            else:
                left += 1
            if grouping >= 0 and point < 0:
                grouping += 1
        elif c == ",":
            grouping = 0
        elif point >= 0:
            raise RenderError(f'Multiple decimal separators in pattern "{pattern}"')
        else:
            point = left + zeros + right
    if zeros == 0 and left > 0 and point >= 0:  # "#.##" reads as "0.##", ".##" as ".0#"
        n = point or 1
        left, zeros, right = n - 1, 1, left - n
    if (point < 0 and right > 0) or (point >= 0 and not left <= point <= left + zeros) or grouping == 0:
        raise RenderError(f'Malformed pattern "{pattern}"')
    total = left + zeros + right
    min_int = (point if point >= 0 else total) - left
    neg_prefix, neg_suffix = "-" + prefix, suffix
    if negative:  # an empty negative subpattern is ignored
        neg_prefix, _, neg_suffix, _, _ = _split_affixes(negative, pattern)
    return DecimalPattern(
        prefix, suffix, neg_prefix, neg_suffix, multiplier,
        min_int=min_int,
        max_int=left + min_int if min_exp else 2**31 - 1,
        min_frac=left + zeros - point if point >= 0 else 0,
        max_frac=total - point if point >= 0 else 0,
        grouping=max(grouping, 0),
        point_always=point == 0 or point == total,
        min_exp=min_exp,
    )  # fmt: skip


def _round(shortest: Decimal, exact: Decimal, exponent: int) -> Decimal:
    """HALF_EVEN rounding to 10**exponent of a double's shortest digits; a tie in those
    digits is settled by the exact binary value, as DecimalFormat does."""
    quantum = Decimal(1).scaleb(exponent, _EXACT)
    rounded = shortest.quantize(quantum, ROUND_HALF_EVEN, _EXACT)
    tie = shortest.quantize(quantum, ROUND_HALF_UP, _EXACT) != shortest.quantize(quantum, ROUND_HALF_DOWN, _EXACT)
    return exact.quantize(quantum, ROUND_HALF_EVEN, _EXACT) if tie and exact != shortest else rounded


def _group(digits: str, size: int) -> str:
    head = len(digits) % size or size
    return ",".join([digits[:head], *(digits[i : i + size] for i in range(head, len(digits), size))])


def _digits(value: Decimal, min_int: int, min_frac: int, fmt: DecimalPattern) -> str:
    integer, _, fraction = format(value, "f").partition(".")
    integer = integer.lstrip("0").rjust(min_int, "0")
    fraction = fraction.rstrip("0").ljust(min_frac, "0")
    if fmt.grouping and not fmt.min_exp and integer:
        integer = _group(integer, fmt.grouping)
    if not integer and not fraction and not fmt.min_exp:
        integer = "0"
    return integer + ("." + fraction if fraction or fmt.point_always else "")


def _scientific(shortest: Decimal, exact: Decimal, fmt: DecimalPattern) -> str:
    repeat = fmt.max_int if fmt.max_int > fmt.min_int and fmt.max_int > 1 else 0
    min_int = 1 if repeat else fmt.min_int
    exponent, mantissa = 0, Decimal(0)
    if shortest:
        significant = max(fmt.max_int + fmt.max_frac, 1)  # what the JDK does (its docs say min_int)
        rounded = _round(shortest, exact, shortest.adjusted() - significant + 1)
        top = rounded.adjusted()
        exponent = (top // repeat) * repeat if repeat else top - min_int + 1
        mantissa = rounded.scaleb(-exponent, _EXACT)
    # at least min_int + min_frac significant digits, the integer ones included
    integer_digits = max(min_int, mantissa.adjusted() + 1 if mantissa else 0)
    min_frac = max(0, min_int + fmt.min_frac - integer_digits)
    sign = "-" if exponent < 0 else ""
    return _digits(mantissa, min_int, min_frac, fmt) + "E" + sign + str(abs(exponent)).rjust(fmt.min_exp, "0")


def _body(shortest: Decimal, exact: Decimal, fmt: DecimalPattern) -> str:
    if fmt.min_exp:
        return _scientific(shortest, exact, fmt)
    return _digits(_round(shortest, exact, -fmt.max_frac), fmt.min_int, fmt.min_frac, fmt)


def decimal_format(number, fmt: DecimalPattern) -> str:
    """java.text.DecimalFormat.format for a Number (HALF_EVEN rounding)."""
    if isinstance(number, float):  # Float and Double are formatted as double
        x = float(number) * fmt.multiplier
        if math.isnan(x):
            return "NaN"
        negative, x = math.copysign(1, x) < 0, abs(x)
        body = "\u221e" if math.isinf(x) else _body(Decimal(repr(x)), Decimal(x), fmt)
    else:
        d = Decimal(number).scaleb({1: 0, 100: 2, 1000: 3}[fmt.multiplier], _EXACT)
        negative, d = d < 0, d.copy_abs()
        body = _body(d, d, fmt)
    return (fmt.neg_prefix + body + fmt.neg_suffix) if negative else (fmt.prefix + body + fmt.suffix)


@filter("numberFormat", params=[Param("format", "string", None)], input="number", returns="string")
def number_format(value, format=None):
    """Format a number with a java.text.DecimalFormat pattern, or with the en_US default
    `#,##0.###`."""
    if value is None:
        return None
    if not is_number(value):
        raise RenderError("The input for the 'NumberFormat' filter has to be a number.")
    return decimal_format(value, parse_decimal_pattern("#,##0.###" if format is None else _string(format)))
