"""The contract between the engine and a runnable task.

A runnable task is a function `run(ctx: TaskRunContext) -> dict` registered for one or more
Kestra type names in its family module (`runtime/tasks/<family>.py`, a module-level
`TASKS = {"io.kestra.plugin.core.log.Log": run_log, ...}`, canonical names only). It receives
its properties already rendered, returns its outputs, raises `TaskFailed` to fail with the
message Kestra would log, and sets `ctx.warning = True` to end in WARNING.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from .storage import Storage


class TaskFailed(Exception):
    """The task run fails; the message is logged at ERROR as Kestra would."""


class TaskLogger:
    """Timestamped task logs; secret values are masked before anything is written."""

    LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR")

    def __init__(self, emit: Callable[[str, str], None], mask: Callable[[str], str] = lambda s: s) -> None:
        self._emit = emit  # (level, message)
        self._mask = mask

    def log(self, level: str, message: str) -> None:
        self._emit(level.upper(), self._mask(str(message)))

    def trace(self, message: str) -> None:
        self.log("TRACE", message)

    def debug(self, message: str) -> None:
        self.log("DEBUG", message)

    def info(self, message: str) -> None:
        self.log("INFO", message)

    def warn(self, message: str) -> None:
        self.log("WARN", message)

    def error(self, message: str) -> None:
        self.log("ERROR", message)


@dataclass
class RunIds:
    namespace: str
    flow_id: str
    execution_id: str
    task_id: str
    taskrun_id: str
    value: str | None = None  # the loop value of the task run, if any


@dataclass
class TaskRunContext:
    props: dict[str, Any]  # the task's properties, rendered, pluginDefaults applied
    logger: TaskLogger
    storage: Storage
    workdir: Path  # this task run's working directory; it exists
    ids: RunIds
    env: Mapping[str, str] = field(default_factory=dict)  # extra environment for processes
    services: Any = None  # the execution's services (kv, state stores, secrets), see engine
    warning: bool = False
    # set when the run no longer wants this task (its timeout expired, the execution was
    # killed): a task that waits on something (a process, a socket) stops and fails
    cancel: threading.Event = field(default_factory=threading.Event)

    def file_uri(self, name: str) -> str:
        """The URI under which this task run stores an output file named `name`."""
        i = self.ids
        prefix = self.storage.execution_prefix(i.namespace, i.flow_id, i.execution_id)
        return f"{prefix}/tasks/{i.task_id}/{i.taskrun_id}/{name}"

    def put_file(self, source: Path | bytes | str, name: str) -> str:
        """Store an output file of this task run; return its `kestra:///` URI."""
        return self.storage.put(self.file_uri(name), source)
