"""Java's text forms of numbers and java.time values (runtime/java_text.py).

How inputs use them, with Kestra's messages around them, is in test_inputs.py.
"""
import math
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.durations import format_duration, parse_duration
from runtime.java_text import (
    DateTimeParseException,
    IllegalArgumentException,
    JavaDate,
    JavaDuration,
    JavaInstant,
    JavaTime,
    NumberFormatException,
    float_compare,
    format_java_duration,
    parse_double,
    parse_float,
    parse_instant,
    parse_int,
    parse_java_duration,
    parse_local_date,
    parse_local_time,
)
from runtime.pebble.values import Float32

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

# --------------------------------------------------------------------------- numbers


def test_parse_int_bounds_are_the_callers():
    assert parse_int("2147483647") == 2**31 - 1
    with pytest.raises(NumberFormatException, match='For input string: "2147483648"'):
        parse_int("2147483648")
    assert parse_int("-9223372036854775808", LONG_MIN, LONG_MAX) == LONG_MIN
    with pytest.raises(NumberFormatException):
        parse_int("9223372036854775808", LONG_MIN, LONG_MAX)


def test_a_number_format_exception_is_an_illegal_argument():
    with pytest.raises(IllegalArgumentException) as caught:
        parse_int("x")
    assert caught.value.to_string() == 'java.lang.NumberFormatException: For input string: "x"'


@given(st.integers(LONG_MIN, LONG_MAX))
def test_parse_int_reads_every_long(n):
    assert parse_int(str(n), LONG_MIN, LONG_MAX) == n


@pytest.mark.parametrize("text, value", [
    ("\t1.5\n", 1.5), ("1e3f", 1000.0), ("0x1p-1", 0.5), ("0x.8p1", 1.0), ("-0", -0.0), ("+Infinity", math.inf),
    ("0x1p200", math.inf),  # beyond a float: Infinity, not an overflow
])
def test_parse_float(text, value):
    result = parse_float(text)
    assert result == value
    assert math.copysign(1, result) == math.copysign(1, value)


@pytest.mark.parametrize("text, value", [
    (" 1.5d\x00", 1.5), ("0x1.8p1", 3.0), ("-Infinity", -math.inf), ("1e999", math.inf), ("-1e-999", -0.0),
    ("0x1p99999", math.inf), ("-0x1p99999d", -math.inf),  # beyond a double: an infinity, not an overflow
])
def test_parse_double(text, value):
    result = parse_double(text)
    assert result == value and type(result) is float
    assert math.copysign(1, result) == math.copysign(1, value)


def test_parse_double_is_nan_for_nan():
    assert math.isnan(parse_double("-NaN"))


@given(st.floats())
def test_parse_double_reads_what_python_prints(x):
    result = parse_double(repr(x).replace("inf", "Infinity").replace("nan", "NaN"))
    assert result == x or (math.isnan(x) and math.isnan(result))


@pytest.mark.parametrize("text, message", [
    ("", "empty String"), ("\t ", "empty String"), (" 1x ", 'For input string: "1x"'), ("nan", 'For input string: "nan"'),
    ("0x1", 'For input string: "0x1"'), ("1e", 'For input string: "1e"'),
])
def test_parse_double_refusals(text, message):
    with pytest.raises(NumberFormatException) as caught:
        parse_double(text)
    assert caught.value.message == message


def test_parse_float_rounds_to_a_float():
    result = parse_float("0.1")
    assert isinstance(result, Float32) and result == Float32(0.1) != 0.1


@pytest.mark.parametrize("text, message", [
    ("", "empty String"), (" \x00", "empty String"), (" 1x ", 'For input string: "1x"'), ("1_0", 'For input string: "1_0"'),
])
def test_parse_float_refusals(text, message):
    with pytest.raises(NumberFormatException) as caught:
        parse_float(text)
    assert caught.value.message == message


def test_float_compare_orders_nan_last_and_negative_zero_first():
    assert float_compare(math.nan, math.inf) == 1
    assert float_compare(math.nan, math.nan) == 0
    assert float_compare(-0.0, 0.0) == -1
    assert float_compare(1.0, 2.0) == -1


# --------------------------------------------------------------------------- java.time values


@pytest.mark.parametrize("text, printed", [
    ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
    ("2024-02-29T23:59:60Z", "2024-02-29T23:59:59Z"),  # a leap second reads as the second before
    ("2024-01-01T00:30:00.120+01:00", "2023-12-31T23:30:00.120Z"),
    ("-1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z"),
    ("+1000000000-12-31T23:59:59.999999999Z", "+1000000000-12-31T23:59:59.999999999Z"),
])
def test_instant_parse_then_print(text, printed):
    assert str(parse_instant(text)) == printed


