"""`??` and `???` catch a missing attribute read off a function's result, as Kestra's
NullCoalescingExpression and UndefinedCoalescingExpression catch it from their whole left side
(the corpus flow kv.yaml reads `kv('my-key').field ?? null`); operators still fail first."""
import pytest

from compiler.expr.engine import render
from runtime.pebble.errors import RenderError


@pytest.mark.parametrize("template, expected", [
    ("{{ fromJson('null').field ?? 'd' }}", "d"),
    ("{{ fromJson('{}').field ?? 'd' }}", "d"),
    ("{{ fromJson('{}').field ??? 'u' }}", "u"),
    ("{{ fromJson('{\"field\": 1}').field ?? 'd' }}", "1"),
])
def test_a_chain_starting_at_a_function_call_is_guarded(template, expected):
    assert render(template, {}) == expected


def test_an_operator_fails_before_the_coalescing_can_catch():
    with pytest.raises(RenderError):
        render("{{ (missing == 'a') ?? false }}", {})
