"""A jq interpreter for Kestra's `jq` filter: the subset of jq 1.6 that jackson-jq (the
library Kestra calls) implements, with its Java number types, ordering and error texts.

A program is parsed into evaluation nodes, generator functions `(input, env) -> outputs`
that the parser composes; `run_jq` parses a program and runs it on a value.
"""
from __future__ import annotations

import functools
import itertools
import json
import math
import re
from decimal import Decimal
from typing import Callable, Iterator

from .errors import LimitError, RenderError
from .java import MAX_TEXT, _entries, _is_string, _parse_double
from .printing import java_number, json_string, to_json, to_string
from .values import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, Int32, MapEntry, class_name, wrap_int, wrap_long


# --------------------------------------------------------------------------- jq: values


class _JqError(Exception):
    """A jq runtime error (what `?` and `try` catch); `value` is the error's jq value."""

    def __init__(self, message, value=None) -> None:
        super().__init__(message)
        self.value = message if value is None else value


class _JqSyntax(Exception):
    """The jq program does not parse."""


class _JqUnsupported(Exception):
    """A jq construct flowc does not implement."""


def _unsupported(what: str) -> _JqUnsupported:
    return _JqUnsupported(f"the jq feature {what} is not supported by flowc")


def _jtype(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float, Decimal)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _is_num(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _integral(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _truthy(v) -> bool:
    return v is not None and v is not False


def _f(v) -> float:
    """JsonNode.asDouble"""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def _clamped(x: float, low: int, high: int) -> int:
    """Java's `(int)`/`(long)` cast of a double: truncation, saturation, NaN is 0."""
    if math.isnan(x):
        return 0
    return high if x >= high else low if x <= low else int(x)


def _as_long(v) -> int:
    return wrap_long(int(v)) if isinstance(v, (int, Decimal)) else _clamped(_f(v), LONG_MIN, LONG_MAX)


def _as_int(v) -> int:
    return wrap_int(int(v)) if isinstance(v, (int, Decimal)) else _clamped(_f(v), INT_MIN, INT_MAX)


def _jlong(n: int):
    """jackson-jq's asNumericNode(long): an Integer when it fits."""
    return Int32(n) if INT_MIN <= n <= INT_MAX else n


def _jnum(x: float):
    """jackson-jq's asNumericNode(double): an Integer or Long when integral, else a Double."""
    if math.isfinite(x) and x == int(x):
        n = int(x)
        if LONG_MIN <= n <= LONG_MAX:
            return _jlong(n)
        if n == 2**63:
            return LONG_MAX
    return float(x)


def _jq_text(v) -> str:
    """Jackson's compact JSON of a jq value (null fields kept)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return json_string(java_number(v))
    if _is_num(v):
        return java_number(v)
    if isinstance(v, str):
        return json_string(v)
    if isinstance(v, list):
        return "[" + ",".join(map(_jq_text, v)) + "]"
    return "{" + ",".join(f"{json_string(k)}:{_jq_text(x)}" for k, x in v.items()) + "}"


def _describe(v) -> str:
    text = _jq_text(v)
    return f"{_jtype(v)} ({text if len(text) <= 11 else text[:10] + '...'})"


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def _sign(n: float) -> int:
    return (n > 0) - (n < 0)


_TYPE_ORDER = {"null": 0, "boolean": 1, "number": 2, "string": 3, "array": 4, "object": 5}


def _cmp(a, b) -> int:
    """jq's total order: null < false < true < numbers < strings < arrays < objects."""
    ta, tb = _jtype(a), _jtype(b)
    if ta != tb:
        return _sign(_TYPE_ORDER[ta] - _TYPE_ORDER[tb])
    if ta == "boolean":
        return _sign(a - b)
    if ta == "number":
        x, y = _f(a), _f(b)
        return -1 if math.isnan(x) else 1 if math.isnan(y) else _sign(x - y) if x != y else 0
    if ta == "string":
        x, y = _utf16(a), _utf16(b)
        return (x > y) - (x < y)
    if ta == "array":
        for x, y in zip(a, b):
            if r := _cmp(x, y):
                return r
        return _sign(len(a) - len(b))
    if ta == "object":
        ka, kb = sorted(a, key=_utf16), sorted(b, key=_utf16)
        if r := _cmp(ka, kb):
            return r
        for k in ka:
            if r := _cmp(a[k], b[k]):
                return r
    return 0


_sort_key = functools.cmp_to_key(_cmp)


def _json_int(text: str):
    n = int(text)
    return _jlong(n) if LONG_MIN <= n <= LONG_MAX else n


def _reject_constant(name: str):
    raise ValueError(f"Non-standard token '{name}'")


def _read_json(text: str, floats=float):
    """Jackson's readTree: integers become Integer, Long or BigInteger, decimals Double;
    blank text is the missing node (null here); a root scalar must end its token."""
    body = text.lstrip(" \t\r\n")
    if not body:
        return None
    decoder = json.JSONDecoder(parse_int=_json_int, parse_float=floats, parse_constant=_reject_constant)
    value, end = decoder.raw_decode(body)
    rest = body[end:]
    if rest and not isinstance(value, (str, list, dict)) and (rest[0].isalnum() or rest[0] in "._-+"):
        raise ValueError(f"Unexpected character {rest[0]!r} after a root value")
    return value


def _strip_zeros(d: Decimal) -> Decimal:
    """BigDecimal.stripTrailingZeros (Jackson normalises decimals it puts in a tree)."""
    if not d:
        return Decimal(0)
    sign, digits, exponent = d.as_tuple()
    while len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return Decimal((sign, digits, exponent))


def _to_tree(v):
    """Kestra's mapper `valueToTree`: JSON data with Java number types kept, null map values
    dropped, dates as ISO strings, durations as decimal seconds."""
    if v is None or isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, Decimal):
        return _strip_zeros(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, (dict, MapEntry)):
        return {k: _to_tree(x) for k, x in _entries(v) if x is not None}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_to_tree(x) for x in v]
    return _to_tree(_read_json(to_json(v), floats=Decimal))


