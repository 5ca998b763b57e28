"""flowc's SARIF output against the official SARIF 2.1.0 schema (tests/fixtures/sarif), and
against what GitHub code scanning reads from it."""
import json
import re
from pathlib import PurePosixPath, PureWindowsPath

import jsonschema
import pytest

from compiler.checker import check_bytes, check_text
from compiler.diagnostics import all_rules
from compiler.reporters import Report, render
from compiler.reporters import sarif as sarif_reporter

from .conftest import FIXTURES

SCHEMA_PATH = FIXTURES / "sarif" / "sarif-schema-2.1.0.json"
RULE_FIXTURES = FIXTURES / "rules"

# --------------------------------------------------------------------------- the schema

# RFC 3986, loosely: the characters a URI may hold, and well-formed percent-escapes.
_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _is_uri_reference(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _URI_CHARS.match(value):
        return False
    if _SCHEME.match(value):
        return True
    first_segment = re.split(r"[/?#]", value, maxsplit=1)[0]
    return ":" not in first_segment  # a relative path whose first segment has `:` reads as a scheme


def _is_uri(value) -> bool:
    return not isinstance(value, str) or (_is_uri_reference(value) and bool(_SCHEME.match(value)))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    # jsonschema checks `uri` only with optional packages flowc does not depend on: check
    # the two URI formats here (`date-time` is in the schema, but flowc writes no dates).
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(_is_uri)
    checker.checks("uri-reference")(_is_uri_reference)
    return cls(schema, format_checker=checker)


def assert_valid(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20])


def test_schema_is_the_official_one():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_validator_checks_uri_formats(validator):
    log = json.loads(sarif(result_of("id: a\nnamespace: b\ntasks: 3\n", "a.yaml")))
    assert_valid(validator, log)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b.yaml"
    assert not validator.is_valid(log)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "c:/a.yaml"
    assert validator.is_valid(log)  # `c:` is a scheme: a valid (if unwanted) absolute URI
    log["$schema"] = "not a uri"
    assert not validator.is_valid(log)


# --------------------------------------------------------------------------- the flows

SEVERAL_FAMILIES = """\
id: several
namespace: company.team
labels:
  system.team: data
inputs:
  - id: name
    type: STRING
tasks:
  - id: hello
    type: io.kestra.core.tasks.log.Log
    mesage: "Hello"
    level: warning
  - id: hello
    type: com.example.InHouse
  - id: shout
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.nme }} and {{ outputs.nothing.value }}"
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    timezone: 42
"""

# `}` at column 43 of line 4: the column is the one of the character inside the expression.
EXPRESSION = """\
id: expression
namespace: company.team
variables:
  greeting: "Hello {{ inputs.name | upper }"
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ vars.greeting }}"
"""

MULTI_DOCUMENT = """\
id: parent
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: child
    inputs:
      user: Ana
      usr: Ana
---
id: child
namespace: company.team
inputs:
  - id: user
    type: STRING
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    mesage: "Hello {{ inputs.user }}"
"""

CLEAN = """\
id: clean
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: Hello
"""

YAML_SYNTAX = """\
id: broken
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
   message: hi
"""

NOT_UTF8 = b"id: latin\nnamespace: company.team\ndescription: caf\xe9\n"


def result_of(text, display):
    return check_text(text, display)


def report_of(*results) -> Report:
    return Report(
        files=[r.path for r in results],
        diagnostics=[d for r in results for d in r.diagnostics],
        sources={r.path: r.source for r in results},
    )


def sarif(*results) -> str:
    return render("sarif", report_of(*results))


@pytest.fixture(scope="module")
def results():
    return {
        "several": result_of(SEVERAL_FAMILIES, "flows/several.yaml"),
        "expression": result_of(EXPRESSION, "flows/expression.yaml"),
        "multi": result_of(MULTI_DOCUMENT, "flows/sub/multi.yaml"),
        "clean": result_of(CLEAN, "flows/clean.yaml"),
        "syntax": result_of(YAML_SYNTAX, "flows/syntax.yaml"),
        "latin1": check_bytes(NOT_UTF8, "flows/latin1.yaml"),
    }


