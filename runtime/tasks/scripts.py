"""The scripts plugin (`io.kestra.plugin.scripts.{shell,python,node}.{Script,Commands}`), run
as local processes in the task run's working directory.

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

import io
import json
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..globs import GlobError, anywhere
from ..task import TaskFailed, TaskRunContext
from .files import collect_outputs, read_storage, regular_files, store_files, write_inputs
from .props import choice, flag, invalid, kind, required_text, string_list, text

__all__ = ["TASKS", "ScriptFailed", "expression_vars", "assemble_command", "OUTPUT_DIR_NAME"]


class ScriptFailed(TaskFailed):
    """The command ended with a non-zero exit code. `outputs` holds what Kestra still attaches
    to the failed task run: `vars` emitted before the failure, `exitCode` and `outputFiles`."""

    def __init__(self, message: str, outputs: dict[str, Any]) -> None:
        super().__init__(message)
        self.outputs = outputs


# --------------------------------------------------------------------------- constants

DEFAULT_INTERPRETER = ["/bin/sh", "-c"]
# Kestra puts the deprecated output directory at a random name inside the working directory;
# a fixed name lets the engine know `{{ outputDir }}` before the task runs.
OUTPUT_DIR_NAME = "_kestra_output_dir"

_PROCESS_RUNNERS = {
    "io.kestra.plugin.core.runner.Process",
    "io.kestra.core.models.tasks.runners.types.ProcessTaskRunner",
}
_DEBUG_MARKER = "##kestra:log:debug##"
_INFO_MARKER = "##kestra:log:info##"
# Java's `.` stops at these line terminators; the protocol line is `^::(\{.*})::$`.
_PROTOCOL_LINE = re.compile(r"::(\{[^\r\n\u0085\u2028\u2029]*\})::")
_INTERNAL_STORAGE_URI = re.compile(r"kestra://[-\w%.+~#=/]*")
_LOG_LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}
_METRIC_TYPES = {"counter", "timer", "gauge"}
_KILL_GRACE_SECONDS = 5.0
_CANCEL_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class _Language:
    name: str
    default_image: str
    env: Mapping[str, str]  # what Kestra adds to the process environment for this task type


_PYTHON_ENV = {"PYTHONUNBUFFERED": "true", "PIP_ROOT_USER_ACTION": "ignore", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
_PYTHON = _Language("python", "ghcr.io/kestra-io/kestrapy:latest", _PYTHON_ENV)
_SHELL = _Language("shell", "ubuntu", {})
_NODE = _Language("node", "node", {})
# Kestra's node Script (not Commands) sets these two python variables too.
_NODE_SCRIPT_ENV = {"PYTHONUNBUFFERED": "true", "PIP_ROOT_USER_ACTION": "ignore"}

# Kestra (plugin-scripts, python Script) prepends this so that Pebble's rendering of booleans
# and null (`true`, `false`, `null`) is valid Python.
_PYTHON_PRELUDE = "true = True\nfalse = False\nnull = None\n"


# --------------------------------------------------------------------------- the engine's API

def expression_vars(workdir: Path, output_files: Iterable[str] | None = None,
                    output_directory: bool = False) -> dict[str, Any]:
    """The variables Kestra adds when rendering a script task's properties: `workingDir`,
    `outputDir` (when the deprecated `outputDirectory` is on) and `outputFiles` (name -> path
    for each declared output file that is not a glob)."""
    variables: dict[str, Any] = {"workingDir": str(workdir)}
    if output_directory:
        variables["outputDir"] = str(Path(workdir) / OUTPUT_DIR_NAME)
    names = {n: f"{workdir}/{n}" for n in (output_files or []) if not any(c in n for c in "*?[")}
    if names:
        variables["outputFiles"] = names
    return variables


# --------------------------------------------------------------------------- task entry points

def _commands_task(language: _Language) -> Callable[[TaskRunContext], dict]:
    def run(ctx: TaskRunContext) -> dict:
        commands = string_list(ctx.props, "commands", required=True)
        return _execute(ctx, language, commands, dict(language.env))
    run.__name__ = f"run_{language.name}_commands"
    return run


def _script_task(language: _Language) -> Callable[[TaskRunContext], dict]:
    def run(ctx: TaskRunContext) -> dict:
        body = _localise_uris(ctx, required_text(ctx.props, "script"))
        env = dict(language.env)
        if language is _SHELL:
            command = body  # the shell Script's body is the command itself
        elif language is _PYTHON:
            command = _python_command(_write_script(_workdir(ctx), _PYTHON_PRELUDE + body, ".py"))
        else:
            env.update(_NODE_SCRIPT_ENV)
            command = "node " + shlex.quote(str(_write_script(_workdir(ctx), body, ".js")))
        return _execute(ctx, language, [command], env)
    run.__name__ = f"run_{language.name}_script"
    return run


def _python_command(script: Path) -> str:
    # As Kestra does on a local process: a virtualenv activated by the user or in
    # `beforeCommands` wins; otherwise the interpreter running flowc, so the script sees the
    # same packages as the runtime (Kestra probes `python3`/`python` on PATH instead).
    path = shlex.quote(str(script))
    python = shlex.quote(sys.executable or "python3")
    return f'if [ -n "$VIRTUAL_ENV" ]; then "$VIRTUAL_ENV/bin/python" {path}; else {python} {path}; fi'


def _workdir(ctx: TaskRunContext) -> Path:
    # absolute, since paths to files in it are handed to a process that runs inside it
    return Path(ctx.workdir).absolute()


def _write_script(workdir: Path, text: str, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(suffix=suffix, dir=workdir)
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode("utf-8"))
    return Path(name)


# --------------------------------------------------------------------------- one task run

def _execute(ctx: TaskRunContext, language: _Language, commands: list[str], language_env: dict[str, str]) -> dict:
    props = ctx.props
    _notice_container(ctx, language)
    if language is _PYTHON and props.get("dependencies"):
        deps = ", ".join(string_list(props, "dependencies"))
        ctx.logger.warn(f"Python dependencies are not installed by flowc ({deps}): "
                        "install them in the Python environment that runs the flow")
    flag(props, "warningOnStdErr", True)  # validated, no effect since Kestra 0.23

    _load_namespace_files(ctx)
    write_inputs(_workdir(ctx), props.get("inputFiles"), ctx.storage)
    output_dir = None
    if flag(props, "outputDirectory", False):
        output_dir = _workdir(ctx) / OUTPUT_DIR_NAME
        output_dir.mkdir(exist_ok=True)

    interpreter = [_localise_uris(ctx, c) for c in string_list(props, "interpreter", default=DEFAULT_INTERPRETER)]
    before = [_localise_uris(ctx, c) for c in string_list(props, "beforeCommands")]
    commands = [_localise_uris(ctx, c) for c in commands]
    target_os = choice(props, "targetOS", ("AUTO", "LINUX", "WINDOWS"), "AUTO")
    argv = assemble_command(interpreter, before, commands, flag(props, "failFast", True), target_os)

    env = _environment(ctx, language_env, output_dir)
    exit_code, vars_ = _run_process(ctx, argv, env)

    def store(path: Path, name: str) -> str:
        return ctx.put_file(path, name)

    output_files = store_files(output_dir, regular_files(output_dir), store) if output_dir is not None else {}
    output_files.update(collect_outputs(_workdir(ctx), string_list(props, "outputFiles"), store))
    outputs = {"vars": vars_, "exitCode": exit_code, "outputFiles": dict(sorted(output_files.items()))}
    if exit_code != 0:
        raise ScriptFailed(f"Command failed with exit code {exit_code}", outputs)
    ctx.logger.debug(f"Command succeed with exit code {exit_code}")
    return outputs


def assemble_command(interpreter: list[str], before: list[str], commands: list[str],
                     fail_fast: bool, target_os: str = "AUTO") -> list[str]:
    """The process's argv, as Kestra's CommandsWrapper builds it."""
    if not interpreter and not before:
        return list(commands)  # no interpreter: the commands are the argv
    windows = target_os == "WINDOWS"
    setup = ([""] if windows else ["set -e"]) if fail_fast else []
    setup += before
    if before:
        setup = [f"echo '{_DEBUG_MARKER}'", *setup, f"echo '{_INFO_MARKER}'"]
    return [*interpreter, ("\r\n" if windows else "\n").join(setup + commands)]


def _environment(ctx: TaskRunContext, language_env: Mapping[str, str], output_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({str(k): str(v) for k, v in ctx.env.items()})
    task_env = ctx.props.get("env") or {}
    if not isinstance(task_env, Mapping):
        raise invalid("env", task_env, "a map of names to values")
    env.update({str(k): text(v) for k, v in task_env.items() if v is not None})
    env.update(language_env)
    env["WORKING_DIR"] = str(_workdir(ctx))
    if output_dir is not None:
        env["OUTPUT_DIR"] = str(output_dir)
    return env


def _notice_container(ctx: TaskRunContext, language: _Language) -> None:
    props = ctx.props
    runner = props.get("taskRunner")
    runner_type = runner.get("type") if isinstance(runner, Mapping) else None
    if runner is not None:
        in_container = runner_type not in _PROCESS_RUNNERS
    elif props.get("runner") is not None:
        in_container = str(props.get("runner")).upper() != "PROCESS"
    else:
        in_container = True  # Kestra's default task runner is Docker
    asked = any(props.get(k) is not None for k in ("taskRunner", "containerImage", "runner", "docker"))
    if not (in_container and asked):
        return
    docker = props.get("docker")
    image = props.get("containerImage") or (docker.get("image") if isinstance(docker, Mapping) else None) \
        or language.default_image
    how = f"task runner '{runner_type}'" if runner_type else "a container"
    ctx.logger.info(f"flowc runs script tasks as local processes: {how} and the container image "
                    f"'{image}' are ignored; the commands run in {_workdir(ctx)}")


# --------------------------------------------------------------------------- the process

def _run_process(ctx: TaskRunContext, argv: list[str], env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    try:
        process = subprocess.Popen(argv, cwd=_workdir(ctx), env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)  # its own process group, to end it whole
    except (OSError, ValueError) as e:  # ValueError: a NUL character in an argument or variable
        raise TaskFailed(f"Cannot run program '{argv[0] if argv else ''}': {getattr(e, 'strerror', None) or e}") from None
    ctx.logger.debug(f"Starting command with pid {process.pid} [{' '.join(argv)}]")
    cancel: threading.Event | None = getattr(ctx, "cancel", None)
    consumer = _LineConsumer(ctx)
    lines: queue.Queue = queue.Queue()
    readers = [threading.Thread(target=_read_lines, args=(pipe, is_stderr, lines), daemon=True)
               for pipe, is_stderr in ((process.stdout, False), (process.stderr, True))]
    terminated_at: float | None = None
    try:
        for reader in readers:
            reader.start()
        open_streams = len(readers)
        while open_streams:
            try:
                # logs are emitted here, on the caller's thread, as lines arrive
                item = lines.get(timeout=_CANCEL_POLL_SECONDS if cancel is not None else None)
            except queue.Empty:
                item = False
            if item is None:
                open_streams -= 1
            elif item:
                consumer.accept(*item)
            if cancel is not None and cancel.is_set():
                terminated_at = _end_group(process, terminated_at)
        while True:
            try:
                code = process.wait(timeout=_CANCEL_POLL_SECONDS if cancel is not None else None)
                break
            except subprocess.TimeoutExpired:
                if cancel.is_set():
                    terminated_at = _end_group(process, terminated_at)
    except BaseException:
        _signal_group(process, signal.SIGKILL)  # interrupted: leave no process behind
        process.wait()
        raise
    return (128 - code if code < 0 else code), consumer.outputs  # Java reports a signal as 128+n


def _end_group(process: subprocess.Popen, terminated_at: float | None) -> float:
    """SIGTERM the process group once, SIGKILL it once the grace period is over."""
    now = time.monotonic()
    if terminated_at is None:
        _signal_group(process, signal.SIGTERM)
        return now
    if now - terminated_at >= _KILL_GRACE_SECONDS:
        _signal_group(process, signal.SIGKILL)
    return terminated_at


def _read_lines(pipe: io.BufferedReader, is_stderr: bool, lines: queue.Queue) -> None:
    # Universal newlines split on \n, \r\n and \r, as Java's BufferedReader.readLine does.
    try:
        with io.TextIOWrapper(pipe, encoding="utf-8", errors="replace", newline=None) as text:
            for line in text:
                lines.put((line[:-1] if line.endswith("\n") else line, is_stderr))
    except (OSError, ValueError) as e:
        lines.put((str(e), True))
    finally:
        lines.put(None)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class _LineConsumer:
    """What Kestra's DefaultLogConsumer does with each line of output."""

    def __init__(self, ctx: TaskRunContext) -> None:
        self.ctx = ctx
        self.outputs: dict[str, Any] = {}
        self.debug_mode = False  # between the beforeCommands markers

    def accept(self, line: str, is_stderr: bool) -> None:
        if line == _DEBUG_MARKER or line == _INFO_MARKER:
            self.debug_mode = line == _DEBUG_MARKER
            return
        match = _PROTOCOL_LINE.fullmatch(line)
        if match is None:
            level = "ERROR" if is_stderr else ("DEBUG" if self.debug_mode else "INFO")
            self.ctx.logger.log(level, line)
            return
        try:
            message = _parse_protocol(match.group(1))
        except ValueError as e:
            self.ctx.logger.warn(f"Invalid outputs '{e}'")
            return
        self._handle(message, match.group(1))

    def _handle(self, message: dict[str, Any], data: str) -> None:
        logger = self.ctx.logger
        for metric in message.get("metrics") or []:
            logger.debug(f"Metric {metric.get('type')} '{metric.get('name')}' = {metric.get('value')}"
                         f"{' ' + json.dumps(metric['tags']) if metric.get('tags') else ''} is not recorded"
                         " (flowc keeps no metrics)")
        for entry in message.get("logs") or []:
            level = entry.get("level")
            if level not in _LOG_LEVELS:
                logger.warn(f"Invalid log '{data}'")
                continue
            text = entry.get("message")
            logger.log(level, "null" if text is None else (text if isinstance(text, str) else json.dumps(text)))
        self.outputs.update(message.get("outputs") or {})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")


