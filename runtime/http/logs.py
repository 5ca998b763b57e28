"""The request and response logs `options.logs` asks for, worded as Kestra's HTTP client logs them."""
from __future__ import annotations

import http.client

from ..task import TaskLogger
from .body import Body


def log_request(logger: TaskLogger, logs: frozenset[str], method: str, url: str,
                headers: list[tuple[str, str]], body: Body | None) -> None:
    if "REQUEST_HEADERS" in logs:
        logger.debug(f"request:\n    method: {method}\n    uri: {url}")
        logger.debug(_headers_entry("request", headers))
    if "REQUEST_BODY" in logs:
        logger.trace("request payload: null" if body is None else f"request payload:\n    {body.text}")


def log_response(logger: TaskLogger, logs: frozenset[str], response: http.client.HTTPResponse) -> None:
    if "RESPONSE_HEADERS" in logs:
        logger.debug(f"response:\n    status: {response.status} {response.reason}")
        logger.debug(_headers_entry("response", response.getheaders()))


def log_response_body(logger: TaskLogger, logs: frozenset[str], body: str) -> None:
    if "RESPONSE_BODY" in logs:
        logger.trace(f"response payload:\n    {body}")


def _headers_entry(kind: str, headers: list[tuple[str, str]]) -> str:
    if not headers:
        return f"{kind} headers: null"
    return f"{kind} headers:\n    " + "\n    ".join(f"{k}: {v}" for k, v in headers)
