"""Templates are data: they can never run Python, whatever they contain."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.expr import RenderError, TemplateSyntaxError, compile_template, parse, render

HOSTILE = [
    "{{ __import__('os').system('echo pwned') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ s.__class__ }}",
    "{{ \"'''\" ~ '\"\"\"' ~ \"\\\\\" }}",
    "{{ '\\n'; import os }}",
    "text ''' \"\"\" \\ {{ 'a' }}\nline\\n",
    "{{ x }}\n__import__('os')",
    "{% set a = '{0.__class__}' %}{{ a }}",
    "{{ '%s' % 1 }}",
    "{{ f'{1}' }}",
    "{{ s.toString().getClass() }}",
    "{% macro __init__() %}x{% endmacro %}{{ __init__() }}",
    "{{ eval('1') }}",
    "{{ exec }}",
    "{{ {'__class__': 1}.__class__ }}",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_template_cannot_execute_python(template, capfd):
    try:
        result = render(template, {"s": "string"})
        assert isinstance(result, str)
    except RenderError:
        pass
    assert "pwned" not in capfd.readouterr().out


def test_user_text_appears_in_generated_code_only_as_literals():
    template = "a'''b\"\"\"c\\{{ x }}{% set y = '__import__' %}"
    source = compile_template(template).source
    assert "__import__" not in source.replace(repr("__import__"), "")
    compile(source, "<check>", "exec")  # the generated module is valid Python


template_pieces = st.sampled_from(
    ["{{", "}}", "{%", "%}", "{#", "#}", "-", " ", "x", "1", "'", '"', "#{", "}", "(", ")", "[", "]", "|", "~", "..",
     "??", "is", "not", "if", "endif", "for", "in", "set", "=", ",", ".", ":", "?", "\n", "raw", "upper", "\\", "é"])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(template_pieces, max_size=30).map("".join))
def test_parser_raises_only_syntax_errors(template):
    try:
        parse(template)
    except TemplateSyntaxError as e:
        assert 0 <= e.offset <= len(template)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(template_pieces, max_size=30).map("".join) | st.text(max_size=40))
def test_render_raises_only_render_errors(template):
    try:
        render(template, {"x": [1, "a", None], "s": "string", "n": None})
    except RenderError:
        pass


def test_limits():
    with pytest.raises(RenderError):
        render("{{ 1..10000000000 }}", {})
    with pytest.raises(RenderError):
        render("{{ " + "(" * 500 + "1" + ")" * 500 + " }}", {})
    with pytest.raises(RenderError):
        render("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", {})
    with pytest.raises(RenderError):
        render("x" * 2_000_000 + "{{ 1 }}", {})
