"""Pebble's operators, truthiness and attribute access, with Kestra's (Java) semantics."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext

from .errors import RenderError, UndefinedError
from .printing import java_double, to_string
from .values import (
    INT_MAX,
    INT_MIN,
    Float32,
    Int32,
    JArray,
    JChar,
    MapEntry,
    class_name,
    is_number,
    java_equals,
    to_float32,
    wrap_int,
    wrap_long,
)

_WORDS = {"+": "addition", "-": "subtraction", "*": "multiplication", "/": "division", "%": "modulus"}


# --------------------------------------------------------------------------- arithmetic


def _kind(v) -> str:
    if isinstance(v, Decimal):
        return "decimal"
    if isinstance(v, Float32):
        return "float"
    if isinstance(v, float):
        return "double"
    if isinstance(v, Int32):
        return "int"
    return "long"


def _decimal(v) -> Decimal:
    # BigDecimal.valueOf(value.doubleValue()): through Java's Double.toString
    return Decimal(java_double(float(v)))


def _arith(op: str, a, b):
    if not (is_number(a) and is_number(b)):
        raise RenderError(f"Could not perform {_WORDS[op]}")
    kinds = {_kind(a), _kind(b)}
    try:
        if "decimal" in kinds:
            x, y = _decimal(a), _decimal(b)
            with localcontext() as ctx:
                ctx.prec = 34
                if op == "+":
                    ctx.prec = 1000  # exact
                    return x + y
                if op == "-":
                    ctx.prec = 1000
                    return x - y
                if op == "*":
                    return x * y
                if op == "/":
                    return x / y
                return x % y
        if "double" in kinds or "float" in kinds:
            x, y = float(a), float(b)
            result = _float_op(op, x, y)
            if "double" not in kinds:
                return Float32(to_float32(result))
            return result
        x, y = int(a), int(b)
        if op in ("/", "%") and y == 0:
            raise RenderError(f"Could not perform {_WORDS[op]}")
        if op == "+":
            r = x + y
        elif op == "-":
            r = x - y
        elif op == "*":
            r = x * y
        elif op == "/":
            r = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)
        else:
            r = (abs(x) % abs(y)) * (1 if x >= 0 else -1)  # Java: the sign of the dividend
        return wrap_int(r) if kinds == {"int"} else wrap_long(r)
    except (DivisionByZero, InvalidOperation, ZeroDivisionError, OverflowError):
        raise RenderError(f"Could not perform {_WORDS[op]}") from None


def _float_op(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        if y == 0:
            if x == 0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1, y)
        return x / y
    if y == 0:
        return math.nan
    return math.fmod(x, y)


def add(a, b):
    if isinstance(a, list) and not isinstance(a, JArray):
        if isinstance(b, (list, tuple, set)):
            a.extend(b)
        else:
            a.append(b)
        return a
    if isinstance(a, str) or isinstance(b, str):
        return to_string(a) + to_string(b)
    return _arith("+", a, b)


def sub(a, b):
    if isinstance(a, list) and not isinstance(a, JArray):
        if isinstance(b, (list, tuple, set)):
            a[:] = [x for x in a if not any(java_equals(x, y) for y in b)]
        else:
            for i, x in enumerate(a):
                if java_equals(x, b):
                    del a[i]
                    break
        return a
    return _arith("-", a, b)


def mul(a, b):
    return _arith("*", a, b)


def div(a, b):
    return _arith("/", a, b)


def mod(a, b):
    return _arith("%", a, b)


def neg(a):
    if not is_number(a):
        raise RenderError("Could not perform multiplication")
    return _arith("*", -1, a)


def pos(a):
    if not is_number(a):
        raise RenderError("Could not perform multiplication")
    return _arith("*", 1, a)


def concat(a, b) -> str:
    """`~`: Java toString of both sides, null as empty."""
    return ("" if a is None else to_string(a)) + ("" if b is None else to_string(b))


# --------------------------------------------------------------------------- comparisons


def eq(a, b) -> bool:
    if is_number(a) and is_number(b):
        return float(a) == float(b)
    return java_equals(a, b)


def ne(a, b) -> bool:
    return not eq(a, b)


def _ordered(a, b, word: str) -> tuple[float, float] | None:
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        return float(a), float(b)
    raise RenderError(f"Could not perform {word} comparison")


def lt(a, b) -> bool:
    pair = _ordered(a, b, "less than")
    return pair is not None and pair[0] < pair[1]


def gt(a, b) -> bool:
    pair = _ordered(a, b, "greater than")
    return pair is not None and pair[0] > pair[1]


def le(a, b) -> bool:
    pair = _ordered(a, b, "less than or equal")
    return pair is not None and pair[0] <= pair[1]


def ge(a, b) -> bool:
    pair = _ordered(a, b, "greater than or equal")
    return pair is not None and pair[0] >= pair[1]


def contains(a, b) -> bool:
    if a is None:
        return False
    if isinstance(a, dict):
        return any(java_equals(k, b) for k in a)
    if isinstance(a, (list, tuple, set)):
        if isinstance(b, (list, tuple, set)) and not isinstance(a, JArray):
            return all(any(java_equals(x, y) for x in a) for y in b)
        return any(java_equals(x, b) for x in a)
    if isinstance(a, str):
        return to_string(b) in a
    raise RenderError(
        f"Contains operator can only be used on Collections, Maps and arrays. Actual type was: {class_name(a)}"
    )


def is_in(a, b) -> bool:
    """Kestra's `isIn` (0.22+): the left value's text equals the text of an element of a
    list, or of a key or value of a map."""
    text = to_string(a)
    if isinstance(b, dict):
        return any(to_string(x) == text for pair in b.items() for x in pair)
    if isinstance(b, (list, tuple, set)):
        return any(to_string(x) == text for x in b)
    raise RenderError(f"isIn can only be used on lists and maps. Actual type was: {class_name(b)}")


# --------------------------------------------------------------------------- truthiness


def _truth(v, where: str) -> bool:
    if isinstance(v, bool):
        return v
    if v is None:
        raise RenderError(f"null value {where} and strict variables is set to true")
    if is_number(v):
        f = float(v)
        return f != 0 or math.isnan(f)
    if isinstance(v, str):
        return v != ""
    raise RenderError(f"{class_name(v)} cannot be cast to java.lang.Boolean")


def test_if(v) -> bool:
    """`{% if %}` / `{% elseif %}`"""
    return _truth(v, "used in if tag")


def test_ternary(v) -> bool:
    return False if v is None else _truth(v, "used in ternary")


def not_(v) -> bool:
    return not _truth(v, "given to not()")


def truth_and(v) -> bool:
    return _truth(v, "used in and operator")


def truth_or(v) -> bool:
    return _truth(v, "used in or operator")


# --------------------------------------------------------------------------- range


def range_(start, end):
    """`a..b`: the same as `range(a, b)`."""
    from .signatures import FUNCTIONS

    return FUNCTIONS["range"].fn(start, end, 1)


# --------------------------------------------------------------------------- attribute access

_INT_KEY = re.compile(r"-?\d+")


def get(obj, key, name: str | None = None):
    """`obj.key` / `obj[key]` in strict mode: a missing key, a bad index or a null object
    raise UndefinedError."""
    label = name if name is not None else to_string(key)
    if obj is None:
        raise UndefinedError(label)
    if isinstance(obj, MapEntry) and key in ("key", "value"):
        return obj[0] if key == "key" else obj[1]
    if isinstance(obj, dict):
        if is_number(key) and not isinstance(key, bool) and obj:
            first = next(iter(obj))
            if isinstance(first, str):
                raise RenderError(f"type class java.lang.String not supported for key {to_string(key)}")
        for k in obj:
            if java_equals(k, key) or (isinstance(k, str) and isinstance(key, str) and k == key):
                return obj[k]
        if is_number(key):
            for k in obj:
                if is_number(k) and float(k) == float(key):
                    return obj[k]
        raise UndefinedError(label)
    if isinstance(obj, (list, tuple)):
        index = _index(key)
        if index is not None:
            if 0 <= index < len(obj):
                return obj[index]
            raise UndefinedError(label)
        return _member(obj, key, label)
    return _member(obj, key, label)


def _index(key) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return int(key)
    if isinstance(key, str) and _INT_KEY.fullmatch(key):
        return int(key)
    if isinstance(key, float) and key.is_integer():
        return int(key)
    return None


def _member(obj, key, label: str):
    """Java bean members the templates commonly use (getX(), isX(), x())."""
    if not isinstance(key, str):
        raise UndefinedError(label)
    getter = _MEMBERS.get((_family(obj), key.lower()))
    if getter is None:
        raise UndefinedError(label)
    return getter(obj)


def _family(obj) -> str:
    if isinstance(obj, str):
        return "string"
    if isinstance(obj, dict):
        return "dict"
    if isinstance(obj, (list, tuple, set)):
        return "collection"
    if isinstance(obj, datetime):
        return "datetime"
    if isinstance(obj, date):
        return "date"
    if isinstance(obj, time):
        return "time"
    if isinstance(obj, timedelta):
        return "duration"
    return type(obj).__name__


_MONTHS = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"]
_DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
_DATE_MEMBERS = {
    "year": lambda d: Int32(d.year),
    "monthvalue": lambda d: Int32(d.month),
    "month": lambda d: _MONTHS[d.month - 1],
    "dayofmonth": lambda d: Int32(d.day),
    "dayofyear": lambda d: Int32(d.timetuple().tm_yday),
    "dayofweek": lambda d: _DAYS[d.weekday()],
}
_TIME_MEMBERS = {
    "hour": lambda t: Int32(t.hour),
    "minute": lambda t: Int32(t.minute),
    "second": lambda t: Int32(t.second),
    "nano": lambda t: Int32(t.microsecond * 1000),
}
_MEMBERS = {
    ("string", "length"): lambda s: Int32(len(s.encode("utf-16-le")) // 2),
    ("string", "empty"): lambda s: s == "",
    ("string", "blank"): lambda s: s.strip() == "",
    ("string", "bytes"): lambda s: s.encode("utf-8"),
    ("collection", "size"): lambda c: Int32(len(c)),
    ("collection", "empty"): lambda c: len(c) == 0,
    ("duration", "seconds"): lambda d: int(d.total_seconds()),
    **{("datetime", k): f for k, f in {**_DATE_MEMBERS, **_TIME_MEMBERS}.items()},
    **{("date", k): f for k, f in _DATE_MEMBERS.items()},
    **{("time", k): f for k, f in _TIME_MEMBERS.items()},
}


def call_method(obj, name: str, args: list):
    """`obj.name(args)`: the few Java methods templates use; anything else is refused."""
    if obj is None:
        raise UndefinedError(name)
    method = _METHODS.get((_family(obj), name)) or _METHODS.get(("any", name))
    if method is None:
        raise RenderError(f"method {name}() is not supported on {class_name(obj)}")
    try:
        return method(obj, *args)
    except RenderError:
        raise
    except (TypeError, ValueError, IndexError, re.error) as e:
        raise RenderError(f"{name}() failed: {e}") from None


_METHODS = {
    ("string", "length"): lambda s: Int32(len(s)),
    ("string", "isEmpty"): lambda s: s == "",
    ("string", "isBlank"): lambda s: s.strip() == "",
    ("string", "toUpperCase"): lambda s: s.upper(),
    ("string", "toLowerCase"): lambda s: s.lower(),
    ("string", "trim"): lambda s: s.strip("".join(chr(c) for c in range(33))),
    ("string", "strip"): lambda s: s.strip(),
    ("string", "contains"): lambda s, x: to_string(x) in s,
    ("string", "startsWith"): lambda s, x: s.startswith(to_string(x)),
    ("string", "endsWith"): lambda s, x: s.endswith(to_string(x)),
    ("string", "indexOf"): lambda s, x: Int32(s.find(to_string(x))),
    ("string", "replace"): lambda s, a, b: s.replace(to_string(a), to_string(b)),
    ("string", "substring"): lambda s, a, b=None: s[int(a) : (int(b) if b is not None else None)],
    ("string", "split"): lambda s, sep: JArray(_java_split(s, to_string(sep))),
    ("string", "charAt"): lambda s, i: JChar(s[int(i)]),
    ("collection", "size"): lambda c: Int32(len(c)),
    ("collection", "isEmpty"): lambda c: len(c) == 0,
    ("collection", "get"): lambda c, i: c[int(i)],
    ("collection", "contains"): lambda c, x: any(java_equals(y, x) for y in c),
    ("dict", "size"): lambda m: Int32(len(m)),
    ("dict", "isEmpty"): lambda m: len(m) == 0,
    ("dict", "containsKey"): lambda m, k: any(java_equals(x, k) for x in m),
    ("dict", "get"): lambda m, k: next((v for x, v in m.items() if java_equals(x, k)), None),
    ("dict", "keySet"): lambda m: list(m.keys()),
    ("dict", "values"): lambda m: list(m.values()),
    ("any", "toString"): lambda o: to_string(o),
    ("any", "equals"): lambda o, x: java_equals(o, x),
}


def _java_split(s: str, regex: str) -> list[str]:
    """Java's String.split(regex): trailing empty strings removed."""
    parts = re.split(regex, s) if regex else list(s)
    if parts and parts[0] == "" and s and re.match(regex, s) and re.match(regex, s).end() > 0:
        parts = parts[1:] if len(parts) > 1 else parts
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def check_int_range(v: int) -> bool:
    return INT_MIN <= v <= INT_MAX