# --------------------------------------------------------------------------- jq: evaluation nodes

Env = dict
Node = Callable[[object, Env], Iterator]


def _identity(v, env):
    yield v


def _const(c) -> Node:
    return lambda v, env: iter((c,))


_NULL = _const(None)


def _empty(v, env):
    return iter(())


def _pipe(first: Node, then: Node) -> Node:
    return lambda v, env: (y for x in first(v, env) for y in then(x, env))


def _comma(first: Node, second: Node) -> Node:
    return lambda v, env: itertools.chain(first(v, env), second(v, env))


def _bind(source: Node, name: str, body: Node) -> Node:
    return lambda v, env: (y for x in source(v, env) for y in body(v, {**env, name: x}))


def _variable(name: str) -> Node:
    def run(v, env):
        if name not in env:
            raise _JqError(f"${name} is not defined")
        yield env[name]

    return run


def _collect(node: Node) -> Node:
    return lambda v, env: iter(([*node(v, env)],))


def _binary(op: Callable, lhs: Node, rhs: Node) -> Node:
    """Every right output, then for each every left output (jq's order)."""
    return lambda v, env: (op(x, y) for y in rhs(v, env) for x in lhs(v, env))


def _and(lhs: Node, rhs: Node) -> Node:
    def run(v, env):
        for x in lhs(v, env):
            if _truthy(x):
                yield from (_truthy(y) for y in rhs(v, env))
            else:
                yield False

    return run


def _or(lhs: Node, rhs: Node) -> Node:
    def run(v, env):
        for x in lhs(v, env):
            if _truthy(x):
                yield True
            else:
                yield from (_truthy(y) for y in rhs(v, env))

    return run


def _alternative(lhs: Node, rhs: Node) -> Node:
    def run(v, env):
        found = False
        for x in lhs(v, env):
            if _truthy(x):
                found = True
                yield x
        if not found:
            yield from rhs(v, env)

    return run


def _negate(node: Node) -> Node:
    def negate(x):
        if not _is_num(x):
            raise _JqError(f"{_describe(x)} cannot be negated")
        return _jnum(-_f(x))

    return lambda v, env: map(negate, node(v, env))


def _if(branches: list[tuple[Node, Node]], otherwise: Node) -> Node:
    def run(v, env, i=0):
        cond, body = branches[i]
        for c in cond(v, env):
            if _truthy(c):
                yield from body(v, env)
            elif i + 1 < len(branches):
                yield from run(v, env, i + 1)
            else:
                yield from otherwise(v, env)

    return run


def _try(body: Node, handler: Node | None = None) -> Node:
    def run(v, env):
        try:
            yield from body(v, env)
        except _JqError as e:
            if handler is not None:
                yield from handler(e.value, env)

    return run


def _reduce(source: Node, name: str, init: Node, update: Node) -> Node:
    """`reduce SOURCE as $x (INIT; UPDATE)`: the accumulator becomes the last output of
    UPDATE (null when it has none) for each value of SOURCE."""

    def run(v, env):
        for acc in init(v, env):
            for x in source(v, env):
                outputs = [*update(acc, {**env, name: x})]
                acc = outputs[-1] if outputs else None
            yield acc

    return run


def _foreach(source: Node, name: str, init: Node, update: Node, extract: Node | None) -> Node:
    """`foreach SOURCE as $x (INIT; UPDATE; EXTRACT)`: every state UPDATE produces is
    emitted (through EXTRACT) and becomes the accumulator."""

    def run(v, env):
        for acc in init(v, env):
            for x in source(v, env):
                scope = {**env, name: x}
                for acc in [*update(acc, scope)]:
                    yield from extract(acc, scope) if extract else (acc,)

    return run


def _lookup(t, k):
    """`t[k]` for one container and one key (jackson-jq's path resolution)."""
    if _is_num(k):
        if isinstance(t, list):
            i = _as_int(k)
            if _f(k) != i:
                return None
            i += len(t) if i < 0 else 0
            return t[i] if 0 <= i < len(t) else None
        if t is None:
            return None
        raise _JqError(f"Cannot index {_jtype(t)} with number")
    if isinstance(k, str):
        if t is None:
            return None
        if isinstance(t, dict):
            return t.get(k)
        raise _JqError(f'Cannot index {_jtype(t)} with string "{k}"')
    if isinstance(k, list):
        raise _unsupported("indices lookup `.[array]`")
    raise _JqError(f"Cannot index {_jtype(t)} with {_jtype(k)}")


def _index(target: Node, key: Node, permissive: bool) -> Node:
    def run(v, env):
        for k in key(v, env):
            for t in target(v, env):
                try:
                    found = _lookup(t, k)
                except _JqError:
                    if permissive:
                        continue
                    raise
                yield found

    return run


def _children(v):
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return v.values()
    raise _JqError(f"Cannot iterate over {_describe(v)}")


def _iterate(target: Node, permissive: bool) -> Node:
    def run(v, env):
        for t in target(v, env):
            if isinstance(t, (list, dict)) or not permissive:
                yield from _children(t)

    return run


