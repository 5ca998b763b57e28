"""Errors raised while rendering a template."""
from __future__ import annotations


class RenderError(Exception):
    """Rendering failed: the message says why, as Kestra would."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class UndefinedError(RenderError):
    """Strict mode: a variable, attribute, key or index that does not exist. Only `??`,
    `???`, `default` and `is defined` catch it, when raised directly by their operand."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Unable to find `{name}`")
        self.name = name


class LimitError(RenderError):
    """A template or value exceeds a safety limit (huge ranges, deep recursion)."""
