"""Pebble's and Kestra's functions (pebble.md §4.3), except `now` (dates) and
`block`/`parent` (the template engine).

Parsing functions (`fromJson`, `yaml`, `fromIon`) produce the Java values Jackson would:
Integer when a whole number fits 32 bits, Long when it fits 64, BigInteger beyond; Double for
floating numbers; maps that keep their key order. Functions that need an execution (`secret`,
`kv`, `read`, ...) ask `RenderContext.services` and fail clearly when there is none.
"""
from __future__ import annotations

import json
import math
import random
import re
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .context import RenderContext
from .errors import LimitError, RenderError, UndefinedError
from .operators import gt, lt
from .printing import to_string
from .signatures import REQUIRED, Param, function
from .values import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    Instant,
    Int32,
    JArray,
    JavaHashMap,
    JChar,
    is_number,
    wrap_long,
)

MAX_RANGE = 1_000_000  # a range longer than this is refused (it could exhaust memory)

MAX_RENDER_NESTING = 10  # render() inside render() inside ...


def _java_int(n: int) -> int:
    """The boxed type Jackson picks for a whole number: Integer, else Long/BigInteger (int)."""
    return Int32(n) if INT_MIN <= n <= INT_MAX else n


def _java_long(x) -> int:
    """Number.longValue(): doubles truncate and saturate (NaN is 0), big integers wrap."""
    if isinstance(x, float):
        if math.isnan(x):
            return 0
        if math.isinf(x):
            return LONG_MAX if x > 0 else LONG_MIN
        return max(LONG_MIN, min(LONG_MAX, int(x)))
    return wrap_long(int(x))


def _is_string(v) -> bool:
    """A java.lang.String (a Character is not one)."""
    return isinstance(v, str) and not isinstance(v, JChar)


def _join_surrogates(s: str) -> str:
    """Java strings are UTF-16: an escaped surrogate pair is one character."""
    if any("\ud800" <= c <= "\udfff" for c in s):
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return s


# --------------------------------------------------------------------------- max, min, range


def _extreme(args, beats):
    best = None
    for candidate in args:
        if best is None or beats(candidate, best):
            best = candidate
    return best


@function("max", params=None, returns="any")
def max_(*args):
    """The greatest argument, compared as numbers (nulls lose); the argument itself is returned."""
    return _extreme(args, gt)


@function("min", params=None, returns="any")
def min_(*args):
    """The smallest argument, compared as numbers (nulls lose); the argument itself is returned."""
    return _extreme(args, lt)


@function(
    "range",
    params=[Param("start", "number|string", REQUIRED), Param("end", "number|string", REQUIRED), Param("increment", "number", 1)],
    returns="list",
)
def range_(start, end, increment=1):
    """The numbers (as Longs) from start to end inclusive, or the characters between two
    one-character strings, `increment` apart."""
    if increment is None:
        increment = 1
    if not is_number(increment):
        raise RenderError(f"The increment of the range function must be a number {increment}")
    step = _java_long(increment)
    if is_number(start) and is_number(end):
        first, last, make = _java_long(start), _java_long(end), int
    elif _is_string(start) and _is_string(end):
        if not (len(start) == len(end) == 1 and ord(start) <= 0xFFFF and ord(end) <= 0xFFFF):
            raise RenderError("range function works only with single character strings")
        first, last, make = ord(start), ord(end), lambda c: JChar(chr(c))
    else:
        raise RenderError("wrong parameter types for the range function")
    if step == 0:
        raise RenderError("The increment of the range function must be different than 0")
    count = (last - first) // step + 1 if (last - first) * step >= 0 else 0
    if count > MAX_RANGE:
        raise LimitError(f"range of {count:,} elements is more than the {MAX_RANGE:,} flowc allows")
    if make is int and count and not LONG_MIN <= first + count * step <= LONG_MAX:
        # Java's loop counter overflows there and never stops: the JVM runs out of memory
        raise LimitError("range reaches the end of the Long numbers and never stops")
    return [make(v) for v in range(first, first + count * step, step)]


# --------------------------------------------------------------------------- JSON


def _no_constant(name: str):
    raise ValueError(f"Non-standard token '{name}'")


_JSON = json.JSONDecoder(parse_int=lambda text: _java_int(int(text)), parse_constant=_no_constant)
_JSON_SPACE = " \t\n\r"


