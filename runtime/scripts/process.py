"""The process itself: it leads its own process group, its stdout and stderr lines are handed
over on the calling thread as they come, and when `ctx.cancel` is set the group is ended
(SIGTERM, then SIGKILL after a grace period)."""
from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import threading
import time
from typing import Callable

from ..task import TaskFailed, TaskRunContext
from .workdir import workdir

__all__ = ["run_process"]

_KILL_GRACE_SECONDS = 5.0
_CANCEL_POLL_SECONDS = 0.1


def run_process(ctx: TaskRunContext, argv: list[str], env: dict[str, str],
                accept: Callable[[str, bool], None]) -> int:
    """Run `argv` in the working directory; call `accept(line, is_stderr)` for each line of
    output, on this thread; return the exit code as Java reports it (128 + n for signal n).
    An exception on this thread (KeyboardInterrupt) kills the group at once."""
    try:
        process = subprocess.Popen(argv, cwd=workdir(ctx), env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)  # its own process group, to end it whole
    except (OSError, ValueError) as e:  # ValueError: a NUL character in an argument or variable
        raise TaskFailed(f"Cannot run program '{argv[0] if argv else ''}': {getattr(e, 'strerror', None) or e}") from None
    ctx.logger.debug(f"Starting command with pid {process.pid} [{' '.join(argv)}]")
    cancel: threading.Event | None = getattr(ctx, "cancel", None)
    lines: queue.Queue = queue.Queue()
    readers = [threading.Thread(target=_read_lines, args=(pipe, is_stderr, lines), daemon=True)
               for pipe, is_stderr in ((process.stdout, False), (process.stderr, True))]
    terminated_at: float | None = None
    try:
        for reader in readers:
            reader.start()
        open_streams = len(readers)
        while open_streams:
            try:
                # logs are emitted here, on the caller's thread, as lines arrive
                item = lines.get(timeout=_CANCEL_POLL_SECONDS if cancel is not None else None)
            except queue.Empty:
                item = False
            if item is None:
                open_streams -= 1
            elif item:
                accept(*item)
            if cancel is not None and cancel.is_set():
                terminated_at = _end_group(process, terminated_at)
        while True:
            try:
                code = process.wait(timeout=_CANCEL_POLL_SECONDS if cancel is not None else None)
                break
            except subprocess.TimeoutExpired:
                if cancel.is_set():
                    terminated_at = _end_group(process, terminated_at)
    except BaseException:
        _signal_group(process, signal.SIGKILL)  # interrupted: leave no process behind
        process.wait()
        raise
    return 128 - code if code < 0 else code  # Java reports a signal as 128+n


def _end_group(process: subprocess.Popen, terminated_at: float | None) -> float:
    """SIGTERM the process group once, SIGKILL it once the grace period is over."""
    now = time.monotonic()
    if terminated_at is None:
        _signal_group(process, signal.SIGTERM)
        return now
    if now - terminated_at >= _KILL_GRACE_SECONDS:
        _signal_group(process, signal.SIGKILL)
    return terminated_at


def _read_lines(pipe: io.BufferedReader, is_stderr: bool, lines: queue.Queue) -> None:
    # Universal newlines split on \n, \r\n and \r, as Java's BufferedReader.readLine does.
    try:
        with io.TextIOWrapper(pipe, encoding="utf-8", errors="replace", newline=None) as text:
            for line in text:
                lines.put((line[:-1] if line.endswith("\n") else line, is_stderr))
    except (OSError, ValueError) as e:
        lines.put((str(e), True))
    finally:
        lines.put(None)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
