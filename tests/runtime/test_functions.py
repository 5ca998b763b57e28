"""Functions of pebble.md §4.3, called through the registry (conformance section "4.3 Functions")."""
import math
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import yaml as pyyaml

from runtime.pebble.context import RenderContext
from runtime.pebble.errors import LimitError, RenderError
from runtime.pebble.printing import output
from runtime.pebble.signatures import FUNCTIONS, bind, load_all
from runtime.pebble.values import Instant, Int32, JArray, JavaHashMap, JChar, class_name

load_all()


def call(name, *args, ctx=None, **kwargs):
    """Call a function as the engine does: Pebble's argument binding, then the function."""
    sig = FUNCTIONS[name]
    positional, named = bind(sig, args, kwargs)
    if sig.context:
        return sig.fn(ctx if ctx is not None else context(), *positional, **named)
    return sig.fn(*positional, **named)


def fails(name, *args, **kwargs):
    with pytest.raises(RenderError):
        call(name, *args, **kwargs)


def variables():
    """The part of the conformance context these functions read (context.py, Java types)."""
    return {
        "s": "string",
        "i": Int32(1),
        "i2": Int32(7),
        "n": None,
        "dur": timedelta(minutes=5, seconds=6),
        "first": "1",
        "second": "{{first}}",
        "third": "{{second}}",
        "jsonStr": '{"a":[1,2,{"b":null}],"c":1.50,"d":12345678901}',
        "flow": {"id": "myflow", "namespace": "company.team", "revision": Int32(3)},
        "taskrun": {"id": "tr1", "value": "v2", "attemptsCount": Int32(0)},
        "parents": [{"taskrun": {"value": "v1"}}],
        "eachOut": {"v1": {"v2": {"value": "deep"}}},
    }


def fake_render(template, variables, recursive):
    """A stand-in for the engine: `{{ name }}` only; recursive rendering until stable."""
    def once(text):
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: output(variables[m.group(1)]), text)

    result = once(template)
    while recursive and result != template:
        template, result = result, once(result)
    return result


def context(**changes):
    ctx = RenderContext(variables(), render=fake_render)
    for key, value in changes.items():
        setattr(ctx, key, value)
    return ctx


# --------------------------------------------------------------------------- max, min


def test_max_min():
    assert call("min", 20, 80, 3) == 3
    assert call("max", 20, 80, 3) == 80
    assert call("max") is None
    assert call("max", None, 1) == 1
    assert call("max", 1, None) == 1
    assert call("max", 5, 2) == 5  # conformance `max(true ? 5 : 1, 2)`
    assert call("max", Int32(1), 1.5) == 1.5
    winner = call("min", Int32(2), 3)
    assert winner == 2 and isinstance(winner, Int32)  # the argument itself, type unchanged
    assert call("max", "a") == "a"
    fails("max", "a", "b")
    fails("min", 1, "b")


def test_max_ignores_named_arguments():
    assert FUNCTIONS["max"].params is None
    assert bind(FUNCTIONS["max"], (1, 2), {"x": 9}) == ((1, 2), {})


# --------------------------------------------------------------------------- range


def test_range_numbers():
    assert call("range", 1, 3) == [1, 2, 3]
    assert call("range", 3, 0, -1) == [3, 2, 1, 0]
    assert call("range", 1.5, 3) == [1, 2, 3]
    assert call("range", 1, 2, increment=1) == [1, 2]
    assert call("range", 1, 10, 4) == [1, 5, 9]
    assert call("range", 10, 1, -4) == [10, 6, 2]
    assert call("range", 3, 1) == []
    assert call("range", Int32(1), Int32(2), None) == [1, 2]
    assert all(class_name(v) == "java.lang.Long" for v in call("range", Int32(1), Int32(3)))
    assert output(call("range", 1, 3)) == "[1,2,3]"


