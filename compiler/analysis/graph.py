"""The task graph: every task of the flow, where it sits, and what has run before it.

`TaskGraph.graph` is a networkx DiGraph (the graph diagrams and the compiler use): one node
per task (keyed `t0`, `t1`, ... in document order, with the Plugin as `task`), `contains`
edges from a flowable to its children (with the slot's kind and name, and the Switch case),
`next` edges between consecutive tasks of a sequence, `depends` edges for Dag
dependencies (upstream to downstream).

Each slot's kind comes from its schema's `$graph` marker (sequence, parallel, choice, loop,
parallel-loop, repeat, dag, errors, finally, after-execution). From positions in the tree,
`relation(reader, target)` tells whether the target task has certainly completed before the
reader starts ("before"), may have ("may"), cannot have ("never"), or contains the reader
("ancestor"; its outputs exist: flowable outputs are computed when it starts).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..model import Flow, Plugin, scalar_text
from ..source import Mapping, Sequence

ORDERED = ("sequence", "loop", "repeat", "choice", "errors", "finally", "after-execution")
CONCURRENT = ("parallel", "parallel-loop")
LOOPS = ("loop", "parallel-loop")  # slots whose children run once per value (taskrun.value)
# the order in which a container's slots run; slots of one phase exclude each other (choice)
PHASE = {"errors": 1, "finally": 2, "after-execution": 3}


@dataclass(frozen=True)
class Place:
    """Where a task sits: its container (None for the flow), the slot and its kind, the
    Switch case (key) and its index in the slot's list."""

    parent: Plugin | None
    slot: str
    kind: str
    key: str | None
    index: int


