"""The kinds of value a filter or function declares it refuses are refused by its
implementation: the checker reports a literal of such a kind (T105) as a certain failure,
so each claim is checked here by rendering a call that works, then the same call with the
argument (or the filtered value) replaced by literals of every refused kind."""
import base64

import pytest

from compiler.checker import check_text
from compiler.expr import RenderError, render
from runtime.logs import ExecutionLog
from runtime.pebble.context import RenderContext
from runtime.pebble.signatures import FILTERS, FUNCTIONS, LITERAL_KINDS, accepts, load_all
from runtime.pebble.values import Int32
from runtime.services import Services
from runtime.storage import Storage

load_all()

# several literals of each kind, so that no value passes by luck (a valid unit, type, format...)
SAMPLES = {
    "string": ["''", "'abc'", "'10'", "'true'", "'2024-01-02'", "'DAYS'", "'single'", "'INT'", "'[1]'",
               "'{\"a\": 1}'", "'.a'", "','", "'yyyy'", "'UTC'"],
    "number": ["0", "1", "10", "-1", "1.5", "0.0"],
    "boolean": ["true", "false"],
    "list": ["[]", "['a']", "[1, 2]"],
    "map": ["{}", "{'a': 'b'}"],
}
assert set(SAMPLES) == set(LITERAL_KINDS)

STAMP = "'2024-01-02T03:04:05Z'"
FILE = "kestra:///company/team/f/executions/e1/tasks/t/r/data.txt"

# filter -> (filtered value, arguments): a call that renders
FILTER_CALLS = {
    "abbreviate": ("'hello world'", {"length": "5"}),
    "chunk": ("[1, 2, 3]", {"size": "2"}),
    "date": (STAMP, {"format": "'yyyy'", "timeZone": "'UTC'", "locale": "'fr'"}),
    "dateAdd": (STAMP, {"amount": "1", "unit": "'DAYS'", "format": "'yyyy'", "timeZone": "'UTC'", "locale": "'fr'"}),
    "escapeChar": ("'a'", {"type": "'single'"}),
    "indent": ("'a\nb'", {"amount": "2", "prefix": "'> '"}),
    "nindent": ("'a\nb'", {"amount": "2", "prefix": "'> '"}),
    "join": ("[1, 2]", {"separator": "','"}),
    "jq": ("{'a': 1}", {"expression": "'.a'"}),
    "merge": ("[1]", {"items": "[2]"}),
    "number": ("'12'", {"type": "'INT'"}),
    "numberFormat": ("12.5", {"format": "'0.0'"}),
    "replace": ("'abc'", {"replace_pairs": "{'a': 'b'}", "regexp": "false"}),
    "slice": ("'hello'", {"fromIndex": "1", "toIndex": "3"}),
    "split": ("'a,b'", {"delimiter": "','", "limit": "2"}),
    "substringAfter": ("'a,b'", {"separator": "','"}),
    "substringAfterLast": ("'a,b'", {"separator": "','"}),
    "substringBefore": ("'a,b'", {"separator": "','"}),
    "substringBeforeLast": ("'a,b'", {"separator": "','"}),
    "timestamp": (STAMP, {"timeZone": "'UTC'"}),
    "timestampMilli": (STAMP, {"timeZone": "'UTC'"}),
    "timestampMicro": (STAMP, {"timeZone": "'UTC'"}),
    "timestampNano": (STAMP, {"timeZone": "'UTC'"}),
}
# (filter, parameter) -> the call exercising a parameter the call above does not
PARAMETER_CALLS = {
    ("date", "existingFormat"): ("'2024-01-02'", {"existingFormat": "'yyyy-MM-dd'", "format": "'yyyy'"}),
    ("dateAdd", "existingFormat"): ("'2024-01-02'", {"amount": "1", "unit": "'DAYS'", "existingFormat": "'yyyy-MM-dd'",
                                                     "format": "'yyyy'"}),
    **{(name, "existingFormat"): ("'2024-01-02 03:04'", {"existingFormat": "'yyyy-MM-dd HH:mm'", "timeZone": "'UTC'"})
       for name in ("timestamp", "timestampMilli", "timestampMicro", "timestampNano")},
}
# a filtered value each varargs filter takes (the input check)
INPUTS = {
    "abs": "-1", "base64decode": "'YQ=='", "capitalize": "'a'", "title": "'a'", "first": "'a'", "last": "'a'",
    "reverse": "[1]", "sort": "[1]", "rsort": "[1]", "sha256": "'a'", "sha1": "'a'", "sha512": "'a'", "md5": "'a'",
    "trim": "'a'", "urlencode": "'a'", "urldecode": "'a'", "distinct": "[1]", "keys": "{'a': 1}", "values": "{'a': 1}",
    "flatten": "[[1]]",
}

