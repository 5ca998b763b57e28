"""Flow inputs and outputs at run time (kestra-model.md §2-§3; Kestra's InputsTest and FlowInputOutput)."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.inputs import (
    InputError,
    OutputError,
    resolve_inputs,
    resolve_outputs,
    secret_outputs,
)
from runtime.pebble.errors import RenderError
from runtime.pebble.values import Float32, Int32
from runtime.storage import Storage

PREFIX = "kestra:///io/kestra/tests/inputs/executions/test"


@pytest.fixture
def storage(tmp_path):
    return Storage(tmp_path / "runs")


def resolve(declarations, provided, storage=None, **hooks):
    return resolve_inputs(declarations, provided, storage=storage, execution_prefix=PREFIX, **hooks)


def one(decl, value, storage=None, **hooks):
    """The value of a single input `x` declared as `decl` and given `value`."""
    return resolve([{"id": "x", **decl}], {"x": value} if value is not None else {}, storage, **hooks).values["x"]


def error(decl, value, storage=None, **hooks) -> str:
    with pytest.raises(InputError) as caught:
        one(decl, value, storage, **hooks)
    assert caught.value.input_id == "x"
    return str(caught.value)


# --------------------------------------------------------------------------- Kestra's InputsTest flow

# core/src/test/resources/flows/valids/inputs.yaml, as the compiler hands its `inputs` over
INPUTS_FLOW = [
    {"id": "string", "type": "STRING"},
    {"id": "enum", "type": "ENUM", "values": ["ENUM_VALUE", "OTHER_ONE"]},
    {"id": "optional", "type": "STRING", "required": False},
    {"id": "int", "type": "INT"},
    {"id": "bool", "type": "BOOLEAN", "required": False},
    {"id": "float", "type": "FLOAT"},
    {"id": "instant", "type": "DATETIME"},
    {"id": "date", "type": "DATE", "required": False},
    {"id": "time", "type": "TIME", "required": False},
    {"id": "duration", "type": "DURATION", "required": False},
    {"id": "file", "type": "FILE"},
    {"id": "optionalFile", "type": "FILE", "required": False},
    {"id": "instantDefaults", "type": "DATETIME", "defaults": "2013-08-09T14:19:00Z"},
    {"id": "json", "type": "JSON", "required": False},
    {"id": "uri", "type": "URI", "required": False},
    {"id": "nested.string", "type": "STRING", "required": False},
    {"id": "nested.more.int", "type": "INT", "required": False},
    {"id": "nested.bool", "type": "BOOLEAN", "required": False},
    {"id": "validatedString", "type": "STRING", "validator": r"A\d+", "required": False},
    {"id": "validatedInt", "type": "INT", "min": 10, "max": 20, "required": False},
    {"id": "validatedDate", "type": "DATE", "after": "2023-01-01", "before": "2023-12-31", "required": False},
    {"id": "validatedDateTime", "type": "DATETIME", "after": "2023-01-01T00:00:00Z",
     "before": "2023-12-31T23:59:59Z", "required": False},
    {"id": "validatedDuration", "type": "DURATION", "min": "PT10S", "max": "PT20S", "required": False},
    {"id": "validatedFloat", "type": "FLOAT", "min": 0.1, "max": 0.5, "required": False},
    {"id": "validatedTime", "type": "TIME", "after": "01:00:00", "before": "11:59:59", "required": False},
    {"name": "secret", "type": "SECRET"},
    {"name": "array", "type": "ARRAY", "itemType": "INT"},
    {"name": "yaml", "type": "YAML", "defaults": {"property": "something"}},
    {"name": "empty", "type": "STRING", "defaults": "", "required": True},
]


@pytest.fixture
def given_inputs(tmp_path):
    upload = tmp_path / "application-test.yml"
    upload.write_text("kestra: test\n")
    return {
        "string": "myString", "enum": "ENUM_VALUE", "int": "42", "float": "42.42", "bool": "false",
        "instant": "2019-10-06T18:27:49Z", "date": "2019-10-06", "time": "18:27:49", "duration": "PT5M6S",
        "file": str(upload), "json": '{"a": "b"}', "uri": "https://www.google.com", "nested.string": "a string",
        "nested.more.int": "123", "nested.bool": "true", "validatedString": "A123", "validatedInt": "12",
        "validatedDate": "2023-01-02", "validatedDateTime": "2023-01-01T00:00:10Z", "validatedDuration": "PT15S",
        "validatedFloat": "0.42", "validatedTime": "11:27:49", "secret": "secret", "array": "[1, 2, 3]",
        "yaml": "some: property\nalist:\n- of\n- values",
    }


def test_all_valid_inputs(storage, given_inputs):
    resolved = resolve(INPUTS_FLOW, given_inputs, storage)
    v = resolved.values
    assert v["string"] == "myString"
    assert v["int"] == 42 and isinstance(v["int"], Int32)
    assert v["float"] == 42.42
    assert v["bool"] is False
    assert v["instant"] == "2019-10-06T18:27:49Z"
    assert v["instantDefaults"] == "2013-08-09T14:19:00Z"
    assert v["date"] == "2019-10-06"
    assert v["time"] == "18:27:49"
    assert v["duration"] == 306.0  # PT5M6S, as Kestra's stored execution holds it
    assert v["file"] == f"{PREFIX}/inputs/file/application-test.yml"
    assert storage.read_text(v["file"]) == "kestra: test\n"
    assert v["json"] == {"a": "b"}
    assert v["uri"] == "https://www.google.com"
    assert v["nested"] == {"string": "a string", "bool": True, "more": {"int": 123}}
    assert v["validatedDuration"] == 15.0
    assert v["validatedFloat"] == 0.42
    assert v["validatedTime"] == "11:27:49"
    assert v["secret"] == "secret" and resolved.secrets == {"secret"}
    assert v["array"] == [1, 2, 3]
    assert v["yaml"] == {"some": "property", "alist": ["of", "values"]}
    assert v["empty"] == ""  # an empty string is a value: `required` is satisfied
    assert list(v) == sorted(v)  # a TreeMap in Kestra


def test_non_required_without_value_or_default_is_a_null_key(storage, given_inputs):
    del given_inputs["bool"]
    values = resolve(INPUTS_FLOW, given_inputs, storage).values
    assert "bool" in values and values["bool"] is None
    assert values["optionalFile"] is None


def test_typed_values_are_kept(storage, given_inputs):
    values = resolve(INPUTS_FLOW, {**given_inputs, "int": 42, "float": Float32(42.42), "bool": False,
                                   "array": [1, 2, 3]}, storage).values
    assert values["int"] == 42 and isinstance(values["int"], Int32)
    assert values["float"] == 42.42
    assert values["bool"] is False
    assert values["array"] == [1, 2, 3]


@pytest.mark.parametrize("key, value, message", [
    ("string", None, "Invalid input for `string`, missing required input, but received `null`"),
    ("validatedInt", "9", "Invalid input for `validatedInt`, it must be more than `10`, but received `9`"),
    ("validatedInt", "21", "Invalid input for `validatedInt`, it must be less than `20`, but received `21`"),
    ("validatedDate", "2022-01-01",
     "Invalid input for `validatedDate`, it must be after `2023-01-01`, but received `2022-01-01`"),
    ("validatedDate", "2024-01-01",
     "Invalid input for `validatedDate`, it must be before `2023-12-31`, but received `2024-01-01`"),
    ("validatedDateTime", "2022-01-01T00:00:00Z",
     "Invalid input for `validatedDateTime`, it must be after `2023-01-01T00:00:00Z`, but received `2022-01-01T00:00:00Z`"),
    ("validatedDateTime", "2024-01-01T00:00:00Z",
     "Invalid input for `validatedDateTime`, it must be before `2023-12-31T23:59:59Z`, but received `2024-01-01T00:00:00Z`"),
    ("validatedDuration", "PT1S",
     "Invalid input for `validatedDuration`, It must be more than `PT10S`, but received `PT1S`"),
    ("validatedDuration", "PT30S",
     "Invalid input for `validatedDuration`, It must be less than `PT20S`, but received `PT30S`"),
    ("validatedFloat", "0.01", "Invalid input for `validatedFloat`, it must be more than `0.1`, but received `0.01`"),
    ("validatedFloat", "1.01", "Invalid input for `validatedFloat`, it must be less than `0.5`, but received `1.01`"),
    ("validatedTime", "00:00:01", "Invalid input for `validatedTime`, it must be after `01:00`, but received `00:00:01`"),
    ("validatedTime", "14:00:00",
     "Invalid input for `validatedTime`, it must be before `11:59:59`, but received `14:00:00`"),
    ("validatedString", "foo", r"Invalid input for `validatedString`, it must match the pattern `A\d+`, but received `foo`"),
    ("uri", "http:/bla", "Invalid input for `uri`, Expected `URI` but received `http:/bla`, but received `http:/bla`"),
    ("array", '["s1", "s2"]',
     'Invalid input for `array`, Unable to parse array element as `INT` on `s1`, but received `["s1", "s2"]`'),
])
def test_inputs_test_messages(storage, given_inputs, key, value, message):
    with pytest.raises(InputError) as caught:
        resolve(INPUTS_FLOW, {**given_inputs, key: value}, storage)
    assert str(caught.value) == message
    assert caught.value.input_id == key


def test_enum_message_as_kestra_throws_it(storage, given_inputs):
    with pytest.raises(InputError) as caught:
        resolve(INPUTS_FLOW, {**given_inputs, "enum": "INVALID"}, storage)
    assert caught.value.kestra_message == (
        "enum: Invalid input for `enum`, it must match the values `[ENUM_VALUE, OTHER_ONE]`, but received `INVALID`")


def test_empty_json_object(storage, given_inputs):
    assert resolve(INPUTS_FLOW, {**given_inputs, "json": "{}"}, storage).values["json"] == {}


def test_the_first_invalid_input_in_declaration_order_is_reported():
    decls = [{"id": "b", "type": "INT"}, {"id": "a", "type": "INT"}]
    with pytest.raises(InputError) as caught:
        resolve(decls, {"a": "x", "b": "y"})
    assert caught.value.input_id == "b"


# --------------------------------------------------------------------------- types, one by one


def test_string_select_enum_take_text_as_is():
    assert one({"type": "STRING"}, "  spaced ") == "  spaced "
    assert one({"type": "SELECT", "values": ["a", "b"]}, "b") == "b"
    assert one({"type": "ENUM", "values": ["a"]}, "a") == "a"


def test_a_number_given_to_a_string_input_fails_as_in_kestra():
    assert error({"type": "STRING"}, 5) == (
        "Invalid input for `x`, java.lang.ClassCastException: class java.lang.Integer cannot be cast to class "
        "java.lang.String (java.lang.Integer and java.lang.String are in module java.base of loader 'bootstrap'), "
        "but received `5`")


def test_string_defaults_take_a_scalars_text():
    # Jackson reads `defaults: 5` of a STRING input as the string "5"
    assert one({"type": "STRING", "defaults": 5}, None) == "5"
    assert one({"type": "STRING", "defaults": True}, None) == "true"


def test_select_values():
    decl = {"type": "SELECT", "values": ["a", "b"]}
    assert error(decl, "c") == "Invalid input for `x`, it must match the values `[a, b]`, but received `c`"
    assert one({**decl, "allowCustomValue": True}, "c") == "c"
    assert one({**decl, "required": False}, "c") == "c"  # not checked when not required
    assert one({"type": "SELECT", "values": [1, 2]}, "1") == "1"  # values are strings


def test_enum_values_not_checked_when_optional():
    assert one({"type": "ENUM", "values": ["a"], "required": False}, "zzz") == "zzz"


def test_multiselect():
    decl = {"type": "MULTISELECT", "values": ["a", "b", "c"]}
    assert one(decl, ["a", "c"]) == ["a", "c"]
    assert one(decl, '["b"]') == ["b"]
    assert error(decl, ["a", "z"]) == "Invalid input for `x`, it must match the values `[a, b, c]`, but received `[a, z]`"
    assert one({**decl, "allowCustomValue": True}, ["z"]) == ["z"]
    assert one({"type": "MULTISELECT", "options": ["a"]}, ["a"]) == ["a"]
    assert error({"type": "MULTISELECT", "values": ["a"], "options": ["a"]}, ["a"]) == (
        "Invalid input for `x`, you can't define both `values` and `options`, but received `[a]`")


def test_multiselect_default_is_read_as_strings():
    assert one({"type": "MULTISELECT", "values": ["1", "2"], "defaults": [1]}, None) == ["1"]


@pytest.mark.parametrize("text, value", [
    ("42", 42), ("-2147483648", -(2**31)), ("+7", 7), ("007", 7), ("٤٢", 42),  # Arabic-Indic digits: Character.digit
])
def test_int_from_text(text, value):
    result = one({"type": "INT"}, text)
    assert result == value and isinstance(result, Int32)


@pytest.mark.parametrize("text", ["2147483648", "", "-", "+", "1.0", " 1", "1_000", "0x10", "abc"])
def test_int_refuses_what_integer_parse_int_refuses(text):
    assert error({"type": "INT"}, text) == f'Invalid input for `x`, For input string: "{text}", but received `{text}`'


def test_int_typed_values():
    assert one({"type": "INT"}, 5) == 5
    assert "class java.lang.Long cannot be cast" in error({"type": "INT"}, 2**40)
    assert "class java.lang.Boolean cannot be cast" in error({"type": "INT"}, True)


@pytest.mark.parametrize("text, value", [
    ("42.42", 42.42), (" 1.5 ", 1.5), ("1e3", 1000.0), ("2f", 2.0), ("3D", 3.0), (".5", 0.5), ("1.", 1.0),
    ("-0x1.8p1", -3.0), ("0.1", 0.1),
])
def test_float_from_text(text, value):
    assert one({"type": "FLOAT"}, text) == value


def test_float_special_values_and_typed_numbers():
    assert math.isnan(one({"type": "FLOAT"}, "NaN"))
    assert one({"type": "FLOAT"}, "-Infinity") == -math.inf
    assert one({"type": "FLOAT"}, "1e50") == math.inf  # beyond a Float
    assert one({"type": "FLOAT"}, 5) == 5.0  # Float.valueOf(current.toString())
    assert one({"type": "FLOAT"}, 0.1) == 0.1  # the double that the float's text reads as


@pytest.mark.parametrize("text, message", [
    ("", "empty String"), ("   ", "empty String"), ("abc", 'For input string: "abc"'),
    (" 1.2.3 ", 'For input string: "1.2.3"'), ("1e", 'For input string: "1e"'), ("0x1", 'For input string: "0x1"'),
])
def test_float_refusals(text, message):
    assert error({"type": "FLOAT"}, text) == f"Invalid input for `x`, {message}, but received `{text}`"


def test_float_min_max_compare_as_floats():
    assert one({"type": "FLOAT", "min": 0.1}, "0.1") == 0.1
    assert error({"type": "FLOAT", "max": "1"}, "NaN") == "Invalid input for `x`, it must be less than `1.0`, but received `NaN`"


@pytest.mark.parametrize("text, value", [("true", True), ("TRUE", True), ("tRuE", True), ("false", False),
                                         ("yes", False), ("1", False), ("", False)])
def test_boolean_is_java_boolean_value_of(text, value):
    assert one({"type": "BOOLEAN"}, text) is value


def test_boolean_typed():
    assert one({"type": "BOOLEAN"}, True) is True
    assert "class java.lang.Integer cannot be cast" in error({"type": "BOOLEAN"}, 1)


@pytest.mark.parametrize("text, value", [
    ("2019-10-06T18:27:49Z", "2019-10-06T18:27:49Z"),
    ("2019-10-06t18:27:49z", "2019-10-06T18:27:49Z"),  # ISO_INSTANT reads case-insensitively
    ("2019-10-06T20:27:49+02:00", "2019-10-06T18:27:49Z"),
    ("2019-10-06T18:27:49.5Z", "2019-10-06T18:27:49.500Z"),
    ("2019-10-06T18:27:49.1234Z", "2019-10-06T18:27:49.123400Z"),
    ("2019-10-06T18:27:49.000000001Z", "2019-10-06T18:27:49.000000001Z"),
    ("2019-10-06T24:00:00Z", "2019-10-07T00:00:00Z"),
    ("+10000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"),
    ("-0001-01-01T00:00:00Z", "-0001-01-01T00:00:00Z"),
])
def test_datetime(text, value):
    assert one({"type": "DATETIME"}, text) == value


def expected(kind, text, cause):
    return (f"Invalid input for `x`, java.lang.Exception: Expected `{kind}` but received `{text}` with errors:\n"
            f"```\n{cause}\n```, but received `{text}`")


@pytest.mark.parametrize("text, cause", [
    ("2019-10-06", "Text '2019-10-06' could not be parsed at index 10"),
    ("2019-10-06T18:27", "Text '2019-10-06T18:27' could not be parsed at index 16"),
    ("2019-10-06T18:27:49", "Text '2019-10-06T18:27:49' could not be parsed at index 19"),
    ("2019-13-06T18:27:49Z", "Text '2019-13-06T18:27:49Z' could not be parsed at index 0"),
    ("2019-10-06T18:27:49Zx", "Text '2019-10-06T18:27:49Zx' could not be parsed, unparsed text found at index 20"),
    ("2019-10-06T18:27:49+25:00",
     "Text '2019-10-06T18:27:49+25:00' could not be parsed: Value out of range: Hour[0-23], Minute[0-59], Second[0-59]"),
    ("+2019-10-06T18:27:49Z", "Text '+2019-10-06T18:27:49Z' could not be parsed at index 0"),
])
def test_datetime_refusals(text, cause):
    assert error({"type": "DATETIME"}, text) == expected("DATETIME", text, cause)


def test_datetime_text_is_abbreviated_after_64_characters():
    text = "x" * 70
    assert f"Text '{'x' * 64}...' could not be parsed at index 0" in error({"type": "DATETIME"}, text)


@pytest.mark.parametrize("text, cause", [
    ("2023-13-01", "Text '2023-13-01' could not be parsed: Invalid value for MonthOfYear (valid values 1 - 12): 13"),
    ("2023-01-32", "Text '2023-01-32' could not be parsed: Invalid value for DayOfMonth (valid values 1 - 28/31): 32"),
    ("2023-02-30", "Text '2023-02-30' could not be parsed: Invalid date 'FEBRUARY 30'"),
    ("2023-02-29", "Text '2023-02-29' could not be parsed: Invalid date 'February 29' as '2023' is not a leap year"),
    ("2023-1-01", "Text '2023-1-01' could not be parsed at index 5"),
    ("2023-01-01T00:00", "Text '2023-01-01T00:00' could not be parsed, unparsed text found at index 10"),
])
def test_date_refusals(text, cause):
    assert error({"type": "DATE"}, text) == expected("DATE", text, cause)


def test_date():
    assert one({"type": "DATE"}, "2024-02-29") == "2024-02-29"


@pytest.mark.parametrize("text, value", [
    ("18:27", "18:27:00"), ("18:27:49", "18:27:49"), ("18:27:49.5", "18:27:49.5"), ("00:00:00.000001", "00:00:00.000001"),
])
def test_time_is_stored_as_jackson_writes_it(text, value):
    assert one({"type": "TIME"}, text) == value


@pytest.mark.parametrize("text, cause", [
    ("24:00", "Text '24:00' could not be parsed: Invalid value for HourOfDay (valid values 0 - 23): 24"),
    ("10:60", "Text '10:60' could not be parsed: Invalid value for MinuteOfHour (valid values 0 - 59): 60"),
    ("10:00:61", "Text '10:00:61' could not be parsed: Invalid value for SecondOfMinute (valid values 0 - 59): 61"),
    ("10:00:1", "Text '10:00:1' could not be parsed, unparsed text found at index 5"),
    ("1:00", "Text '1:00' could not be parsed at index 0"),
])
def test_time_refusals(text, cause):
    assert error({"type": "TIME"}, text) == expected("TIME", text, cause)


def test_time_bounds_print_as_local_time():
    assert error({"type": "TIME", "before": "10:30:00"}, "11:00") == (
        "Invalid input for `x`, it must be before `10:30`, but received `11:00`")


@pytest.mark.parametrize("text, seconds", [
    ("PT5M6S", 306.0), ("P2D", 172800.0), ("pt1h", 3600.0), ("PT-0.5S", -0.5), ("-PT1M", -60.0), ("PT1,5S", 1.5),
    ("P1DT-1H", 82800.0),
])
def test_duration_is_stored_as_seconds(text, seconds):
    assert one({"type": "DURATION"}, text) == seconds


@pytest.mark.parametrize("text, cause", [
    ("5m", "Text cannot be parsed to a Duration"), ("PT", "Text cannot be parsed to a Duration"),
    ("P1Y", "Text cannot be parsed to a Duration"), ("300", "Text cannot be parsed to a Duration"),
    ("PT9223372036854775808S", "Text cannot be parsed to a Duration: seconds"),
    ("P106751991167301D", "Text cannot be parsed to a Duration: days"),
    ("P106751991167300DT9223372036854775807S", "Text cannot be parsed to a Duration: overflow"),
])
def test_duration_refusals(text, cause):
    assert error({"type": "DURATION"}, text) == expected("DURATION", text, cause)


def test_duration_defaults_and_bounds_may_be_seconds():
    # Kestra's duration reader takes a number of seconds in the flow (defaults, min, max)
    assert one({"type": "DURATION", "defaults": 300}, None) == 300.0
    assert one({"type": "DURATION", "defaults": "1.5"}, None) == 1.5
    assert error({"type": "DURATION", "min": 60}, "PT30S") == (
        "Invalid input for `x`, It must be more than `PT1M`, but received `PT30S`")


def test_file_copied_into_storage(storage, tmp_path):
    local = tmp_path / "data.csv"
    local.write_text("a,b\n")
    uri = one({"type": "FILE"}, str(local), storage)
    assert uri == f"{PREFIX}/inputs/x/data.csv"
    assert storage.read_text(uri) == "a,b\n"


def test_file_already_in_storage_is_kept(storage):
    uri = storage.put(f"{PREFIX}/inputs/x/kept.txt", "kept")
    assert one({"type": "FILE"}, uri, storage) == uri


def test_file_refusals(storage, tmp_path):
    missing = str(tmp_path / "missing.csv")
    assert error({"type": "FILE"}, missing, storage) == expected("FILE", missing, f"{missing} (No such file or directory)")
    assert error({"type": "FILE"}, str(tmp_path), storage) == expected("FILE", str(tmp_path), f"{tmp_path} (Is a directory)")
    absent = f"{PREFIX}/inputs/x/absent.txt"
    assert error({"type": "FILE"}, absent, storage) == (
        f"Invalid input for `x`, Unable to find file '{absent}' in the internal storage, but received `{absent}`")


def test_json():
    assert one({"type": "JSON"}, '[1, 2.5, "a", null]') == [1, 2.5, "a", None]
    assert isinstance(one({"type": "JSON"}, '{"n": 1}')["n"], Int32)
    assert one({"type": "JSON"}, {"already": "typed"}) == {"already": "typed"}
    assert one({"type": "JSON"}, "null") is None
    assert error({"type": "JSON"}, "") == expected("JSON", "", "No content to map due to end-of-input")
    assert error({"type": "JSON"}, "{bad").startswith(
        "Invalid input for `x`, java.lang.Exception: Expected `JSON` but received `{bad` with errors:\n```\nInvalid json")


def test_yaml_uses_jacksons_typing():
    assert one({"type": "YAML"}, "a: yes\nb: 0x10\nc: 2024-01-01") == {"a": True, "b": 16, "c": "2024-01-01"}
    assert one({"type": "YAML", "defaults": {"k": [1]}}, None) == {"k": [1]}


@pytest.mark.parametrize("text", ["https://www.google.com", "sftp://bucket.example.org/key?x=1", "ftp://a.io"])
def test_uri_accepted(text):
    assert one({"type": "URI"}, text) == text


@pytest.mark.parametrize("text", ["http:/bla", "HTTP://a.io", "https://localhost", "https://a.io/x y", "https://a.io\n"])
def test_uri_refused(text):
    assert error({"type": "URI"}, text) == f"Invalid input for `x`, Expected `URI` but received `{text}`, but received `{text}`"


@pytest.mark.parametrize("text", ["", "a@b", "first.last+tag@example.com", "o’neil@x.io"])
def test_email_accepted(text):
    assert one({"type": "EMAIL"}, text) == text


@pytest.mark.parametrize("text", ["a", "a@b c", "@x", "a@b@c"])
def test_email_refused(text):
    assert error({"type": "EMAIL"}, text) == f"Invalid input for `x`, The input must be a valid email, but received `{text}`"


def test_secret_values_are_collected_and_validated():
    resolved = resolve([{"id": "s", "type": "SECRET", "validator": "[a-z]+"}, {"id": "t", "type": "SECRET",
                                                                                 "required": False}], {"s": "hunter"})
    assert resolved.values == {"s": "hunter", "t": None}
    assert resolved.secrets == {"hunter"}
    assert error({"type": "SECRET", "validator": "[a-z]+"}, "NOPE") == (
        "Invalid input for `x`, it must match the pattern `[a-z]+`, but received `NOPE`")


def test_validator_is_a_java_whole_match():
    assert one({"type": "STRING", "validator": r"\d+\z"}, "12") == "12"
    assert "it must match the pattern" in error({"type": "STRING", "validator": r"\d+"}, "12a")
    assert "it must match the pattern" in error({"type": "STRING", "validator": r"\d+"}, "١٢")  # Java's \d is ASCII


def test_array_items_parsed_by_item_type():
    assert one({"type": "ARRAY", "itemType": "DATE"}, ["2024-01-01"]) == ["2024-01-01"]
    assert one({"type": "ARRAY", "itemType": "DURATION"}, '["PT1M"]') == [60.0]
    assert one({"type": "ARRAY", "itemType": "STRING"}, "[1, 2]") == [1, 2]  # no validation of ARRAY items
    assert one({"type": "ARRAY"}, '[{"a": 1}]') == [{"a": 1}]  # no itemType: kept
    assert error({"type": "ARRAY", "itemType": "INT"}, [1, 2.5]) == (
        "Invalid input for `x`, Unable to parse array element as `INT` on `2.5`, but received `[1, 2.5]`")
    assert error({"type": "ARRAY", "itemType": "INT"}, '{"a": 1}') == expected(
        "ARRAY", '{"a": 1}',
        "Cannot deserialize value of type `java.util.ArrayList<java.lang.Object>` from Object value")


# --------------------------------------------------------------------------- defaults, required, nesting


def test_defaults_apply_when_no_value_is_given():
    decls = [{"id": "n", "type": "INT", "defaults": 7}, {"id": "m", "type": "INT", "defaults": "8"}]
    assert resolve(decls, {}).values == {"m": 8, "n": 7}
    assert resolve(decls, {"n": "1"}).values["n"] == 1
    assert resolve(decls, {"n": None}).values["n"] == 7  # a null value is no value


def test_required_input_with_a_default_is_satisfied():
    assert one({"type": "STRING", "defaults": "d"}, None) == "d"
    assert error({"type": "STRING"}, None) == "Invalid input for `x`, missing required input, but received `null`"


def test_dotted_ids_nest():
    decls = [{"id": "a.b.c", "type": "INT"}, {"id": "a.d", "type": "STRING"}, {"id": "z", "type": "STRING"}]
    assert resolve(decls, {"a.b.c": "1", "a.d": "x", "z": "y"}).values == {"a": {"b": {"c": 1}, "d": "x"}, "z": "y"}


def test_an_id_and_a_dotted_id_under_it_conflict():
    decls = [{"id": "a", "type": "STRING"}, {"id": "a.b", "type": "STRING"}]
    with pytest.raises(InputError) as caught:
        resolve(decls, {"a": "1", "a.b": "2"})
    assert str(caught.value) == "Conflict at key: ''. Map keys are: [a, a.b]"  # sic: Kestra's wording
    assert caught.value.input_id == "a.b"


# --------------------------------------------------------------------------- dependsOn and expressions


def test_depends_on_condition_must_render_boolean_true():
    seen = []

    def render(condition, visible):
        seen.append((condition, visible))
        return {"yes": True, "text": "true", "no": False}[condition]

    decls = [
        {"id": "kind", "type": "STRING"},
        {"id": "on", "type": "STRING", "dependsOn": {"inputs": ["kind"], "condition": "yes"}},
        {"id": "text", "type": "STRING", "dependsOn": {"inputs": ["kind"], "condition": "text"}},
        {"id": "off", "type": "STRING", "dependsOn": {"inputs": ["kind"], "condition": "no"}},
    ]
    values = resolve(decls, {"kind": "k", "on": "1", "text": "2", "off": "3"}, render_condition=render).values
    assert values == {"kind": "k", "on": "1"}  # disabled inputs are dropped, not null
    assert seen[0] == ("yes", {"inputs": {"kind": "k"}})


def test_disabled_input_is_not_required_and_disables_its_dependents():
    decls = [
        {"id": "a", "type": "STRING", "dependsOn": {"condition": "no"}},
        {"id": "b", "type": "INT", "dependsOn": {"inputs": ["a", "unknown"]}},
    ]
    assert resolve(decls, {"b": "not a number"}, render_condition=lambda c, v: False).values == {}


def test_condition_sees_only_its_dependencies_resolved_first_and_nested():
    seen = {}

    def render(condition, visible):
        seen[condition] = visible
        return True

    decls = [
        {"id": "late", "type": "STRING", "dependsOn": {"inputs": ["cfg.n"], "condition": "c"}},
        {"id": "other", "type": "STRING"},
        {"id": "cfg.n", "type": "INT"},
    ]
    resolve(decls, {"late": "x", "other": "o", "cfg.n": "3"}, render_condition=render)
    assert seen["c"] == {"inputs": {"cfg": {"n": 3}}}


def test_condition_that_fails_to_render_disables_the_input_with_a_warning():
    def render(condition, visible):
        raise RenderError("Unable to find `nope`")

    resolved = resolve([{"id": "x", "type": "STRING", "dependsOn": {"condition": "{{ nope }}"}}], {"x": "v"},
                       render_condition=render)
    assert resolved.values == {}
    assert resolved.warnings == ["input `x` is disabled: its condition failed to render: Unable to find `nope`"]


def test_condition_without_a_renderer_is_an_error():
    with pytest.raises(InputError, match="needs the flow engine"):
        resolve([{"id": "x", "type": "STRING", "dependsOn": {"condition": "{{ true }}"}}], {"x": "v"})


def test_dependency_cycle_is_an_error():
    decls = [{"id": "a", "type": "STRING", "dependsOn": {"inputs": ["b"]}},
             {"id": "b", "type": "STRING", "dependsOn": {"inputs": ["a"]}}]
    with pytest.raises(InputError, match=r"cycle \(a -> b -> a\)"):
        resolve(decls, {"a": "1", "b": "2"})


def test_select_expression_replaces_values():
    decl = {"type": "SELECT", "expression": "{{ options }}"}
    assert one(decl, "b", render_expression=lambda e, v: ["a", "b", None, 3]) == "b"
    assert error(decl, "c", render_expression=lambda e, v: ["a", 3]) == (
        "Invalid input for `x`, it must match the values `[a, 3]`, but received `c`")
    assert error(decl, "a", render_expression=lambda e, v: "a,b") == (
        "Invalid expression result. Expected a list of strings, but received String")
    assert error(decl, "a", render_expression=lambda e, v: None) == (
        "Invalid expression result. Expected a list of strings, but received <null>")

    def fails(e, v):
        raise RenderError("boom")

    assert error(decl, "a", render_expression=fails) == "Cannot render 'expression'. Cause: boom"


def test_multiselect_expression_falls_back_to_the_condition_renderer():
    decl = {"type": "MULTISELECT", "expression": "{{ kv('x') }}"}
    assert one(decl, ["a"], render_condition=lambda e, v: ["a"]) == ["a"]


# --------------------------------------------------------------------------- outputs


def test_outputs_are_parsed_by_type():
    decls = [
        {"id": "n", "type": "INT", "value": "{{ x }}"},
        {"id": "f", "type": "FLOAT", "value": "{{ x }}"},
        {"id": "d", "type": "DURATION", "value": "{{ x }}"},
        {"id": "j", "type": "JSON", "value": "{{ x }}"},
        {"id": "s", "type": "STRING", "value": "{{ x }}"},
        {"id": "raw", "value": "{{ x }}"},
    ]
    rendered = {"n": "5", "f": "1.5", "d": "PT1H", "j": '{"a": [1]}', "s": "text", "raw": 3}
    outputs = resolve_outputs(decls, rendered)
    assert outputs == {"n": 5, "f": 1.5, "d": 3600.0, "j": {"a": [1]}, "s": "text", "raw": 3}
    assert isinstance(outputs["n"], Int32)


def test_outputs_are_not_validated():
    decls = [{"id": "n", "type": "INT", "min": 10, "value": "1"}, {"id": "e", "type": "SELECT", "values": ["a"]}]
    assert resolve_outputs(decls, {"n": "1", "e": "zzz"}) == {"n": 1, "e": "zzz"}


def test_null_outputs_are_dropped():
    assert resolve_outputs([{"id": "s", "type": "STRING", "value": ""}], {"s": None}) == {}


@pytest.mark.parametrize("decl, value, message", [
    ({"type": "INT"}, "abc", 'Invalid output for `o`, For input string: "abc", but received `abc`'),
    ({"type": "INT"}, None, "Invalid output for `o`, Cannot parse null string: null, but received `null`"),
    ({"type": "DURATION"}, "5m", "Invalid output for `o`, Expected `DURATION` but received `5m` with errors:\n"
                                 "```\nText cannot be parsed to a Duration\n```, but received `5m`"),
    ({"type": "URI"}, "nope", "Invalid output for `o`, Expected `URI` but received `nope`, but received `nope`"),
])
def test_output_errors(decl, value, message):
    with pytest.raises(OutputError) as caught:
        resolve_outputs([{"id": "o", **decl}], {"o": value})
    assert str(caught.value) == message
    assert caught.value.output_id == "o"


def test_secret_outputs():
    decls = [{"id": "token", "type": "SECRET"}, {"id": "plain", "type": "STRING"}]
    outputs = resolve_outputs(decls, {"token": "s3cr3t", "plain": "p"})
    assert outputs == {"token": "s3cr3t", "plain": "p"}
    assert secret_outputs(decls, outputs) == {"s3cr3t"}


def test_file_output_from_a_local_path(storage, tmp_path):
    local = tmp_path / "report.txt"
    local.write_text("r")
    outputs = resolve_outputs([{"id": "r", "type": "FILE"}], {"r": str(local)}, storage=storage,
                              execution_prefix=PREFIX)
    assert storage.read_text(outputs["r"]) == "r"


# --------------------------------------------------------------------------- properties


@given(st.text(max_size=30))
def test_int_parsing_raises_only_input_errors(text):
    try:
        value = one({"type": "INT"}, text)
    except InputError as e:
        assert str(e) == f'Invalid input for `x`, For input string: "{text}", but received `{text}`'
    else:
        assert isinstance(value, Int32) and -(2**31) <= value < 2**31
        assert value == int(text)  # whatever Java accepts, Python reads the same way


@given(st.integers(-(2**31), 2**31 - 1))
def test_int_parsing_accepts_every_integer(n):
    assert one({"type": "INT"}, str(n)) == n
