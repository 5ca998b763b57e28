"""The tests of `x is name` / `x is not name` available in Kestra (pebble.md §4.4).

None of them declares argument names (`params=None`): arguments are accepted and ignored.
The engine passes `UNDEFINED` to `defined` when the tested operand chain was undefined;
`is not` is the negation of the same call.
"""
from __future__ import annotations

import json

from .errors import RenderError
from .filters_core import cast_error, is_collection, is_empty, is_java_string
from .signatures import test
from .values import LONG_MAX, LONG_MIN, UNDEFINED, JArray

_PRIMITIVES = {"boolean", "byte", "char", "short", "int", "long", "float", "double"}


@test("defined", params=None)
def defined(value, *_) -> bool:
    """True for any value that exists and is not null."""
    return value is not None and value is not UNDEFINED


@test("null", params=None)
def null(value, *_) -> bool:
    """True for null."""
    return value is None


@test("empty", params=None)
def empty(value, *_) -> bool:
    """True for null, a blank string, an empty collection or map (arrays never are)."""
    return is_empty(value)


def _parity(value, name: str) -> int:
    if value is None:
        raise RenderError(f'Can not pass null value to "{name}" test.')
    if isinstance(value, bool) or not isinstance(value, int) or not LONG_MIN <= value <= LONG_MAX:
        raise cast_error(value, "java.lang.Long")
    return value % 2


@test("even", params=None, input="integer")
def even(value, *_) -> bool:
    """True for an even Integer or Long; other numbers fail."""
    return _parity(value, "even") == 0


@test("odd", params=None, input="integer")
def odd(value, *_) -> bool:
    """True for an odd Integer or Long; other numbers fail."""
    return _parity(value, "odd") == 1


@test("iterable", params=None)
def iterable(value, *_) -> bool:
    """True for a collection or an object array (not for a map or a string)."""
    if isinstance(value, JArray):
        return value.component not in _PRIMITIVES
    return is_collection(value)


@test("map", params=None)
def map_(value, *_) -> bool:
    """True for a map."""
    return isinstance(value, dict)


class _NotJson(ValueError):
    pass


def _reject_constant(name: str):
    raise _NotJson(name)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_JSON_SPACE = " \t\n\r"


def _reads_as_json(text: str) -> bool:
    """Whether Jackson's readTree accepts the text: one JSON value (empty text reads as a
    missing node); what follows it is ignored, except that a root number must be followed
    by whitespace and true/false/null by a non-identifier character."""
    text = text.lstrip(_JSON_SPACE)
    if not text:
        return True
    try:
        value, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return False
    rest = text[end:]
    if not rest:
        return True
    if value is None or isinstance(value, bool):
        return not (rest[0].isalnum() or rest[0] == "_")
    if isinstance(value, (int, float)):
        return rest[0] in _JSON_SPACE
    return True


@test("json", params=None, input="string")
def json_(value, *_) -> bool:
    """True when the string parses as a JSON value; non-strings fail."""
    if value is None:
        raise RenderError('argument "content" is null')
    if not is_java_string(value):
        raise cast_error(value, "java.lang.String")
    return _reads_as_json(value)
