"""Layered layout of a flow diagram (Sugiyama-style), with clusters laid out as blocks.

Blocks: each cluster's content is laid out on its own (innermost first), then the cluster is
one big item of its parent's layout. Items of one container sit in distinct layer columns or
are stacked with a gap in one column, so no two boxes overlap and clusters only nest.

Frame: a container is laid out in (u, v) coordinates, u along the layers (x for LR, y for TB)
and v across them; the real (x, y) come at the end. Edges run from a "tail" (leaving through
its u-max side) to a "head" (entering through its u-min side); an edge that goes against the
layering (a cycle) is routed from its target to its source and its points reversed.

Routing: an edge is routed in the container where its endpoints meet (their lowest common
container). An edge that crosses cluster borders goes through ports: points on the cluster's
border, one per inner endpoint and side, laid out as extra items in the cluster's first (-1)
and last layers, so the part inside the cluster is routed like any other edge. Within a
container an edge only runs (a) across the gaps between layer columns, where there is no box,
and (b) along a layer column at the v of its own slot: a virtual point that the ordering and
placement keep apart from every box of that column. Hence no edge crosses a box.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from .model import Cluster, Diagram, Edge, Node

POINT_KINDS = ("start", "end", "flow-start", "flow-end")

# Text metrics: no font is available, so widths are estimated (~7px a character at 12px).
LABEL_SIZE = 12
TYPE_SIZE = 10
HEADER_SIZE = 12
HEADER_TYPE_SIZE = 11
EDGE_LABEL_SIZE = 11
TITLE_SIZE = 14
MAX_LABEL_W = 230.0  # longer labels are shortened with an ellipsis (the full one is a tooltip)
MAX_TYPE_W = 170.0
MAX_HEADER_W = 240.0
MAX_HEADER_TYPE_W = 150.0
MAX_EDGE_LABEL_W = 150.0

# Sizes and gaps (px)
MARGIN = 16
TITLE_H = 30
NODE_PAD = 14  # left and right of a node's text
NODE_MIN_W = 84.0
NODE_H = 40.0
NODE_H_NO_TYPE = 30.0
TRIGGER_ICON = 16.0
POINT_R = {"start": 6.0, "end": 6.0, "flow-start": 9.0, "flow-end": 9.0}
CLUSTER_PAD = 14.0
HEADER_H = 24.0
HEADER_TYPE_GAP = 6.0
HEADER_X = 10.0  # the header text starts this far from the cluster's left side
LAYER_GAP = {"LR": 46.0, "TB": 40.0}
PORT_GAP = 26.0  # between a cluster border holding ports and its first/last column
STEEP_GAP = 0.04  # extra gap per px of across distance an edge covers in the gap...
MAX_STEEP_GAP = 48.0  # ...up to this
SEP_BOX = {"LR": 22.0, "TB": 28.0}  # across distance between two boxes of a column
SEP_LANE = 12.0  # across distance to an edge lane (virtual point or port)
SPREAD_STEP = 10.0  # distance between edges leaving (or entering) one side of a box
SPREAD_MARGIN = 8.0
LOOP = 10.0  # height of a self-loop
ORDER_SWEEPS = 8
PLACE_SWEEPS = ("down", "up", "down", "up", "both", "both")


# -- text ---------------------------------------------------------------------------------

def clean_text(text: object) -> str:
    """The text with what XML 1.0 cannot hold dropped (control characters, lone surrogates);
    line breaks become spaces since every label is drawn on one line."""
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in "\t\n\r":
            out.append(" ")
        elif code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            continue
        else:
            out.append(ch)
    return "".join(out)


def _char_units(ch: str) -> float:
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0  # combining marks, variation selectors, joiners take no room of their own
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.75  # CJK and most emoji are about a square em
    return 1.0


def text_width(text: str, size: float = LABEL_SIZE, bold: bool = False) -> float:
    width = sum(_char_units(ch) for ch in text) * size * 7.0 / 12.0
    return width * 1.08 if bold else width


def fit_text(text: str, max_width: float, size: float = LABEL_SIZE, bold: bool = False) -> str:
    """`text` shortened with an ellipsis to fit `max_width`."""
    if text_width(text, size, bold) <= max_width:
        return text
    budget = max_width - text_width("…", size, bold)
    used, cut = 0.0, 0
    for i, ch in enumerate(text):
        used += text_width(ch, size, bold)
        if used > budget:
            break
        cut = i + 1
    return text[:cut].rstrip() + "…"


# -- the result -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: "Rect") -> bool:
        """Whether the interiors intersect (touching borders do not count)."""
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)

    def contains(self, other: "Rect") -> bool:
        return (self.x <= other.x and self.y <= other.y
                and other.right <= self.right and other.bottom <= self.bottom)


@dataclass
class NodeBox:
    node: Node
    rect: Rect
    shape: str  # "box", "trigger" or "point" (a circle inscribed in rect)
    label: str  # the label as drawn (maybe shortened)
    type: str


@dataclass
class ClusterBox:
    cluster: Cluster
    rect: Rect
    depth: int  # 0 for a top-level cluster
    label: str  # as drawn in the header
    type: str


@dataclass
class EdgeRoute:
    index: int  # in diagram.edges
    edge: Edge
    points: list[tuple[float, float]]  # from the source's border to the target's border
    label: str | None = None  # as drawn
    label_at: tuple[float, float, str] | None = None  # x, baseline y, text-anchor


@dataclass
class Layout:
    direction: str
    width: float
    height: float
    title: str
    nodes: dict[str, NodeBox] = field(default_factory=dict)
    clusters: dict[str, ClusterBox] = field(default_factory=dict)
    edges: list[EdgeRoute] = field(default_factory=list)


# -- sizes ----------------------------------------------------------------------------------

def node_shape(node: Node) -> str:
    if node.kind in POINT_KINDS:
        return "point"
    return "trigger" if node.kind == "trigger" else "box"


def node_texts(node: Node) -> tuple[str, str]:
    """The label and type as drawn."""
    if node.kind in POINT_KINDS:
        return "", ""
    return (fit_text(clean_text(node.label), MAX_LABEL_W, LABEL_SIZE),
            fit_text(clean_text(node.type), MAX_TYPE_W, TYPE_SIZE))


def node_size(node: Node) -> tuple[float, float]:
    if node.kind in POINT_KINDS:
        d = 2 * POINT_R[node.kind]
        return d, d
    label, type_ = node_texts(node)
    width = max(text_width(label, LABEL_SIZE), text_width(type_, TYPE_SIZE)) + 2 * NODE_PAD
    if node.kind == "trigger":
        width += TRIGGER_ICON
    return max(NODE_MIN_W, round(width)), NODE_H if type_ else NODE_H_NO_TYPE


def cluster_texts(cluster: Cluster) -> tuple[str, str]:
    return (fit_text(clean_text(cluster.label), MAX_HEADER_W, HEADER_SIZE, bold=True),
            fit_text(clean_text(cluster.type), MAX_HEADER_TYPE_W, HEADER_TYPE_SIZE))


def header_text_width(cluster: Cluster) -> float:
    label, type_ = cluster_texts(cluster)
    width = text_width(label, HEADER_SIZE, bold=True)
    if type_:
        width += HEADER_TYPE_GAP + text_width(type_, HEADER_TYPE_SIZE)
    return width


def header_width(cluster: Cluster) -> float:
    """The least width of a cluster's box: its header."""
    return header_text_width(cluster) + 2 * CLUSTER_PAD


