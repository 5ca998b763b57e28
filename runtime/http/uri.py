"""URLs as Kestra takes them: checked as java.net.URI checks them, sent with non-ASCII
characters percent-encoded (as Java sends them), and the request target of a URL."""
from __future__ import annotations

import urllib.parse
from typing import Any

from ..task import TaskFailed

# characters java.net.URI refuses unescaped (Kestra parses `uri` with it)
_ILLEGAL_URI_CHARS = frozenset(' "<>\\^`{|}') | frozenset(chr(c) for c in range(0x20)) | {"\x7f"}
_PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7f))


def as_sent(text: str) -> str:
    """`text` with everything but printable ASCII percent-encoded (UTF-8), as Java sends a URI."""
    return urllib.parse.quote(text, safe=_PRINTABLE_ASCII)


def check_uri(value: Any) -> tuple[str, str]:
    """The URI as written and as sent (non-ASCII characters percent-encoded, as Java sends them)."""
    if not isinstance(value, str) or not value.strip():
        raise TaskFailed("`uri` is required: the URL to call")
    for index, char in enumerate(value):
        if char in _ILLEGAL_URI_CHARS:
            raise TaskFailed(f"Illegal character in URI at index {index}: {value}")
    url = as_sent(value)
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


def request_target(parts: urllib.parse.SplitResult) -> str:
    """What the request line names when not through a proxy: the path and the query."""
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
