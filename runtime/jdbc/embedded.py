"""Files of the embedded databases' tasks (DuckDB, SQLite) in the task's working directory:
`outputFiles` (created empty before the SQL runs, so `{{ outputFiles.name }}` names a file the
SQL can write; stored afterwards), database files read from internal storage, and the
database file stored for `outputDbFile`."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterable

from ..storage import StorageError
from ..task import TaskFailed, TaskRunContext
from . import props as P


def _valid_name(name: str) -> str:
    if not name or name.startswith(("/", "./", "..")) or "/" in name or "\\" in name:
        raise TaskFailed(f"Invalid outputFile (only relative path is supported) for path '{name}'")
    return name


def expression_vars(workdir: Path, output_files: Iterable[str] | None = None,
                    output_directory: bool = False) -> dict[str, Any]:
    """What Kestra adds to the variables the SQL is rendered with: `workingDir`, and
    `outputFiles.<name>`, the path of each declared output file."""
    variables: dict[str, Any] = {"workingDir": str(workdir)}
    names = [str(n) for n in (output_files or []) if n is not None]
    if names:
        variables["outputFiles"] = {name: str(Path(workdir) / name) for name in names}
    return variables


def write_input_files(ctx: TaskRunContext) -> None:
    """`inputFiles`: file name -> content (a map, or its JSON text), written into the working
    directory; a `kestra://` content is copied from internal storage."""
    files = ctx.props.get("inputFiles")
    if files is None:
        return
    if isinstance(files, str):
        try:
            files = json.loads(files)
        except ValueError:
            files = None
    if not isinstance(files, dict):
        raise TaskFailed("Invalid value for property 'inputFiles': expected a map of file names to contents")
    root = Path(ctx.workdir).resolve()
    for name, content in files.items():
        target = (root / str(name).lstrip("/")).resolve()
        if root not in target.parents:
            raise TaskFailed(f"Invalid file name '{name}' in 'inputFiles': the path must be a relative path "
                             "inside the working directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str) and content.startswith("kestra://"):
            download(ctx, content, target)
        elif content is not None:
            target.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")


def create_output_files(ctx: TaskRunContext) -> dict[str, Path]:
    files = {}
    for name in P.string_list(ctx.props, "outputFiles"):
        path = Path(ctx.workdir) / _valid_name(name)
        path.touch()
        files[name] = path
    return files


def store_output_files(ctx: TaskRunContext, files: dict[str, Path]) -> dict[str, str]:
    stored = {}
    for name, path in files.items():
        if not path.is_file():
            raise TaskFailed(f"Unable to find the output file '{name}' ({path})")
        stored[name] = ctx.put_file(path, path.name)
    return stored


def download(ctx: TaskRunContext, uri: str, target: Path) -> Path:
    """Copy the internal-storage file `uri` to `target`."""
    try:
        source = ctx.storage.get(uri)
    except StorageError as e:
        raise TaskFailed(str(e)) from None
    shutil.copyfile(source, target)
    return target
