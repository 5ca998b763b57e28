"""The core HTTP tasks against a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import base64
import hashlib
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, strategies as st

from runtime.http.auth import digest_authorization
from runtime.http.body import Body
from runtime.http.call import prepare
from runtime.http.errors import network_error
from runtime.http.headers import request_headers
from runtime.http.names import extension_of, filename_from_disposition, url_encode
from runtime.http.options import parse_options
from runtime.http.uri import check_uri
from runtime.storage import Storage
from runtime.task import RunIds, TaskFailed, TaskLogger, TaskRunContext
from runtime.tasks.http import TASKS

REQUEST = "io.kestra.plugin.core.http.Request"
DOWNLOAD = "io.kestra.plugin.core.http.Download"
LARGE_CHUNK = bytes(range(256)) * 256  # 64 KiB, sent again and again by /large
DIGEST_REALM, DIGEST_NONCE = "flowc", "abc123nonce"


# --------------------------------------------------------------------------- the server


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        self.route()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def reply(self, code: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = parts.path
        if path == "/echo" or parts.scheme:  # a proxied request names the absolute URL
            echo = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                    "body": body.decode("utf-8", errors="replace")}
            self.reply(200, json.dumps(echo).encode(), {"Content-Type": "application/json", "X-Multi": "a"})
        elif path.startswith("/status/"):
            self.reply(int(path.rsplit("/", 1)[1]), f"nope {path}".encode(), {"Content-Type": "text/plain"})
        elif path.startswith("/redirect"):
            self.reply(int(query.get("code", 302)), b"", {"Location": query.get("to", "/echo")})
        elif path == "/loop":
            self.reply(302, b"", {"Location": "/loop"})
        elif path == "/basic":
            expected = "Basic " + base64.b64encode(b"ann:s3cret").decode()
            if self.headers.get("Authorization") == expected:
                self.reply(200, b"welcome ann")
            else:
                self.reply(401, b"who are you?", {"WWW-Authenticate": 'Basic realm="flowc"'})
        elif path == "/bearer":
            ok = self.headers.get("Authorization") == "Bearer tok-1"
            self.reply(200 if ok else 401, b"token ok" if ok else b"bad token")
        elif path == "/digest":
            self.digest()
        elif path == "/sleep":
            time.sleep(float(query.get("s", 0.3)))
            self.reply(200, b"late")
        elif path == "/file":
            self.reply(200, b"a,b\n1,2\n", {"Content-Disposition": query.get("cd", 'attachment; filename="report 1.csv"')})
        elif path == "/empty":
            self.reply(200, b"")
        elif path == "/large":
            count = int(query["chunks"])
            self.send_response(200)
            self.send_header("Content-Length", str(count * len(LARGE_CHUNK)))
            self.end_headers()
            for _ in range(count):
                self.wfile.write(LARGE_CHUNK)
        elif path == "/short":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"only ten b")
            self.close_connection = True
        elif path == "/unassigned":
            self.reply(200, "ok \u0378".encode())
        elif path == "/nocontent":
            self.send_response(204)
            self.end_headers()
        else:
            self.reply(404, b"not here")

    def digest(self) -> None:
        header = self.headers.get("Authorization") or ""
        if header.startswith("Digest "):
            fields = dict(
                (k, v.strip('"')) for k, v in
                (item.strip().split("=", 1) for item in header[7:].split(", ")))
            h = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
            ha1 = h(f"ann:{DIGEST_REALM}:s3cret")
            ha2 = h(f"{self.command}:{fields['uri']}")
            expected = h(f"{ha1}:{DIGEST_NONCE}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
            if fields.get("response") == expected and fields.get("uri") == self.path:
                self.reply(200, b"digest ok")
                return
        challenge = f'Digest realm="{DIGEST_REALM}", nonce="{DIGEST_NONCE}", qop="auth", opaque="xyz"'
        self.reply(401, b"digest please", {"WWW-Authenticate": challenge})


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """The same handler over HTTPS, with a self-signed certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not on PATH to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# --------------------------------------------------------------------------- runs


