"""The cross-flow pass (X rules): calls between the flows checked together, whatever the
order of their files, and the common mistakes M16 and M17 of reference/users.md §4."""
import io
import json
import sys

import pytest

from compiler.checker import check_file, check_project, check_text
from compiler.cli import main
from compiler.diagnostics import Severity

CHILD = """
id: hello_world
namespace: company.team
inputs:
  - id: user
    type: STRING
  - id: times
    type: INT
    defaults: 1
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.user }} x{{ inputs.times }}"
outputs:
  - id: greeting
    type: STRING
    value: "Hello {{ inputs.user }}"
"""


def parent(call: str, reads: str = "{{ outputs.call.executionId }}") -> str:
    """A flow whose task `call` runs a flow of company.team (`call` adds its lines), and a
    task that reads `reads`."""
    return f"""
id: parent
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
{call}
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{reads}"
"""


def project(tmp_path, **files: str) -> dict[str, set[tuple[int, str]]]:
    """Check the files with `flowc check` (JSON output): {file name: {(line, code)}}."""
    paths = []
    for name, text in files.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text.lstrip("\n"))
        paths.append(path)
    out = tmp_path / "report.json"
    main(["check", "--format", "json", "-o", str(out), *map(str, paths)])
    found = {name: set() for name in files}
    for d in json.loads(out.read_text())["diagnostics"]:
        found[d["file"].rsplit("/", 1)[-1][:-5]].add((d["line"], d["code"]))
    return found


def codes(text: str) -> list[str]:
    return [d.code for d in check_text(text.lstrip("\n"), "f.yaml").diagnostics]


@pytest.mark.parametrize("names", [("a_parent", "z_child"), ("z_parent", "a_child")])
def test_a_flow_of_another_file_is_found_whatever_the_order(tmp_path, names):
    found = project(tmp_path, **{names[0]: parent("    flowId: hello_world\n    inputs: {user: Ana}",
                                                  "{{ outputs.call.outputs.greeting }}"), names[1]: CHILD})
    assert found == {names[0]: set(), names[1]: set()}


def test_m17_subflow_target_not_in_the_repository():
    # users.md M17: a typo in flowId (the child is not among the checked files)
    assert codes(parent("    flowId: hello_wrld\n    inputs: {usr: Ana}")) == ["X101"]


def test_m17_typo_and_inputs_across_files(tmp_path):
    found = project(tmp_path, parent=parent("    flowId: hello_wrld\n    inputs: {usr: Ana}"), child=CHILD)
    assert found["parent"] == {(7, "X101")}
    found = project(tmp_path, parent=parent("    flowId: hello_world\n    inputs: {usr: Ana}"), child=CHILD)
    assert found["parent"] == {(8, "X102"), (8, "X103")}  # `usr` unknown, `user` missing


def test_m17_did_you_mean():
    result = check_text((parent("    flowId: hello_wrld") + "---\n" + CHILD).lstrip("\n"), "f.yaml")
    [d] = [d for d in result.diagnostics if d.code == "X101"]
    assert d.severity is Severity.WARNING and "may live elsewhere" in d.message
    assert d.help == "did you mean `company.team.hello_world`?"
    teem = parent("    flowId: hello_world").replace("    namespace: company.team", "    namespace: company.teem")
    result = check_text((teem + "---\n" + CHILD).lstrip("\n"), "f.yaml")
    [d] = [d for d in result.diagnostics if d.code == "X101"]
    assert (d.span.line, d.help) == (6, "did you mean namespace `company.team`?")


def test_m16_outputs_of_a_child_that_does_not_declare_them(tmp_path):
    found = project(tmp_path, parent=parent("    flowId: hello_world\n    inputs: {user: Ana}",
                                            "{{ outputs.call.outputs.report_uri }}"), child=CHILD)
    assert found["parent"] == {(11, "X106")}


def test_m16_outputs_of_a_call_without_wait(tmp_path):
    found = project(tmp_path, parent=parent("    flowId: make_report\n    wait: false",
                                            "{{ outputs.call.outputs.report_uri }}"))
    assert found["parent"] == {(7, "X101"), (11, "X107")}


def test_guarded_and_conditional_reads():
    call = "    flowId: hello_world\n    inputs: {user: Ana}"
    guarded = ("{{ outputs.call.outputs.nope ?? '' }} {{ outputs.call.outputs.nope | default('') }}"
               " {{ outputs.call.outputs.nope is defined ? outputs.call.outputs.nope : '' }}")
    assert codes(parent(call, guarded) + "---\n" + CHILD) == []
    result = check_text((parent(call, "{{ true ? outputs.call.outputs.nope : '' }}") + "---\n" + CHILD).lstrip("\n"), "f.yaml")
    [d] = result.diagnostics
    assert (d.code, d.severity) == ("X106", Severity.WARNING) and d.message.endswith("(when this branch is taken)")


