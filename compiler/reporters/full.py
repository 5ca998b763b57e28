"""The default format: each diagnostic with its source line, a caret under the exact span,
and the fix, like rustc, ruff or actionlint."""
from __future__ import annotations

import unicodedata

from ..diagnostics import Severity
from . import Report, Style

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render(report: Report, style: Style) -> str:
    out: list[str] = []
    for d in report.diagnostics:
        color = _COLORS[d.severity]
        head = style.paint(f"{d.severity.value}[{d.code}]", color, "bold")
        out.append(f"{head}: {style.paint(d.message, 'bold')}")
        span = d.span
        where = f"{d.file}:{span.line}:{span.column}" if span else d.file
        source = report.sources.get(d.file)
        line_text = source.line(span.line) if (source is not None and span) else ""
        gutter = " " * len(str(span.line)) if span else " "
        out.append(f"{gutter}{style.paint('-->', 'blue')} {where}")
        if span and line_text:
            text = line_text.expandtabs(4) if "\t" not in line_text else line_text.replace("\t", "    ")
            prefix = line_text[: span.column - 1].replace("\t", "    ")
            if span.end_line == span.line:
                marked = line_text[span.column - 1 : max(span.end_column - 1, span.column)]
            else:
                marked = line_text[span.column - 1 :]
            marked = marked.replace("\t", "    ").rstrip() or " "
            bar = style.paint("|", "blue")
            out.append(f"{gutter} {bar}")
            out.append(f"{style.paint(str(span.line), 'blue')} {bar} {text}")
            carets = "^" * max(1, _width(marked))
            out.append(f"{gutter} {bar} {' ' * _width(prefix)}{style.paint(carets + ' ' + d.name, color)}")
            out.append(f"{gutter} {bar}")
        if d.help:
            out.append(f"{gutter} {style.paint('=', 'blue')} {style.paint('help', 'bold')}: {d.help}")
        out.append("")
    out.append(summary(report, style))
    return "\n".join(out) + "\n"


def summary(report: Report, style: Style) -> str:
    errors, warnings, infos = (report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    files = len(report.files)
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not report.diagnostics:
        return style.paint(f"All checks passed ({checked}).", "green", "bold")
    parts = []
    for count, word in ((errors, "error"), (warnings, "warning"), (infos, "info")):
        if count:
            parts.append(f"{count} {word}{'s' if count != 1 and word != 'info' else ''}")
    with_problems = len({d.file for d in report.diagnostics})
    text = f"Found {', '.join(parts)} in {with_problems} file{'s' if with_problems != 1 else ''} ({checked})."
    return style.paint(text, "red" if errors else "yellow", "bold")
