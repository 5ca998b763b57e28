"""`flowc check --fix` and `--diff`: the safe fixes, and nothing else of the file changes."""
import subprocess
import sys

from compiler.diagnostics import Diagnostic, Fix, Span, find_rule
from compiler.fixes import apply

BEFORE = """\
id: fixme   # a comment that stays
namespace: company.team
taskDefaults:
  - type: io.kestra.plugin.core.log.Log
    values: {level: INFO}   # flow style kept
tasks:
  - id: my-task
    type: "io.kestra.core.tasks.debugs.Return"
    format: hi
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.my-task.value | json }}  {{ json('{}') }}"
  - id: single
    type: io.kestra.plugin.core.log.Log
    message: '{{ outputs.my-task.value }}'

  # a blank line and this comment stay
  - id: block
    type: io.kestra.plugin.core.log.Log
    message: |
      {{ outputs.my-task.value }}
"""

AFTER = """\
id: fixme   # a comment that stays
namespace: company.team
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values: {level: INFO}   # flow style kept
tasks:
  - id: my-task
    type: "io.kestra.plugin.core.debug.Return"
    format: hi
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs['my-task'].value | toJson }}  {{ fromJson('{}') }}"
  - id: single
    type: io.kestra.plugin.core.log.Log
    message: '{{ outputs[''my-task''].value }}'

  # a blank line and this comment stay
  - id: block
    type: io.kestra.plugin.core.log.Log
    message: |
      {{ outputs['my-task'].value }}
"""


def flowc(*args):
    return subprocess.run([sys.executable, "-m", "compiler", "check", *args], capture_output=True, text=True)


def test_fix_rewrites_only_what_it_fixes(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text(BEFORE)
    done = flowc(str(path), "--fix", "--format", "concise")
    assert path.read_text() == AFTER
    assert "fixed 7 problems in 1 file" in done.stderr
    assert done.returncode == 0, done.stdout  # nothing remains


def test_line_endings_and_byte_order_mark_are_kept(tmp_path):
    path = tmp_path / "crlf.yaml"
    data = "\ufeffid: crlf\r\nnamespace: n\r\ntasks:\r\n  - id: t\r\n    type: io.kestra.core.tasks.log.Log\r\n    message: x\r\n"
    path.write_bytes(data.encode("utf-8"))
    assert flowc(str(path), "--fix").returncode == 0
    assert path.read_bytes() == data.replace("io.kestra.core.tasks.log.Log", "io.kestra.plugin.core.log.Log").encode("utf-8")


def test_diff_shows_and_writes_nothing(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text(BEFORE)
    done = flowc(str(path), "--diff")
    assert done.returncode == 1
    assert "-taskDefaults:\n+pluginDefaults:\n" in done.stdout
    assert path.read_text() == BEFORE
    clean = tmp_path / "clean.yaml"
    clean.write_text(AFTER)
    nothing = flowc(str(clean), "--diff")
    assert nothing.returncode == 0 and nothing.stdout == ""


def test_suppressed_diagnostics_are_not_fixed(tmp_path):
    path = tmp_path / "f.yaml"
    text = BEFORE.replace('"io.kestra.core.tasks.debugs.Return"', '"io.kestra.core.tasks.debugs.Return"  # flowc: ignore[D001]')
    path.write_text(text)
    flowc(str(path), "--fix")
    assert '"io.kestra.core.tasks.debugs.Return"  # flowc: ignore[D001]' in path.read_text()


def test_standard_input_cannot_be_fixed():
    done = subprocess.run([sys.executable, "-m", "compiler", "check", "-", "--fix"], input="id: a\n", capture_output=True, text=True)
    assert done.returncode == 2 and "standard input" in done.stderr


def fake(line, column, end_column, replacement):
    return Diagnostic(find_rule("D001"), "m", "f.yaml", Span(line, column, line, end_column), fix=Fix(Span(line, column, line, end_column), replacement))


def test_a_fix_that_would_change_the_yaml_shape_is_dropped():
    text = "a: [x, y]\nb: plain\n"
    outcome = apply(text, [fake(1, 5, 6, "p, q"), fake(2, 4, 9, "other")])
    assert outcome.text == "a: [x, y]\nb: other\n"
    assert [d.fix.replacement for d in outcome.skipped] == ["p, q"]


def test_overlapping_fixes_apply_the_first_only():
    text = "a: hello world\n"
    outcome = apply(text, [fake(1, 4, 9, "bye"), fake(1, 6, 15, "x")])
    assert outcome.text == "a: bye world\n" and len(outcome.skipped) == 1
