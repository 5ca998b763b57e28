"""SVG output of a flow diagram: self-contained (inline styles, no font or image to fetch).

The geometry comes from `layout` (compiler.diagram.layout); this module only draws it, in
paint order: cluster boxes (outer first), edges, nodes, then the texts that may sit over an
edge (cluster headers, edge labels), with a halo so they stay readable. Every text is
escaped; numbers are printed with one decimal, so the same diagram gives the same bytes.
"""
from __future__ import annotations

from .layout import (EDGE_LABEL_SIZE, HEADER_SIZE, HEADER_TYPE_GAP, HEADER_X, HEADER_TYPE_SIZE, LABEL_SIZE, MARGIN,
                     TITLE_SIZE, TRIGGER_ICON, TYPE_SIZE, ClusterBox, EdgeRoute, Layout, NodeBox, Rect,
                     clean_text, layout)
from .model import Diagram

__all__ = ["render", "layout", "Layout"]

# edge kind -> (css class, arrowhead marker)
EDGE_STYLES = {
    "sequence": ("e-plain", "arrow"),
    "parallel": ("e-plain", "arrow"),
    "choice": ("e-plain", "arrow"),
    "dag": ("e-plain", "arrow"),
    "loop": ("e-loop", "arrow-loop"),
    "errors": ("e-errors", "arrow-errors"),
    "finally": ("e-finally", "arrow-finally"),
    "after-execution": ("e-after", "arrow"),
    "trigger": ("e-trigger", "arrow-trigger"),
    "subflow": ("e-plain", "arrow"),  # between flows, in dependency diagrams
    "flow-trigger": ("e-trigger", "arrow-trigger"),
}
MARKERS = (("arrow", "#5b6475"), ("arrow-loop", "#7b52b9"), ("arrow-errors", "#cf3c35"),
           ("arrow-finally", "#9aa0a6"), ("arrow-trigger", "#d48806"))
CLUSTER_FILLS = ("#f4f6fb", "#e9eef7", "#dfe6f2")  # by nesting depth, so nesting shows

STYLE = f"""
text{{font-family:"DejaVu Sans",Verdana,Arial,sans-serif}}
.title{{font-size:{TITLE_SIZE}px;font-weight:bold;fill:#1f2937}}
.cl{{stroke:#b4bed2;stroke-width:1}}
{"".join(f".cl{i}{{fill:{c}}}.hd{i}{{stroke:{c}}}" for i, c in enumerate(CLUSTER_FILLS))}
.head{{font-size:{HEADER_SIZE}px;font-weight:bold;fill:#2f3b55;paint-order:stroke;stroke-width:4px;stroke-linejoin:round}}
.htype{{font-size:{HEADER_TYPE_SIZE}px;font-weight:normal;fill:#66758f}}
.task{{fill:#ffffff;stroke:#8896b0;stroke-width:1.2}}
.trigger{{fill:#fff3dc;stroke:#d48806;stroke-width:1.4}}
.missing{{fill:#fee2e2;stroke:#dc2626;stroke-width:1.2;stroke-dasharray:4 3}}
.bolt{{fill:#d48806}}
.label{{font-size:{LABEL_SIZE}px;fill:#111827;text-anchor:middle}}
.type{{font-size:{TYPE_SIZE}px;fill:#6b7280;text-anchor:middle}}
.start{{fill:#ffffff;stroke:#6b7280;stroke-width:1.5}}
.end{{fill:#6b7280;stroke:#6b7280;stroke-width:1.5}}
.flow-start{{fill:#3f9d5a;stroke:#2d7442;stroke-width:1.5}}
.flow-end{{fill:#ffffff;stroke:#374151;stroke-width:2}}
.flow-end-dot{{fill:#374151}}
.off{{opacity:0.5}}
.off .task,.off .trigger,.off.cl{{fill:#ececec;stroke:#9ca3af;stroke-dasharray:4 3}}
.edge{{fill:none;stroke-width:1.4}}
.e-plain,.e-after{{stroke:#5b6475}}
.e-loop{{stroke:#7b52b9}}
.e-errors{{stroke:#cf3c35;stroke-dasharray:6 4}}
.e-finally{{stroke:#9aa0a6;stroke-dasharray:6 4}}
.e-after{{stroke-dasharray:1.5 3}}
.e-trigger{{stroke:#d48806;stroke-dasharray:1.5 3}}
.elabel{{font-size:{EDGE_LABEL_SIZE}px;fill:#374151;paint-order:stroke;stroke:#ffffff;stroke-width:3px;stroke-linejoin:round}}
"""


