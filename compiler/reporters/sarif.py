"""SARIF 2.1.0, for GitHub code scanning and other SARIF consumers."""
from __future__ import annotations

import json
from pathlib import PurePath

from .. import __version__
from ..diagnostics import all_rules
from . import Report, Style

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    return PurePath(path).as_posix()


def render(report: Report, style: Style) -> str:
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d in report.diagnostics:
        s = d.span
        region = {"startLine": s.line, "startColumn": s.column, "endLine": s.end_line, "endColumn": s.end_column} if s else {"startLine": 1}
        text = d.message + (f" (help: {d.help})" if d.help else "")
        results.append({
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVELS[d.severity.value],
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(d.file)}, "region": region}}],
        })
    driver = {
        "name": "flowc",
        "version": __version__,
        "rules": [
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": _LEVELS[r.severity.value]},
                "properties": {"tags": [r.family]},
            }
            for r in rules
        ],
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
