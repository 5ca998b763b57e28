"""Map each character of a parsed YAML string back to its line and column in the file.

Expressions are checked on the parsed value of a scalar, but their errors must point at
what the user wrote. Every style has its own unescaping and folding rules, so we scan the
scalar's source again with the rules libyaml follows, and record for each character we
produce the source character that produced it.

Two things cannot be seen from the scalar's own text, and the parsed value settles them:

- where a plain scalar ends (`: `, ` #`, flow indicators, a less indented line): we stop
  once we have produced as many characters as the value has;
- the indentation of a block scalar whose content is less indented than its parent
  (auto-detection) or that has an indentation indicator (`|2`, relative to the enclosing
  collection): we try each possible parent indentation and keep the one that reproduces
  the value.

Positions are 1-based (line, column), columns counted in characters, lines split as
libyaml splits them (CRLF, CR, LF, NEL, LS, PS), so that they agree with its marks.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Iterable, Iterator

# (value character, offset of its source character, offset just after its source)
_Char = tuple[str, int, int]

_BREAK_CHARS = "\r\n\x85\u2028\u2029"
_BLANKS = " \t"
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# Double-quoted escapes with a single-character code (YAML 1.1 and `\/` as libyaml reads them).
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
    "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def value_positions(
    text: str, start_line: int, start_column: int, style: str | None, value: str
) -> list[tuple[int, int]]:
    """For a YAML scalar whose source starts at (start_line, start_column) (1-based, the
    position of its first character: the opening quote for quoted styles, the `|`/`>`
    indicator for block styles, the first character for plain scalars) in the file `text`,
    return for each index i of `value` (the parsed string, as PyYAML/libyaml produce it)
    the (line, column) in the file of the source character that produced value[i], plus
    one extra entry for len(value) (the position just after the last character). style is
    None (plain), "'", '"', "|" or ">".

    A character made of several source characters (an escape, `''`) maps to the first
    one; a character with no source character (the space or newline of a folded line
    break) maps to the line break it replaces. A start that points at the node's tag or
    anchor (as libyaml's event marks do) is accepted too.
    """
    starts = _line_starts(text)
    start = _skip_properties(text, _to_offset(starts, start_line, start_column, len(text)))
    if style in ("|", ">"):
        chars, empty_end = _block_chars(text, start, style == ">", value)
    else:
        if style in ("'", '"'):
            empty_end = min(start + 1, len(text))  # an empty quoted string: after the opening quote
            stream = _quoted(text, start, double=style == '"')
        else:
            empty_end = start
            stream = _plain(text, start)
        # The value decides where the scalar ends: take exactly as many characters.
        chars = _take(stream, len(value))

    offsets = [offset for _, offset, _ in chars]
    end = chars[-1][2] if chars else empty_end
    # Only reached if the source does not match the value (a wrong start, say): never fail,
    # point the characters we could not find at the end of what we did find.
    offsets += [end] * (len(value) - len(offsets))
    offsets.append(end)
    return [_to_position(starts, offset) for offset in offsets]


def offset_to_position(positions: list[tuple[int, int]], index: int) -> tuple[int, int]:
    """The position of value[index] from `value_positions`, with index clamped into range
    (a negative index is the first character, one past the end is the end position)."""
    if not positions:
        return (1, 1)
    return positions[min(max(index, 0), len(positions) - 1)]


# --------------------------------------------------------------------------- offsets


@lru_cache(maxsize=8)
def _line_starts(text: str) -> tuple[int, ...]:
    """Offsets where each line starts; cached because a file has many expressions."""
    # libyaml drops a leading byte order mark and counts columns after it.
    first = 1 if text.startswith("\ufeff") else 0
    return (first, *(m.end() for m in _LINE_BREAK.finditer(text)))


def _to_offset(starts: tuple[int, ...], line: int, column: int, size: int) -> int:
    line = min(max(line, 1), len(starts))
    return min(max(starts[line - 1] + column - 1, 0), size)


def _to_position(starts: tuple[int, ...], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(starts, offset) - 1
    if line < 0:  # inside a byte order mark
        return (1, 1)
    return (line + 1, offset - starts[line] + 1)


def _break_length(text: str, i: int) -> int:
    """Length of the line break at text[i] (2 for CRLF), 0 if there is none."""
    if i >= len(text) or text[i] not in _BREAK_CHARS:
        return 0
    return 2 if text.startswith("\r\n", i) else 1


def _break_value(text: str, i: int) -> str:
    """What a line break reads as: LS and PS stay themselves, the others become LF."""
    return text[i] if text[i] in "\u2028\u2029" else "\n"


def _take(stream: Iterable[_Char], count: int) -> list[_Char]:
    out: list[_Char] = []
    if count:
        for char in stream:
            out.append(char)
            if len(out) == count:
                break
    return out


def _skip_properties(text: str, i: int) -> int:
    """Skip a tag and/or anchor (`!!str &a`) and the space after them: libyaml starts a
    node's marks at its properties, while the scalar proper starts after them."""
    n = len(text)
    while i < n and text[i] in "!&":
        if text.startswith("!<", i):  # verbatim tag, may hold anything up to `>`
            close = text.find(">", i)
            i = n if close < 0 else close + 1
        while i < n and text[i] not in _BLANKS + _BREAK_CHARS + ",[]{}":
            i += 1
        # the separation: spaces, comments and line breaks
        while i < n:
            if text[i] in _BLANKS:
                i += 1
            elif text[i] == "#":
                while i < n and text[i] not in _BREAK_CHARS:
                    i += 1
            elif text[i] in _BREAK_CHARS:
                i += _break_length(text, i)
            else:
                break
    return i


# --------------------------------------------------------------------------- folding


def _skip_empty_lines(text: str, i: int) -> tuple[int, list[int]]:
    """From the start of a line, skip its leading blanks and any lines holding only blanks.
    Returns the offset of the first other character and the offsets of the skipped breaks."""
    breaks: list[int] = []
    n = len(text)
    while True:
        while i < n and text[i] in _BLANKS:
            i += 1
        length = _break_length(text, i)
        if not length:
            return i, breaks
        breaks.append(i)
        i += length


def _fold(text: str, first: int | None, empty: list[int]) -> Iterator[_Char]:
    """The characters a line break (at `first`, None after an escaped break) followed by
    empty lines (their breaks at `empty`) reads as in a flow or plain scalar: a lone LF
    becomes a space, an LF followed by empty lines is dropped and each empty line gives
    its own break."""
    if first is not None:
        after = first + _break_length(text, first)
        if _break_value(text, first) != "\n":
            yield text[first], first, after
        elif not empty:
            yield " ", first, after
    for b in empty:
        yield _break_value(text, b), b, b + _break_length(text, b)


# --------------------------------------------------------------------------- plain


def _plain(text: str, i: int) -> Iterator[_Char]:
    """The characters of a plain scalar from its first one on, without knowing where it
    ends: the caller stops after as many as the value has. Spaces inside a line are kept
    when text follows on the line; trailing spaces, indentation and line breaks fold."""
    n = len(text)
    while i < n:
        c = text[i]
        if c not in _BLANKS and c not in _BREAK_CHARS:
            yield c, i, i + 1
            i += 1
            continue
        blanks = i
        while i < n and text[i] in _BLANKS:
            i += 1
        if i < n and text[i] not in _BREAK_CHARS:
            for j in range(blanks, i):  # spaces between words
                yield text[j], j, j + 1
            continue
        if i >= n:
            return
        first = i
        i, empty = _skip_empty_lines(text, i + _break_length(text, i))
        if i >= n:
            return
        yield from _fold(text, first, empty)


# --------------------------------------------------------------------------- quoted


def _quoted(text: str, i: int, double: bool) -> Iterator[_Char]:
    """The characters of a quoted scalar whose opening quote is at text[i]."""
    quote = '"' if double else "'"
    n = len(text)
    i += 1
    while i < n:
        c = text[i]
        if c == quote:
            if not double and text.startswith("''", i):
                yield "'", i, i + 2
                i += 2
                continue
            return
        if double and c == "\\" and i + 1 < n:
            length = _break_length(text, i + 1)
            if length:
                # An escaped line break joins the lines with nothing in between; the
                # following indentation is dropped and empty lines still give breaks.
                i, empty = _skip_empty_lines(text, i + 1 + length)
                yield from _fold(text, None, empty)
                continue
            char, length = _escape(text, i)
            yield char, i, i + length
            i += length
            continue
        if c in _BLANKS or c in _BREAK_CHARS:
            blanks = i
            while i < n and text[i] in _BLANKS:
                i += 1
            if i < n and text[i] in _BREAK_CHARS:
                # Spaces before a line break are dropped, the break folds.
                first = i
                i, empty = _skip_empty_lines(text, i + _break_length(text, i))
                yield from _fold(text, first, empty)
            else:
                for j in range(blanks, i):
                    yield text[j], j, j + 1
            continue
        yield c, i, i + 1
        i += 1


def _escape(text: str, i: int) -> tuple[str, int]:
    """The character a double-quoted escape at text[i] (the backslash) stands for, and the
    number of source characters it takes."""
    code = text[i + 1]
    if code in _ESCAPES:
        return _ESCAPES[code], 2
    digits = _HEX_ESCAPES.get(code)
    if digits:
        hex_digits = text[i + 2 : i + 2 + digits]
        try:
            return chr(int(hex_digits, 16)), 2 + digits
        except ValueError:  # libyaml refuses this string; stay in step anyway
            pass
    return code, 2


# --------------------------------------------------------------------------- block


def _block_chars(text: str, start: int, folded: bool, value: str) -> tuple[list[_Char], int]:
    """The characters of a `|` or `>` scalar whose indicator is at text[start], and the
    offset just after its header (the end position of an empty value)."""
    header_end, i, chomping, increment = _block_header(text, start)
    i += _break_length(text, i)
    column = _to_position(_line_starts(text), start)[1] - 1
    # The parent's indentation is below or at the indicator's column, or -1 at top level.
    if increment:
        candidates = [increment + parent for parent in range(0, column + 1)]
    else:
        candidates = [-(parent + 1) for parent in range(0, column + 1)]  # negative: auto, with floor
    best: list[_Char] = []
    best_score = -1
    for candidate in dict.fromkeys(candidates):
        chars = _block_body(text, i, candidate, folded, chomping)
        produced = "".join(c for c, _, _ in chars)
        if produced == value:
            return chars, header_end
        score = _common_prefix(produced, value)
        if score > best_score:
            best, best_score = chars, score
    return best[: len(value)], header_end


def _common_prefix(a: str, b: str) -> int:
    k = 0
    for x, y in zip(a, b):
        if x != y:
            break
        k += 1
    return k


def _block_header(text: str, i: int) -> tuple[int, int, str, int]:
    """Read `|` or `>`, its chomping (`-`, `+`) and indentation (1-9) indicators in either
    order, and skip trailing spaces and a comment. Returns the offsets just after the
    indicators and of the line break ending the header, the chomping and the indentation
    increment (0 when absent)."""
    n = len(text)
    i = min(i + 1, n)
    chomping, increment = "", 0
    for _ in range(2):
        if i < n and text[i] in "+-" and not chomping:
            chomping = text[i]
        elif i < n and text[i] in "123456789" and not increment:
            increment = int(text[i])
        else:
            break
        i += 1
    indicators_end = i
    while i < n and text[i] in _BLANKS:
        i += 1
    if i < n and text[i] == "#":
        while i < n and text[i] not in _BREAK_CHARS:
            i += 1
    return indicators_end, i, chomping, increment


def _block_body(text: str, i: int, indent: int, folded: bool, chomping: str) -> list[_Char]:
    """The characters of a block scalar's content starting at text[i] (a line start).
    `indent` > 0 is the content's indentation; `indent` < 0 asks to detect it from the
    first non-empty line, at least -indent (the parent's indentation + 1)."""
    out: list[_Char] = []
    n = len(text)

    def emit_break(b: int, as_space: bool = False) -> None:
        out.append((" " if as_space else _break_value(text, b), b, b + _break_length(text, b)))

    def empty_lines(i: int, indent: int) -> tuple[int, int, int, list[int]]:
        # Skip the indentation of lines up to `indent` spaces and lines that hold nothing
        # more; with indent <= 0 the widest such indentation becomes the indentation.
        widest, breaks = 0, []
        while True:
            column = 0
            while i < n and text[i] == " " and (indent <= 0 or column < indent):
                i += 1
                column += 1
            widest = max(widest, column)
            length = _break_length(text, i)
            if not length:
                break
            breaks.append(i)
            i += length
        if indent <= 0:
            indent = max(widest, -indent, 1)
        return i, column, indent, breaks

    i, column, indent, trailing = empty_lines(i, indent)
    leading: int | None = None  # the break ending the previous content line
    leading_blank = False  # the previous content line started with a blank
    while column == indent and i < n:
        blank = text[i] in _BLANKS
        if leading is not None:
            # Folding joins two lines with a space unless either starts with a blank
            # (more indented lines keep their breaks) or empty lines lie in between.
            if folded and _break_value(text, leading) == "\n" and not leading_blank and not blank:
                if not trailing:
                    emit_break(leading, as_space=True)
            else:
                emit_break(leading)
        for b in trailing:
            emit_break(b)
        leading_blank = blank
        while i < n and text[i] not in _BREAK_CHARS:
            out.append((text[i], i, i + 1))
            i += 1
        if i >= n:
            leading, trailing = None, []
            break
        leading = i
        i, column, indent, trailing = empty_lines(i + _break_length(text, i), indent)
    # Chomping: clip keeps the last line break, keep also the empty lines, strip neither.
    if chomping != "-" and leading is not None:
        emit_break(leading)
    if chomping == "+":
        for b in trailing:
            emit_break(b)
    return out