def render(diagram: Diagram, direction: str = "LR") -> str:
    return draw(layout(diagram, direction))


def draw(lay: Layout) -> str:
    w, h = _num(lay.width), _num(lay.height)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
           f"<title>{_text(lay.title)}</title>",
           "<defs>", *_markers(), "</defs>",
           f"<style>{STYLE}</style>",
           f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>']
    if lay.title:
        out.append(f'<text class="title" x="{MARGIN}" y="{MARGIN + TITLE_SIZE}">{_text(lay.title)}</text>')
    # outer clusters first, so inner ones are painted over them
    clusters = sorted(lay.clusters.values(), key=lambda c: c.depth)
    out.append('<g class="clusters">')
    out.extend(_cluster(box) for box in clusters)
    out.append('</g>\n<g class="edges">')
    out.extend(_edge(route, lay) for route in lay.edges if len(route.points) >= 2)
    out.append('</g>\n<g class="nodes">')
    out.extend(_node(box) for box in lay.nodes.values())
    out.append('</g>\n<g class="labels">')
    out.extend(_header(box) for box in clusters)
    out.extend(_edge_label(route) for route in lay.edges if route.label and route.label_at)
    out.append("</g>\n</svg>\n")
    return "\n".join(out)


# -- pieces -----------------------------------------------------------------------------------

