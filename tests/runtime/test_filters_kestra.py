"""Kestra filters (pebble.md §4.2, without the date filters) and the later `distinct` and
`string` (§7), called directly through the registry.

Inputs are typed as the conformance context types them (shared/conformance/context.py):
template integer literals are Long (int), decimals Double (float), map literals HashMaps;
`i` is an Integer, `f` a Float, `list` holds [String, Integer, Float], `arr` is a String[].
"""
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from runtime.pebble.errors import RenderError
from runtime.pebble.printing import output
from runtime.pebble.signatures import FILTERS, bind, load_all
from runtime.pebble.values import Float32, Instant, Int32, JArray, JavaHashMap, JChar, MapEntry, class_name

load_all()


def f(name, value, *args, **kwargs):
    sig = FILTERS[name]
    args, kwargs = bind(sig, args, kwargs)
    return sig.fn(value, *args, **kwargs)


def render(name, value, *args, **kwargs):
    return output(f(name, value, *args, **kwargs))


def hashmap(*pairs):
    return JavaHashMap.of(list(pairs))


I, F = Int32(1), Float32(1.123)
S = "string"
LIST = lambda: ["string", I, F]  # noqa: E731
NESTED = lambda: [[I, Int32(2)], Int32(3), [Int32(4)]]  # noqa: E731
MAP = lambda: {"a": I, "b": "x", "c": None}  # noqa: E731
OMAP = lambda: {"zeta": I, "alpha": Int32(2), "mid": Int32(3)}  # noqa: E731
ZDT = datetime(2013, 9, 8, 16, 19, 0, tzinfo=timezone(timedelta(hours=2)))
ZDT_PARIS = datetime(2013, 9, 8, 16, 19, 12, 123456, tzinfo=ZoneInfo("Europe/Paris"))
INSTANT = Instant(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
DUR = timedelta(minutes=5, seconds=6)

# --------------------------------------------------------------------------- conformance cases of §4.2

CASES = [
    # (filter, input, args, kwargs, printed output)
    ("chunk", [1, 2, 3, 4, 5, 6, 7, 8, 9], (2,), {}, "[[1,2],[3,4],[5,6],[7,8],[9]]"),
    ("chunk", [], (2,), {}, "[]"),
    ("chunk", None, (2,), {}, ""),
    ("className", "x", (), {}, "java.lang.String"),
    ("className", 1, (), {}, "java.lang.Long"),
    ("className", 1.5, (), {}, "java.lang.Double"),
    ("className", I, (), {}, "java.lang.Integer"),
    ("className", F, (), {}, "java.lang.Float"),
    ("className", None, (), {}, ""),
    ("className", ZDT, (), {}, "java.time.ZonedDateTime"),
    ("escapeChar", "L'eau c'est la vie", ("single",), {}, "L\\'eau c\\'est la vie"),
    ("escapeChar", '"Hello"', ("double",), {}, '\\"Hello\\"'),
    ("escapeChar", "", ("shell",), {}, ""),
    ("escapeChar", "it's", ("SHELL",), {}, "it'\\''s"),
    ("escapeChar", ["a'b", 1], ("single",), {}, '["a\\\\\'b","1"]'),
    ("flatten", NESTED(), (), {}, "[1,2,3,4]"),
    ("indent", None, (2,), {}, ""),
    ("indent", "", (2,), {}, ""),
    ("indent", "\n\n", (2,), {}, "\n  \n  "),
    ("indent", "string", (2,), {}, "string"),
    ("indent", 1, (2,), {}, "1"),
    ("indent", "first line\r\nsecond line", (2,), {}, "first line\r\n  second line"),
    ("indent", "first line\rsecond line", (2,), {}, "first line\r  second line"),
    ("indent", "first line\nsecond line", (2, "\t"), {}, "first line\n\t\tsecond line"),
    ("nindent", "\n\n", (2,), {}, "\n  \n  \n  "),
    ("nindent", "string", (2,), {}, "\n  string"),
    ("nindent", "first line\r\nsecond line", (2,), {}, "\r\n  first line\r\n  second line"),
    ("nindent", "first line\nsecond line", (2, "\t"), {}, "\n\t\tfirst line\n\t\tsecond line"),
    ("indent", "a\nb", (), {"amount": 1, "prefix": ">"}, "a\n>b"),
    ("indent", [1, 2], (2,), {}, "[1, 2]"),
    ("keys", hashmap(("foo", "bar"), ("baz", "qux")), (), {}, '["baz","foo"]'),
    ("keys", OMAP(), (), {}, '["zeta","alpha","mid"]'),
    ("keys", [], (), {}, "[]"),
    ("values", OMAP(), (), {}, "[1,2,3]"),
    ("values", hashmap(("foo", "bar"), ("baz", "qux")), (), {}, '["qux","bar"]'),
    ("md5", "hello", (), {}, "5d41402abc4b2a76b9719d911017c592"),
    ("sha1", "hello", (), {}, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
    (
        "sha512",
        "hello",
        (),
        {},
        "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
    ),
    ("md5", "", (), {}, "d41d8cd98f00b204e9800998ecf8427e"),
    ("number", "12.3", (), {}, "12.3"),
    ("number", "1e3", (), {}, "1000.0"),
    ("number", "12", ("DOUBLE",), {}, "12.0"),
    ("number", "12", ("FLOAT",), {}, "12.0"),
    ("number", "12.5", ("BIGDECIMAL",), {}, "12.5"),
    ("number", "12.30", (), {}, "12.3"),
    ("number", "12", ("int",), {}, "12"),
    ("slugify", "Test\t\t\ntest*", (), {}, "test-test"),
    ("slugify", "Hello World!", (), {}, "hello-world"),
    ("slugify", "  Élève_à-l école  ", (), {}, "eleve-a-l-ecole"),
    ("slugify", "a--b__c", (), {}, "a-b-c"),
    ("slugify", 12, (), {}, "12"),
    ("substringBeforeLast", "a.b.c", (), {"separator": "."}, "a.b"),
    ("substringAfterLast", "a.b.c", (".",), {}, "c"),
    ("substringBefore", "abc", ("x",), {}, "abc"),
    ("substringAfter", "abc", ("x",), {}, ""),
    ("substringBeforeLast", "abc", ("x",), {}, "abc"),
    ("substringAfterLast", "abc", ("x",), {}, ""),
    ("substringBefore", "abc", ("",), {}, ""),
    ("substringAfter", "abc", ("",), {}, "abc"),
    ("substringBeforeLast", "abc", ("",), {}, "abc"),
    ("substringAfterLast", "abc", ("",), {}, ""),
    ("substringBefore", 12.5, (".",), {}, "12"),
    ("toJson", S, (), {}, '"string"'),
    ("toJson", I, (), {}, "1"),
    ("toJson", F, (), {}, "1.123"),
    ("toJson", LIST(), (), {}, '["string",1,1.123]'),
    ("toJson", True, (), {}, "true"),
    ("toJson", hashmap(("empty_object", JavaHashMap())), (), {}, '{"empty_object":{}}'),
    ("toJson", None, (), {}, "null"),
    ("json", S, (), {}, '"string"'),
    ("toJson", ZDT, (), {}, '"2013-09-08T14:19:00Z"'),
    ("toJson", INSTANT, (), {}, '"2024-01-02T03:04:05.123456Z"'),
    ("toJson", "line1\nline2", (), {}, '"line1\\nline2"'),
    ("toJson", hashmap(("a", None)), (), {}, "{}"),
    ("toJson", [None], (), {}, "[null]"),
    ("toJson", DUR, (), {}, "306.000000000"),
    ("urldecode", "The+string+%C3%BC%40foo-bar", (), {}, "The string ü@foo-bar"),
    ("yaml", S, (), {}, "string\n"),
    ("yaml", I, (), {}, "1\n"),
    ("yaml", F, (), {}, "1.123\n"),
    ("yaml", LIST(), (), {}, " - string\n - 1\n - 1.123\n"),
    ("yaml", True, (), {}, "true\n"),
    ("yaml", ZDT, (), {}, "2013-09-08T16:19:00+02:00\n"),
    ("yaml", hashmap(("a", 1), ("b", [1, 2]), ("c", hashmap(("d", "e")))), (), {},
     "a: 1\nb:\n - 1\n - 2\nc:\n  d: e\n"),
    ("yaml", "a: b", (), {}, '"a: b"\n'),
    ("yaml", None, (), {}, "null"),
    ("yaml", [], (), {}, "[]\n"),
    ("yaml", JavaHashMap(), (), {}, "{}\n"),
    ("yaml", OMAP(), (), {}, "zeta: 1\nalpha: 2\nmid: 3\n"),
]


@pytest.mark.parametrize("name,value,args,kwargs,expected", CASES)
def test_conformance(name, value, args, kwargs, expected):
    assert render(name, value, *args, **kwargs) == expected


ERRORS = [
    # (filter, input, args, kwargs): rendering fails
    ("chunk", 1, (2,), {}),
    ("chunk", [1], (0,), {}),
    ("chunk", [1, 2, 3], (I,), {}),  # an Integer size is a ClassCastException
    ("chunk", [1, 2, 3], (), {}),
    ("startsWith", None, ("a",), {}),
    ("endsWith", "abc", (), {}),
    ("escapeChar", "Hello", ("foo",), {}),
    ("escapeChar", "x", (), {}),
    ("flatten", MAP(), (), {}),
    ("indent", "a", (), {}),
    ("indent", "a\nb", (I,), {}),
    ("keys", "x", (), {}),
    ("values", [1], (), {}),
    ("md5", 1, (), {}),
    ("number", 12, (), {}),
    ("number", "abc", (), {}),
    ("number", "1.5", ("INT",), {}),
    ("urldecode", "a%2", (), {}),
    ("urldecode", 1, (), {}),
]


@pytest.mark.parametrize("name,value,args,kwargs", ERRORS)
def test_conformance_errors(name, value, args, kwargs):
    with pytest.raises(RenderError):
        f(name, value, *args, **kwargs)


@pytest.mark.parametrize(
    "text,args,java",
    [
        ("2147483647", (), "java.lang.Integer"),
        ("9223372036854775807", (), "java.lang.Long"),
        ("9223372036854775807", ("BIGDECIMAL",), "java.math.BigDecimal"),
        ("2147483648", (), "java.lang.Long"),
        ("3.4e39", (), "java.lang.Double"),
        ("12.3", (), "java.lang.Float"),
    ],
)
def test_number_class(text, args, java):
    assert class_name(f("number", text, *args)) == java


def test_flatten_then_first():
    assert f("first", f("flatten", NESTED())) == 1


# --------------------------------------------------------------------------- further behaviour


def test_starts_and_ends_with_use_java_text():
    assert f("startsWith", "Hello World", "Hello") is True
    assert f("endsWith", [1, 2], "2]") is True
    assert f("startsWith", 12, 1) is True


def test_chunk_keeps_elements_and_rejects_arrays():
    assert f("chunk", [1, 2, 3], 5) == ([1, 2, 3],)
    with pytest.raises(RenderError):
        f("chunk", JArray(["1", "2"]), 1)


def test_flatten_one_level_only():
    assert f("flatten", [[1, [2]], 3]) == (1, [2], 3)


def test_distinct():
    assert f("distinct", [1, 1, I, "a", "a", 1.0]) == [1, I, "a", 1.0]
    assert f("distinct", None) == "null"
    with pytest.raises(RenderError):
        f("distinct", "abc")


def test_string():
    assert f("string", 12) == "12"
    assert f("string", F) == "1.123"
    assert f("string", 1e20) == "1.0E20"
    assert f("string", "12.30") == "12.30"
    assert f("string", "1e3") == "1E+3"
    assert f("string", None) is None
    for bad in ("abc", True):
        with pytest.raises(RenderError):
            f("string", bad)


def test_keys_values_of_lists_arrays_and_maps():
    assert f("keys", JArray(["1", "2", "3"])) == (0, 1, 2)
    assert all(type(k) is Int32 for k in f("keys", ["a"]))
    assert render("values", MAP()) == '[1,"x",null]'
    assert f("keys", None) is None
    with pytest.raises(RenderError):
        f("values", MapEntry(("a", 1)))


def test_escape_char_rebuilds_maps_as_hashmaps_and_checks_type_lazily():
    escaped = f("escapeChar", {"zeta": "it's", "alpha": ["a'"]}, "single")
    assert isinstance(escaped, JavaHashMap) and escaped == {"zeta": "it\\'s", "alpha": ["a\\'"]}
    assert f("escapeChar", [], "nonsense") == []
    assert f("escapeChar", 12, "double") == "12"
    with pytest.raises(RenderError):
        f("escapeChar", MAP(), "single")  # a null value cannot be turned into text
    with pytest.raises(RenderError):
        f("escapeChar", "x", 1)


def test_indent_arguments():
    assert f("indent", "a\nb", 0) == "a\nb"
    assert f("nindent", "", 2) == ""
    for args in ((-1,), (2, None), (2, 3), ("2",)):
        with pytest.raises(RenderError):
            f("indent", "a\nb", *args)


def test_hashes_need_a_string():
    assert f("sha1", None) is None
    with pytest.raises(RenderError):
        f("sha512", JChar("a"))


def test_slugify_ignores_date_arguments():
    assert f("slugify", "Ça va?", "iso", "UTC") == "ca-va"
    assert f("slugify", None) is None


def test_substring_arguments():
    assert f("substringAfter", "", "x") == ""
    assert f("substringBefore", None, "x") is None
    for args in ((), (1,), (None,)):
        with pytest.raises(RenderError):
            f("substringBefore", "a.b", *args)


def test_urldecode():
    assert f("urldecode", "a%20b%2Bc+d") == "a b+c d"
    assert f("urldecode", "%E2%82%AC") == "€"
    for bad in ("%zz", "%-1x", "abc%"):
        with pytest.raises(RenderError):
            f("urldecode", bad)


@pytest.mark.parametrize(
    "text,args,expected",
    [
        ("0x1F", (), Int32(31)),
        ("010", (), Int32(8)),  # a leading zero means octal
        ("-0x80000000", (), -(2**31)),  # eight hex digits above 7 ask for a Long
        ("--1", (), 1),  # commons-lang: a BigInteger
        ("0x100000000", (), 2**32),
        ("12L", (), 12),
        ("1.5f", (), Float32(1.5)),
        ("1.5d", (), 1.5),
        ("99999999999999999999", (), 99999999999999999999),
        ("1.123456789", (), 1.123456789),
        ("0.1000000000000000000001", (), Float32(0.1)),  # Float and Double print alike
        ("1.123456789012345678", (), Decimal("1.123456789012345678")),
        ("12", ("LONG",), 12),
        ("1e3", ("BIGDECIMAL",), Decimal("1E+3")),
        ("0x1p3", ("DOUBLE",), 8.0),
        ("17", ("BIGINTEGER",), 17),
        ("-0.00", ("BIGDECIMAL",), Decimal("0.00")),
    ],
)
def test_number_parsing(text, args, expected):
    result = f("number", text, *args)
    assert result == expected and type(result) is type(expected)


def test_number_type_argument():
    assert f("number", None) is None
    for args in ((None,), (12,)):
        with pytest.raises(RenderError):
            f("number", "12", *args)
    for bad in ("", "1.2.3", "12x", "-", "1e", "0xZZ", "1e5e"):
        with pytest.raises(RenderError):
            f("number", bad)


# --------------------------------------------------------------------------- yaml


@pytest.mark.parametrize(
    "value,expected",
    [
        ("", '--- ""\n'),
        ("123", "123\n"),
        ("yes", '"yes"\n'),
        ("~", '"~"\n'),
        (" lead", "' lead'\n"),
        ("it's: x", "\"it's: x\"\n"),
        ("-", "'-'\n"),
        ("a #b", '"a #b"\n'),
        ("tab\there", '"tab\\there"\n'),
        ("a\nb", "|-\n  a\n  b\n"),
        ("a\n", "|\n  a\n"),
        ("Élève", "Élève\n"),
        (JChar("c"), "c\n"),
        (Decimal("1E+3"), "1E+3\n"),
        (2**70, "1180591620717411303424\n"),
        (DUR, "306.000000000\n"),
        (INSTANT, "2024-01-02T03:04:05.123456Z\n"),
        (ZDT_PARIS, "2013-09-08T16:19:12.123456+02:00\n"),
        (datetime(2024, 1, 2, 3, 4), "2024-01-02T03:04:00\n"),
        (date(2024, 1, 2), "2024-01-02\n"),
        (time(23, 59, 59), "23:59:59\n"),
        (MAP(), "a: 1\nb: x\nc: null\n"),
        ([[1, 2], 3], " -\n   - 1\n   - 2\n - 3\n"),
        ([{"a": 1, "b": [2]}], " -\n  a: 1\n  b:\n   - 2\n"),
        ({"k": "x\ny", "1": "yes", "": 1}, 'k: |-\n  x\n  y\n"1": "yes"\n? ""\n: 1\n'),
        ({"a": {}, "b": []}, "a: {}\nb: []\n"),
        (MapEntry(("k", 1)), "k: 1\n"),
    ],
)
def test_yaml(value, expected):
    assert f("yaml", value) == expected


def test_yaml_then_indent():
    rendered = f("yaml", hashmap(("a", 1), ("b", [1, 2])))
    assert f("indent", rendered, 4) == "a: 1\n    b:\n     - 1\n     - 2\n    "


def test_yaml_null_key_fails():
    with pytest.raises(RenderError):
        f("yaml", {None: 1})


# --------------------------------------------------------------------------- toIon


@pytest.mark.parametrize(
    "value,expected",
    [
        (S, '"string"'),
        (I, "1"),
        (F, "1.1230000257492065e0"),
        (LIST(), '["string",1,1.1230000257492065e0]'),
        (True, "true"),
        (ZDT, 'ZonedDateTime::"2013-09-08T16:19:00+02:00"'),
        (ZDT_PARIS, 'ZonedDateTime::"2013-09-08T16:19:12.123456+02:00[Europe/Paris]"'),
        (hashmap(("empty_object", JavaHashMap())), "{empty_object:{}}"),
        (None, "null"),
        (MAP(), '{a:1,b:"x",c:null}'),
        ({"my-key": 1, "null": 2, "$1": 3}, "{'my-key':1,'null':2,'$1':3}"),
        (1.0, "1e0"),
        (1e20, "1.0E20"),
        (0.0, "0e0"),
        (Decimal("1.10"), "1.10"),
        (Decimal("12"), "12."),
        (Decimal("1E+3"), "1d3"),
        (Decimal("0.05"), "0.05"),
        (DUR, "306.000000000"),
        (INSTANT, "2024-01-02T03:04:05.123Z"),
        (date(2024, 1, 2), "2024-01-02"),
        (datetime(2024, 1, 2, 3, 4, 5), 'LocalDateTime::"2024-01-02T03:04:05"'),
        (time(23, 59, 59), 'LocalTime::"23:59:59"'),
        ("a\"b\\c\n\x01é\x85", '"a\\"b\\\\c\\n\\x01é\\x85"'),
    ],
)
def test_to_ion(value, expected):
    assert f("toIon", value) == expected


# --------------------------------------------------------------------------- jq

JSON = '{"a":[1,2,{"b":null}],"c":1.50,"d":12345678901,"s":"x y","o":{"k":1,"j":"v"}}'


def jq(value, expression):
    return f("jq", value, expression)


@pytest.mark.parametrize(
    "expression,expected",
    [
        (".", [{"a": [1, 2, {"b": None}], "c": 1.5, "d": 12345678901, "s": "x y", "o": {"k": 1, "j": "v"}}]),
        (".a[0]", [1]),
        (".a[]", [1, 2, {"b": None}]),
        ('.["c"]', [1.5]),
        ('."s"', ["x y"]),
        (".o.k", [1]),
        (".a[-1].b", [None]),
        (".a[1.5]", [None]),
        (".missing.deeper", [None]),
        (".a[1:]", [[2, {"b": None}]]),
        (".s[1:3]", [" y"]),
        (".a | length", [3]),
        ("keys", [["a", "c", "d", "o", "s"]]),
        (".o | keys_unsorted", [["k", "j"]]),
        ("[.a[] | select(. != null and type == \"number\")]", [[1, 2]]),
        ("[.a[] | numbers] | map(. * 2)", [[2, 4]]),
        (".a | first, last", [1, {"b": None}]),
        (".c + 1, .c - 1, .d * 2, 7 / 2, 7 % 3, -.d", [2.5, 0.5, 24691357802, 3.5, 1, -12345678901]),
        ("[.a[] | objects | .b]", [[None]]),
        ("{x: .c, y: .a[0], s}", [{"x": 1.5, "y": 1, "s": "x y"}]),
        ('"v=\\(.c) \\(.o)"', ['v=1.5 {"k":1,"j":"v"}']),
        (".s | split(\" \") | join(\"-\")", ["x-y"]),
        (".missing // \"dflt\"", ["dflt"]),
        ("if .c > 1 then \"big\" elif .c > 0 then \"small\" else \"none\" end", ["big"]),
        ("[.[] | numbers]", [[1.5, 12345678901]]),
        (".a[0] as $x | $x + 10", [11]),
        ("[range(3)], [range(1; 3)], [range(0; 10; 4)]", [[0, 1, 2], [1, 2], [0, 4, 8]]),
        ("reduce .a[] as $x (0; if ($x | type) == \"number\" then . + $x else . end)", [3]),
        ("[foreach (1, 2, 3) as $x (0; . + $x)]", [[1, 3, 6]]),
        ("[..] | length", [12]),
        ("try error(\"boom\") catch .", ["boom"]),
        ("[limit(2; .a[])], first(.a[]), [.a[]?]", [[1, 2], 1, [1, 2, {"b": None}]]),
        (".o | to_entries", [[{"key": "k", "value": 1}, {"key": "j", "value": "v"}]]),
        (".o | with_entries(select(.key == \"k\"))", [{"k": 1}]),
        ("[.a[:2][] | tostring]", [["1", "2"]]),
        ("[3, 1, 2] | sort, unique, min, max, add, reverse", [[1, 2, 3], [1, 2, 3], 1, 3, 6, [2, 1, 3]]),
        ('[{"n": 2}, {"n": 1}] | sort_by(.n) | map(.n)', [[1, 2]]),
        ('[1, "a", null, true, [1], {}] | sort', [[None, True, 1, "a", [1], {}]]),
        ('[1, 1.0] | unique', [[1]]),
        ("(.a | has(0)), (.o | has(\"k\")), (\"k\" | in({\"k\": 1}))", [True, True, True]),
        ('"abc" | contains("b"), ascii_upcase, ltrimstr("a"), explode', [True, "ABC", "bc", [97, 98, 99]]),
        ("[.a[] | numbers] | any(. > 1), all(. > 1)", [True, False]),
        ("[[1, [2]], 3] | flatten, flatten(1)", [[1, 2, 3], [1, [2], 3]]),
        ('"1.5" | tonumber', [1.5]),
        ('{"a": 1} | tojson, (tojson | fromjson)', ['{"a":1}', {"a": 1}]),
        (".o | map_values(. , 0)", [{"k": 1, "j": "v"}]),
        ("1, 2 | . * 10", [10, 20]),
        ("[.a[] | numbers] | [.[] | until(. > 5; . * 2)]", [[8, 8]]),
        ("[1 | while(. < 8; . * 2)], [1 | recurse(if . < 3 then . + 1 else empty end)]", [[1, 2, 4], [1, 2, 3]]),
        ("empty", []),
    ],
)
def test_jq(expression, expected):
    assert jq(JSON, expression) == expected


def test_jq_number_types():
    assert [type(x) for x in jq(JSON, ".a[0], .d, .c, (.a[0] + 1), (.c * 2)")] == [Int32, int, float, Int32, Int32]
    assert jq([1, 2, 3], ".[0]") == [1] and type(jq([1, 2, 3], ".[0]")[0]) is int  # literals are Longs
    assert type(jq([I], ".[0]")[0]) is Int32
    assert type(jq(F, ".")[0]) is Float32


def test_jq_keeps_java_types_of_values():  # Kestra JqFilterTest.typed
    data = {"string": "string", "int": I, "float": F, "bool": True, "null": None}
    got = [jq(data, f".{key}")[0] for key in data]
    names = ["java.lang.String", "java.lang.Integer", "java.lang.Float", "java.lang.Boolean", None]
    assert [class_name(x) for x in got] == names
    assert render("jq", {"second": [1, 2, 3]}, ".second[]") == "[1,2,3]"
    assert jq({"object": {"key": "value"}}, ".object")[0]["key"] == "value"


def test_jq_converts_values_like_kestra():
    assert jq({"test": [1, 2]}, ".test[0]") == [1]
    assert jq(MAP(), ".") == [{"a": 1, "b": "x"}]  # null map values are dropped
    assert jq(ZDT, ".") == ["2013-09-08T14:19:00Z"]
    assert jq(DUR, ".") == [Decimal("306")]
    assert jq(Decimal("1.10"), ".") == [Decimal("1.1")]
    assert jq(JArray(["1", "2"]), ".[1]") == ["2"]
    assert jq(JChar("a"), ".") == ["a"]
    assert jq(None, ".") is None
    assert jq("", ".") == [None]


@pytest.mark.parametrize(
    "value,expression",
    [
        (JSON, ".s.t"),  # cannot index a string
        (JSON, ".a | add"),  # number + object
        (JSON, ".[] | .x"),
        (JSON, "error(\"x\")"),
        (JSON, "null | .[]"),
        ("abc", "."),  # not JSON
        ("1x", "."),
        (JSON, ".a["),  # syntax
        (JSON, "if . then 1 end"),  # jq 1.6 needs else
        (JSON, ".a |= 1"),  # unsupported: assignment
        (JSON, "def f: .; f"),  # unsupported: definitions
        (JSON, "test(\"x\")"),  # unsupported: regular expressions
        (JSON, "@base64"),  # unsupported: formats
        (JSON, ".[] as [$a] | $a"),  # unsupported: destructuring
        (JSON, "$undefined"),
        (JSON, None),
        (JSON, 1),
    ],
)
def test_jq_errors(value, expression):
    with pytest.raises(RenderError):
        f("jq", value, *(() if expression is None else (expression,)))


def test_jq_unsupported_message_names_flowc():
    with pytest.raises(RenderError, match="not supported by flowc"):
        jq(JSON, ".a |= 1")


def test_jq_requires_expression():
    with pytest.raises(RenderError, match="expects an argument 'expression'"):
        f("jq", JSON)
