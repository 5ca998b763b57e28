"""The HTTP tasks' `options`, in Kestra's nested form (`timeout`, `auth`, `proxy`, `ssl`,
`followRedirects`, `allowFailed`, `allowedResponseCodes`, `defaultCharset`, `logs`) and its
deprecated flat form (`connectTimeout`, `readTimeout`, `basicAuthUser`, `proxyAddress`,
`logLevel`, ...), read into one `Options`."""
from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from typing import Any

from ..task import TaskFailed
from ..tasks.props import flag
from .props import mapping, seconds

DEFAULT_CONNECT_TIMEOUT = 180.0  # Apache's default connect timeout (3 minutes)
DEFAULT_READ_IDLE_TIMEOUT = 300.0  # Kestra's default `timeout.readIdleTimeout` (PT5M)
LOG_TYPES = ("REQUEST_HEADERS", "REQUEST_BODY", "RESPONSE_HEADERS", "RESPONSE_BODY")


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
    raw = mapping(props.get("options"), "options")
    timeout = mapping(raw.get("timeout"), "options.timeout")
    opts = Options()
    opts.connect_timeout = seconds(
        timeout.get("connectTimeout", raw.get("connectTimeout")), "options.timeout.connectTimeout",
        DEFAULT_CONNECT_TIMEOUT)
    # the flat `readTimeout` is Kestra's alias for `timeout.readIdleTimeout`; the flat
    # `readIdleTimeout`, `connectionPoolIdleTimeout` and `maxContentLength` are ignored by Kestra
    opts.read_timeout = seconds(
        timeout.get("readIdleTimeout", raw.get("readTimeout")), "options.timeout.readIdleTimeout",
        DEFAULT_READ_IDLE_TIMEOUT)
    opts.follow_redirects = flag(raw, "followRedirects", True, "options.followRedirects")
    # task-level wins, as Kestra
    opts.allow_failed = flag(props if "allowFailed" in props else raw, "allowFailed", False)
    opts.allowed_codes = _codes(raw.get("allowedResponseCodes"))
    opts.auth = _auth(raw)
    opts.proxy = _proxy(raw)
    ssl_options = mapping(raw.get("ssl") or props.get("sslOptions"), "options.ssl")
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
        auth = mapping(auth, "options.auth")
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
    proxy = mapping(raw.get("proxy"), "options.proxy")
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