# function -> arguments of a call that renders (with CONTEXT and real services)
FUNCTION_CALLS = {
    "currentEachOutput": {"outputs": "{'a': 1}"},
    "decrypt": {"key": "'k'", "encrypted": "''"},
    "encrypt": {"key": "'k'", "plaintext": "''"},
    "fileSize": {"path": f"'{FILE}'"},
    "read": {"path": f"'{FILE}'"},
    "fromIon": {"ion": "'1'"},
    "fromJson": {"json": "'1'"},
    "json": {"json": "'1'"},
    "yaml": {"yaml": "'a: 1'"},
    "kv": {"key": "'k'", "namespace": "'company.team'", "errorOnMissing": "false"},
    "secret": {"key": "'K'"},
    "now": {"format": "'yyyy'", "timeZone": "'UTC'", "locale": "'fr'"},
    "randomInt": {"lower": "i", "upper": "i2"},  # Integers: 0.21 refuses the Long of a literal, later versions take it
    "range": {"start": "1", "end": "3", "increment": "1"},
    "render": {"toRender": "'x'", "recursive": "false"},
}
FUNCTION_PARAMETER_CALLS = {
    ("now", "existingFormat"): {"existingFormat": "'yyyy'"},
}
# typed parameters of functions flowc does not run: declared from Kestra's source
# (AbstractFileFunction takes a String or URI path; TasksWithState casts to String;
# http casts headers and query to Map)
NOT_RUN = {("fileExists", "path"), ("isFileEmpty", "path"), ("fileEmpty", "path"), ("tasksWithState", "state"),
           ("http", "query"), ("http", "headers")}
# i18n fails whatever its arguments (Kestra ships no message bundle)
ALWAYS_FAIL = {"i18n"}


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    storage = Storage(home / "runs")
    storage.put(FILE, b"hello")
    log = ExecutionLog(stream=open(home / "log.txt", "w"))
    return Services("company.team", storage, log, home, environ={"SECRET_K": base64.b64encode(b"v").decode()})


def _context():
    return {"flow": {"namespace": "company.team"}, "taskrun": {"value": "a"}, "parents": [], "i": Int32(1), "i2": Int32(5)}


def _filter(name: str, value: str, args: dict) -> str:
    listed = ", ".join(f"{k}={v}" for k, v in args.items())
    return "{{ " + value + " | " + name + (f"({listed})" if args else "") + " }}"


def _function(name: str, args: dict) -> str:
    return "{{ " + name + "(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ") }}"


def _error(template: str, services=None) -> str | None:
    context = _context()
    try:
        render(template, context, rctx=RenderContext(context, services=services))
    except RenderError as e:
        return str(e)
    return None


def _typed(sig):
    return [p for p in sig.params or () if p.type != "any"]


def _refused(declared: str):
    return [(kind, sample) for kind, samples in SAMPLES.items() if not accepts(declared, kind) for sample in samples]


FILTER_PARAMS = [(name, p.name) for name, sig in sorted(FILTERS.items()) for p in _typed(sig)]
FUNCTION_PARAMS = [(name, p.name) for name, sig in sorted(FUNCTIONS.items()) if name not in ALWAYS_FAIL
                   for p in _typed(sig) if (name, p.name) not in NOT_RUN]
TYPED_INPUTS = sorted(name for name, sig in FILTERS.items() if sig.input != "any")


def _declared(table, name, param) -> str:
    return next(p.type for p in table[name].params if p.name == param)


def test_not_run_functions_are_those_flowc_cannot_render():
    for name, _ in NOT_RUN:
        assert FUNCTIONS[name].fn.__module__ == "runtime.pebble.newer"
    typed = {(name, p.name) for name, sig in FUNCTIONS.items() if sig.fn.__module__ == "runtime.pebble.newer"
             for p in _typed(sig)}
    assert typed == NOT_RUN, "a function flowc does not run declares a typed parameter: check it against Kestra's source"


