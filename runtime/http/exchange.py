"""One call on the network: a new connection per hop, redirects followed as Apache's client
follows them, a Digest challenge answered, the response-code rule, bodies read or saved to a
file, and network errors turned into task failures naming the URL."""
from __future__ import annotations

import http.client
import urllib.parse
from pathlib import Path

from ..task import TaskFailed, TaskRunContext
from .auth import digest_authorization, digest_challenge
from .body import CHUNK, Body
from .call import Call
from .cancel import SocketWatcher
from .connection import open_connection
from .errors import network_error
from .headers import request_headers
from .logs import log_request, log_response
from .response import has_body
from .uri import as_sent, request_target

MAX_REDIRECTS = 50  # Apache HttpClient's default
REDIRECTS = (301, 302, 303, 307, 308)
ERROR_BODY_LIMIT = 1024 * 1024  # a failed call's body is quoted in the error, up to this size


class Exchange:
    """One call, used as a context manager: `response()` then `read()` or `save()`. The task
    run's cancellation closes the live socket."""

    def __init__(self, ctx: TaskRunContext, call: Call) -> None:
        self.ctx = ctx
        self.call = call
        self.options = call.options
        self.url = call.url  # the URL of the current hop
        self.conn: http.client.HTTPConnection | None = None
        self._watcher = SocketWatcher(ctx.cancel, lambda: self.conn)

    def __enter__(self) -> Exchange:
        self._watcher.start()
        return self

    def __exit__(self, *exc) -> None:
        self._watcher.stop()
        self._close()

    def _close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    # ------------------------------------------------------------ sending

    def response(self) -> http.client.HTTPResponse:
        """The final response, its code allowed; its body is still to be read."""
        method, body, url = self.call.method, self.call.body, self.call.url
        visited = {url}
        auth = self.options.auth
        for _ in range(MAX_REDIRECTS + 1):
            self.url = url
            headers = request_headers(self.call.headers, self.options, url, body)
            response = self._send(method, url, headers, body)
            challenge = digest_challenge(response) if response.status == 401 else None
            if challenge is not None and auth is not None and auth.kind == "DIGEST":
                target = request_target(urllib.parse.urlsplit(url))
                headers.append(("Authorization", digest_authorization(
                    challenge, method, target, str(auth.username), str(auth.password))))
                response = self._send(method, url, headers, body)
            location = response.getheader("Location")
            if not (self.options.follow_redirects and response.status in REDIRECTS and location):
                self._check(response)
                return response
            # every hop has its own connection: the redirect's body is dropped with it
            next_url = urllib.parse.urljoin(url, as_sent(location))
            if urllib.parse.urlsplit(next_url).scheme.lower() not in ("http", "https"):
                raise TaskFailed(f"Redirect from '{url}' to an unsupported URL '{location}'")
            if next_url in visited:
                raise TaskFailed(f"Circular redirect to '{next_url}'")
            visited.add(next_url)
            # Apache's rule: 303, and 301/302 after a POST, go on as a GET without body
            if (response.status == 303 and method not in ("GET", "HEAD")) or \
                    (response.status in (301, 302) and method == "POST"):
                method, body = "GET", None
            url = next_url
            self.ctx.logger.debug(f"Redirected ({response.status}) to '{url}'")
        raise TaskFailed(f"Maximum redirects ({MAX_REDIRECTS}) exceeded calling '{self.call.uri}'")

    def _send(self, method: str, url: str, headers: list[tuple[str, str]],
              body: Body | None) -> http.client.HTTPResponse:
        self._close()
        if self.ctx.cancel.is_set():
            raise TaskFailed(f"Request to '{url}' cancelled")
        parts = urllib.parse.urlsplit(url)
        log_request(self.ctx.logger, self.options.logs, method, url, headers, body)
        stage = "connect"
        try:
            self.conn = conn = open_connection(parts, self.options)
            conn.connect()
            conn.sock.settimeout(self.options.read_timeout)
            stage = "send"
            # an HTTP proxy is sent the absolute URL
            target = url if self.options.proxy is not None and parts.scheme == "http" else request_target(parts)
            conn.putrequest(method, target, skip_host="host" in {k.lower() for k, _ in headers},
                            skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            conn.endheaders()
            for chunk in body.chunks() if body is not None else ():
                conn.send(chunk)
            stage = "read"
            response = conn.getresponse()
        except TaskFailed:
            raise
        except Exception as e:
            raise self.network_error(e, stage) from None
        log_response(self.ctx.logger, self.options.logs, response)
        return response

    def network_error(self, error: BaseException, stage: str) -> TaskFailed:
        return network_error(error, stage, self.url, self.options, self.ctx.cancel.is_set())

    def _check(self, response: http.client.HTTPResponse) -> None:
        if self.options.allows(response.status):
            return
        error = f"Failed http request with response code '{response.status}'"
        if has_body(self.call.method, response.status):
            data = self.read(response, ERROR_BODY_LIMIT)
            error += " and body:\n" + data.decode("utf-8", errors="replace")
        raise TaskFailed(error)

    # ------------------------------------------------------------ bodies

    def read(self, response: http.client.HTTPResponse, limit: int | None = None) -> bytes:
        """The response's body (its first `limit` bytes), in memory."""
        try:
            return response.read() if limit is None else response.read(limit)
        except http.client.IncompleteRead as e:
            raise TaskFailed(f"Premature end of Content-Length delimited message body (expected: "
                             f"{response.getheader('Content-Length')}; received: {len(e.partial)}) "
                             f"from '{self.url}'") from None
        except Exception as e:
            raise self.network_error(e, "read") from None

    def save(self, response: http.client.HTTPResponse, target: Path) -> int:
        """Copy the body to `target` a chunk at a time; the number of bytes written."""
        size = 0
        with target.open("wb") as out:
            while True:
                try:
                    chunk = response.read(CHUNK)
                except http.client.IncompleteRead as e:
                    size += len(e.partial)
                    raise TaskFailed(f"Invalid size, got {size}, expected {response.getheader('Content-Length')}") \
                        from None
                except Exception as e:
                    raise self.network_error(e, "read") from None
                if not chunk:
                    break
                out.write(chunk)
                size += len(chunk)
        # read(amount) ends quietly at a premature end of stream: compare with the announced length
        expected = (response.getheader("Content-Length") or "").strip()
        if expected.isdigit() and int(expected) != size:
            raise TaskFailed(f"Invalid size, got {size}, expected {expected}")
        return size
