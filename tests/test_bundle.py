"""`flowc schema`: one JSON Schema, usable by plain validators and editors."""
import pytest
from jsonschema import Draft7Validator

from compiler.checker import check_file
from compiler.registry import bundle, default_registry
from compiler.source import to_data

from .conftest import CORPUS, EXAMPLES


@pytest.fixture(scope="module")
def validator():
    schema = bundle(default_registry())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def flows(paths):
    for path in paths:
        for flow in check_file(path).flows:
            yield path.name, to_data(flow.node)


@pytest.mark.corpus
def test_bundle_accepts_every_valid_corpus_flow_and_example(validator):
    paths = sorted((CORPUS / "valids").glob("*.y*ml")) + sorted(EXAMPLES.glob("*.yaml"))
    failures = [(name, list(e.absolute_path), e.message) for name, data in flows(paths) for e in validator.iter_errors(data)]
    assert failures == []


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["invalid-property.yaml", "empty.yaml", "invalid.yaml", "inputs-bad-type.yaml"])
def test_bundle_rejects_schema_level_invalids(validator, name):
    (_, data), = flows([CORPUS / "invalids" / name])
    assert list(validator.iter_errors(data))


def test_every_known_type_is_in_the_bundle():
    registry = default_registry()
    schema = bundle(registry)
    for name in registry.types:
        assert f"type:{name}" in schema["$defs"]