def test_range_characters():
    chars = call("range", "a", "e", 2)
    assert chars == [JChar("a"), JChar("c"), JChar("e")]
    assert output(chars) == '["a","c","e"]'
    assert call("range", "c", "a", -1) == [JChar("c"), JChar("b"), JChar("a")]
    fails("range", "ab", "c")
    fails("range", JChar("a"), JChar("c"))  # Characters are not Strings
    fails("range", "a", 3)


def test_range_errors_and_limits():
    fails("range", 1, 3, 0)
    fails("range", 1, 3, 0.5)  # longValue() of the increment is 0
    fails("range", 1, 3, "1")
    fails("range", None, 3)
    with pytest.raises(LimitError):
        call("range", 0, 10**12)
    with pytest.raises(LimitError):
        call("range", 2**63 - 2, 2**63 - 1)  # Java's counter would overflow and never stop
    assert len(call("range", 1, 1_000_000)) == 1_000_000


# --------------------------------------------------------------------------- fromJson


def test_from_json_conformance():
    text = '{"test1": [{"test1": 666}, 2, 3], "test2": 2, "test3": 3}'
    assert call("fromJson", text)["test1"][0]["test1"] == 666
    assert output(call("fromJson", '{"empty_object":{}}')) == '{"empty_object":{}}'
    assert call("fromJson", None) is None
    fails("fromJson", "{not: json}")
    assert call("json", '{"test1": 1, "test2": 2, "test3": 3}')["test1"] == 1
    parsed = call("fromJson", variables()["jsonStr"])
    assert output(parsed) == '{"a":[1,2,{}],"c":1.5,"d":12345678901}'
    assert class_name(parsed["c"]) == "java.lang.Double"
    assert class_name(parsed["d"]) == "java.lang.Long"
    assert class_name(parsed["a"][0]) == "java.lang.Integer"
    assert output(call("fromJson", "1.5")) == "1.5"
    assert output(call("fromJson", '"s"')) == "s"
    assert output(call("fromJson", json="[1]")) == "[1]"
    fails("fromJson", Int32(1))
    fails("fromJson", 1)
    assert output(call("fromJson", '{"b":1,"a":2}')) == '{"b":1,"a":2}'


def test_from_json_java_types():
    assert class_name(call("fromJson", "2147483647")) == "java.lang.Integer"
    assert class_name(call("fromJson", "2147483648")) == "java.lang.Long"
    assert class_name(call("fromJson", "-2147483649")) == "java.lang.Long"
    assert class_name(call("fromJson", "92233720368547758070")) == "java.math.BigInteger"
    assert class_name(call("fromJson", "1e2")) == "java.lang.Double"
    assert class_name(call("fromJson", "[]")) == "java.util.ArrayList"
    assert class_name(call("fromJson", "{}")) == "java.util.LinkedHashMap"
    assert call("fromJson", '{"a":1,"a":2}') == {"a": 2}
    assert call("fromJson", '"\\ud83d\\ude00"') == "\U0001F600"


def test_from_json_reads_one_value_like_jackson():
    assert call("fromJson", "  [1] trailing") == [1]
    assert call("fromJson", '{"a":1} {') == {"a": 1}
    assert call("fromJson", "1 2") == 1
    assert call("fromJson", "true ") is True
    for bad in ("", "   ", "NaN", "-Infinity", "[NaN]", "01", "1x", "1.", "truex", "[1,]", "{'a':1}", '"a\nb"'):
        fails("fromJson", bad)
    fails("fromJson", "[" * 100_000)


def test_json_is_an_alias():
    assert [p.name for p in FUNCTIONS["json"].params] == ["json"]
    assert call("json", None) is None


# --------------------------------------------------------------------------- yaml


def test_yaml_conformance():
    assert class_name(call("yaml", "a: 1.23")["a"]) == "java.lang.Double"
    assert call("yaml", "a: yes")["a"] is True
    assert output(call("yaml", "- 1\n- 2")) == "[1,2]"
    assert output(call("yaml", yaml="x: 1")["x"]) == "1"
    fails("yaml", Int32(1))
    fails("yaml", None)