def _parse_protocol(text: str) -> dict[str, Any]:
    """The `{...}` of a `::{...}::` line, checked as Kestra's Jackson mapping checks it."""
    try:
        message = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise ValueError(f"{e.msg} at line {e.lineno}, column {e.colno}") from None
    if not isinstance(message, dict):
        raise ValueError("expected a JSON object")
    outputs = message.get("outputs")
    if outputs is not None and not isinstance(outputs, dict):
        raise ValueError(f"'outputs' must be an object, not {kind(outputs)}")
    for key in ("metrics", "logs"):
        value = message.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            raise ValueError(f"'{key}' must be a list of objects")
    for metric in message.get("metrics") or []:
        if metric.get("type") not in _METRIC_TYPES:
            raise ValueError(f"unknown metric type {json.dumps(metric.get('type'))} "
                             f"(expected one of {', '.join(sorted(_METRIC_TYPES))})")
    for entry in message.get("logs") or []:
        level = entry.get("level")
        if level is not None and level not in _LOG_LEVELS:
            raise ValueError(f"unknown log level {json.dumps(level)} (expected one of TRACE, DEBUG, INFO, WARN, ERROR)")
    return message


# --------------------------------------------------------------------------- files in and out

def _localise_uris(ctx: TaskRunContext, command: str) -> str:
    """Replace each `kestra://...` URI in `command` by the path of a local copy in the working
    directory, as Kestra's ScriptService does for commands and script bodies."""
    def copy(match: re.Match) -> str:
        fd, name = tempfile.mkstemp(suffix=".tmp", dir=_workdir(ctx))
        with os.fdopen(fd, "wb") as f:
            f.write(read_storage(ctx.storage, match.group(0)))
        return name
    return _INTERNAL_STORAGE_URI.sub(copy, command)


def _load_namespace_files(ctx: TaskRunContext) -> None:
    """Copy the namespace files (`kestra:///<namespace>/_files/...`) into the working directory,
    as Kestra's NamespaceFilesUtils does."""
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
    workdir = _workdir(ctx)
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
                    f"{_hms(time.monotonic() - started)}")


def _hms(seconds: float) -> str:
    millis = int(seconds * 1000)
    return f"{millis // 3_600_000}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


# --------------------------------------------------------------------------- registry

TASKS: dict[str, Callable[[TaskRunContext], dict]] = {
    "io.kestra.plugin.scripts.python.Script": _script_task(_PYTHON),
    "io.kestra.plugin.scripts.python.Commands": _commands_task(_PYTHON),
    "io.kestra.plugin.scripts.shell.Script": _script_task(_SHELL),
    "io.kestra.plugin.scripts.shell.Commands": _commands_task(_SHELL),
    "io.kestra.plugin.scripts.node.Script": _script_task(_NODE),
    "io.kestra.plugin.scripts.node.Commands": _commands_task(_NODE),
}
