"""Database values as Kestra's cell converters output them (AbstractCellConverter and the
PostgreSQL, DuckDB and SQLite ones), in the runtime's stand-ins for Java values
(runtime/pebble/values.py): Integer -> Int32, Long -> int, Float -> Float32, Double -> float,
BigDecimal -> Decimal, LocalDate -> date, LocalTime -> time, LocalDateTime -> naive datetime,
ZonedDateTime -> datetime in a ZoneInfo/FixedZone, OffsetDateTime -> datetime in a
`datetime.timezone`, Instant -> Instant, byte[] -> bytes, BigInteger and UUID -> their text.

Each `*_converters` function gives one function per column of a result, turning a non-null
value of the driver into Kestra's. Where Kestra refuses a type, the task fails with its
message ("PGobject of type [inet] is not supported").
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Callable, Sequence

from ..pebble.values import Float32, Instant, boxed_int
from ..task import TaskFailed

Converter = Callable[[Any], Any]

_JSON = json.JSONDecoder(parse_int=lambda text: boxed_int(int(text)))


def _same(value: Any) -> Any:
    return value


def row_maker(names: Sequence[str], converters: Sequence[Converter]) -> Callable[[Sequence], dict]:
    """A row as Kestra maps it: column label -> value, in column order (a repeated label keeps
    its first place and its last value, as a LinkedHashMap)."""
    pairs = list(zip(names, converters))

    def make(row: Sequence) -> dict:
        return {name: None if value is None else convert(value) for (name, convert), value in zip(pairs, row)}
    return make


def unsupported(java_class: str, column: str, type_name: str) -> TaskFailed:
    return TaskFailed(f"Data of type '{java_class}' for column '{column}' is not supported, "
                      f"the column type is '{type_name}'")


def json_object(text: str, type_name: str) -> dict:
    """JacksonMapper.toMap(text): a JSON object, or Kestra's failure for anything else."""
    try:
        value = _JSON.decode(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise TaskFailed(f"Invalid data type [{type_name}] with value [{text}]")
    return value


def _instant(dt: datetime) -> Instant:
    u = dt.astimezone(timezone.utc)
    return Instant(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=timezone.utc)


# --------------------------------------------------------------------------- PostgreSQL

_INTERVAL_PART = re.compile(r"([+-]?\d+) (year|mon|day)s?")
_INTERVAL_TIME = re.compile(r"([+-])?(\d+):(\d+):(\d+)(?:\.\d+)?")
_HSTORE_ITEM = re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*=>\s*(NULL|"((?:[^"\\]|\\.)*)")\s*(?:,|$)')
_UNESCAPE = re.compile(r"\\(.)")
_GEOMETRIC = {"point": "PGpoint", "line": "PGline", "lseg": "PGlseg", "box": "PGbox", "path": "PGpath",
              "polygon": "PGpolygon", "circle": "PGcircle"}
_TEXTS = {"text", "varchar", "bpchar", "name", "char", "refcursor", "unknown"}


def pg_interval(text: str) -> str:
    """An interval (PostgreSQL's default output style) as Kestra writes it:
    P{years}Y{months}M{days}DT{hours}H{minutes}M{whole seconds}S."""
    parts = {"year": 0, "mon": 0, "day": 0}
    for number, unit in _INTERVAL_PART.findall(text):
        parts[unit] = int(number)
    hours = minutes = seconds = 0
    clock = _INTERVAL_TIME.search(text)
    if clock:
        sign = -1 if clock.group(1) == "-" else 1
        hours, minutes, seconds = (sign * int(clock.group(g)) for g in (2, 3, 4))
    return f"P{parts['year']}Y{parts['mon']}M{parts['day']}DT{hours}H{minutes}M{seconds}S"


