"""The scripts plugin (`io.kestra.plugin.scripts.{shell,python,node}.{Script,Commands}`), run
as local processes in the task run's working directory. The work is in runtime/scripts/;
this module names the tasks for the engine and gives it `expression_vars`.

What Kestra does, and so what this does (Kestra's `CommandsWrapper`, `Process` task runner,
`DefaultLogConsumer`, `TaskLogLineMatcher`, `FilesService`, `ScriptService`):

* The command line is `interpreter + [join(beforeCommands..., commands..., "\\n")]`, with
  `set -e` first when `failFast` (the default); output of `beforeCommands` is logged at DEBUG
  (Kestra brackets them with `##kestra:log:debug##` / `##kestra:log:info##` marker lines).
* A `Script` task's body: the shell's is the command itself; python's and node's are written
  to a temporary file in the working directory that the command runs. Python's gets Kestra's
  `true = True` / `false = False` / `null = None` prelude and runs with `$VIRTUAL_ENV/bin/python`
  when a virtualenv is active, else with the interpreter running flowc (`sys.executable`).
* stdout lines are logged at INFO and stderr lines at ERROR, as they come. A whole line
  `::{json}::` (on either stream) is not logged: its `outputs` are merged into `vars`, its
  `logs` are re-logged at their level; its `metrics` are dropped with a DEBUG log (flowc keeps
  no metrics); invalid JSON is ignored with a WARN log.
* Since Kestra 0.23 stderr output no longer ends a task in WARNING: `warningOnStdErr` is
  accepted and has no effect (kestra-io/plugin-scripts#233).
* Any `kestra://...` URI in `interpreter`, `beforeCommands`, `commands` or a `Script` body is
  copied from internal storage to a file in the working directory and replaced by its path.
* `inputFiles` (a map or a JSON object string, name -> content; a `kestra://` content is
  copied from storage) and `namespaceFiles` are written to the working directory first;
  files matching the `outputFiles` globs (Java glob syntax, relative to the working directory)
  are stored afterwards, also when the command failed.
* Outputs are `{"vars": {...}, "exitCode": int, "outputFiles": {relative name: URI}}`. A
  non-zero exit code fails with "Command failed with exit code N" and the same outputs, carried
  by `ScriptFailed.outputs` for the engine to attach to the failed task run.

Differences, on purpose: whatever `taskRunner`, `containerImage`, `runner` or `docker` say, the
commands run as a local process (logged once at INFO when they asked for a container); python
`dependencies` are not installed (logged at WARN); POSIX only (`targetOS: WINDOWS` is honoured
literally, as Kestra would on a Linux worker).

For the engine:
* `timeout` is the engine's: the process leads its own process group, and when `ctx.cancel`
  is set that group is ended (SIGTERM, then SIGKILL after a grace period); `run` then fails
  with exit code 143 (128 + SIGTERM, as Java reports it) and the engine reports the timeout.
  An exception in the calling thread (KeyboardInterrupt) kills the group at once.
* `expression_vars(...)` gives the variables Kestra adds when rendering a script task's
  properties (`workingDir`, `outputDir`, `outputFiles`); the engine renders with them.
* Logs are emitted on the thread that called `run`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from ..scripts.command import assemble_command
from ..scripts.execute import ScriptFailed, execute
from ..scripts.languages import NODE, NODE_SCRIPT_ENV, PYTHON, SHELL, Language
from ..scripts.script_files import node_script_command, python_script_command
from ..scripts.uris import localise_uris
from ..scripts.workdir import OUTPUT_DIR_NAME, output_dir_of, workdir
from ..task import TaskRunContext
from .props import required_text, string_list

__all__ = ["TASKS", "ScriptFailed", "expression_vars", "assemble_command", "OUTPUT_DIR_NAME"]


def expression_vars(workdir: Path, output_files: Iterable[str] | None = None,
                    output_directory: bool = False) -> dict[str, Any]:
    """The variables Kestra adds when rendering a script task's properties: `workingDir`,
    `outputDir` (when the deprecated `outputDirectory` is on) and `outputFiles` (name -> path
    for each declared output file that is not a glob)."""
    variables: dict[str, Any] = {"workingDir": str(workdir)}
    if output_directory:
        variables["outputDir"] = str(output_dir_of(workdir))
    names = {n: f"{workdir}/{n}" for n in (output_files or []) if not any(c in n for c in "*?[")}
    if names:
        variables["outputFiles"] = names
    return variables


def _commands_task(language: Language) -> Callable[[TaskRunContext], dict]:
    def run(ctx: TaskRunContext) -> dict:
        commands = string_list(ctx.props, "commands", required=True)
        return execute(ctx, language, commands, dict(language.env))
    run.__name__ = f"run_{language.name}_commands"
    return run


def _script_task(language: Language) -> Callable[[TaskRunContext], dict]:
    def run(ctx: TaskRunContext) -> dict:
        body = localise_uris(ctx, required_text(ctx.props, "script"))
        env = dict(language.env)
        if language is SHELL:
            command = body  # the shell Script's body is the command itself
        elif language is PYTHON:
            command = python_script_command(workdir(ctx), body)
        else:
            env.update(NODE_SCRIPT_ENV)
            command = node_script_command(workdir(ctx), body)
        return execute(ctx, language, [command], env)
    run.__name__ = f"run_{language.name}_script"
    return run


TASKS: dict[str, Callable[[TaskRunContext], dict]] = {
    "io.kestra.plugin.scripts.python.Script": _script_task(PYTHON),
    "io.kestra.plugin.scripts.python.Commands": _commands_task(PYTHON),
    "io.kestra.plugin.scripts.shell.Script": _script_task(SHELL),
    "io.kestra.plugin.scripts.shell.Commands": _commands_task(SHELL),
    "io.kestra.plugin.scripts.node.Script": _script_task(NODE),
    "io.kestra.plugin.scripts.node.Commands": _commands_task(NODE),
}
