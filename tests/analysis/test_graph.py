"""The task graph: typed edges, and what has run before each task."""
from compiler.checker import check_text

FLOW = """
id: graph
namespace: company.team
tasks:
  - id: a
    type: io.kestra.plugin.core.debug.Return
    format: a
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: p1
        type: io.kestra.plugin.core.debug.Return
        format: p1
      - id: p2
        type: io.kestra.plugin.core.debug.Return
        format: p2
  - id: branch
    type: io.kestra.plugin.core.flow.Switch
    value: x
    cases:
      x:
        - id: c1
          type: io.kestra.plugin.core.debug.Return
          format: c1
        - id: c2
          type: io.kestra.plugin.core.debug.Return
          format: c2
    defaults:
      - id: d1
        type: io.kestra.plugin.core.debug.Return
        format: d1
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: {id: g1, type: io.kestra.plugin.core.debug.Return, format: g1}
      - task: {id: g2, type: io.kestra.plugin.core.debug.Return, format: g2}
        dependsOn: [g1]
      - task: {id: g3, type: io.kestra.plugin.core.debug.Return, format: g3}
  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: last
    allowFailure: true
errors:
  - id: on_error
    type: io.kestra.plugin.core.debug.Return
    format: e
finally:
  - id: at_end
    type: io.kestra.plugin.core.debug.Return
    format: f
"""


def graph():
    flow = check_text(FLOW, "g.yaml").flows[0]
    tasks = {t.id: t for t in flow.graph.tasks}
    return flow.graph, tasks


def test_relations():
    g, t = graph()
    rel = lambda reader, target: g.relation(t[reader], t[target])  # noqa: E731
    assert rel("par", "a") == "before"
    assert rel("p2", "p1") == "never"  # parallel siblings
    assert rel("c2", "c1") == "before"  # same case, in order
    assert rel("d1", "c1") == "never"  # another branch
    assert rel("last", "c1") == "may"  # a branch
    assert rel("g2", "g1") == "before" and rel("g3", "g1") == "never"  # Dag
    assert rel("a", "last") == "never"  # later
    assert rel("c1", "branch") == "ancestor"
    assert rel("on_error", "a") == "may" and rel("a", "on_error") == "never"
    assert rel("at_end", "on_error") == "may"
    assert g.relation(None, t["last"]) == "may"  # allowFailure: may have failed
    assert g.relation(None, t["a"]) == "before"


def test_networkx_graph_edges():
    g, t = graph()
    nx_graph = g.graph
    by_id = {data["id"]: node for node, data in nx_graph.nodes(data=True)}
    assert nx_graph.edges[by_id["a"], by_id["par"]]["kind"] == "next"
    assert nx_graph.edges[by_id["par"], by_id["p1"]] == {"kind": "contains", "slot": "tasks", "slot_kind": "parallel", "case": None}
    assert nx_graph.edges[by_id["branch"], by_id["c1"]]["case"] == "x"
    assert nx_graph.edges[by_id["g1"], by_id["g2"]]["kind"] == "depends"
    assert not nx_graph.has_edge(by_id["p1"], by_id["p2"])  # no order between parallel tasks
    assert nx_graph.nodes[by_id["on_error"]]["kind"] == "errors"


def test_hyphen_fix_rewrites_the_whole_access():
    text = """
id: f
namespace: n
tasks:
  - id: load-data
    type: io.kestra.plugin.core.debug.Return
    format: ok
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.load-data.value | upper }}"
"""
    (d,) = [d for d in check_text(text, "f.yaml").diagnostics if d.code == "R107"]
    line = text.splitlines()[d.fix.span.line - 1]
    fixed = line[: d.fix.span.column - 1] + d.fix.replacement + line[d.fix.span.end_column - 1 :]
    assert fixed == '''    message: "{{ outputs['load-data'].value | upper }}"'''


def test_history_of_a_task():
    g, t = graph()
    history = g.history(t["last"])
    assert {x.id for x in history["before"]} >= {"a", "par", "p1", "p2", "branch", "dag", "g1", "g2", "g3"}
    assert {x.id for x in history["may"]} == {"c1", "c2", "d1"}
    assert {x.id for x in history["never"]} == {"on_error", "at_end"}


def test_subflow_calls_are_on_the_graph():
    flow = check_text("""
id: parent
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: child
""", "p.yaml").flows[0]
    (node,) = flow.graph.graph.nodes(data=True)
    assert node[1]["calls"] == ("company.team", "child")
