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
_KO = (
    "`ko` is an undefined variable used on purpose in the branch of a ternary taken when the test wants the "
    "task to fail (Kestra's restart and retry tests): a real failure when that branch runs"
)
_NO_VALUE = (
    "children of a Switch, a Sequential or an `errors` block outside any loop get no `taskrun.value` "
    "(FlowableUtils.resolveTasks sets none): the flow serves Kestra's graph and disabled-task tests, and "
    "these tasks would fail if they ran"
)
REAL_FAILURES = {
    ("flowable-with-parent-fail.yaml", "E001", 17): (
        "the If condition puts a `{% for %}` tag inside `{{ }}`, which Pebble cannot parse: the flow "
        "exists to test a failing child of a flowable, and its If task fails at run time"),
    ("all-flowable.yaml", "R108", 26): _NO_VALUE,
    ("all-flowable.yaml", "R108", 72): _NO_VALUE,
    ("all-flowable.yaml", "R108", 76): _NO_VALUE,
    ("all-flowable.yaml", "R108", 80): _NO_VALUE,
    ("disable-flowable.yaml", "R108", 51): _NO_VALUE,
    ("disable-flowable.yaml", "R108", 54): _NO_VALUE,
    ("each-sequential.yaml", "R115", 17): _KO,
    ("restart-each.yaml", "R115", 19): _KO,
    ("restart-each.yaml", "R115", 27): _KO,
    ("restart_last_failed.yaml", "R115", 13): _KO,
    ("restart_pause_last_failed.yaml", "R115", 17): _KO,
    ("retry-success.yaml", "R115", 7): _KO,
    ("working-directory.yaml", "R115", 15): _KO,
    ("failed-first.yaml", "R115", 7): "the flow tests a first task that fails: `missingVar` is undefined on purpose",
    ("flow-with-outputs-failed.yml", "R115", 11): "tests a flow output that fails to render: `invalid` is undefined",
    ("task-runif.yml", "R103", 20): "the task `willfailedtheflow` reads a task that does not exist, on purpose",
    ("variables-invalid.yaml", "R101", 10): "reads an undeclared input; Kestra's test expects the execution to fail",
    ("task-flow-dynamic.yaml", "R101", 14): (
        "reads inputs `namespace` and `flowId` the flow does not declare; Kestra keeps only declared inputs, so an "
        "execution created through the API or a trigger fails (Kestra's graph test injects them)"),
    ("task-flow-dynamic.yaml", "R101", 15): "the same as line 14, for `flowId`",
    ("switch.yaml", "L108", 46): (
        "the Schedule supplies no value for the required input `string`, which has no defaults: every scheduled "
        "execution fails with `missing required input` (the flow serves Switch tests that run it with inputs)"),
    ("task-flow.yaml", "L108", 27): (
        "the Schedule supplies no value for the required input `string`, which has no defaults: a scheduled execution "
        "has no inputs and the Subflow task's `{{ inputs.string }}` fails (the tests run the flow with inputs)"),
}
ALLOWED_ON_VALIDS = {
    "S109": "Kestra's test-only task types are plugins flowc does not know (a warning)",
    "D001": "old type names, still accepted (an info naming the new one)",
    "D002": "`json()` and `| json`, deprecated and removed in Kestra 2.0 (an info)",
    "D003": "deprecated types, still accepted (an info naming the replacement)",
    "D004": "deprecated properties, still accepted (an info naming the replacement)",
}


@pytest.mark.parametrize("path", VALIDS, ids=lambda p: p.name)
def test_valid_flow_has_no_structural_error(path):
    result = check_file(path, path.name)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR and d.code[0] in STRUCTURAL]
    assert errors == [], "\n".join(f"{d.span.line}:{d.span.column} {d.code} {d.message}" for d in errors)
    # Besides the justified real failures, only the findings of ALLOWED_ON_VALIDS are expected.
    unexpected = [d for d in result.diagnostics
                  if d.code not in ALLOWED_ON_VALIDS and (path.name, d.code, d.span.line) not in REAL_FAILURES]
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


def test_every_justified_failure_is_still_found():
    found = set()
    for path in VALIDS:
        for d in check_file(path, path.name).diagnostics:
            found.add((path.name, d.code, d.span.line))
    assert set(REAL_FAILURES) <= found
