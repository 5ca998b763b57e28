"""SVG output of diagrams: well-formed, escaped, deterministic, and a layout where no boxes
overlap and edges run from border to border around the other boxes."""
import random
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest

from compiler.diagram.layout import HEADER_X, MAX_LABEL_W, Rect, header_text_width
from compiler.checker import check_file
from compiler.diagram import build
from compiler.diagram.dependencies import dependencies
from compiler.diagram.model import Cluster, Diagram, Edge, Node
from compiler.diagram.svg import layout, render

from ..conftest import CORPUS, EXAMPLES

SVG = "{http://www.w3.org/2000/svg}"
TOL = 1.0


# -- diagrams -----------------------------------------------------------------------------------

def task(node_id, label=None, cluster=None, type_="Log", **kw):
    return Node(node_id, label if label is not None else node_id, "task", type_, cluster, **kw)


def point(node_id, kind, cluster=None):
    return Node(node_id, "", kind, "", cluster)


def chain(ids, kind="sequence"):
    return [Edge(a, b, kind) for a, b in zip(ids, ids[1:])]


def sequence_of_5():
    nodes = [point("s", "flow-start")] + [task(f"n{i}", f"task{i}") for i in range(1, 6)] + [point("e", "flow-end")]
    return Diagram("company.team.sequence", nodes, [], chain([n.id for n in nodes]))


def parallel_cluster():
    """A Parallel: edges fan out from its start point and join at its end point."""
    nodes = [point("s", "flow-start"), task("a"),
             point("c1s", "start", "c1"), task("p1", cluster="c1"), task("p2", cluster="c1", type_="python.Script"),
             task("p3", cluster="c1"), point("c1e", "end", "c1"), task("b"), point("e", "flow-end")]
    edges = chain(["s", "a", "c1s"]) + chain(["c1e", "b", "e"])
    for child in ("p1", "p2", "p3"):
        edges += [Edge("c1s", child, "parallel"), Edge(child, "c1e", "parallel")]
    return Diagram("company.team.parallel", nodes, [Cluster("c1", "par", "Parallel")], edges)


def nested_clusters():
    """A ForEach holding a Switch whose `then` case holds a Parallel, a loop edge back, errors."""
    clusters = [Cluster("each", "each", "ForEach"), Cluster("sw", "branch", "Switch", parent="each"),
                Cluster("par", "fan", "Parallel", parent="sw")]
    nodes = [point("s", "flow-start"),
             point("each.s", "start", "each"), point("each.e", "end", "each"),
             point("sw.s", "start", "sw"), point("sw.e", "end", "sw"),
             point("par.s", "start", "par"), point("par.e", "end", "par"),
             task("x1", cluster="par"), task("x2", cluster="par"),
             task("other", cluster="sw"), task("after", cluster="each"),
             task("last"), task("oops", type_="Log"), point("e", "flow-end")]
    edges = [Edge("s", "each.s", "sequence"), Edge("each.s", "sw.s", "loop"),
             Edge("sw.s", "par.s", "choice", "then"), Edge("sw.s", "other", "choice", "else"),
             Edge("par.s", "x1", "parallel"), Edge("par.s", "x2", "parallel"),
             Edge("x1", "par.e", "parallel"), Edge("x2", "par.e", "parallel"),
             Edge("par.e", "sw.e", "choice"), Edge("other", "sw.e", "choice"),
             Edge("sw.e", "after", "loop"), Edge("after", "each.e", "loop"),
             Edge("each.e", "each.s", "loop"),  # back to the start of the loop: a cycle
             Edge("each.e", "last", "sequence"), Edge("last", "e", "sequence"),
             Edge("s", "oops", "errors"), Edge("oops", "e", "errors")]
    return Diagram("company.team.nested", nodes, clusters, edges)


