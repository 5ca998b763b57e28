"""What `flowc compile` and `flowc run` do before generating code: find the flow and the
flows it calls (among the flow files beside it, or under `--flows`), check them all
together, and refuse to compile a flow that does not check clean."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .checker import FileResult, check_file, check_project
from .diagnostics import Severity
from .errors import UsageError
from .model import Flow


@dataclass
class Program:
    flows: list[Flow] = field(default_factory=list)  # the flow run first, then those it calls
    displays: list[str] = field(default_factory=list)
    results: list[FileResult] = field(default_factory=list)  # what to report when it failed
    failed: bool = False

    def source(self) -> str:
        from .codegen import generate

        revisions = [revision(flow, display) for flow, display in zip(self.flows, self.displays)]
        return generate(self.flows, self.displays, revisions, __version__)


def load(path: str, flow_id: str | None = None, flow_paths: list[str] | None = None) -> Program:
    """Check the flow in `path` (`flow_id` picks one of several documents) and the flow files
    it may call (under `flow_paths`; by default the flow's directory and the configuration's
    `paths`); the Program holds the flows to compile, or the results to report."""
    from .config import for_directory
    from .discovery import PathError, find_flows
    from .plan import registry_for, settings_for

    main_path = Path(path)
    if not main_path.is_file():
        raise UsageError(f"no such file: {path}")
    config = for_directory(main_path.resolve().parent)
    registry = registry_for(config)
    settings = settings_for(config)
    if not flow_paths:  # the flow's directory, and the project's flows when the configuration names them
        flow_paths = [str(main_path.parent)] + [str(config.root / p) for p in config.paths
                                                 if (config.root / p).exists()]
    try:
        found = find_flows(flow_paths, excluded=config.excluded)
    except PathError as e:
        raise UsageError(str(e)) from None
    main_key = main_path.resolve()
    others = [item for item in found if Path(item.path).resolve() != main_key]
    results = check_project([check_file(main_path, path, registry, settings)]
                            + [check_file(item.path, item.display, registry, settings) for item in others])
    main = results[0]
    flows = [flow for flow in main.flows if flow_id in (None, flow.id)]
    if flow_id is not None and not flows and main.flows:
        raise UsageError(f"{path} has no flow {flow_id!r}; it holds {', '.join(repr(f.id) for f in main.flows)}")
    if len(flows) > 1:
        raise UsageError(f"{path} holds {len(flows)} flows ({', '.join(repr(f.id) for f in flows)}); "
                         "choose one with --flow ID")
    if not flows or _errors(main):
        return Program(results=[main], failed=True)
    index = {(f.namespace, f.id): (f, r) for r in results[1:] for f in r.flows}
    index.update({(f.namespace, f.id): (f, main) for f in main.flows})
    program = Program()
    pending = [(flows[0], main)]
    seen: set[tuple] = set()
    while pending:
        flow, result = pending.pop(0)
        if (flow.namespace, flow.id) in seen:
            continue
        seen.add((flow.namespace, flow.id))
        if _errors(result) and result not in program.results:
            program.results.append(result)
            program.failed = True
        program.flows.append(flow)
        program.displays.append(result.path)
        for call in _calls(flow):
            if call in index:
                pending.append(index[call])
    if not program.failed:
        program.results = [main]
    return program


def _errors(result: FileResult) -> bool:
    return any(d.severity is Severity.ERROR for d in result.diagnostics)


def _calls(flow: Flow) -> list[tuple[str, str]]:
    from .crossflow import summarize

    return [(c.namespace, c.flow_id) for c in summarize(flow).calls if c.namespace and c.flow_id]


def revision(flow: Flow, display: str) -> int:
    """`flow.revision`: the flow's `revision` when written; otherwise the number of commits
    that changed its file, plus one when the working copy differs; otherwise 1."""
    written = flow.node.value("revision")
    if isinstance(written, int) and not isinstance(written, bool) and written >= 1:
        return written
    path = Path(display)
    if not path.is_file():
        return 1
    try:
        where = str(path.resolve().parent)
        log = subprocess.run(["git", "log", "--follow", "--format=%H", "--", path.name], cwd=where,
                             capture_output=True, text=True, timeout=10)
        if log.returncode != 0:
            return 1
        commits = len(log.stdout.split())
        status = subprocess.run(["git", "status", "--porcelain", "--", path.name], cwd=where,
                                capture_output=True, text=True, timeout=10)
        changed = status.returncode == 0 and bool(status.stdout.strip())
        return max(commits + (1 if changed else 0), 1)
    except (OSError, subprocess.SubprocessError):
        return 1