# -- internal structures --------------------------------------------------------------------

@dataclass
class _Plan:
    """How one diagram edge is routed: the container where its endpoints meet (lca), the
    items of that container holding each endpoint (a for the source, b for the target)."""

    index: int
    edge: Edge
    src: str  # element keys: "n:<node id>" or "c:<cluster id>"
    dst: str
    lca: str | None
    a: str
    b: str
    reversed: bool = False

    @property
    def tail(self) -> str:
        return self.dst if self.reversed else self.src

    @property
    def head(self) -> str:
        return self.src if self.reversed else self.dst


@dataclass
class _Item:
    kind: str  # "node", "cluster", "lane" (virtual point of a long edge) or "port"
    su: float
    sv: float
    layer: int
    u: float = 0.0
    v: float = 0.0


@dataclass
class _Seg:
    """One edge part routed in one container, from item `tail` to item `head`; the offsets
    say where it meets a cluster item (a port) relative to the item's centre."""

    key: tuple
    tail: str
    head: str
    tail_off: float
    head_off: float
    label: str | None = None
    chain: list[str] = field(default_factory=list)  # tail, lanes..., head
    tail_v: float = 0.0
    head_v: float = 0.0
    points: list[tuple[float, float]] = field(default_factory=list)
    reversed: bool = False  # routed against the edge: its arrowhead is at the tail
    label_at: tuple[float, float, float] | None = None  # u, v of the arrow's tip, v of the point before


@dataclass
class _Block:
    """A laid-out container, in its own frame (box corner at 0, 0)."""

    su: float
    sv: float
    centers: dict[str, tuple[float, float]]  # element key -> centre
    ports: dict[tuple[str, str], float]  # ("in"|"out", endpoint key) -> v on the border
    segs: dict[tuple, _Seg]


# -- the layout -----------------------------------------------------------------------------

def layout(diagram: Diagram, direction: str = "LR") -> Layout:
    direction = direction.upper()
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be LR or TB, not {direction!r}")
    return _Builder(diagram, direction).run()