def realistic():
    """What the builder makes of a typical flow: triggers, a sequence, a Parallel, a Switch
    with a nested Sequential, a disabled task, errors, finally and afterExecution."""
    clusters = [Cluster("c1", "fetch_all", "Parallel"), Cluster("c2", "route", "Switch"),
                Cluster("c3", "eu_steps", "Sequential", parent="c2"),
                Cluster("c4", "legacy", "Sequential", disabled=True)]
    nodes = [Node("tr1", "daily", "trigger", "Schedule"), Node("tr2", "on_upload", "trigger", "s3.Trigger"),
             point("s", "flow-start"), task("init", "init", type_="Log"),
             point("c1s", "start", "c1"), point("c1e", "end", "c1"),
             task("f1", "fetch_orders", "c1", "http.Request"), task("f2", "fetch_customers", "c1", "http.Request"),
             task("f3", "fetch_products_from_the_catalogue", "c1", "jdbc.postgresql.Query"),
             task("merge", "merge", type_="python.Script"),
             point("c2s", "start", "c2"), point("c2e", "end", "c2"),
             point("c3s", "start", "c3"), point("c3e", "end", "c3"),
             task("eu1", "anonymise", "c3", "python.Script"), task("eu2", "store_eu", "c3", "gcs.Upload"),
             task("us", "store_us", "c2", "s3.Upload"), task("def", "notify_unknown", "c2", "slack.SlackIncomingWebhook"),
             point("c4s", "start", "c4"), point("c4e", "end", "c4"),
             task("old", "old_export", "c4", "Log", disabled=True),
             task("report", "report", type_="Log"),
             task("alert", "alert_on_failure", type_="slack.SlackIncomingWebhook"),
             task("cleanup", "cleanup", type_="PurgeCurrentExecutionFiles"),
             task("audit", "audit", type_="Log"),
             point("e", "flow-end")]
    edges = [Edge("tr1", "s", "trigger"), Edge("tr2", "s", "trigger"),
             Edge("s", "init", "sequence"), Edge("init", "c1s", "sequence"),
             Edge("c1s", "f1", "parallel"), Edge("c1s", "f2", "parallel"), Edge("c1s", "f3", "parallel"),
             Edge("f1", "c1e", "parallel"), Edge("f2", "c1e", "parallel"), Edge("f3", "c1e", "parallel"),
             Edge("c1e", "merge", "sequence"), Edge("merge", "c2s", "sequence"),
             Edge("c2s", "c3s", "choice", "EU"), Edge("c2s", "us", "choice", "US"),
             Edge("c2s", "def", "choice", "defaults"),
             Edge("c3s", "eu1", "sequence"), Edge("eu1", "eu2", "sequence"), Edge("eu2", "c3e", "sequence"),
             Edge("c3e", "c2e", "choice"), Edge("us", "c2e", "choice"), Edge("def", "c2e", "choice"),
             Edge("c2e", "c4s", "sequence"), Edge("c4s", "old", "sequence"), Edge("old", "c4e", "sequence"),
             Edge("c4e", "report", "sequence"), Edge("report", "e", "sequence"),
             Edge("s", "alert", "errors"), Edge("alert", "e", "errors"),
             Edge("report", "cleanup", "finally"), Edge("cleanup", "e", "finally"),
             Edge("cleanup", "audit", "after-execution"), Edge("audit", "e", "after-execution")]
    return Diagram("company.team.etl", nodes, clusters, edges)


def random_dag(seed, size=100, with_clusters=False):
    """`size` tasks, each fed by one to three earlier tasks; with clusters, the tasks are
    spread over nested clusters, so many edges cross cluster borders (and form cycles
    between clusters)."""
    rnd = random.Random(seed)
    clusters = []
    if with_clusters:
        for i in range(12):
            parent = f"k{rnd.randrange(i)}" if i and rnd.random() < 0.4 else None
            clusters.append(Cluster(f"k{i}", f"group{i}", rnd.choice(["Parallel", "Sequential", "Dag"]), parent))
    nodes, edges = [], []
    for i in range(size):
        home = rnd.choice(clusters).id if clusters and rnd.random() < 0.6 else None
        nodes.append(task(f"t{i}", f"task_{i}_" + "x" * rnd.randrange(12), home,
                          rnd.choice(["Log", "python.Script", "http.Request"])))
        if i:
            for source in sorted({rnd.randrange(max(0, i - 12), i) for _ in range(rnd.randint(1, 3))}):
                edges.append(Edge(f"t{source}", f"t{i}", rnd.choice(["dag", "sequence", "errors"])))
    return Diagram(f"company.team.random{seed}", nodes, clusters, edges)


HOSTILE = ['say "hi"', "it's", "[brackets] {braces} (parens)", "a --> b", "end", "<script>alert(1)</script>",
           "&amp;", "A & B < C > D", "naïve café Ω ß", "日本語のタスク", "rocket 🚀 ✨", "-->", "]]>",
           "x" * 200]


def hostile():
    nodes = [point("s", "flow-start")]
    for i, label in enumerate(HOSTILE):
        nodes.append(task(f"h{i}", label, "c1" if i % 3 == 0 else None, type_=label[:20]))
    nodes.append(point("e", "flow-end"))
    ids = [n.id for n in nodes]
    edges = [Edge(a, b, "choice", label=HOSTILE[i % len(HOSTILE)]) for i, (a, b) in enumerate(zip(ids, ids[1:]))]
    clusters = [Cluster("c1", '<b>"cluster" & co</b> 🚀', "Parallel --> <x>")]
    return Diagram('title "<flow>" & -->', nodes, clusters, edges)


