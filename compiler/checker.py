"""Run the checking pipeline on files: source -> schema (model) -> structure rules.

`check_file` never raises for bad input: everything wrong with a file is a diagnostic.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import source as source_stage
from .diagnostics import Diagnostic, Reporter
from .model import Flow
from .registry import Registry, default_registry
from .schema import check_document


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    source: source_stage.SourceFile | None = None


def check_source(src: source_stage.SourceFile, reporter: Reporter, registry: Registry) -> list[Flow]:
    from .analysis import analyze
    from .expressions import check_flow as check_expressions
    from .rules import run_checks

    flows = []
    for document in src.documents:
        flow = check_document(src, document, registry, reporter)
        if flow is not None:
            run_checks(flow, reporter)
            check_expressions(flow, reporter)
            analyze(flow, registry, reporter)
            flows.append(flow)
    return flows


def _finish(display: str, src: source_stage.SourceFile, reporter: Reporter, registry: Registry | None) -> FileResult:
    flows = check_source(src, reporter, registry or default_registry())
    return FileResult(display, sorted(reporter.diagnostics, key=Diagnostic.sort_key), flows, src)


def check_file(path: str | Path, display: str | None = None, registry: Registry | None = None) -> FileResult:
    display = display or str(path)
    reporter = Reporter(display)
    return _finish(display, source_stage.read_file(path, reporter, display), reporter, registry)


def check_bytes(data: bytes, display: str = "<stdin>", registry: Registry | None = None) -> FileResult:
    reporter = Reporter(display)
    return _finish(display, source_stage.parse_bytes(data, reporter, display), reporter, registry)


def check_text(text: str, display: str = "<string>", registry: Registry | None = None) -> FileResult:
    reporter = Reporter(display)
    return _finish(display, source_stage.parse_text(text, reporter, display), reporter, registry)
