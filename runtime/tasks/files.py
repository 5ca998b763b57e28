"""Files in and out of a working directory, as Kestra's FilesService and LocalWorkingDir do it
for script tasks, WorkingDirectory and LocalFiles.

* Input files: a map of file names to contents, or that map as a JSON string (null contents
  of a map are dropped; a null content in a JSON string makes an empty file). A content that
  is a `kestra://` URI is copied from internal storage; any other is written as UTF-8 text.
  A name is a path relative to the directory (a leading `/` is the directory, as Java's
  `new File(dir, "/x")`); one that would lead outside the directory is refused.
* Output files: the regular files of the directory (never through a symbolic link) matching
  Java path patterns (runtime/globs.py: bare globs relative to the directory, `glob:` and
  `regex:` patterns against the absolute path), keyed by their path relative to it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable
from urllib.parse import unquote

from ..globs import GlobError, under
from ..storage import Storage, StorageError
from ..task import TaskFailed
from .props import invalid, text

__all__ = ["read_storage", "input_files", "inside", "write_inputs", "regular_files", "matching_files",
           "store_files", "collect_outputs"]


def read_storage(storage: Storage, uri: str) -> bytes:
    """The bytes of an internal-storage file; a URI written percent-encoded (as Java's URI
    carries it) is also looked up decoded."""
    try:
        return storage.read_bytes(uri)
    except StorageError as e:
        if "%" in uri:
            try:
                return storage.read_bytes(unquote(uri))
            except StorageError:
                pass
        raise TaskFailed(str(e)) from None


def input_files(value: Any, prop: str = "inputFiles") -> dict[str, Any]:
    """The input files a property names: file name -> content (None for an empty file)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if v is not None}  # Kestra drops null entries of a map
    if not isinstance(value, str):
        # Kestra's words (PluginUtilsService.transformInputFiles)
        raise TaskFailed(f"Invalid `files` properties with type '{type(value).__name__}'")
    expected = "a JSON object of file names to contents"
    try:
        files = json.loads(value)
    except json.JSONDecodeError as e:
        raise invalid(prop, value, expected, f"{e.msg} at line {e.lineno}, column {e.colno}") from None
    if not isinstance(files, dict):
        raise invalid(prop, value, expected)
    return {str(k): v for k, v in files.items()}


def inside(directory: Path, name: str, prop: str) -> Path:
    """The path of file `name` in `directory`; a name that leads outside it is refused (as
    Kestra's LocalWorkingDir.resolve), also through a symbolic link in the directory."""
    relative = PurePosixPath(name.lstrip("/"))
    target = Path(directory).joinpath(*relative.parts)
    root = Path(directory).resolve()
    resolved = target.resolve()
    if not relative.parts or ".." in relative.parts or (resolved != root and root not in resolved.parents):
        raise TaskFailed(f"Invalid file name '{name}' in '{prop}': the path must be a relative path inside "
                         "the working directory")
    return target


def write_inputs(directory: Path, value: Any, storage: Storage, prop: str = "inputFiles") -> list[str]:
    """Write the input files property `prop` names into `directory`; return their names."""
    files = input_files(value, prop)
    for name, content in files.items():
        target = inside(directory, name, prop)
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.touch()
        elif isinstance(content, str) and content.startswith("kestra://"):
            target.write_bytes(read_storage(storage, content))
        else:
            target.write_bytes(text(content).encode("utf-8"))
    return list(files)


def regular_files(root: Path) -> list[Path]:
    """Regular files under `root`, never through a symbolic link (as Kestra walks), sorted by
    their path relative to `root`."""
    found = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath, name)
            if not path.is_symlink() and path.is_file():
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def matching_files(directory: Path, patterns: Iterable[str]) -> list[Path]:
    """The regular files of `directory` matching any of `patterns` (Java path patterns)."""
    patterns = list(patterns)
    if not patterns:
        return []
    root = Path(directory).absolute()
    try:
        matches = under(root, patterns)
    except GlobError as e:
        raise TaskFailed(str(e)) from None
    return [path for path in regular_files(root) if matches(path.as_posix())]


def store_files(directory: Path, paths: Iterable[Path], store: Callable[[Path, str], str]) -> dict[str, str]:
    """Store each of `paths` (files of `directory`) with `store(path, name relative to the
    directory)`; map those names to what `store` returned (their URIs)."""
    root = Path(directory).absolute()
    found: dict[str, str] = {}
    for path in paths:
        name = Path(path).absolute().relative_to(root).as_posix()
        try:
            found[name] = store(path, name)
        except (OSError, StorageError) as e:
            raise TaskFailed(f"Unable to store the output file '{name}': {e}") from None
    return found


def collect_outputs(directory: Path, patterns: Iterable[str], store: Callable[[Path, str], str]) -> dict[str, str]:
    """Store the files of `directory` matching `patterns` (see `store_files`)."""
    return store_files(directory, matching_files(directory, patterns), store)