@pytest.mark.parametrize(
    "text, value",
    [
        ("a: 1", {"a": 1}),
        ("~", None),
        ("null", None),
        ("", RenderError),
        ("# only a comment", RenderError),
        ("---", None),
        ("--- 5", 5),
        ("a: 1\n---\nb: 2", {"a": 1}),
        ("a: 1\n...\ngarbage: [", {"a": 1}),
        ("%YAML 1.1\n---\na: 1", {"a": 1}),
        ("yes", True), ("Off", False), ("TRUE", True), ("y", "y"), ("n", "n"), ("True", True),
        ("0x1F", 31), ("0o17", "0o17"), ("017", 15), ("0b101", 5), ("-0", 0), ("+12", 12), ("1_000", 1000),
        ("08", "08"), ("0_7", 7), ("0x_F", 15), ("x_1", "x_1"), ("_1.5", "_1.5"), ("1E-2", 0.01), ("1_0.5", 10.5), ("1:30", "1:30"), ("1e5", 100000.0), (".5", 0.5), ("1.", 1.0), ("-.inf", -math.inf),
        ("2024-01-02", "2024-01-02"), ("12:30:00", "12:30:00"), ("<<", "<<"),
        ("a: b c  # comment", {"a": "b c"}),
        ("a#b", "a#b"),
        ("url: http://x.y/z", {"url": "http://x.y/z"}),
        ("a:b", "a:b"),
        ("'it''s'", "it's"),
        ('"tab\\there \\u00e9 \\x41 \\\\"', "tab\there é A \\"),
        ('"a\n  b\n\n  c"', "a b\nc"),
        ("'a  \n   b'", "a b"),
        ('"a \\\n  b"', "a b"),
        ("plain\n  continued\n\n  again", "plain continued\nagain"),
        ("key: value\n  more", {"key": "value more"}),
        ("a:\n  b:\n    c: 1\n  d: [1, 2]\ne: x", {"a": {"b": {"c": 1}, "d": [1, 2]}, "e": "x"}),
        ("a:\n- 1\n- 2\nb: 3", {"a": [1, 2], "b": 3}),
        ("- a: 1\n  b: 2\n- c", [{"a": 1, "b": 2}, "c"]),
        ("- - 1\n  - 2\n- 3", [[1, 2], 3]),
        ("-\n  a: 1\n-\n- x", [{"a": 1}, None, "x"]),
        ("a:\nb:", {"a": None, "b": None}),
        ("a: 1\na: 2", {"a": 2}),
        ("1: one\ntrue: t\n~: n", {"1": "one", "true": "t", "~": "n"}),
        ('"quoted key": 1\n\'single\': 2', {"quoted key": 1, "single": 2}),
        ("[1, 'two', \"three\", [4], {five: 5}, ]", [1, "two", "three", [4], {"five": 5}]),
        ("{a: 1, b, c: , d: [x, y]}", {"a": 1, "b": None, "c": None, "d": ["x", "y"]}),
        ("[a: 1, b]", [{"a": 1}, "b"]),
        ("[a:b, http://x]", ["a:b", "http://x"]),
        ("{a: [1,\n  2], # note\n b: 3}", {"a": [1, 2], "b": 3}),
        ("[one\n two, three]", ["one two", "three"]),
        ("a: |\n  line1\n   line2\n\n  line3\n", {"a": "line1\n line2\n\nline3\n"}),
        ("a: |-\n  x\n\n", {"a": "x"}),
        ("a: |+\n  x\n\n", {"a": "x\n\n"}),
        ("a: |\n  x", {"a": "x"}),
        ("a: >\n  folded\n  text\n\n  para\n    indented\n  end\n", {"a": "folded text\npara\n  indented\nend\n"}),
        ("a: |2\n   x\n", {"a": " x\n"}),
        ("- |\n  in a list\n- b", ["in a list\n", "b"]),
        ("a: | # comment\n  x\nb: 1", {"a": "x\n", "b": 1}),
        ("\ufeffa: 1\r\nb: 2\r\n", {"a": 1, "b": 2}),
        ("a:\t1", {"a": 1}),
        ("big: 12345678901", {"big": 12345678901}),
        ("x: 1_", {"x": 1}),
        ("a: 1\n  - b", {"a": "1 - b"}),  # a plain scalar may continue with "- "
        ("- a\n - b", ["a - b"]),
        ("1" * 1025, "1" * 1025),
    ],
)
def test_yaml_subset(text, value):
    if value is RenderError:
        fails("yaml", text)
    elif isinstance(value, float) and math.isinf(value):
        assert call("yaml", text) == value
    else:
        result = call("yaml", text)
        assert result == value and type(result) is type(value) or (isinstance(value, int) and isinstance(result, int))


