"""The run directory of an execution: what it was started with (`execution.json`), the task
runs that ended (`journal.jsonl`, one line each, appended and flushed as each ends, so a run
killed at any moment keeps what it finished), its files and its log.

A restart (`--resume`) replays the journal: a task run that ended in SUCCESS, WARNING or
SKIPPED is not run again; everything else is.
"""
from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from .durations import format_duration

DONE = ("SUCCESS", "WARNING", "SKIPPED")


def to_json(value) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


def _default(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / "journal.jsonl"
        self.entries: dict[str, dict] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # the line being written when the run was killed
                self.entries[entry["key"]] = entry
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a", encoding="utf-8")

    @staticmethod
    def key(task_id: str, path: tuple, iteration: int | None = None) -> str:
        """A task run's identity across restarts: its task, its loop values, and the iteration
        of a loop that runs the same tasks again (LoopUntil)."""
        return to_json([task_id, *path] if iteration is None else [task_id, *path, {"iteration": iteration}])

    def done(self, key: str) -> dict | None:
        entry = self.entries.get(key)
        return entry if entry is not None and entry.get("state") in DONE else None

    def record(self, key: str, entry: dict) -> None:
        entry = {"key": key, **entry}
        self.entries[key] = entry
        self._file.write(to_json(entry) + "\n")
        self._file.flush()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def close(self) -> None:
        self._file.close()


def write_execution(directory: Path, data: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / "execution.json.tmp"
    tmp.write_text(json.dumps(data, default=_default, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, directory / "execution.json")


def read_execution(directory: Path) -> dict:
    return json.loads((directory / "execution.json").read_text(encoding="utf-8"))


def find_run(runs: Path, execution_id: str) -> Path | None:
    """The run directory of an execution id, under `<runs>/<namespace>/<flow>/<id>`."""
    for candidate in Path(runs).glob(f"*/*/{execution_id}"):
        if (candidate / "execution.json").is_file():
            return candidate
    return None
