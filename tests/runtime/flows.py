"""Compile flows written in a test and run them in-process, as `flowc run` does."""
from __future__ import annotations

import io
import textwrap
from pathlib import Path

from compiler.program import load
from runtime.engine import Engine


class Run:
    """A finished execution and what it logged."""

    def __init__(self, ex, logs: str, engine: Engine) -> None:
        self.ex = ex
        self.logs = logs
        self.engine = engine

    @property
    def state(self) -> str:
        return self.ex.state.value

    def states(self) -> dict[str, str]:
        """Task id (with its value, if any) -> state, for every task run."""
        return {(tr.task.id if tr.value is None else f"{tr.task.id}[{tr.value}]"): tr.state.value
                for tr in self.ex.taskruns}

    def order(self) -> list[str]:
        return [tr.task.id for tr in self.ex.taskruns]

    def outputs(self, task_id: str, value: str | None = None):
        for tr in self.ex.taskruns:
            if tr.task.id == task_id and tr.value == value:
                return tr.outputs
        raise KeyError(task_id)


def compile_flows(tmp_path: Path, main: str, *others: str, name: str = "flow.yaml") -> tuple[list, str]:
    directory = tmp_path / "flows"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(main), encoding="utf-8")
    for i, other in enumerate(others):
        (directory / f"other{i}.yaml").write_text(textwrap.dedent(other), encoding="utf-8")
    program = load(str(path))
    if program.failed:
        messages = [f"{d.code} {d.message}" for r in program.results for d in r.diagnostics]
        raise AssertionError(f"the flow does not check clean: {messages}")
    source = program.source()
    namespace: dict = {"__name__": "compiled_for_test"}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace["FLOWS"], source


def run_flow(tmp_path: Path, main: str, *others: str, inputs: dict | None = None, resume: str | None = None,
             environ: dict | None = None, home: Path | None = None) -> Run:
    flows, _ = compile_flows(tmp_path, main, *others)
    stream = io.StringIO()
    engine = Engine({f.key: f for f in flows}, home or tmp_path / ".flowc", "TRACE", stream, environ or {})
    ex = engine.start(flows[0], inputs or {}, resume=resume)
    return Run(ex, stream.getvalue(), engine)
