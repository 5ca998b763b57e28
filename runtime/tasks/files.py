"""Files in and out of a working directory: `inputFiles` (name -> content, or an internal
storage URI to copy) and `outputFiles` (globs of files to store)."""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from ..storage import Storage
from ..task import TaskFailed


def write_inputs(directory: Path, files, storage: Storage) -> list[str]:
    """Write `files` (a map, or a JSON object as a string) into `directory`; return their names."""
    if files in (None, "", {}):
        return []
    if isinstance(files, str):
        try:
            files = json.loads(files)
        except ValueError:
            raise TaskFailed("`inputFiles` is neither a map nor a JSON object of file names to contents") from None
    if not isinstance(files, dict):
        raise TaskFailed("`inputFiles` must be a map of file names to contents")
    root = directory.resolve()
    for name, content in files.items():
        target = (directory / str(name)).resolve()
        if root not in target.parents:
            raise TaskFailed(f"the input file `{name}` would be written outside the working directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str) and content.startswith("kestra:///"):
            target.write_bytes(storage.read_bytes(content))
        else:
            target.write_text("" if content is None else str(content), encoding="utf-8")
    return [str(name) for name in files]


def collect_outputs(directory: Path, patterns, storage: Storage, uri_prefix: str) -> dict[str, str]:
    """Store the files of `directory` matching `patterns` under `uri_prefix`; map each
    file's path relative to the directory to its URI."""
    if isinstance(patterns, str):
        patterns = [patterns]
    found: dict[str, str] = {}
    for pattern in patterns or ():
        for path in sorted(directory.glob(str(pattern))):
            if path.is_file():
                name = PurePosixPath(path.relative_to(directory).as_posix()).as_posix()
                found[name] = storage.put(f"{uri_prefix}/{name}", path)
    return found
