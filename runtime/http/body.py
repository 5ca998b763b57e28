"""The request body Kestra builds from a task's `body` or `formData`: text or JSON in the
default charset, a URL-encoded form, or a multipart form whose files come from internal
storage (streamed, never read into memory)."""
from __future__ import annotations

import json
import random
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..pebble.printing import to_string
from ..storage import StorageError
from ..task import TaskFailed, TaskRunContext
from .props import mapping

CHUNK = 64 * 1024


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


def request_body(ctx: TaskRunContext, props: dict, charset: str) -> Body | None:
    """The body the task's `formData` (first) or `body` make, or None without either."""
    content_type = props.get("contentType", "application/json")  # Kestra's default
    content_type = None if content_type in (None, "") else str(content_type)
    form = mapping(props.get("formData"), "formData")
    if form:
        if content_type == "multipart/form-data":
            return _multipart(ctx, form, charset)
        return _url_encoded(form, charset)
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


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _url_encoded(form: dict, charset: str) -> Body:
    pairs = []
    for key, value in form.items():
        if value is None:
            raise TaskFailed(f"Invalid null type on key '{key}' and value 'null'")
        pairs.append((str(key), to_string(value)))  # Kestra prints form values with Java's toString
    text = urllib.parse.urlencode(pairs, encoding=charset)
    return Body(f"application/x-www-form-urlencoded; charset={charset}", [text.encode("ascii")], text)


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
