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
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Mapping

from ..storage import StorageError
from ..task import TaskFailed, TaskRunContext

__all__ = ["TASKS", "ScriptFailed", "expression_vars", "assemble_command", "glob_matcher", "OUTPUT_DIR_NAME"]


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
        commands = _string_list(ctx.props, "commands", required=True)
        return _execute(ctx, language, commands, dict(language.env))
    run.__name__ = f"run_{language.name}_commands"
    return run


def _script_task(language: _Language) -> Callable[[TaskRunContext], dict]:
    def run(ctx: TaskRunContext) -> dict:
        body = _localise_uris(ctx, _required_string(ctx.props, "script"))
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
        deps = ", ".join(_string_list(props, "dependencies"))
        ctx.logger.warn(f"Python dependencies are not installed by flowc ({deps}): "
                        "install them in the Python environment that runs the flow")
    _bool(props, "warningOnStdErr", True)  # validated, no effect since Kestra 0.23

    _load_namespace_files(ctx)
    _write_input_files(ctx)
    output_dir = None
    if _bool(props, "outputDirectory", False):
        output_dir = _workdir(ctx) / OUTPUT_DIR_NAME
        output_dir.mkdir(exist_ok=True)

    interpreter = [_localise_uris(ctx, c) for c in _string_list(props, "interpreter", default=DEFAULT_INTERPRETER)]
    before = [_localise_uris(ctx, c) for c in _string_list(props, "beforeCommands")]
    commands = [_localise_uris(ctx, c) for c in commands]
    argv = assemble_command(interpreter, before, commands, _bool(props, "failFast", True), _target_os(props))

    env = _environment(ctx, language_env, output_dir)
    exit_code, vars_ = _run_process(ctx, argv, env)

    output_files = _collect_output_dir(ctx, output_dir) if output_dir is not None else {}
    output_files.update(_collect_output_files(ctx, _string_list(props, "outputFiles")))
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
        raise TaskFailed(f"Invalid property 'env': expected a map of names to values, got {_kind(task_env)}")
    env.update({str(k): _java_string(v) for k, v in task_env.items() if v is not None})
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
        raise ValueError(f"'outputs' must be an object, not {_kind(outputs)}")
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

def _localise_uris(ctx: TaskRunContext, text: str) -> str:
    """Replace each `kestra://...` URI in `text` by the path of a local copy in the working
    directory, as Kestra's ScriptService does for commands and script bodies."""
    def copy(match: re.Match) -> str:
        fd, name = tempfile.mkstemp(suffix=".tmp", dir=_workdir(ctx))
        with os.fdopen(fd, "wb") as f:
            f.write(_read_storage(ctx, match.group(0)))
        return name
    return _INTERNAL_STORAGE_URI.sub(copy, text)


def _read_storage(ctx: TaskRunContext, uri: str) -> bytes:
    try:
        return ctx.storage.read_bytes(uri)
    except StorageError as e:
        if "%" in uri:  # a URI written percent-encoded, as Java's URI would carry it
            from urllib.parse import unquote
            try:
                return ctx.storage.read_bytes(unquote(uri))
            except StorageError:
                pass
        raise TaskFailed(str(e)) from None


def _write_input_files(ctx: TaskRunContext) -> None:
    raw = ctx.props.get("inputFiles")
    if raw is None:
        return
    if isinstance(raw, str):
        try:
            files = json.loads(raw)
        except json.JSONDecodeError as e:
            raise TaskFailed(f"Invalid property 'inputFiles': a string must be a JSON object of file names "
                             f"to contents ({e.msg} at line {e.lineno}, column {e.colno})") from None
        if not isinstance(files, dict):
            raise TaskFailed(f"Invalid property 'inputFiles': expected a JSON object, got {_kind(files)}")
    elif isinstance(raw, Mapping):
        files = {k: v for k, v in raw.items() if v is not None}  # Kestra drops null entries of a map
    else:
        raise TaskFailed(f"Invalid property 'inputFiles': expected a map or a JSON string, got {_kind(raw)}")
    for name, content in files.items():
        target = _inside(_workdir(ctx), str(name), "inputFiles")
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.touch()
        elif isinstance(content, str) and content.startswith("kestra://"):
            target.write_bytes(_read_storage(ctx, content))
        else:
            text = content if isinstance(content, str) else _java_string(content)
            target.write_bytes(text.encode("utf-8"))


