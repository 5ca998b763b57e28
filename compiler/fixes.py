"""Apply the safe fixes of diagnostics to a file's text, changing nothing else.

A fix replaces the text of a span. Each is applied to the text as written, so comments,
quoting, indentation and line endings stay byte for byte; then the file is read again and
the fix kept only if the YAML still has the same shape and the one changed scalar (value
or key) reads as intended. Inside a single- or double-quoted scalar a replacement holding
a quote is escaped the way that style escapes it; if no form is safe, the fix is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from .diagnostics import Diagnostic, Span

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class Outcome:
    text: str
    applied: list[Diagnostic]
    skipped: list[Diagnostic]


def apply(text: str, diagnostics: list[Diagnostic]) -> Outcome:
    """`text` with the fixes of `diagnostics` applied (overlapping ones: the first wins)."""
    starts = _line_starts(text)
    located = [(_offsets(starts, len(text), d.fix.span), d) for d in diagnostics if d.fix is not None]
    applied, skipped = [], [d for offsets, d in located if offsets is None]
    chosen, end_of_last = [], -1
    for offsets, d in sorted(((o, d) for o, d in located if o is not None), key=lambda pair: pair[0]):
        if offsets[0] < end_of_last:
            skipped.append(d)
        else:
            chosen.append((d, offsets))
            end_of_last = offsets[1]
    try:
        shape = _shape(text)
    except yaml.YAMLError:
        return Outcome(text, [], skipped + [d for d, _ in chosen])
    # apply from the end, so the offsets of the earlier fixes stay right
    for d, (start, end) in reversed(chosen):
        done = _apply_one(text, shape, start, end, d.fix.replacement)
        if done is None:
            skipped.append(d)
        else:
            text, shape = done
            applied.append(d)
    applied.reverse()
    return Outcome(text, applied, skipped)


def _apply_one(text: str, before: list, start: int, end: int, replacement: str) -> tuple[str, list] | None:
    """The text with one fix, and its shape; None if no spelling of the fix is safe."""
    old = text[start:end]
    candidates = [replacement]
    if len(old) >= 2 and old[0] == old[-1] and old[0] in "'\"" and replacement[:1] != old[0]:
        candidates.insert(0, old[0] + replacement + old[0])  # a whole quoted scalar: keep its quotes
    candidates += [replacement.replace("'", "''"), replacement.replace("\\", "\\\\").replace('"', '\\"')]
    for candidate in dict.fromkeys(candidates):
        fixed = text[:start] + candidate + text[end:]
        try:
            after = _shape(fixed)
        except yaml.YAMLError:
            continue
        if _one_scalar_changed(before, after, old.strip("'\""), replacement):
            return fixed, after
    return None


def _shape(text: str) -> list:
    """Each document as nested tuples of (tag, value): what a fix must leave alone."""
    return [_node(n) for n in yaml.compose_all(text, Loader=_Loader)]


def _node(node):
    if isinstance(node, yaml.ScalarNode):
        return ("s", node.value)
    if isinstance(node, yaml.SequenceNode):
        return ("l", [_node(n) for n in node.value])
    if node is None:
        return None
    return ("m", [(_node(k), _node(v)) for k, v in node.value])


def _one_scalar_changed(before, after, old: str, new: str) -> bool:
    changed = []

    def walk(a, b) -> bool:
        if type(a) is not type(b):
            return False
        if isinstance(a, list):
            return len(a) == len(b) and all(walk(x, y) for x, y in zip(a, b))
        if isinstance(a, tuple) and len(a) == 2 and a[0] in ("s", "l", "m"):
            if a[0] != b[0]:
                return False
            if a[0] == "s":
                if a[1] != b[1]:
                    changed.append((a[1], b[1]))
                return True
            return walk(a[1], b[1])
        if isinstance(a, tuple):
            return len(a) == len(b) and all(walk(x, y) for x, y in zip(a, b))
        return a == b

    if not walk(before, after) or len(changed) != 1:
        return False
    was, now = changed[0]
    return any(was[:i] + new + was[i + len(old):] == now for i in _occurrences(was, old))


def _occurrences(text: str, part: str):
    i = text.find(part)
    while i != -1:
        yield i
        i = text.find(part, i + 1)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def _offsets(starts: list[int], size: int, span: Span) -> tuple[int, int] | None:
    """Character offsets of a span (1-based lines and columns, end exclusive)."""
    if not (0 < span.line <= len(starts) and 0 < span.end_line <= len(starts)):
        return None
    start = starts[span.line - 1] + span.column - 1
    end = starts[span.end_line - 1] + span.end_column - 1
    return (start, end) if 0 <= start <= end <= size else None

