"""`--statistics`: how many diagnostics of each rule, like `ruff check --statistics`.

One line per rule code: the count (right-aligned), the code, the rule's name and the
severity, most frequent first, then by code:

        12  S101  unknown-property  error
         3  S109  unknown-plugin    warning

Nothing at all when there are no diagnostics. Not a `--format`: the CLI prints it instead
of the diagnostics.
"""
from __future__ import annotations

from collections import Counter

from ..diagnostics import Diagnostic, Severity
from . import Report, Style

MIN_COUNT_WIDTH = 6
_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _severity(diagnostics: list[Diagnostic]) -> tuple[str, Severity]:
    """The severity shown for a rule: the one of all its diagnostics, or, if the
    configuration gave some of them another, each found, most severe first."""
    found = sorted({d.severity for d in diagnostics}, key=lambda s: s.rank)
    return "/".join(s.value for s in found), found[0]


def render(report: Report, style: Style) -> str:
    if not report.diagnostics:
        return ""
    counts = Counter(d.code for d in report.diagnostics)
    by_code: dict[str, list[Diagnostic]] = {}
    for d in report.diagnostics:
        by_code.setdefault(d.code, []).append(d)
    order = sorted(counts, key=lambda code: (-counts[code], code))
    count_width = max(MIN_COUNT_WIDTH, *(len(str(n)) for n in counts.values()))
    code_width = max(len(code) for code in order)
    name_width = max(len(by_code[code][0].name) for code in order)
    lines = []
    for code in order:
        name = by_code[code][0].name
        severity, worst = _severity(by_code[code])
        color = _COLORS[worst]
        lines.append(
            f"{counts[code]:>{count_width}}  {style.paint(code, color, 'bold')}{' ' * (code_width - len(code))}  "
            f"{name.ljust(name_width)}  {style.paint(severity, color)}"
        )
    return "\n".join(lines) + "\n"