class TaskGraph:
    def __init__(self, flow: Flow, flow_slot_kinds: dict[str, str]) -> None:
        self.flow = flow
        self.places: dict[int, Place] = {}
        self.tasks: list[Plugin] = []
        self._flow_kinds = flow_slot_kinds
        for plugin in flow.plugins:
            self._visit(plugin, None)

    def _visit(self, plugin: Plugin, parent: Plugin | None) -> None:
        if plugin.kind != "task":
            return
        slot = plugin.slot.name if plugin.slot else "tasks"
        kind = self._kind(parent, slot)
        siblings = [p for p in (parent.children if parent else self.flow.plugins)
                    if p.kind == "task" and p.slot and p.slot.name == slot and p.key == plugin.key]
        index = next(i for i, p in enumerate(siblings) if p is plugin)
        self.places[id(plugin)] = Place(parent, slot, kind, plugin.key, index)
        self.tasks.append(plugin)
        for child in plugin.children:
            self._visit(child, plugin)

    def _kind(self, parent: Plugin | None, slot: str) -> str:
        if parent is None:
            return self._flow_kinds.get(slot, "sequence")
        schema = parent.ptype.properties.get(slot, {}) if parent.ptype else {}
        return schema.get("$graph", "sequence")

    # -- the networkx graph

    @cached_property
    def graph(self):
        import networkx as nx

        g = nx.DiGraph()
        key = {id(t): f"t{i}" for i, t in enumerate(self.tasks)}
        for task in self.tasks:
            place = self.places[id(task)]
            calls = task.ptype.raw.get("$calls") if task.ptype else None
            g.add_node(key[id(task)], task=task, id=task.id, type=task.ptype.name if task.ptype else task.type_name,
                       slot=place.slot, kind=place.kind, case=place.key,
                       calls=(task.values.get(calls["namespace"]), task.values.get(calls["flowId"])) if calls else None)
            if place.parent is not None:
                g.add_edge(key[id(place.parent)], key[id(task)], kind="contains", slot=place.slot,
                           slot_kind=place.kind, case=place.key)
        for group in self._sequences():
            for a, b in zip(group, group[1:]):
                g.add_edge(key[id(a)], key[id(b)], kind="next")
        for dag in self.tasks:
            for upstream, downstream in self.dag_edges(dag):
                g.add_edge(key[id(upstream)], key[id(downstream)], kind="depends")
        return g

    def _sequences(self):
        groups: dict[tuple, list[Plugin]] = {}
        for task in self.tasks:
            place = self.places[id(task)]
            if place.kind in ORDERED:
                groups.setdefault((id(place.parent), place.slot, place.key), []).append(task)
        return [sorted(g, key=lambda t: self.places[id(t)].index) for g in groups.values()]

    # -- positions

    def place(self, task: Plugin) -> Place | None:
        return self.places.get(id(task))

    def ancestors(self, task: Plugin) -> list[Plugin]:
        """Containers of `task`, outermost first."""
        chain = []
        place = self.places.get(id(task))
        while place is not None and place.parent is not None:
            chain.append(place.parent)
            place = self.places.get(id(place.parent))
        return list(reversed(chain))

    def scoping_ancestor(self, task: Plugin) -> Plugin | None:
        """The innermost container whose slot keeps its tasks' outputs to itself (Loop)."""
        for t in reversed([*self.ancestors(task), task]):
            place = self.places[id(t)]
            if self._scoped(place):
                return place.parent
        return None

    def loop_depth(self, task: Plugin) -> int:
        """How many iteration values key this task's outputs (nested loops; a Loop, whose
        outputs stay inside it, keys none)."""
        return sum(1 for t in [*self.ancestors(task), task]
                   if self.places[id(t)].kind in LOOPS and not self._scoped(self.places[id(t)]))

    def _scoped(self, place: Place) -> bool:
        parent = place.parent
        return bool(parent is not None and parent.ptype is not None
                    and parent.ptype.properties.get(place.slot, {}).get("$scopedOutputs"))

    def has_loop_value(self, task: Plugin) -> bool:
        """Whether `taskrun.value` is set for this task: only direct children of a loop
        (and the children of a WorkingDirectory that is one) get it."""
        place = self.places.get(id(task))
        if place is None:
            return False
        if place.kind in LOOPS:
            return True
        parent = place.parent
        return (parent is not None and parent.ptype is not None and parent.ptype.raw.get("$runnableChildren")
                and self.places[id(parent)].kind in LOOPS)

    def in_loop(self, task: Plugin) -> bool:
        return any(self.places[id(t)].kind in LOOPS for t in [*self.ancestors(task), task])

    # -- order

    def relation(self, reader: Plugin | None, target: Plugin) -> str:
        """before | may | never | ancestor | self | descendant. `reader` None stands for the
        end of the execution (flow outputs)."""
        if target is reader:
            return "self"
        if self.place(target) is None:
            return "never"
        if target.values.get("disabled") is True or any(a.values.get("disabled") is True for a in self.ancestors(target)):
            return "never"
        t_path = [*self.ancestors(target), target]
        if reader is None:
            return "before" if not self._conditional(t_path) else "may"
        r_path = [*self.ancestors(reader), reader]
        if target in r_path:
            return "ancestor"
        if reader in t_path:
            return "descendant"
        i = 0
        while i < min(len(r_path), len(t_path)) and r_path[i] is t_path[i]:
            i += 1
        r_child, t_child = r_path[i], t_path[i]
        rp, tp = self.places[id(r_child)], self.places[id(t_child)]
        if rp.slot == tp.slot and rp.key == tp.key:
            if rp.kind in CONCURRENT:
                return "never"
            if rp.kind == "dag":
                if not self._upstream(t_child, r_child):
                    return "never"
            elif tp.index > rp.index:
                return "never"
        else:
            r_phase, t_phase = PHASE.get(rp.kind, 0), PHASE.get(tp.kind, 0)
            if t_phase >= r_phase:
                return "never"  # a later phase, or another branch of the same choice
            return "may"  # errors run only after a failure, finally after whatever happened
        return "may" if self._conditional(t_path[i:], shared_slot=True) else "before"

    def history(self, task: Plugin) -> dict[str, list[Plugin]]:
        """The other tasks, by what they are to `task` when it starts: `before` (certainly
        completed), `may` (may have run), `never` (cannot have run), `ancestor`, `descendant`."""
        found: dict[str, list[Plugin]] = {}
        for other in self.tasks:
            if other is not task:
                found.setdefault(self.relation(task, other), []).append(other)
        return found

    def _conditional(self, path: list[Plugin], shared_slot: bool = False) -> bool:
        """Whether a task at the end of `path` (from the common container down) may not
        have run, or may have failed without outputs. With `shared_slot`, the first task
        sits in the reader's own slot, whose kind applies to both."""
        for n, task in enumerate(path):
            place = self.places[id(task)]
            if place.kind in ("choice", "errors", "finally", "after-execution") and not (shared_slot and n == 0):
                return True
            run_if = task.values.get("runIf")
            if run_if not in (None, True, "true"):
                return True
            if task.values.get("allowFailure") is True:
                return True
        return any(t.ptype is not None and t.ptype.raw.get("$toleratesFailure") for t in path[:-1])

    def _upstream(self, a: Plugin, b: Plugin) -> bool:
        """Whether Dag child `a` is (transitively) upstream of Dag child `b`."""
        parent = self.places[id(b)].parent
        edges = {}
        for up, down in self.dag_edges(parent):
            edges.setdefault(id(down), []).append(up)
        stack, seen = [b], set()
        while stack:
            node = stack.pop()
            for up in edges.get(id(node), ()):
                if up is a:
                    return True
                if id(up) not in seen:
                    seen.add(id(up))
                    stack.append(up)
        return False

    def dag_edges(self, dag: Plugin | None):
        if dag is None or dag.ptype is None:
            return
        for prop, spec in dag.ptype.own_properties.items():
            if not (isinstance(spec, dict) and "$dag" in spec):
                continue
            entries = dag.prop(prop)
            if not isinstance(entries, Sequence):
                continue
            by_id = {c.id: c for c in dag.children_in(prop)}
            for entry in entries:
                if not isinstance(entry, Mapping):
                    continue
                task = entry.get(spec["$dag"]["task"]) if isinstance(spec.get("$dag"), dict) else None
                down = by_id.get(scalar_text(task.get("id"))) if isinstance(task, Mapping) else None
                deps = entry.get(spec["$dag"]["dependsOn"])
                if down is None or not isinstance(deps, Sequence):
                    continue
                for dep in deps:
                    up = by_id.get(scalar_text(dep))
                    if up is not None:
                        yield up, down