def _markers() -> list[str]:
    # one arrowhead per edge colour (SVG 1.1 markers cannot take the colour of their path);
    # the tip is the path's end, which lies on the target's border
    return [f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,1 L10,5 L0,9 z" fill="{colour}"/></marker>' for name, colour in MARKERS]


def _cluster(box: ClusterBox) -> str:
    r, c = box.rect, box.cluster
    off = " off" if c.disabled else ""
    tip = _text(clean_text(c.label) + (f" ({clean_text(c.type)})" if c.type else "")
                + (" (disabled)" if c.disabled else ""))
    return (f'<g><title>{tip}</title><rect class="cl cl{box.depth % len(CLUSTER_FILLS)}{off}" '
            f'{_rect_attrs(r)} rx="8"/></g>')


def _header(box: ClusterBox) -> str:
    r = box.rect
    off = " off" if box.cluster.disabled else ""
    x, y = _num(r.x + HEADER_X), _num(r.y + 17)
    type_ = ""
    if box.type:
        type_ = f'<tspan class="htype" dx="{_num(HEADER_TYPE_GAP)}">{_text(box.type)}</tspan>'
    return (f'<text class="head hd{box.depth % len(CLUSTER_FILLS)}{off}" x="{x}" y="{y}">'
            f'{_text(box.label)}{type_}</text>')


def _node(box: NodeBox) -> str:
    n, r = box.node, box.rect
    off = " off" if n.disabled else ""
    tip = _text(_tooltip(box))
    if box.shape == "point":
        return _point(box, tip, off)
    if box.shape == "trigger":
        # a pill with a lightning bolt: a trigger starts the flow, it is not a task
        shape = (f'<rect class="trigger" {_rect_attrs(r)} rx="{_num(r.h / 2)}"/>'
                 f'<path class="bolt" d="{_bolt(r.x + 14, r.cy)}"/>')
        cx = r.cx + TRIGGER_ICON / 2
    else:
        css = "missing" if n.kind == "missing-flow" else "task"  # a flow called but not found
        shape = f'<rect class="{css}" {_rect_attrs(r)} rx="6"/>'
        cx = r.cx
    texts = []
    if box.type:
        texts.append(f'<text class="label" x="{_num(cx)}" y="{_num(r.cy - 2)}">{_text(box.label)}</text>')
        texts.append(f'<text class="type" x="{_num(cx)}" y="{_num(r.cy + 12)}">{_text(box.type)}</text>')
    else:
        texts.append(f'<text class="label" x="{_num(cx)}" y="{_num(r.cy + 4)}">{_text(box.label)}</text>')
    return f'<g class="node{off}"><title>{tip}</title>{shape}{"".join(texts)}</g>'


def _point(box: NodeBox, tip: str, off: str) -> str:
    r = box.rect
    kind = box.node.kind
    cx, cy, radius = _num(r.cx), _num(r.cy), r.w / 2
    inner = ""
    if kind == "flow-end":  # a ring with a dot, as the end of a flow usually is
        inner = f'<circle class="flow-end-dot" cx="{cx}" cy="{cy}" r="{_num(radius - 4)}"/>'
    return (f'<g class="point{off}"><title>{tip}</title>'
            f'<circle class="{kind}" cx="{cx}" cy="{cy}" r="{_num(radius)}"/>{inner}</g>')


def _tooltip(box: NodeBox) -> str:
    n = box.node
    if box.shape == "point":
        return n.kind
    text = clean_text(n.label)
    if n.type:
        text += f" ({clean_text(n.type)})"
    return text + (" (disabled)" if n.disabled else "")


def _bolt(x: float, cy: float) -> str:
    pts = [(x + 2, cy - 8), (x - 4, cy + 1), (x, cy + 1), (x - 2, cy + 8), (x + 5, cy - 2), (x + 1, cy - 2)]
    return "M" + " L".join(f"{_num(px)},{_num(py)}" for px, py in pts) + " z"


def _edge(route: EdgeRoute, lay: Layout) -> str:
    css, marker = EDGE_STYLES.get(route.edge.kind, ("e-plain", "arrow"))
    source = _end_name(lay, route.edge.source)
    target = _end_name(lay, route.edge.target)
    tip = f"{source} → {target} ({clean_text(route.edge.kind)})"
    if route.label:
        tip += f": {clean_text(route.edge.label)}"
    return (f'<path class="edge {css}" d="{_path(route.points, lay.direction == "LR")}" '
            f'marker-end="url(#{marker})"><title>{_text(tip)}</title></path>')


def _end_name(lay: Layout, ident: str) -> str:
    if ident in lay.nodes:
        box = lay.nodes[ident]
        return clean_text(box.node.label) or box.node.kind
    if ident in lay.clusters:
        return clean_text(lay.clusters[ident].cluster.label)
    return clean_text(ident)


def _path(points: list[tuple[float, float]], lr: bool) -> str:
    """Straight runs as lines; a run that changes both x and y crosses a gap between layers
    and becomes an S-curve leaving and arriving along the layer direction (it stays within
    the gap, like the straight segment it replaces)."""
    (x0, y0), parts = points[0], []
    parts.append(f"M{_num(x0)},{_num(y0)}")
    for x1, y1 in points[1:]:
        if abs(x1 - x0) > 1e-6 and abs(y1 - y0) > 1e-6:
            if lr:
                mid = (x0 + x1) / 2
                parts.append(f"C{_num(mid)},{_num(y0)} {_num(mid)},{_num(y1)} {_num(x1)},{_num(y1)}")
            else:
                mid = (y0 + y1) / 2
                parts.append(f"C{_num(x0)},{_num(mid)} {_num(x1)},{_num(mid)} {_num(x1)},{_num(y1)}")
        else:
            parts.append(f"L{_num(x1)},{_num(y1)}")
        x0, y0 = x1, y1
    return " ".join(parts)


def _edge_label(route: EdgeRoute) -> str:
    x, y, anchor = route.label_at
    # the full label, when shortened, is in the edge's tooltip
    return (f'<text class="elabel" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}">'
            f"{_text(route.label)}</text>")


# -- formatting ---------------------------------------------------------------------------------

def _rect_attrs(r: Rect) -> str:
    return f'x="{_num(r.x)}" y="{_num(r.y)}" width="{_num(r.w)}" height="{_num(r.h)}"'


def _num(value: float) -> str:
    """One decimal, no trailing `.0`, no `-0`: short and stable output."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _text(value: str) -> str:
    """Escaped for XML character data (no user text ever goes into an attribute)."""
    return clean_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
