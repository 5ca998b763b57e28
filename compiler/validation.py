"""JSON Schema validation with Kestra's reading rules.

A plain draft-07 validator, with two changes that make it agree with Kestra:

- `type` follows Jackson's coercions: a number or boolean is a string, a numeric string
  is a number, `"true"`/`"false"` are booleans;
- in a property marked `$dynamic`, a string holding an expression (`{{ }}` or `{% %}`) is
  accepted whatever the schema says: Kestra renders it at run time, and the expression
  stage checks it.
"""
from __future__ import annotations

import re

from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import ValidationError

_INT = re.compile(r"\s*[-+]?\d+\s*")
_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")


def is_expression(value) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def coerces(value, json_type: str) -> bool:
    """Whether Jackson reads `value` (from YAML) as `json_type`."""
    if json_type == "string":
        return isinstance(value, (str, int, float))
    if json_type == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, str) and bool(_INT.fullmatch(value))
    if json_type == "number":
        if isinstance(value, bool):
            return False
        return isinstance(value, (int, float)) or (isinstance(value, str) and bool(_NUMBER.fullmatch(value)))
    if json_type == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if json_type == "object":
        return isinstance(value, dict)
    if json_type == "array":
        return isinstance(value, list)
    if json_type == "null":
        return value is None
    return True


def _type(validator, types, instance, schema):
    types = [types] if isinstance(types, str) else types
    if not any(coerces(instance, t) for t in types):
        yield ValidationError(f"{instance!r} is not of type {', '.join(types)}")


_BASE = Draft7Validator.VALIDATORS
# Keywords that may reject a string: skipped for an expression in a dynamic property.
_STRING_KEYWORDS = ("type", "enum", "const", "pattern", "format", "minLength", "maxLength",
                    "anyOf", "oneOf", "allOf", "not", "if")


def _skip_expressions(keyword: str, check):
    def wrapped(validator, value, instance, schema):
        if schema.get("$dynamic") and is_expression(instance):
            return
        errors = check(validator, value, instance, schema)
        if errors:
            yield from errors

    wrapped.__name__ = f"kestra_{keyword}"
    return wrapped


_KEYWORDS = {k: _skip_expressions(k, _BASE[k]) for k in _STRING_KEYWORDS}
_KEYWORDS["type"] = _skip_expressions("type", _type)

KestraValidator = validators.extend(Draft7Validator, validators=_KEYWORDS)


def make_validator(schema: dict):
    return KestraValidator(schema)
