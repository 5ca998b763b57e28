"""Suppression comments: `# flowc: ignore[CODE, ...] reason` and `# flowc: ignore-file[CODE]`.

`ignore` at the end of a line hides the diagnostics that start on that line; on a line of its
own, those of the next line that holds YAML. `ignore-file` hides them in the whole file.
Codes may be rule codes (S101) or names (unknown-property); without brackets, every rule.
Applied after every stage, cross-flow included, so a suppression that hides nothing is
known, and reported (Y010), unless the file could not be fully read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .diagnostics import Diagnostic, Reporter, Severity, Span, find_rule
from .rules import yaml as Y
from .source import SourceFile

_DIRECTIVE = re.compile(r"\s*flowc\s*:\s*(?P<rest>.*)")
_IGNORE = re.compile(r"(?P<kind>ignore-file|ignore)\b(?:\s*\[(?P<codes>[^\]]*)\])?")


@dataclass(frozen=True, slots=True)
class Directive:
    """One suppression comment: plain data, kept in the cache with the file's result."""

    span: Span  # the comment
    line: int | None  # the line it covers; None: the whole file
    codes: tuple[tuple[str, str], ...] | None  # (rule code, as written); None: every rule


@dataclass(frozen=True)
class Directives:
    """The suppression comments of a file, and what is wrong with the malformed ones (Y010)."""

    found: tuple[Directive, ...]
    problems: tuple[Diagnostic, ...]


def read(src: SourceFile, display: str) -> Directives | None:
    """The suppressions of a file; None when it has none."""
    if "flowc" not in src.text:
        return None
    reporter = Reporter(display)
    found = find(src, reporter)
    return Directives(tuple(found), tuple(reporter.diagnostics))


def find(src: SourceFile, reporter: Reporter) -> list[Directive]:
    """The suppressions of a file; malformed ones and unknown codes go to `reporter`."""
    found = []
    for comment in src.comments:
        m = _DIRECTIVE.match(comment.text)
        if not m:
            continue
        span = Span(comment.line, comment.column, comment.line, comment.column + 1 + len(comment.text.rstrip()))
        ignore = _IGNORE.match(m["rest"])
        if not ignore:
            word = m["rest"].split()[0] if m["rest"].split() else ""
            reporter.report(Y.UNUSED_SUPPRESSION, f"`# flowc: {word}` is not a flowc comment", span,
                            help="write `# flowc: ignore[CODE] reason` or `# flowc: ignore-file[CODE] reason`")
            continue
        codes = None
        if ignore["codes"] is not None:
            codes = {}
            for written in filter(None, (c.strip() for c in ignore["codes"].split(","))):
                rule = find_rule(written)
                if rule is None:
                    reporter.report(Y.UNUSED_SUPPRESSION, f"`{written}` in this suppression is not a rule", span,
                                    help="`flowc rules` lists the codes and names")
                else:
                    codes[rule.code] = written
        line = None if ignore["kind"] == "ignore-file" else _covered_line(src, comment.line, comment.column)
        found.append(Directive(span, line, tuple(codes.items()) if codes is not None else None))
    return found


def _covered_line(src: SourceFile, line: int, column: int) -> int:
    if src.line(line)[: column - 1].strip():
        return line  # at the end of a line: that line
    for number in range(line + 1, len(src.lines) + 1):  # on its own: the next line of YAML
        text = src.line(number).strip()
        if text and not text.startswith("#"):
            return number
    return line


def apply(diagnostics: list[Diagnostic], directives: Directives | None, display: str, complete: bool) -> list[Diagnostic]:
    """`diagnostics` without the suppressed ones, plus the problems of the suppression
    comments and Y010 for suppressions that hide nothing (only when `complete`: every stage
    ran on the whole file)."""
    if directives is None:
        return diagnostics
    found = directives.found
    used: list[set[str]] = [set() for _ in found]
    kept = []
    for diagnostic in diagnostics:
        line = diagnostic.span.line if diagnostic.span is not None else None
        hidden = False
        for s, hid in zip(found, used):
            if (s.line is None or s.line == line) and (s.codes is None or any(diagnostic.code == c for c, _ in s.codes)):
                hid.add(diagnostic.code)
                hidden = True
        if not hidden:
            kept.append(diagnostic)
    reporter = Reporter(display)
    if complete:
        for s, hid in zip(found, used):
            if s.codes is None and not hid:
                reporter.report(Y.UNUSED_SUPPRESSION, "this suppression hides nothing", s.span,
                                help="remove it", severity=Severity.WARNING)
            for code, written in s.codes or ():
                if code not in hid:
                    where = "in this file" if s.line is None else "on this line"
                    reporter.report(Y.UNUSED_SUPPRESSION, f"`{written}` is not reported {where}", s.span,
                                    help=f"remove `{written}` from the suppression")
    return sorted(kept + list(directives.problems) + reporter.diagnostics, key=Diagnostic.sort_key)
