"""The YAML text of a value, as Kestra's `yaml` filter produces it: Jackson's YAML writer
(minimal quoting) driving the part of SnakeYAML's emitter its settings use, re-created
scalar analysis and all so that quoting and block styles match. Entry point: `to_yaml`.
"""
from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from .java import _duration_seconds, _entries, iso_text
from .printing import java_number
from .values import MapEntry


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
    text = iso_text(v) if isinstance(v, (date, time)) else str(v)
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


def to_yaml(value) -> str:
    """The YAML document Kestra writes for `value`; null gives `null`."""
    return "null" if value is None else _YamlEmitter().dump(value)
