"""Pebble core filters (pebble.md §4.1) and tests (§4.4), called directly through the registry.

Inputs are built as the conformance context (shared/conformance/context.py) types them:
template integer literals are Long (int), decimals Double (float), `i` is an Integer, `f` a
Float, `arr` a String[], map literals are HashMaps.
"""
from decimal import Decimal

import pytest

from runtime.pebble.errors import RenderError
from runtime.pebble.printing import output
from runtime.pebble.signatures import FILTERS, TESTS, bind, load_all
from runtime.pebble.values import UNDEFINED, Float32, Int32, JArray, JavaHashMap, JChar, MapEntry, class_name

load_all()


def call(table, name, value, *args, **kwargs):
    sig = table[name]
    args, kwargs = bind(sig, args, kwargs)
    return sig.fn(value, *args, **kwargs)


def f(name, value, *args, **kwargs):
    return call(FILTERS, name, value, *args, **kwargs)


def t(name, value, *args, **kwargs):
    return call(TESTS, name, value, *args, **kwargs)


def render(name, value, *args, **kwargs):
    return str.__str__(output(f(name, value, *args, **kwargs)))  # a Character prints as its text


def hashmap(**kw):
    return JavaHashMap.of(list(kw.items()))


def ctx_map():
    return {"a": Int32(1), "b": "x", "c": None}


def strs():
    return ["b", "a", "c"]


ARR = ("1", "2", "3")
F = Float32(1.123)


# --------------------------------------------------------------------------- §4.1 cases

