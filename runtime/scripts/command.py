"""The process's command line, as Kestra's CommandsWrapper builds it: `interpreter +
[join(beforeCommands..., commands..., "\\n")]`, with `set -e` first when `failFast`, and the
`beforeCommands` bracketed by marker lines that make their output DEBUG logs."""
from __future__ import annotations

from ..task import TaskRunContext
from ..tasks.props import choice, flag, string_list
from .uris import localise_uris

__all__ = ["DEFAULT_INTERPRETER", "DEBUG_MARKER", "INFO_MARKER", "assemble_command", "command_line"]

DEFAULT_INTERPRETER = ["/bin/sh", "-c"]
DEBUG_MARKER = "##kestra:log:debug##"
INFO_MARKER = "##kestra:log:info##"


def command_line(ctx: TaskRunContext, commands: list[str]) -> list[str]:
    """The argv that runs `commands` with the task's `interpreter`, `beforeCommands`,
    `failFast` and `targetOS`, its `kestra://` URIs made local files."""
    props = ctx.props
    interpreter = [localise_uris(ctx, c) for c in string_list(props, "interpreter", default=DEFAULT_INTERPRETER)]
    before = [localise_uris(ctx, c) for c in string_list(props, "beforeCommands")]
    commands = [localise_uris(ctx, c) for c in commands]
    target_os = choice(props, "targetOS", ("AUTO", "LINUX", "WINDOWS"), "AUTO")
    return assemble_command(interpreter, before, commands, flag(props, "failFast", True), target_os)


def assemble_command(interpreter: list[str], before: list[str], commands: list[str],
                     fail_fast: bool, target_os: str = "AUTO") -> list[str]:
    """The process's argv, as Kestra's CommandsWrapper builds it."""
    if not interpreter and not before:
        return list(commands)  # no interpreter: the commands are the argv
    windows = target_os == "WINDOWS"
    setup = ([""] if windows else ["set -e"]) if fail_fast else []
    setup += before
    if before:
        setup = [f"echo '{DEBUG_MARKER}'", *setup, f"echo '{INFO_MARKER}'"]
    return [*interpreter, ("\r\n" if windows else "\n").join(setup + commands)]