def parse_json(text: str):
    """Jackson's reading of one JSON value: whatever follows a complete value is ignored,
    but a number or literal at the root must end cleanly."""
    start = len(text) - len(text.lstrip(_JSON_SPACE))
    try:
        value, end = _JSON.raw_decode(text, start)
    except (ValueError, RecursionError) as e:
        raise RenderError(f"Invalid json: {e}") from None
    following = text[end:end + 1]
    if following and not isinstance(value, (str, list, dict)):
        if value is None or isinstance(value, bool):
            bad = following.isalnum() or following in "_$"
        else:
            bad = following not in _JSON_SPACE
        if bad:
            raise RenderError(f"Invalid json: unexpected character {following!r} after the value")
    return value


def _string_argument(fn: str, name: str, value, nullable: bool):
    if value is None and nullable:
        return None
    if not _is_string(value):
        raise RenderError(f"The '{fn}' function expects an argument '{name}' with type string.")
    return value


@function("fromJson", params=[Param("json", "string|null", REQUIRED)], returns="any")
def from_json(json):
    """The value a JSON text describes (objects keep their key order); null gives null."""
    text = _string_argument("fromJson", "json", json, nullable=True)
    return None if text is None else parse_json(text)


@function("json", params=[Param("json", "string|null", REQUIRED)], returns="any")
def json_(json):
    """Deprecated name of `fromJson`."""
    return from_json(json)


# --------------------------------------------------------------------------- YAML