CASES = [
    # (filter, input, args, kwargs, printed output)
    ("abs", -5, (), {}, "5"),
    ("abs", -5.2, (), {}, "5.2"),
    ("abs", Float32(-1.123), (), {}, "1.123"),
    ("abs", 3, (), {}, "3"),
    ("abbreviate", "This is a test of the abbreviate filter", (16,), {}, "This is a tes..."),
    ("abbreviate", "This is a test of the abbreviate filter", (), {"length": 16}, "This is a tes..."),
    ("abbreviate", "this is a long sentence.", (7,), {}, "this..."),
    ("abbreviate", "abc", (2,), {}, "abc"),
    ("abbreviate", "abcdef", (6,), {}, "abc..."),
    ("abbreviate", "abcdefg", (6,), {}, "abc..."),
    ("abbreviate", "WHEN LIFE GIVES YOU LEMONS, MAKE LEMONADE.", (13,), {}, "WHEN LIFE ..."),
    ("abbreviate", "abcdef", (2,), {}, "ab"),
    ("base64decode", "dGVzdA==", (), {}, "test"),
    ("base64decode", "dGVzdA", (), {}, "test"),
    ("base64decode", "", (), {}, ""),
    ("base64encode", 12, (), {}, "MTI="),
    ("base64encode", "ü", (), {}, "w7w="),
    ("base64encode", "test", (), {}, "dGVzdA=="),
    ("capitalize", "this should be capitalized.", (), {}, "This should be capitalized."),
    ("capitalize", " \nthis should be capitalized.", (), {}, " \nThis should be capitalized."),
    ("capitalize", "éa", (), {}, "Éa"),
    ("capitalize", "a", (1, 2), {}, "A"),  # no declared arguments: extra ones ignored
    ("title", " \ntest", (), {}, " \nTest"),
    ("title", "article title", (), {}, "Article Title"),
    ("title", "HELLO", (), {}, "HELLO"),
    ("title", "hello-world foo_bar", (), {}, "Hello-world Foo_bar"),
    ("title", "", (), {}, ""),
    ("default", UNDEFINED, ("test",), {}, "test"),
    ("default", None, (), {"default": "ONE"}, "ONE"),
    ("default", "   ", ("x",), {}, "x"),
    ("default", [], ("x",), {}, "x"),
    ("default", {}, ("x",), {}, "x"),
    ("default", 0, ("x",), {}, "0"),
    ("default", False, ("x",), {}, "false"),
    ("default", "string", ("x",), {}, "string"),
    ("default", UNDEFINED, (), {}, ""),
    ("first", ["apple", "banana"], (), {}, "apple"),
    ("first", "Mitch", (), {}, "M"),
    ("first", [], (), {}, ""),
    ("first", None, (), {}, ""),
    ("first", JArray(ARR), (), {}, "1"),
    ("first", JArray([]), (), {}, ""),
    ("last", ["apple", "banana"], (), {}, "banana"),
    ("last", "Mitch", (), {}, "h"),
    ("last", [], (), {}, ""),
    ("last", JArray(ARR), (), {}, "3"),
    ("join", ["apple", "banana"], (", ",), {}, "apple, banana"),
    ("join", [1, 2, 3], (), {}, "123"),
    ("join", [1, 2, 3], (",",), {}, "1,2,3"),
    ("join", [1, None, "a", [2]], ("-",), {}, "1-null-a-[2]"),
    ("join", [1.0, 2.5], (",",), {}, "1.0,2.5"),
    ("join", None, (",",), {}, ""),
    ("join", JArray(ARR), ("+",), {}, "1+2+3"),
    ("length", [1, 2], (), {}, "2"),
    ("length", ctx_map(), (), {}, "3"),
    ("length", None, (), {}, "0"),
    ("length", 5, (), {}, "0"),
    ("length", JArray(ARR), (), {}, "3"),
    ("length", "abc", (), {}, "3"),
    ("length", "a😀", (), {}, "3"),  # UTF-16 code units
    ("lower", "TEMPLATE", (), {}, "template"),
    ("upper", "template", (), {}, "TEMPLATE"),
    ("lower", None, (), {}, ""),
    ("lower", "LOUD Ü", (), {}, "loud ü"),
    ("upper", "quiet ß", (), {}, "QUIET SS"),
    ("upper", 12, (), {}, "12"),
    ("upper", True, (), {}, "TRUE"),
    ("upper", [1], (), {}, "[1]"),
    ("upper", [1, "a"], (), {}, "[1, A]"),
    ("merge", [1, 2], ([3, 4],), {}, "[1,2,3,4]"),
    ("merge", hashmap(a=1), (hashmap(a=2),), {}, '{"a":2}'),
    ("merge", [1], (hashmap(a=2),), {}, '[1,{"a":2}]'),
    ("merge", hashmap(a=1), (["x"],), {}, '{"a":1,"x":"x"}'),
    ("merge", None, ([1],), {}, "[1]"),
    ("merge", [1], (None,), {}, "[1]"),
    ("merge", JArray(["1"]), (JArray(["2"]),), {}, '["1","2"]'),
    ("numberFormat", 10000.235166, ("$#,###,###,##0.00",), {}, "$10,000.24"),
    ("numberFormat", 1000000, (), {}, "1,000,000"),
    ("numberFormat", F, ("#.##",), {}, "1.12"),
    ("numberFormat", 3.141592653, ("#.##",), {}, "3.14"),
    ("numberFormat", 1234567.891, (), {}, "1,234,567.891"),
    ("numberFormat", 1234567.891, ("#,##0.00",), {}, "1,234,567.89"),
    ("numberFormat", 0.5, ("0%",), {}, "50%"),
    ("numberFormat", 2.5, ("#",), {}, "2"),
    ("numberFormat", 3.5, ("#",), {}, "4"),
    ("numberFormat", 5, ("000",), {}, "005"),
    ("numberFormat", None, ("0",), {}, ""),
    ("replace", "john doe is john doe", (hashmap(john="jane"),), {}, "jane doe is jane doe"),
    ("replace", "aa1bb2cc3dd4ee5", ({"(\\d)": "-$1-"},), {"regexp": True}, "aa-1-bb-2-cc-3-dd-4-ee-5-"),
    ("replace", "a1b22", ({"[0-9]+": "#"},), {"regexp": True}, "a#b#"),
    ("replace", "a.b", ({".": "!"},), {"regexp": True}, "!!!"),
    ("replace", ["a1", hashmap(k="a2"), 3], ({"a": "z"},), {}, '["z1",{"k":"z2"},"3"]'),
    ("replace", "a", ({"a": "b"}, False), {}, "b"),
    ("replace", None, (), {}, ""),
    ("replace", 12, ({"1": "x"},), {}, "x2"),
    ("reverse", ["apple", "banana"], (), {}, '["banana","apple"]'),
    ("rsort", [3, 1, 2], (), {}, "[3,2,1]"),
    ("sort", [3, 1, 2], (), {}, "[1,2,3]"),
    ("sort", ["b", "A", "a", "B"], (), {}, '["A","B","a","b"]'),
    ("sort", [[1]], (), {}, "[[1]]"),  # one element: nothing compared
    ("sha256", "test", (), {}, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ("sha256", None, (), {}, ""),
    ("sha256", "hello", (), {}, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
    ("slice", ["apple", "banana", "cherry"], (1, 2), {}, '["banana"]'),
    ("slice", "Mitch", (2,), {}, "tch"),
    ("slice", "Mitch", (), {"toIndex": 2}, "Mi"),
    ("slice", "Mitch", (), {}, "Mitch"),
    ("slice", "Mitch", (5,), {}, ""),
    ("slice", "", (), {}, ""),  # no toIndex: the empty-slice check does not apply
    ("slice", JArray(ARR), (1,), {}, '["2","3"]'),
    ("split", "apple,banana,cherry", (",",), {}, '["apple","banana","cherry"]'),
    ("split", "apple,banana,cherry,grape", (",", 2), {}, '["apple","banana,cherry,grape"]'),
    ("split", "a.b.c", (".",), {}, "[]"),
    ("split", "a.b.c", ("\\\\.",), {}, '["a.b.c"]'),
    ("split", "a.b.c", ("\\.",), {}, '["a","b","c"]'),
    ("split", "a,b,,", (",",), {}, '["a","b"]'),
    ("split", "a,b,,", (",", -1), {}, '["a","b","",""]'),
    ("split", " a b ", (" ",), {}, '["","a","b"]'),
    ("split", "", (",",), {}, '[""]'),
    ("split", "abc", ("",), {}, '["a","b","c"]'),
    ("split", "a1b2c", ("\\d", 1), {}, '["a1b2c"]'),
    ("trim", "        \t\tThis should be trimmed. \t\t", (), {}, "This should be trimmed."),
    ("urlencode", "The string ü@foo-bar", (), {}, "The+string+%C3%BC%40foo-bar"),
    ("urlencode", "a~b*c_d.e", (), {}, "a%7Eb*c_d.e"),
]


@pytest.mark.parametrize("name, value, args, kwargs, expected", CASES, ids=lambda v: repr(v)[:30])
def test_filter_output(name, value, args, kwargs, expected):
    assert render(name, value, *args, **kwargs) == expected


ERRORS = [
    # (filter, input, args, kwargs): rendering must fail
    ("abs", None, (), {}),
    ("abs", "1", (), {}),
    ("abbreviate", "abc", (), {"len": 2}),
    ("abbreviate", "abc", (2, 3), {}),
    ("abbreviate", "abc", (Int32(2),), {}),  # Integer length: ClassCastException
    ("abbreviate", "abc", (-1,), {}),
    ("abbreviate", 12, (2,), {}),
    ("abbreviate", "abc", (), {}),
    ("base64decode", "not base64!", (), {}),
    ("base64decode", 1, (), {}),
    ("base64decode", "dGVzdA=", (), {}),
    ("base64decode", "dGVzd", (), {}),
    ("base64decode", "dGVzdA==x", (), {}),
    ("capitalize", 1, (), {}),
    ("title", JChar("a"), (), {}),
    ("first", "", (), {}),
    ("last", "", (), {}),
    ("first", ctx_map(), (), {}),
    ("first", 5, (), {}),
    ("join", "abc", (",",), {}),
    ("join", ctx_map(), (",",), {}),
    ("join", [1], (1,), {}),
    ("merge", None, (None,), {}),
    ("merge", "abc", ([1],), {}),
    ("merge", [1], ("x",), {}),
    ("merge", {"a": 1}, ("x",), {}),
    ("merge", JArray(["1"]), (JArray([1], component="java.lang.Integer"),), {}),
    ("merge", [1], (JArray(["1"]),), {}),
    ("numberFormat", "5", ("000",), {}),
    ("numberFormat", 5, ("#,##0.0,",), {}),
    ("numberFormat", 5, ("0#",), {}),
    ("numberFormat", 5, ("0.00E+0",), {}),
    ("numberFormat", 5, (";0",), {}),
    ("numberFormat", 5, ("'abc",), {}),
    ("numberFormat", 5, (5,), {}),
    ("replace", "x", (), {}),
    ("replace", "x", ("notamap",), {}),
    ("replace", "x", ({"a": "b"}, "yes"), {}),
    ("replace", "x", ({"(": "b"},), {"regexp": True}),
    ("replace", "x", ({"x": "$2"},), {"regexp": True}),
    ("replace", ["x", None], ({"x": "y"},), {}),
    ("reverse", "abc", (), {}),
    ("reverse", JArray(ARR), (), {}),
    ("sort", [2, 1.5], (), {}),
    ("sort", [Int32(2), 1], (), {}),
    ("sort", ctx_map(), (), {}),
    ("sort", "abc", (), {}),
    ("sort", [[1], [2]], (), {}),
    ("sort", [1, None], (), {}),
    ("rsort", JArray(ARR), (), {}),
    ("sha256", 1, (), {}),
    ("slice", "Mitch", (3, 3), {}),
    ("slice", "Mitch", (0, 9), {}),
    ("slice", "Mitch", (-1,), {}),
    ("slice", "Mitch", (6,), {}),
    ("slice", "Mitch", ("1",), {}),
    ("slice", 5, (1,), {}),
    ("split", "x", (), {}),
    ("split", 1, (",",), {}),
    ("split", "x", ("[",), {}),
    ("trim", 1, (), {}),
    ("urlencode", 1, (), {}),
]


@pytest.mark.parametrize("name, value, args, kwargs", ERRORS, ids=lambda v: repr(v)[:30])
def test_filter_error(name, value, args, kwargs):
    with pytest.raises(RenderError):
        f(name, value, *args, **kwargs)


def test_not_available_in_kestra():
    for name in ("escape", "raw", "numberformat"):
        assert name not in FILTERS


# --------------------------------------------------------------------------- Java types


def test_first_last_of_string_are_characters():
    c = f("first", "Mitch")
    assert isinstance(c, JChar) and class_name(c) == "java.lang.Character"
    assert c != "M"  # `'a' | first == 'a'` is false
    assert isinstance(f("last", "Mitch"), JChar)


def test_length_is_integer():
    n = f("length", [1, 2])
    assert isinstance(n, Int32) and n == 2


def test_abs_keeps_numeric_type():
    assert isinstance(f("abs", Int32(-3)), Int32)
    assert isinstance(f("abs", Float32(-1.5)), Float32)
    assert f("abs", Int32(-(2**31))) == -(2**31)  # Math.abs overflow
    big = f("abs", Decimal("-1.10"))
    assert big == Decimal("1.10") and str(big) == "1.10"
    assert f("abs", -(2**70)) == 2**70  # BigInteger


def test_split_returns_string_array():
    parts = f("split", "a,b", ",")
    assert isinstance(parts, JArray) and class_name(parts) == "[Ljava.lang.String;"
    assert parts[1] == "b"


def test_merge_makes_new_hashmaps():
    left = {"zeta": 1}
    merged = f("merge", left, {"alpha": 2, "mid": 3})
    assert isinstance(merged, JavaHashMap) and merged is not left and left == {"zeta": 1}
    assert list(merged) == ["zeta", "mid", "alpha"]
    entries = f("merge", [1], {"a": 2})
    assert isinstance(entries[1], MapEntry) and entries[1].key == "a"


def test_slice_keeps_array_type():
    part = f("slice", JArray([1, 2, 3], component="java.lang.Integer"), 1)
    assert isinstance(part, JArray) and part.component == "java.lang.Integer"


def test_replace_on_map_gives_hashmap_and_strings():
    result = f("replace", {"zeta": "a", "alpha": 1, "mid": ["a"]}, {"a": "b"})
    assert isinstance(result, JavaHashMap)
    assert result == {"zeta": "b", "alpha": "1", "mid": ["b"]}


# --------------------------------------------------------------------------- mutation


def test_sort_mutates_the_input():
    value = strs()
    assert f("sort", value) is value
    assert output(value) == '["a","b","c"]'


def test_reverse_mutates_the_input():
    value = strs()
    assert output(f("reverse", value)) + output(value) == '["c","a","b"]["c","a","b"]'


def test_rsort_mutates_and_sort_of_array_sorts_it_in_place():
    value = [1, 3, 2]
    assert f("rsort", value) is value and value == [3, 2, 1]
    arr = JArray(["b", "a"])
    assert f("sort", arr) == ["a", "b"] and arr == ["a", "b"]


def test_sort_strings_by_utf16_units():
    assert f("sort", ["\ufb01", "\U0001f600"]) == ["\U0001f600", "\ufb01"]


# --------------------------------------------------------------------------- regex helpers


def test_replace_java_replacement_syntax():
    assert f("replace", "a-b", {"(?<x>a)": "${x}!"}, regexp=True) == "a!-b"
    assert f("replace", "a-b", {"a": "\\$1"}, regexp=True) == "$1-b"
    assert f("replace", "a.b", {"\\Q.\\E": "+"}, regexp=True) == "a+b"
    assert f("replace", "abc", {"(x)?c": "[$1]"}, regexp=True) == "ab[]"
    assert f("replace", "ab", {"(a)(b)": "$12"}, regexp=True) == "a2"  # $12 > group count: $1 then '2'


def test_replace_pairs_apply_in_order():
    assert f("replace", "ab", {"a": "b", "b": "c"}) == "cc"


# --------------------------------------------------------------------------- numberFormat


@pytest.mark.parametrize(
    "value, pattern, expected",
    [
        (0.5, "#.##", "0.5"),  # "#.##" reads as "0.##"
        (0.5, ".##", ".5"),
        (0.4, "#", "0"),
        (-1.5, "0.0", "-1.5"),
        (-1234.5, "#,##0.00;(#,##0.00)", "(1,234.50)"),
        (0.15, "#.#", "0.1"),  # the double 0.15 is below the tie
        (0.125, "0.00", "0.12"),  # exact tie: half even
        (Decimal("1.10"), None, "1.1"),
        (Decimal("1E+3"), None, "1,000"),
        (2**70, None, "1,180,591,620,717,411,303,424"),
        (12345, "##0.##E0", "12.345E3"),  # JDK: max-int + max-frac significant digits
        (0.000123, "##0.0E0", "123E-6"),
        (0.5, "0.00E00", "5.00E-01"),
        (1234.5, "#E0", ".1E4"),
        (0.00123, "00.###E0", "12.3E-4"),
        (1234, "0.###E0", "1.234E3"),
        (0.25, "0.0\u2030", "250.0\u2030"),
        (5, "'#'0", "#5"),
        (5, "0.", "5."),
        (float("inf"), "0", "\u221e"),
        (float("nan"), "0", "NaN"),
        (Int32(7), "\u00a40.00", "$7.00"),
        (1.5, "", "1.5"),
        (1234567.891, "", "1,234,567.891"),  # the empty pattern keeps grouping
        (-7, "0;", "-7"),  # empty negative subpattern
        (-7, "0.0;(#)x", "(7.0)x"),
        (-7, "0'x'0", "-07x"),  # digits after a suffix rejoin the number
        (2.5, "0.0 0", "2.50 "),
        (-7, "-0", "--7"),
        (1234.5, "0 'o''clock'", "1234 o'clock"),
        (-1234.5, "#,##0.0#%", "-123,450.0%"),
    ],
)
def test_number_format_patterns(value, pattern, expected):
    assert f("numberFormat", value, pattern) == expected


# --------------------------------------------------------------------------- §4.4 tests

TEST_CASES = [
    ("odd", Int32(1), True),
    ("even", 2, True),
    ("even", 10, True),
    ("odd", Int32(1), True),
    ("odd", 3, True),
    ("odd", -1, True),
    ("iterable", JArray(ARR), True),
    ("iterable", ctx_map(), False),
    ("iterable", "abc", False),
    ("iterable", [1], True),
    ("iterable", {1, 2}, True),
    ("map", ctx_map(), True),
    ("map", "x", False),
    ("map", MapEntry(("a", 1)), False),
    ("null", None, True),
    ("null", 0, False),
    ("defined", UNDEFINED, False),
    ("defined", None, False),
    ("defined", 0, True),
    ("empty", "   ", True),
    ("empty", "", True),
    ("empty", [], True),
    ("empty", JavaHashMap(), True),
    ("empty", [1, 2], False),
    ("empty", 0, False),
    ("empty", JArray([]), False),
    ("empty", None, True),
    ("json", '{"a":1}', True),
    ("json", "null", True),
    ("json", "12", True),
    ("json", "abc", False),
    ("json", "", True),  # Jackson reads empty content as a missing node
    ("json", '{"a":1} trailing', True),
    ("json", "12abc", False),
    ("json", "12 abc", True),
    ("json", "truex", False),
    ("json", "true]", True),
    ("json", "NaN", False),
    ("json", "[1,]", False),
    ("json", "01", False),
    ("json", "{'a': 1}", False),
]


@pytest.mark.parametrize("name, value, expected", TEST_CASES, ids=lambda v: repr(v)[:30])
def test_tests(name, value, expected):
    assert t(name, value) is expected


def test_tests_ignore_arguments():
    assert t("odd", 1, 1) is True  # `1 is odd(1)`
    assert t("defined", 1, 1, 2, x=3) is True


@pytest.mark.parametrize(
    "name, value",
    [
        ("even", 2.0),
        ("even", None),
        ("odd", None),
        ("even", "2"),
        ("even", Decimal(2)),
        ("even", True),
        ("even", 2**70),  # BigInteger
        ("json", 1),
        ("json", None),
    ],
    ids=repr,
)
def test_test_errors(name, value):
    with pytest.raises(RenderError):
        t(name, value)
