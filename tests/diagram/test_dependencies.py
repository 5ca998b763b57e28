"""The dependency diagram: flows grouped by namespace, subflow calls and flow triggers as
edges, flows named but absent drawn as missing."""
import json
import subprocess
import sys

import pytest

from compiler.checker import check_text
from compiler.diagram import render
from compiler.diagram.dependencies import dependencies

from .test_formats import ALL_FORMATS, check_mermaid

PARENT = """\
id: parent
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: child
  - id: call-ghost
    type: io.kestra.plugin.core.flow.Subflow
    namespace: other.ns
    flowId: ghost
  - id: dynamic
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: "{{ inputs.which }}"
"""

CHILD = """\
id: child
namespace: company.team
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: after-parent
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: p
      flows:
        - namespace: company.team
          flowId: parent
          states: [SUCCESS, WARNING]
  - id: legacy
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: archive
        flowId: lonely
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [FAILED]
"""

LONELY = """\
id: lonely
namespace: archive
disabled: true
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
"""


def flows(*texts):
    return [flow for i, text in enumerate(texts) for flow in check_text(text, f"f{i}.yaml").flows]


def by_label(diagram):
    return {node.label: node for node in diagram.nodes}


def test_nodes_clusters_and_edges():
    diagram = dependencies(flows(PARENT, CHILD, LONELY))
    nodes = by_label(diagram)
    assert set(nodes) == {"parent", "child", "ghost", "lonely"}
    clusters = {c.id: c.label for c in diagram.clusters}
    assert clusters[nodes["parent"].cluster] == clusters[nodes["child"].cluster] == "company.team"
    assert clusters[nodes["ghost"].cluster] == "other.ns"
    assert nodes["ghost"].kind == "missing-flow" and nodes["parent"].kind == "flow"
    assert nodes["lonely"].disabled
    edges = {(e.source, e.target, e.kind, e.label) for e in diagram.edges}
    assert edges == {
        (nodes["parent"].id, nodes["child"].id, "subflow", "call"),
        (nodes["parent"].id, nodes["ghost"].id, "subflow", "call-ghost"),
        # a Flow trigger: the upstream flow's executions start the flow that waits
        (nodes["parent"].id, nodes["child"].id, "flow-trigger", "after-parent: SUCCESS, WARNING"),
        (nodes["lonely"].id, nodes["child"].id, "flow-trigger", "legacy: FAILED"),
    }


def test_order_does_not_depend_on_file_order():
    one = dependencies(flows(PARENT, CHILD, LONELY))
    other = dependencies(flows(LONELY, CHILD, PARENT))
    assert render(one, "json") == render(other, "json")


def test_a_flow_named_before_its_file_is_read_is_not_missing():
    # parent names child before child's own file comes: child must end as a real flow
    diagram = dependencies(flows(CHILD, PARENT))
    assert by_label(diagram)["child"].kind == "flow"


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_snapshot(fmt, snapshot):
    text = render(dependencies(flows(PARENT, CHILD, LONELY), "project"), fmt)
    if fmt == "mermaid":
        check_mermaid(text)
    assert text == snapshot


def test_command_draws_a_directory(tmp_path):
    (tmp_path / "parent.yaml").write_text(PARENT)
    (tmp_path / "child.yaml").write_text(CHILD)
    (tmp_path / "broken.yaml").write_text("id: [\n")
    result = subprocess.run([sys.executable, "-m", "compiler", "graph", str(tmp_path), "--dependencies", "--format", "json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    labels = {n["label"] for n in json.loads(result.stdout)["nodes"]}
    assert labels == {"parent", "child", "ghost", "lonely"}
    missing = subprocess.run([sys.executable, "-m", "compiler", "graph", str(tmp_path / "nope"), "--dependencies"],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "nope" in missing.stderr


def test_for_each_item_is_a_call():
    batch = """\
id: batch
namespace: company.team
inputs:
  - id: file
    type: FILE
tasks:
  - id: each-row
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      rows: 4
    namespace: company.team
    flowId: child
    inputs:
      rows: "{{ taskrun.items }}"
"""
    diagram = dependencies(flows(batch, CHILD))
    nodes = by_label(diagram)
    assert {(e.source, e.target, e.kind, e.label) for e in diagram.edges if e.kind == "subflow"} == {
        (nodes["batch"].id, nodes["child"].id, "subflow", "each-row")}
