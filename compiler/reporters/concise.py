"""One line per diagnostic: `file:line:col: CODE message`, for editors and grep."""
from __future__ import annotations

from . import Report, Style
from .full import summary


def render(report: Report, style: Style) -> str:
    lines = []
    for d in report.diagnostics:
        s = d.span
        where = f"{d.file}:{s.line}:{s.column}" if s else f"{d.file}:1:1"
        lines.append(f"{style.paint(where, 'bold')}: {style.paint(d.code, 'red' if d.severity.value == 'error' else 'yellow')} {d.message}")
    lines.append(summary(report, style))
    return "\n".join(lines) + "\n"