class Run:
    def __init__(self, tmp_path: Path, type_: str, props: dict) -> None:
        self.type = type_
        self.logs: list[tuple[str, str]] = []
        self.storage = Storage(tmp_path / "runs")
        workdir = tmp_path / "work"
        workdir.mkdir(parents=True, exist_ok=True)
        ids = RunIds(namespace="company.team", flow_id="flow", execution_id="ex1", task_id="t", taskrun_id="tr1")
        self.ctx = TaskRunContext(props=props, logger=TaskLogger(lambda lvl, msg: self.logs.append((lvl, msg))),
                                  storage=self.storage, workdir=workdir, ids=ids)

    def __call__(self) -> dict:
        return TASKS[self.type](self.ctx)

    def at(self, level: str) -> list[str]:
        return [m for lvl, m in self.logs if lvl == level]


@pytest.fixture
def make(tmp_path):
    def factory(type_: str, **props) -> Run:
        return Run(tmp_path, type_, props)
    return factory


def failure(run: Run) -> str:
    with pytest.raises(TaskFailed) as info:
        run()
    return str(info.value)


def refused_url() -> str:
    with socket.socket() as s:  # a port nobody listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/x"


# --------------------------------------------------------------------------- Request


def test_get_outputs_code_headers_body_and_uri(make, server):
    run = make(REQUEST, uri=f"{server}/echo?x=1")
    out = run()
    assert out["code"] == 200
    assert out["uri"] == f"{server}/echo?x=1"
    assert out["headers"]["content-type"] == ["application/json"]
    assert out["headers"]["x-multi"] == ["a"]
    assert list(out["headers"]) == sorted(out["headers"])  # lower-case names, sorted, as Kestra
    echo = json.loads(out["body"])
    assert echo["method"] == "GET" and echo["path"] == "/echo?x=1"
    assert echo["headers"]["User-Agent"] == "Kestra"
    assert "Content-Length" not in echo["headers"]
    assert "encryptedBody" not in out


def test_post_json_body_with_default_content_type(make, server):
    out = make(REQUEST, uri=f"{server}/echo", method="POST", body='{"title": "Kestra Pen"}')()
    echo = json.loads(out["body"])
    assert echo["method"] == "POST"
    assert json.loads(echo["body"]) == {"title": "Kestra Pen"}
    assert echo["headers"]["Content-Type"] == "application/json; charset=UTF-8"


def test_body_given_as_a_map_is_sent_as_json(make, server):
    out = make(REQUEST, uri=f"{server}/echo", method="PUT", body={"a": [1, True]}, contentType="text/plain")()
    echo = json.loads(out["body"])
    assert echo["body"] == '{"a":[1,true]}'
    assert echo["headers"]["Content-Type"] == "text/plain; charset=UTF-8"


def test_headers_are_sent_and_a_content_type_header_wins(make, server):
    out = make(REQUEST, uri=f"{server}/echo", method="POST", body="x",
               headers={"X-Api-Key": "abc", "User-Agent": "me", "Content-Type": "text/csv", "X-Num": 5})()
    headers = json.loads(out["body"])["headers"]
    assert headers["X-Api-Key"] == "abc"
    assert headers["User-Agent"] == "me"
    assert headers["Content-Type"] == "text/csv"
    assert headers["X-Num"] == "5"


def test_form_data_is_url_encoded(make, server):
    out = make(REQUEST, uri=f"{server}/echo", method="POST", formData={"user": "John Doe", "n": 3, "ok": True})()
    echo = json.loads(out["body"])
    assert echo["headers"]["Content-Type"] == "application/x-www-form-urlencoded; charset=UTF-8"
    assert parse_qs(echo["body"]) == {"user": ["John Doe"], "n": ["3"], "ok": ["true"]}


def _parts(echo: dict) -> dict:
    raw = f"Content-Type: {echo['headers']['Content-Type']}\r\n\r\n".encode() + echo["body"].encode()
    message = BytesParser(policy=HTTP).parsebytes(raw)
    return {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}


