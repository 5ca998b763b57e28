"""The dependency diagram of a repository: every flow as a node, grouped by namespace, with
an edge for each Subflow/ForEachItem call and each Flow trigger waiting for another flow;
flows that are named but not among the files are drawn as missing."""
from __future__ import annotations

from itertools import count

from ..crossflow import links
from ..model import Flow
from .model import Cluster, Diagram, Edge, Node


def dependencies(flows: list[Flow], title: str = "flows") -> Diagram:
    diagram = Diagram(title)
    ids = count(1)
    namespaces: dict[str, str] = {}
    nodes: dict[tuple[str, str], str] = {}

    def cluster_of(namespace: str) -> str:
        if namespace not in namespaces:
            namespaces[namespace] = f"c{next(ids)}"
            diagram.clusters.append(Cluster(namespaces[namespace], namespace, "namespace"))
        return namespaces[namespace]

    def node_of(namespace: str, flow_id: str, kind: str = "flow", disabled: bool = False) -> str:
        key = (namespace, flow_id)
        if key not in nodes:
            nodes[key] = f"n{next(ids)}"
            diagram.nodes.append(Node(nodes[key], flow_id, kind, "missing" if kind == "missing-flow" else "", cluster_of(namespace), disabled))
        return nodes[key]

    ordered = sorted((f for f in flows if f.namespace and f.id), key=lambda f: (f.namespace, f.id))
    for flow in ordered:
        node_of(flow.namespace, flow.id, disabled=flow.node.value("disabled") is True)
    for flow in ordered:
        source = nodes[(flow.namespace, flow.id)]
        for link in links(flow):
            if not (link.namespace and link.flow_id):
                continue  # names built by expressions: known only at run time
            target = node_of(link.namespace, link.flow_id, "missing-flow")
            if link.kind == "calls":
                diagram.edges.append(Edge(source, target, "subflow", link.via))
            else:
                label = f"{link.via}: {', '.join(link.states)}" if link.states else link.via
                diagram.edges.append(Edge(target, source, "flow-trigger", label))
    return diagram
