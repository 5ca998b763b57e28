"""Python stand-ins for the Java values Kestra's expressions see.

Most Java values map to plain Python values: String -> str, Long and BigInteger -> int,
Double -> float, BigDecimal -> Decimal, Boolean -> bool, null -> None, List -> list,
LinkedHashMap -> dict, ZonedDateTime/OffsetDateTime -> aware datetime, LocalDateTime ->
naive datetime, LocalDate -> date, LocalTime -> time, Duration -> timedelta. Where Java's
behaviour depends on a finer type, a subclass carries it:

- `Int32` (Integer): what JSON parsing, INT inputs and `length` produce; arithmetic on two
  Integers wraps at 32 bits, and Java's `equals` tells Integer 1 from Long 1;
- `Float32` (Float): FLOAT inputs; prints with float precision;
- `JChar` (Character): `first`/`last` of a string; never equal to a String;
- `JArray` (a Java array such as `split`'s String[]);
- `Instant`: an aware UTC datetime that prints as an Instant;
- `JavaHashMap`: a dict iterated in Java HashMap order (map literals, `merge`);
- `URI`: a java.net.URI (prints as is).
"""
from __future__ import annotations

import math
import struct
from datetime import date, datetime, time, timedelta
from decimal import Decimal

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


class Int32(int):
    """java.lang.Integer"""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Int32({int(self)})"


class Float32(float):
    """java.lang.Float: the value is rounded to single precision."""

    __slots__ = ()

    def __new__(cls, value=0.0):
        return super().__new__(cls, to_float32(float(value)))

    def __repr__(self) -> str:
        return f"Float32({float(self)!r})"


def to_float32(x: float) -> float:
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


class JChar(str):
    """java.lang.Character: a one-character string that never equals a String."""

    __slots__ = ()

    def __eq__(self, other) -> bool:
        return isinstance(other, JChar) and str.__eq__(self, other)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(("char", str(self)))


class JArray(list):
    """A Java array (`split` returns a String[])."""

    __slots__ = ("component",)

    def __init__(self, items=(), component: str = "java.lang.String") -> None:
        super().__init__(items)
        self.component = component


class Instant(datetime):
    """java.time.Instant: a UTC instant."""


class MapEntry(tuple):
    """A java.util.Map.Entry (what `for e in map` yields): `e.key`, `e.value`."""

    __slots__ = ()

    @property
    def key(self):
        return self[0]

    @property
    def value(self):
        return self[1]


class URI(str):
    """java.net.URI"""

    __slots__ = ()


def wrap_long(n: int) -> int:
    """Java long arithmetic wraps around at 64 bits."""
    return ((n - LONG_MIN) % 2**64) + LONG_MIN


def wrap_int(n: int) -> int:
    return ((n - INT_MIN) % 2**32) + INT_MIN


def boxed_int(n: int) -> int:
    """The boxed type Jackson picks for a whole number: Integer, else Long/BigInteger (int)."""
    return Int32(n) if INT_MIN <= n <= INT_MAX else n


def join_surrogates(s: str) -> str:
    """Java strings are UTF-16: an escaped surrogate pair is one character."""
    if any("\ud800" <= c <= "\udfff" for c in s):
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return s


# --------------------------------------------------------------------------- Java HashMap order


def java_string_hash(s: str) -> int:
    h = 0
    data = s.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] | (data[i + 1] << 8))) & 0xFFFFFFFF
    return h


def java_hash(key) -> int:
    """hashCode() of a map key, as an unsigned 32-bit value."""
    if isinstance(key, bool):
        return 1231 if key else 1237
    if isinstance(key, int):
        v = key & 0xFFFFFFFFFFFFFFFF
        return (v ^ (v >> 32)) & 0xFFFFFFFF
    if isinstance(key, float):
        bits = struct.unpack(">q", struct.pack(">d", key))[0] & 0xFFFFFFFFFFFFFFFF
        return (bits ^ (bits >> 32)) & 0xFFFFFFFF
    if key is None:
        return 0
    return java_string_hash(str(key))


