"""Headers: those sent on each hop of a call (the task's, with Kestra's authentication, user
agent, content type and length added), and the response's as Kestra outputs them."""
from __future__ import annotations

import http.client
import urllib.parse

from ..pebble.printing import to_string
from .auth import basic_authorization
from .body import Body
from .options import Options


def request_headers(headers: list[tuple[str, str]], options: Options, url: str,
                    body: Body | None) -> list[tuple[str, str]]:
    """The task's `headers` completed for one request to `url` with `body`."""
    skip = {"content-length", "transfer-encoding"}  # computed from the body
    auth = options.auth
    if auth is not None:
        skip.add("authorization")  # Kestra's authentication replaces the header
    sent = [(k, v) for k, v in headers if k.lower() not in skip]
    present = {k.lower() for k, _ in sent}
    if "user-agent" not in present:
        sent.append(("User-Agent", "Kestra"))
    if auth is not None and auth.kind == "BASIC":
        sent.append(("Authorization", basic_authorization(auth.username, auth.password)))
    elif auth is not None and auth.kind == "BEARER":
        sent.append(("Authorization", f"Bearer {to_string(auth.token)}"))
    if body is not None:
        if body.content_type and "content-type" not in present:
            sent.append(("Content-Type", body.content_type))
        sent.append(("Content-Length", str(body.length)))
    proxy = options.proxy
    # through a tunnel (https) the proxy's credentials go with CONNECT instead
    if proxy is not None and proxy.username is not None and urllib.parse.urlsplit(url).scheme == "http":
        sent.append(("Proxy-Authorization", basic_authorization(proxy.username, proxy.password)))
    return sent


def response_headers(response: http.client.HTTPResponse) -> dict[str, list[str]]:
    """Headers as Kestra outputs them: lower-case names, sorted, each with its list of values."""
    grouped: dict[str, list[str]] = {}
    for name, value in response.getheaders():
        grouped.setdefault(name.lower(), []).append(value)
    return dict(sorted(grouped.items()))
