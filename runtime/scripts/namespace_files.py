"""Namespace files (`kestra:///<namespace>/_files/...`) copied into the working directory, as
Kestra's NamespaceFilesUtils does."""
from __future__ import annotations

import time
from typing import Mapping

from ..durations import format_hms
from ..globs import GlobError, anywhere
from ..task import TaskFailed, TaskRunContext
from ..tasks.files import regular_files
from ..tasks.props import choice, flag, invalid, string_list
from .workdir import workdir as workdir_of

__all__ = ["load_namespace_files"]


def load_namespace_files(ctx: TaskRunContext) -> None:
    """Copy the namespace files the `namespaceFiles` property selects into the working
    directory."""
    spec = ctx.props.get("namespaceFiles")
    if spec is None:
        return
    if not isinstance(spec, Mapping):
        raise invalid("namespaceFiles", spec, "an object")
    if not flag(spec, "enabled", True, "namespaceFiles.enabled"):
        return
    started = time.monotonic()
    includes = string_list(spec, "include", name="namespaceFiles.include")
    excludes = string_list(spec, "exclude", name="namespaceFiles.exclude")
    try:
        include = anywhere(includes) if includes else None
        exclude = anywhere(excludes) if excludes else None
    except GlobError as e:
        raise TaskFailed(str(e)) from None
    namespaces = string_list(spec, "namespaces", name="namespaceFiles.namespaces") or [ctx.ids.namespace]
    per_namespace = flag(spec, "folderPerNamespace", False, "namespaceFiles.folderPerNamespace")
    if_exists = choice(spec, "ifExists", ("OVERWRITE", "FAIL", "WARN", "IGNORE"), "OVERWRITE",
                       "namespaceFiles.ifExists")
    workdir = workdir_of(ctx)
    count = 0
    for namespace in namespaces:
        root = ctx.storage.path(f"kestra:///{namespace.replace('.', '/')}/_files")
        for path in regular_files(root) if root.is_dir() else []:
            # Kestra matches a namespace file's path with a leading slash (`/dir/file.py`).
            relative = path.relative_to(root).as_posix()
            if (include is not None and not include("/" + relative)) or (exclude is not None and exclude("/" + relative)):
                continue
            target = workdir / namespace / relative if per_namespace else workdir / relative
            count += 1
            if target.exists() and if_exists != "OVERWRITE":
                if if_exists == "FAIL":
                    raise TaskFailed(f"File '{target.relative_to(workdir)}' already exists in the working directory")
                if if_exists == "WARN":
                    ctx.logger.warn(f"File '{target.relative_to(workdir)}' already exists in the working directory")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    ctx.logger.info(f"Loaded {count} namespace files from '{', '.join(namespaces)}' in "
                    f"{format_hms(time.monotonic() - started)}")