def pg_hstore(text: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for key, raw, value in _HSTORE_ITEM.findall(text):
        found[_UNESCAPE.sub(r"\1", key)] = None if raw == "NULL" else _UNESCAPE.sub(r"\1", value)
    return found


def pg_money(text: str) -> float:
    """PgJDBC reads money as a double, whatever the currency signs and separators."""
    negative = text.strip().startswith(("-", "(")) or text.strip().endswith(")")
    digits = re.sub(r"[^0-9.]", "", text)
    return -float(digits) if negative else float(digits)


def _pg_scalar(type_name: str, column: str, zone: tzinfo, kind: str = "b") -> Converter | None:
    """The converter of a PostgreSQL type (pg_type's name and typtype), None when Kestra
    refuses it (as a PGobject, or a Java class its converter does not know)."""
    if type_name in ("int2", "int4"):
        return boxed_int
    if type_name in ("int8", "oid"):
        return int
    if type_name == "float4":
        return Float32
    if type_name == "float8":
        return float
    if type_name == "numeric":
        return lambda v: v if v.is_finite() else float(v)  # PgJDBC gives a Double for NaN
    if type_name == "money":
        return pg_money
    if type_name in _TEXTS or type_name in ("bool", "bytea", "date", "tsvector") or kind == "e":
        return _same
    if type_name == "uuid":
        return str
    if type_name == "time":
        return lambda v: v.replace(microsecond=0, tzinfo=None)  # through java.sql.Time's text
    if type_name == "timetz":
        return lambda v: datetime.combine(date(1970, 1, 1), v).astimezone(zone).time()
    if type_name == "timestamp":
        return _same
    if type_name == "timestamptz":
        return lambda v: v.astimezone(zone)
    if type_name == "interval":
        return pg_interval
    if type_name in ("json", "jsonb"):
        return lambda v: json_object(v, type_name)
    if type_name == "hstore":
        return pg_hstore
    if type_name == "void":
        return lambda v: None
    if type_name == "bit":
        return lambda v: v == "1" if v in ("0", "1") else v
    return None


def _pg_refusal(type_name: str, column: str) -> TaskFailed:
    if type_name in _GEOMETRIC:
        return unsupported(f"class org.postgresql.geometric.{_GEOMETRIC[type_name]}", column, type_name)
    if type_name == "xml":
        return unsupported("class org.postgresql.jdbc.PgSQLXML", column, type_name)
    return TaskFailed(f"PGobject of type [{type_name}] is not supported")


def _pg_element(type_name: str, column: str, zone: tzinfo, kind: str) -> Converter:
    """An array's elements: converted as single values, JSON kept as text (PgJDBC gives
    Strings), types Kestra cannot convert as text."""
    if type_name in ("json", "jsonb"):
        return _same
    return _pg_scalar(type_name, column, zone, kind) or str


def pg_array_text(text: str) -> list:
    """An array in PostgreSQL's text form (`{a,"b c",NULL,{1,2}}`): nested lists of texts and
    nulls (what psycopg hands over for arrays of types it does not know)."""
    stack: list[list] = []
    result: list = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "{":
            stack.append([])
            i += 1
        elif c == "}":
            done = stack.pop()
            if stack:
                stack[-1].append(done)
            else:
                result = done
            i += 1
        elif c in ", \t\n":
            i += 1
        elif c == '"':
            j, chars = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    j += 1
                chars.append(text[j])
                j += 1
            stack[-1].append("".join(chars))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in ",}":
                j += 1
            item = text[i:j].strip()
            stack[-1].append(None if item.upper() == "NULL" else item)
            i = j
    return result


def _pg_array(element: Converter) -> Converter:
    def convert(values):
        if isinstance(values, str):
            values = pg_array_text(values)
        return [None if v is None else (convert(v) if isinstance(v, list) else element(v)) for v in values]
    return convert


class PgType:
    """What converting a column needs to know of its type (from pg_type)."""

    def __init__(self, name: str, kind: str = "b", element: "PgType | None" = None) -> None:
        self.name, self.kind, self.element = name, kind, element


def postgres_converters(columns: Sequence[tuple[str, PgType]], zone: tzinfo) -> list[Converter]:
    converters: list[Converter] = []
    for column, pg in columns:
        if pg.element is not None:
            converters.append(_pg_array(_pg_element(pg.element.name, column, zone, pg.element.kind)))
            continue
        convert = _pg_scalar(pg.name, column, zone, pg.kind)
        if convert is None:
            refusal = _pg_refusal(pg.name, column)

            def convert(value, refusal=refusal):
                raise refusal
        converters.append(convert)
    return converters


# --------------------------------------------------------------------------- DuckDB

_DUCK_INT32 = {"TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT"}
_DUCK_LONG = {"BIGINT", "UINTEGER"}
_DUCK_BIG = {"HUGEINT", "UHUGEINT", "UBIGINT", "VARINT", "BIGNUM"}  # BigInteger -> its text


def _duck_nested(value: Any) -> Any:
    """Values inside lists, structs and maps: UUIDs and big integers as text, the rest as is."""
    if isinstance(value, list):
        return [_duck_nested(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _duck_nested(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return boxed_int(value) if -2**63 <= value < 2**63 else str(value)
    if type(value).__name__ == "UUID":
        return str(value)
    return value


def duckdb_converter(type_name: str, zone: tzinfo) -> Converter:
    t = type_name.upper()
    if t in _DUCK_INT32:
        return boxed_int
    if t in _DUCK_LONG:
        return int
    if t in _DUCK_BIG:
        return str
    if t == "FLOAT":
        return Float32
    if t in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return lambda v: v.astimezone(timezone.utc)  # an OffsetDateTime at UTC
    if t.startswith("TIMESTAMP"):
        return lambda v: v.replace(tzinfo=zone)  # the local date-time at the task's zone
    if t == "JSON":
        return lambda v: json_object(v, type_name)
    if t == "UUID":
        return str
    if t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION")):
        return _duck_nested
    return _same


# --------------------------------------------------------------------------- SQLite


class Declared:
    """A value of an SQLite column declared DATE, DATETIME, TIMESTAMP or TIME, as the
    sqlite3 module hands it to a converter (its text), with the declared type."""

    __slots__ = ("type", "raw")

    def __init__(self, type_: str, raw: bytes) -> None:
        self.type, self.raw = type_, raw


SQLITE_DECLARED = ("date", "datetime", "timestamp", "time")

_ISO_DATE = re.compile(r"[+-]?\d{4,9}-\d{2}-\d{2}")
_ISO_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
_LOCAL_TIME = re.compile(_ISO_TIME)
_DATETIME = re.compile(rf"(\d{{4}}-\d{{2}}-\d{{2}})([T ])({_ISO_TIME})(Z|[+-]\d{{2}}:\d{{2}}(?::\d{{2}})?)?(?:\[([^\]]+)\])?")
_JULIAN_EPOCH = 2440587.5  # the Julian day of 1970-01-01T00:00Z


def _parse_failure(text: str) -> TaskFailed:
    return TaskFailed(f"Text '{text}' could not be parsed")


def _local_time(text: str) -> time:
    if not _LOCAL_TIME.fullmatch(text):
        raise _parse_failure(text)
    whole, _, fraction = text.partition(".")
    parsed = time.fromisoformat(whole if whole.count(":") == 2 else whole + ":00")
    return parsed.replace(microsecond=int((fraction + "000000")[:6])) if fraction else parsed


def _sqlite_instant(text: str, zone: tzinfo) -> Instant:
    """A DATETIME/TIMESTAMP text as Kestra's SQLite converter reads it: ISO zoned, offset or
    local date-times (with `T`), `yyyy-MM-dd HH:mm:ss[.f]`, or a date (its start of day in the
    task's zone)."""
    if _ISO_DATE.fullmatch(text):
        return _instant(datetime.combine(date.fromisoformat(text), time(), zone))
    match = _DATETIME.fullmatch(text)
    if not match or (match.group(2) == " " and (match.group(4) or match.group(5))):
        raise TaskFailed(f"Text '{text}' could not be parsed as an SQLite date-time")
    day, _, clock, offset, _region = match.groups()
    local = datetime.combine(date.fromisoformat(day), _local_time(clock))
    if offset:
        seconds = 0 if offset == "Z" else (
            (1 if offset[0] == "+" else -1) * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60 + int(offset[7:9] or 0)))
        return _instant(local.replace(tzinfo=timezone(timedelta(seconds=seconds))))
    return _instant(local.replace(tzinfo=zone))


def _sqlite_declared(value: Declared, column: str, zone: tzinfo) -> Any:
    text = value.raw.decode("utf-8", "replace")
    if value.type == "date":
        if not _ISO_DATE.fullmatch(text):
            raise _parse_failure(text)
        return date.fromisoformat(text)
    if value.type == "time":
        return _local_time(text)
    try:  # a number: milliseconds since 1970 (sqlite-jdbc's default), a fraction: a Julian day
        millis = int(text)
    except ValueError:
        try:
            millis = round((float(text) - _JULIAN_EPOCH) * 86_400_000)
        except ValueError:
            return _sqlite_instant(text, zone)
    return _instant(datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=millis))


def sqlite_converter(column: str, zone: tzinfo) -> Converter:
    def convert(value):
        if isinstance(value, Declared):
            return _sqlite_declared(value, column, zone)
        if isinstance(value, int):
            return boxed_int(value)  # sqlite-jdbc: an Integer when it fits, else a Long
        if isinstance(value, (bytes, memoryview)):
            return bytes(value)
        return value
    return convert
