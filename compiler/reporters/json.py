"""The versioned JSON contract (see README: "JSON output")."""
from __future__ import annotations

import json

from . import Report, Style

VERSION = 1


def render(report: Report, style: Style) -> str:
    payload = {
        "version": VERSION,
        "files": len(report.files),
        "diagnostics": [d.to_json() for d in report.diagnostics],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