def hashmap_capacity(size: int, initial: int = 16) -> int:
    """The table size of a `new HashMap<>(initial)` once `size` keys were put in it: the
    initial capacity rounded up to a power of two, doubled whenever it is more than 75% full."""
    capacity = 1
    while capacity < initial:
        capacity *= 2
    while size > capacity * 0.75:
        capacity *= 2
    return capacity


def hashmap_order(keys: list, capacity: int | None = None) -> list:
    """The iteration order of a java.util.HashMap holding `keys` (inserted in that order)."""
    n = len(keys)
    if capacity is None:
        capacity = 1
        while capacity * 0.75 < n:
            capacity *= 2
        capacity = max(capacity, 1)
    buckets: dict[int, list] = {}
    for k in keys:
        h = java_hash(k)
        h ^= h >> 16
        buckets.setdefault(h & (capacity - 1), []).append(k)
    return [k for b in sorted(buckets) for k in buckets[b]]


class JavaHashMap(dict):
    """A dict whose iteration order is java.util.HashMap's."""

    @classmethod
    def of(cls, items: list[tuple], capacity: int | None = None) -> "JavaHashMap":
        plain: dict = {}
        for k, v in items:
            plain[k] = v
        ordered = hashmap_order(list(plain), capacity)
        return cls((k, plain[k]) for k in ordered)


# --------------------------------------------------------------------------- type names


def is_number(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def class_name(v) -> str | None:
    """The Java class Kestra would report for `v` (`className` filter)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "java.lang.Boolean"
    if isinstance(v, Int32):
        return "java.lang.Integer"
    if isinstance(v, int):
        return "java.lang.Long" if LONG_MIN <= v <= LONG_MAX else "java.math.BigInteger"
    if isinstance(v, Float32):
        return "java.lang.Float"
    if isinstance(v, float):
        return "java.lang.Double"
    if isinstance(v, Decimal):
        return "java.math.BigDecimal"
    if isinstance(v, JChar):
        return "java.lang.Character"
    if isinstance(v, URI):
        return "java.net.URI"
    if isinstance(v, str):
        return "java.lang.String"
    if isinstance(v, JArray):
        return f"[L{v.component};"
    if isinstance(v, list):
        return "java.util.ArrayList"
    if isinstance(v, JavaHashMap):
        return "java.util.HashMap"
    if isinstance(v, dict):
        return "java.util.LinkedHashMap"
    if isinstance(v, Instant):
        return "java.time.Instant"
    if isinstance(v, datetime):
        return "java.time.ZonedDateTime" if v.tzinfo else "java.time.LocalDateTime"
    if isinstance(v, date):
        return "java.time.LocalDate"
    if isinstance(v, time):
        return "java.time.LocalTime"
    if isinstance(v, timedelta):
        return "java.time.Duration"
    return type(v).__name__


def java_equals(a, b) -> bool:
    """Java's `equals`: type-sensitive (Integer 1 != Long 1, Character != String)."""
    if a is None or b is None:
        return a is None and b is None
    if is_number(a) or is_number(b):
        if not (is_number(a) and is_number(b)):
            return False
        if class_name(a) != class_name(b):
            return False
        if isinstance(a, Decimal):
            return a == b and a.as_tuple().exponent == b.as_tuple().exponent
        return a == b
    if isinstance(a, JChar) or isinstance(b, JChar):
        return isinstance(a, JChar) and isinstance(b, JChar) and str.__eq__(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(java_equals(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            match = [bk for bk in b if java_equals(k, bk)]
            if not match or not java_equals(v, b[match[0]]):
                return False
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and a == b if not (isinstance(a, str) and isinstance(b, str)) else str.__eq__(a, b)


# What the engine passes to `default` and `defined` when their operand was undefined.
UNDEFINED = type("Undefined", (), {"__repr__": lambda self: "UNDEFINED", "__bool__": lambda self: False})()
