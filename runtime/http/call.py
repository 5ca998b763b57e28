"""One HTTP call as a task's properties describe it: method, URL, headers, body and options,
all checked before anything is sent."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..pebble.printing import to_string
from ..task import TaskFailed, TaskRunContext
from .body import Body, request_body
from .options import Options, parse_options
from .props import mapping
from .uri import check_uri


@dataclass
class Call:
    method: str
    uri: str  # as written (the `uri` output)
    url: str  # as sent: non-ASCII characters percent-encoded
    headers: list[tuple[str, str]]
    body: Body | None
    options: Options


def prepare(ctx: TaskRunContext) -> Call:
    props = ctx.props
    uri, url = check_uri(props.get("uri"))
    method = str(props.get("method") or "GET").strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9_-]*", method):
        raise TaskFailed(f"`method` is not an HTTP method: `{props.get('method')}`")
    options = parse_options(props)
    # Kestra stringifies header values with Java's toString
    headers = [(str(k), to_string(v)) for k, v in mapping(props.get("headers"), "headers").items()]
    return Call(method, uri, url, headers, request_body(ctx, props, options.charset), options)
