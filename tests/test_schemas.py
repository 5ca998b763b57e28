"""schemas/: well-formed files, one per type, consistent names and aliases."""
import json

import pytest
from jsonschema import Draft7Validator

import schemas
from compiler.registry import Registry, default_registry

TYPE_FILES = sorted((schemas.DIR / "types").glob("*.json"))


def test_flow_schema_is_draft7():
    Draft7Validator.check_schema(json.loads((schemas.DIR / "flow.schema.json").read_text()))


@pytest.mark.parametrize("path", TYPE_FILES, ids=lambda p: p.stem)
def test_type_file(path):
    raw = json.loads(path.read_text())
    Draft7Validator.check_schema(raw)
    assert raw["title"] == path.stem
    assert raw["$kind"] in ("task", "trigger", "condition", "task-runner")
    assert raw.get("description")
    assert "additionalProperties" not in raw, "the loader closes plugin objects"
    if raw["$kind"] == "task":
        assert raw["$category"] in ("runnable", "flowable", "executable")
        assert "$outputs" in raw
    if raw["$kind"] == "trigger":
        assert "$variables" in raw
    for name, prop in raw.get("properties", {}).items():
        assert prop.get("description"), f"{name} has no description"
    for name in raw.get("required", []):
        assert name in raw.get("properties", {}) or name in ("id", "type")


def test_aliases_are_unique_and_never_canonical_names():
    registry = default_registry()
    seen = {}
    for t in registry.types.values():
        for alias in t.aliases:
            assert alias not in registry.types, alias
            assert alias not in seen, f"{alias} claimed by {seen.get(alias)} and {t.name}"
            seen[alias] = t.name


def test_flowables_hold_child_tasks():
    for t in default_registry().types.values():
        if t.category == "flowable":
            assert any(s.kind == "task" for s in t.slots), t.name


def test_extra_schema_directory(tmp_path):
    (tmp_path / "com.example.Query.json").write_text(json.dumps({
        "title": "com.example.Query", "description": "An in-house query.", "$kind": "task", "$category": "runnable",
        "properties": {"sql": {"type": "string", "description": "SQL."}}, "required": ["sql"], "$outputs": {"type": "object"},
    }))
    registry = Registry(extra_dirs=(tmp_path,))
    assert registry.resolve("com.example.Query").required == ["id", "type", "sql"]