def _bounds(start, end, size: int) -> tuple[int, int]:
    def resolve(x, default):
        if x is None:
            return default
        i = _f(x)
        return i + size if i < 0 else i

    a, b = resolve(start, 0), resolve(end, size)
    if a >= size:
        return size, size
    a, b = max(a, 0), min(b, size)
    return (int(a), int(a)) if a > b else (int(a), math.ceil(b))


def _slice(target: Node, start: Node, end: Node, permissive: bool) -> Node:
    def run(v, env):
        for s in start(v, env):
            for e in end(v, env):
                for t in target(v, env):
                    if not all(x is None or _is_num(x) for x in (s, e)):
                        if not permissive:
                            raise _JqError(f"Start and end indices of an {_jtype(t)} slice must be numbers")
                    elif isinstance(t, (list, str)):
                        a, b = _bounds(s, e, len(t))
                        yield t[a:b]
                    elif t is None:
                        yield None
                    elif not permissive:
                        raise _JqError(f"Cannot index {_jtype(t)} with object")

    return run


def _object(fields: list[tuple[Node, Node]]) -> Node:
    def build(v, env, i, acc):
        if i == len(fields):
            yield acc
            return
        key, value = fields[i]
        for k in key(v, env):
            if not isinstance(k, str):
                raise _JqError(f"Object keys must be strings, not {_jtype(k)}")
            for x in value(v, env):
                yield from build(v, env, i + 1, {**acc, k: x})

    return lambda v, env: build(v, env, 0, {})


def _interpolate(parts: list) -> Node:
    """A string with `\\(...)` parts: text, node, text, ..., text; the last part varies slowest."""
    texts, nodes = parts[0::2], parts[1::2]

    def run(v, env):
        def fill(k, chosen):
            if k < 0:
                yield texts[0] + "".join(chosen[i] + texts[i + 1] for i in range(len(nodes)))
                return
            for x in nodes[k](v, env):
                chosen[k] = x if isinstance(x, str) else _jq_text(x)
                yield from fill(k - 1, chosen)

        return fill(len(nodes) - 1, {})

    return run


def _walk(step: Callable) -> Node:
    """Depth-first exploration without recursion: `step(x, env)` yields ("out", value) to
    produce a value and ("go", value) to explore one further."""

    def run(v, env):
        stack = [step(v, env)]
        while stack:
            if len(stack) > 100_000:
                raise LimitError("jq recursion is too deep")
            try:
                kind, x = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            if kind == "out":
                yield x
            else:
                stack.append(step(x, env))

    return run


def _recurse_all(v, env):
    """`..`: every value, parents first (nulls included)."""

    def step(x, env):
        yield "out", x
        if isinstance(x, (list, dict)):
            yield from (("go", c) for c in _children(x))

    return _walk(step)(v, env)


# --------------------------------------------------------------------------- jq: operators


def _plus(a, b):
    if _integral(a) and _integral(b):
        return _jlong(wrap_long(_as_long(a) + _as_long(b)))
    if _is_num(a) and _is_num(b):
        return _jnum(_f(a) + _f(b))
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **b}
    if a is None:
        return b
    if b is None:
        return a
    raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be added")


def _minus(a, b):
    if _integral(a) and _integral(b):
        return _jlong(wrap_long(_as_long(a) - _as_long(b)))
    if _is_num(a) and _is_num(b):
        return _jnum(_f(a) - _f(b))
    if isinstance(a, list) and isinstance(b, list):
        return [x for x in a if not any(_cmp(x, y) == 0 for y in b)]
    raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be subtracted")


def _repeat(text: str, count: float):
    if count <= 0:
        return None
    if count < 2:
        return text
    if len(text) * count > MAX_TEXT:
        raise LimitError("jq string repetition is too long")
    return text * int(count)


def _deep_merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, x in b.items():
        out[k] = _deep_merge(out[k], x) if isinstance(out.get(k), dict) and isinstance(x, dict) else x
    return out


def _times(a, b):
    if _integral(a) and _integral(b):
        return _jlong(wrap_long(_as_long(a) * _as_long(b)))
    if _is_num(a) and _is_num(b):
        return _jnum(_f(a) * _f(b))
    if isinstance(a, str) and _is_num(b):
        return _repeat(a, _f(b))
    if _is_num(a) and isinstance(b, str):
        return _repeat(b, _f(a))
    if isinstance(a, dict) and isinstance(b, dict):
        return _deep_merge(a, b)
    raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be multiplied")


def _divide(a, b):
    if _is_num(a) and _is_num(b):
        if _f(b) == 0:
            raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be divided because the divisor is zero")
        return _jnum(_f(a) / _f(b))
    if isinstance(a, str) and isinstance(b, str):
        return _split(a, b)
    raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be divided")


def _modulo(a, b):
    if not (_is_num(a) and _is_num(b)):
        raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be divided (remainder)")
    dividend, divisor = _as_long(a), _as_long(b)
    if math.isnan(_f(b)):
        return _jlong(dividend)
    if divisor == 0:
        raise _JqError(f"{_describe(a)} and {_describe(b)} cannot be divided (remainder) because the divisor is zero")
    remainder = abs(dividend) % abs(divisor)
    return _jlong(-remainder if dividend < 0 else remainder)


_COMPARISONS = {
    "==": lambda a, b: _cmp(a, b) == 0,
    "!=": lambda a, b: _cmp(a, b) != 0,
    "<": lambda a, b: _cmp(a, b) < 0,
    "<=": lambda a, b: _cmp(a, b) <= 0,
    ">": lambda a, b: _cmp(a, b) > 0,
    ">=": lambda a, b: _cmp(a, b) >= 0,
}
_ADDITIVE = {"+": _plus, "-": _minus}
_MULTIPLICATIVE = {"*": _times, "/": _divide, "%": _modulo}