def odd_ends():
    """Edges to and from a cluster itself, from deep inside a cluster straight out, twice the
    same edge, and a self-loop."""
    clusters = [Cluster("c1", "outer", "Sequential"), Cluster("c2", "inner", "Parallel", parent="c1")]
    nodes = [task("a"), task("deep", cluster="c2"), task("side", cluster="c1"), task("b"), task("z")]
    edges = [Edge("a", "c1", "sequence"), Edge("c1", "b", "sequence"), Edge("deep", "z", "errors"),
             Edge("a", "deep", "dag"), Edge("side", "deep", "dag"), Edge("b", "z", "finally"),
             Edge("b", "z", "finally"), Edge("z", "z", "loop")]
    return Diagram("odd", nodes, clusters, edges)


DIAGRAMS = {
    "sequence": sequence_of_5,
    "parallel": parallel_cluster,
    "nested": nested_clusters,
    "realistic": realistic,
    "random": lambda: random_dag(7),
    "random-clusters": lambda: random_dag(11, with_clusters=True),
    "hostile": hostile,
    "odd-ends": odd_ends,
}


def _real_flows():
    """Every example and Kestra valid, as the builder draws it, and their dependency diagram."""
    paths = sorted(EXAMPLES.glob("*.yaml")) + (sorted((CORPUS / "valids").glob("*.y*ml")) if CORPUS.is_dir() else [])
    flows = []
    for path in paths:
        for flow in check_file(path, path.name).flows:
            flows.append(flow)
            DIAGRAMS[f"{path.parent.name}/{path.name}:{flow.id}"] = (lambda f=flow: build(f))
    DIAGRAMS["dependencies"] = lambda: dependencies(flows)


_real_flows()
CASES = [(name, direction) for name in DIAGRAMS for direction in ("LR", "TB")]


@pytest.fixture(scope="module")
def laid_out():
    """Each diagram and its layout, computed once."""
    out = {}
    for name, direction in CASES:
        diagram = DIAGRAMS[name]()
        out[name, direction] = diagram, layout(diagram, direction)
    return out


# -- geometry helpers -----------------------------------------------------------------------------

def shrink(r: Rect, by: float) -> Rect:
    return Rect(r.x + by, r.y + by, r.w - 2 * by, r.h - 2 * by)


def on_border(pt, box) -> bool:
    x, y = pt
    r = box.rect
    if getattr(box, "shape", "") == "point":
        return abs(((x - r.cx) ** 2 + (y - r.cy) ** 2) ** 0.5 - r.w / 2) <= TOL
    inside_outer = r.x - TOL <= x <= r.right + TOL and r.y - TOL <= y <= r.bottom + TOL
    inside_inner = r.x + TOL < x < r.right - TOL and r.y + TOL < y < r.bottom - TOL
    return inside_outer and not inside_inner


