"""Build a flow's diagram from its task graph (compiler.analysis.graph).

Each flowable task becomes a cluster with a start and an end point; its slots are drawn by
their kind (from the schemas' `$graph` marker): a sequence as a chain, a parallel slot as a
fan-out from the start and a join at the end, each If/Switch branch as a chain labelled
with its case, a Dag by its dependencies, `errors` and `finally` as dashed branches.
"""
from __future__ import annotations

from itertools import count

from ..model import Flow, Plugin
from .model import Cluster, Diagram, Edge, Node

_CHAINED = ("sequence", "loop", "repeat", "choice", "errors", "finally", "after-execution")
_EDGE_OF_SLOT = {"errors": "errors", "finally": "finally", "after-execution": "after-execution",
                 "choice": "choice", "loop": "loop", "parallel": "parallel", "parallel-loop": "parallel", "dag": "dag"}


def short_type(plugin: Plugin) -> str:
    if plugin.ptype is not None:
        return plugin.ptype.short_name
    name = plugin.type_name or "?"
    return ".".join(name.split(".")[-2:]) if "." in name else name


def slot_groups(graph, parent: Plugin | None) -> list[tuple[str, str | None, str, list[Plugin]]]:
    """The tasks of `parent` (None: the flow) by slot and Switch case, in YAML order:
    (slot, case, slot kind, tasks)."""
    found: dict[tuple, list[Plugin]] = {}
    kinds: dict[tuple, str] = {}
    for task in graph.tasks:
        place = graph.place(task)
        if place.parent is parent:
            key = (place.slot, place.key)
            found.setdefault(key, []).append(task)
            kinds[key] = place.kind
    return [(slot, case, kinds[(slot, case)], sorted(tasks, key=lambda t: graph.place(t).index))
            for (slot, case), tasks in found.items()]


class _Builder:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.graph = flow.graph
        self.diagram = Diagram(f"{flow.namespace}.{flow.id}")
        self.ids = count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids)}"

    def node(self, label: str, kind: str, cluster: str | None, type: str = "", disabled: bool = False) -> str:
        node = Node(self.new_id("n"), label, kind, type, cluster, disabled)
        self.diagram.nodes.append(node)
        return node.id

    def edge(self, source: str, target: str, kind: str, label: str | None = None) -> None:
        self.diagram.edges.append(Edge(source, target, kind, label))

    # -- the flow

    def build(self) -> Diagram:
        start = self.node("", "flow-start", None)
        for trigger in self.flow.walk("trigger"):
            trig = self.node(trigger.id or "", "trigger", None, short_type(trigger), trigger.values.get("disabled") is True)
            self.edge(trig, start, "trigger")
        end = self.node("", "flow-end", None)
        groups = self.groups(None)
        self.slots(groups, start, end, None)
        return self.diagram

    def groups(self, parent: Plugin | None) -> list[tuple[str, str | None, str, list[Plugin]]]:
        return slot_groups(self.graph, parent)

    def slots(self, groups, start: str, end: str, cluster: str | None) -> None:
        for slot, case, kind, tasks in groups:
            label = case if case is not None else (slot if kind in ("choice", "errors", "finally", "after-execution") else None)
            edge_kind = _EDGE_OF_SLOT.get(kind, "sequence")
            if kind in ("parallel", "parallel-loop"):
                for task in tasks:
                    entry, exit_ = self.block(task, cluster)
                    self.edge(start, entry, edge_kind)
                    self.edge(exit_, end, edge_kind)
            elif kind == "dag":
                self.dag(tasks, start, end, cluster)
            else:
                previous = start
                for i, task in enumerate(tasks):
                    entry, exit_ = self.block(task, cluster)
                    self.edge(previous, entry, edge_kind if i == 0 else "sequence", label if i == 0 else None)
                    previous = exit_
                self.edge(previous, end, "sequence" if kind in ("sequence", "loop", "repeat", "choice") else edge_kind)

    def dag(self, tasks: list[Plugin], start: str, end: str, cluster: str | None) -> None:
        blocks = {id(t): self.block(t, cluster) for t in tasks}
        upstream = {id(t): [] for t in tasks}
        downstream = {id(t): [] for t in tasks}
        for up, down in self.graph.dag_edges(self.graph.place(tasks[0]).parent):
            upstream[id(down)].append(up)
            downstream[id(up)].append(down)
            self.edge(blocks[id(up)][1], blocks[id(down)][0], "dag")
        for task in tasks:
            if not upstream[id(task)]:
                self.edge(start, blocks[id(task)][0], "dag")
            if not downstream[id(task)]:
                self.edge(blocks[id(task)][1], end, "dag")

    def block(self, task: Plugin, cluster: str | None) -> tuple[str, str]:
        """Draw a task; returns the ids where edges enter and leave it."""
        disabled = task.values.get("disabled") is True
        children = self.groups(task)
        if not children and not task.is_flowable:
            node = self.node(task.id or "", "task", cluster, short_type(task), disabled)
            return node, node
        group = Cluster(self.new_id("c"), task.id or "", short_type(task), cluster, disabled)
        self.diagram.clusters.append(group)
        start = self.node("", "start", group.id, disabled=disabled)
        end = self.node("", "end", group.id, disabled=disabled)
        if children:
            self.slots(children, start, end, group.id)
        else:
            self.edge(start, end, "sequence")
        return start, end


def build(flow: Flow) -> Diagram:
    """The diagram of a checked flow (its task graph must be built: `flow.graph`)."""
    return _Builder(flow).build()
