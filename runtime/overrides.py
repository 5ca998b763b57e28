"""Plugin defaults for a local run: `--plugin-default TYPE.PROPERTY=VALUE` and flowc's
`[tool.flowc.plugin-defaults]`, the local equivalent of the plugin defaults a Kestra server
adds to every flow. They win over the flow's own values (like `forced` defaults), so a flow
whose pluginDefaults say `url: jdbc:postgresql://pgdatabase:5432/ny_taxi` runs against
localhost without editing it. TYPE is a task type or a package prefix, as in pluginDefaults.
"""
from __future__ import annotations

import json

DELIMITERS = ("{{", "{%")


class OverrideError(ValueError):
    pass


class Late:
    """An override value holding a template: rendered when the task runs."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Late({self.text!r})"


def value_of(text: str):
    """A value as written on the command line: JSON when it reads as JSON (true, 5, [..]),
    otherwise the text itself."""
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    return late(value)


def late(value):
    """A value to give a task: a string holding a template is rendered when the task runs."""
    if isinstance(value, str) and any(d in value for d in DELIMITERS):
        return Late(value)
    return value


def parse(item: str) -> tuple[str, str, object]:
    """`TYPE.PROPERTY=VALUE` -> (type, property, value)."""
    target, sep, text = item.partition("=")
    type_name, dot, prop = target.rpartition(".")
    if not sep or not dot or not type_name or not prop:
        raise OverrideError(f"--plugin-default `{item}`: expected TYPE.PROPERTY=VALUE, e.g. "
                            "io.kestra.plugin.jdbc.postgresql.url=jdbc:postgresql://localhost:5432/db")
    return type_name, prop, value_of(text)


class Overrides:
    def __init__(self, entries=()) -> None:
        self.entries = list(entries)  # later entries win
        self._merged: dict[int, dict] = {}

    def __bool__(self) -> bool:
        return bool(self.entries)

    def props(self, task) -> dict:
        """The task's properties with the overrides that apply to its type."""
        if not self.entries:
            return task.props
        merged = self._merged.get(id(task))
        if merged is None:
            merged = dict(task.props)
            for type_name, prop, value in self.entries:
                if task.type == type_name or task.type.startswith(type_name + "."):
                    merged[prop] = value
            self._merged[id(task)] = merged
        return merged
