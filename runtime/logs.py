"""Execution logs: timestamped lines on stderr and in the run's log file, secret values
masked before anything is written."""
from __future__ import annotations

import sys
import threading
from datetime import datetime, timezone

LEVELS = {"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "WARNING": 3, "ERROR": 4}
MASK = "******"


class ExecutionLog:
    def __init__(self, path=None, level: str = "INFO", stream=None) -> None:
        self.level = LEVELS.get(level.upper(), 2)
        self.stream = stream if stream is not None else sys.stderr
        self.file = open(path, "a", encoding="utf-8") if path is not None else None
        self.secrets: set[str] = set()
        self.errors: list[dict] = []  # ERROR logs, for errorLogs()
        self.entries: list[dict] = []  # every log, for the log Fetch task
        self._lock = threading.Lock()

    def mask(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, MASK)
        return text

    def emit(self, level: str, message: str, task_id: str | None = None, taskrun_id: str | None = None,
             min_level: str | None = None) -> None:
        level = "WARN" if level == "WARNING" else level
        if min_level is not None and LEVELS.get(level, 2) < LEVELS.get(min_level.upper(), 0):
            return  # the task's logLevel drops it
        message = self.mask(str(message))
        now = datetime.now(timezone.utc)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        where = f"[{task_id}] " if task_id else ""
        line = f"{stamp} {level:<5} {where}{message}"
        with self._lock:
            entry = {"taskId": task_id, "taskRunId": taskrun_id, "level": level, "message": message,
                     "timestamp": stamp}
            self.entries.append(entry)
            if level == "ERROR":
                self.errors.append(entry)
            if self.file is not None:
                self.file.write(line + "\n")
                self.file.flush()
            if LEVELS.get(level, 2) >= self.level:
                self.stream.write(line + "\n")
                self.stream.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
