"""The core HTTP tasks, `Request` and `Download`, over the standard library's http.client.

They follow Kestra's HTTP client (Apache HttpClient 5 behind `io.kestra.core.http.client`):
`options` in its nested form (`timeout`, `auth`, `proxy`, `ssl`, `followRedirects`,
`allowFailed`, `allowedResponseCodes`, `defaultCharset`, `logs`) and its deprecated flat form
(`connectTimeout`, `readTimeout`, `basicAuthUser`, ...); response headers as a map of
lower-case names to lists of values; a response code outside what is allowed fails the task
with "Failed http request with response code '<code>' and body: ...".
"""
from __future__ import annotations

import base64
import codecs
import hashlib
import http.client
import json
import os
import random
import re
import socket
import ssl
import threading
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator

from ..durations import format_duration, parse_duration
from ..pebble.printing import to_string
from ..storage import StorageError
from ..task import TaskFailed, TaskLogger, TaskRunContext
from .props import flag

CHUNK = 64 * 1024
MAX_REDIRECTS = 50  # Apache HttpClient's default
DEFAULT_CONNECT_TIMEOUT = 180.0  # Apache's default connect timeout (3 minutes)
DEFAULT_READ_IDLE_TIMEOUT = 300.0  # Kestra's default `timeout.readIdleTimeout` (PT5M)
ERROR_BODY_LIMIT = 1024 * 1024  # a failed Download's body is quoted in the error, up to this size
REDIRECTS = (301, 302, 303, 307, 308)
LOG_TYPES = ("REQUEST_HEADERS", "REQUEST_BODY", "RESPONSE_HEADERS", "RESPONSE_BODY")
# characters java.net.URI refuses unescaped (Kestra parses `uri` with it)
_ILLEGAL_URI_CHARS = frozenset(' "<>\\^`{|}') | frozenset(chr(c) for c in range(0x20)) | {"\x7f"}


# --------------------------------------------------------------------------- values


def _seconds(value: Any, name: str, default: float | None) -> float | None:
    """A timeout in seconds for a socket; None waits forever (Kestra's zero duration)."""
    if value is None or value == "":
        return default
    duration = parse_duration(value)
    if duration is None:
        raise TaskFailed(f"`{name}` is not a duration: `{value}`")
    seconds = duration.total_seconds()
    if seconds < 0:
        raise TaskFailed(f"`{name}` must not be negative: `{value}`")
    return seconds or None


def _mapping(value: Any, name: str) -> dict:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise TaskFailed(f"`{name}` is neither a map nor a JSON object: `{value}`") from None
    if not isinstance(value, dict):
        raise TaskFailed(f"`{name}` must be a map")
    return value


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _duration_text(seconds: float | None) -> str:
    return "ever" if seconds is None else format_duration(timedelta(seconds=seconds))


# --------------------------------------------------------------------------- options


@dataclass
class Auth:
    kind: str  # BASIC | BEARER | DIGEST
    username: str | None = None
    password: str | None = None
    token: str | None = None


@dataclass
class Proxy:
    host: str
    port: int
    username: str | None = None
    password: str | None = None


@dataclass
class Options:
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float | None = DEFAULT_READ_IDLE_TIMEOUT
    follow_redirects: bool = True
    allow_failed: bool = False
    allowed_codes: list[int] | None = None
    auth: Auth | None = None
    proxy: Proxy | None = None
    insecure: bool = False
    charset: str = "UTF-8"
    logs: frozenset[str] = frozenset()

    def allows(self, code: int) -> bool:
        # a non-empty allow-list is the whole rule, even for codes below 400 (as Kestra)
        if self.allowed_codes:
            return code in self.allowed_codes
        return self.allow_failed or code < 400


