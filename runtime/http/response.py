"""What Kestra makes of a response: whether it has a body at all, and the Request task's body
as text."""
from __future__ import annotations

import unicodedata

from ..task import TaskFailed


def has_body(method: str, status: int) -> bool:
    """Whether the response carries a body at all (Kestra's body is null otherwise)."""
    return method != "HEAD" and status not in (204, 304) and not 100 <= status < 200


def body_text(data: bytes) -> str:
    """The Request task's `body` output: the bytes as UTF-8, refusing what Java calls undefined."""
    text = data.decode("utf-8", errors="replace")
    # Kestra checks each UTF-16 unit with Character.isDefined: only BMP code points can fail
    for char in text:
        if ord(char) < 0x10000 and unicodedata.category(char) == "Cn":
            raise TaskFailed(f"Illegal unicode code point in request body: {ord(char)}, the Request task only "
                             "support valid Unicode strings as body.\nYou can try using the Download task instead.")
    return text
