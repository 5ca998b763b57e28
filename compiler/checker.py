"""Run the checking pipeline on files: source -> schema (model) -> structure rules, then
the cross-flow pass over all the flows checked together.

`check_file` never raises for bad input: everything wrong with a file is a diagnostic. It
checks one file of a project: `check_project` then compares the flows of all the files (as
`flowc check` does), from the plain facts each result keeps (`FileResult.facts`,
`FileResult.directives`): a result read from the cache or made in another process, without
its flow models, takes part like any other. `check_bytes` and `check_text` check a
standalone text, whose own flows (documents separated by `---`) make the project, unless
`project=False` (the caller then runs `check_project`, which also applies the suppression
comments).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import source as source_stage
from .diagnostics import Diagnostic, Reporter
from .model import Flow
from .registry import Registry, default_registry
from .settings import DEFAULT, Settings

if TYPE_CHECKING:
    from .crossflow import FlowFacts
    from .suppressions import Directives


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)  # empty when read from the cache or made in another process
    source: source_stage.SourceFile | None = None  # without its documents then: its text, for the reporters
    facts: list[FlowFacts] = field(default_factory=list)  # what the cross-flow pass needs of each flow
    directives: Directives | None = None  # the suppression comments
    complete: bool = False  # every stage saw the whole file: unused suppressions are known


def check_source(src: source_stage.SourceFile, reporter: Reporter, registry: Registry, settings: Settings = DEFAULT) -> list[Flow]:
    from .analysis import analyze
    from .expressions import check_flow as check_expressions
    from .rules import run_checks
    from .schema import check_document

    flows = []
    for document in src.documents:
        flow = check_document(src, document, registry, reporter, settings)
        if flow is not None:
            run_checks(flow, reporter)
            check_expressions(flow, reporter)
            analyze(flow, registry, reporter)
            flows.append(flow)
    return flows


def _finish(display: str, src: source_stage.SourceFile, reporter: Reporter, registry: Registry | None,
            settings: Settings = DEFAULT) -> FileResult:
    from .crossflow import summarize
    from .suppressions import read

    flows = check_source(src, reporter, registry or default_registry(), settings)
    diagnostics = sorted(reporter.diagnostics, key=Diagnostic.sort_key)
    # unused suppressions are known only if every stage saw the whole file
    complete = len(flows) == len(src.documents) and not any(d.code.startswith("Y") for d in diagnostics)
    return FileResult(display, diagnostics, flows, src, [summarize(flow) for flow in flows], read(src, display), complete)


def check_project(results: list[FileResult], ignores: bool = True) -> list[FileResult]:
    """Run the cross-flow pass over the flows of all `results`, whatever their order, and
    merge its diagnostics into each file's result (kept sorted); then apply the files'
    suppression comments, unless `ignores` is false."""
    from .crossflow import check_facts
    from .suppressions import apply

    reporters = [Reporter(result.path) for result in results]
    check_facts([(result.facts, reporter) for result, reporter in zip(results, reporters)])
    for result, reporter in zip(results, reporters):
        if reporter.diagnostics:
            result.diagnostics = sorted(result.diagnostics + reporter.diagnostics, key=Diagnostic.sort_key)
        if ignores:
            result.diagnostics = apply(result.diagnostics, result.directives, result.path, result.complete)
    return results


def check_file(path: str | Path, display: str | None = None, registry: Registry | None = None,
               settings: Settings = DEFAULT) -> FileResult:
    display = display or str(path)
    reporter = Reporter(display)
    return _finish(display, source_stage.read_file(path, reporter, display), reporter, registry, settings)


def check_bytes(data: bytes, display: str = "<stdin>", registry: Registry | None = None, project: bool = True,
                settings: Settings = DEFAULT) -> FileResult:
    reporter = Reporter(display)
    result = _finish(display, source_stage.parse_bytes(data, reporter, display), reporter, registry, settings)
    return check_project([result])[0] if project else result


def check_text(text: str, display: str = "<string>", registry: Registry | None = None, project: bool = True,
               settings: Settings = DEFAULT) -> FileResult:
    reporter = Reporter(display)
    result = _finish(display, source_stage.parse_text(text, reporter, display), reporter, registry, settings)
    return check_project([result])[0] if project else result