@pytest.mark.parametrize("name,param", FILTER_PARAMS, ids=lambda x: x)
def test_filter_refuses_undeclared_argument_kinds(name, param):
    value, args = PARAMETER_CALLS.get((name, param)) or FILTER_CALLS[name]
    assert param in args, f"the call of `{name}` does not exercise `{param}`"
    assert _error(_filter(name, value, args)) is None
    for kind, sample in _refused(_declared(FILTERS, name, param)):
        template = _filter(name, value, {**args, param: sample})
        assert _error(template) is not None, f"{template} renders: `{param}` takes a {kind}"


@pytest.mark.parametrize("name", TYPED_INPUTS)
def test_filter_refuses_undeclared_input_kinds(name):
    value, args = FILTER_CALLS.get(name) or (INPUTS[name], {})
    assert _error(_filter(name, value, args)) is None
    for kind, sample in _refused(FILTERS[name].input):
        template = _filter(name, sample, args)
        assert _error(template) is not None, f"{template} renders: `{name}` takes a {kind}"


@pytest.mark.parametrize("name,param", FUNCTION_PARAMS, ids=lambda x: x)
def test_function_refuses_undeclared_argument_kinds(name, param, services):
    args = {**FUNCTION_CALLS[name], **FUNCTION_PARAMETER_CALLS.get((name, param), {})}
    assert param in args, f"the call of `{name}` does not exercise `{param}`"
    assert _error(_function(name, args), services) is None
    for kind, sample in _refused(_declared(FUNCTIONS, name, param)):
        template = _function(name, {**args, param: sample})
        assert _error(template, services) is not None, f"{template} renders: `{param}` takes a {kind}"


def test_accepts():
    assert accepts("integer", "number") and accepts("number", "number")
    assert not accepts("integer", "string") and not accepts("string|null", "number")
    assert accepts("list|map", "map") and not accepts("list|map", "boolean")
    assert all(accepts("any", kind) for kind in LITERAL_KINDS)


# ---------------------------------------------------------------------------- the checker (T105)

FLOW = """id: kinds
namespace: company.team
inputs:
  - id: text
    type: STRING
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: {message}
"""


def _t105(template: str):
    result = check_text(FLOW.format(message=template.replace("'", "''").join("''")))
    return [(d.message, d.help) for d in result.diagnostics if d.code == "T105"]


@pytest.mark.parametrize("template,message,help", [
    ("{{ inputs.text | replace('.', '_') }}", "argument `replace_pairs` of filter `replace` must be a map, got a string",
     "write `replace({'.': '_'})`"),
    ("{{ inputs.text | replace({'a': 'b'}, regexp='true') }}", "argument `regexp` of filter `replace` must be a boolean, got a string",
     "write `true` without quotes"),
    ("{{ inputs.text | abbreviate(length='10') }}", "argument `length` of filter `abbreviate` must be a number, got a string",
     "write the number without quotes"),
    ("{{ inputs.text | indent([2]) }}", "argument `amount` of filter `indent` must be a number, got a list", None),
    ("{{ range('a', true) }}", "argument `end` of function `range` must be a number or a string, got a boolean", None),
    ("{{ inputs.text | date(-1) }}", "argument `format` of filter `date` must be a string, got a number", None),
    ("{{ 12 | number }}", "filter `number` cannot be applied to a number: it takes a string",
     "the value is already a number: drop `| number`"),
    ("{{ {'a': 1} | first }}", "filter `first` cannot be applied to a map: it takes a string or a list", None),
    ('{{ "a#{inputs.text}" | keys }}', "filter `keys` cannot be applied to a string: it takes a map or a list", None),
])
def test_reports_the_literal_and_how_to_fix_it(template, message, help):
    assert _t105(template) == [(message, help)]


def test_one_report_per_call():
    # the second argument's error follows from the first: `replace` takes the pairs as one map
    assert len(_t105("{{ inputs.text | replace('a', 'b') }}")) == 1


@pytest.mark.parametrize("template", [
    "{{ inputs.text | replace(inputs.text) }}",  # computed values are not checked
    "{{ inputs.text | slice(1.5) }}",  # numbers are not told apart (Long or Double)
    "{{ null | keys }} {{ fromJson(null) }} {{ inputs.text | abbreviate(null) }}",  # null is not checked
    "{{ inputs.text | startsWith(1) }} {{ fileURI(1) }} {{ nanoId('5') }}",  # declared `any`: taken as they are
    "{{ -5 | abs }} {{ inputs.text | dateAdd(-1, 'DAYS') }} {{ '12' | number('INT') }}",
])
def test_kinds_the_implementation_takes_are_not_reported(template):
    assert _t105(template) == []
