"""`kestra://` URIs in commands and script bodies, made paths of local copies."""
from __future__ import annotations

import os
import re
import tempfile

from ..task import TaskRunContext
from ..tasks.files import read_storage
from .workdir import workdir

__all__ = ["localise_uris"]

_INTERNAL_STORAGE_URI = re.compile(r"kestra://[-\w%.+~#=/]*")


def localise_uris(ctx: TaskRunContext, command: str) -> str:
    """Replace each `kestra://...` URI in `command` by the path of a local copy in the working
    directory, as Kestra's ScriptService does for commands and script bodies."""
    def copy(match: re.Match) -> str:
        fd, name = tempfile.mkstemp(suffix=".tmp", dir=workdir(ctx))
        with os.fdopen(fd, "wb") as f:
            f.write(read_storage(ctx.storage, match.group(0)))
        return name
    return _INTERNAL_STORAGE_URI.sub(copy, command)
