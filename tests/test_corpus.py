"""Kestra's own test flows: valids check clean, invalids fail for Kestra's reason, at the
offending line."""
import pytest

from compiler.checker import check_file
from compiler.diagnostics import Severity

from .conftest import CORPUS

pytestmark = pytest.mark.corpus

VALIDS = sorted((CORPUS / "valids").glob("*.y*ml")) if CORPUS.is_dir() else []
STRUCTURAL = ("Y", "S", "L")

# Kestra's reason for each invalid file, as (rule code, line) pairs that must all be reported.
INVALIDS = {
    "dag-cyclicdependency.yaml": [("S213", 12)],
    "dag-notexist-task.yaml": [("S212", 17)],
    "duplicate-inputs.yaml": [("S203", 8)],
    "duplicate-key.yaml": [("Y002", 10)],
    "duplicate-parallel.yaml": [("S201", 38)],
    "duplicate.yaml": [("S201", 14), ("S201", 21), ("S201", 25), ("S201", 30), ("S202", 37)],
    "empty.yaml": [("S102", 1)],
    "inputs-bad-type.yaml": [("S104", 5)],
    "inputs-bad-validator-syntax.yaml": [("S209", 6)],
    "inputs-validation.yaml": [("S207", 7), ("S208", 10)],
    "inputs.yaml": [("S102", 4), ("S105", 4)],
    "invalid-parallel.yaml": [("S106", 1), ("S106", 2), ("S102", 12), ("S106", 18), ("S102", 22)],
    "invalid-property.yaml": [("S101", 7)],
    "invalid-task.yaml": [("S108", 7), ("S108", 12), ("S108", 18)],
    "invalid.yaml": [("S105", 1), ("S105", 2), ("S102", 4)],
    "listener.yaml": [("S106", 7), ("S106", 9)],
    "recursive-flow.yaml": [("S216", 7)],
    "switch-invalid.yaml": [("S214", 9)],
    "system-labels.yaml": [("S211", 5), ("S211", 6), ("S102", 10)],
    "worker-group.yaml": [("S218", 8)],  # a warning: Enterprise Edition accepts it
    "workingdirectory-invalid.yaml": [("S215", 12)],
    "workingdirectory-no-tasks.yaml": [("S102", 5)],
}


# Findings on valid flows that are real run-time failures Kestra does not see when saving, each
# with its justification: (file, rule, line) -> why.
REAL_FAILURES = {
    ("flowable-with-parent-fail.yaml", "E001", 17): (
        "the If condition puts a `{% for %}` tag inside `{{ }}`, which Pebble cannot parse: the flow "
        "exists to test a failing child of a flowable, and its If task fails at run time"),
}


@pytest.mark.parametrize("path", VALIDS, ids=lambda p: p.name)
def test_valid_flow_has_no_structural_error(path):
    result = check_file(path, path.name)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR and d.code[0] in STRUCTURAL]
    assert errors == [], "\n".join(f"{d.span.line}:{d.span.column} {d.code} {d.message}" for d in errors)
    # Besides the justified real failures, only two kinds of finding are expected on Kestra's valid
    # flows: its test-only task types are plugins flowc does not know (S109, a warning), and old
    # type names (D001, an info).
    unexpected = [d for d in result.diagnostics
                  if d.code not in ("S109", "D001") and (path.name, d.code, d.span.line) not in REAL_FAILURES]
    assert unexpected == [], "\n".join(f"{d.span.line}:{d.span.column} {d.code} {d.message}" for d in unexpected)


def test_every_invalid_file_is_listed():
    assert sorted(p.name for p in (CORPUS / "invalids").glob("*.y*ml")) == sorted(INVALIDS)


@pytest.mark.parametrize("name", sorted(INVALIDS))
def test_invalid_flow_is_rejected_for_kestras_reason(name):
    result = check_file(CORPUS / "invalids" / name, name)
    got = {(d.code, d.span.line) for d in result.diagnostics}
    for expected in INVALIDS[name]:
        assert expected in got, f"missing {expected}; got {sorted(got)}"
    if name != "worker-group.yaml":
        assert any(d.severity is Severity.ERROR for d in result.diagnostics)
