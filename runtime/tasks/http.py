"""The core HTTP tasks, `Request` and `Download`, over the standard library's http.client.

They follow Kestra's HTTP client (Apache HttpClient 5 behind `io.kestra.core.http.client`):
`options` in its nested form and its deprecated flat form; response headers as a map of
lower-case names to lists of values; a response code outside what is allowed fails the task
with "Failed http request with response code '<code>' and body: ...". The work is in
runtime/http/; this module runs the two tasks and names them for the engine.
"""
from __future__ import annotations

from typing import Any

from ..http.call import prepare
from ..http.exchange import Exchange
from ..http.headers import response_headers
from ..http.logs import log_response_body
from ..http.names import extension_of, filename_from_disposition, temp_name, url_encode
from ..http.response import body_text, has_body
from ..task import TaskFailed, TaskRunContext
from .props import flag


def run_request(ctx: TaskRunContext) -> dict:
    call = prepare(ctx)
    with Exchange(ctx, call) as exchange:
        response = exchange.response()
        data = exchange.read(response) if has_body(call.method, response.status) else None
    body = None if data is None else body_text(data)
    if body is not None:
        log_response_body(ctx.logger, call.options.logs, body)
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


def run_download(ctx: TaskRunContext) -> dict:
    call = prepare(ctx)
    fail_on_empty = flag(ctx.props, "failOnEmptyResponse", True)
    temp = ctx.workdir / temp_name(extension_of(call.url))
    try:
        with Exchange(ctx, call) as exchange:
            response = exchange.response()
            size = 0
            if has_body(call.method, response.status):
                size = exchange.save(response, temp)
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


TASKS = {
    "io.kestra.plugin.core.http.Request": run_request,
    "io.kestra.plugin.core.http.Download": run_download,
}
