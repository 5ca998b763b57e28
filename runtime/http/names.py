"""The name a downloaded file is stored under, as Kestra's Download task picks it: the
Content-Disposition's file name encoded with Java's URLEncoder, or else a temporary file's
name that keeps the URL's extension."""
from __future__ import annotations

import random
import urllib.parse

from ..task import TaskLogger


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
