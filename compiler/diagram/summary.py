"""A flow's task graph as an indented text tree, for `flowc check --show-graph`: short enough
to read in a CI log, precise enough to review a change of structure.

    company.team.etl: 5 tasks, 1 trigger
    ├── trigger daily (Schedule)
    ├── extract (python.Script)
    ├── branches (Parallel)
    │   ├── a (Log)
    │   └── b (Log)
    └── errors:
        └── alert (Log)

A container's main list of tasks is drawn under it; its other slots (`then`, `else`, a
Switch case, `errors`, `finally`) as labelled branches. Dag tasks name what they wait for.
"""
from __future__ import annotations

from ..model import Flow, Plugin
from .build import short_type, slot_groups

_PRINCIPAL = "tasks"  # the slot whose tasks are drawn straight under their container


def summary(flow: Flow) -> str:
    graph = flow.graph

    def waits_for(task: Plugin) -> list[str]:
        parent = graph.place(task).parent
        return [up.id or "?" for up, down in graph.dag_edges(parent) if down is task]

    def label(task: Plugin) -> str:
        text = f"{task.id or '?'} ({short_type(task)})"
        if task.values.get("disabled") is True:
            text += " [disabled]"
        if graph.place(task).kind == "dag" and (ups := waits_for(task)):
            text += f" after {', '.join(ups)}"
        return text

    def items(parent: Plugin | None) -> list[tuple[str, list]]:
        """(line, sub-items) of a container: principal tasks first, then labelled slots."""
        entries = []
        for slot, case, _, tasks in slot_groups(graph, parent):
            drawn = [(label(t), items(t)) for t in tasks]
            if slot == _PRINCIPAL and case is None:
                entries.extend(drawn)
            else:
                entries.append((f"{_case(case)}:" if case is not None else f"{slot}:", drawn))
        return entries

    triggers = list(flow.walk("trigger"))
    lines = [f"{flow.namespace}.{flow.id}: {_count(len(graph.tasks), 'task')}, {_count(len(triggers), 'trigger')}"]
    top = [(f"trigger {t.id or '?'} ({short_type(t)})" + (" [disabled]" if t.values.get("disabled") is True else ""), [])
           for t in triggers]
    _tree(top + items(None), "", lines)
    return "\n".join(lines) + "\n"


def _tree(entries: list[tuple[str, list]], prefix: str, lines: list[str]) -> None:
    for i, (text, children) in enumerate(entries):
        last = i == len(entries) - 1
        lines.append(f"{prefix}{'└── ' if last else '├── '}{text}")
        _tree(children, prefix + ("    " if last else "│   "), lines)


_ASCII = str.maketrans({"├": "|", "└": "`", "│": "|", "─": "-"})


def to_ascii(text: str) -> str:
    """The tree with ASCII branches, for consoles without box-drawing characters."""
    return text.translate(_ASCII).encode("ascii", "backslashreplace").decode("ascii")


def _case(value: str) -> str:
    plain = value and value.strip() == value and ":" not in value
    return f"case {value}" if plain else f"case {value!r}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
