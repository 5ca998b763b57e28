"""One run of a script task: input files in, the process, output files out, and the outputs
Kestra gives the task run: `{"vars": {...}, "exitCode": int, "outputFiles": {name: URI}}`.
A non-zero exit code fails with "Command failed with exit code N" and the same outputs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..task import TaskFailed, TaskRunContext
from ..tasks.files import collect_outputs, regular_files, store_files, write_inputs
from ..tasks.props import flag, string_list
from .command import command_line
from .environment import environment
from .languages import PYTHON, Language
from .namespace_files import load_namespace_files
from .process import run_process
from .protocol import LineConsumer
from .runners import notice_container
from .workdir import output_dir_of, workdir

__all__ = ["ScriptFailed", "execute"]


class ScriptFailed(TaskFailed):
    """The command ended with a non-zero exit code. `outputs` holds what Kestra still attaches
    to the failed task run: `vars` emitted before the failure, `exitCode` and `outputFiles`."""

    def __init__(self, message: str, outputs: dict[str, Any]) -> None:
        super().__init__(message)
        self.outputs = outputs


def execute(ctx: TaskRunContext, language: Language, commands: list[str], language_env: dict[str, str]) -> dict:
    """Run `commands` (already made: a `Script` body is its command) for a task of `language`,
    with `language_env` added to the environment; the task run's outputs."""
    props = ctx.props
    notice_container(ctx, language)
    if language is PYTHON and props.get("dependencies"):
        deps = ", ".join(string_list(props, "dependencies"))
        ctx.logger.warn(f"Python dependencies are not installed by flowc ({deps}): "
                        "install them in the Python environment that runs the flow")
    flag(props, "warningOnStdErr", True)  # validated, no effect since Kestra 0.23

    load_namespace_files(ctx)
    write_inputs(workdir(ctx), props.get("inputFiles"), ctx.storage)
    output_dir = None
    if flag(props, "outputDirectory", False):
        output_dir = output_dir_of(workdir(ctx))
        output_dir.mkdir(exist_ok=True)

    argv = command_line(ctx, commands)
    env = environment(ctx, language_env, output_dir)
    consumer = LineConsumer(ctx)
    exit_code = run_process(ctx, argv, env, consumer.accept)

    outputs = {"vars": consumer.outputs, "exitCode": exit_code, "outputFiles": _output_files(ctx, output_dir)}
    if exit_code != 0:
        raise ScriptFailed(f"Command failed with exit code {exit_code}", outputs)
    ctx.logger.debug(f"Command succeed with exit code {exit_code}")
    return outputs


def _output_files(ctx: TaskRunContext, output_dir: Path | None) -> dict[str, str]:
    """The files of the output directory and those matching `outputFiles`, stored (also when
    the command failed): relative name -> URI."""
    def store(path: Path, name: str) -> str:
        return ctx.put_file(path, name)

    files = store_files(output_dir, regular_files(output_dir), store) if output_dir is not None else {}
    files.update(collect_outputs(workdir(ctx), string_list(ctx.props, "outputFiles"), store))
    return dict(sorted(files.items()))