def test_yaml_number_types():
    parsed = call("yaml", "i: 1\nl: 3000000000\nb: 99999999999999999999\nf: 1.5")
    assert [class_name(v) for v in parsed.values()] == [
        "java.lang.Integer", "java.lang.Long", "java.math.BigInteger", "java.lang.Double"]
    assert math.isnan(call("yaml", ".nan"))


@pytest.mark.parametrize(
    "text",
    [
        "a: &anchor 1\nb: *anchor", "- *alias", "a: !!str 1", "? complex\n: key", "{[a]: b}",
        "a: b: c", "a: 1\n b: 2", "- a\n  b: 1", "a: - b", "a: 1\nfoo", "[1, 2",
        "'unterminated", '"bad \\q escape"', "a:\n\tb: 1", "@reserved", "a: |x\n  y",
        "{a: 1 b: 2}", "[a, , b]", "a: 1\n- b",
    ],
)
def test_yaml_refusals_and_errors(text):
    fails("yaml", text)


DIFFERENTIAL = [
    "name: flow\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: Hi {{ inputs.user }}\n"
    "  - id: two\n    values: [a, b, 'c d']\n    nested:\n      deep: {x: 1, y: [true, no, ~]}\n",
    "- 1\n- -2\n- 3.5\n- 1.0e+3\n- .inf\n- 0x10\n- 010\n- +5\n- '007'\n- \"x\\ty\"\n",
    "script: |\n  echo one\n  echo two\n\n  done\nfolded: >-\n  a\n  b\n\n  c\nkeep: |+\n  k\n\nlast: end\n",
    "a:\n  - b: 1\n    c:\n      - d\n      - e: f\n  - [g, {h: i}]\n",
    "text: this is\n  a long\n\n  plain scalar\nquoted: \"a\n  b\"\n",
]


@pytest.mark.parametrize("text", DIFFERENTIAL)
def test_yaml_agrees_with_pyyaml(text):
    """PyYAML also reads YAML 1.1: on documents without dates or non-string keys the two agree."""
    assert call("yaml", text) == pyyaml.safe_load(text)


# --------------------------------------------------------------------------- fromIon


def test_from_ion_conformance():
    parsed = call("fromIon", '{date:2024-04-21T23:00:00.000Z, title:"Main_Page",views:109787}')
    assert parsed["title"] == "Main_Page"
    assert parsed["date"] == Instant(2024, 4, 21, 23, 0, tzinfo=timezone.utc)
    assert isinstance(parsed["date"], Instant) and output(parsed["date"]) == "2024-04-21T23:00:00Z"
    assert class_name(parsed["views"]) == "java.lang.Integer"
    assert call("fromIon", None) is None
    fails("fromIon", 1)


