"""Double.parseDouble in templates (`number('DOUBLE')`, `number`, jq's `tonumber`): Java's
results and NumberFormatException messages, failing as template errors."""
import pytest

from compiler.expr.engine import render
from runtime.pebble.errors import RenderError


@pytest.mark.parametrize("template, expected", [
    ("{{ '0x1p99999' | number('DOUBLE') }}", "Infinity"),  # beyond a double: Infinity, no crash
    ("{{ '-0x1p99999' | number('DOUBLE') }}", "-Infinity"),
    ("{{ '0x1p99999' | number('FLOAT') }}", "Infinity"),
    ("{{ ' 0x1p2 ' | number('DOUBLE') }}", "4.0"),
])
def test_number_reads_java_double_literals(template, expected):
    assert render(template, {}) == expected


def test_jq_tonumber_reads_a_huge_hex_literal():
    assert render("{{ v | jq('.a | tonumber') }}", {"v": {"a": "0x1p99999"}}) == "[Infinity]"


@pytest.mark.parametrize("text, message", [
    (" 1x ", 'NumberFormatException: For input string: "1x"'),  # Java shows the trimmed text
    ("\t", "NumberFormatException: empty String"),
])
def test_refusals_are_java_messages(text, message):
    with pytest.raises(RenderError) as caught:
        render("{{ s | number('DOUBLE') }}", {"s": text})
    assert str(caught.value) == message
