"""What Kestra's DefaultLogConsumer and TaskLogLineMatcher do with each line of output: stdout
is logged at INFO (DEBUG between the `beforeCommands` markers) and stderr at ERROR; a whole
line `::{json}::` is not logged: its `outputs` are kept, its `logs` re-logged at their level,
its `metrics` dropped with a DEBUG log (flowc keeps no metrics); invalid JSON is ignored with
a WARN log."""
from __future__ import annotations

import json
import re
from typing import Any

from ..task import TaskRunContext
from ..tasks.props import kind
from .command import DEBUG_MARKER, INFO_MARKER

__all__ = ["LineConsumer", "parse_protocol"]

# Java's `.` stops at these line terminators; the protocol line is `^::(\{.*})::$`.
_PROTOCOL_LINE = re.compile(r"::(\{[^\r\n\u0085\u2028\u2029]*\})::")
_LOG_LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}
_METRIC_TYPES = {"counter", "timer", "gauge"}


class LineConsumer:
    """Takes the lines of output one by one; `outputs` holds the `outputs` emitted so far."""

    def __init__(self, ctx: TaskRunContext) -> None:
        self.ctx = ctx
        self.outputs: dict[str, Any] = {}
        self.debug_mode = False  # between the beforeCommands markers

    def accept(self, line: str, is_stderr: bool) -> None:
        if line == DEBUG_MARKER or line == INFO_MARKER:
            self.debug_mode = line == DEBUG_MARKER
            return
        match = _PROTOCOL_LINE.fullmatch(line)
        if match is None:
            level = "ERROR" if is_stderr else ("DEBUG" if self.debug_mode else "INFO")
            self.ctx.logger.log(level, line)
            return
        try:
            message = parse_protocol(match.group(1))
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


def parse_protocol(text: str) -> dict[str, Any]:
    """The `{...}` of a `::{...}::` line, checked as Kestra's Jackson mapping checks it;
    ValueError says what is wrong."""
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