def _load_namespace_files(ctx: TaskRunContext) -> None:
    """Copy the namespace files (`kestra:///<namespace>/_files/...`) into the working directory,
    as Kestra's NamespaceFilesUtils does."""
    spec = ctx.props.get("namespaceFiles")
    if spec is None:
        return
    if not isinstance(spec, Mapping):
        raise TaskFailed(f"Invalid property 'namespaceFiles': expected an object, got {_kind(spec)}")
    if not _bool(spec, "enabled", True, "namespaceFiles.enabled"):
        return
    started = time.monotonic()
    includes = _string_list(spec, "include", name="namespaceFiles.include")
    excludes = _string_list(spec, "exclude", name="namespaceFiles.exclude")
    include = _any_matcher(includes) if includes else None
    exclude = _any_matcher(excludes) if excludes else None
    namespaces = _string_list(spec, "namespaces", name="namespaceFiles.namespaces") or [ctx.ids.namespace]
    per_namespace = _bool(spec, "folderPerNamespace", False, "namespaceFiles.folderPerNamespace")
    if_exists = str(spec.get("ifExists") or "OVERWRITE").upper()
    if if_exists not in ("OVERWRITE", "FAIL", "WARN", "IGNORE"):
        raise TaskFailed(f"Invalid property 'namespaceFiles.ifExists': '{if_exists}' is not one of "
                         "OVERWRITE, FAIL, WARN, IGNORE")
    workdir = _workdir(ctx)
    count = 0
    for namespace in namespaces:
        root = ctx.storage.path(f"kestra:///{namespace.replace('.', '/')}/_files")
        for path in _regular_files(root) if root.is_dir() else []:
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


def _collect_output_files(ctx: TaskRunContext, patterns: list[str]) -> dict[str, str]:
    if not patterns:
        return {}
    workdir = _workdir(ctx)
    matchers = [_output_matcher(p) for p in patterns]
    found: dict[str, str] = {}
    for path in _regular_files(workdir):
        relative = path.relative_to(workdir).as_posix()
        if any(m(relative, str(path)) for m in matchers):
            found[relative] = _store(ctx, path, relative)
    return found


def _collect_output_dir(ctx: TaskRunContext, output_dir: Path) -> dict[str, str]:
    return {p.relative_to(output_dir).as_posix(): _store(ctx, p, p.relative_to(output_dir).as_posix())
            for p in _regular_files(output_dir)}


def _store(ctx: TaskRunContext, path: Path, name: str) -> str:
    try:
        return ctx.put_file(path, name)
    except (OSError, StorageError) as e:
        raise TaskFailed(f"Unable to store the output file '{name}': {e}") from None


def _regular_files(root: Path) -> list[Path]:
    """Regular files under `root`, never through a symbolic link (as Kestra walks)."""
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink() and path.is_file():
                found.append(path)
    return sorted(found)


def _inside(root: Path, name: str, prop: str) -> Path:
    relative = PurePosixPath(name.replace("\\", "/").lstrip("/"))  # Java's File(dir, "/x") is dir/x
    if not relative.parts or ".." in relative.parts:
        raise TaskFailed(f"Invalid file name '{name}' in '{prop}': only a relative path inside the "
                         "working directory is supported")
    return root.joinpath(*relative.parts)


# --------------------------------------------------------------------------- globs (Java syntax)

def _output_matcher(pattern: str) -> Callable[[str, str], bool]:
    """A matcher of (path relative to the working directory, absolute path) for one
    `outputFiles` entry: `glob:`/`regex:` prefixed patterns match the absolute path, others are
    globs relative to the working directory (a leading `/` is the working directory)."""
    if pattern.startswith("regex:"):
        regex = _compile(pattern[6:], pattern)
        return lambda _rel, absolute: regex.fullmatch(absolute) is not None
    if pattern.startswith("glob:"):
        matcher = glob_matcher(pattern[5:])
        return lambda _rel, absolute: matcher(absolute)
    matcher = glob_matcher(pattern[1:] if pattern.startswith("/") else pattern)
    return lambda relative, _abs: matcher(relative)


def _any_matcher(patterns: list[str]) -> Callable[[str], bool]:
    """Kestra's PathMatcherPredicate without a base path: a pattern starting with a word
    character matches at any depth (`**/` is prepended)."""
    matchers = []
    for p in patterns:
        if p.startswith("regex:"):
            regex = _compile(p[6:], p)
            matchers.append(lambda s, r=regex: r.fullmatch(s) is not None)
        else:
            p = p[5:] if p.startswith("glob:") else ("**/" + p if re.match(r"\w", p) else p)
            matchers.append(glob_matcher(p))
    return lambda s: any(m(s) for m in matchers)


