"""Cancellation of a call under way: a blocking socket does not look at the task run's cancel
event, so a watcher shuts the live socket down when the event is set."""
from __future__ import annotations

import http.client
import socket
import threading
from typing import Callable


class SocketWatcher:
    """Between `start()` and `stop()`, shuts down the socket of the connection `current()`
    returns once `cancel` is set (each socket once; one still connecting once it is up)."""

    def __init__(self, cancel: threading.Event, current: Callable[[], http.client.HTTPConnection | None]) -> None:
        self._cancel = cancel
        self._current = current
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()

    def _watch(self) -> None:
        ended = None  # the socket already shut down
        while not self._done.wait(0.1):
            if not self._cancel.is_set():
                continue
            conn = self._current()
            sock = conn.sock if conn is not None else None
            if sock is not None and sock is not ended:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                ended = sock