@pytest.mark.parametrize(
    "text, value",
    [
        ("", None),
        ("// nothing", None),
        ("null", None), ("null.string", None), ("true", True), ("false", False),
        ("42", 42), ("-0", 0), ("1_000", 1000), ("0x1F", 31), ("-0b101", -5), ("12345678901", 12345678901),
        ("1.50", Decimal("1.50")), ("1.", Decimal("1")), ("1d3", Decimal("1E+3")), ("-0.0", Decimal("0.0")),
        ("1.5e0", 1.5), ("+inf", math.inf), ("-inf", -math.inf),
        ('"a\\tb\\u00e9"', "a\tbé"), ("'sym bol'", "sym bol"), ("symbol", "symbol"),
        ("'''long ''' /* c */ '''string'''", "long string"),
        ("[1, two, \"three\", [], {},]", [1, "two", "three", [], {}]),
        ("{a: 1, 'b c': 2, \"d\": {e: [null]}, a: 3}", {"a": 3, "b c": 2, "d": {"e": [None]}}),
        ("$ion_1_0 {a:1}", {"a": 1}),
        ("1 2 3", 1),
        ("{a:1} (ignored", {"a": 1}),
        ("2024-04-21", date(2024, 4, 21)),
        ("2024T", date(2024, 1, 1)),
        ("2024-04T", date(2024, 4, 1)),
        ("2024-04-21T", date(2024, 4, 21)),
        ("2024-04-21T00:00Z", date(2024, 4, 21)),
        ("2024-04-21T00:00:00.000-00:00", date(2024, 4, 21)),
        ("2024-04-21T10:20:30.123456789Z", Instant(2024, 4, 21, 10, 20, 30, 123456, tzinfo=timezone.utc)),
        ("2024-04-21T10:20+00:00", Instant(2024, 4, 21, 10, 20, tzinfo=timezone.utc)),
        ("LocalDate::\"2024-01-02\"", date(2024, 1, 2)),
        ("LocalDateTime::\"2024-01-02T03:04:05\"", datetime(2024, 1, 2, 3, 4, 5)),
        ("Instant::\"2024-01-02T03:04:05.5Z\"", Instant(2024, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc)),
    ],
)
def test_from_ion_values(text, value):
    result = call("fromIon", text)
    assert result == value
    assert type(result) is type(value) or (type(value) is int and isinstance(result, int))


def test_from_ion_types():
    parsed = call("fromIon", "[2147483648, 99999999999999999999, 1.5, 1.5e0, 2013-09-08T16:19:00+02:00]")
    assert [class_name(v) for v in parsed] == [
        "java.lang.Long", "java.math.BigInteger", "java.math.BigDecimal", "java.lang.Double", "java.time.ZonedDateTime"]
    assert output(parsed[4]) == "2013-09-08T16:19+02:00"
    zoned = call("fromIon", 'ZonedDateTime::"2013-09-08T16:19:12+02:00[Europe/Paris]"')
    assert output(zoned) == "2013-09-08T16:19:12+02:00[Europe/Paris]"


@pytest.mark.parametrize(
    "text",
    ["(a b)", "{{ aGVsbG8= }}", "foo::bar", "{a 1}", "[1 2]", "+1", "1x", '"unterminated', "2024-13-01",
     "{a:1", "/* open", '"bad \\q"', "Instant::\"2024-01-02T03:04:05\"", "2024-04-21T10:20"],
)
def test_from_ion_errors(text):
    fails("fromIon", text)


# --------------------------------------------------------------------------- currentEachOutput, printContext


def test_current_each_output():
    ctx = context()
    assert call("currentEachOutput", ctx.variables["eachOut"], ctx=ctx) == {"value": "deep"}
    ctx = context()
    ctx.variables["parents"] = [{"taskrun": {"value": "inner"}}, {"outputs": {}}, {"taskrun": {"value": "outer"}}]
    ctx.variables["taskrun"] = {"value": "leaf"}
    outputs = {"outer": {"inner": {"leaf": 42}}}
    assert call("currentEachOutput", outputs, ctx=ctx) == 42
    assert ctx.variables["parents"][0] == {"taskrun": {"value": "outer"}}  # reversed in place, as in Kestra
    ctx = context()
    ctx.variables["parents"] = []
    assert call("currentEachOutput", {"v2": "x"}, ctx=ctx) == "x"
    assert call("currentEachOutput", {"zz": "x"}, ctx=ctx) is None