class _Builder:
    def __init__(self, diagram: Diagram, direction: str) -> None:
        self.diagram = diagram
        self.dir = direction
        self.lr = direction == "LR"
        self.nodes: dict[str, Node] = {}
        for node in diagram.nodes:
            self.nodes.setdefault(node.id, node)
        self.clusters: dict[str, Cluster] = {}
        for cluster in diagram.clusters:
            self.clusters.setdefault(cluster.id, cluster)
        self.parent: dict[str, str | None] = {}  # element key -> container (cluster id or None)
        self.kids: dict[str | None, list[str]] = {None: []}
        self._containment()
        self.plans: list[_Plan] = []
        self.loops: list[tuple[int, Edge, str]] = []
        self._plan_edges()
        self.layer: dict[str, int] = {}
        for container in self.kids:
            self._rank(container)
        self.exits: dict[str | None, list[str]] = {c: [] for c in self.kids}
        self.entries: dict[str | None, list[str]] = {c: [] for c in self.kids}
        self._ports()
        self.blocks: dict[str | None, _Block] = {}

    # -- containment

    def _containment(self) -> None:
        for cid, cluster in self.clusters.items():
            parent = cluster.parent if cluster.parent in self.clusters else None
            self.parent["c:" + cid] = parent
        # a parent cycle (bad input) would loop forever: cut it at the cluster that closes it
        for cid in self.clusters:
            seen, cur = [], cid
            while cur is not None and cur not in seen:
                seen.append(cur)
                cur = self.parent["c:" + cur]
            if cur is not None:
                self.parent["c:" + seen[-1]] = None
        for cid in self.clusters:
            self.kids[cid] = []
        for nid, node in self.nodes.items():
            parent = node.cluster if node.cluster in self.clusters else None
            self.parent["n:" + nid] = parent
            self.kids[parent].append("n:" + nid)
        for cid in self.clusters:
            self.kids[self.parent["c:" + cid]].append("c:" + cid)

    def chain(self, key: str) -> list[str]:
        """The element and the clusters holding it, innermost first."""
        out = [key]
        while self.parent[out[-1]] is not None:
            out.append("c:" + self.parent[out[-1]])
        return out

    def _key(self, ident: str) -> str | None:
        if ident in self.nodes:
            return "n:" + ident
        if ident in self.clusters:
            return "c:" + ident
        return None

    def _plan_edges(self) -> None:
        for index, edge in enumerate(self.diagram.edges):
            src, dst = self._key(edge.source), self._key(edge.target)
            if src is None or dst is None:
                continue  # an edge to nothing is not drawn
            if src == dst:
                self.loops.append((index, edge, src))
                continue
            up_src, up_dst = self.chain(src), self.chain(dst)
            if src in up_dst or dst in up_src:
                continue  # an edge between a cluster and its own content has no route
            # the lowest common container, and the items holding each endpoint there
            a = next(k for k in up_src if self.parent[k] in [self.parent[j] for j in up_dst])
            lca = self.parent[a]
            b = next(k for k in up_dst if self.parent[k] == lca)
            self.plans.append(_Plan(index, edge, src, dst, lca, a, b))

    # -- layers (structure only: they decide the ports, so they come before any geometry)

    def _rank(self, container: str | None) -> None:
        items = self.kids[container]
        plans = [p for p in self.plans if p.lca == container]
        _break_cycles(items, plans)
        succ: dict[str, list[str]] = {k: [] for k in items}
        pred: dict[str, list[str]] = {k: [] for k in items}
        for p in plans:
            t, h = (p.b, p.a) if p.reversed else (p.a, p.b)
            succ[t].append(h)
            pred[h].append(t)
        # longest path from the sources, in topological order (Kahn)
        indeg = {k: len(pred[k]) for k in items}
        ready = [k for k in items if indeg[k] == 0]
        layer = {k: 0 for k in items}
        i = 0
        while i < len(ready):
            k = ready[i]
            i += 1
            for h in succ[k]:
                layer[h] = max(layer[h], layer[k] + 1)
                indeg[h] -= 1
                if indeg[h] == 0:
                    ready.append(h)
        # a source feeding a late item waits next to it instead of stretching its edges
        for k in reversed(ready):
            if not pred[k] and succ[k]:
                layer[k] = max(layer[k], min(layer[h] for h in succ[k]) - 1)
        low = min(layer.values(), default=0)
        for k in items:
            self.layer[k] = layer[k] - low

    def _ports(self) -> None:
        """Every cluster between an edge's routed endpoint and the container where the edge
        is routed gets a port on its border for that endpoint (shared by its edges)."""
        for p in self.plans:
            for end, ports in ((p.tail, self.exits), (p.head, self.entries)):
                container = self.parent[end]
                while container != p.lca:
                    if end not in ports[container]:
                        ports[container].append(end)
                    container = self.parent["c:" + container]

    # -- geometry

    def run(self) -> Layout:
        for cid in self._post_order(None):
            self.blocks[cid] = _ContainerLayout(self, cid).run()
        self.blocks[None] = _ContainerLayout(self, None).run()
        return self._assemble()

    def _post_order(self, container: str | None) -> list[str]:
        out: list[str] = []
        for key in self.kids[container]:
            if key.startswith("c:"):
                out.extend(self._post_order(key[2:]))
                out.append(key[2:])
        return out

    def item_size(self, key: str) -> tuple[float, float]:
        """(along, across) size of an element."""
        if key.startswith("n:"):
            w, h = node_size(self.nodes[key[2:]])
            return (w, h) if self.lr else (h, w)
        block = self.blocks[key[2:]]
        return block.su, block.sv

    def port_offset(self, item: str, side: str, end: str) -> float:
        """Where an edge to `end` meets `item`, across, relative to the item's centre."""
        if item == end or not item.startswith("c:"):
            return 0.0
        block = self.blocks[item[2:]]
        return block.ports[(side, end)] - block.sv / 2

    def child_of(self, container: str | None, key: str) -> str:
        return next(k for k in self.chain(key) if self.parent[k] == container)

    # -- absolute positions and the result

    def _assemble(self) -> Layout:
        origin: dict[str | None, tuple[float, float]] = {None: (0.0, 0.0)}
        centers: dict[str, tuple[float, float]] = {}
        sizes: dict[str, tuple[float, float]] = {}
        order: list[str | None] = [None, *self._pre_order(None)]
        for container in order:
            ou, ov = origin[container]
            for key, (u, v) in self.blocks[container].centers.items():
                su, sv = self.item_size(key)
                centers[key] = (ou + u, ov + v)
                sizes[key] = (su, sv)
                if key.startswith("c:"):
                    origin[key[2:]] = (ou + u - su / 2, ov + v - sv / 2)

        top = self.blocks[None]
        width, height = (top.su, top.sv) if self.lr else (top.sv, top.su)
        title = clean_text(self.diagram.title)
        width = max(width + 2 * MARGIN, text_width(title, TITLE_SIZE, bold=True) + 2 * MARGIN)
        height = height + 2 * MARGIN + TITLE_H
        result = Layout(self.dir, round(width, 1), round(height, 1), title)

        def real(u: float, v: float) -> tuple[float, float]:
            x, y = (u, v) if self.lr else (v, u)
            return (round(x + MARGIN, 3), round(y + MARGIN + TITLE_H, 3))

        def rect(key: str) -> Rect:
            (u, v), (su, sv) = centers[key], sizes[key]
            x0, y0 = real(u - su / 2, v - sv / 2)
            return Rect(x0, y0, su, sv) if self.lr else Rect(x0, y0, sv, su)

        for nid, node in self.nodes.items():
            label, type_ = node_texts(node)
            result.nodes[nid] = NodeBox(node, rect("n:" + nid), node_shape(node), label, type_)
        for cid in self._pre_order(None):
            label, type_ = cluster_texts(self.clusters[cid])
            depth = len(self.chain("c:" + cid)) - 1
            result.clusters[cid] = ClusterBox(self.clusters[cid], rect("c:" + cid), depth, label, type_)

        routes: dict[int, EdgeRoute] = {}
        for p in self.plans:
            routes[p.index] = self._route(p, origin, real)
        for index, edge, key in self.loops:
            box = result.nodes[key[2:]] if key.startswith("n:") else result.clusters[key[2:]]
            routes[index] = EdgeRoute(index, edge, self._loop(box), _edge_label(edge))
        result.edges = [routes[i] for i in sorted(routes)]
        return result

    def _pre_order(self, container: str | None) -> list[str]:
        out: list[str] = []
        for key in self.kids[container]:
            if key.startswith("c:"):
                out.append(key[2:])
                out.extend(self._pre_order(key[2:]))
        return out

    def _route(self, p: _Plan, origin, real) -> EdgeRoute:
        """The edge's points: its parts in each container from its tail up to where it is
        routed, then down to its head, joined at the ports."""
        parts: list[tuple[str | None, tuple]] = []
        container = self.parent[p.tail]
        while container != p.lca:
            parts.append((container, ("out", p.tail)))
            container = self.parent["c:" + container]
        parts.append((p.lca, ("edge", p.index)))
        downward = []
        container = self.parent[p.head]
        while container != p.lca:
            downward.append((container, ("in", p.head)))
            container = self.parent["c:" + container]
        parts.extend(reversed(downward))

        points: list[tuple[float, float]] = []
        label_at = None
        for container, key in parts:
            ou, ov = origin[container]
            seg = self.blocks[container].segs[key]
            points.extend(real(ou + u, ov + v) for u, v in seg.points)
            if key[0] == "edge" and seg.label_at is not None:
                u, v, v_before = seg.label_at
                label_at = self._label_spot(real(ou + u, ov + v), v_before - v, not p.reversed)
        points = _simplify(points)
        if p.reversed:
            points.reverse()
        label = _edge_label(p.edge)
        return EdgeRoute(p.index, p.edge, points, label, label_at if label else None)

    def _label_spot(self, at: tuple[float, float], came_from: float, forward: bool) -> tuple[float, float, str]:
        """Where a label goes: next to the arrowhead, outside the box it points at (before it
        along the layers, or after it for an edge drawn backwards), on the side the edge does
        not come from (came_from: across direction of the edge's previous point)."""
        x, y = at
        if self.lr:
            baseline = y - 5 if came_from >= 0 else y + EDGE_LABEL_SIZE + 2
            return (round(x - 6 if forward else x + 6, 3), round(baseline, 3), "end" if forward else "start")
        baseline = y - 6 if forward else y + EDGE_LABEL_SIZE + 6
        if came_from <= 0:
            return (round(x + 6, 3), round(baseline, 3), "start")
        return (round(x - 6, 3), round(baseline, 3), "end")

    def _loop(self, box: NodeBox | ClusterBox) -> list[tuple[float, float]]:
        """A small loop on the box's across-after side (bottom for LR, right for TB), inside
        the gap every item keeps around it."""
        r = box.rect
        if isinstance(box, NodeBox) and box.shape == "point":
            if self.lr:
                return [(r.cx, r.bottom), (r.cx, r.bottom + LOOP), (r.right + LOOP, r.bottom + LOOP),
                        (r.right + LOOP, r.cy), (r.right, r.cy)]
            return [(r.right, r.cy), (r.right + LOOP, r.cy), (r.right + LOOP, r.bottom + LOOP),
                    (r.cx, r.bottom + LOOP), (r.cx, r.bottom)]
        if self.lr:
            return [(r.cx + 8, r.bottom), (r.cx + 8, r.bottom + LOOP), (r.cx - 8, r.bottom + LOOP),
                    (r.cx - 8, r.bottom)]
        return [(r.right, r.cy - 8), (r.right + LOOP, r.cy - 8), (r.right + LOOP, r.cy + 8),
                (r.right, r.cy + 8)]


