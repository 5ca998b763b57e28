"""What functions that need an execution (secret, kv, read, render, ...) receive."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Protocol


class Services(Protocol):
    """Execution services a run provides; a plain render has none (the functions fail
    with a clear message)."""

    def secret(self, key: str, namespace: str | None = None) -> str: ...
    def kv(self, key: str, namespace: str | None, error_on_missing: bool) -> Any: ...
    def read(self, path: str) -> str: ...
    def file_size(self, path: str) -> int: ...
    def error_logs(self) -> list: ...


@dataclass
class RenderContext:
    """The state of one render: the run's variables, the services, and a way to render a
    template found at run time (for `render()`)."""

    root: dict  # the run's variables
    services: Services | None = None
    render: Callable[[str, dict, bool], Any] | None = None  # (template, variables, recursive)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    depth: int = 0  # nested render() calls
    macro_depth: int = 0  # nested macro calls
    scope: Any = None  # the engine's scope chain while a template runs

    @property
    def variables(self) -> dict:
        """Every variable visible where a function is called: the run's, and the
        template's own (`set`, loop variables)."""
        if self.scope is None or not any(self.scope.frames):
            return self.root
        visible = dict(self.root)
        for frame in self.scope.frames:
            visible.update(frame)
        return visible

    def variable(self, name: str, default=None):
        return self.variables.get(name, default)