def crosses(p, q, r: Rect) -> bool:
    """Whether segment pq passes through the interior of r (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for edge_p, edge_q in ((-dx, x0 - r.x), (dx, r.right - x0), (-dy, y0 - r.y), (dy, r.bottom - y0)):
        if abs(edge_p) < 1e-12:
            if edge_q <= 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo >= hi:
            return False
    return hi - lo > 1e-9


def ancestors(diagram, cluster_id):
    by_id = {c.id: c for c in diagram.clusters}
    out = []
    while cluster_id is not None:
        out.append(cluster_id)
        cluster_id = by_id[cluster_id].parent
    return out


def holders(diagram, ident):
    """The clusters holding a node (or a cluster, itself included)."""
    node = next((n for n in diagram.nodes if n.id == ident), None)
    return ancestors(diagram, node.cluster if node else ident)


# -- well-formed, escaped, deterministic ------------------------------------------------------------

@pytest.mark.parametrize("name,direction", CASES)
def test_svg_is_well_formed_and_deterministic(name, direction):
    diagram = DIAGRAMS[name]()
    svg = render(diagram, direction)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width > 0 and height > 0
    assert render(DIAGRAMS[name](), direction) == svg  # a fresh, equal diagram: same bytes
    # one arrowhead per colour, each defined once, and every edge uses a defined one
    markers = [m.get("id") for m in root.iter(f"{SVG}marker")]
    assert len(markers) == len(set(markers))
    used = {p.get("marker-end") for p in root.iter(f"{SVG}path") if p.get("marker-end")}
    assert used <= {f"url(#{m})" for m in markers}
    assert len([p for p in root.iter(f"{SVG}path") if "edge" in (p.get("class") or "")]) == len(diagram.edges)


def test_hostile_labels_are_escaped():
    diagram = hostile()
    svg = render(diagram)
    root = ET.fromstring(svg)
    texts = [t for element in root.iter() for t in [element.text] if t]
    drawn = {t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"}
    for label in HOSTILE:
        assert escape(label) in svg, label
        assert any(label in text for text in texts), label  # parsed back whole (at least in a tooltip)
        assert label in drawn or len(label) > 40, label  # drawn as is unless too long
    assert "<script>" not in svg and "<b>" not in svg and "<x>" not in svg
    assert "&amp;amp;" in svg  # `&amp;` is a label, not an entity
    assert escape('title "<flow>" & -->') in svg
    assert escape('<b>"cluster" & co</b> 🚀') in svg


def test_long_labels_are_shortened_but_kept_as_tooltip():
    lay = layout(hostile())
    box = lay.nodes[f"h{HOSTILE.index('x' * 200)}"]
    assert box.label.endswith("…") and len(box.label) < 60
    assert box.rect.w <= MAX_LABEL_W + 40
    assert "x" * 200 in render(hostile())


def test_control_characters_do_not_break_the_xml():
    diagram = Diagram("t", [task("a", "bell\x07 and\nnewline\x00"), task("b", "\ud800lone")], [], [Edge("a", "b", "sequence")])
    ET.fromstring(render(diagram))


def test_empty_and_broken_diagrams_render():
    ET.fromstring(render(Diagram("empty")))
    broken = Diagram("broken", [task("a"), task("a"), task("b", cluster="nowhere")],
                     [Cluster("c", "c", "Parallel", parent="c")],  # its own parent
                     [Edge("a", "ghost", "sequence"), Edge("a", "a", "loop"), Edge("a", "b", "sequence")])
    lay = layout(broken)
    assert [r.index for r in lay.edges] == [1, 2]  # the edge to nothing is dropped
    loop = lay.edges[0]
    assert on_border(loop.points[0], lay.nodes["a"]) and on_border(loop.points[-1], lay.nodes["a"])
    ET.fromstring(render(broken, "TB"))


def test_edge_styles_and_labels():
    svg = render(realistic())
    root = ET.fromstring(svg)
    classes = [p.get("class") for p in root.iter(f"{SVG}path") if "edge" in (p.get("class") or "")]
    assert classes.count("edge e-errors") == 2 and classes.count("edge e-finally") == 2
    assert classes.count("edge e-trigger") == 2 and classes.count("edge e-after") == 2
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "elabel"]
    assert sorted(label for label in labels) == ["EU", "US", "defaults"]
    style = root.find(f"{SVG}style").text
    assert ".e-errors{stroke:#cf3c35;stroke-dasharray:6 4}" in style
    # disabled cluster and node are greyed
    assert 'class="cl cl0 off"' in svg and 'class="node off"' in svg
    # triggers are pills with a bolt, points are circles
    assert svg.count('class="trigger"') == 2 and svg.count('class="bolt"') == 2
    assert svg.count("<circle") == 2 + 8 + 1  # flow start/end, 4 clusters' points, the end's dot


def test_cycles_are_drawn_backwards():
    lay = layout(nested_clusters())
    back = next(r for r in lay.edges if (r.edge.source, r.edge.target) == ("each.e", "each.s"))
    assert on_border(back.points[0], lay.nodes["each.e"]) and on_border(back.points[-1], lay.nodes["each.s"])


# -- geometry ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,direction", CASES)
def test_no_box_overlaps(laid_out, name, direction):
    diagram, lay = laid_out[name, direction]
    nodes = list(lay.nodes.values())
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            assert not a.rect.overlaps(b.rect), (a.node.id, b.node.id)
    for n in nodes:
        inside = holders(diagram, n.node.cluster) if n.node.cluster else []
        for cid, c in lay.clusters.items():
            if cid in inside:
                assert c.rect.contains(n.rect), (n.node.id, cid)
            else:
                assert not c.rect.overlaps(n.rect), (n.node.id, cid)
    boxes = list(lay.clusters.items())
    for i, (ca, a) in enumerate(boxes):
        for cb, b in boxes[i + 1:]:
            if ca in ancestors(diagram, cb):
                assert a.rect.contains(b.rect), (ca, cb)
            elif cb in ancestors(diagram, ca):
                assert b.rect.contains(a.rect), (ca, cb)
            else:
                assert not a.rect.overlaps(b.rect), (ca, cb)
    for box in [*nodes, *lay.clusters.values()]:
        r = box.rect
        assert 0 <= r.x and 0 <= r.y and r.right <= lay.width and r.bottom <= lay.height


@pytest.mark.parametrize("name,direction", CASES)
def test_edges_run_from_border_to_border(laid_out, name, direction):
    diagram, lay = laid_out[name, direction]
    assert len(lay.edges) == len(diagram.edges)
    for route in lay.edges:
        source = lay.nodes.get(route.edge.source) or lay.clusters[route.edge.source]
        target = lay.nodes.get(route.edge.target) or lay.clusters[route.edge.target]
        assert len(route.points) >= 2
        assert on_border(route.points[0], source), (route.edge, route.points[0], source.rect)
        assert on_border(route.points[-1], target), (route.edge, route.points[-1], target.rect)


@pytest.mark.parametrize("name,direction", CASES)
def test_edges_avoid_other_boxes(laid_out, name, direction):
    diagram, lay = laid_out[name, direction]
    for route in lay.edges:
        ends = (route.edge.source, route.edge.target)
        related = set(holders(diagram, ends[0])) | set(holders(diagram, ends[1]))
        segments = list(zip(route.points, route.points[1:]))
        for nid, box in lay.nodes.items():
            if nid in ends:
                continue
            for p, q in segments:
                assert not crosses(p, q, shrink(box.rect, 0.5)), (route.edge, nid)
        # an edge enters only the clusters holding one of its ends
        for cid, box in lay.clusters.items():
            if cid in related:
                continue
            for p, q in segments:
                assert not crosses(p, q, shrink(box.rect, 0.5)), (route.edge, cid)


@pytest.mark.parametrize("name,direction", CASES)
def test_edges_keep_off_cluster_headers(laid_out, name, direction):
    _, lay = laid_out[name, direction]
    for cid, box in lay.clusters.items():
        r = box.rect
        text = Rect(r.x + HEADER_X, r.y + 5, header_text_width(box.cluster), 14)
        for route in lay.edges:
            for p, q in zip(route.points, route.points[1:]):
                assert not crosses(p, q, text), (cid, route.edge)


@pytest.mark.parametrize("name,direction", CASES)
def test_edge_labels_stay_off_boxes(laid_out, name, direction):
    _, lay = laid_out[name, direction]
    for route in lay.edges:
        if not route.label_at:
            continue
        x, y, anchor = route.label_at
        width = len(route.label) * 6.5
        left = x - width if anchor == "end" else x
        box = Rect(left, y - 9, width, 10)
        for nid, node in lay.nodes.items():
            assert not box.overlaps(node.rect), (route.edge, nid)


def test_directions():
    for direction, axis in (("LR", 0), ("TB", 1)):
        lay = layout(sequence_of_5(), direction)
        centres = [(b.rect.cx, b.rect.cy) for b in lay.nodes.values()]
        along = [c[axis] for c in centres]
        across = [c[1 - axis] for c in centres]
        assert along == sorted(along) and len(set(along)) == len(along)
        assert max(across) - min(across) < 1  # a straight line
        for route in lay.edges:  # straight edges
            assert len(route.points) == 2 and abs(route.points[0][1 - axis] - route.points[1][1 - axis]) < 1e-6


def test_parallel_fans_out_and_joins():
    for direction, axis in (("LR", 0), ("TB", 1)):
        lay = layout(parallel_cluster(), direction)
        children = [lay.nodes[c].rect for c in ("p1", "p2", "p3")]
        start, end = lay.nodes["c1s"].rect, lay.nodes["c1e"].rect
        assert len({(r.cx, r.cy)[axis] for r in children}) == 1  # one layer
        assert all((start.cx, start.cy)[axis] < (r.cx, r.cy)[axis] < (end.cx, end.cy)[axis] for r in children)
        # the start point sits at the middle of its fan
        middle = sorted((r.cx, r.cy)[1 - axis] for r in children)[1]
        assert abs((start.cx, start.cy)[1 - axis] - middle) < 1
        box = lay.clusters["c1"].rect
        assert all(box.contains(r) for r in children + [start, end])


def test_nested_clusters_nest():
    lay = layout(nested_clusters())
    each, sw, par = (lay.clusters[c].rect for c in ("each", "sw", "par"))
    assert each.contains(sw) and sw.contains(par)
    assert lay.clusters["par"].depth == 2


def test_a_hundred_tasks_stay_readable():
    diagram = random_dag(3)
    ET.fromstring(render(diagram))
    lay = layout(diagram)
    assert lay.width < 12000 and lay.height < 12000  # readable: no runaway size