# --------------------------------------------------------------------------- jq: builtins


def _simple(fn: Callable) -> Callable:
    """A builtin computing one value from its input and one value of each argument (every
    combination of the arguments' outputs, the first argument varying slowest)."""

    def factory(*args: Node) -> Node:
        def run(v, env):
            for values_ in itertools.product(*(list(a(v, env)) for a in args)):
                yield fn(v, *values_)

        return run

    return factory


def _need(v, kind: str, name: str):
    if _jtype(v) != kind:
        raise _JqError(f"{name} cannot be applied to {_describe(v)}")
    return v


def _length(v):
    if isinstance(v, (str, list, dict)):
        return Int32(len(v))
    if v is None:
        return Int32(0)
    if _is_num(v):
        return _jnum(abs(_f(v)))
    raise _JqError(f"{_describe(v)} has no length")


def _keys(v, sort: bool):
    if isinstance(v, dict):
        return sorted(v, key=_utf16) if sort else list(v)
    if isinstance(v, list):
        return [Int32(i) for i in range(len(v))]
    raise _JqError(f"{'keys' if sort else 'keys_unsorted'} cannot be applied to {_describe(v)}")


def _has(key: Node) -> Node:
    def run(v, env):
        if v is None:
            yield False
            return
        for k in key(v, env):
            if isinstance(v, dict):
                if not isinstance(k, str):
                    raise _JqError("argument 1 of has() must be string for object input")
                yield k in v
            elif isinstance(v, list):
                if not _integral(k):
                    raise _JqError("argument 1 of has() must be int for array input")
                yield 0 <= _as_int(k) < len(v)
            else:
                raise _JqError(f"has() is not applicable to {_jtype(v)}")

    return run


def _contained(needle, haystack) -> bool:
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    if isinstance(haystack, list) and isinstance(needle, list):
        return all(any(_contained(n, h) for h in haystack) for n in needle)
    if isinstance(haystack, dict) and isinstance(needle, dict):
        return all(k in haystack and _contained(x, haystack[k]) for k, x in needle.items())
    return _cmp(haystack, needle) == 0


def _contains(a, b) -> bool:
    if _jtype(a) != _jtype(b) or (isinstance(a, bool) and a != b):
        raise _JqError(f"{_describe(a)} and {_describe(b)} cannot have their containment checked")
    return _contained(b, a)


def _split(v, sep):
    if not isinstance(v, str) or not isinstance(sep, str):
        raise _JqError("split input and separator must be strings")
    if not sep:
        return list(v)
    return v.split(sep) if v else []


def _join(v, sep) -> str:
    out: list[str] = []
    for i, item in enumerate(_children(v)):
        if i and sep is not None:
            if not isinstance(sep, str):
                raise _JqError(f"{_describe(''.join(out))} and {_describe(sep)} cannot be added")
            out.append(sep)
        if isinstance(item, str):
            out.append(item)
        elif _is_num(item) or isinstance(item, bool):
            out.append(_jq_text(item))
        elif item is not None:
            raise _JqError(f"{_describe(''.join(out))} and {_describe(item)} cannot be added")
    return "".join(out)


def _to_entries(v):
    if isinstance(v, dict):
        return [{"key": k, "value": x} for k, x in v.items()]
    if isinstance(v, list):
        return [{"key": Int32(i), "value": x} for i, x in enumerate(v)]
    raise _JqError(f"{_describe(v)} has no keys")


def _from_entries(v):
    out = {}
    for entry in _children(v):
        if not isinstance(entry, dict):
            raise _JqError(f'Cannot index {_jtype(entry)} with string "key"')
        key = next((entry[n] for n in ("key", "Key", "name", "Name") if n in entry), None)
        if not isinstance(key, str):
            raise _JqError(f"Cannot use {_describe(key)} as object key")
        out[key] = next((entry[n] for n in ("value", "Value") if n in entry), None)
    return out


def _flat(v, depth: float) -> list:
    out = []
    for item in _children(v):
        out.extend(_flat(item, depth - 1) if isinstance(item, list) and depth != 0 else (item,))
    return out


def _flatten(v, depth) -> list:
    if not _is_num(depth):
        raise _JqError(f"{_describe(depth)} and number (0) cannot be compared")
    if _f(depth) < 0:
        raise _JqError("flatten depth must not be negative")
    return _flat(v, _f(depth))


def _range(start, end):
    if not (_is_num(start) and _is_num(end)):
        raise _JqError("Range bounds must be numeric")
    i, stop = _f(start), _f(end)
    while i < stop:
        yield _jnum(i)
        i += 1


def _range_step(start, end, step):
    direction = _cmp(Int32(0), step)
    current = start
    while direction and _cmp(current, end) == direction:
        yield current
        current = _plus(current, step)


def _ranges(*args: Node) -> Node:
    if len(args) == 1:
        return lambda v, env: (x for e in args[0](v, env) for x in _range(Int32(0), e))
    if len(args) == 2:
        return lambda v, env: (x for s in args[0](v, env) for e in args[1](v, env) for x in _range(s, e))
    return lambda v, env: (
        x for s in args[0](v, env) for e in args[1](v, env) for d in args[2](v, env) for x in _range_step(s, e, d)
    )


def _math(fn: Callable[[float], float], name: str):
    def apply(v):
        if not _is_num(v):
            raise _JqError(f"{_describe(v)} number required")
        try:
            return _jnum(fn(_f(v)))
        except ValueError:
            return math.nan

    return _simple(apply)


def _keyed(v, f: Node, env, name: str) -> list[tuple[list, object]]:
    return [([*f(x, env)], x) for x in _need(v, "array", name)]


