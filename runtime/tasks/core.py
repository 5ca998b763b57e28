"""Core runnable tasks that only talk to the execution: Log, Return, Echo, OutputValues,
Sleep, Fail, Exit, Labels."""
from __future__ import annotations

import json

from ..durations import parse_duration
from ..properties import truthy
from ..states import State
from ..task import TaskFailed, TaskRunContext

USES_WORKDIR = False  # none of these touches files: the engine makes no directory for them


def log(ctx: TaskRunContext) -> dict:
    level = str(ctx.props.get("level") or "INFO").upper()
    message = ctx.props.get("message")
    for line in message if isinstance(message, list) else [message]:
        ctx.logger.log(level, "" if line is None else line)
    return {}


def echo(ctx: TaskRunContext) -> dict:
    ctx.logger.log(str(ctx.props.get("level") or "INFO").upper(), ctx.props.get("format") or "")
    return {}


def return_(ctx: TaskRunContext) -> dict:
    value = ctx.props.get("format")
    ctx.logger.debug(value)
    return {"value": value}


def output_values(ctx: TaskRunContext) -> dict:
    return {"values": ctx.props.get("values") or {}}


def sleep(ctx: TaskRunContext) -> dict:
    duration = parse_duration(ctx.props.get("duration"))
    if duration is None:
        raise TaskFailed(f"`duration` is not a duration: `{ctx.props.get('duration')}`")
    ctx.cancel.wait(duration.total_seconds())
    return {}


def fail(ctx: TaskRunContext) -> dict:
    message = ctx.props.get("errorMessage") or "Task failure"
    if "condition" not in ctx.props:
        raise TaskFailed(message)
    if truthy(ctx.props.get("condition")):
        ctx.logger.error(message)
        raise TaskFailed("Fail on a condition")
    return {}


EXIT_STATES = {"SUCCESS": State.SUCCESS, "WARNING": State.WARNING, "KILLED": State.KILLED,
               "FAILED": State.FAILED, "CANCELED": State.CANCELLED, "CANCELLED": State.CANCELLED}


def exit_(ctx: TaskRunContext) -> dict:
    name = str(ctx.props.get("state") or "SUCCESS").upper()
    state = EXIT_STATES.get(name)
    if state is None:
        raise TaskFailed(f"`state` must be one of SUCCESS, WARNING, KILLED, FAILED, CANCELED, not `{name}`")
    ctx.logger.info(f"Exiting the execution with state {state.value}")
    ctx.services.exit(state)
    return {}


def labels(ctx: TaskRunContext) -> dict:
    raw = ctx.props.get("labels")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise TaskFailed(f"`labels` is neither a map, a list of key/value pairs, nor a JSON object: `{raw}`") from None
    if isinstance(raw, list):
        pairs = [(item.get("key"), item.get("value")) for item in raw if isinstance(item, dict)]
    elif isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        raise TaskFailed("`labels` must be a map or a list of key/value pairs")
    new = {}
    for key, value in pairs:
        key = str(key)
        if key.startswith("system."):
            raise TaskFailed(f"System labels can only be set by Kestra itself, offending label: {key}={value}")
        new[key] = "" if value is None else str(value)
    ctx.services.set_labels(new)
    return {}


LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR")


def fetch(ctx: TaskRunContext) -> dict:
    """The logs of the execution, as an ION file with one entry per line."""
    from ..pebble.ion_writer import to_ion_text

    wanted = ctx.props.get("executionId")
    if wanted not in (None, "", ctx.services.execution_id):
        raise TaskFailed(f"a local run fetches the logs of its own execution only, not of `{wanted}`")
    level = str(ctx.props.get("level") or "INFO").upper()
    if level not in LEVELS:
        raise TaskFailed(f"`level` must be one of {', '.join(LEVELS)}, not `{level}`")
    tasks = ctx.props.get("tasksId")
    tasks = json.loads(tasks) if isinstance(tasks, str) else tasks
    lowest = LEVELS.index(level)
    # task logs only: the lines flowc writes about the execution itself are not Kestra's logs
    entries = [e for e in ctx.services.logs() if e["taskId"] is not None and LEVELS.index(e["level"]) >= lowest]
    if tasks:
        entries = [e for task in tasks for e in entries if e["taskId"] == task]
    text = "".join(to_ion_text({k: v for k, v in e.items() if v is not None}) + "\n" for e in entries)
    return {"uri": ctx.put_file(text, "logs.ion"), "size": len(entries)}


TASKS = {
    "io.kestra.plugin.core.log.Log": log,
    "io.kestra.plugin.core.debug.Echo": echo,
    "io.kestra.plugin.core.debug.Return": return_,
    "io.kestra.plugin.core.output.OutputValues": output_values,
    "io.kestra.plugin.core.flow.Sleep": sleep,
    "io.kestra.plugin.core.execution.Fail": fail,
    "io.kestra.plugin.core.execution.Exit": exit_,
    "io.kestra.plugin.core.execution.Labels": labels,
    "io.kestra.plugin.core.log.Fetch": fetch,
}
