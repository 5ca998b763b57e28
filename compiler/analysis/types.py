"""The types the analysis gives to values seen by expressions, read from JSON Schemas
(output schemas, trigger variables) and from the flow's literals (variables, inputs)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Type:
    kind: str  # any | string | number | integer | boolean | null | list | map
    fields: tuple = ()  # map: (name, Type) pairs, for a map whose keys are known
    closed: bool = False  # map: a key outside `fields` does not exist
    item: "Type | None" = None  # list: element type; map: type of values not in `fields`

    def field(self, name: str) -> "Type | None":
        for key, value in self.fields:
            if key == name:
                return value
        return None

    @property
    def names(self) -> list[str]:
        return [k for k, _ in self.fields]


ANY = Type("any")
STRING = Type("string")


def closed_map(fields: dict[str, Type]) -> Type:
    return Type("map", tuple(fields.items()), closed=True)


def from_schema(schema) -> Type:
    """The type a JSON Schema describes (unknown shapes are `any`)."""
    if not isinstance(schema, dict):
        return ANY
    kind = schema.get("type")
    if isinstance(kind, list):
        return ANY
    if kind == "object" or "properties" in schema:
        fields = {name: from_schema(sub) for name, sub in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties")
        closed = extra is False
        return Type("map", tuple(fields.items()), closed=closed,
                    item=from_schema(extra) if isinstance(extra, dict) else ANY)
    if kind == "array":
        return Type("list", item=from_schema(schema.get("items")))
    if kind in ("string", "number", "integer", "boolean", "null"):
        return Type(kind)
    return ANY


def from_literal(value) -> Type:
    """The type of a YAML literal (a flow variable): maps keep their keys."""
    if isinstance(value, dict):
        return Type("map", tuple((str(k), from_literal(v)) for k, v in value.items()), closed=True)
    if isinstance(value, list):
        return Type("list", item=ANY)
    if isinstance(value, bool):
        return Type("boolean")
    if isinstance(value, (int, float)):
        return Type("number")
    if value is None:
        return Type("null")
    return STRING
