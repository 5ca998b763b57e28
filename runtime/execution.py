"""An execution and its task runs, and the variables an expression sees in a task run
(Kestra's `RunVariables`)."""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .flowspec import Flow, Task
from .pebble.values import Instant
from .states import State

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def new_id() -> str:
    """A random id in Kestra's form: 22 base-62 characters."""
    n = secrets.randbits(128)
    out = []
    for _ in range(22):
        n, r = divmod(n, 62)
        out.append(_BASE62[r])
    return "".join(out)


def now() -> Instant:
    t = datetime.now(timezone.utc)
    return Instant(t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond, tzinfo=timezone.utc)


@dataclass(eq=False)
class TaskRun:
    id: str
    task: Task
    path: tuple[str, ...]  # loop values of the ancestors (and its own), outermost first
    value: str | None = None  # `taskrun.value`
    parent: "TaskRun | None" = None
    state: State = State.CREATED
    attempts: int = 0
    outputs: dict | None = None
    start: Instant = field(default_factory=now)
    end: Instant | None = None
    iteration: int | None = None
    previous: dict | None = None  # its journal entry from an earlier run of the execution
    labels: dict = field(default_factory=dict)  # labels it set (replayed on restart)

    def ancestors(self):
        """The task runs of the flowables around this one, closest first."""
        p = self.parent
        while p is not None:
            yield p
            p = p.parent

    def parents(self) -> list[dict]:
        """`parents`: the ancestor task runs, closest first, those with a value or outputs."""
        out = []
        for p in self.ancestors():
            entry = {}
            if p.value is not None:
                entry["taskrun"] = {"value": p.value}
            if p.outputs:
                entry["outputs"] = p.outputs
            if entry:
                out.append(entry)
        return out


@dataclass(eq=False)
class Execution:
    id: str
    flow: Flow
    inputs: dict
    trigger: dict | None = None
    labels: dict = field(default_factory=dict)
    state: State = State.CREATED
    start: Instant = field(default_factory=now)
    end: Instant | None = None
    original_id: str | None = None
    outputs: dict = field(default_factory=dict)  # task outputs, keyed as §4.7 says
    task_states: dict = field(default_factory=dict)  # `tasks.<id>.state`
    taskruns: list[TaskRun] = field(default_factory=list)
    flow_outputs: dict | None = None
    exit_state: State | None = None  # set by an Exit task
    lock: threading.RLock = field(default_factory=threading.RLock)
    stop: threading.Event = field(default_factory=threading.Event)  # no new task may start
    parent: "Execution | None" = None
    envs: dict = field(default_factory=dict)
    # set when the run opens: its directory, log, journal and services
    directory: Path | None = None
    log: Any = None
    journal: Any = None
    services: Any = None
    background: list = field(default_factory=list)  # subflow runs it does not wait for
    active: dict = field(default_factory=dict)  # the contexts of the task runs running now, by id()
    killed: bool = False
    sla_state: State | None = None  # the state an SLA violation imposes
    resume_inputs: dict = field(default_factory=dict)  # inputs given with --resume (Pause `onResume`)
    attempt: int = 1  # the place of this execution in a chain of CREATE_NEW_EXECUTION retries
    first_start: Instant | None = None  # when the first execution of that chain started
    retry_in: Any = None  # set when the execution is to start again as a new one, after this delay

    def __post_init__(self) -> None:
        if self.first_start is None:
            self.first_start = self.start

    def kill(self) -> None:
        """Start no new task, and cancel those running."""
        self.killed = True
        self.stop.set()
        for ctx in list(self.active.values()):
            ctx.cancel.set()

    # ------------------------------------------------------------------ recording

    def record(self, tr: TaskRun) -> None:
        """Make a finished task run's outputs and state visible to the next expressions."""
        with self.lock:
            if tr.outputs is not None:
                _put(self.outputs, tr.task.id, tr.path, tr.outputs)
            _put(self.task_states, tr.task.id, tr.path, {"state": tr.state.value})

    # ------------------------------------------------------------------ variables

    def base_variables(self) -> dict:
        flow = self.flow
        variables = {
            "flow": {"id": flow.id, "namespace": flow.namespace, "revision": flow.revision},
            "execution": {"id": self.id, "startDate": self.start, "originalId": self.original_id or self.id,
                          "state": self.state.value},
            "inputs": self.inputs,
            "vars": flow.variables,
            "outputs": self.outputs,
            "tasks": self.task_states,
            "labels": _labels_variable(self.labels),
            "envs": self.envs,
            "globals": {},
        }
        if self.trigger is not None:
            variables["trigger"] = self.trigger
        return variables

    def variables(self, tr: TaskRun) -> dict:
        variables = self.base_variables()
        variables["task"] = {"id": tr.task.id, "type": tr.task.type}
        variables["taskrun"] = taskrun = _taskrun_variable(tr)
        worker = tr.parent
        if worker is not None and worker.task.type == WORKING_DIRECTORY:
            # a WorkingDirectory's children run in its worker: they see its task run, and its value
            variables["workerTaskrun"] = _taskrun_variable(worker)
            if worker.value is not None and "value" not in taskrun:
                taskrun["value"] = worker.value
        parents = tr.parents()
        if parents:
            variables["parents"] = parents
            variables["parent"] = parents[0]
        return variables


WORKING_DIRECTORY = "io.kestra.plugin.core.flow.WorkingDirectory"


def label_map(raw) -> dict:
    """Labels as Kestra accepts them (a map, or a list of `{key, value}`), as a map of strings."""
    if isinstance(raw, list):
        return {str(item.get("key")): str(item.get("value")) for item in raw if isinstance(item, dict)}
    return {str(k): str(v) for k, v in (raw or {}).items()}


def _labels_variable(labels: dict) -> dict:
    """`labels`: the execution's labels, its system ones under `system` (`labels.system.correlationId`)."""
    out: dict = {}
    system: dict = {}
    for key, value in labels.items():
        if key.startswith("system."):
            system.setdefault(key[len("system."):], value)
        else:
            out.setdefault(key, value)
    if system:
        out["system"] = system
    return out


def _taskrun_variable(tr: TaskRun) -> dict:
    taskrun = {"id": tr.id, "startDate": tr.start, "attemptsCount": max(tr.attempts - 1, 0)}
    if tr.parent is not None:
        taskrun["parentId"] = tr.parent.id
    if tr.value is not None:
        taskrun["value"] = tr.value
    if tr.iteration is not None:
        taskrun["iteration"] = tr.iteration
    return taskrun


def _put(target: dict, task_id: str, path: tuple, value) -> None:
    if not path:
        target[task_id] = value
        return
    node = target.setdefault(task_id, {})
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
