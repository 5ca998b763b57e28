"""A flow's `concurrency` limit across the local runs of that flow, whatever process they
run in: each running execution holds a marker file naming its process, counted under a lock.
Markers of processes that died (a run killed with SIGKILL) are not counted."""
from __future__ import annotations

import os
from pathlib import Path

POLL = 0.1  # seconds between two looks at a full queue


class Slots:
    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = Path(directory) / ".running"
        self.limit = limit
        self.directory.mkdir(parents=True, exist_ok=True)

    def _locked(self, fn):
        import fcntl

        with open(self.directory / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                return fn()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _running(self) -> int:
        count = 0
        for marker in self.directory.glob("*.pid"):
            try:
                pid = int(marker.read_text() or 0)
                os.kill(pid, 0)
                count += 1
            except (ValueError, ProcessLookupError):
                marker.unlink(missing_ok=True)  # its process is gone
            except (PermissionError, OSError):
                count += 1
        return count

    def try_take(self, execution_id: str) -> bool:
        def take():
            if self._running() >= self.limit:
                return False
            (self.directory / f"{execution_id}.pid").write_text(str(os.getpid()))
            return True
        return self._locked(take)

    def wait_take(self, execution_id: str, stop) -> bool:
        """Wait for a free slot (QUEUE); False when `stop` is set first."""
        while not self.try_take(execution_id):
            if stop.wait(POLL):
                return False
        return True

    def release(self, execution_id: str) -> None:
        (self.directory / f"{execution_id}.pid").unlink(missing_ok=True)
