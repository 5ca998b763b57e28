"""Internal-storage tasks (`io.kestra.plugin.core.storage.*`): Write, Concat, Split, Delete,
Size, Reverse, PurgeCurrentExecutionFiles and the deprecated LocalFiles.

Like Kestra, a task builds its result in a temporary file of its working directory and then
stores it as an output file of the task run (`ctx.put_file`), under a random name that keeps
the extension.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

from ..storage import SCHEME, StorageError
from ..task import TaskFailed, TaskRunContext
from .files import collect_outputs, write_inputs
from .props import flag, integer, required, required_text, string_list, text

# ---------------------------------------------------------------------- values


def readable_bytes(value: Any) -> int | None:
    """Micronaut's ReadableBytesTypeConverter: a number of bytes, or KB/MB/GB (1024-based,
    any case); None when `value` is not one."""
    amount = text(value).upper()
    for unit, factor in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if amount.endswith(unit):
            amount, scale = amount[: -len(unit)], factor
            break
    else:
        scale = 1
    if not re.fullmatch(r"[-+]?\d+", amount):
        return None
    return int(amount) * scale


# ---------------------------------------------------------------------- files


def _suffix(extension: str | None) -> str:
    """LocalWorkingDir.createTempFile: no extension means ".tmp"; a missing dot is added."""
    if extension is None:
        return ".tmp"
    return extension if extension.startswith(".") else "." + extension


def _temp_file(ctx: TaskRunContext, extension: str | None) -> Path:
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=_suffix(extension), prefix="", dir=ctx.workdir)
    os.close(fd)
    return Path(name)


def _store(ctx: TaskRunContext, path: Path, name: str | None = None) -> str:
    """Store a local file as an output file of the task run, then remove the local copy (as
    Kestra's `putFile` does)."""
    uri = ctx.put_file(path, name or path.name)
    path.unlink(missing_ok=True)
    return uri


def _local(ctx: TaskRunContext, uri: Any) -> Path:
    """The local file of an existing internal-storage URI."""
    try:
        return ctx.storage.get(text(uri))
    except StorageError as e:
        raise TaskFailed(str(e)) from None


def _lines(path: Path) -> Iterator[str]:
    """Lines as Java's BufferedReader.readLine gives them: split on \\n, \\r or \\r\\n, without
    their terminator, no empty line after a final terminator; bad UTF-8 becomes U+FFFD."""
    with open(path, encoding="utf-8", errors="replace", newline=None) as f:
        for line in f:
            yield line[:-1] if line.endswith("\n") else line


# ---------------------------------------------------------------------- Write, Concat


def run_write(ctx: TaskRunContext) -> dict:
    content = required_text(ctx.props, "content").encode("utf-8")
    extension = ctx.props.get("extension")
    path = _temp_file(ctx, None if extension is None else text(extension))
    path.write_bytes(content)
    return {"uri": _store(ctx, path)}


def run_concat(ctx: TaskRunContext) -> dict:
    files = required(ctx.props, "files")
    if isinstance(files, str):
        try:
            files = json.loads(files)
        except ValueError as e:
            raise TaskFailed(f"Invalid `files` property: '{files}' is not a JSON array of URIs ({e})") from None
        if not isinstance(files, list):
            raise TaskFailed("Invalid `files` property: the JSON string must hold an array of URIs")
    elif not isinstance(files, (list, tuple)):
        raise TaskFailed(f"Invalid `files` properties with type '{type(files).__name__}'")
    separator = ctx.props.get("separator")
    separator_bytes = None if separator is None else text(separator).encode("utf-8")
    extension = ctx.props.get("extension", ".tmp")
    path = _temp_file(ctx, ".tmp" if extension is None else text(extension))
    with open(path, "wb") as out:
        for uri in files:
            with open(_local(ctx, uri), "rb") as source:
                shutil.copyfileobj(source, out)
            if separator_bytes is not None:
                out.write(separator_bytes)  # after every file, the last one included
    return {"uri": _store(ctx, path)}


# ---------------------------------------------------------------------- Split


def _split_extension(uri: str) -> str:
    """StorageService.split: from the last dot of the URI's path, else ".tmp"."""
    path = uri[len(SCHEME):] if uri.startswith(SCHEME) else uri
    if "." not in path:
        return ".tmp"
    extension = path[path.rindex("."):]
    # Kestra fails on a dot in a directory name (an invalid temp-file suffix); keep ".tmp"
    return ".tmp" if "/" in extension else extension


def run_split(ctx: TaskRunContext) -> dict:
    uri = required_text(ctx.props, "from")
    source = _local(ctx, uri)
    extension = _split_extension(uri)
    separator = ctx.props.get("separator")
    separator = "\n" if separator is None else text(separator)
    lines = _lines(source)

    if ctx.props.get("regexPattern") is not None:
        pattern = text(ctx.props["regexPattern"])
        try:
            regex = re.compile(pattern)
        except re.error as e:
            raise TaskFailed(f"Invalid regexPattern '{pattern}': {e}") from None
        paths = _split_by_regex(ctx, extension, separator, lines, regex)
    elif ctx.props.get("bytes") is not None:
        limit = readable_bytes(ctx.props["bytes"])
        if limit is None:
            raise TaskFailed(f"Invalid size with value '{text(ctx.props['bytes'])}'")
        paths = _split_when(ctx, extension, separator, lines, lambda size, rows: size >= limit)
    elif (partitions := integer(ctx.props, "partitions")) is not None:
        if partitions < 1:
            raise TaskFailed(f"Invalid value '{partitions}' for property 'partitions': expected at least 1")
        paths = _partition(ctx, extension, separator, lines, partitions)
    elif (rows := integer(ctx.props, "rows")) is not None:
        paths = _split_when(ctx, extension, separator, lines, lambda size, count: count >= rows)
    else:
        raise TaskFailed("Invalid configuration with no size, count, rows, nor regexPattern")
    return {"uris": [_store(ctx, path) for path in paths]}


def _split_when(ctx, extension: str, separator: str, lines, full) -> list[Path]:
    """A new file when the current one is `full(bytes, rows)` (checked before each row, so a
    file can pass a byte limit by one row)."""
    paths: list[Path] = []
    out = None
    size = count = 0
    try:
        for line in lines:
            if out is None or full(size, count):
                if out is not None:
                    out.close()
                size = count = 0
                paths.append(_temp_file(ctx, extension))
                out = open(paths[-1], "wb")
            data = (line + separator).encode("utf-8", errors="replace")
            out.write(data)
            size += len(data)
            count += 1
    finally:
        if out is not None:
            out.close()
    return paths


def _partition(ctx, extension: str, separator: str, lines, partitions: int) -> list[Path]:
    """Rows dealt round-robin into `partitions` files; empty files are dropped."""
    paths = [_temp_file(ctx, extension) for _ in range(partitions)]
    outs = [open(p, "wb") for p in paths]
    try:
        for i, line in enumerate(lines):
            outs[i % partitions].write((line + separator).encode("utf-8", errors="replace"))
    finally:
        for out in outs:
            out.close()
    kept = []
    for path in paths:
        if path.stat().st_size > 0:
            kept.append(path)
        else:
            path.unlink()
    return kept


def _split_by_regex(ctx, extension: str, separator: str, lines, regex: re.Pattern) -> list[Path]:
    """Rows grouped by the first capture group of their first match; other rows are dropped."""
    paths: list[Path] = []
    outs: dict[Any, Any] = {}
    try:
        for line in lines:
            m = regex.search(line)
            if m is None or regex.groups == 0:
                continue
            group = m.group(1)
            if group not in outs:
                paths.append(_temp_file(ctx, extension))
                outs[group] = open(paths[-1], "wb")
            outs[group].write((line + separator).encode("utf-8", errors="replace"))
    finally:
        for out in outs.values():
            out.close()
    return paths


# ---------------------------------------------------------------------- Delete, Size


def run_delete(ctx: TaskRunContext) -> dict:
    uri = required_text(ctx.props, "uri")
    try:
        path = ctx.storage.path(uri)
    except StorageError as e:
        raise TaskFailed(str(e)) from None
    if path.is_dir():
        shutil.rmtree(path)
        deleted = True
    else:
        deleted = ctx.storage.delete(uri)
    if not deleted and flag(ctx.props, "errorOnMissing", False):
        raise TaskFailed(f"Unable to find file '{uri}'")
    return {"uri": uri, "deleted": deleted}


def run_size(ctx: TaskRunContext) -> dict:
    return {"size": _local(ctx, required(ctx.props, "uri")).stat().st_size}


# ---------------------------------------------------------------------- Reverse


def _file_extension(uri: str) -> str | None:
    """commons-io FilenameUtils.getExtension with a dot, or None."""
    name = uri.rsplit("/", 1)[-1]
    return name[name.rindex("."):] if "." in name and not name.endswith(".") else None


def run_reverse(ctx: TaskRunContext) -> dict:
    uri = required_text(ctx.props, "from")
    separator = ctx.props.get("separator")
    separator = "\n" if separator is None else text(separator)
    charset = text(ctx.props.get("charset") or "UTF-8")
    try:
        codecs.lookup(charset)
    except LookupError:
        raise TaskFailed(f"Unsupported charset '{charset}'") from None
    content = _local(ctx, uri).read_bytes().decode(charset, errors="replace")
    lines = re.split(r"\r\n|\n|\r", content)
    lines.reverse()
    # commons-io's ReversedLinesFileReader skips the first empty line it meets (meant for the
    # one after a final newline, but it skips whichever comes first)
    if "" in lines:
        lines.remove("")
    path = _temp_file(ctx, _file_extension(uri))
    with open(path, "wb") as out:
        for line in lines:
            out.write((line + separator).encode(charset, errors="replace"))
    return {"uri": _store(ctx, path)}


# ---------------------------------------------------------------------- PurgeCurrentExecutionFiles


def run_purge_current_execution_files(ctx: TaskRunContext) -> dict:
    """Delete every file of this execution; the URIs of what was deleted (files and
    directories, the deepest first, as Kestra's local storage lists them)."""
    i = ctx.ids
    prefix = ctx.storage.execution_prefix(i.namespace, i.flow_id, i.execution_id)
    root = ctx.storage.run_dir(i.namespace, i.flow_id, i.execution_id) / "files"
    if not root.exists():
        return {"uris": []}
    found = [root]
    for directory, dirs, files in os.walk(root):
        found.extend(Path(directory) / name for name in (*dirs, *files))
    found.sort(key=lambda p: p.as_posix(), reverse=True)
    uris = []
    for path in found:
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
        rel = path.relative_to(root).as_posix()
        uris.append(prefix if rel == "." else f"{prefix}/{rel}")
    return {"uris": uris}


# ---------------------------------------------------------------------- LocalFiles


def run_local_files(ctx: TaskRunContext) -> dict:
    workdir = ctx.workdir.resolve()
    write_inputs(workdir, ctx.props.get("inputs"), ctx.storage, "inputs")

    def store(path: Path, name: str) -> str:
        return _store(ctx, path, f"{friendly_id(str(path))}-{path.name}")

    return {"uris": collect_outputs(workdir, string_list(ctx.props, "outputs"), store)}


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def friendly_id(text: str) -> str:
    """Kestra's `IdUtils.from`: the name-based UUID of the MD5 of `text`, in base 62."""
    raw = bytearray(hashlib.md5(hashlib.md5(text.encode("utf-8")).digest()).digest())
    raw[6] = (raw[6] & 0x0F) | 0x30  # UUID version 3
    raw[8] = (raw[8] & 0x3F) | 0x80  # IETF variant
    number = int.from_bytes(raw, "big")
    digits = ""
    while number:
        number, digit = divmod(number, 62)
        digits = _BASE62[digit] + digits
    return digits or "0"


TASKS = {
    "io.kestra.plugin.core.storage.Write": run_write,
    "io.kestra.plugin.core.storage.Concat": run_concat,
    "io.kestra.plugin.core.storage.Split": run_split,
    "io.kestra.plugin.core.storage.Delete": run_delete,
    "io.kestra.plugin.core.storage.Size": run_size,
    "io.kestra.plugin.core.storage.Reverse": run_reverse,
    "io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles": run_purge_current_execution_files,
    "io.kestra.plugin.core.storage.LocalFiles": run_local_files,
}