@pytest.fixture(scope="module")
def log(results):
    return json.loads(sarif(*results.values()))


def by_file(log, uri):
    return [r for r in log["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri]


def test_flows_cover_what_they_should(results):
    codes = {name: {d.code for d in r.diagnostics} for name, r in results.items()}
    families = {c[0] for c in codes["several"]}
    assert {"S", "D", "R"} <= families, codes["several"]
    assert {d.severity.value for d in results["several"].diagnostics} == {"error", "warning", "info"}
    assert "E001" in codes["expression"]
    assert {"X102", "S101"} <= codes["multi"]
    assert codes["clean"] == set()
    assert codes["syntax"] == {"Y001"}
    assert codes["latin1"] == {"Y005"}


def test_output_validates_against_the_schema(validator, log):
    assert_valid(validator, log)
    assert len(log["runs"][0]["results"]) >= 10


@pytest.mark.parametrize("name", ["several", "expression", "multi", "clean", "syntax", "latin1"])
def test_each_file_alone_validates(validator, results, name):
    assert_valid(validator, json.loads(sarif(results[name])))


def test_no_diagnostics_still_a_valid_log_with_rules(validator):
    log = json.loads(render("sarif", Report(files=[], diagnostics=[])))
    assert_valid(validator, log)
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(all_rules())


def test_every_rule_fixture_validates(validator):
    found = [check_bytes(p.read_bytes(), f"tests/fixtures/rules/{p.name}") for p in sorted(RULE_FIXTURES.glob("*.yaml"))]
    log = json.loads(sarif(*found))
    assert_valid(validator, log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {r.code for r in all_rules()}


# --------------------------------------------------------------------------- what GitHub needs


def test_log_header(log):
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(log["runs"]) == 1


def test_driver_and_rules(log):
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "flowc"
    assert isinstance(driver["version"], str) and driver["version"]
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == len(all_rules())
    levels = {r.code: r.severity.value for r in all_rules()}
    for r in rules:
        assert re.fullmatch(r"[A-Z]\d{3}", r["id"])
        assert r["shortDescription"]["text"] and len(r["shortDescription"]["text"]) <= 1024
        assert r["help"]["text"] and r["help"]["markdown"]
        assert r["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[levels[r["id"]]]


def test_results(log, results):
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    diagnostics = [d for r in results.values() for d in r.diagnostics]
    assert len(log["runs"][0]["results"]) == len(diagnostics)
    for result, d in zip(log["runs"][0]["results"], diagnostics):
        assert result["ruleId"] == d.code
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[d.severity.value]
        assert result["message"]["text"].startswith(d.message)
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert uri == d.file  # relative, forward slashes, nothing to escape
        assert not _SCHEME.match(uri) and not uri.startswith("/") and "\\" not in uri
        region = location["region"]
        assert region["startLine"] == d.span.line >= 1
        assert region["startColumn"] == d.span.column >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
        assert set(result["partialFingerprints"]) == {"flowc/v1"}


def test_columns_are_unicode_code_points(log):
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_expression_error_points_inside_the_expression(log):
    [result] = [r for r in by_file(log, "flows/expression.yaml") if r["ruleId"] == "E001"]
    region = result["locations"][0]["physicalLocation"]["region"]
    line = EXPRESSION.splitlines()[region["startLine"] - 1]
    assert (region["startLine"], region["startColumn"]) == (4, 43)
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "}"
    assert region["startColumn"] > line.index("{{") + 1


def test_multi_document_lines_count_from_the_file_start(log):
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in by_file(log, "flows/sub/multi.yaml")}
    assert ("X102", 10) in found
    assert ("S101", 20) in found  # in the second document


def test_syntax_error_and_undecodable_file(log):
    [syntax] = by_file(log, "flows/syntax.yaml")
    assert syntax["ruleId"] == "Y001" and syntax["level"] == "error"
    assert syntax["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    [latin1] = by_file(log, "flows/latin1.yaml")
    assert latin1["ruleId"] == "Y005"
    region = latin1["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 17)
    assert latin1["partialFingerprints"]["flowc/v1"]


def test_clean_file_has_no_results(log):
    assert by_file(log, "flows/clean.yaml") == []


# --------------------------------------------------------------------------- URIs


@pytest.mark.parametrize("display, uri", [
    ("flows/a.yaml", "flows/a.yaml"),
    ("./flows/a.yaml", "flows/a.yaml"),
    ("../other/a.yaml", "../other/a.yaml"),
    ("my flows/a #1.yaml", "my%20flows/a%20%231.yaml"),
    ("flows/été.yaml", "flows/%C3%A9t%C3%A9.yaml"),
    ("a:b.yaml", "a%3Ab.yaml"),
    ("-", "-"),
    ("<stdin>", "%3Cstdin%3E"),
    ("/abs/flows/a.yaml", "file:///abs/flows/a.yaml"),
])
def test_uri(validator, monkeypatch, display, uri):
    monkeypatch.setattr(sarif_reporter, "PurePath", PurePosixPath)
    assert sarif_reporter._uri(display) == uri
    assert _is_uri_reference(uri)


@pytest.mark.parametrize("display, uri", [
    ("flows\\sub\\a.yaml", "flows/sub/a.yaml"),
    ("C:\\work\\flows\\a.yaml", "file:///C:/work/flows/a.yaml"),
])
def test_uri_from_windows_paths(monkeypatch, display, uri):
    monkeypatch.setattr(sarif_reporter, "PurePath", PureWindowsPath)
    assert sarif_reporter._uri(display) == uri


def test_odd_file_name_validates(validator):
    assert_valid(validator, json.loads(sarif(result_of("id: a\nnamespace: b\ntasks: 3\n", "my flows/a #1.yaml"))))


# --------------------------------------------------------------------------- fingerprints


def fingerprints(log) -> list[str]:
    return [r["partialFingerprints"]["flowc/v1"] for r in log["runs"][0]["results"]]


def test_fingerprints_are_deterministic(results):
    first = sarif(*results.values())
    again = sarif(*(check_text(r.source.text, r.path) if r.source.text else r for r in results.values()))
    assert first == again


def test_fingerprints_are_unique_within_a_file(log):
    keys = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["partialFingerprints"]["flowc/v1"])
            for r in log["runs"][0]["results"]]
    assert len(set(keys)) == len(keys)
    for _, value in keys:
        assert re.fullmatch(r"[0-9a-f]{32}:[1-9][0-9]*", value)


def test_fingerprints_survive_lines_added_above():
    before = json.loads(sarif(check_text(SEVERAL_FAMILIES, "flows/several.yaml")))
    shifted = "# a comment\n\n" + SEVERAL_FAMILIES
    after = json.loads(sarif(check_text(shifted, "flows/several.yaml")))
    def lines(log):
        return [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in log["runs"][0]["results"]]

    assert lines(after) == [n + 2 for n in lines(before)]
    assert fingerprints(after) == fingerprints(before)


def test_identical_problems_are_counted():
    task = "  - id: {}\n    type: io.kestra.plugin.core.log.Log\n    message: x\n    mesage: x\n"
    text = CLEAN + task.format("a") + task.format("b")
    log = json.loads(sarif(check_text(text, "flows/twice.yaml")))
    found = [f for r, f in zip(log["runs"][0]["results"], fingerprints(log)) if r["ruleId"] == "S101"]
    assert len(found) == 2
    assert found[0].split(":")[0] == found[1].split(":")[0]
    assert [f.split(":")[1] for f in found] == ["1", "2"]