def test_multipart_with_text_json_and_files_from_storage(make, server):
    run = make(REQUEST, uri=f"{server}/echo", method="POST", contentType="multipart/form-data")
    stored = run.storage.put("kestra:///company/team/flow/executions/ex1/inputs/file/data.csv", "a,b\n1,2\n")
    run.ctx.props["formData"] = {
        "user": "John Doe",
        "meta": {"k": 1},
        "upload": stored,
        "renamed": {"name": "my-file.txt", "content": stored},
    }
    echo = json.loads(run()["body"])
    assert echo["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = _parts(echo)
    assert parts["user"].get_content() == "John Doe"
    assert parts["meta"].get_content() == '{"k":1}'
    assert parts["upload"].get_filename() == "data.csv"
    assert parts["upload"].get_payload(decode=True) == b"a,b\n1,2\n"
    assert parts["upload"].get_content_type() == "application/octet-stream"
    assert parts["renamed"].get_filename() == "my-file.txt"
    assert parts["renamed"].get_payload(decode=True) == b"a,b\n1,2\n"


def test_multipart_with_a_missing_file_fails_naming_the_field(make, server):
    run = make(REQUEST, uri=f"{server}/echo", method="POST", contentType="multipart/form-data",
               formData={"f": "kestra:///company/team/flow/executions/ex1/nothing.txt"})
    message = failure(run)
    assert "formData `f`" in message and "Unable to find file" in message


def test_basic_auth_from_the_deprecated_flat_options(make, server):
    out = make(REQUEST, uri=f"{server}/basic", options={"basicAuthUser": "ann", "basicAuthPassword": "s3cret"})()
    assert out["body"] == "welcome ann"


def test_basic_auth_from_the_auth_object_replaces_an_authorization_header(make, server):
    out = make(REQUEST, uri=f"{server}/basic", headers={"Authorization": "Basic bad"},
               options={"auth": {"type": "BASIC", "username": "ann", "password": "s3cret"}})()
    assert out["code"] == 200


def test_wrong_basic_auth_fails_with_kestras_message(make, server):
    run = make(REQUEST, uri=f"{server}/basic", options={"auth": {"type": "BASIC", "username": "ann", "password": "no"}})
    assert failure(run) == "Failed http request with response code '401' and body:\nwho are you?"


def test_bearer_auth(make, server):
    out = make(REQUEST, uri=f"{server}/bearer", options={"auth": {"type": "BEARER", "token": "tok-1"}})()
    assert out["body"] == "token ok"


def test_digest_auth_answers_the_challenge(make, server):
    out = make(REQUEST, uri=f"{server}/digest?a=1",
               options={"auth": {"type": "DIGEST", "username": "ann", "password": "s3cret"}})()
    assert (out["code"], out["body"]) == (200, "digest ok")


def test_digest_auth_with_a_wrong_password_fails(make, server):
    run = make(REQUEST, uri=f"{server}/digest", options={"auth": {"type": "DIGEST", "username": "ann", "password": "x"}})
    assert failure(run).startswith("Failed http request with response code '401'")


def test_unknown_auth_type_fails_clearly(make, server):
    run = make(REQUEST, uri=f"{server}/echo", options={"auth": {"type": "KERBEROS"}})
    assert "`options.auth.type` must be BASIC, BEARER or DIGEST" in failure(run)


def test_redirects_are_followed_by_default(make, server):
    out = make(REQUEST, uri=f"{server}/redirect?to=/echo%3Fhop%3D1")()
    assert out["code"] == 200
    assert json.loads(out["body"])["path"] == "/echo?hop=1"
    assert out["uri"] == f"{server}/redirect?to=/echo%3Fhop%3D1"  # the URI asked for, as Kestra


def test_redirects_not_followed_give_the_3xx_response(make, server):
    out = make(REQUEST, uri=f"{server}/redirect?to=/echo", options={"followRedirects": False})()
    assert out["code"] == 302
    assert out["headers"]["location"] == ["/echo"]
    assert out["body"] == ""


def test_a_post_redirected_by_302_goes_on_as_a_get_and_by_307_as_a_post(make, server):
    got = json.loads(make(REQUEST, uri=f"{server}/redirect?code=302", method="POST", body="b")()["body"])
    assert (got["method"], got["body"]) == ("GET", "")
    kept = json.loads(make(REQUEST, uri=f"{server}/redirect?code=307", method="POST", body="b")()["body"])
    assert (kept["method"], kept["body"]) == ("POST", "b")


def test_a_circular_redirect_fails(make, server):
    assert failure(make(REQUEST, uri=f"{server}/loop")).startswith("Circular redirect to ")


def test_404_fails_with_kestras_message(make, server):
    assert failure(make(REQUEST, uri=f"{server}/status/404")) == \
        "Failed http request with response code '404' and body:\nnope /status/404"


def test_404_with_allow_failed_succeeds_in_options_and_on_the_task(make, server):
    out = make(REQUEST, uri=f"{server}/status/404", options={"allowFailed": True})()
    assert (out["code"], out["body"]) == (404, "nope /status/404")
    out = make(REQUEST, uri=f"{server}/status/500", allowFailed="true")()
    assert out["code"] == 500


def test_allowed_response_codes_are_the_whole_rule(make, server):
    out = make(REQUEST, uri=f"{server}/status/404", options={"allowedResponseCodes": [404]})()
    assert out["code"] == 404
    run = make(REQUEST, uri=f"{server}/echo", options={"allowedResponseCodes": [201]})
    assert failure(run).startswith("Failed http request with response code '200'")


def test_read_timeout_fails_naming_the_url(make, server):
    run = make(REQUEST, uri=f"{server}/sleep?s=0.3", options={"timeout": {"readIdleTimeout": "PT0.1S"}})
    assert failure(run) == f"Read timed out after PT0.1S waiting for '{server}/sleep?s=0.3'"


def test_the_deprecated_read_timeout_is_the_read_idle_timeout(make, server):
    run = make(REQUEST, uri=f"{server}/sleep?s=0.3", options={"readTimeout": "PT0.1S"})
    assert "Read timed out after PT0.1S" in failure(run)


def test_connection_refused_names_the_url(make):
    url = refused_url()
    assert failure(make(REQUEST, uri=url)) == f"Connection refused by '{url}'"


def test_unknown_host_names_the_host_and_the_url(make):
    message = failure(make(REQUEST, uri="http://no-such-host.invalid/x", options={"connectTimeout": "PT5S"}))
    assert message.startswith("Unknown host 'no-such-host.invalid' for 'http://no-such-host.invalid/x'")


def test_cancelling_the_task_run_stops_a_waiting_request(make, server):
    run = make(REQUEST, uri=f"{server}/sleep?s=3")
    threading.Timer(0.2, run.ctx.cancel.set).start()
    assert failure(run) == f"Request to '{server}/sleep?s=3' cancelled"


def test_a_self_signed_certificate_fails_unless_trusted(make, tls_server):
    message = failure(make(REQUEST, uri=f"{tls_server}/echo"))
    assert message.startswith(f"SSL error for '{tls_server}/echo': CERTIFICATE_VERIFY_FAILED")
    out = make(REQUEST, uri=f"{tls_server}/echo", options={"ssl": {"insecureTrustAllCertificates": True}})()
    assert out["code"] == 200 and json.loads(out["body"])["path"] == "/echo"
    out = make(DOWNLOAD, uri=f"{tls_server}/file", sslOptions={"insecureTrustAllCertificates": "true"})()
    assert out["length"] == 8


def test_head_has_no_body_output(make, server):
    out = make(REQUEST, uri=f"{server}/echo", method="HEAD")()
    assert out["code"] == 200 and "body" not in out


def test_no_content_has_no_body_output(make, server):
    out = make(REQUEST, uri=f"{server}/nocontent", method="DELETE")()
    assert out["code"] == 204 and "body" not in out


def test_encrypt_body_is_not_supported_locally_and_says_so(make, server):
    run = make(REQUEST, uri=f"{server}/file", encryptBody=True)
    out = run()
    assert "body" not in out and out["encryptedBody"] == "a,b\n1,2\n"
    assert any("encryptBody is not supported" in m for m in run.at("WARN"))


def test_an_unassigned_code_point_in_the_body_fails_as_in_kestra(make, server):
    message = failure(make(REQUEST, uri=f"{server}/unassigned"))
    assert message.startswith("Illegal unicode code point in request body: 888")


def test_an_http_proxy_receives_the_absolute_url(make, server):
    port = int(server.rsplit(":", 1)[1])
    out = make(REQUEST, uri="http://example.invalid/through?q=1",
               options={"proxy": {"type": "HTTP", "address": "127.0.0.1", "port": port,
                                  "username": "p", "password": "w"}})()
    echo = json.loads(out["body"])
    assert echo["path"] == "http://example.invalid/through?q=1"
    assert echo["headers"]["Host"] == "example.invalid"
    assert echo["headers"]["Proxy-Authorization"] == "Basic " + base64.b64encode(b"p:w").decode()


def test_an_unreachable_proxy_is_named(make):
    port = int(refused_url().rsplit(":", 1)[1].split("/")[0])
    message = failure(make(REQUEST, uri="http://example.invalid/",
                           options={"proxyAddress": "127.0.0.1", "proxyPort": port}))
    assert message == f"Connection refused by 'http://example.invalid/' through the proxy '127.0.0.1:{port}'"


def test_a_truncated_request_body_fails_with_the_sizes(make, server):
    assert failure(make(REQUEST, uri=f"{server}/short")) == (
        "Premature end of Content-Length delimited message body (expected: 100; received: 10) "
        f"from '{server}/short'")


def test_request_logs_when_asked(make, server):
    run = make(REQUEST, uri=f"{server}/echo", method="POST", body="hello",
               options={"logs": ["REQUEST_HEADERS", "REQUEST_BODY", "RESPONSE_HEADERS", "RESPONSE_BODY"]})
    run()
    assert any(m.startswith("request:\n    method: POST") for m in run.at("DEBUG"))
    assert "request payload:\n    hello" in run.at("TRACE")
    assert any(m.startswith("response:\n    status: 200") for m in run.at("DEBUG"))
    assert any(m.startswith("response payload:") for m in run.at("TRACE"))


@pytest.mark.parametrize(("uri", "expected"), [
    (None, "`uri` is required"),
    ("ftp://host/file", "Unsupported URI scheme in 'ftp://host/file'"),
    ("http://host/a b", "Illegal character in URI at index 13: http://host/a b"),
    ("http:///nohost", "it names no host"),
    ("http://host:99999/", "Invalid URI 'http://host:99999/'"),
])
def test_bad_uris_fail_clearly(make, uri, expected):
    assert expected in failure(make(REQUEST, uri=uri))


def test_bad_options_fail_clearly(make, server):
    assert "`options.timeout.readIdleTimeout` is not a duration: `soon`" in failure(
        make(REQUEST, uri=f"{server}/echo", options={"timeout": {"readIdleTimeout": "soon"}}))
    assert "Invalid value 'maybe' for property 'options.followRedirects': expected true or false" in failure(
        make(REQUEST, uri=f"{server}/echo", options={"followRedirects": "maybe"}))
    assert "`method` is not an HTTP method" in failure(make(REQUEST, uri=f"{server}/echo", method="GE T"))


def test_non_ascii_in_the_uri_is_percent_encoded(make, server):
    out = make(REQUEST, uri=f"{server}/echo?name=Zoë")()
    assert json.loads(out["body"])["path"] == "/echo?name=Zo%C3%AB"
    assert check_uri("http://h/é")[1] == "http://h/%C3%A9"


# --------------------------------------------------------------------------- Download


def test_download_uses_the_content_disposition_file_name(make, server):
    run = make(DOWNLOAD, uri=f"{server}/file")
    out = run()
    assert out["uri"] == "kestra:///company/team/flow/executions/ex1/tasks/t/tr1/report+1.csv"
    assert run.storage.read_bytes(out["uri"]) == b"a,b\n1,2\n"
    assert (out["code"], out["length"]) == (200, 8)
    assert out["headers"]["content-length"] == ["8"]
    assert list(run.ctx.workdir.iterdir()) == []  # the temporary file is gone


def test_download_names_the_file_from_filename_star(make, server):
    out = make(DOWNLOAD, uri=f"{server}/file?cd=attachment%3B%20filename*%3DUTF-8%27%27r%C3%A9sum%C3%A9.txt")()
    assert out["uri"].endswith("/r%C3%A9sum%C3%A9.txt")


def test_download_without_a_file_name_keeps_the_extension_of_the_url(make, server):
    out = make(DOWNLOAD, uri=f"{server}/echo?x=data.json", headers={"X": "1"})()
    name = out["uri"].rsplit("/", 1)[1]
    assert name.endswith(".tmp") and name[:-4].isdigit()  # /echo has no extension
    out = make(DOWNLOAD, uri=f"{server}/redirect.json.gz?to=/echo")()
    assert out["uri"].endswith(".json.gz")


def test_download_of_an_empty_body_fails_by_default(make, server):
    assert failure(make(DOWNLOAD, uri=f"{server}/empty")) == "No response from server"


def test_download_of_an_empty_body_warns_when_allowed(make, server):
    run = make(DOWNLOAD, uri=f"{server}/empty", failOnEmptyResponse=False)
    out = run()
    assert out["length"] == 0 and run.storage.size(out["uri"]) == 0
    assert run.at("WARN") == [f"File '{server}/empty' is empty"]


def test_download_of_a_404_fails_and_with_allow_failed_stores_the_body(make, server):
    assert failure(make(DOWNLOAD, uri=f"{server}/status/404")).startswith(
        "Failed http request with response code '404' and body:\nnope")
    run = make(DOWNLOAD, uri=f"{server}/status/404", options={"allowFailed": True})
    out = run()
    assert out["code"] == 404 and run.storage.read_text(out["uri"]) == "nope /status/404"


def test_download_of_a_truncated_body_fails_with_the_sizes(make, server):
    assert failure(make(DOWNLOAD, uri=f"{server}/short")) == "Invalid size, got 10, expected 100"


def test_download_connection_refused_names_the_url(make):
    url = refused_url()
    assert failure(make(DOWNLOAD, uri=url)) == f"Connection refused by '{url}'"


def test_large_download_is_streamed_to_disk(make, server):
    chunks = 512  # 32 MiB
    run = make(DOWNLOAD, uri=f"{server}/large?chunks={chunks}")
    tracemalloc.start()
    try:
        out = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = chunks * len(LARGE_CHUNK)
    assert out["length"] == size
    assert peak < size // 8  # never the whole body in memory
    digest = hashlib.sha256()
    with run.storage.get(out["uri"]).open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    assert digest.hexdigest() == hashlib.sha256(LARGE_CHUNK * chunks).hexdigest()


# --------------------------------------------------------------------------- pieces


@pytest.mark.parametrize(("header", "name"), [
    ('attachment; filename="report 1.csv"', "report 1.csv"),
    ("attachment; filename=plain.txt", "plain.txt"),
    ('attachment; filename="../../etc/passwd"', "passwd"),
    ('attachment; filename="a\\\\b.txt"', "b.txt"),
    ("attachment; filename*=UTF-8''na%C3%AFve.txt; filename=\"fallback.txt\"", "naïve.txt"),
    ("inline", None),
    (None, None),
])
def test_filename_from_disposition(header, name):
    assert filename_from_disposition(header) == name


@pytest.mark.parametrize(("url", "extension"), [
    ("http://h/a/file.csv", ".csv"),
    ("http://h/a/archive.tar.gz?x=1.2", ".tar.gz"),
    ("http://h/v1.2/data", None),
    ("http://h/", None),
    ("http://h", None),
])
def test_extension_of(url, extension):
    assert extension_of(url) == extension


def test_url_encode_is_javas_url_encoder():
    assert url_encode("my file*-_.txt") == "my+file*-_.txt"
    assert url_encode("résumé~(1).txt") == "r%C3%A9sum%C3%A9%7E%281%29.txt"


@given(st.text())
def test_url_encode_output_is_safe_and_reversible(name):
    from urllib.parse import unquote_plus

    encoded = url_encode(name)
    assert all(c.isascii() and (c.isalnum() or c in ".-*_+%") for c in encoded)
    assert unquote_plus(encoded) == name


def test_header_values_are_printed_with_javas_to_string(make):
    run = make(REQUEST, uri="http://h/", headers={"X-List": [1, True, None, {"a": "b"}], "X-Big": 1e20, "X-N": 2})
    assert prepare(run.ctx).headers == [("X-List", "[1, true, null, {a=b}]"), ("X-Big", "1.0E20"), ("X-N", "2")]


def test_options_defaults_and_deprecated_forms():
    opts = parse_options({})
    assert (opts.follow_redirects, opts.allow_failed, opts.allowed_codes, opts.auth) == (True, False, None, None)
    assert opts.read_timeout == 300 and opts.connect_timeout == 180
    opts = parse_options({"options": {"connectTimeout": "PT2S", "readTimeout": "PT0S", "logLevel": "DEBUG",
                                      "allowedResponseCodes": "[200, 404]"}})
    assert (opts.connect_timeout, opts.read_timeout) == (2, None)  # zero waits forever, as Apache's
    assert opts.logs == {"REQUEST_HEADERS", "RESPONSE_HEADERS"}
    assert opts.allowed_codes == [200, 404]


def test_request_headers_replace_authorization_and_compute_the_length():
    opts = parse_options({"options": {"auth": {"type": "BEARER", "token": "t"},
                                      "proxy": {"address": "p", "port": 1, "username": "u", "password": "w"}}})
    body = Body("application/json; charset=UTF-8", [b"{}"], "{}")
    task = [("Authorization", "Basic old"), ("Content-Length", "99"), ("content-type", "text/csv")]
    sent = request_headers(task, opts, "http://h/x", body)
    assert sent == [("content-type", "text/csv"), ("User-Agent", "Kestra"), ("Authorization", "Bearer t"),
                    ("Content-Length", "2"), ("Proxy-Authorization", "Basic " + base64.b64encode(b"u:w").decode())]
    # through a tunnel the proxy's credentials go with CONNECT, not with the request
    assert "Proxy-Authorization" not in dict(request_headers([], opts, "https://h/x", None))


def test_network_errors_name_the_url_the_proxy_and_the_timeout():
    opts = parse_options({"options": {"timeout": {"connectTimeout": "PT0S"}}})
    assert str(network_error(TimeoutError(), "connect", "http://h/", opts, False)) == \
        "Connect timed out after ever for 'http://h/'"
    assert str(network_error(TimeoutError(), "read", "http://h/", opts, True)) == "Request to 'http://h/' cancelled"
    proxied = parse_options({"options": {"proxyAddress": "p", "proxyPort": "8080"}})
    assert str(network_error(OSError(5, "I/O error"), "read", "http://h/", proxied, False)) == \
        "Request to 'http://h/' through the proxy 'p:8080' failed: I/O error"


def test_digest_refuses_what_it_cannot_answer():
    with pytest.raises(TaskFailed, match="unsupported algorithm `SHA-512`"):
        digest_authorization({"algorithm": "SHA-512", "nonce": "n"}, "GET", "/", "u", "p")
    with pytest.raises(TaskFailed, match="unsupported qop `auth-int`"):
        digest_authorization({"qop": "auth-int", "nonce": "n"}, "GET", "/", "u", "p")
    answer = digest_authorization({"realm": "r", "nonce": "n"}, "GET", "/a?b", "u", "p")
    ha1, ha2 = (hashlib.md5(s.encode()).hexdigest() for s in ("u:r:p", "GET:/a?b"))
    assert f'response="{hashlib.md5(f"{ha1}:n:{ha2}".encode()).hexdigest()}"' in answer
