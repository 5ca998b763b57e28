"""Reporter output, snapshot-tested (review every snapshot you accept)."""
import json

import pytest

from compiler.checker import check_file
from compiler.reporters import FORMATS, Report, Style, render

from .conftest import FIXTURES


@pytest.fixture(scope="module")
def report():
    path = FIXTURES / "flows" / "several-problems.yaml"
    result = check_file(path, "flows/several-problems.yaml")
    return Report(files=[result.path], diagnostics=result.diagnostics, sources={result.path: result.source})


@pytest.mark.parametrize("name", FORMATS)
def test_format_snapshot(report, name, snapshot):
    assert render(name, report) == snapshot


def test_full_format_with_color_marks_severity(report):
    text = render("full", report, Style(color=True))
    assert "\x1b[31;1merror[S101]" in text


def test_json_contract(report):
    payload = json.loads(render("json", report))
    assert payload["version"] == 1 and payload["files"] == 1
    keys = {"code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column", "help"}
    for d in payload["diagnostics"]:
        assert set(d) == keys
        assert d["severity"] in ("error", "warning", "info")
        assert d["line"] >= 1 and d["column"] >= 1


def test_sarif_structure(report):
    log = json.loads(render("sarif", report))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1


def test_github_annotations_escape_newlines_and_commas(report):
    for line in render("github", report).splitlines():
        assert line.startswith(("::error ", "::warning ", "::notice "))
        props, _, message = line[2:].partition("::")
        assert "\n" not in message


def test_clean_report_summary():
    assert render("full", Report(files=["a.yaml"], diagnostics=[])) == "All checks passed (1 file checked).\n"