def test_current_each_output_errors():
    fails("currentEachOutput", "not a map")
    fails("currentEachOutput", None)
    fails("currentEachOutput", {"other": {}})  # no outputs for the parent's value
    ctx = context()
    ctx.variables["parents"] = ["not a map"]
    with pytest.raises(RenderError):
        call("currentEachOutput", {"v1": {"v2": 1}}, ctx=ctx)
    ctx = context()
    del ctx.variables["taskrun"]
    with pytest.raises(RenderError):
        call("currentEachOutput", {"v1": {"v2": 1}}, ctx=ctx)


def test_print_context():
    printed = call("printContext")
    assert printed["s"] == "string"
    assert isinstance(printed, JavaHashMap) and set(printed) == set(variables())
    ctx = context()
    ctx.variables["zz"] = 5  # a `set` variable, which the engine shows to functions
    assert call("fetchContext", ctx=ctx)["zz"] == 5
    small = call("printContext", ctx=RenderContext({"zeta": 1, "alpha": 2, "mid": 3}))
    assert list(small) == ["zeta", "alpha", "mid"]  # order of a HashMap of capacity 16
    assert "_context" not in call("printContext", ctx=RenderContext({"_context": 1, "a": 2}))


# --------------------------------------------------------------------------- render


def test_render_conformance():
    assert call("render", "{{second}}".replace("second", "third")) == "1"
    third = variables()["third"]
    assert call("render", third) == "1"
    assert call("render", third, recursive=False) == "{{first}}"
    assert call("renderOnce", third) == "{{first}}"
    assert call("render", variables()["second"]) == "1"
    assert call("render", "{{ s }}-{{ i }}") == "string-1"
    assert output(call("render", Int32(1))) == "1"
    assert output(call("render", variables()["dur"])) == "PT5M6S"
    assert output(call("render", JavaHashMap.of([("k", "{{ s }}")]))) == '{"k":"string"}'
    assert output(call("render", ["{{ s }}", Int32(1)])) == '["string",1]'


def test_render_values():
    assert call("render", None) is None
    assert call("render", "no braces", ctx=RenderContext({})) == "no braces"  # not even rendered
    assert call("render", {"{{ s }}": "{{ i }}", "string": "dup"}) == {"string": "1"}  # first key wins
    assert call("render", {"{{ s }}"}) == {"string"}
    array = JArray(["{{ s }}"])
    assert call("render", array) is array  # a Java array is not a collection
    assert call("render", "{{ s }}", None) == "string"
    fails("render", "{{ s }}", "yes")


def test_render_limits():
    fails("render", "{{ s }}", ctx=RenderContext({"s": "x"}))  # no renderer available
    with pytest.raises(LimitError):
        call("render", "{{ s }}", ctx=context(depth=10))
    seen = []

    def nested(template, variables, recursive):
        seen.append(ctx.depth)
        return "ok"

    ctx = context(render=nested)
    assert call("render", "{{ s }}", ctx=ctx) == "ok" and seen == [1] and ctx.depth == 0

    def undefined(template, variables, recursive):
        from runtime.pebble.errors import UndefinedError
        raise UndefinedError("missing")

    with pytest.raises(RenderError) as error:
        call("render", "{{ missing }}", ctx=context(render=undefined))
    assert type(error.value) is RenderError  # not catchable by `??`/`default`


# --------------------------------------------------------------------------- execution services


class Services:
    def secret(self, key):
        if key != "PASSWORD":
            raise RenderError(f"Cannot find secret for key '{key}'.")
        return "s3cr3t"

    def kv(self, key, namespace, error_on_missing):
        return {"key": key, "namespace": namespace, "error": error_on_missing}

    def read(self, path):
        return f"content of {path}"

    def file_size(self, path):
        return Int32(24)

    def error_logs(self):
        raise OSError("repository unavailable")


