"""The task run's working directory and the deprecated output directory inside it."""
from __future__ import annotations

from pathlib import Path

from ..task import TaskRunContext

__all__ = ["OUTPUT_DIR_NAME", "workdir", "output_dir_of"]

# Kestra puts the deprecated output directory at a random name inside the working directory;
# a fixed name lets the engine know `{{ outputDir }}` before the task runs.
OUTPUT_DIR_NAME = "_kestra_output_dir"


def workdir(ctx: TaskRunContext) -> Path:
    """The working directory, absolute, since paths to files in it are handed to a process
    that runs inside it."""
    return Path(ctx.workdir).absolute()


def output_dir_of(workdir: Path) -> Path:
    """Where the deprecated output directory is (`{{ outputDir }}`, `$OUTPUT_DIR`)."""
    return Path(workdir) / OUTPUT_DIR_NAME
