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

from ..pebble.printing import output
from ..storage import SCHEME, StorageError
from ..task import TaskFailed, TaskRunContext

# ---------------------------------------------------------------------- properties


def _required(ctx: TaskRunContext, name: str) -> Any:
    value = ctx.props.get(name)
    if value is None:
        raise TaskFailed(f"Missing required property '{name}'")
    return value


def _text(value: Any) -> str:
    """A property's value as text, as `{{ value }}` would print it."""
    return value if isinstance(value, str) else output(value)


def _flag(ctx: TaskRunContext, name: str, default: bool) -> bool:
    value = ctx.props.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise TaskFailed(f"Invalid value '{value}' for property '{name}': expected true or false")


def _integer(ctx: TaskRunContext, name: str) -> int:
    value = ctx.props[name]
    if isinstance(value, bool):
        raise TaskFailed(f"Invalid value '{value}' for property '{name}': expected an integer")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise TaskFailed(f"Invalid value '{value}' for property '{name}': expected an integer") from None


def readable_bytes(value: Any) -> int | None:
    """Micronaut's ReadableBytesTypeConverter: a number of bytes, or KB/MB/GB (1024-based,
    any case); None when `value` is not one."""
    text = _text(value).upper()
    for unit, factor in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if text.endswith(unit):
            text, scale = text[: -len(unit)], factor
            break
    else:
        scale = 1
    if not re.fullmatch(r"[-+]?\d+", text):
        return None
    return int(text) * scale


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
        return ctx.storage.get(_text(uri))
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
    content = _text(_required(ctx, "content")).encode("utf-8")
    extension = ctx.props.get("extension")
    path = _temp_file(ctx, None if extension is None else _text(extension))
    path.write_bytes(content)
    return {"uri": _store(ctx, path)}


def run_concat(ctx: TaskRunContext) -> dict:
    files = _required(ctx, "files")
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
    separator_bytes = None if separator is None else _text(separator).encode("utf-8")
    extension = ctx.props.get("extension", ".tmp")
    path = _temp_file(ctx, ".tmp" if extension is None else _text(extension))
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
    uri = _text(_required(ctx, "from"))
    source = _local(ctx, uri)
    extension = _split_extension(uri)
    separator = ctx.props.get("separator")
    separator = "\n" if separator is None else _text(separator)
    lines = _lines(source)

    if ctx.props.get("regexPattern") is not None:
        pattern = _text(ctx.props["regexPattern"])
        try:
            regex = re.compile(pattern)
        except re.error as e:
            raise TaskFailed(f"Invalid regexPattern '{pattern}': {e}") from None
        paths = _split_by_regex(ctx, extension, separator, lines, regex)
    elif ctx.props.get("bytes") is not None:
        limit = readable_bytes(ctx.props["bytes"])
        if limit is None:
            raise TaskFailed(f"Invalid size with value '{_text(ctx.props['bytes'])}'")
        paths = _split_when(ctx, extension, separator, lines, lambda size, rows: size >= limit)
    elif ctx.props.get("partitions") is not None:
        partitions = _integer(ctx, "partitions")
        if partitions < 1:
            raise TaskFailed(f"Invalid value '{partitions}' for property 'partitions': expected at least 1")
        paths = _partition(ctx, extension, separator, lines, partitions)
    elif ctx.props.get("rows") is not None:
        rows = _integer(ctx, "rows")
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
    uri = _text(_required(ctx, "uri"))
    try:
        path = ctx.storage.path(uri)
    except StorageError as e:
        raise TaskFailed(str(e)) from None
    if path.is_dir():
        shutil.rmtree(path)
        deleted = True
    else:
        deleted = ctx.storage.delete(uri)
    if not deleted and _flag(ctx, "errorOnMissing", False):
        raise TaskFailed(f"Unable to find file '{uri}'")
    return {"uri": uri, "deleted": deleted}


def run_size(ctx: TaskRunContext) -> dict:
    return {"size": _local(ctx, _required(ctx, "uri")).stat().st_size}


# ---------------------------------------------------------------------- Reverse


def _file_extension(uri: str) -> str | None:
    """commons-io FilenameUtils.getExtension with a dot, or None."""
    name = uri.rsplit("/", 1)[-1]
    return name[name.rindex("."):] if "." in name and not name.endswith(".") else None


