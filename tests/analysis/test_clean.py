"""Correct flows produce nothing: brackets for hyphenated ids, indexed loop outputs, guards,
render(), pluginDefaults, scripts and subflow outputs, Dag dependencies, the examples."""
import pytest

from compiler.checker import check_file

from ..conftest import EXAMPLES, FIXTURES

CLEAN = sorted((FIXTURES / "clean").glob("*.yaml")) + sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_no_diagnostic(path):
    result = check_file(path, path.name)
    assert [(d.span.line, d.code, d.message) for d in result.diagnostics] == []
