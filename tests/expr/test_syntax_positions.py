"""Expression syntax errors are reported at their exact line and column in the YAML file,
whatever the scalar's style (plain, quoted, literal or folded block), on multi-line
templates."""
import pytest

from compiler.checker import check_text

HEAD = "id: positions\nnamespace: company.team\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n"


def e001(body: str):
    result = check_text(HEAD + body, "f.yaml")
    return [(d.span.line, d.span.column) for d in result.diagnostics if d.code == "E001"]


CASES = {
    # style: (message property as written, (line, column) of the error)
    "plain": ("    message: Hello {{ inputs.name | }}\n", (6, 35)),  # the `|` with nothing after it
    "single-quoted": ("    message: 'It''s {{ outputs.a. }}'\n", (6, 33)),  # the `.` with no name after it
    "double-quoted": ('    message: "Tab\\t{{ [1, 2,] }}"\n', (6, 28)),  # the trailing comma
    "literal block": ("    message: |\n      line one\n      {{ 1 +\n         * 2 }}\n", (9, 10)),  # the `*` with no left operand
    "folded block": ("    message: >\n      first\n      second {{ a b }}\n", (8, 19)),  # the unexpected `b`
    "double-quoted multi-line": ('    message: "first\n      second {{ a.b. }}"\n', (7, 20)),  # the trailing `.`
    "plain multi-line": ("    message: first\n      {{ 'x' ~ }}\n", (7, 14)),
}


@pytest.mark.parametrize("style", CASES)
def test_error_position(style):
    body, expected = CASES[style]
    assert e001(body) == [expected]


def test_error_after_raw_block_keeps_its_column():
    assert e001("    message: \"{% raw %}{{ x }}{% endraw %} {{ 1 + }}\"\n") == [(6, 49)]


def test_valid_templates_report_nothing():
    body = "    message: |\n      {% for x in [1, 2] %}{{ x }}{% endfor %}\n      {{ outputs['my-task'].value ?? 'none' }}\n"
    assert e001(body) == []
