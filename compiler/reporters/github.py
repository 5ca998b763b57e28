"""GitHub Actions workflow commands: each diagnostic becomes an annotation on the file.

`::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=T::MESSAGE` (`::warning`, and
`::notice` for infos), as GitHub documents them: property values escape `%`, CR, LF, `:`
and `,`; the message escapes `%`, CR and LF. GitHub takes columns only for a span on one
line, so a span over several lines gives lines alone.
"""
from __future__ import annotations

from . import Report, Style

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, style: Style) -> str:
    lines = []
    for d in report.diagnostics:
        s = d.span
        props = [f"file={_property(d.file)}"]
        if s and s.end_line == s.line:
            props += [f"line={s.line}", f"col={s.column}", f"endLine={s.end_line}", f"endColumn={s.end_column}"]
        elif s:
            props += [f"line={s.line}", f"endLine={s.end_line}"]
        props.append(f"title={_property(f'{d.code} {d.name}')}")
        message = d.message + (f"\n{d.help}" if d.help else "")
        lines.append(f"::{_LEVELS[d.severity.value]} {','.join(props)}::{_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
