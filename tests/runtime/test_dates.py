"""Kestra's date filters and `now()` (pebble.md §5.8, §4.2), called through the registry.

Inputs are typed as in the conformance context (shared/conformance/context.py): `zdt` and
`zdtParis` are aware datetimes (ZonedDateTime), `instant` and `execution.startDate` are
`Instant`s, `ldt` a naive datetime (LocalDateTime), `ld` a date, `i` an Integer (Int32),
template integer literals Longs (int).
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from runtime.pebble.context import RenderContext
from runtime.pebble.errors import RenderError
from runtime.pebble.java import iso_text
from runtime.pebble.printing import offset_id, output, to_string
from runtime.pebble.signatures import FILTERS, FUNCTIONS, bind, load_all
from runtime.pebble.values import URI, Float32, Instant, Int32, JChar, class_name

load_all()

ZDT = datetime(2013, 9, 8, 16, 19, 0, tzinfo=timezone(timedelta(hours=2)))
ZDT_PARIS = datetime(2013, 9, 8, 16, 19, 12, 123456, tzinfo=ZoneInfo("Europe/Paris"))
INSTANT = Instant(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
LDT = datetime(2024, 1, 2, 3, 4, 5)
LD = date(2024, 1, 2)
DATE_STR = "2013-09-08T16:19:12.123456+02:00"
START = Instant(2024, 12, 20, 17, 12, 37, 123456, tzinfo=timezone.utc)  # execution.startDate


def f(name, value, *args, **kwargs):
    sig = FILTERS[name]
    args, kwargs = bind(sig, args, kwargs)
    return sig.fn(value, *args, **kwargs)


def now(clock, *args, **kwargs):
    sig = FUNCTIONS["now"]
    args, kwargs = bind(sig, args, kwargs)
    return sig.fn(RenderContext({}, clock=clock), *args, **kwargs)


# --------------------------------------------------------------------------- §5.8 conformance cases

CASES = [
    # (filter, input, args, kwargs, printed output)
    ("date", "2013-09-08T16:19:12.123456+01:00", (), {"format": "iso", "timeZone": "Europe/Paris"}, "2013-09-08T17:19:12.123456+02:00"),
    ("date", "2013-09-08T16:19:12.123456+01:00", (), {"format": "iso_sec", "timeZone": "Europe/Paris"}, "2013-09-08T17:19:12+02:00"),
    ("date", "2013-09-08T16:19:12.123456+01:00", ("yyyy-MM-dd HH:mm:ss.SSSSSSXXX",), {"timeZone": "UTC"}, "2013-09-08 15:19:12.123456Z"),
    ("date", "July 24, 2001", ("yyyy-MM-dd",), {"existingFormat": "MMMM dd, yyyy"}, "2001-07-24"),
    ("date", "2013-09-08T17:19:12+02:00", (), {"timeZone": "Europe/Paris"}, "2013-09-08T17:19:12.000000+02:00"),
    ("date", "2013-09-08T17:19:12", (), {"timeZone": "Europe/Paris"}, "2013-09-08T17:19:12.000000+02:00"),
    ("date", "2013-09-08", (), {"timeZone": "Europe/Paris"}, "2013-09-08T00:00:00.000000+02:00"),
    ("timestamp", "2013-09-08T16:19:12.123456+01:00", (), {"timeZone": "Europe/Paris"}, "1378653552"),
    ("dateAdd", "2013-09-08T16:19:12.123456+01:00", (-1, "DAYS"), {"timeZone": "Europe/Paris"}, "2013-09-07T17:19:12.123456+02:00"),
    ("date", "2012-July-1", (), {"existingFormat": "yyyy-MMMM-d", "format": "yyyy/MMMM/d"}, "2012/July/1"),
    ("date", None, ("MM/dd/yyyy",), {}, ""),
    ("date", ZDT, ("yyyy-MM-dd",), {}, "2013-09-08"),
    ("date", ZDT, (), {}, "2013-09-08T14:19:00.000000Z"),
    ("date", ZDT_PARIS, (), {}, "2013-09-08T14:19:12.123456Z"),
    ("date", INSTANT, ("yyyy-MM-dd HH:mm:ss.SSSSSS",), {}, "2024-01-02 03:04:05.123456"),
    ("date", LDT, (), {}, "2024-01-02T03:04:05.000000Z"),
    ("date", "2013-09-08T16:19:12", (), {}, "2013-09-08T16:19:12.000000Z"),
    ("date", "2013-09-08", ("yyyy-MM-dd HH:mm:ssXXX",), {}, "2013-09-08 00:00:00Z"),
    ("date", 1378649952, ("yyyy-MM-dd HH:mm:ss",), {}, "2013-09-08 14:19:12"),
    ("date", DATE_STR, ("iso",), {}, "2013-09-08T14:19:12.123456Z"),
    ("date", DATE_STR, ("iso_sec",), {}, "2013-09-08T14:19:12Z"),
    ("date", DATE_STR, ("sql",), {}, "2013-09-08 14:19:12.123456"),
    ("date", DATE_STR, ("sql_seq",), {}, "2013-09-08 14:19:12"),
    ("date", DATE_STR, ("iso_date_time",), {}, "2013-09-08T14:19:12.123456Z[UTC]"),
    ("date", DATE_STR, ("iso_date",), {}, "2013-09-08Z"),
    ("date", DATE_STR, ("iso_time",), {}, "14:19:12.123456Z"),
    ("date", DATE_STR, ("iso_local_date",), {}, "2013-09-08"),
    ("date", DATE_STR, ("iso_instant",), {}, "2013-09-08T14:19:12.123456Z"),
    ("date", DATE_STR, ("iso_local_date_time",), {}, "2013-09-08T14:19:12.123456"),
    ("date", DATE_STR, ("iso_local_time",), {}, "14:19:12.123456"),
    ("date", DATE_STR, ("iso_offset_time",), {}, "14:19:12.123456Z"),
    ("date", DATE_STR, ("iso_ordinal_date",), {}, "2013-251Z"),
    ("date", DATE_STR, ("iso_week_date",), {}, "2013-W36-7Z"),
    ("date", DATE_STR, ("iso_zoned_date_time",), {}, "2013-09-08T14:19:12.123456Z[UTC]"),
    ("date", DATE_STR, ("rfc_1123_date_time",), {}, "Sun, 8 Sep 2013 14:19:12 GMT"),
    # the localized styles of JDK 17 (the harness); JDK 25 writes ", " and U+202F instead
    ("date", DATE_STR, ("full",), {}, "Sunday, September 8, 2013 at 2:19:12 PM Coordinated Universal Time"),
    ("date", DATE_STR, ("long",), {}, "September 8, 2013 at 2:19:12 PM UTC"),
    ("date", DATE_STR, ("medium",), {}, "Sep 8, 2013, 2:19:12 PM"),
    ("date", DATE_STR, (), {"format": "EEEE d MMMM yyyy", "locale": "fr"}, "dimanche 8 septembre 2013"),
    ("date", "2024-01-02T03:04:05Z", ("yyyy-MM-dd HH:mm", "Asia/Tokyo"), {}, "2024-01-02 12:04"),
    ("date", "2024-01-02T03:04:05Z", ("yyyy-MM-dd'T'HH:mm:ssX",), {"timeZone": "UTC"}, "2024-01-02T03:04:05Z"),
    ("dateAdd", DATE_STR, (1, "DAYS"), {}, "2013-09-09T14:19:12.123456Z"),
    ("dateAdd", DATE_STR, (-1, "HOURS"), {"format": "yyyy-MM-dd HH:mm"}, "2013-09-08 13:19"),
    ("dateAdd", DATE_STR, (1, "MONTHS", "iso_local_date"), {}, "2013-10-08"),
    ("dateAdd", "2024-01-31", (1, "MONTHS"), {"format": "iso_local_date"}, "2024-02-29"),
    ("dateAdd", "2024-01-02T03:04:05.999Z", (1, "MILLIS"), {"format": "iso"}, "2024-01-02T03:04:06.000000Z"),
    ("timestampNano", DATE_STR, (), {}, "1378649952123456000"),
    ("timestamp", "2013-09-08", (), {}, "1378598400"),
    ("timestamp", "2013-09-08T16:19:12", (), {"timeZone": "Europe/Paris"}, "1378649952"),
    ("date", START, ("yyyy-MM-dd HH:mm:ss.SSSSSS",), {}, "2024-12-20 17:12:37.123456"),
    ("dateAdd", START, (-1, "DAYS"), {}, "2024-12-19T17:12:37.123456Z"),
    ("timestamp", START, (), {}, "1734714757"),
]


@pytest.mark.parametrize("name,value,args,kwargs,expected", CASES)
def test_conformance(name, value, args, kwargs, expected):
    assert output(f(name, value, *args, **kwargs)) == expected


ERRORS = [
    # the 2nd positional argument is the time zone in Kestra (existingFormat in Pebble)
    ("date", "2012-July-1", ("yyyy/MMMM/d", "yyyy-MMMM-d"), {}),
    ("date", Int32(1), (), {}),  # Integer inputs: ClassCastException
    ("date", "bad", (), {}),
    ("dateAdd", DATE_STR, (1, "days"), {}),  # no enum constant ChronoUnit.days
    ("dateAdd", DATE_STR, (Int32(1), "DAYS"), {}),  # the amount must be a Long
]


@pytest.mark.parametrize("name,value,args,kwargs", ERRORS)
def test_conformance_errors(name, value, args, kwargs):
    with pytest.raises(RenderError):
        f(name, value, *args, **kwargs)


def test_timestamps_compare_and_types():
    later = f("timestamp", "2013-09-08T16:19:12+01:00")
    earlier = f("timestamp", f("dateAdd", "2013-09-08T16:19:12+01:00", -1, "DAYS"))
    assert later > earlier
    assert class_name(f("timestamp", DATE_STR)) == "java.lang.Long"
    assert class_name(f("timestampMicro", DATE_STR)) == "java.lang.String"


def test_now():
    clock = lambda: datetime(2024, 7, 9, 6, 17, 1, 171193, tzinfo=timezone.utc)  # noqa: E731
    assert now(clock) == "2024-07-09T06:17:01.171193Z"
    assert now(clock, format="iso_local_date") == "2024-07-09"
    assert now(clock, "yyyy-MM-dd HH:mm z", "Europe/Paris") == "2024-07-09 08:17 CEST"
    assert len(now(lambda: datetime.now(timezone.utc), format="iso_local_date")) == 10
    assert FUNCTIONS["now"].context


# --------------------------------------------------------------------------- inputs and zones


def test_input_conversions():
    assert f("date", LD) == "2024-01-02T12:00:00.000000Z"  # LocalDate: noon
    assert f("date", LD, timeZone="Europe/Paris") == "2024-01-02T12:00:00.000000+01:00"
    assert f("date", LDT, timeZone="+01:00") == "2024-01-02T03:04:05.000000+01:00"
    assert f("date", INSTANT, timeZone="Asia/Tokyo") == "2024-01-02T12:04:05.123456+09:00"
    assert f("timestamp", 1704153600) == 1704153600
    assert f("date", "2013-09-08T16:19:12+01:00[Europe/Paris]") == "2013-09-08T15:19:12.000000Z"
    assert f("date", "2013-09-08t16:19z") == "2013-09-08T16:19:00.000000Z"  # ISO is case-insensitive


@pytest.mark.parametrize(
    "value",
    [Int32(5), 2.5, Float32(1.5), True, [1], {"a": 1}, time(23, 59, 59), timedelta(minutes=5),
     JChar("a"), URI("kestra:///a"), 2**70, "2013-09-08 16:19:12", "2013-02-29", "2013-09-08T24:00"],
)
def test_rejected_inputs(value):
    with pytest.raises(RenderError):
        f("date", value)


def test_null_inputs_pass_through():
    for name in ("date", "timestamp", "timestampMilli", "timestampMicro", "timestampNano"):
        assert f(name, None) is None
    assert f("dateAdd", None, Int32(1), "DAYS") is None


@pytest.mark.parametrize(
    "zone,expected",
    [
        ("Europe/Paris", "2013-09-08T16:19:12 Europe/Paris CEST Central European Summer Time GMT+2 +02:00"),
        ("America/New_York", "2013-09-08T10:19:12 America/New_York EDT Eastern Daylight Time GMT-4 -04:00"),
        ("+02:00", "2013-09-08T16:19:12 +02:00 +02:00 +02:00 GMT+2 +02:00"),
        ("-0530", "2013-09-08T08:49:12 -05:30 -05:30 -05:30 GMT-5:30 -05:30"),
        ("Z", "2013-09-08T14:19:12 Z Z Z GMT Z"),
        ("UTC", "2013-09-08T14:19:12 UTC UTC Coordinated Universal Time GMT Z"),
        ("UTC+2", "2013-09-08T16:19:12 UTC+02:00 UTC+02:00 UTC+02:00 GMT+2 +02:00"),
        ("GMT", "2013-09-08T14:19:12 GMT GMT Greenwich Mean Time GMT Z"),
    ],
)
def test_zones(zone, expected):
    pattern = "yyyy-MM-dd'T'HH:mm:ss VV z zzzz O XXX"
    assert f("date", DATE_STR, pattern, zone) == expected


@pytest.mark.parametrize("zone", ["Nope/Zone", "x", "", "+19:00", "utc", "Europe/../etc"])
def test_bad_zones(zone):
    with pytest.raises(RenderError):
        f("date", DATE_STR, timeZone=zone)


def test_daylight_saving_transitions():
    paris = "Europe/Paris"
    assert f("date", datetime(2024, 10, 27, 2, 30), timeZone=paris) == "2024-10-27T02:30:00.000000+02:00"  # overlap: earlier
    assert f("date", datetime(2024, 3, 31, 2, 30), timeZone=paris) == "2024-03-31T03:30:00.000000+02:00"  # gap: later
    summer = "2024-10-26T02:30:00+02:00[Europe/Paris]"
    next_day = f("dateAdd", summer, 1, "DAYS", format="iso_zoned_date_time", timeZone=paris)
    assert next_day == "2024-10-27T02:30:00+02:00[Europe/Paris]"  # keeps the offset in the overlap
    assert f("dateAdd", next_day, 1, "HOURS", timeZone=paris) == "2024-10-27T02:30:00.000000+01:00"


# --------------------------------------------------------------------------- patterns


@pytest.mark.parametrize(
    "pattern,expected",
    [
        ("yy y yyy yyyyy u", "13 2013 2013 02013 2013"),
        ("M MM MMM MMMM MMMMM L LLLL", "9 09 Sep September S 9 September"),
        ("Q QQ QQQ QQQQ QQQQQ", "3 03 Q3 3rd quarter 3"),
        ("d dd D DD DDD F", "8 08 251 251 251 1"),
        ("E EEE EEEE EEEEE e ee c", "Sun Sun Sunday S 1 01 1"),
        ("YYYY ww W", "2013 37 2"),
        ("a h hh K k H HH", "PM 4 04 4 16 16 16"),
        ("G GGGG GGGGG", "AD Anno Domini A"),
        ("m s S SSS SSSSSSSSS n N A", "19 12 1 123 123456000 123456000 58752123456000 58752123"),
        ("Z ZZZZ ZZZZZ X XX XXX XXXX XXXXX x xxx", "+0200 GMT+02:00 +02:00 +02 +0200 +02:00 +0200 +02:00 +02 +02:00"),
        ("'o''clock' '' [yyyy]", "o'clock ' 2013"),
        ("ppd|pppE", " 8|Sun"),
        ("yyyy-MM-dd[ HH:mm", "2013-09-08 16:19"),
    ],
)
def test_pattern_letters(pattern, expected):
    assert f("date", DATE_STR, pattern, "Europe/Paris") == expected


@pytest.mark.parametrize(
    "pattern",
    ["[yyyy]]", "#", "{", "b", "MMMMMM", "hhh", "aa", "VVV", "OO", "XXXXXX", "'open", "nn", "SSSSSSSSSS", "p", "p-"],
)
def test_bad_patterns(pattern):
    with pytest.raises(RenderError):
        f("date", DATE_STR, pattern)


def test_week_fields_follow_the_locale():
    assert f("date", "2024-12-29", "YYYY-ww-e W", locale="en_US") == "2025-01-1 5"  # Sunday first, 1 day
    assert f("date", "2024-12-29", "YYYY-ww-e W", locale="fr_FR") == "2024-52-7 4"  # ISO weeks


@pytest.mark.parametrize(
    "locale,expected",
    [
        ("fr_FR", "dimanche 8 sept. 2013 PM après Jésus-Christ 3e trimestre"),
        ("fr-FR", "dimanche 8 sept. 2013 PM après Jésus-Christ 3e trimestre"),
        ("de", "Sonntag 8 Sept. 2013 PM n. Chr. 3. Quartal"),
        ("es", "domingo 8 sept 2013 p.\u00a0m. después de Cristo 3.er trimestre"),
        ("en_GB", "Sunday 8 Sep 2013 PM Anno Domini 3rd quarter"),
    ],
)
def test_locales(locale, expected):
    assert f("date", DATE_STR, "EEEE d MMM yyyy a GGGG QQQQ", locale=locale) == expected


@pytest.mark.parametrize("locale", ["EN", "a", "fr_fr", "fr#x", None])
def test_bad_locales(locale):
    with pytest.raises(RenderError):
        f("date", DATE_STR, locale=locale)


def test_short_style_and_argument_types():
    assert f("date", DATE_STR, "short") == "9/8/13, 2:19 PM"
    for kwargs in ({"format": None}, {"format": 5}, {"timeZone": 1}, {"existingFormat": Int32(1)}):
        with pytest.raises(RenderError):
            f("date", DATE_STR, **kwargs)


# --------------------------------------------------------------------------- parsing with existingFormat


@pytest.mark.parametrize(
    "text,existing,expected",
    [
        ("20240102", "yyyyMMdd", "2024-01-02T00:00:00.000000Z"),  # adjacent values
        ("20240102030405123", "yyyyMMddHHmmssSSS", "2024-01-02T03:04:05.123000Z"),
        ("2024-02-31", "yyyy-MM-dd", "2024-02-29T00:00:00.000000Z"),  # SMART clamps the day
        ("02/01/2024 3:04 PM", "dd/MM/yyyy h:mm a", "2024-01-02T15:04:00.000000Z"),
        ("02/01/2024 3:04", "dd/MM/yyyy h:mm", "2024-01-02T00:00:00.000000Z"),  # no AM/PM: date only
        ("2024-01-02 24:00", "yyyy-MM-dd HH:mm", "2024-01-03T00:00:00.000000Z"),
        ("Tue 2024-01-02", "EEE yyyy-MM-dd", "2024-01-02T00:00:00.000000Z"),
        ("2024-01-02 10:00 CET", "yyyy-MM-dd HH:mm z", "2024-01-02T09:00:00.000000Z"),
        ("2024-01-02 10:00 Europe/Paris", "yyyy-MM-dd HH:mm VV", "2024-01-02T09:00:00.000000Z"),
        ("2024-01-02 10:00 +0100", "yyyy-MM-dd HH:mm Z", "2024-01-02T09:00:00.000000Z"),
        ("2024-01-02 10:00 GMT+1", "yyyy-MM-dd HH:mm O", "2024-01-02T09:00:00.000000Z"),
        ("2024-01-02T10:00:00+01:00", "iso_date_time", "2024-01-02T09:00:00.000000Z"),
        ("2024-01-02T10:00:00", "iso_date_time", "2024-01-02T10:00:00.000000Z"),
        ("Tue, 2 Jan 2024 10:00:00 GMT", "rfc_1123_date_time", "2024-01-02T10:00:00.000000Z"),
        ("2024-W01-2", "iso_week_date", "2024-01-02T00:00:00.000000Z"),
        ("2024-002", "iso_ordinal_date", "2024-01-02T00:00:00.000000Z"),
        ("2024-01-02T10:00:00.123456+01:00", "iso", "2024-01-02T09:00:00.123456Z"),
        ("24-01-02", "yy-MM-dd", "2024-01-02T00:00:00.000000Z"),
        ("Jan 2, 2024, 10:00:00 AM", "medium", "2024-01-02T10:00:00.000000Z"),
        ("2024 1 3", "YYYY w e", "2024-01-02T00:00:00.000000Z"),
    ],
)
def test_existing_format(text, existing, expected):
    assert f("date", text, existingFormat=existing) == expected


@pytest.mark.parametrize(
    "text,existing",
    [
        ("Mon 2024-01-02", "EEE yyyy-MM-dd"),  # conflicting day of week
        ("2024-01-02 13:00 AM", "yyyy-MM-dd HH:mm a"),
        ("2024-02-31", "iso_local_date"),  # STRICT
        ("2024", "yyyy"),
        ("12345-01-02", "yyyy-MM-dd"),
        ("2024-01-02T10:00:00Z", "iso_instant"),
        ("2024-01-02", "bad pattern"),
        ("2024-01-02x", "yyyy-MM-dd"),
    ],
)
def test_existing_format_errors(text, existing):
    with pytest.raises(RenderError):
        f("date", text, existingFormat=existing)


# --------------------------------------------------------------------------- dateAdd and timestamps


@pytest.mark.parametrize(
    "amount,unit,expected",
    [
        (1, "YEARS", "2025-02-28T10:00:00.000000Z"),
        (4, "YEARS", "2028-02-29T10:00:00.000000Z"),
        (1, "DECADES", "2034-02-28T10:00:00.000000Z"),
        (1, "CENTURIES", "2124-02-29T10:00:00.000000Z"),
        (-1, "MILLENNIA", "1024-02-29T10:00:00.000000Z"),
        (3, "WEEKS", "2024-03-21T10:00:00.000000Z"),
        (3, "HALF_DAYS", "2024-03-01T22:00:00.000000Z"),
        (90, "MINUTES", "2024-02-29T11:30:00.000000Z"),
        (-5, "SECONDS", "2024-02-29T09:59:55.000000Z"),
        (7, "MICROS", "2024-02-29T10:00:00.000007Z"),
        (0, "ERAS", "2024-02-29T10:00:00.000000Z"),
    ],
)
def test_date_add_units(amount, unit, expected):
    assert f("dateAdd", "2024-02-29T10:00:00Z", amount, unit) == expected


@pytest.mark.parametrize("amount,unit", [(1, "ERAS"), (1, "FOREVER"), (1, "Days"), (10**6, "YEARS"), (1.0, "DAYS"), (None, "DAYS"), (1, None)])
def test_date_add_errors(amount, unit):
    with pytest.raises(RenderError):
        f("dateAdd", "2024-02-29T10:00:00Z", amount, unit)


def test_nanoseconds_are_kept():
    text = "2024-01-02T03:04:05.123456789Z"
    assert f("date", text, "SSSSSSSSS n") == "123456789 123456789"
    assert f("timestampNano", text) == "1704164645123456789"
    assert f("timestampMicro", text) == "1704164645000123456"  # Kestra's bug: seconds scaled to nanos
    assert f("timestampMilli", text) == 1704164645123
    assert f("dateAdd", text, 1, "NANOS", format="n") == "123456790"


def test_timestamps_saturate_like_java():
    assert f("timestampNano", "2300-01-02T03:04:05.5Z") == "-9223372036354775809"  # Long.MAX + 5e8 wraps
    assert f("timestampNano", "1600-01-02T03:04:05.5Z") == "-9223372036354775808"


def test_signatures():
    assert [p.name for p in FILTERS["date"].params] == ["format", "timeZone", "existingFormat", "locale"]
    assert [p.name for p in FILTERS["dateAdd"].params][:2] == ["amount", "unit"]
    assert [p.name for p in FILTERS["timestamp"].params] == ["timeZone", "existingFormat"]
    assert [p.name for p in FUNCTIONS["now"].params] == ["format", "timeZone", "existingFormat", "locale"]
    with pytest.raises(RenderError):
        f("timestamp", DATE_STR, "UTC", "iso", "extra")


# --------------------------------------------------------------------------- offsets with seconds


@pytest.mark.parametrize(
    "zone,expected",
    [
        ("+01:02:03", "2013-09-08T15:21:15 +01:02:03 +01:02:03 GMT+01:02:03 GMT+1:02:03 +01:02:03"),
        ("-010203", "2013-09-08T13:17:09 -01:02:03 -01:02:03 GMT-01:02:03 GMT-1:02:03 -01:02:03"),
        ("UTC-01:02:03", "2013-09-08T13:17:09 UTC-01:02:03 UTC-01:02:03 GMT-01:02:03 GMT-1:02:03 -01:02:03"),
        ("-00:00:00", "2013-09-08T14:19:12 Z Z GMT GMT Z"),
    ],
)
def test_offsets_with_seconds(zone, expected):
    pattern = "yyyy-MM-dd'T'HH:mm:ss VV z OOOO O XXXXX"
    assert f("date", DATE_STR, pattern, zone) == expected


def test_offset_texts_agree_in_tostring_and_iso():
    at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(-timedelta(hours=1, minutes=2, seconds=3)))
    assert to_string(at) == iso_text(at) == "2024-01-02T03:04:05-01:02:03"
    assert [offset_id(s) for s in (0, 7200, -19800, 3723)] == ["Z", "+02:00", "-05:30", "+01:02:03"]


def test_years_before_1000_print_with_four_digits():
    # java.time pads the year to 4 digits in toString and in Jackson's ISO texts alike
    instant = Instant(5, 1, 2, 3, 4, 5, 120000, tzinfo=timezone.utc)
    local = datetime(5, 1, 2, 3, 4, 5, 120000)
    assert to_string(instant) == iso_text(instant) == "0005-01-02T03:04:05.120Z"
    assert output(instant) == "0005-01-02T03:04:05.120Z"
    assert iso_text(local) == "0005-01-02T03:04:05.12"
    assert output({"a": instant, "b": local}) == '{"a":"0005-01-02T03:04:05.120Z","b":"0005-01-02T03:04:05.12"}'