def test_services_need_an_execution():
    for name, args in [("secret", ("K",)), ("kv", ("k",)), ("read", ("f.txt",)),
                       ("fileSize", ("kestra:///a/b",)), ("errorLogs", ())]:
        with pytest.raises(RenderError, match="needs a Kestra execution"):
            call(name, *args)


def test_services_delegate():
    ctx = context(services=Services())
    assert call("secret", "PASSWORD", ctx=ctx) == "s3cr3t"
    with pytest.raises(RenderError, match="Cannot find secret"):
        call("secret", "OTHER", ctx=ctx)
    assert call("kv", "k", ctx=ctx) == {"key": "k", "namespace": None, "error": False}
    assert call("kv", "k", "other.ns", True, ctx=ctx) == {"key": "k", "namespace": "other.ns", "error": True}
    assert call("read", "file.txt", ctx=ctx) == "content of file.txt"
    size = call("fileSize", "kestra:///a/b.txt", ctx=ctx)
    assert size == 24 and class_name(size) == "java.lang.Long"
    with pytest.raises(RenderError, match="repository unavailable"):
        call("errorLogs", ctx=ctx)
    for name, args in [("secret", (None,)), ("kv", (None,)), ("kv", ("k", 1)), ("kv", ("k", None, "yes")),
                       ("read", (None,)), ("read", (1,)), ("fileSize", ("relative.txt",))]:
        with pytest.raises(RenderError):
            call(name, *args, ctx=ctx)


def test_file_uri():
    assert call("fileURI", "test", ctx=RenderContext({"flow": {"namespace": "my.namespace"}})) == \
        "kestra:///my/namespace/_files/test"
    assert call("fileURI", "/dir/f.txt") == "kestra:///company/team/_files/dir/f.txt"
    fails("fileURI", "../test")
    fails("fileURI", None)
    with pytest.raises(RenderError):
        call("fileURI", "x", ctx=RenderContext({}))


# --------------------------------------------------------------------------- encryption, random, i18n


def test_encrypt_decrypt():
    assert call("encrypt", "I6EGNzRESu3X3pKZidrqCGOHQFUFC0yK", "") == ""
    assert call("decrypt", "I6EGNzRESu3X3pKZidrqCGOHQFUFC0yK", "") == ""
    assert call("encrypt", "key", None) is None
    with pytest.raises(RenderError, match="not supported"):
        call("encrypt", "I6EGNzRESu3X3pKZidrqCGOHQFUFC0yK", "secret")
    fails("decrypt", "I6EGNzRESu3X3pKZidrqCGOHQFUFC0yK", "AAAA")
    fails("encrypt", 1, "")


def test_uuid_and_id():
    value = call("uuid")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)
    ids = {call("id") for _ in range(50)}
    assert len(ids) == 50 and all(re.fullmatch(r"[0-9A-Za-z]{22}", i) for i in ids)


def test_random_int():
    fails("randomInt", 1, 10)  # literals are Longs
    value = call("randomInt", Int32(1), Int32(7))
    assert isinstance(value, Int32) and class_name(value) == "java.lang.Integer" and 1 <= value < 7
    assert call("randomInt", lower=Int32(1), upper=Int32(7)) >= 1
    assert call("randomInt", Int32(3), Int32(3)) == 3
    fails("randomInt", Int32(7), Int32(1))
    fails("randomInt")
    fails("randomInt", Int32(1))


def test_i18n_always_fails():
    with pytest.raises(RenderError, match="Can't find bundle for base name x"):
        call("i18n", "x", "y")


def test_not_functions():
    # `date` and `upper` are filters only: calling them as functions fails in the engine
    assert "date" not in FUNCTIONS and "upper" not in FUNCTIONS


def test_every_function_is_documented():
    for name, sig in FUNCTIONS.items():
        assert sig.doc, name
