"""`--statistics` (compiler.reporters.statistics): one line per rule, ruff-style."""
import inspect
import re

from compiler.checker import check_bytes, check_text
from compiler.diagnostics import Diagnostic, Severity, Span, find_rule
from compiler.reporters import FORMATS, Report, Style
from compiler.reporters import statistics

FLOW = """\
id: stats
namespace: company.team
tasks:
  - id: one
    type: io.kestra.plugin.core.log.Log
    mesage: a
    colour: red
  - id: two
    type: io.kestra.plugin.core.log.Log
    message: b
    mesage: b
  - id: three
    type: com.example.InHouse
  - id: four
    type: com.example.Other
  - id: five
    type: io.kestra.core.tasks.log.Log
    message: c
"""


def report_of(*results) -> Report:
    return Report(
        files=[r.path for r in results],
        diagnostics=[d for r in results for d in r.diagnostics],
        sources={r.path: r.source for r in results},
    )


def test_signature_matches_the_other_reporters():
    assert list(inspect.signature(statistics.render).parameters) == ["report", "style"]
    assert "statistics" not in FORMATS


def test_counts_sorted_by_count_then_code():
    result = check_text(FLOW, "flows/stats.yaml")
    assert sorted(d.code for d in result.diagnostics) == ["D001", "S101", "S101", "S101", "S102", "S109", "S109"]
    assert statistics.render(report_of(result), Style()) == (
        "     3  S101  unknown-property           error\n"
        "     2  S109  unknown-plugin             warning\n"
        "     1  D001  deprecated-type-alias      info\n"
        "     1  S102  missing-required-property  error\n"
    )


def test_columns_line_up():
    result = check_text(FLOW, "flows/stats.yaml")
    lines = statistics.render(report_of(result), Style()).splitlines()
    assert {len(line.split()[0]) + line.index(line.split()[0]) for line in lines} == {6}  # counts end together
    assert len({line.index(line.split()[1]) for line in lines}) == 1  # codes start together
    assert len({line.rindex(" ") for line in lines}) == 1  # severities start together
    assert [line.split()[-1] for line in lines] == ["error", "warning", "info", "error"]


def test_counts_over_several_files_and_right_aligned():
    results = [check_text(FLOW, f"flows/f{i}.yaml") for i in range(4)]
    results.append(check_bytes(b"id: x\nnamespace: y\ndescription: caf\xe9\n", "latin1.yaml"))
    lines = statistics.render(report_of(*results), Style()).splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["12", "S101"], ["8", "S109"], ["4", "D001"], ["4", "S102"], ["1", "Y005"],
    ]
    assert lines[0].startswith("    12  S101  unknown-property ")
    assert lines[-1].startswith("     1  Y005  ")
    assert len({line.index("  ", 6) for line in lines}) == 1


def test_wide_counts_widen_the_column():
    rule = find_rule("S101")
    many = [Diagnostic(rule, "m", "a.yaml", Span(1, 1, 1, 2))] * 1234567
    one = [Diagnostic(find_rule("S109"), "m", "a.yaml", Span(1, 1, 1, 2))]
    text = statistics.render(Report(files=["a.yaml"], diagnostics=many + one), Style())
    assert text == "1234567  S101  unknown-property  error\n      1  S109  unknown-plugin    warning\n"


def test_nothing_when_no_diagnostics():
    assert statistics.render(Report(files=["a.yaml"], diagnostics=[]), Style()) == ""
    assert statistics.render(report_of(check_text(
        "id: clean\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
        "clean.yaml",
    )), Style()) == ""


def test_severity_is_the_diagnostics_not_only_the_rules():
    rule = find_rule("S101")
    d = [
        Diagnostic(rule, "m", "a.yaml", Span(1, 1, 1, 2), severity=Severity.WARNING),
        Diagnostic(rule, "m", "a.yaml", Span(2, 1, 2, 2), severity=Severity.WARNING),
    ]
    assert statistics.render(Report(files=["a.yaml"], diagnostics=d), Style()) == "     2  S101  unknown-property  warning\n"
    d.append(Diagnostic(rule, "m", "b.yaml", Span(1, 1, 1, 2)))
    assert statistics.render(Report(files=["a.yaml", "b.yaml"], diagnostics=d), Style()) == "     3  S101  unknown-property  error/warning\n"


def test_color():
    result = check_text(FLOW, "flows/stats.yaml")
    text = statistics.render(report_of(result), Style(color=True))
    assert "\x1b[31;1mS101\x1b[0m" in text
    assert "\x1b[33mwarning\x1b[0m" in text
    assert "\x1b[34minfo\x1b[0m" in text
    plain = statistics.render(report_of(result), Style())
    assert "\x1b" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", text) == plain


def test_statistics_flag(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "a.yaml"
    path.write_text("id: a\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: x\n    mesage: y\n    mesage2: z\n")
    done = subprocess.run([sys.executable, "-m", "compiler", "check", str(path), "--statistics"], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stdout.split() == ["2", "S101", "unknown-property", "error"]