TYPED = """
id: hello_world
namespace: company.team
inputs:
  - id: times
    type: INT
  - id: ratio
    type: FLOAT
  - id: on
    type: BOOLEAN
  - id: color
    type: SELECT
    values: [red, blue]
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.times }} {{ inputs.ratio }} {{ inputs.on }} {{ inputs.color }}"
"""


def test_literal_input_values():
    good = "    inputs: {times: '12', ratio: 1e3, on: true, color: red}"
    assert codes(parent("    flowId: hello_world\n" + good) + "---\n" + TYPED) == []
    exprs = "    inputs: {times: '{{ 1 }}', ratio: '{{ 2 }}', on: '{{ true }}', color: '{{ execution.id }}'}"
    assert codes(parent("    flowId: hello_world\n" + exprs) + "---\n" + TYPED) == []
    bad = "    inputs: {times: 1.5, ratio: abc, on: 1, color: green}"
    assert codes(parent("    flowId: hello_world\n" + bad) + "---\n" + TYPED) == ["X104"] * 4
    big = "    inputs: {times: 3000000000, ratio: [1], on: 'yes', color: red}"
    result = check_text((parent("    flowId: hello_world\n" + big) + "---\n" + TYPED).lstrip("\n"), "f.yaml")
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("X104", "error")] * 2 + [("X104", "warning")]


def test_disabled_child_and_pinned_revision():
    disabled = CHILD.replace("namespace: company.team\n", "namespace: company.team\ndisabled: true\n", 1)
    assert codes(parent("    flowId: hello_world\n    inputs: {user: Ana}") + "---\n" + disabled) == ["X105"]
    # an older revision may differ from the file: only its existence is checked
    pinned = "    flowId: hello_world\n    revision: 3\n    inputs: {usr: Ana}"
    assert codes(parent(pinned, "{{ outputs.call.outputs.nope }}") + "---\n" + disabled) == []


def test_deprecated_outputs_of_the_call_when_the_child_declares_none():
    child = CHILD.split("outputs:")[0]
    call = "    flowId: hello_world\n    inputs: {user: Ana}\n    outputs:\n      extracted: x"
    result = check_text((parent(call, "{{ outputs.call.outputs.extracted }} {{ outputs.call.outputs.other }}")
                         + "---\n" + child).lstrip("\n"), "f.yaml")
    assert [(d.code, d.message) for d in result.diagnostics if d.code[0] == "X"] == [
        ("X106", "`company.team.hello_world` has no output `other`")]


def test_a_flow_defined_twice_is_found_but_not_compared(tmp_path):
    found = project(tmp_path, parent=parent("    flowId: hello_world\n    inputs: {usr: Ana}"), one=CHILD, two=CHILD)
    assert found["parent"] == set()


def test_flow_trigger_upstream_flows(tmp_path):
    listener = """
id: load
namespace: company.team
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: after
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: company.team
        flowId: hello_world
    preconditions:
      id: both
      flows:
        - namespace: company.team
          flowId: extrcat
        - namespace: company.other
"""
    found = project(tmp_path, listener=listener, child=CHILD)
    assert found["listener"] == {(18, "X108")}
    assert project(tmp_path, listener=listener)["listener"] == {(13, "X108"), (18, "X108")}


def test_check_project_merges_sorted_diagnostics(tmp_path):
    (tmp_path / "p.yaml").write_text(parent("    flowId: hello_world", "{{ outputs.call.outputs.nope }} {{ outputs.nope.x }}").lstrip("\n"))
    (tmp_path / "c.yaml").write_text(CHILD.lstrip("\n"))
    results = [check_file(tmp_path / "p.yaml", "p.yaml"), check_file(tmp_path / "c.yaml", "c.yaml")]
    assert not any(d.code[0] == "X" for r in results for d in r.diagnostics)  # one file alone: no project pass
    check_project(results)
    keys = [d.sort_key() for d in results[0].diagnostics]
    assert keys == sorted(keys) and {"X103", "X106", "R103"} <= {d.code for d in results[0].diagnostics}
    assert results[1].diagnostics == []


def test_stdin_is_part_of_the_project(tmp_path, monkeypatch, capsys):
    (tmp_path / "child.yaml").write_text(CHILD.lstrip("\n"))
    data = parent("    flowId: hello_world").lstrip("\n").encode()
    monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": io.BytesIO(data)})())
    main(["check", "--format", "concise", "-", str(tmp_path / "child.yaml")])
    out = capsys.readouterr().out
    assert out.count("X103") == 1 and "X101" not in out