def run_reverse(ctx: TaskRunContext) -> dict:
    uri = _text(_required(ctx, "from"))
    separator = ctx.props.get("separator")
    separator = "\n" if separator is None else _text(separator)
    charset = _text(ctx.props.get("charset") or "UTF-8")
    try:
        codecs.lookup(charset)
    except LookupError:
        raise TaskFailed(f"Unsupported charset '{charset}'") from None
    text = _local(ctx, uri).read_bytes().decode(charset, errors="replace")
    lines = re.split(r"\r\n|\n|\r", text)
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
    inputs = ctx.props.get("inputs")
    if inputs is not None:
        _create_inputs(ctx, inputs)
    outputs = ctx.props.get("outputs")
    if isinstance(outputs, str):
        outputs = [outputs]
    if outputs is not None and not isinstance(outputs, (list, tuple)):
        raise TaskFailed(f"Invalid `outputs` property: expected a list of globs, got {type(outputs).__name__}")
    uris = {}
    workdir = ctx.workdir.resolve()
    for path in find_matching_files(workdir, [_text(p) for p in outputs or []]):
        uris[path.relative_to(workdir).as_posix()] = _store(ctx, path, f"{friendly_id(str(path))}-{path.name}")
    return {"uris": uris}


def _create_inputs(ctx: TaskRunContext, inputs: Any) -> None:
    if isinstance(inputs, str):
        try:
            files = json.loads(inputs)
        except ValueError as e:
            raise TaskFailed(f"Invalid `inputs` property: '{inputs}' is not a JSON object ({e})") from None
        if not isinstance(files, dict):
            raise TaskFailed("Invalid `inputs` property: the JSON string must hold an object")
    elif isinstance(inputs, dict):
        files = {k: v for k, v in inputs.items() if v is not None}
    else:
        raise TaskFailed(f"Invalid `files` properties with type '{type(inputs).__name__}'")
    workdir = ctx.workdir.resolve()
    for name, content in files.items():
        target = (workdir / str(name)).resolve()
        if target != workdir and workdir not in target.parents:
            raise TaskFailed(f"Input file '{name}' would be written outside the working directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.touch()
        elif isinstance(content, str) and content.startswith("kestra://"):
            shutil.copyfile(_local(ctx, content), target)
        else:
            target.write_bytes(_text(content).encode("utf-8"))


def find_matching_files(base: Path, patterns: list[str]) -> list[Path]:
    """Files under `base` matching any pattern, as Kestra's PathMatcherPredicate matches them:
    a glob is taken relative to `base`; `glob:` and `regex:` patterns match the absolute path."""
    if not patterns:
        return []
    matchers = [_matcher(base, p) for p in patterns]
    found = []
    for directory, dirs, files in os.walk(base):
        dirs.sort()
        for name in sorted(files):
            path = Path(directory) / name
            text = path.as_posix()
            if any(m.fullmatch(text) for m in matchers):
                found.append(path)
    return found


def _matcher(base: Path, pattern: str) -> re.Pattern:
    try:
        if pattern.startswith("regex:"):
            return re.compile(pattern[len("regex:"):])
        if pattern.startswith("glob:"):
            return re.compile(glob_to_regex(pattern[len("glob:"):]))
        return re.compile(re.escape(base.as_posix().rstrip("/")) + "/" + glob_to_regex(pattern.lstrip("/")))
    except (ValueError, re.error) as e:
        raise TaskFailed(f"Invalid pattern '{pattern}': {e}") from None


def glob_to_regex(glob: str) -> str:
    """A Java glob (FileSystem.getPathMatcher) as a Python regex for `fullmatch`: `*` and `?`
    stay inside one path segment, `**` crosses them, `[...]` / `[!...]` classes, `{a,b}` groups."""
    out: list[str] = []
    i, n, in_group = 0, len(glob), False
    while i < n:
        c = glob[i]
        i += 1
        if c == "\\":
            if i == n:
                raise ValueError("no character to escape")
            out.append(re.escape(glob[i]))
            i += 1
        elif c == "*":
            if i < n and glob[i] == "*":
                out.append(".*")
                i += 1
            else:
                out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            negate = glob.startswith("!", i)
            start = i + 1 if negate else i
            end = glob.find("]", start)
            if end < 0:
                raise ValueError("missing ']'")
            body = glob[start:end]
            i = end + 1
            if "/" in body:
                raise ValueError("explicit 'name separator' in class")
            # characters Python's classes treat specially (or warn about) are taken literally
            body = re.sub(r"([\\\[\]^&~|])", r"\\\1", body)
            out.append(f"(?!/)[{'^' if negate else ''}{body}]")
        elif c == "{":
            if in_group:
                raise ValueError("cannot nest groups")
            out.append("(?:(?:")
            in_group = True
        elif c == "}" and in_group:
            out.append("))")
            in_group = False
        elif c == "," and in_group:
            out.append(")|(?:")
        else:
            out.append(re.escape(c))
    if in_group:
        raise ValueError("missing '}'")
    return "".join(out)


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
