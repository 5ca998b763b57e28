"""SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.

Locations are URI references: a relative path stays relative (to the directory flowc ran
in, normally the repository root) with forward slashes, an absolute path becomes a `file:`
URI; characters that may not appear in a URI are percent-encoded. Columns count Unicode
characters, as flowc's do (`columnKind`).

Each result has a `partialFingerprints` entry, `flowc/v1`, that GitHub uses to follow an
alert from one commit to the next: a hash of the rule and of the text flagged (the stripped
source line and the span's text on it), not of line numbers, so it survives lines added
above; `:N` counts identical hashes in a file, in order.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import PurePath
from urllib.parse import quote

from .. import __version__
from ..diagnostics import Diagnostic, all_rules
from . import Report, Style

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "flowc/v1"


def _uri(path: str) -> str:
    p = PurePath(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix(), safe="/")


def _fingerprint_key(d: Diagnostic, report: Report) -> str:
    source = report.sources.get(d.file)
    line = source.line(d.span.line) if source is not None and d.span else ""
    if line.strip():
        s = d.span
        end = s.end_column - 1 if s.end_line == s.line else len(line)
        flagged = line[s.column - 1 : end]
        parts = [d.code, line.strip(), flagged.strip()]
    else:  # no text to point at (an unreadable or undecodable file): the message says what
        parts = [d.code, d.message]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def render(report: Report, style: Style) -> str:
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    seen: dict[tuple[str, str], int] = {}
    for d in report.diagnostics:
        s = d.span
        region = {"startLine": s.line, "startColumn": s.column, "endLine": s.end_line, "endColumn": s.end_column} if s else {"startLine": 1}
        text = d.message + (f" (help: {d.help})" if d.help else "")
        key = _fingerprint_key(d, report)
        seen[d.file, key] = occurrence = seen.get((d.file, key), 0) + 1
        results.append({
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVELS[d.severity.value],
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(d.file)}, "region": region}}],
            "partialFingerprints": {FINGERPRINT: f"{key}:{occurrence}"},
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
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
