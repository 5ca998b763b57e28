"""Every rule has a doc and a fixture; each fixture states, next to the offending line,
the diagnostics it must produce (`# expect: CODE`, or `# expect@LINE: CODE`)."""
import re

import pytest

from compiler.checker import check_bytes
from compiler.diagnostics import DOC_SECTIONS, all_rules, find_rule

from .conftest import FIXTURES

RULE_FIXTURES = FIXTURES / "rules"
_EXPECT = re.compile(r"#\s*expect(?:@(\d+))?:\s*([A-Z]\d{3}(?:\s*,\s*[A-Z]\d{3})*)")


def expectations(data: bytes) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(data.decode("latin-1").splitlines(), start=1):
        for m in _EXPECT.finditer(line):
            for code in re.split(r"\s*,\s*", m.group(2)):
                found.add((int(m.group(1) or number), code))
    return found


RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_doc_and_fixture(rule):
    for section in DOC_SECTIONS:
        assert section in rule.doc, f"{rule.code} doc lacks {section!r}"
    fixture = RULE_FIXTURES / f"{rule.code}.yaml"
    assert fixture.is_file(), f"{rule.code} has no fixture {fixture.name}"
    assert any(code == rule.code for _, code in expectations(fixture.read_bytes())), f"{fixture.name} expects no {rule.code}"


@pytest.mark.parametrize("fixture", sorted(RULE_FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_fixture_diagnostics(fixture):
    data = fixture.read_bytes()
    result = check_bytes(data, fixture.name)
    got = {(d.span.line, d.code) for d in result.diagnostics}
    assert got == expectations(data)


def test_codes_and_names_are_unique_and_well_formed():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    for r in RULES:
        assert re.fullmatch(r"[YSERTGXLD]\d{3}", r.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name)


def test_find_rule_by_code_or_name():
    assert find_rule("s101").name == "unknown-property"
    assert find_rule("unknown-property").code == "S101"
    assert find_rule("nope") is None
