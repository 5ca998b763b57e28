"""Mermaid flowchart output, which GitHub renders in a ```mermaid block.

Ids are the diagram's synthetic ids (`n1`, `c1`), so no task id can collide with Mermaid's
keywords (`end`); labels are quoted and their special characters written as Mermaid's
entity codes.
"""
from __future__ import annotations

from .model import Diagram

_ARROWS = {"sequence": "-->", "parallel": "-->", "choice": "-->", "loop": "-->", "dag": "-->",
           "errors": "-.->", "finally": "-.->", "after-execution": "-.->", "trigger": "==>",
           "subflow": "-->", "flow-trigger": "-.->"}
_ENTITIES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "#": "#35;", "|": "#124;",
             "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;", "`": "#96;"}


def escape(text: str) -> str:
    return "".join(_ENTITIES.get(c, c) for c in text.replace("\r", "").replace("\n", " "))


def _label(title: str, subtitle: str) -> str:
    text = escape(title)
    return f"{text}<br/><small>{escape(subtitle)}</small>" if subtitle else text


def render(diagram: Diagram, direction: str = "LR") -> str:
    lines = [f"%% {escape(diagram.title)}", f"flowchart {direction}"]
    _members(diagram, None, lines, "  ", direction)
    for edge in diagram.edges:
        arrow = _ARROWS[edge.kind]
        label = f"|{escape(edge.label)}|" if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    disabled = [n.id for n in diagram.nodes if n.disabled] + [c.id for c in diagram.clusters if c.disabled]
    lines.append("  classDef task fill:#eef2ff,stroke:#6366f1,color:#111827;")
    lines.append("  classDef trigger fill:#fef3c7,stroke:#d97706,color:#111827;")
    lines.append("  classDef point fill:#6b7280,stroke:#6b7280;")
    lines.append("  classDef disabled fill:#f3f4f6,stroke:#9ca3af,color:#9ca3af,stroke-dasharray:3 3;")
    lines.append("  classDef missing fill:#fee2e2,stroke:#dc2626,color:#991b1b,stroke-dasharray:4 2;")
    for kind, cls in (("task", "task"), ("flow", "task"), ("trigger", "trigger"), ("missing-flow", "missing")):
        ids = [n.id for n in diagram.nodes if n.kind == kind and not n.disabled]
        if ids:
            lines.append(f"  class {','.join(ids)} {cls};")
    points = [n.id for n in diagram.nodes if n.kind in ("start", "end", "flow-start", "flow-end")]
    if points:
        lines.append(f"  class {','.join(points)} point;")
    if disabled:
        lines.append(f"  class {','.join(disabled)} disabled;")
    return "\n".join(lines) + "\n"


def _members(diagram: Diagram, cluster: str | None, lines: list[str], indent: str, direction: str) -> None:
    nodes, clusters = diagram.children(cluster)
    for node in nodes:
        if node.kind in ("start", "end", "flow-start", "flow-end"):
            lines.append(f'{indent}{node.id}(("  "))')
        elif node.kind == "trigger":
            lines.append(f'{indent}{node.id}{{{{"{_label(node.label, node.type)}"}}}}')
        else:
            lines.append(f'{indent}{node.id}["{_label(node.label, node.type)}"]')
    for child in clusters:
        lines.append(f'{indent}subgraph {child.id}["{_label(child.label, child.type)}"]')
        lines.append(f"{indent}  direction {direction}")
        _members(diagram, child.id, lines, indent + "  ", direction)
        lines.append(f"{indent}end")
