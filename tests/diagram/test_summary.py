"""`flowc check --show-graph`: the task tree of each flow, in text."""
import json
import subprocess
import sys

import pytest

from compiler.checker import check_file, check_text
from compiler.diagram.summary import summary

from ..conftest import CORPUS, EXAMPLES
from .test_formats import SNAPSHOTTED


def summary_of(path):
    return "".join(summary(flow) for flow in check_file(path, path.name).flows)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_snapshot(path, snapshot):
    assert summary_of(path) == snapshot


@pytest.mark.corpus
@pytest.mark.parametrize("name", SNAPSHOTTED)
def test_corpus_snapshot(name, snapshot):
    assert summary_of(CORPUS / "valids" / name) == snapshot


def test_every_task_appears_once_with_branches_and_dag_waits():
    text = """\
id: tree
namespace: company.team
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    disabled: true
tasks:
  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    then:
      - id: yes
        type: io.kestra.plugin.core.log.Log
        message: y
    else:
      - id: "no: really"
        type: io.kestra.plugin.core.log.Log
        message: n
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: a
          type: io.kestra.plugin.core.log.Log
          message: a
      - task:
          id: b
          type: io.kestra.plugin.core.log.Log
          message: b
        dependsOn: [a]
finally:
  - id: cleanup
    type: io.kestra.plugin.core.log.Log
    message: bye
    disabled: true
"""
    (flow,) = check_text(text, "tree.yaml").flows
    assert summary(flow) == """\
company.team.tree: 7 tasks, 1 trigger
├── trigger nightly (Schedule) [disabled]
├── check (If)
│   ├── then:
│   │   └── yes (Log)
│   └── else:
│       └── no: really (Log)
├── dag (Dag)
│   ├── a (Log)
│   └── b (Log) after a
└── finally:
    └── cleanup (Log) [disabled]
"""


def run(*args):
    return subprocess.run([sys.executable, "-m", "compiler", "check", *args], capture_output=True, text=True)


def test_show_graph_follows_the_report():
    result = run(str(EXAMPLES / "fan-out.yaml"), "--show-graph")
    assert result.returncode == 0
    assert "company.team.fan-out: 5 tasks, 0 triggers" in result.stdout
    assert "└── done (Return)" in result.stdout


def test_show_graph_keeps_machine_output_parseable():
    result = run(str(EXAMPLES / "fan-out.yaml"), "--show-graph", "--format", "json")
    assert json.loads(result.stdout)["version"] == 1
    assert "company.team.fan-out" in result.stderr


def test_ascii_console_gets_ascii_tree():
    env = {"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "compiler", "check", str(EXAMPLES / "fan-out.yaml"), "--show-graph",
                             "--color", "never"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "`-- done (Return)" in result.stdout and "|-- each_region (ForEach)" in result.stdout