def parse_options(props: dict) -> Options:
    """The task's `options` (and its deprecated task-level `allowFailed` / `sslOptions`)."""
    raw = _mapping(props.get("options"), "options")
    timeout = _mapping(raw.get("timeout"), "options.timeout")
    opts = Options()
    opts.connect_timeout = _seconds(
        timeout.get("connectTimeout", raw.get("connectTimeout")), "options.timeout.connectTimeout",
        DEFAULT_CONNECT_TIMEOUT)
    # the flat `readTimeout` is Kestra's alias for `timeout.readIdleTimeout`; the flat
    # `readIdleTimeout`, `connectionPoolIdleTimeout` and `maxContentLength` are ignored by Kestra
    opts.read_timeout = _seconds(
        timeout.get("readIdleTimeout", raw.get("readTimeout")), "options.timeout.readIdleTimeout",
        DEFAULT_READ_IDLE_TIMEOUT)
    opts.follow_redirects = flag(raw, "followRedirects", True, "options.followRedirects")
    # task-level wins, as Kestra
    opts.allow_failed = flag(props if "allowFailed" in props else raw, "allowFailed", False)
    opts.allowed_codes = _codes(raw.get("allowedResponseCodes"))
    opts.auth = _auth(raw)
    opts.proxy = _proxy(raw)
    ssl_options = _mapping(raw.get("ssl") or props.get("sslOptions"), "options.ssl")
    opts.insecure = flag(ssl_options, "insecureTrustAllCertificates", False)
    opts.charset = _charset(raw.get("defaultCharset"))
    opts.logs = _log_types(raw)
    return opts


def _codes(value: Any) -> list[int] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        value = [value]
    try:
        return [int(str(code).strip()) for code in value]
    except ValueError:
        raise TaskFailed(f"`options.allowedResponseCodes` must be a list of response codes, not `{value}`") from None


def _auth(raw: dict) -> Auth | None:
    auth = raw.get("auth")
    if auth not in (None, ""):
        auth = _mapping(auth, "options.auth")
        kind = str(auth.get("type") or "").upper()
        if kind not in ("BASIC", "BEARER", "DIGEST"):
            raise TaskFailed(f"`options.auth.type` must be BASIC, BEARER or DIGEST, not `{auth.get('type')}`")
        found = Auth(kind, auth.get("username"), auth.get("password"), auth.get("token"))
        if kind == "DIGEST" and (not found.username or found.password is None):
            raise TaskFailed("Digest authentication requires both `username` and `password`.")
        return found
    if raw.get("basicAuthUser") is not None or raw.get("basicAuthPassword") is not None:
        return Auth("BASIC", raw.get("basicAuthUser"), raw.get("basicAuthPassword"))
    return None


def _proxy(raw: dict) -> Proxy | None:
    proxy = _mapping(raw.get("proxy"), "options.proxy")
    address = proxy.get("address", raw.get("proxyAddress"))
    if not address:
        return None
    kind = str(proxy.get("type", raw.get("proxyType")) or "HTTP").upper()
    if kind == "DIRECT":
        return None
    if kind != "HTTP":
        raise TaskFailed(f"Proxy type `{kind}` is not supported when running locally; use an HTTP proxy")
    port = proxy.get("port", raw.get("proxyPort"))
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise TaskFailed(f"`options.proxy.port` must be a port number, not `{port}`") from None
    return Proxy(str(address), port, proxy.get("username", raw.get("proxyUsername")),
                 proxy.get("password", raw.get("proxyPassword")))


def _charset(value: Any) -> str:
    if value in (None, ""):
        return "UTF-8"
    try:
        codecs.lookup(str(value))
    except LookupError:
        raise TaskFailed(f"`options.defaultCharset` is not a known charset: `{value}`") from None
    return str(value)


def _log_types(raw: dict) -> frozenset[str]:
    logs = raw.get("logs")
    if logs is None:  # the deprecated `logLevel` stands for a set of logs
        level = str(raw.get("logLevel") or "").upper()
        return frozenset({"TRACE": LOG_TYPES, "DEBUG": LOG_TYPES[::2], "INFO": ("RESPONSE_HEADERS",)}.get(level, ()))
    if isinstance(logs, str):
        logs = [logs]
    found = frozenset(str(item).upper() for item in logs)
    unknown = sorted(found - set(LOG_TYPES))
    if unknown:
        raise TaskFailed(f"`options.logs` has unknown entries {unknown}; use {', '.join(LOG_TYPES)}")
    return found