_YAML_NULL = {"", "~", "null", "Null", "NULL"}
_YAML_BOOL = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
# SnakeYAML's YAML 1.1 resolver (2.x), which Jackson's YAML parser consults for plain scalars
_YAML_INT = re.compile(
    r"[-+]?0b_*[0-1][0-1_]*|[-+]?0_*[0-7][0-7_]*|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
)
_YAML_FLOAT = re.compile(
    r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_YAML_NUMBER_LIMIT = 1024  # longer scalars are not even tried as numbers
_YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_FLOW_INDICATORS = ",[]{}"


def _yaml_scalar(text: str):
    """The value of a plain (unquoted) scalar, typed as Jackson types it."""
    if text in _YAML_NULL:
        return None
    if text in _YAML_BOOL:
        return _YAML_BOOL[text]
    if len(text) > _YAML_NUMBER_LIMIT:
        return text
    try:
        if _YAML_INT.fullmatch(text):
            return _yaml_int(text)
        if _YAML_FLOAT.fullmatch(text):
            return _yaml_float(text)
    except ValueError:
        raise RenderError(f"Invalid yaml: bad number {text!r}") from None
    return text  # timestamps, merge keys and the rest stay strings


def _yaml_int(text: str):
    body = text.lstrip("+-")
    if ":" in body:
        return text  # sexagesimal: Jackson leaves it a string
    sign = -1 if text.startswith("-") else 1
    body = body.replace("_", "")
    if body[:2] == "0b":
        n = int(body[2:], 2)
    elif body[:2] == "0x":
        n = int(body[2:], 16)
    elif len(body) > 1 and body[0] == "0":
        n = int(body, 8)
    else:
        n = int(body)
    return _java_int(sign * n)


def _yaml_float(text: str):
    if ":" in text:
        return text
    cleaned = text.replace("_", "")
    if cleaned.lower().endswith(".inf"):
        return -math.inf if cleaned.startswith("-") else math.inf
    if cleaned.lower() == ".nan":
        return math.nan
    return float(cleaned)


def _is_marker(line: str, marker: str) -> bool:
    return line.startswith(marker) and (len(line) == 3 or line[3] in " \t")


class _Yaml:
    """A reader for the YAML subset flows use: block mappings and sequences, flow
    collections, plain/quoted/block scalars, comments, one document. Anchors, aliases, tags
    and complex keys are refused. Map keys are the keys' text, as with Jackson."""

    def __init__(self, text: str) -> None:
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.final_break = text.endswith("\n")  # whether the last line ends with a line break
        if self.final_break:
            self.lines.pop()
        self.row = 0
        self.col = 0

    # ----------------------------------------------------------------- positions

    def fail(self, message: str):
        raise RenderError(f"Invalid yaml: {message} (line {self.row + 1})")

    def refuse(self, what: str):
        raise RenderError(f"Invalid yaml: {what} are not supported by Kestra's yaml() (line {self.row + 1})")

    def line(self) -> str:
        return self.lines[self.row] if self.row < len(self.lines) else ""

    def char(self, offset: int = 0) -> str:
        return self.line()[self.col + offset:self.col + offset + 1]

    def skip_space(self) -> None:
        line = self.line()
        while self.col < len(line) and line[self.col] in " \t":
            self.col += 1

    def at_line_end(self) -> bool:
        """Nothing but (possibly) a comment is left on the line; call after skip_space."""
        rest = self.line()[self.col:]
        return not rest or (rest[0] == "#" and (self.col == 0 or self.line()[self.col - 1] in " \t"))

    def finish_line(self) -> None:
        self.skip_space()
        if not self.at_line_end():
            self.fail(f"unexpected text {self.line()[self.col:]!r}")
        self.row, self.col = self.row + 1, 0

    def next_content_line(self) -> int | None:
        """Go to the next line with content (from the current one); its indentation, or None."""
        while self.row < len(self.lines):
            line = self.lines[self.row]
            content = line.lstrip(" ")
            text = content.lstrip(" \t")
            if text and not text.startswith("#"):
                if content[0] == "\t":
                    self.fail("tabs are not allowed as indentation")
                self.col = len(line) - len(content)
                return self.col
            self.row += 1
        self.col = 0
        return None

    def blank_lines_then(self, row: int) -> tuple[int, int]:
        """The number of blank lines from `row`, and the row after them."""
        blanks = 0
        while row < len(self.lines) and not self.lines[row].strip(" \t"):
            blanks, row = blanks + 1, row + 1
        return blanks, row

    # ----------------------------------------------------------------- document

    def document(self):
        started = False
        while self.row < len(self.lines):
            line = self.lines[self.row]
            if line.startswith("%"):  # a directive (%YAML, %TAG): a `---` must follow
                self.row += 1
                continue
            if _is_marker(line, "---"):
                started = True
                self.lines[self.row] = "   " + line[3:]  # content may follow the marker
                break
            text = line.strip(" \t")
            if text and not text.startswith("#"):
                break
            self.row += 1
        for r in range(self.row + started, len(self.lines)):
            if _is_marker(self.lines[r], "---") or _is_marker(self.lines[r], "..."):
                del self.lines[r:]  # only the first document is read
                self.final_break = True
                break
        if self.next_content_line() is None:
            if started:
                return None
            raise RenderError("Invalid yaml: No content to map due to end-of-input")
        value = self.node(-1)
        if self.next_content_line() is not None:
            self.fail(f"unexpected content {self.line().strip()!r}")
        return value

    # ----------------------------------------------------------------- block structure

    def at_dash(self) -> bool:
        return self.char() == "-" and self.char(1) in ("", " ", "\t")

    def node(self, parent: int):
        """The node starting at the current character, inside a block indented `parent`."""
        if self.at_dash():
            return self.block_sequence(self.col)
        if self.is_key():
            return self.block_mapping(self.col)
        return self.inline(parent)

    def block_sequence(self, column: int) -> list:
        items = []
        while True:
            self.col = column + 1
            items.append(self.entry_value(column, compact=True))
            indent = self.next_content_line()
            if indent is None or indent < column or (indent == column and not self.at_dash()):
                return items
            if indent > column:
                self.fail("bad indentation of a sequence entry")

    def block_mapping(self, column: int) -> dict:
        result = {}
        while True:
            key = self.key()
            result[key] = self.entry_value(column, compact=False)
            indent = self.next_content_line()
            if indent is None or indent < column:
                return result
            if indent > column:
                self.fail("bad indentation of a mapping entry")
            if not self.is_key():
                self.fail("expected a mapping key")

    def entry_value(self, column: int, compact: bool):
        """What follows `- ` (compact forms allowed) or `key:`, on this line or the next ones."""
        self.skip_space()
        if self.at_line_end():
            self.row, self.col = self.row + 1, 0
            indent = self.next_content_line()
            if indent is not None and (indent > column or (not compact and indent == column and self.at_dash())):
                return self.node(column)
            return None
        return self.node(column) if compact else self.inline(column)

    def is_key(self) -> bool:
        """Whether a `key:` starts at the current character (one line, plain or quoted)."""
        line, start = self.line(), self.col
        first = line[start:start + 1]
        if first in ('"', "'"):
            row = self.row
            try:
                self.quoted()
                self.skip_space()
                found = self.row == row and self.char() == ":" and self.char(1) in ("", " ", "\t")
            except RenderError:
                found = False
            self.row, self.col = row, start
            return found
        if first == "?" and line[start + 1:start + 2] in ("", " ", "\t"):
            self.refuse("complex mapping keys (`? `)")
        if first in ("[", "{"):
            return False
        for i in range(start, len(line)):
            if line[i] == ":" and line[i + 1:i + 2] in ("", " ", "\t"):
                return True
            if line[i] == "#" and i > start and line[i - 1] in " \t":
                return False
        return False

    def key(self) -> str:
        if self.char() in ('"', "'"):
            text = self.quoted()
        else:
            self.check_plain_start(flow=False)
            text = self.plain_line(flow=False)
        self.skip_space()
        self.col += 1  # the ':' is_key found
        return text

    # ----------------------------------------------------------------- scalars and flow

    def inline(self, parent: int):
        """A value written on the current line (it may continue on the next ones)."""
        first = self.char()
        if first in ("[", "{"):
            value = self.flow_collection()
        elif first in ('"', "'"):
            value = self.quoted()
        elif first in ("|", ">"):
            return self.block_scalar(parent)
        else:
            self.check_plain_start(flow=False)
            value = _yaml_scalar(self.plain(lambda line, indent: indent > parent, flow=False))
        self.finish_line()
        return value

    def check_plain_start(self, flow: bool) -> None:
        first, following = self.char(), self.char(1)
        if first in ("&", "*"):
            self.refuse("anchors and aliases")
        if first == "!":
            self.refuse("tags")
        if first == "?" and following in ("", " ", "\t"):
            self.refuse("complex mapping keys (`? `)")
        if first == "-" and following in ("", " ", "\t"):
            self.fail("a sequence entry is not allowed here")
        if first == ":" and following in ("", " ", "\t"):
            self.fail("a mapping value is not allowed here")
        if first in "%@`,]}#|>" or (flow and first in "[{"):
            self.fail(f"unexpected character {first!r}")

    def plain_line(self, flow: bool) -> str:
        """The part of a plain scalar on the current line; stops before `: `, ` #` and, in
        flow collections, before flow indicators."""
        line, start = self.line(), self.col
        i = end = start
        while i < len(line):
            ch = line[i]
            following = line[i + 1:i + 2]
            if ch == ":" and (following in ("", " ", "\t") or (flow and following in _FLOW_INDICATORS)):
                break
            if ch == "#" and i > start and line[i - 1] in " \t":
                break
            if flow and ch in _FLOW_INDICATORS:
                break
            i += 1
            if ch not in " \t":
                end = i
        self.col = end
        return line[start:end]

    def plain(self, continues, flow: bool) -> str:
        """A plain scalar; lines accepted by `continues(line, indent)` fold into it."""
        text = self.plain_line(flow)
        while not self.line()[self.col:].strip(" \t"):
            blanks, row = self.blank_lines_then(self.row + 1)
            if row >= len(self.lines):
                break
            line = self.lines[row]
            indent = len(line) - len(line.lstrip(" \t"))
            if line[indent] == "#" or not continues(line, indent):
                break
            self.row, self.col = row, indent
            text += ("\n" * blanks or " ") + self.plain_line(flow)
        return text

    def quoted(self) -> str:
        """A single- or double-quoted scalar, which may span lines (folded)."""
        quote = self.char()
        self.col += 1
        out: list[str] = []
        keep = 0  # out[keep:] is literal white space that a line break would drop
        while True:
            if self.row >= len(self.lines):
                self.fail("unterminated quoted scalar")
            line = self.line()
            if self.col >= len(line):  # a line break inside the quotes folds
                del out[keep:]
                blanks, self.row = self.blank_lines_then(self.row + 1)
                if self.row >= len(self.lines):
                    self.fail("unterminated quoted scalar")
                self.col = 0
                self.skip_space()
                out.append("\n" * blanks or " ")
                keep = len(out)
                continue
            ch = line[self.col]
            if ch == quote:
                if quote == "'" and self.char(1) == "'":
                    out.append("'")
                    self.col += 2
                    keep = len(out)
                    continue
                self.col += 1
                return _join_surrogates("".join(out))
            if ch == "\\" and quote == '"':
                if self.col + 1 == len(line):  # an escaped line break joins the lines
                    self.row, self.col = self.row + 1, 0
                    self.skip_space()
                else:
                    out.append(self.escape(line))
                keep = len(out)
                continue
            out.append(ch)
            self.col += 1
            if ch not in " \t":
                keep = len(out)

    def escape(self, line: str) -> str:
        code = line[self.col + 1]
        if code in _YAML_ESCAPES:
            self.col += 2
            return _YAML_ESCAPES[code]
        if code in _HEX_ESCAPES:
            digits = line[self.col + 2:self.col + 2 + _HEX_ESCAPES[code]]
            if len(digits) == _HEX_ESCAPES[code] and all(c in "0123456789abcdefABCDEF" for c in digits):
                self.col += 2 + len(digits)
                try:
                    return chr(int(digits, 16))
                except ValueError:
                    pass
        self.fail(f"unknown escape \\{code}")

    def block_scalar(self, parent: int) -> str:
        """A literal (`|`) or folded (`>`) block scalar with its chomping and indentation indicators."""
        line = self.line()
        style, i = line[self.col], self.col + 1
        chomp, explicit = "", 0
        while i < len(line) and line[i] in "+-123456789":
            if line[i] in "+-":
                if chomp:
                    self.fail("repeated chomping indicator")
                chomp = line[i]
            elif explicit:
                self.fail("repeated indentation indicator")
            else:
                explicit = int(line[i])
            i += 1
        self.col = i
        self.finish_line()
        minimum = max(parent + 1, 1)
        if explicit:
            indent = minimum + explicit - 1
        else:  # the first non-empty line's indentation (or a longer leading empty line)
            indent, row = minimum, self.row
            while row < len(self.lines):
                text = self.lines[row]
                indent = max(indent, len(text) - len(text.lstrip(" ")))
                if text.strip(" "):
                    break
                row += 1
        lines = []
        while self.row < len(self.lines):
            text = self.lines[self.row]
            if text.strip(" ") and len(text) - len(text.lstrip(" ")) < indent:
                break
            lines.append(text[indent:])
            self.row += 1
        self.col = 0
        last = len(lines)
        while last and not lines[last - 1]:
            last -= 1
        body, trailing = lines[:last], len(lines) - last
        text = "\n".join(body) if style == "|" else _fold(body)
        ends_with_break = self.row < len(self.lines) or self.final_break or trailing > 0
        if chomp == "-" or not body:
            return text + ("\n" * trailing if chomp == "+" and not body else "")
        if chomp == "+":
            return text + "\n" * (ends_with_break + trailing)
        return text + "\n" * ends_with_break

    def flow_space(self) -> str:
        """Skip white space, line breaks and comments inside a flow collection; the next character."""
        while True:
            if self.row >= len(self.lines):
                self.fail("unterminated flow collection")
            self.skip_space()
            if self.col < len(self.line()) and self.char() != "#":
                return self.char()
            self.row, self.col = self.row + 1, 0

    def flow_collection(self):
        opening = self.char()
        closing, result = ("]", []) if opening == "[" else ("}", {})
        self.col += 1
        while self.flow_space() != closing:
            if opening == "{":
                key = self.flow_key()
                result[key] = self.flow_value(closing) if self.flow_space() == ":" else None
            else:
                value, text = self.flow_node()
                if self.flow_space() == ":":
                    if text is None:
                        self.refuse("complex mapping keys")
                    value = {text: self.flow_value(closing)}
                result.append(value)
            if self.flow_space() == ",":
                self.col += 1
            elif self.char() != closing:
                self.fail(f"expected ',' or '{closing}'")
        self.col += 1
        return result

    def flow_value(self, closing: str):
        """The value after a ':' in a flow collection (null when it is missing)."""
        self.col += 1
        if self.flow_space() in (",", closing):
            return None
        return self.flow_node()[0]

    def flow_key(self) -> str:
        first = self.char()
        if first in ("[", "{"):
            self.refuse("complex mapping keys")
        if first in ('"', "'"):
            return self.quoted()
        self.check_plain_start(flow=True)
        return self.plain_line(flow=True)

    def flow_node(self):
        """A value inside a flow collection, with its text when it is a scalar (a key maybe)."""
        first = self.char()
        if first in ("[", "{"):
            return self.flow_collection(), None
        if first in ('"', "'"):
            text = self.quoted()
            return text, text
        self.check_plain_start(flow=True)
        text = self.plain(lambda line, indent: line[indent] not in _FLOW_INDICATORS + ":", flow=True)
        return _yaml_scalar(text), text


def _fold(lines: list[str]) -> str:
    """Folded block scalar content: lines join with a space, empty lines give line breaks,
    more-indented lines keep theirs."""
    out, previous, blanks = "", None, 0
    for line in lines:
        if not line:
            blanks += 1
            continue
        if previous is None:
            out = "\n" * blanks + line
        elif previous[0] in " \t" or line[0] in " \t":
            out += "\n" * (blanks + 1) + line
        else:
            out += ("\n" * blanks or " ") + line
        previous, blanks = line, 0
    return out


def parse_yaml(text: str):
    """The value of the first YAML document of `text`, as Kestra's yaml() reads it."""
    try:
        return _Yaml(text).document()
    except RecursionError:
        raise RenderError("Invalid yaml: the document nests too deeply") from None


@function("yaml", params=[Param("yaml", "string", REQUIRED)], returns="any")
def yaml_(yaml):
    """The value a YAML text describes (YAML 1.1 scalars: `yes` is true; dates stay strings)."""
    return parse_yaml(_string_argument("yaml", "yaml", yaml, nullable=False))


# --------------------------------------------------------------------------- Ion

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
                return _join_surrogates("".join(out))
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
        return _join_surrogates("".join(out))

    def escape(self) -> str:
        code = self.s[self.i + 1:self.i + 2]
        if code in _ION_ESCAPES:
            self.i += 2
            return _ION_ESCAPES[code]
        if code in _HEX_ESCAPES:
            digits = self.s[self.i + 2:self.i + 2 + _HEX_ESCAPES[code]]
            if len(digits) == _HEX_ESCAPES[code] and all(c in "0123456789abcdefABCDEF" for c in digits):
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
                return _java_int(int(token.replace("_", "")))
            if _ION_RADIX.fullmatch(token):
                return _java_int(int(token.replace("_", ""), 0))
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


def parse_ion(text: str):
    try:
        return _Ion(text).first()
    except RecursionError:
        raise RenderError("Invalid ion: the value nests too deeply") from None


@function("fromIon", params=[Param("ion", "string|null", REQUIRED)], returns="any")
def from_ion(ion):
    """The first value of an Amazon Ion text (timestamps become dates or instants); null gives null."""
    text = _string_argument("fromIon", "ion", ion, nullable=True)
    return None if text is None else parse_ion(text)


# --------------------------------------------------------------------------- the run's variables


@function("currentEachOutput", params=[Param("outputs", "map", REQUIRED)], returns="any", context=True)
def current_each_output(ctx: RenderContext, outputs):
    """The outputs of the current iteration: `outputs` walked by each parent's value, from the
    outermost parent inwards, then by `taskrun.value`. Like Kestra, it reverses `parents` in place."""
    if not isinstance(outputs, dict):
        raise RenderError("The 'currentEachOutput' function expects an argument 'outputs' with type map.")
    parents = ctx.variable("parents") or []
    if not isinstance(parents, list) or not all(isinstance(p, dict) for p in parents):
        raise RenderError("currentEachOutput() expects `parents` to be a list of maps")
    parents.reverse()  # nearest parent first becomes outermost first, in the shared list
    for parent in parents:
        taskrun = parent.get("taskrun")
        if taskrun is not None:
            inner = outputs.get(_value_of(taskrun))
            if inner is None:
                raise RenderError("No execution outputs for the current task runs path")
            if not isinstance(inner, dict):
                raise RenderError("The outputs of the current task runs path are not a map")
            outputs = inner
    return outputs.get(_value_of(ctx.variable("taskrun")))


def _value_of(taskrun):
    if not isinstance(taskrun, dict):
        raise RenderError("currentEachOutput() needs a task run (`taskrun`) to find the current value")
    return taskrun.get("value")


@function("printContext", params=(), returns="map", context=True)
def print_context(ctx: RenderContext):
    """Every variable visible to the template, in a Java HashMap (for debugging)."""
    items = [(k, v) for k, v in ctx.variables.items() if k not in ("_context", "locale", "template")]
    capacity = 16  # a HashMap filled entry by entry grows past three quarters full
    while len(items) > capacity * 0.75:
        capacity *= 2
    return JavaHashMap.of(items, capacity)


@function("fetchContext", params=(), returns="map", context=True)
def fetch_context(ctx: RenderContext):
    """Same as printContext()."""
    return print_context(ctx)


# --------------------------------------------------------------------------- render


def _render(ctx: RenderContext, value, recursive: bool):
    """Render strings, and the strings inside maps, lists and sets; anything else as is."""
    if _is_string(value):
        if "{" not in value:
            return value
        if ctx.render is None:
            raise RenderError("render() is not available here")
        if ctx.depth >= MAX_RENDER_NESTING:
            raise LimitError(f"render() calls nest more than {MAX_RENDER_NESTING} levels deep")
        ctx.depth += 1
        try:
            return ctx.render(value, ctx.variables, recursive)
        except UndefinedError as e:  # undefined in the rendered text is a plain failure here
            raise RenderError(e.message) from None
        finally:
            ctx.depth -= 1
    if isinstance(value, dict):
        rendered = {}
        for k, v in value.items():
            rendered.setdefault(_render(ctx, k, recursive), _render(ctx, v, recursive))
        return rendered
    if isinstance(value, list) and not isinstance(value, JArray):
        return [_render(ctx, v, recursive) for v in value]
    if isinstance(value, (set, frozenset)):
        return {_render(ctx, v, recursive) for v in value}
    return value


@function(
    "render",
    params=[Param("toRender", "any", REQUIRED), Param("recursive", "boolean", True)],
    returns="any",
    context=True,
)
def render(ctx: RenderContext, toRender, recursive=True):
    """Render a value that holds template text, with every variable; again and again until
    it stops changing unless `recursive=false`."""
    if recursive is None:
        recursive = True
    if not isinstance(recursive, bool):
        raise RenderError("The 'render' function expects an optional argument 'recursive' with type boolean.")
    return _render(ctx, toRender, recursive)


@function("renderOnce", params=[Param("toRender", "any", REQUIRED)], returns="any", context=True)
def render_once(ctx: RenderContext, toRender):
    """render(toRender, recursive=false)."""
    return _render(ctx, toRender, False)


# --------------------------------------------------------------------------- execution services


def _service(ctx: RenderContext, name: str, method: str, *args):
    """Call an execution service; without an execution, fail saying what is needed."""
    if ctx.services is None:
        raise RenderError(f"{name}() needs a Kestra execution: run the flow with `flowc run`")
    try:
        return getattr(ctx.services, method)(*args)
    except RenderError:
        raise
    except Exception as e:  # a service failure is a rendering failure
        raise RenderError(f"{name}(): {e}") from e


def _required_string(fn: str, name: str, value) -> str:
    if value is None:
        raise RenderError(f"The '{fn}' function expects an argument '{name}'.")
    if not isinstance(value, str):
        raise RenderError(f"The '{fn}' function expects an argument '{name}' with type string.")
    return str(value)


@function("secret", params=[Param("key", "string", REQUIRED)], returns="string", context=True)
def secret(ctx: RenderContext, key):
    """The value of a secret of the flow's namespace (masked in logs)."""
    return _service(ctx, "secret", "secret", _required_string("secret", "key", key))


@function(
    "kv",
    params=[Param("key", "string", REQUIRED), Param("namespace", "string", None), Param("errorOnMissing", "boolean", False)],
    returns="any",
    context=True,
)
def kv(ctx: RenderContext, key, namespace=None, errorOnMissing=False):
    """A value of the KV store (of the flow's namespace by default); null when missing unless
    errorOnMissing."""
    key = _required_string("kv", "key", key)
    if namespace is not None and not isinstance(namespace, str):
        raise RenderError("The 'kv' function expects an argument 'namespace' with type string.")
    if errorOnMissing is None:
        errorOnMissing = False
    if not isinstance(errorOnMissing, bool):
        raise RenderError("The 'kv' function expects an argument 'errorOnMissing' with type boolean.")
    return _service(ctx, "kv", "kv", key, namespace, errorOnMissing)


@function("read", params=[Param("path", "string", REQUIRED)], returns="string", context=True)
def read(ctx: RenderContext, path):
    """The text of a namespace file or of an internal-storage file (kestra:///...) of this execution."""
    return _service(ctx, "read", "read", _required_string("read", "path", path))


@function("fileSize", params=[Param("path", "string", REQUIRED)], returns="integer", context=True)
def file_size(ctx: RenderContext, path):
    """The size in bytes (a Long) of an internal-storage file (kestra:///...) of this execution."""
    path = _required_string("fileSize", "path", path)
    if not path.startswith("kestra:///"):
        raise RenderError(f"Unable to get the size of '{path}': it is not an internal storage URI (kestra:///...)")
    return int(_service(ctx, "fileSize", "file_size", path))


@function("errorLogs", params=(), returns="list", context=True)
def error_logs(ctx: RenderContext):
    """The ERROR logs of the current execution."""
    return list(_service(ctx, "errorLogs", "error_logs"))


@function("fileURI", params=[Param("path", "string", REQUIRED)], returns="string", context=True)
def file_uri(ctx: RenderContext, path):
    """The kestra:/// URI of a namespace file of the flow's namespace."""
    if path is None:
        raise RenderError("The 'fileURI' function expects an argument 'path' that is a path to a namespace file.")
    path = to_string(path)
    if "../" in path:
        raise RenderError("Path must not contain '../'")
    flow = ctx.variable("flow")
    namespace = flow.get("namespace") if isinstance(flow, dict) else None
    if not isinstance(namespace, str):
        raise RenderError("fileURI() needs the flow's namespace (`flow.namespace`)")
    return f"kestra:///{namespace.replace('.', '/')}/_files/{path.removeprefix('/')}"


# --------------------------------------------------------------------------- encryption


def _crypto(name: str, key, text):
    if (key is not None and not isinstance(key, str)) or (text is not None and not isinstance(text, str)):
        raise RenderError(f"The '{name}' function expects string arguments.")
    if not text:
        return text  # empty (or null) text is returned unchanged
    raise RenderError(
        f"{name}() is not supported by flowc: AES/GCM encryption needs a cryptography library, "
        "which flowc's standard-library runtime does not have"
    )


@function("encrypt", params=[Param("key", "string", REQUIRED), Param("plaintext", "string", REQUIRED)], returns="string")
def encrypt(key, plaintext):
    """AES/GCM encryption with a base64 key (only the empty text can be handled here)."""
    return _crypto("encrypt", key, plaintext)


@function("decrypt", params=[Param("key", "string", REQUIRED), Param("encrypted", "string", REQUIRED)], returns="string")
def decrypt(key, encrypted):
    """AES/GCM decryption with a base64 key (only the empty text can be handled here)."""
    return _crypto("decrypt", key, encrypted)


# --------------------------------------------------------------------------- random values

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@function("uuid", params=(), returns="string")
def uuid_():
    """A random UUID (version 4), 36 characters."""
    return str(uuid.uuid4())


@function("id", params=(), returns="string")
def id_():
    """A random Kestra-style short id: 128 random bits in base 62, 22 characters."""
    n, digits = uuid.uuid4().int, []
    for _ in range(22):
        n, d = divmod(n, 62)
        digits.append(_BASE62[d])
    return "".join(reversed(digits))


@function("randomInt", params=[Param("lower", "integer", REQUIRED), Param("upper", "integer", REQUIRED)], returns="integer")
def random_int(lower, upper):
    """A random Integer in [lower, upper); both bounds must be Integers (literals are Longs
    and are refused, as in Kestra)."""
    for name, value in (("lower", lower), ("upper", upper)):
        if value is None:
            raise RenderError(f"The 'GenerateRandomNumber' function expects an argument {name}")
        if not isinstance(value, Int32):
            raise RenderError(f"The 'GenerateRandomNumber' function expects an argument {name}with type Integer.")
    if upper < lower:
        raise RenderError("In 'GenerateRandomNumber' upper is less than lower")
    return Int32(math.floor(random.random() * (upper - lower)) + lower)


# --------------------------------------------------------------------------- i18n


@function("i18n", params=[Param("bundle", "string", REQUIRED), Param("key", "string", REQUIRED), Param("params", "any", None)], returns="string")
def i18n(bundle, key, params=None):
    """Pebble's message-bundle lookup: Kestra ships no bundles, so it always fails."""
    raise RenderError(f"Can't find bundle for base name {bundle}, locale en_US")