def test_instant_beyond_java_range():
    with pytest.raises(DateTimeParseException, match="Instant exceeds minimum or maximum instant"):
        parse_instant("+1000000001-01-01T00:00:00Z")


def test_instant_of_a_datetime():
    aware = datetime(2024, 5, 1, 12, 0, 0, 250_000, tzinfo=timezone(timedelta(hours=2)))
    assert str(JavaInstant.of(aware)) == "2024-05-01T10:00:00.250Z"
    assert JavaInstant.of(datetime(1970, 1, 1, 0, 0, 1)) == JavaInstant(1, 0)  # naive is UTC


@given(st.integers(-31557014167219200, 31556889864403199), st.integers(0, 999_999_999))
def test_instant_print_then_parse_round_trips(seconds, nano):
    instant = JavaInstant(seconds, nano)
    assert parse_instant(str(instant)) == instant


def test_local_date():
    assert parse_local_date("+12345-06-07") == JavaDate(12345, 6, 7)
    assert str(JavaDate(-5, 1, 2)) == "-0005-01-02"
    assert JavaDate.of(date(2024, 2, 29)) == JavaDate(2024, 2, 29)
    with pytest.raises(DateTimeParseException, match="could not be parsed at index 0"):
        parse_local_date("12345-06-07")  # more than 4 digits needs a sign


def test_local_time_prints_short_and_iso():
    t = parse_local_time("07:05:00.010")
    assert t == JavaTime(7, 5, 0, 10_000_000)
    assert str(t) == "07:05:00.010"
    assert t.iso() == "07:05:00.01"
    assert str(JavaTime(7, 5, 0, 0)) == "07:05"
    assert JavaTime.of(time(1, 2, 3, 4)) == JavaTime(1, 2, 3, 4000)


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize("seconds, nano, text", [
    (0, 0, "PT0S"), (306, 0, "PT5M6S"), (172800, 0, "PT48H"), (-1, 500_000_000, "PT-0.5S"),
    (3600, 500_000_000, "PT1H0.5S"), (-3601, 500_000_000, "PT-1H-0.5S"), (0, 1, "PT0.000000001S"),
    (-61, 0, "PT-1M-1S"), (LONG_MIN, 0, "PT-2562047788015215H-30M-8S"),
])
def test_duration_to_string(seconds, nano, text):
    assert format_java_duration(seconds, nano) == text
    assert str(JavaDuration(seconds, nano)) == text
    assert parse_java_duration(text) == (seconds, nano)


@given(st.integers(LONG_MIN, LONG_MAX), st.integers(0, 999_999_999))
def test_duration_format_then_parse_round_trips(seconds, nano):
    assert parse_java_duration(format_java_duration(seconds, nano)) == (seconds, nano)


@pytest.mark.parametrize("text, seconds, nano", [
    ("-PT-1.5S", 1, 500_000_000), ("PT-0.000000001S", -1, 999_999_999), ("p1dt2h3m4,5s", 93784, 500_000_000),
])
def test_duration_signs_and_fractions(text, seconds, nano):
    assert parse_java_duration(text) == JavaDuration(seconds, nano)


@pytest.mark.parametrize("text", ["PT", "P1DT", "PT1.S.", "PT1ſ", "P1W", "PT٤S"])
def test_duration_refusals(text):
    with pytest.raises(DateTimeParseException, match="^Text cannot be parsed to a Duration$"):
        parse_java_duration(text)


@given(st.timedeltas())
def test_duration_of_a_timedelta_round_trips(delta):
    assert JavaDuration.of(delta).to_timedelta() == delta


def test_duration_to_timedelta_rounds_half_to_even():
    assert JavaDuration(0, 1_500).to_timedelta() == timedelta(microseconds=2)
    assert JavaDuration(0, 2_500).to_timedelta() == timedelta(microseconds=2)
    assert JavaDuration(-1, 999_999_500).to_timedelta() == timedelta(0)


# --------------------------------------------------------------------------- runtime.durations, built on these


def test_durations_format_is_java_to_string_exactly():
    assert format_duration(timedelta(days=100, microseconds=297)) == "PT2400H0.000297S"  # no float rounding
    assert format_duration(timedelta(seconds=-90.5)) == "PT-1M-30.5S"


def test_durations_parse_is_lenient_where_java_is_strict():
    assert parse_duration(" pt1m30s ") == timedelta(seconds=90)
    assert parse_duration("1.5") == timedelta(seconds=1.5)
    assert parse_duration("PT0.0000015S") == timedelta(microseconds=2)  # nanoseconds rounded, half to even
    assert parse_duration("P9223372036854775807D") is None  # beyond a Duration: not one, not an OverflowError
    assert parse_duration("5 minutes") is None
