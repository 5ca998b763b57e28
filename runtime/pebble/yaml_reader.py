"""A YAML reader for Kestra's `yaml()` function: the standard library only, typed as
Jackson's YAML parser types values (SnakeYAML's YAML 1.1 resolver: `yes` is true, dates stay
strings); anchors, aliases, tags and complex keys are refused."""
from __future__ import annotations

import math
import re

from .errors import RenderError
from .values import boxed_int, join_surrogates

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
HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
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
    return boxed_int(sign * n)


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
                return join_surrogates("".join(out))
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
        if code in HEX_ESCAPES:
            digits = line[self.col + 2:self.col + 2 + HEX_ESCAPES[code]]
            if len(digits) == HEX_ESCAPES[code] and all(c in "0123456789abcdefABCDEF" for c in digits):
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
