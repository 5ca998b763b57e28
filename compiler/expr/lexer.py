"""Pebble's lexer, as Kestra configures it (reference/pebble.md §1), feeding the Lark parser.

The lexer is a small state machine (text, expression, double-quoted string) because
Pebble's lexing is context-dependent in ways a regular grammar cannot express: `}}` closes
a print only outside brackets, `-` next to a delimiter trims whitespace only when followed
(or preceded) by whitespace, a double-quoted string with `#` switches to interpolation
mode, `{% verbatim %}` swallows text, and operators are tried before names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lark import Token

# operators, longest first; word operators must not be followed by a name character
_SYMBOLS = ["???", "??", "==", "!=", ">=", "<=", "..", "+", "-", "*", "/", "%", "|", "~", ">", "<"]
_WORDS = ["is not", "contains", "equals", "isIn", "and", "not", "or", "is"]  # isIn: Kestra 0.22+
_OPERATOR = re.compile(
    "|".join([re.escape(w) + r"(?![a-zA-Z0-9_])" for w in _WORDS] + [re.escape(s) for s in _SYMBOLS])
)
_NAME = re.compile(r"[^\W\d]\w*")
_LONG = re.compile(r"[0-9]+L")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_SQ_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'", re.S)
_DQ_PLAIN = re.compile(r'"((?:[^"\\#]|\\.)*)"', re.S)
_PUNCT = {"(": "LPAR", ")": "RPAR", "[": "LSQB", "]": "RSQB", "{": "LBRACE", "}": "RBRACE",
          "?": "QMARK", ":": "COLON", ".": "DOT", ",": "COMMA", "=": "ASSIGN"}
_OPEN = re.compile(r"\{\{|\{%|\{#")
_VERBATIM = re.compile(r"-?\s*verbatim\s*(-?)%\}")
_END_VERBATIM = re.compile(r"\{%(-?)\s*endverbatim\s*(-?)%\}")
# Kestra's raw blocks: matched on one line only (no DOTALL), tags with any dashes, no trimming
_RAW = re.compile(r"\{%-*\s*raw\s*-*%\}(.*?)\{%-*\s*endraw\s*-*%\}")

# `{%` and the tag name make one token, so the parser knows with one token of look-ahead
# whether a body goes on or ends (`{% elseif`, `{% endif`, ...)
TAGS = {name: "TAG_" + name.upper() for name in (
    "if", "elseif", "else", "endif", "for", "endfor", "set", "macro", "endmacro", "block", "endblock", "filter", "endfilter")}
# Pebble tags that Kestra removes
DISABLED_TAGS = {"autoescape", "cache", "embed", "extends", "flush", "from", "import", "include", "parallel"}
RAW_MARK = "\ue000raw{}\ue001"


class LexError(Exception):
    def __init__(self, message: str, offset: int, end: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.end = end if end is not None else offset + 1


@dataclass
class Lexed:
    tokens: list[Token]
    raw_blocks: list[str]  # contents of Kestra raw blocks, by placeholder index


def extract_raw(template: str) -> tuple[str, list[str], list[tuple[int, int]]]:
    """Replace each raw block by a placeholder, as Kestra does before compiling. Also
    returns, for each placeholder, (its end offset in the new text, the shift to apply to
    offsets after it), to map offsets back to the original template."""
    blocks: list[str] = []
    shifts: list[tuple[int, int]] = []
    out: list[str] = []
    last = 0
    new_length = 0
    for m in _RAW.finditer(template):
        out.append(template[last : m.start()])
        new_length += m.start() - last
        mark = RAW_MARK.format(len(blocks))
        blocks.append(m.group(1))
        out.append(mark)
        new_length += len(mark)
        shifts.append((new_length, m.end() - new_length))
        last = m.end()
    out.append(template[last:])
    return "".join(out), blocks, shifts


def _original(offset: int, shifts: list[tuple[int, int]]) -> int:
    shift = 0
    for end, delta in shifts:
        if offset >= end:
            shift = delta
    return offset + shift


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.trim_next_text = False

    # -- token helpers

    def where(self, offset: int) -> tuple[int, int]:
        import bisect

        i = bisect.bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1

    def emit(self, kind: str, value: str, start: int, end: int) -> None:
        line, column = self.where(start)
        end_line, end_column = self.where(end)
        self.tokens.append(Token(kind, value, start, line, column, end_line, end_column, end))

    # -- text level

    def run(self) -> list[Token]:
        text = self.text
        while self.pos < len(text):
            m = _OPEN.search(text, self.pos)
            end = m.start() if m else len(text)
            chunk = text[self.pos : end]
            start = self.pos
            trim_before = False
            if m:
                after = m.end()
                trim_before = after < len(text) and text[after] == "-" and after + 1 < len(text) and text[after + 1].isspace()
                if m.group() == "{#":
                    trim_before = after < len(text) and text[after] == "-" and after + 1 < len(text) and text[after + 1].isspace()
            self.text_token(chunk, start, trim_before)
            if not m:
                break
            opener = m.group()
            self.pos = m.end()
            if opener == "{#":
                self.comment(m.start())
            elif opener == "{%" and _VERBATIM.match(text, self.pos):
                self.verbatim(m.start())
            else:
                if trim_before:
                    self.pos += 1  # the '-' of the trim marker
                self.expression(opener, m.start())
        return self.tokens

    def text_token(self, chunk: str, start: int, trim_after: bool) -> None:
        if self.trim_next_text:
            stripped = chunk.lstrip()
            start += len(chunk) - len(stripped)
            chunk = stripped
            self.trim_next_text = False
        if trim_after:
            chunk = chunk.rstrip()
        if chunk:
            self.emit("TEXT", chunk, start, start + len(chunk))

    def comment(self, start: int) -> None:
        close = self.text.find("#}", self.pos)
        if close == -1:
            raise LexError("missing closing `#}` for the comment", start, start + 2)
        # `-#}` trims only when the dash is preceded by whitespace
        self.trim_next_text = close >= 2 and self.text[close - 1] == "-" and self.text[close - 2].isspace()
        self.pos = close + 2

    def verbatim(self, start: int) -> None:
        m = _VERBATIM.match(self.text, self.pos)
        if self.text[self.pos] == "-" and self.tokens and self.tokens[-1].type == "TEXT":
            last = self.tokens[-1]
            self.tokens[-1] = Token("TEXT", last.rstrip(), last.start_pos, last.line, last.column)
        body_start = m.end()
        end = _END_VERBATIM.search(self.text, body_start)
        if end is None:
            raise LexError("missing `{% endverbatim %}`", start, m.end())
        body = self.text[body_start : end.start()].lstrip()  # Pebble always left-trims it
        if end.group(1):
            body = body.rstrip()
        if body:
            offset = end.start() - len(self.text[body_start : end.start()].lstrip())
            self.emit("TEXT", body, offset, offset + len(body))
        self.trim_next_text = bool(end.group(2))
        self.pos = end.end()

    # -- expression level

    def expression(self, opener: str, start: int) -> None:
        kind_open, kind_close, closer = (
            ("PRINT_OPEN", "PRINT_CLOSE", "}}") if opener == "{{" else ("TAG_OPEN", "TAG_CLOSE", "%}")
        )
        if opener == "{{":
            self.emit(kind_open, opener, start, self.pos)
        text = self.text
        brackets: list[tuple[str, int]] = []
        first = True
        while True:
            self.skip_space()
            if self.pos >= len(text):
                if brackets:
                    c, at = brackets[-1]
                    pair = {"(": ")", "[": "]", "{": "}", "#{": "}"}[c]
                    raise LexError(f"missing closing `{pair}` for this `{c}`", at, at + len(c))
                raise LexError(f"missing closing `{closer}`", start, start + 2)
            c = text[self.pos]
            if not brackets:
                trim = text.startswith("-" + closer, self.pos)
                if trim or text.startswith(closer, self.pos):
                    end = self.pos + len(closer) + (1 if trim else 0)
                    self.emit(kind_close, closer, self.pos, end)
                    self.pos = end
                    self.trim_next_text = trim
                    return
            if opener == "{%" and first:
                m = _NAME.match(text, self.pos)
                if not m:
                    raise LexError("a tag must start with a tag name, e.g. `{% if ... %}`", self.pos)
                name = m.group()
                if name in DISABLED_TAGS:
                    raise LexError(f"the `{name}` tag is not available in Kestra", self.pos, m.end())
                if name not in TAGS and name not in ("raw", "endraw"):
                    raise LexError(f"unknown tag `{name}`", self.pos, m.end())
                if name in ("raw", "endraw"):
                    raise LexError("a `{% raw %}` block must open and close on one line (Kestra does not match it across lines)", self.pos, m.end())
                self.emit(TAGS[name], name, start, m.end())
                self.pos = m.end()
                first = False
                continue
            first = False
            m = _OPERATOR.match(text, self.pos)
            if m:
                op = m.group()
                kind = {"|": "PIPE", "is": "IS", "is not": "ISNOT", "not": "NOT", "-": "MINUS", "+": "PLUS"}.get(op, "BINOP")
                self.emit(kind, op, self.pos, m.end())
                self.pos = m.end()
                continue
            m = _NAME.match(text, self.pos)
            if m:
                self.emit("NAME", m.group(), self.pos, m.end())
                self.pos = m.end()
                continue
            m = _LONG.match(text, self.pos)
            if m:
                self.emit("LONG", m.group(), self.pos, m.end())
                self.pos = m.end()
                continue
            m = _NUMBER.match(text, self.pos)
            if m:
                self.emit("NUMBER", m.group(), self.pos, m.end())
                self.pos = m.end()
                continue
            if c in _PUNCT:
                if c in "([{":
                    brackets.append((c, self.pos))
                elif c in ")]}":
                    if brackets and brackets[-1][0] == "#{" and c == "}":
                        brackets.pop()
                        self.emit("INTERP_CLOSE", c, self.pos, self.pos + 1)
                        self.pos += 1
                        self.string_body(start)
                        continue
                    expected = {")": "(", "]": "[", "}": "{"}[c]
                    if not brackets or brackets[-1][0] != expected:
                        if brackets:
                            opened, at = brackets[-1]
                            raise LexError(f"unexpected `{c}`: the `{opened}` here is not closed", at, at + len(opened))
                        if c == "}" and opener == "{{":
                            raise LexError("a single `}` cannot close the expression: write `}}`", self.pos)
                        raise LexError(f"unexpected `{c}` with no opening `{expected}`", self.pos)
                    brackets.pop()
                self.emit(_PUNCT[c], c, self.pos, self.pos + 1)
                self.pos += 1
                continue
            if c == "'":
                m = _SQ_STRING.match(text, self.pos)
                if not m:
                    raise LexError("unclosed string: missing `'`", self.pos)
                self.emit("STRING", m.group(1).replace("\\'", "'"), self.pos, m.end())
                self.pos = m.end()
                continue
            if c == '"':
                m = _DQ_PLAIN.match(text, self.pos)
                if m:
                    self.emit("STRING", m.group(1).replace('\\"', '"'), self.pos, m.end())
                    self.pos = m.end()
                    continue
                self.emit("DQ_OPEN", '"', self.pos, self.pos + 1)
                self.pos += 1
                if self.string_body(start):
                    brackets.append(("#{", self.pos - 2))
                continue
            raise LexError(f"unexpected character `{c}`", self.pos)

    def string_body(self, start: int) -> bool:
        """Lex the literal parts of an interpolating string; True when stopped at `#{`."""
        text = self.text
        begin = self.pos
        i = self.pos
        while i < len(text):
            c = text[i]
            if c == "\\" and i + 1 < len(text):
                i += 2
                continue
            if c == '"':
                if i > begin:
                    self.emit("STR_PART", text[begin:i], begin, i)
                self.emit("DQ_CLOSE", '"', i, i + 1)
                self.pos = i + 1
                return False
            if c == "#" and text.startswith("#{", i):
                if i > begin:
                    self.emit("STR_PART", text[begin:i], begin, i)
                self.emit("INTERP_OPEN", "#{", i, i + 2)
                self.pos = i + 2
                return True
            i += 1
        raise LexError('unclosed string: missing `"`', begin - 1)

    def skip_space(self) -> None:
        text = self.text
        while self.pos < len(text) and text[self.pos].isspace():
            self.pos += 1


def lex(template: str) -> Lexed:
    """Tokens of a template; raises LexError with the offset of the problem. Offsets are in
    `template`, raw blocks included."""
    text, blocks, shifts = extract_raw(template)
    try:
        tokens = _Lexer(text).run()
    except LexError as e:
        if shifts:
            e.offset, e.end = _original(e.offset, shifts), _original(e.end, shifts)
        raise
    if shifts:
        for tok in tokens:
            tok.start_pos = _original(tok.start_pos, shifts)
            tok.end_pos = _original(tok.end_pos, shifts)
    return Lexed(tokens, blocks)