def _edge_label(edge: Edge) -> str | None:
    if not edge.label:
        return None
    return fit_text(clean_text(edge.label), MAX_EDGE_LABEL_W, EDGE_LABEL_SIZE)


def _simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points (parts meet at ports) and the middle of straight runs."""
    out: list[tuple[float, float]] = []
    for pt in points:
        if out and abs(out[-1][0] - pt[0]) < 1e-6 and abs(out[-1][1] - pt[1]) < 1e-6:
            continue
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            same_x = abs(x0 - x1) < 1e-6 and abs(x1 - pt[0]) < 1e-6
            same_y = abs(y0 - y1) < 1e-6 and abs(y1 - pt[1]) < 1e-6
            between = min(x0, pt[0]) - 1e-6 <= x1 <= max(x0, pt[0]) + 1e-6 and \
                min(y0, pt[1]) - 1e-6 <= y1 <= max(y0, pt[1]) + 1e-6
            if (same_x or same_y) and between:
                out[-1] = pt
                continue
        out.append(pt)
    return out


def _break_cycles(items: list[str], plans: list[_Plan]) -> None:
    """Mark the edges that close a cycle (found by a depth-first search from the sources, in
    document order) as reversed, so the layering sees a DAG."""
    out: dict[str, list[_Plan]] = {k: [] for k in items}
    has_pred = {k: False for k in items}
    for p in plans:
        out[p.a].append(p)
        has_pred[p.b] = True
    state: dict[str, int] = {}  # 1: on the search stack, 2: done
    roots = [k for k in items if not has_pred[k]] + [k for k in items if has_pred[k]]
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            key, edges = stack[-1]
            for p in edges:
                seen = state.get(p.b)
                if seen is None:
                    state[p.b] = 1
                    stack.append((p.b, iter(out[p.b])))
                    break
                if seen == 1:
                    p.reversed = True
            else:
                state[key] = 2
                stack.pop()


class _ContainerLayout:
    """The layout of one container (the flow, or one cluster whose child clusters are done)."""

    def __init__(self, builder: _Builder, cid: str | None) -> None:
        self.b = builder
        self.cid = cid
        self.is_cluster = cid is not None
        self.dir = builder.dir
        self.items: dict[str, _Item] = {}
        self.segs: list[_Seg] = []
        self.layers: dict[int, list[str]] = {}
        self.succ: dict[str, list[tuple[str, float, float]]] = {}  # (other, its offset, own offset)
        self.pred: dict[str, list[tuple[str, float, float]]] = {}

    def run(self) -> _Block:
        self._items()
        self._segments()
        self._order()
        self._place_across()
        self._place_along()
        self._attach()
        for seg in self.segs:
            self._points(seg)
        return self._block()

    # -- what is laid out

    def _items(self) -> None:
        for key in self.b.kids[self.cid]:
            su, sv = self.b.item_size(key)
            self.items[key] = _Item("node" if key.startswith("n:") else "cluster", su, sv, self.b.layer[key])
        self.last = max((it.layer for it in self.items.values()), default=-1)
        if self.is_cluster:
            self.lo, self.hi = -1, self.last + 1  # the port columns are the box's borders
        else:
            self.lo, self.hi = 0, max(self.last, 0)
        for end in self.b.entries[self.cid]:
            self.items["pi:" + end] = _Item("port", 0.0, 0.0, self.lo)
        for end in self.b.exits[self.cid]:
            self.items["po:" + end] = _Item("port", 0.0, 0.0, self.hi)

    def _segments(self) -> None:
        b = self.b
        for p in b.plans:
            if p.lca != self.cid:
                continue
            tail, head = (p.b, p.a) if p.reversed else (p.a, p.b)
            self.segs.append(_Seg(("edge", p.index), tail, head, b.port_offset(tail, "out", p.tail),
                                  b.port_offset(head, "in", p.head), _edge_label(p.edge), reversed=p.reversed))
        for end in b.exits[self.cid]:
            item = b.child_of(self.cid, end)
            self.segs.append(_Seg(("out", end), item, "po:" + end, b.port_offset(item, "out", end), 0.0))
        for end in b.entries[self.cid]:
            item = b.child_of(self.cid, end)
            self.segs.append(_Seg(("in", end), "pi:" + end, item, 0.0, b.port_offset(item, "in", end)))
        # a long edge gets a lane point in every layer it crosses
        for n, seg in enumerate(self.segs):
            first, last = self.items[seg.tail].layer, self.items[seg.head].layer
            seg.chain = [seg.tail]
            for layer in range(first + 1, last):
                key = f"v:{n}:{layer}"
                self.items[key] = _Item("lane", 0.0, 0.0, layer)
                seg.chain.append(key)
            seg.chain.append(seg.head)
        for key in self.items:
            self.succ[key], self.pred[key] = [], []
        for seg in self.segs:
            for j in range(len(seg.chain) - 1):
                x, y = seg.chain[j], seg.chain[j + 1]
                off_x = seg.tail_off if j == 0 else 0.0
                off_y = seg.head_off if j + 2 == len(seg.chain) else 0.0
                self.succ[x].append((y, off_y, off_x))
                self.pred[y].append((x, off_x, off_y))

    # -- order within layers (crossing reduction)

    def _order(self) -> None:
        self.layers = {layer: [] for layer in range(self.lo, self.hi + 1)}
        # first order: depth-first from the entries and the elements in document order, so
        # that what follows one item starts next to it
        roots = [k for k in self.items if k.startswith("pi:")] + list(self.b.kids[self.cid])
        seen: set[str] = set()
        for root in roots + list(self.items):
            if root in seen:
                continue
            stack = [root]
            while stack:
                key = stack.pop()
                if key in seen:
                    continue
                seen.add(key)
                self.layers[self.items[key].layer].append(key)
                stack.extend(y for y, _, _ in reversed(self.succ[key]) if y not in seen)
        pos = self._positions()
        best, best_cross = {k: list(v) for k, v in self.layers.items()}, self._crossings(pos)
        for sweep in range(ORDER_SWEEPS):
            if best_cross == 0:
                break
            down = sweep % 2 == 0
            span = range(self.lo + 1, self.hi + 1) if down else range(self.hi - 1, self.lo - 1, -1)
            for layer in span:
                self._reorder(layer, self.pred if down else self.succ, pos)
            cross = self._crossings(pos)
            if cross < best_cross:
                best, best_cross = {k: list(v) for k, v in self.layers.items()}, cross
        self.layers = best

    def _positions(self) -> dict[str, float]:
        return {key: float(i) for keys in self.layers.values() for i, key in enumerate(keys)}

    def _frac(self, key: str, off: float) -> float:
        """A port's place on a cluster item, as a fraction of a slot (for ordering)."""
        sv = self.items[key].sv
        return max(-0.45, min(0.45, off / sv)) if sv > 0 else 0.0

    def _reorder(self, layer: int, links: dict, pos: dict[str, float]) -> None:
        keyed = []
        for i, key in enumerate(self.layers[layer]):
            near = links[key]
            if near:
                bary = sum(pos[y] + self._frac(y, off) for y, off, _ in near) / len(near)
            else:
                bary = pos[key]  # nothing to follow: stay
            keyed.append((bary, i, key))
        keyed.sort()
        self.layers[layer] = [key for _, _, key in keyed]
        for i, key in enumerate(self.layers[layer]):
            pos[key] = float(i)

    def _crossings(self, pos: dict[str, float]) -> int:
        total = 0
        for layer in range(self.lo, self.hi):
            pairs = sorted((pos[x] + self._frac(x, own), pos[y] + self._frac(y, off))
                           for x in self.layers[layer] for y, off, own in self.succ[x])
            total += _inversions([lower for _, lower in pairs])
        return total

    # -- across coordinates

    def _sep(self, x: str, y: str) -> float:
        a, b = self.items[x], self.items[y]
        boxes = a.kind in ("node", "cluster") and b.kind in ("node", "cluster")
        return (a.sv + b.sv) / 2 + (SEP_BOX[self.dir] if boxes else SEP_LANE)

    def _place_across(self) -> None:
        """Stack each layer, then pull every item towards its neighbours in the layer before
        (or after, or both), each layer solved exactly by isotonic regression so the order and
        the gaps are kept."""
        for keys in self.layers.values():
            v = 0.0
            for i, key in enumerate(keys):
                if i:
                    v += self._sep(keys[i - 1], key)
                self.items[key].v = v
        for mode in PLACE_SWEEPS:
            span = range(self.hi - 1, self.lo - 1, -1) if mode == "up" else range(self.lo, self.hi + 1)
            for layer in span:
                keys = self.layers[layer]
                if not keys:
                    continue
                targets, weights = [], []
                for key in keys:
                    near = self._neighbours(key, mode)
                    item = self.items[key]
                    if near:
                        targets.append(sum(self.items[y].v + off - own for y, off, own in near) / len(near))
                    else:
                        targets.append(item.v)
                    # lanes weigh more: long edges stay straight, boxes move around them
                    weights.append(2.0 if item.kind == "lane" else 1.0)
                seps = [self._sep(keys[i], keys[i + 1]) for i in range(len(keys) - 1)]
                for key, v in zip(keys, _isotonic(targets, weights, seps)):
                    self.items[key].v = v
        self._straighten()
        low = min((it.v - it.sv / 2 for it in self.items.values()), default=0.0)
        for item in self.items.values():
            item.v -= low

    def _straighten(self) -> None:
        """Put all the lanes of a long edge at one v when their neighbours leave room for it,
        so the edge is one straight run instead of a wiggle (order and gaps are kept)."""
        index = {key: (layer, i) for layer, keys in self.layers.items() for i, key in enumerate(keys)}
        for seg in self.segs:
            lanes = seg.chain[1:-1]
            if len(lanes) < 2:
                continue
            low, high = float("-inf"), float("inf")
            for key in lanes:
                layer, i = index[key]
                keys = self.layers[layer]
                if i > 0:
                    low = max(low, self.items[keys[i - 1]].v + self._sep(keys[i - 1], key))
                if i + 1 < len(keys):
                    high = min(high, self.items[keys[i + 1]].v - self._sep(key, keys[i + 1]))
            if low > high:
                continue
            ends = (self.items[seg.tail].v + seg.tail_off, self.items[seg.head].v + seg.head_off)
            middle = sorted(self.items[k].v for k in lanes)[len(lanes) // 2]
            # in line with an end if possible: then the whole edge is straight there
            target = next((v for v in ends if low <= v <= high), min(high, max(low, middle)))
            for key in lanes:
                self.items[key].v = target

    def _neighbours(self, key: str, mode: str) -> list[tuple[str, float, float]]:
        if mode == "down":
            return self.pred[key]
        if mode == "up":
            return self.succ[key]
        return self.pred[key] + self.succ[key]

    # -- along coordinates

    def _place_along(self) -> None:
        lr = self.dir == "LR"
        width = {layer: max((self.items[k].su for k in keys), default=0.0)
                 for layer, keys in self.layers.items()}
        gaps = {}
        for layer in range(self.lo, self.hi):
            gaps[layer] = self._gap(layer, lr)
        if self.is_cluster and lr:
            # the header must fit the box's width: widen the border gaps, content centred
            need = header_width(self.b.clusters[self.cid]) - (sum(width.values()) + sum(gaps.values()))
            if need > 0:
                gaps[self.lo] += need / 2
                gaps[self.hi - 1] += need / 2
        self.start: dict[int, float] = {}
        self.end: dict[int, float] = {}
        u = 0.0
        for layer in range(self.lo, self.hi + 1):
            self.start[layer], self.end[layer] = u, u + width[layer]
            u = self.end[layer] + gaps.get(layer, 0.0)
            for key in self.layers[layer]:
                self.items[key].u = (self.start[layer] + self.end[layer]) / 2
        self.length = self.end[self.hi]

    def _gap(self, layer: int, lr: bool) -> float:
        entry_side = self.is_cluster and layer == self.lo
        exit_side = self.is_cluster and layer + 1 == self.hi
        if entry_side or exit_side:
            gap = 0.0
            if entry_side:
                gap += (PORT_GAP if self.b.entries[self.cid] else CLUSTER_PAD) + (0.0 if lr else HEADER_H)
            if exit_side:
                gap += PORT_GAP if self.b.exits[self.cid] else CLUSTER_PAD
        else:
            gap = LAYER_GAP[self.dir]
        # steep edges get more room so that their curves stay readable
        steep = max((abs(self.items[x].v + own - self.items[y].v - off)
                     for x in self.layers[layer] for y, off, own in self.succ[x]), default=0.0)
        gap += min(MAX_STEEP_GAP, STEEP_GAP * steep)
        # an edge label sits in the gap next to its arrowhead
        for seg in self.segs:
            arrow_side = self.items[seg.tail].layer == layer if seg.reversed else \
                self.items[seg.head].layer == layer + 1
            if seg.label and arrow_side:
                need = text_width(seg.label, EDGE_LABEL_SIZE) + 24 if lr else EDGE_LABEL_SIZE + 20
                gap = max(gap, need)
        return gap

    # -- edge points

    def _attach(self) -> None:
        """Where each part leaves and enters its items; several edges on one side of a box
        are spread along it, ordered by where they go, so they do not cross there."""
        outs: dict[str, list[tuple[float, int]]] = {}
        ins: dict[str, list[tuple[float, int]]] = {}
        for n, seg in enumerate(self.segs):
            seg.tail_v = self.items[seg.tail].v + seg.tail_off
            seg.head_v = self.items[seg.head].v + seg.head_off
            nxt, prv = seg.chain[1], seg.chain[-2]
            nxt_v = self.items[nxt].v + (seg.head_off if nxt == seg.head else 0.0)
            prv_v = self.items[prv].v + (seg.tail_off if prv == seg.tail else 0.0)
            if self._spreads(seg.tail):
                outs.setdefault(seg.tail, []).append((nxt_v, n))
            if self._spreads(seg.head):
                ins.setdefault(seg.head, []).append((prv_v, n))
        for sides, attr in ((outs, "tail_v"), (ins, "head_v")):
            for key, found in sides.items():
                found.sort()
                item, count = self.items[key], len(found)
                step = min(SPREAD_STEP, (item.sv - 2 * SPREAD_MARGIN) / max(1, count - 1))
                for i, (_, n) in enumerate(found):
                    setattr(self.segs[n], attr, item.v + (i - (count - 1) / 2) * step)

    def _spreads(self, key: str) -> bool:
        return key.startswith("n:") and node_shape(self.b.nodes[key[2:]]) != "point"

    def _points(self, seg: _Seg) -> None:
        """Border of the tail, end of its column, through each crossed column at the lane's
        v, start of the head's column, border of the head."""
        tail, head = self.items[seg.tail], self.items[seg.head]
        pts = [(tail.u + tail.su / 2, seg.tail_v), (self.end[tail.layer], seg.tail_v)]
        for key in seg.chain[1:-1]:
            lane = self.items[key]
            pts += [(self.start[lane.layer], lane.v), (self.end[lane.layer], lane.v)]
        before = pts[-1][1]
        pts += [(self.start[head.layer], seg.head_v), (head.u - head.su / 2, seg.head_v)]
        seg.points = pts
        if seg.reversed:
            seg.label_at = (pts[0][0], seg.tail_v, pts[2][1])
        else:
            seg.label_at = (pts[-1][0], seg.head_v, before)

    # -- the block

    def _block(self) -> _Block:
        lr = self.dir == "LR"
        content = max((it.v + it.sv / 2 for it in self.items.values()), default=0.0)
        before = after = 0.0
        if self.is_cluster:
            before = CLUSTER_PAD + (HEADER_H if lr else 0.0)
            after = CLUSTER_PAD
            if not lr:
                # edges come in through the top border, across the header band: keep them
                # right of the header text
                ports = [it.v for k, it in self.items.items() if k.startswith("pi:")]
                if ports:
                    text_end = HEADER_X + header_text_width(self.b.clusters[self.cid]) + 8
                    before = max(before, text_end - min(ports))
                # the header must fit the box's width: pad both sides, content centred
                need = header_width(self.b.clusters[self.cid]) - (content + before + after)
                if need > 0:
                    before += need / 2
                    after += need / 2
        for seg in self.segs:
            seg.points = [(u, v + before) for u, v in seg.points]
            if seg.label_at:
                u, v, prev = seg.label_at
                seg.label_at = (u, v + before, prev + before)
        centers = {k: (it.u, it.v + before) for k, it in self.items.items() if k[:2] in ("n:", "c:")}
        ports = {}
        for k, it in self.items.items():
            if k.startswith("pi:"):
                ports[("in", k[3:])] = it.v + before
            elif k.startswith("po:"):
                ports[("out", k[3:])] = it.v + before
        return _Block(self.length, content + before + after, centers, ports, {s.key: s for s in self.segs})


def _isotonic(targets: list[float], weights: list[float], seps: list[float]) -> list[float]:
    """Positions closest (weighted least squares) to `targets` with position[i+1] at least
    position[i] + seps[i]: pool-adjacent-violators on the targets less the minimal offsets."""
    offsets = [0.0]
    for sep in seps:
        offsets.append(offsets[-1] + sep)
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for target, weight, offset in zip(targets, weights, offsets):
        blocks.append([weight * (target - offset), weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, weight_, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += weight_
            blocks[-1][2] += count
    out: list[float] = []
    for total, weight, count in blocks:
        for _ in range(int(count)):
            out.append(offsets[len(out)] + total / weight)
    return out


def _inversions(values: list[float]) -> int:
    """Pairs i < j with values[i] > values[j] (edges crossing between two layers)."""
    if len(values) < 2:
        return 0
    mid = len(values) // 2
    left, right = sorted(values[:mid]), sorted(values[mid:])
    count = _inversions(values[:mid]) + _inversions(values[mid:])
    j = 0
    for x in left:  # for each left value, the right values strictly smaller
        while j < len(right) and right[j] < x:
            j += 1
        count += j
    return count