def _sort_by(f: Node) -> Node:
    def run(v, env):
        yield [x for _, x in sorted(_keyed(v, f, env, "sort_by"), key=lambda p: _sort_key(p[0]))]

    return run


def _group_by(f: Node) -> Node:
    def run(v, env):
        groups: list[tuple[list, list]] = []
        for key, x in sorted(_keyed(v, f, env, "group_by"), key=lambda p: _sort_key(p[0])):
            if groups and _cmp(groups[-1][0], key) == 0:
                groups[-1][1].append(x)
            else:
                groups.append((key, [x]))
        yield [items for _, items in groups]

    return run


def _unique_by(f: Node) -> Node:
    return _pipe(_group_by(f), lambda v, env: iter(([group[0] for group in v],)))


def _extreme(f: Node, largest: bool, name: str) -> Node:
    def run(v, env):
        best = best_key = None
        for key, x in _keyed(v, f, env, name):
            if best_key is None or (_cmp(best_key, key) <= 0 if largest else _cmp(best_key, key) > 0):
                best, best_key = x, key
        yield best

    return run


def _reverse(v):
    if v is None:
        return []
    if isinstance(v, list):
        return v[::-1]
    if isinstance(v, bool):
        raise _JqError(f"{_describe(v)} has no length")
    if v == "" or v == {} or (_is_num(v) and _f(v) == 0):
        return []
    raise _JqError(f"Cannot index {_jtype(v)} with number")


def _any_all(generator: Node, condition: Node, wanted: bool) -> Node:
    def run(v, env):
        for x in generator(v, env):
            if any(_truthy(c) == wanted for c in condition(x, env)):
                yield wanted
                return
        yield not wanted

    return run


def _first(f: Node) -> Node:
    def run(v, env):
        for x in f(v, env):
            yield x
            return

    return run


def _last(f: Node) -> Node:
    def run(v, env):
        last = None
        for last in f(v, env):
            pass
        yield last

    return run


def _limit(n: Node, f: Node) -> Node:
    def run(v, env):
        for count in n(v, env):
            if _cmp(count, Int32(0)) < 0:
                yield from f(v, env)
                continue
            remaining = _f(count)
            for x in f(v, env):
                if remaining < 1:
                    break
                remaining -= 1
                yield x

    return run


def _nth(n: Node, f: Node) -> Node:
    def run(v, env):
        for i in n(v, env):
            if _cmp(i, Int32(0)) < 0:
                raise _JqError("nth doesn't support negative indices")
            yield from _last(_limit(_const(_plus(i, Int32(1))), f))(v, env)

    return run


_NOTHING = object()


def _map_values(f: Node) -> Node:
    """`.[] |= f`: each value replaced by the first output of f, or removed when f has none."""

    def run(v, env):
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                for y in f(x, env):
                    out[k] = y
                    break
            yield out
            return
        current = list(_children(v))
        for i in range(len(v)):
            y = next(f(current[i] if i < len(current) else None, env), _NOTHING)
            if y is not _NOTHING:
                current.extend([None] * (i + 1 - len(current)))
                current[i] = y
            elif i < len(current):
                del current[i]
        yield current

    return run


def _recurse(f: Node | None = None, cond: Node | None = None) -> Node:
    def step(x, env):
        yield "out", x
        children = f(x, env) if f else iter(x if isinstance(x, list) else x.values() if isinstance(x, dict) else ())
        for child in children:
            if any(map(_truthy, cond(child, env))) if cond else child is not None:
                yield "go", child

    return _walk(step)


def _until(cond: Node, update: Node) -> Node:
    """`until(cond; update)`: apply update until cond holds, then emit."""

    def step(x, env):
        for c in cond(x, env):
            if _truthy(c):
                yield "out", x
            else:
                yield from (("go", y) for y in update(x, env))

    return _walk(step)


def _while(cond: Node, update: Node) -> Node:
    """`while(cond; update)`: emit and apply update as long as cond holds."""

    def step(x, env):
        for c in cond(x, env):
            if _truthy(c):
                yield "out", x
                yield from (("go", y) for y in update(x, env))

    return _walk(step)


def _error(message: Node | None = None) -> Node:
    def run(v, env):
        for m in message(v, env) if message else (v,):
            raise _JqError(m if isinstance(m, str) else _jq_text(m), m)
        yield from ()

    return run


def _fromjson(v):
    if not isinstance(v, str):
        raise _JqError(f"{_describe(v)} cannot be parsed as JSON")
    try:
        return _read_json(v)
    except ValueError as e:
        raise _JqError(f"{v} cannot be parsed as JSON: {e}") from None


def _tonumber(v):
    if _is_num(v):
        return v
    if isinstance(v, str):
        try:
            return _jnum(_parse_double(v))
        except RenderError as e:
            raise _JqError(e.message) from None
    raise _JqError(f"{_describe(v)} cannot be parsed as a number")


def _string_test(name: str, test: Callable[[str, str], bool]) -> Callable:
    def apply(v, s):
        if not isinstance(v, str) or not isinstance(s, str):
            raise _JqError(f"{name}() requires string inputs")
        return test(v, s)

    return _simple(apply)


def _ascii_case(v, upper: bool) -> str:
    if not isinstance(v, str):
        raise _JqError(f"{_describe(v)} cannot be exploded")
    low, high, shift = ("a", "z", -32) if upper else ("A", "Z", 32)
    return "".join(chr(ord(c) + shift) if low <= c <= high else c for c in v)


def _implode(v) -> str:
    if not isinstance(v, list) or not all(_is_num(c) for c in v):
        raise _JqError(f"{_describe(v)} cannot be imploded")
    return "".join(chr(_as_int(c)) for c in v)