def _compile(regex: str, pattern: str) -> re.Pattern:
    try:
        return re.compile(regex)
    except re.error as e:
        raise TaskFailed(f"Invalid pattern '{pattern}': {e}") from None


def glob_matcher(glob: str) -> Callable[[str], bool]:
    """Match whole '/'-separated paths against a Java `glob:` pattern: `*` and `?` stay within
    one name, `**` crosses directories, `[...]`/`[!...]` classes, `{a,b}` alternatives, `\\`
    escapes."""
    regex = _compile(_glob_to_regex(glob), glob)
    return lambda path: regex.fullmatch(path) is not None


def _glob_to_regex(glob: str) -> str:
    out: list[str] = []
    in_group = False
    i, n = 0, len(glob)

    def fail(problem: str) -> TaskFailed:
        return TaskFailed(f"Invalid glob '{glob}': {problem}")

    while i < n:
        c = glob[i]
        i += 1
        if c == "\\":
            if i >= n:
                raise fail("no character to escape at the end")
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
            klass = ["(?!/)["]
            if i < n and glob[i] in "!^":
                klass.append("^" if glob[i] == "!" else r"\^")
                i += 1
            closed = False
            while i < n:
                c = glob[i]
                i += 1
                if c == "]":
                    closed = True
                    break
                if c == "/":
                    raise fail("'/' inside a [...] class")
                klass.append(c if c == "-" else re.escape(c))
            if not closed:
                raise fail("missing ']'")
            out.append("".join(klass) + "]")
        elif c == "{":
            if in_group:
                raise fail("groups {...} cannot be nested")
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
        raise fail("missing '}'")
    return "".join(out)


# --------------------------------------------------------------------------- property readers

def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__)


def _java_string(value: Any) -> str:
    """A value as Kestra turns it into a string: booleans and null as JSON spells them,
    maps and lists as JSON."""
    if isinstance(value, (bool, type(None), dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _required_string(props: Mapping[str, Any], name: str) -> str:
    value = props.get(name)
    if value is None:
        raise TaskFailed(f"Missing required property '{name}'")
    if not isinstance(value, str):
        raise TaskFailed(f"Invalid property '{name}': expected a string, got {_kind(value)}")
    return value


def _string_list(props: Mapping[str, Any], key: str, required: bool = False,
                 default: list[str] | None = None, name: str | None = None) -> list[str]:
    name = name or key
    value = props.get(key)
    if value is None:
        if required:
            raise TaskFailed(f"Missing required property '{name}'")
        return list(default or [])
    if isinstance(value, str):
        # A `Property<List<String>>` given as one expression renders to a JSON list.
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = None
        value = parsed if isinstance(parsed, list) else [value]
    if not isinstance(value, list):
        raise TaskFailed(f"Invalid property '{name}': expected a list of strings, got {_kind(value)}")
    return [v if isinstance(v, str) else _java_string(v) for v in value if v is not None]


def _bool(props: Mapping[str, Any], key: str, default: bool, name: str | None = None) -> bool:
    value = props.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise TaskFailed(f"Invalid property '{name or key}': expected a boolean, got {_kind(value)} '{value}'")


def _target_os(props: Mapping[str, Any]) -> str:
    value = str(props.get("targetOS") or "AUTO").upper()
    if value not in ("AUTO", "LINUX", "WINDOWS"):
        raise TaskFailed(f"Invalid property 'targetOS': '{value}' is not one of AUTO, LINUX, WINDOWS")
    return value


# --------------------------------------------------------------------------- registry

TASKS: dict[str, Callable[[TaskRunContext], dict]] = {
    "io.kestra.plugin.scripts.python.Script": _script_task(_PYTHON),
    "io.kestra.plugin.scripts.python.Commands": _commands_task(_PYTHON),
    "io.kestra.plugin.scripts.shell.Script": _script_task(_SHELL),
    "io.kestra.plugin.scripts.shell.Commands": _commands_task(_SHELL),
    "io.kestra.plugin.scripts.node.Script": _script_task(_NODE),
    "io.kestra.plugin.scripts.node.Commands": _commands_task(_NODE),
}
