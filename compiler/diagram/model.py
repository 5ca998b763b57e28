"""The diagram of a flow: boxes, clusters and typed edges, independent of any output format.

Built from the task graph (compiler.analysis.graph), the same graph the checker uses. Every
flowable task is a cluster holding its children, with a `start` and an `end` point so that
edges into and out of the group are unambiguous (as Kestra's own topology does). Ids are
synthetic (`n1`, `c1`, ...), so no task id can break an output format; the task id is the
label. Everything is ordered as in the YAML: the same flow gives the same diagram.
"""
from __future__ import annotations

from dataclasses import dataclass, field

NODE_KINDS = ("task", "trigger", "start", "end", "flow-start", "flow-end", "flow", "missing-flow")
EDGE_KINDS = ("sequence", "parallel", "choice", "loop", "dag", "errors", "finally", "after-execution", "trigger",
              "subflow", "flow-trigger")  # the last two: between flows (dependency diagrams)


@dataclass
class Node:
    id: str
    label: str  # the task or trigger id ("" for start/end points)
    kind: str  # one of NODE_KINDS
    type: str = ""  # short type: Log, Return, python.Script
    cluster: str | None = None  # the cluster holding it
    disabled: bool = False


@dataclass
class Cluster:
    id: str
    label: str  # the flowable task's id
    type: str  # its short type: Parallel, Switch, ForEach
    parent: str | None = None  # the enclosing cluster
    disabled: bool = False


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # one of EDGE_KINDS
    label: str | None = None  # a branch: `then`, `else`, a Switch case, `defaults`


@dataclass
class Diagram:
    title: str  # namespace.id
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def children(self, cluster_id: str | None) -> tuple[list[Node], list[Cluster]]:
        """Nodes and clusters directly inside `cluster_id` (None: the top level)."""
        return ([n for n in self.nodes if n.cluster == cluster_id],
                [c for c in self.clusters if c.parent == cluster_id])
