"""Graphviz DOT output: clusters for flowable tasks, edges styled by kind."""
from __future__ import annotations

from .model import Diagram

_STYLES = {
    "sequence": 'color="#374151"', "parallel": 'color="#374151"', "loop": 'color="#374151"',
    "choice": 'color="#2563eb"', "dag": 'color="#7c3aed"',
    "errors": 'color="#dc2626", style=dashed', "finally": 'color="#6b7280", style=dashed',
    "after-execution": 'color="#6b7280", style=dotted', "trigger": 'color="#d97706", style=bold',
    "subflow": 'color="#374151"', "flow-trigger": 'color="#d97706", style=dashed',
}


def quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, line breaks as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def render(diagram: Diagram, direction: str = "LR") -> str:
    lines = [f"digraph {quote(diagram.title)} {{",
             f"  rankdir={direction}; compound=true; fontname=\"Helvetica\";",
             '  node [shape=box, style="rounded,filled", fillcolor="#eef2ff", color="#6366f1", fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    _members(diagram, None, lines, "  ")
    for edge in diagram.edges:
        attrs = [_STYLES[edge.kind]]
        if edge.label:
            attrs.append(f"label={quote(edge.label)}")
        lines.append(f"  {edge.source} -> {edge.target} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _members(diagram: Diagram, cluster: str | None, lines: list[str], indent: str) -> None:
    nodes, clusters = diagram.children(cluster)
    for node in nodes:
        if node.kind in ("start", "end", "flow-start", "flow-end"):
            attrs = 'shape=point, width=0.12, color="#6b7280"'
        else:
            label = node.label + (f"\n{node.type}" if node.type else "")
            attrs = f"label={quote(label)}"
            if node.kind == "trigger":
                attrs += ', shape=hexagon, fillcolor="#fef3c7", color="#d97706"'
            elif node.kind == "missing-flow":
                attrs += ', fillcolor="#fee2e2", color="#dc2626", fontcolor="#991b1b", style="rounded,filled,dashed"'
        if node.disabled:
            attrs += ', fillcolor="#f3f4f6", color="#9ca3af", fontcolor="#9ca3af", style="rounded,filled,dashed"'
        lines.append(f"{indent}{node.id} [{attrs}];")
    for child in clusters:
        lines.append(f"{indent}subgraph {quote('cluster_' + child.id)} {{")
        style = 'style="rounded,dashed"; color="#9ca3af"; fontcolor="#9ca3af"' if child.disabled else 'style=rounded; color="#6366f1"'
        lines.append(f"{indent}  label={quote(f'{child.label} ({child.type})')}; {style};")
        _members(diagram, child.id, lines, indent + "  ")
        lines.append(f"{indent}}}")