# --------------------------------------------------------------------------- the request


@dataclass
class Body:
    """A request body: bytes and files sent one after the other, so files are streamed."""
    content_type: str | None
    pieces: list[bytes | Path] = field(default_factory=list)
    text: str | None = None  # the body as text, for the REQUEST_BODY log

    @property
    def length(self) -> int:
        return sum(p.stat().st_size if isinstance(p, Path) else len(p) for p in self.pieces)

    def chunks(self) -> Iterator[bytes]:
        for piece in self.pieces:
            if isinstance(piece, Path):
                with piece.open("rb") as f:
                    while chunk := f.read(CHUNK):
                        yield chunk
            elif piece:
                yield piece


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
    # Kestra stringifies header and form values with Java's toString
    headers = [(str(k), to_string(v)) for k, v in _mapping(props.get("headers"), "headers").items()]
    return Call(method, uri, url, headers, _body(ctx, props, options), options)


def check_uri(value: Any) -> tuple[str, str]:
    """The URI as written and as sent (non-ASCII characters percent-encoded, as Java sends them)."""
    if not isinstance(value, str) or not value.strip():
        raise TaskFailed("`uri` is required: the URL to call")
    for index, char in enumerate(value):
        if char in _ILLEGAL_URI_CHARS:
            raise TaskFailed(f"Illegal character in URI at index {index}: {value}")
    url = urllib.parse.quote(value, safe="".join(chr(c) for c in range(0x21, 0x7f)))
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as e:
        raise TaskFailed(f"Invalid URI '{value}': {e}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise TaskFailed(f"Unsupported URI scheme in '{value}': only http:// and https:// URLs can be called")
    if not parts.hostname:
        raise TaskFailed(f"Invalid URI '{value}': it names no host")
    return value, url


def _body(ctx: TaskRunContext, props: dict, options: Options) -> Body | None:
    content_type = props.get("contentType", "application/json")  # Kestra's default
    content_type = None if content_type in (None, "") else str(content_type)
    form = _mapping(props.get("formData"), "formData")
    charset = options.charset
    if form:
        if content_type == "multipart/form-data":
            return _multipart(ctx, form, charset)
        pairs = []
        for key, value in form.items():
            if value is None:
                raise TaskFailed(f"Invalid null type on key '{key}' and value 'null'")
            pairs.append((str(key), to_string(value)))
        text = urllib.parse.urlencode(pairs, encoding=charset)
        return Body(f"application/x-www-form-urlencoded; charset={charset}", [text.encode("ascii")], text)
    body = props.get("body")
    if body is None:
        return None
    text = body if isinstance(body, str) else _json(body) if isinstance(body, (dict, list)) else to_string(body)
    try:
        data = text.encode(charset)
    except UnicodeEncodeError as e:
        raise TaskFailed(f"`body` cannot be encoded in {charset}: {e.reason} at position {e.start}") from None
    # Kestra builds the type from the MIME type and the charset (`application/json; charset=UTF-8`);
    # a type that already has parameters is sent as written
    header = content_type if content_type is None or ";" in content_type else f"{content_type}; charset={charset}"
    return Body(header, [data], text)


def _multipart(ctx: TaskRunContext, form: dict, charset: str) -> Body:
    boundary = "----flowc" + "".join(random.choices("0123456789abcdefABCDEF", k=24))
    pieces: list[bytes | Path] = []
    for key, value in form.items():
        key = str(key)
        if isinstance(value, str) and value.startswith("kestra://"):
            path = _stored(ctx, value, key)
            pieces += [_part_head(boundary, key, charset, filename=path.name), path, b"\r\n"]
        elif isinstance(value, dict) and "name" in value and "content" in value:
            path = _stored(ctx, str(value["content"]), key)
            pieces += [_part_head(boundary, key, charset, filename=str(value["name"])), path, b"\r\n"]
        elif value is None:
            raise TaskFailed(f"Invalid null type on key '{key}' and value 'null'")
        else:
            text = value if isinstance(value, str) else _json(value)  # Kestra sends other values as JSON
            pieces += [_part_head(boundary, key, charset), text.encode(charset), b"\r\n"]
    pieces.append(f"--{boundary}--\r\n".encode("ascii"))
    names = ", ".join(str(k) for k in form)
    return Body(f"multipart/form-data; boundary={boundary}", pieces, f"<multipart form data: {names}>")


def _stored(ctx: TaskRunContext, uri: str, key: str) -> Path:
    try:
        return ctx.storage.get(uri)
    except StorageError as e:
        raise TaskFailed(f"formData `{key}`: {e}") from None


def _part_head(boundary: str, name: str, charset: str, filename: str | None = None) -> bytes:
    def quoted(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")

    disposition = f'form-data; name="{quoted(name)}"'
    if filename is None:
        content_type = f"text/plain; charset={charset}"
    else:
        disposition += f'; filename="{quoted(filename)}"'
        content_type = "application/octet-stream"
    head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
    return head.encode("utf-8")


# --------------------------------------------------------------------------- the exchange


class Exchange:
    """One call: connections (a new one per hop), redirects, digest authentication, the
    response-code rule, and the network errors turned into task failures naming the URL.
    A watcher closes the live socket when the task run is cancelled."""

    def __init__(self, ctx: TaskRunContext, call: Call) -> None:
        self.ctx = ctx
        self.call = call
        self.options = call.options
        self.url = call.url  # the URL of the current hop
        self.conn: http.client.HTTPConnection | None = None
        self._done = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Exchange:
        self._watcher.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._close()

    def _watch(self) -> None:
        ended = None  # the socket already shut down
        while not self._done.wait(0.1):
            if not self.ctx.cancel.is_set():
                continue
            conn = self.conn
            sock = conn.sock if conn is not None else None
            if sock is not None and sock is not ended:  # a socket still connecting is ended once it is up
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                ended = sock

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
            headers = self._headers(method, url, body)
            response = self._send(method, url, headers, body)
            challenge = digest_challenge(response) if response.status == 401 else None
            if challenge is not None and auth is not None and auth.kind == "DIGEST":
                target = _target(urllib.parse.urlsplit(url))
                headers.append(("Authorization", digest_authorization(
                    challenge, method, target, str(auth.username), str(auth.password))))
                response = self._send(method, url, headers, body)
            location = response.getheader("Location")
            if not (self.options.follow_redirects and response.status in REDIRECTS and location):
                self._check(response)
                return response
            # every hop has its own connection: the redirect's body is dropped with it
            next_url = urllib.parse.urljoin(url, urllib.parse.quote(location, safe="".join(
                chr(c) for c in range(0x21, 0x7f))))
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

    def _headers(self, method: str, url: str, body: Body | None) -> list[tuple[str, str]]:
        skip = {"content-length", "transfer-encoding"}  # computed from the body
        auth = self.options.auth
        if auth is not None:
            skip.add("authorization")  # Kestra's authentication replaces the header
        headers = [(k, v) for k, v in self.call.headers if k.lower() not in skip]
        present = {k.lower() for k, _ in headers}
        if "user-agent" not in present:
            headers.append(("User-Agent", "Kestra"))
        if auth is not None and auth.kind == "BASIC":
            pair = f"{to_string(auth.username)}:{to_string(auth.password)}".encode("utf-8")
            headers.append(("Authorization", "Basic " + base64.b64encode(pair).decode("ascii")))
        elif auth is not None and auth.kind == "BEARER":
            headers.append(("Authorization", f"Bearer {to_string(auth.token)}"))
        if body is not None:
            if body.content_type and "content-type" not in present:
                headers.append(("Content-Type", body.content_type))
            headers.append(("Content-Length", str(body.length)))
        proxy = self.options.proxy
        if proxy is not None and proxy.username is not None and urllib.parse.urlsplit(url).scheme == "http":
            headers.append(("Proxy-Authorization", _basic(proxy.username, proxy.password)))
        return headers

    def _send(self, method: str, url: str, headers: list[tuple[str, str]],
              body: Body | None) -> http.client.HTTPResponse:
        self._close()
        if self.ctx.cancel.is_set():
            raise TaskFailed(f"Request to '{url}' cancelled")
        parts = urllib.parse.urlsplit(url)
        self._log_request(method, url, headers, body)
        stage = "connect"
        try:
            self.conn = conn = self._connection(parts)
            conn.connect()
            conn.sock.settimeout(self.options.read_timeout)
            stage = "send"
            target = url if self.options.proxy is not None and parts.scheme == "http" else _target(parts)
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
        self._log_response(response)
        return response

    def _connection(self, parts: urllib.parse.SplitResult) -> http.client.HTTPConnection:
        timeout = self.options.connect_timeout
        host, port = parts.hostname, parts.port
        proxy = self.options.proxy
        if parts.scheme.lower() == "https":
            context = ssl.create_default_context()
            if self.options.insecure:  # `ssl.insecureTrustAllCertificates`: no certificate or host check
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            if proxy is None:
                return http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
            conn = http.client.HTTPSConnection(proxy.host, proxy.port, timeout=timeout, context=context)
            tunnel_headers = {}
            if proxy.username is not None:
                tunnel_headers["Proxy-Authorization"] = _basic(proxy.username, proxy.password)
            conn.set_tunnel(host, port, headers=tunnel_headers)
            return conn
        if proxy is not None:
            return http.client.HTTPConnection(proxy.host, proxy.port, timeout=timeout)
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def network_error(self, error: BaseException, stage: str) -> TaskFailed:
        proxy = self.options.proxy
        url = self.url if proxy is None else f"{self.url}' through the proxy '{proxy.host}:{proxy.port}"
        if self.ctx.cancel.is_set():
            return TaskFailed(f"Request to '{url}' cancelled")
        if isinstance(error, TimeoutError):  # socket.timeout is TimeoutError
            if stage == "connect":
                return TaskFailed(f"Connect timed out after {_duration_text(self.options.connect_timeout)} "
                                  f"for '{url}'")
            return TaskFailed(f"Read timed out after {_duration_text(self.options.read_timeout)} "
                              f"waiting for '{url}'")
        if isinstance(error, socket.gaierror):
            host = urllib.parse.urlsplit(self.url).hostname if proxy is None else proxy.host
            return TaskFailed(f"Unknown host '{host}' for '{url}': {error.strerror or error}")
        if isinstance(error, ConnectionRefusedError):
            return TaskFailed(f"Connection refused by '{url}'")
        if isinstance(error, ssl.SSLError):
            return TaskFailed(f"SSL error for '{url}': {error.reason or error}")
        if isinstance(error, (http.client.InvalidURL, ValueError)) and stage == "send":
            return TaskFailed(f"Invalid request to '{url}': {error}")
        if isinstance(error, http.client.RemoteDisconnected):
            return TaskFailed(f"Request to '{url}' failed: the server closed the connection without a response")
        if isinstance(error, http.client.HTTPException):
            return TaskFailed(f"Request to '{url}' failed: invalid HTTP response ({type(error).__name__}: {error})")
        if isinstance(error, OSError):
            return TaskFailed(f"Request to '{url}' failed: {error.strerror or error}")
        return TaskFailed(f"Request to '{url}' failed: {type(error).__name__}: {error}")

    # ------------------------------------------------------------ responses

    def read(self, response: http.client.HTTPResponse, limit: int | None = None) -> bytes:
        try:
            return response.read() if limit is None else response.read(limit)
        except http.client.IncompleteRead as e:
            raise TaskFailed(f"Premature end of Content-Length delimited message body (expected: "
                             f"{response.getheader('Content-Length')}; received: {len(e.partial)}) "
                             f"from '{self.url}'") from None
        except Exception as e:
            raise self.network_error(e, "read") from None

    def _check(self, response: http.client.HTTPResponse) -> None:
        if self.options.allows(response.status):
            return
        error = f"Failed http request with response code '{response.status}'"
        if has_body(self.call.method, response.status):
            data = self.read(response, ERROR_BODY_LIMIT)
            error += " and body:\n" + data.decode("utf-8", errors="replace")
        raise TaskFailed(error)

    # ------------------------------------------------------------ logs

    def _log_request(self, method: str, url: str, headers: list[tuple[str, str]], body: Body | None) -> None:
        logs, log = self.options.logs, self.ctx.logger
        if "REQUEST_HEADERS" in logs:
            log.debug(f"request:\n    method: {method}\n    uri: {url}")
            log.debug(_headers_entry("request", headers))
        if "REQUEST_BODY" in logs:
            log.trace("request payload: null" if body is None else f"request payload:\n    {body.text}")

    def _log_response(self, response: http.client.HTTPResponse) -> None:
        if "RESPONSE_HEADERS" in self.options.logs:
            self.ctx.logger.debug(f"response:\n    status: {response.status} {response.reason}")
            self.ctx.logger.debug(_headers_entry("response", response.getheaders()))


def digest_challenge(response: http.client.HTTPResponse) -> dict[str, str] | None:
    """The parameters of the response's Digest challenge, if it has one."""
    for value in response.headers.get_all("WWW-Authenticate") or ():
        if value.strip().lower().startswith("digest "):
            pairs = re.findall(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)', value.strip()[7:])
            return {k.lower(): v[1:-1].replace('\\"', '"') if v.startswith('"') else v for k, v in pairs}
    return None


def digest_authorization(challenge: dict[str, str], method: str, target: str, username: str, password: str) -> str:
    """The `Authorization` header answering a Digest challenge (RFC 7616, qop=auth or none)."""
    algorithm = challenge.get("algorithm", "MD5")
    hashes = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
    base = algorithm.upper().removesuffix("-SESS")
    if base not in hashes:
        raise TaskFailed(f"Digest authentication: unsupported algorithm `{algorithm}`")

    def h(text: str) -> str:
        return hashes[base](text.encode("utf-8")).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    cnonce = os.urandom(8).hex()
    ha1 = h(f"{username}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{target}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    fields = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{target}"',
              f"algorithm={algorithm}"]
    if qops:
        if "auth" not in qops:
            raise TaskFailed(f"Digest authentication: unsupported qop `{challenge.get('qop')}`")
        nc = "00000001"
        fields += [f'response="{h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")}"', "qop=auth", f"nc={nc}",
                   f'cnonce="{cnonce}"']
    else:
        fields.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
    if "opaque" in challenge:
        fields.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(fields)


def _target(parts: urllib.parse.SplitResult) -> str:
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _basic(username: Any, password: Any) -> str:
    pair = f"{to_string(username)}:{to_string(password)}".encode("utf-8")
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _headers_entry(kind: str, headers: list[tuple[str, str]]) -> str:
    if not headers:
        return f"{kind} headers: null"
    return f"{kind} headers:\n    " + "\n    ".join(f"{k}: {v}" for k, v in headers)


def has_body(method: str, status: int) -> bool:
    """Whether the response carries a body at all (Kestra's body is null otherwise)."""
    return method != "HEAD" and status not in (204, 304) and not 100 <= status < 200


def response_headers(response: http.client.HTTPResponse) -> dict[str, list[str]]:
    """Headers as Kestra outputs them: lower-case names, sorted, each with its list of values."""
    grouped: dict[str, list[str]] = {}
    for name, value in response.getheaders():
        grouped.setdefault(name.lower(), []).append(value)
    return dict(sorted(grouped.items()))


# --------------------------------------------------------------------------- Request


def run_request(ctx: TaskRunContext) -> dict:
    call = prepare(ctx)
    with Exchange(ctx, call) as exchange:
        response = exchange.response()
        data = exchange.read(response) if has_body(call.method, response.status) else None
    body = None if data is None else data.decode("utf-8", errors="replace")
    if body is not None:
        _check_defined(body)
        if "RESPONSE_BODY" in call.options.logs:
            ctx.logger.trace(f"response payload:\n    {body}")
    ctx.logger.debug(f"Request '{call.uri}' with the response code '{response.status}'")
    outputs: dict[str, Any] = {"uri": call.uri, "code": response.status, "headers": response_headers(response)}
    if flag(ctx.props, "encryptBody", False):
        # Kestra encrypts the body with the server's key and decrypts it for later tasks;
        # there is no key locally, so later tasks read the same text from `encryptedBody`
        ctx.logger.warn("encryptBody is not supported when running locally: "
                        "the response body is kept unencrypted in the `encryptedBody` output")
        if body is not None:
            outputs["encryptedBody"] = body
    elif body is not None:
        outputs["body"] = body
    return outputs


def _check_defined(body: str) -> None:
    # Kestra checks each UTF-16 unit with Character.isDefined: only BMP code points can fail
    for char in body:
        if ord(char) < 0x10000 and unicodedata.category(char) == "Cn":
            raise TaskFailed(f"Illegal unicode code point in request body: {ord(char)}, the Request task only "
                             "support valid Unicode strings as body.\nYou can try using the Download task instead.")


# --------------------------------------------------------------------------- Download


def run_download(ctx: TaskRunContext) -> dict:
    call = prepare(ctx)
    fail_on_empty = flag(ctx.props, "failOnEmptyResponse", True)
    temp = ctx.workdir / temp_name(extension_of(call.url))
    try:
        with Exchange(ctx, call) as exchange:
            response = exchange.response()
            size = 0
            if has_body(call.method, response.status):
                size = _stream(exchange, response, temp)
            else:
                temp.touch()
        if size == 0:
            if fail_on_empty and not call.options.allow_failed:
                raise TaskFailed("No response from server")
            if not fail_on_empty:
                ctx.logger.warn(f"File '{call.uri}' is empty")
        name = filename_from_disposition(response.getheader("Content-Disposition"), ctx.logger)
        uri = ctx.put_file(temp, url_encode(name) if name else temp.name)
    finally:
        temp.unlink(missing_ok=True)
    ctx.logger.debug(f"File '{call.uri}' downloaded with size '{size}'")
    return {"uri": uri, "code": response.status, "length": size, "headers": response_headers(response)}


def _stream(exchange: Exchange, response: http.client.HTTPResponse, target: Path) -> int:
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
                raise exchange.network_error(e, "read") from None
            if not chunk:
                break
            out.write(chunk)
            size += len(chunk)
    # read(amount) ends quietly at a premature end of stream: compare with the announced length
    expected = (response.getheader("Content-Length") or "").strip()
    if expected.isdigit() and int(expected) != size:
        raise TaskFailed(f"Invalid size, got {size}, expected {expected}")
    return size


def temp_name(extension: str | None) -> str:
    """A name like Java's `Files.createTempFile(dir, null, extension)` gives: digits + extension."""
    return f"{random.getrandbits(63)}{extension or '.tmp'}"


def extension_of(url: str) -> str | None:
    """Kestra keeps only the extension of the URL's last path segment (from its first dot)."""
    path = urllib.parse.urlsplit(url).path
    segment = path[path.rfind("/") + 1:]
    if "." not in segment:
        return None
    return segment[segment.index("."):]


def filename_from_disposition(header: str | None, logger: TaskLogger | None = None) -> str | None:
    """The file name a Content-Disposition header gives (`filename*` wins), without any path."""
    if not header:
        return None
    name: str | None = None
    for part in header.split(";"):
        part = part.strip()
        if part.lower().startswith("filename*"):
            value = part.split("=", 1)[1].strip() if "=" in part else ""
            # RFC 5987: charset'language'percent-encoded-value
            charset, _, rest = value.partition("'")
            _, _, encoded = rest.partition("'")
            try:
                name = urllib.parse.unquote(encoded.strip('"'), encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                if logger is not None:
                    logger.debug(f"Unable to parse the Content-Disposition header: {header}")
            break
        if part.lower().startswith("filename") and "=" in part:
            value = part[part.rindex("=") + 1:].strip()
            name = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if name is not None:
        name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return name or None


def url_encode(name: str) -> str:
    """Java's `URLEncoder.encode(name, UTF_8)`, which Kestra applies to the stored file name."""
    out = []
    for byte in name.encode("utf-8"):
        char = chr(byte)
        if char.isascii() and (char.isalnum() or char in ".-*_"):
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


TASKS = {
    "io.kestra.plugin.core.http.Request": run_request,
    "io.kestra.plugin.core.http.Download": run_download,
}
