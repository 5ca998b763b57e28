"""Diagrams: every format, snapshot-tested, parseable, and safe whatever the names."""
import json
import re
import xml.etree.ElementTree as ET
import shutil
import subprocess

import pytest

from compiler.checker import check_file, check_text
from compiler.diagram import FORMATS, build, render

from ..conftest import CORPUS, EXAMPLES

SNAPSHOTTED = ["all-flowable.yaml", "dag.yaml", "each-parallel-nested.yaml", "switch.yaml", "errors.yaml"]
VALIDS = sorted((CORPUS / "valids").glob("*.y*ml")) if CORPUS.is_dir() else []
ALL_FORMATS = list(FORMATS)


def diagram_of(path):
    (flow, *_) = check_file(path, path.name).flows
    return build(flow)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_snapshot(path, fmt, snapshot):
    assert render(diagram_of(path), fmt) == snapshot


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("name", SNAPSHOTTED)
def test_corpus_snapshot(name, fmt, snapshot):
    assert render(diagram_of(CORPUS / "valids" / name), fmt) == snapshot


@pytest.mark.corpus
@pytest.mark.parametrize("path", VALIDS, ids=lambda p: p.name)
def test_every_valid_flow_draws(path):
    for flow in check_file(path, path.name).flows:
        diagram = build(flow)
        check_mermaid(render(diagram, "mermaid"))
        render(diagram, "dot")
        json.loads(render(diagram, "json"))
        ET.fromstring(render(diagram, "svg"))


_MERMAID_LINE = re.compile(
    r'%% .*|flowchart (LR|TB)|\s+direction (LR|TB)|\s+end|'
    r'\s+subgraph c\d+\["[^"]*"\]|'
    r'\s+n\d+(\(\("  "\)\)|\["[^"]*"\]|\{\{"[^"]*"\}\})|'
    r'\s+n\d+ (-->|-\.->|==>)(\|[^|]*\|)? n\d+|'
    r'\s+classDef \w+ [^;]*;|\s+class [nc\d,]+ \w+;'
)


def check_mermaid(text: str) -> None:
    """The subset of Mermaid flowcharts flowc writes: every line well-formed, ids defined
    before use or as subgraphs, subgraphs balanced."""
    depth = 0
    defined = set()
    for line in text.splitlines():
        assert _MERMAID_LINE.fullmatch(line), f"not valid Mermaid: {line!r}"
        if line.strip().startswith("subgraph"):
            depth += 1
            defined.add(line.split()[1].split("[")[0])
        elif line.strip() == "end":
            depth -= 1
        elif re.match(r"\s+n\d+[\[(\{]", line):
            defined.add(line.split()[0].split("[")[0].split("(")[0].split("{")[0])
        elif "--" in line or "==>" in line:
            source, target = line.split()[0], line.split()[-1]
            assert source in defined and target in defined, line
    assert depth == 0


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (.ci/run installs it)")
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")) + [CORPUS / "valids" / n for n in SNAPSHOTTED],
                         ids=lambda p: p.name)
def test_graphviz_accepts_dot(path):
    if not path.exists():
        pytest.skip("corpus not found")
    result = subprocess.run(["dot", "-Tsvg"], input=render(diagram_of(path), "dot"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


HOSTILE = """
id: hostile
namespace: company.team
triggers:
  - id: "end"
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
tasks:
  - id: end
    type: io.kestra.plugin.core.log.Log
    message: x
  - id: a-->b
    type: io.kestra.plugin.core.flow.Switch
    value: x
    cases:
      'say "hi" <b>&amp;</b> [x] {y} |z| #1 `t`':
        - id: é_ü_中文_emoji
          type: io.kestra.plugin.core.log.Log
          message: x
    defaults:
      - id: subgraph
        type: io.kestra.plugin.core.log.Log
        message: x
"""


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_hostile_names_produce_valid_output(fmt):
    (flow,) = check_text(HOSTILE, "hostile.yaml").flows
    text = render(build(flow), fmt)
    if fmt == "mermaid":
        check_mermaid(text)
        assert "<b>" not in text and '"hi"' not in text
    elif fmt == "json":
        labels = {n["label"] for n in json.loads(text)["nodes"]}
        assert {"end", "é_ü_中文_emoji"} <= labels
    elif fmt == "svg":
        labels = {"".join(t.itertext()) for t in ET.fromstring(text).iter("{http://www.w3.org/2000/svg}text")}
        assert {"end", "é_ü_中文_emoji"} <= labels
        assert any(label.startswith("a-->b") for label in labels)  # a cluster header: id, then type
        assert any(label.startswith('say "hi" <b>&amp;</b>') for label in labels)
    elif fmt == "dot" and shutil.which("dot"):
        result = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_graph_command(tmp_path):
    import sys

    out = tmp_path / "d.json"
    result = subprocess.run([sys.executable, "-m", "compiler", "graph", str(EXAMPLES / "fan-out.yaml"), "--format", "json",
                             "-o", str(out)], capture_output=True, text=True)
    assert result.returncode == 0
    assert json.loads(out.read_text())["title"] == "company.team.fan-out"
    missing = subprocess.run([sys.executable, "-m", "compiler", "graph", "nope.yaml"], capture_output=True, text=True)
    assert missing.returncode == 2


TWO_FLOWS = """\
id: first
namespace: company.team
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: x
---
id: second
namespace: company.team
tasks:
  - id: u
    type: io.kestra.plugin.core.log.Log
    message: y
"""


def graph(*args):
    import sys

    return subprocess.run([sys.executable, "-m", "compiler", "graph", *args], capture_output=True, text=True)


def test_graph_of_a_file_with_several_flows_needs_flow(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(TWO_FLOWS)
    both = graph(str(path), "--format", "json")
    assert both.returncode == 2 and "'first', 'second'" in both.stderr and "--flow" in both.stderr
    second = graph(str(path), "--format", "json", "--flow", "second")
    assert second.returncode == 0 and json.loads(second.stdout)["title"] == "company.team.second"
    unknown = graph(str(path), "--flow", "third")
    assert unknown.returncode == 2 and "no flow 'third'" in unknown.stderr


def test_graph_reports_unwritable_output_and_bad_engine(tmp_path):
    unwritable = graph(str(EXAMPLES / "fan-out.yaml"), "-o", str(tmp_path / "missing-dir" / "d.md"))
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr and "Traceback" not in unwritable.stderr
    engine = graph(str(EXAMPLES / "fan-out.yaml"), "--engine", "dot")
    assert engine.returncode == 2 and "--format svg" in engine.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_engine_dot_uses_graphviz():
    done = graph(str(EXAMPLES / "fan-out.yaml"), "--format", "svg", "--engine", "dot")
    assert done.returncode == 0 and "Generated by graphviz" in done.stdout