def _both_strings(a, b) -> bool:
    return isinstance(a, str) and isinstance(b, str)


def _of_type(*types: str) -> Callable:
    return lambda: lambda v, env: iter((v,) if _jtype(v) in types else ())


_EACH = _iterate(_identity, False)
_TO_ENTRIES, _FROM_ENTRIES = _simple(_to_entries)(), _simple(_from_entries)()

_BUILTINS: dict[tuple[str, int], Callable[..., Node]] = {
    ("empty", 0): lambda: _empty,
    ("not", 0): _simple(lambda v: not _truthy(v)),
    ("length", 0): _simple(_length),
    ("utf8bytelength", 0): _simple(
        lambda v: Int32(len(_need(v, "string", "utf8bytelength").encode("utf-8", "replace")))
    ),
    ("type", 0): _simple(_jtype),
    ("keys", 0): _simple(lambda v: _keys(v, True)),
    ("keys_unsorted", 0): _simple(lambda v: _keys(v, False)),
    ("values", 0): _of_type("boolean", "number", "string", "array", "object"),
    ("nulls", 0): _of_type("null"),
    ("booleans", 0): _of_type("boolean"),
    ("numbers", 0): _of_type("number"),
    ("strings", 0): _of_type("string"),
    ("arrays", 0): _of_type("array"),
    ("objects", 0): _of_type("object"),
    ("iterables", 0): _of_type("array", "object"),
    ("scalars", 0): _of_type("null", "boolean", "number", "string"),
    ("has", 1): _has,
    ("in", 1): lambda f: lambda v, env: (y for o in f(v, env) for y in _has(_const(v))(o, env)),
    ("contains", 1): _simple(_contains),
    ("inside", 1): lambda f: lambda v, env: (_contains(b, v) for b in f(v, env)),
    ("select", 1): lambda f: lambda v, env: (v for c in f(v, env) if _truthy(c)),
    ("map", 1): lambda f: _collect(_pipe(_EACH, f)),
    ("map_values", 1): _map_values,
    ("add", 0): _simple(lambda v: functools.reduce(_plus, _children(v), None)),
    ("any", 0): lambda: _any_all(_EACH, _identity, True),
    ("any", 1): lambda c: _any_all(_EACH, c, True),
    ("any", 2): lambda g, c: _any_all(g, c, True),
    ("all", 0): lambda: _any_all(_EACH, _identity, False),
    ("all", 1): lambda c: _any_all(_EACH, c, False),
    ("all", 2): lambda g, c: _any_all(g, c, False),
    ("flatten", 0): _simple(lambda v: _flat(v, -1)),
    ("flatten", 1): _simple(_flatten),
    ("range", 1): _ranges,
    ("range", 2): _ranges,
    ("range", 3): _ranges,
    ("floor", 0): _math(math.floor, "floor"),
    ("sqrt", 0): _math(math.sqrt, "sqrt"),
    ("tostring", 0): _simple(lambda v: v if isinstance(v, str) else _jq_text(v)),
    ("tojson", 0): _simple(_jq_text),
    ("fromjson", 0): _simple(_fromjson),
    ("tonumber", 0): _simple(_tonumber),
    ("ascii_downcase", 0): _simple(lambda v: _ascii_case(v, False)),
    ("ascii_upcase", 0): _simple(lambda v: _ascii_case(v, True)),
    ("explode", 0): _simple(lambda v: [Int32(ord(c)) for c in _need(v, "string", "explode")]),
    ("implode", 0): _simple(_implode),
    ("startswith", 1): _string_test("startswith", str.startswith),
    ("endswith", 1): _string_test("endswith", str.endswith),
    ("ltrimstr", 1): _simple(lambda v, s: v[len(s) :] if _both_strings(v, s) and v.startswith(s) else v),
    ("rtrimstr", 1): _simple(lambda v, s: v[: len(v) - len(s)] if _both_strings(v, s) and v.endswith(s) else v),
    ("split", 1): _simple(_split),
    ("join", 1): _simple(_join),
    ("to_entries", 0): _simple(_to_entries),
    ("from_entries", 0): _simple(_from_entries),
    ("with_entries", 1): lambda f: _pipe(_TO_ENTRIES, _pipe(_collect(_pipe(_EACH, f)), _FROM_ENTRIES)),
    ("sort", 0): lambda: _sort_by(_identity),
    ("sort_by", 1): _sort_by,
    ("group_by", 1): _group_by,
    ("unique", 0): lambda: _unique_by(_identity),
    ("unique_by", 1): _unique_by,
    ("min", 0): lambda: _extreme(_identity, False, "min_by"),
    ("max", 0): lambda: _extreme(_identity, True, "max_by"),
    ("min_by", 1): lambda f: _extreme(f, False, "min_by"),
    ("max_by", 1): lambda f: _extreme(f, True, "max_by"),
    ("reverse", 0): _simple(_reverse),
    ("first", 0): _simple(lambda v: _lookup(v, Int32(0))),
    ("last", 0): _simple(lambda v: _lookup(v, Int32(-1))),
    ("nth", 1): lambda n: lambda v, env: (_lookup(v, i) for i in n(v, env)),
    ("first", 1): _first,
    ("last", 1): _last,
    ("limit", 2): _limit,
    ("nth", 2): _nth,
    ("recurse", 0): lambda: _recurse(),
    ("recurse", 1): lambda f: _recurse(f),
    ("recurse", 2): lambda f, c: _recurse(f, c),
    ("until", 2): _until,
    ("while", 2): _while,
    ("error", 0): lambda: _error(),
    ("error", 1): _error,
}

