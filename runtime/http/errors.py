"""Network errors as task failures naming the URL (and the proxy it went through)."""
from __future__ import annotations

import http.client
import socket
import ssl
import urllib.parse
from datetime import timedelta

from ..durations import format_duration
from ..task import TaskFailed
from .options import Options


def network_error(error: BaseException, stage: str, url: str, options: Options, cancelled: bool) -> TaskFailed:
    """The failure for `error`, raised while calling `url` at `stage` (connect, send or read);
    `cancelled` when the task run was cancelled (which closes the socket under the call)."""
    proxy = options.proxy
    named = url if proxy is None else f"{url}' through the proxy '{proxy.host}:{proxy.port}"
    if cancelled:
        return TaskFailed(f"Request to '{named}' cancelled")
    if isinstance(error, TimeoutError):  # socket.timeout is TimeoutError
        if stage == "connect":
            return TaskFailed(f"Connect timed out after {_duration_text(options.connect_timeout)} for '{named}'")
        return TaskFailed(f"Read timed out after {_duration_text(options.read_timeout)} waiting for '{named}'")
    if isinstance(error, socket.gaierror):
        host = urllib.parse.urlsplit(url).hostname if proxy is None else proxy.host
        return TaskFailed(f"Unknown host '{host}' for '{named}': {error.strerror or error}")
    if isinstance(error, ConnectionRefusedError):
        return TaskFailed(f"Connection refused by '{named}'")
    if isinstance(error, ssl.SSLError):
        return TaskFailed(f"SSL error for '{named}': {error.reason or error}")
    if isinstance(error, (http.client.InvalidURL, ValueError)) and stage == "send":
        return TaskFailed(f"Invalid request to '{named}': {error}")
    if isinstance(error, http.client.RemoteDisconnected):
        return TaskFailed(f"Request to '{named}' failed: the server closed the connection without a response")
    if isinstance(error, http.client.HTTPException):
        return TaskFailed(f"Request to '{named}' failed: invalid HTTP response ({type(error).__name__}: {error})")
    if isinstance(error, OSError):
        return TaskFailed(f"Request to '{named}' failed: {error.strerror or error}")
    return TaskFailed(f"Request to '{named}' failed: {type(error).__name__}: {error}")


def _duration_text(seconds: float | None) -> str:
    return "ever" if seconds is None else format_duration(timedelta(seconds=seconds))
