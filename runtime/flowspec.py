"""What a compiled flow is made of: the flow and its tasks as plain objects, their
properties holding compiled templates where Kestra renders them. The generated script
builds these; the engine (runtime/engine.py) runs them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .templates import Template, Templates


class Typed:
    """A property Kestra renders keeping the value's type (KV Set's `value`, a `Property<T>`
    whose T is not a string): one `{{ }}` keeps the value's type, and a string result is
    converted to `want` (integer, number, boolean, array, object) as Kestra converts it."""

    __slots__ = ("template", "want")

    def __init__(self, template: Template, want: str | None = None) -> None:
        self.template = template
        self.want = want

    def __repr__(self) -> str:
        return f"Typed({self.template!r}, {self.want!r})"


@dataclass(eq=False)
class Task:
    id: str
    type: str  # canonical type name
    line: int  # where the task starts in the flow file
    props: dict[str, Any] = field(default_factory=dict)  # pluginDefaults applied; templates inside
    flowable: bool = False
    # child tasks by slot: `tasks`, `then`, `else`, `errors`, `finally`, `defaults`: lists;
    # `cases`: a map from case value to list
    slots: dict[str, Any] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()  # inside a Dag

    def __repr__(self) -> str:
        return f"Task({self.id!r}, {self.type!r})"

    def prop(self, name: str, default=None):
        return self.props.get(name, default)

    @property
    def disabled(self) -> bool:
        return self.props.get("disabled") is True

    def children(self, slot: str) -> list["Task"]:
        """The enabled tasks of a slot (Kestra drops disabled tasks before scheduling)."""
        return [t for t in self.slots.get(slot) or () if not t.disabled]


@dataclass(eq=False)
class Flow:
    id: str
    namespace: str
    source: str  # the flow file, as given to the compiler
    revision: int = 1
    disabled: bool = False
    inputs: list[dict] = field(default_factory=list)
    outputs: list[dict] = field(default_factory=list)  # `value` holds a template
    variables: dict = field(default_factory=dict)  # raw: Kestra renders them only through render()
    labels: dict = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    errors: list[Task] = field(default_factory=list)
    finally_: list[Task] = field(default_factory=list)
    after_execution: list[Task] = field(default_factory=list)
    triggers: list[dict] = field(default_factory=list)
    concurrency: dict | None = None
    retry: dict | None = None  # the flow's retry: for tasks without one of their own
    sla: list[dict] = field(default_factory=list)
    templates: Templates = field(default_factory=lambda: Templates([]))

    @property
    def key(self) -> tuple[str, str]:
        return self.namespace, self.id