# --------------------------------------------------------------------------- jq: parser

_JQ_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
      (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
    | (?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
    | (?P<format>@[A-Za-z0-9_]+)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<str>")
    | (?P<op>\?//|//=|\|=|\+=|-=|\*=|/=|%=|==|!=|<=|>=|//|\.\.|[.\[\]{}()|,:;=<>+\-*/%?])
    )""",
    re.X,
)
_ASSIGNMENTS = {"=", "|=", "+=", "-=", "*=", "/=", "%=", "//=", "?//"}
_KEYWORDS = {"and", "or", "if", "then", "elif", "else", "end", "as", "catch"}
_UNSUPPORTED_KEYWORDS = {"def", "label", "import", "include", "__loc__"}
_STRING_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _merge_surrogates(s: str) -> str:
    return s.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")


class _JqParser:
    """Recursive descent over jq's grammar as jackson-jq parses it; builds evaluation nodes.

    Precedence, loosest first: `|` (and `as $x |`), `,`, `//`, `or`, `and`, comparisons,
    `+ -`, `* / %`, unary `-`, postfix accessors (`.a`, `[...]`, `?`)."""

    def __init__(self, source: str) -> None:
        self.src, self.pos = source, 0

    def parse(self) -> Node:
        node = self.pipe()
        kind, text, _ = self.peek()
        if kind != "eof":
            raise _JqSyntax(f"unexpected {text!r} at offset {self.pos}")
        return node

    # -- tokens

    def peek(self) -> tuple[str, str, int]:
        m = _JQ_TOKEN.match(self.src, self.pos)
        if m:
            return m.lastgroup, m.group(m.lastgroup), m.end()
        rest = self.src[self.pos :].lstrip(" \t\r\n")
        if not rest:
            return "eof", "", len(self.src)
        raise _JqSyntax(f"unexpected character {rest[0]!r}")

    def at(self, text: str) -> bool:
        kind, token, _ = self.peek()
        return kind in ("op", "ident") and token == text

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.pos = self.peek()[2]
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise _JqSyntax(f"expected {text!r} at offset {self.pos}")

    # -- expressions, loosest first

    def pipe(self, comma: bool = True) -> Node:
        node = self.comma() if comma else self.alternative()
        if self.accept("as"):
            name = self.variable_after_as()
            self.expect("|")
            return _bind(node, name, self.pipe(comma))
        if self.accept("|"):
            return _pipe(node, self.pipe(comma))
        return node

    def comma(self) -> Node:
        node = self.alternative()
        while self.accept(","):
            node = _comma(node, self.alternative())
        return node

    def alternative(self) -> Node:
        node = self.disjunction()
        kind, text, _ = self.peek()
        if kind == "op" and text in _ASSIGNMENTS:
            raise _unsupported(f"operator '{text}'")
        return _alternative(node, self.alternative()) if self.accept("//") else node

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.accept("or"):
            node = _or(node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.accept("and"):
            node = _and(node, self.comparison())
        return node

    def comparison(self) -> Node:
        node = self.additive()
        kind, text, end = self.peek()
        if kind == "op" and text in _COMPARISONS:
            self.pos = end
            node = _binary(_COMPARISONS[text], node, self.additive())
        return node

    def additive(self) -> Node:
        return self.level(_ADDITIVE, self.multiplicative)

    def multiplicative(self) -> Node:
        return self.level(_MULTIPLICATIVE, self.postfix)

    def level(self, table: dict, operand: Callable[[], Node]) -> Node:
        """A left-associative level of binary operators."""
        node = operand()
        while True:
            kind, text, end = self.peek()
            if kind != "op" or text not in table:
                return node
            self.pos = end
            node = _binary(table[text], node, operand())

    # -- terms

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            kind, text, end = self.peek()
            if kind == "field":
                self.pos = end
                node = _index(node, _const(text[1:]), self.accept("?"))
            elif kind == "op" and text == "[":
                self.pos = end
                node = self.bracket(node)
            elif kind == "op" and text == "." and self.after_dot(end):
                self.pos = end
                node = self.dot(node)
            elif kind == "op" and text == "?":
                self.pos = end
                node = _try(node)
            else:
                return node

    def after_dot(self, end: int) -> bool:
        """Whether the `.` ending at `end` starts an accessor (`."key"` or `.[...]`)."""
        saved, self.pos = self.pos, end
        kind, text, _ = self.peek()
        self.pos = saved
        return kind == "str" or (kind == "op" and text == "[")

    def dot(self, target: Node) -> Node:
        """After a `.`: a quoted key, a bracket, or nothing (the target itself)."""
        kind, text, end = self.peek()
        if kind == "str":
            self.pos = end
            return _index(target, self.string(), self.accept("?"))
        if kind == "op" and text == "[":
            self.pos = end
            return self.bracket(target)
        return target

    def bracket(self, target: Node) -> Node:
        """After `[`: `]` iterates, `a:b` slices, `k` indexes; a trailing `?` ignores errors."""
        if self.accept("]"):
            return _iterate(target, self.accept("?"))
        start = None if self.at(":") else self.pipe()
        if self.accept(":"):
            end = None if self.at("]") else self.pipe()
            self.expect("]")
            return _slice(target, start or _NULL, end or _NULL, self.accept("?"))
        self.expect("]")
        return _index(target, start, self.accept("?"))

    def primary(self) -> Node:
        kind, text, end = self.peek()
        if kind == "eof":
            raise _JqSyntax("unexpected end of expression")
        self.pos = end
        if kind == "num":
            if re.fullmatch(r"[0-9]+", text):
                n = int(text)
                if n > LONG_MAX:
                    raise _JqSyntax(f"number literal {text} is too large")
                return _const(_jlong(n))
            return _const(float(text))
        if kind == "str":
            return self.string()
        if kind == "field":
            return _index(_identity, _const(text[1:]), self.accept("?"))
        if kind == "var":
            return _variable(text[1:])
        if kind == "format":
            raise _unsupported(f"format {text}")
        if kind == "ident":
            return self.word(text)
        if text == ".":
            return self.dot(_identity)
        if text == "..":
            return _recurse_all
        if text == "(":
            node = self.pipe()
            self.expect(")")
            return node
        if text == "[":
            if self.accept("]"):
                return _collect(_empty)
            node = self.pipe()
            self.expect("]")
            return _collect(node)
        if text == "{":
            return self.object()
        if text == "-":
            return _negate(self.postfix())
        raise _JqSyntax(f"unexpected {text!r}")

    def word(self, name: str) -> Node:
        literals = {"true": True, "false": False, "null": None}
        if name in literals:
            return _const(literals[name])
        if name == "if":
            return self.conditional()
        if name == "try":
            body = self.pipe()
            return _try(body, self.postfix() if self.accept("catch") else None)
        if name in ("reduce", "foreach"):
            return self.fold(name)
        if name in _UNSUPPORTED_KEYWORDS:
            raise _unsupported(f"'{name}'")
        if name in _KEYWORDS:
            raise _JqSyntax(f"unexpected {name!r}")
        args = []
        if self.accept("("):
            args.append(self.pipe())
            while self.accept(";"):
                args.append(self.pipe())
            self.expect(")")
        factory = _BUILTINS.get((name, len(args)))
        if factory is None:
            raise _unsupported(f"function {name}/{len(args)}")
        return factory(*args)

    def variable_after_as(self) -> str:
        kind, text, end = self.peek()
        if kind != "var":
            raise _unsupported("destructuring") if text in ("[", "{") else _JqSyntax("expected a $variable after 'as'")
        self.pos = end
        return text[1:]

    def fold(self, keyword: str) -> Node:
        """`reduce`/`foreach SOURCE as $x (INIT; UPDATE[; EXTRACT])`."""
        source = self.postfix()
        self.expect("as")
        name = self.variable_after_as()
        self.expect("(")
        init = self.pipe()
        self.expect(";")
        update = self.pipe()
        extract = self.pipe() if keyword == "foreach" and self.accept(";") else None
        self.expect(")")
        if keyword == "reduce":
            return _reduce(source, name, init, update)
        return _foreach(source, name, init, update, extract)

    def conditional(self) -> Node:
        branches = []
        while True:
            cond = self.pipe()
            self.expect("then")
            branches.append((cond, self.pipe()))
            if not self.accept("elif"):
                break
        self.expect("else")
        otherwise = self.pipe()
        self.expect("end")
        return _if(branches, otherwise)

    def object(self) -> Node:
        fields = []
        if not self.accept("}"):
            while True:
                fields.append(self.object_field())
                if self.accept("}"):
                    break
                self.expect(",")
        return _object(fields)

    def object_field(self) -> tuple[Node, Node]:
        kind, text, end = self.peek()
        self.pos = end
        if kind == "var":
            return _const(text[1:]), _variable(text[1:])
        if kind == "ident":
            key = _const(text)
        elif kind == "str":
            key = self.string()
        elif kind == "op" and text == "(":
            key = self.pipe()
            self.expect(")")
            self.expect(":")
            return key, self.pipe(comma=False)
        else:
            raise _JqSyntax(f"unexpected {text!r} in an object")
        if self.accept(":"):
            return key, self.pipe(comma=False)
        return key, _index(_identity, key, False)

    def string(self) -> Node:
        """A string literal whose opening quote was just read; `\\(...)` interpolates."""
        parts: list = []
        chars: list[str] = []
        while True:
            if self.pos >= len(self.src):
                raise _JqSyntax("unterminated string")
            c = self.src[self.pos]
            self.pos += 1
            if c == '"':
                break
            if c in "\b\f\n\r\t":
                raise _JqSyntax("unescaped control character in a string")
            if c != "\\":
                chars.append(c)
                continue
            e = self.src[self.pos : self.pos + 1]
            self.pos += 1
            if e in _STRING_ESCAPES:
                chars.append(_STRING_ESCAPES[e])
            elif e == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", self.src[self.pos : self.pos + 4]):
                chars.append(chr(int(self.src[self.pos : self.pos + 4], 16)))
                self.pos += 4
            elif e == "(":
                parts += [_merge_surrogates("".join(chars)), self.pipe()]
                chars = []
                self.expect(")")
            else:
                raise _JqSyntax(f"invalid escape \\{e}")
        parts.append(_merge_surrogates("".join(chars)))
        return _const(parts[0]) if len(parts) == 1 else _interpolate(parts)


# --------------------------------------------------------------------------- jq: running a program


def run_jq(value, expression: str) -> list:
    """All the outputs of the jq program `expression` on `value` (a string is parsed as JSON,
    any other value converted as Kestra serialises it); every failure is a RenderError."""
    failure = f"Unable to parse jq value '{to_string(value)}' with type '{class_name(value)}'"
    try:
        program = _JqParser(expression).parse()
        tree = _read_json(value) if _is_string(value) else _to_tree(value)
        return list(program(tree, {}))
    except _JqUnsupported as e:
        raise RenderError(str(e)) from None
    except RenderError:
        raise
    except Exception as e:  # jq errors, JSON syntax, recursion: Kestra wraps them all
        raise RenderError(f"{failure}: {e}") from None
