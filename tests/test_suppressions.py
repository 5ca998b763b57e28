"""`# flowc: ignore[...]` and `# flowc: ignore-file[...]` comments, and Y010 for the stale ones."""
import subprocess
import sys

from compiler.checker import check_text

HEAD = """\
id: s
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
"""


def codes(text):
    return [(d.span.line if d.span else None, d.code) for d in check_text(text, "s.yaml").diagnostics]


def test_nothing_to_suppress_means_nothing_changes():
    assert codes(HEAD + "    mesage: x\n") == [(7, "S101")]


def test_trailing_comment_hides_its_line_by_code_or_name():
    assert codes(HEAD + "    mesage: x  # flowc: ignore[S101] reason\n") == []
    assert codes(HEAD + "    mesage: x  # flowc: ignore[unknown-property]\n") == []
    assert codes(HEAD + "    mesage: x  # flowc: ignore[ S102 , unknown-property ]\n") == [(7, "Y010")]  # S102 unused


def test_own_line_comment_hides_the_next_yaml_line_only():
    text = HEAD + "    # flowc: ignore[S101] typo kept for the demo\n\n    # another comment\n    mesage: x\n    mesage2: y\n"
    assert codes(text) == [(11, "S101")]


def test_bare_ignore_hides_every_rule_of_the_line():
    assert codes(HEAD + "    mesage: x  # flowc: ignore\n") == []
    assert codes(HEAD.replace("message: hi", "message: hi  # flowc: ignore")) == [(6, "Y010")]


def test_ignore_file_hides_in_the_whole_file():
    text = "# flowc: ignore-file[S101]\n" + HEAD + "    mesage: x\n    mesage2: y\n"
    assert codes(text) == []
    assert codes("# flowc: ignore-file[S102]\n" + HEAD) == [(1, "Y010")]


def test_wrong_codes_and_misspelt_directives_are_reported():
    got = codes(HEAD + "    mesage: x  # flowc: ignore[S9999, S101]\n")
    assert got == [(7, "Y010")]
    assert codes(HEAD + "    mesage: x  # flowc: ingore[S101]\n") == [(7, "S101"), (7, "Y010")]


def test_hash_inside_a_string_is_not_a_comment():
    text = HEAD.replace("message: hi", "message: \"a # flowc: ignore[S101]\"") + "    mesage: x\n"
    assert codes(text) == [(7, "S101")]


def test_cross_flow_diagnostics_can_be_suppressed():
    parent = """\
id: parent
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: s
    inputs:
      nope: 1  # flowc: ignore[X102]
---
"""
    got = codes(parent + HEAD)
    assert all(code != "X102" for _, code in got) and not any(code == "Y010" for _, code in got), got


def test_unused_suppressions_are_not_reported_when_the_file_cannot_be_read():
    assert [c for _, c in codes("id: [\n# flowc: ignore[S101]\n")] == ["Y001"]


def test_no_ignores_reports_what_they_hide(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + "    mesage: x  # flowc: ignore[S101]\n")
    run = [sys.executable, "-m", "compiler", "check", str(path), "--format", "concise"]
    assert subprocess.run(run, capture_output=True, text=True).returncode == 0
    audit = subprocess.run(run + ["--no-ignores"], capture_output=True, text=True)
    assert audit.returncode == 1 and "S101" in audit.stdout
