"""T106: a list or a map printed alone in a property that needs one value (`$single`)."""
import json

import pytest

from compiler.checker import check_text
from schemas import DIR

HEAD = """id: single
namespace: company.team
inputs:
  - id: regions
    type: MULTISELECT
    values: [eu, us]
  - id: text
    type: STRING
  - id: payload
    type: JSON
variables:
  urls: ["https://a.example.com"]
  url: https://a.example.com
tasks:
  - id: extract
    type: io.kestra.plugin.scripts.shell.Commands
    outputFiles: ["*.csv"]
    commands: [echo hi]
  - id: split
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.extract.outputFiles['a.csv'] }}"
    rows: 10
"""


def _t106(task: str):
    result = check_text(HEAD + task)
    return [(d.message, d.help) for d in result.diagnostics if d.code == "T106"]


def test_every_single_value_property_is_a_rendered_string():
    found = 0
    for path in sorted((DIR / "types").glob("*.json")):
        for name, spec in json.loads(path.read_text())["properties"].items():
            if isinstance(spec, dict) and "$single" in spec:
                found += 1
                assert spec["$single"] is True and spec.get("$dynamic") is True and spec.get("type") == "string", (path.name, name)
    assert found >= 20


@pytest.mark.parametrize("task,message,help", [
    ("""  - id: t
    type: io.kestra.plugin.core.http.Request
    uri: "{{ outputs.extract.outputFiles }}"
""", "`uri` needs one value, but this is a map, which prints as JSON text: the task fails",
     "take one entry: `outputs.extract.outputFiles['key']`"),
    ("""  - id: t
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.split.uris }}"
""", "`uri` needs one value, but this is a list, which prints as JSON text: the task fails",
     "take one item: `outputs.split.uris | first` or `outputs.split.uris[0]`"),
    ("""  - id: t
    type: io.kestra.plugin.core.flow.ForEachItem
    items: |
      {{ outputs.split.uris }}
    namespace: company.team
    flowId: child
""", "`items` needs one value, but this is a list, which prints as JSON text: the task fails",
     "take one item: `outputs.split.uris | first` or `outputs.split.uris[0]`"),
    ("""  - id: t
    type: io.kestra.plugin.core.kv.Set
    key: "{{ inputs.text | split(',') }}"
    value: x
""", "`key` needs one value, but this is a list, which prints as JSON text: the task fails",
     "take one item: `inputs.text | split(',') | first` or `(inputs.text | split(','))[0]`"),
    ("""  - id: t
    type: io.kestra.plugin.core.flow.Subflow
    namespace: "{{ inputs.regions }}"
    flowId: child
""", "`namespace` needs one value, but this is a list, which prints as JSON text: the task fails",
     "take one item: `inputs.regions | first` or `inputs.regions[0]`"),
    ("""  - id: t
    type: io.kestra.plugin.jdbc.postgresql.CopyIn
    url: jdbc:postgresql://localhost:5432/db
    table: "{{ {'name': 'orders'} }}"
    from: "{{ outputs.split.uris[0] }}"
""", "`table` needs one value, but this is a map, which prints as JSON text: the task fails",
     "take one entry: `({'name': 'orders'})['key']`"),
])
def test_a_collection_where_one_value_is_needed(task, message, help):
    assert _t106(task) == [(message, help)]


@pytest.mark.parametrize("value", [
    "{{ outputs.extract.outputFiles['a.csv'] }}",  # one entry
    "{{ outputs.split.uris | first }}",
    "{{ vars.url }}",
    "{{ inputs.payload }}",  # JSON input: any value
    "{{ fromJson(inputs.text) }}",  # any value
    "{{ inputs.regions ?? 'x' }}",
    "https://example.com/?q={{ vars.urls }}",  # other text around: not one printed value
    "{% for u in vars.urls %}{{ u }}{% endfor %}",
])
def test_one_value_or_an_unknown_type_is_not_reported(value):
    task = f"""  - id: t
    type: io.kestra.plugin.core.http.Download
    uri: "{value}"
"""
    assert _t106(task) == []


def test_properties_that_print_collections_on_purpose_are_not_reported():
    task = """  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.extract.outputFiles }}"
  - id: post
    type: io.kestra.plugin.core.http.Request
    uri: https://example.com
    method: POST
    body: "{{ vars.urls }}"
  - id: concat
    type: io.kestra.plugin.core.storage.Concat
    files: "{{ outputs.split.uris }}"
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ inputs.regions }}"
    tasks:
      - id: inner
        type: io.kestra.plugin.core.log.Log
        message: "{{ taskrun.value }}"
"""
    assert _t106(task) == []


def test_a_trigger_is_named_as_such():
    task = """  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: poll
    type: io.kestra.plugin.core.http.Trigger
    uri: "{{ vars.urls }}"
"""
    assert _t106(task) == [("`uri` needs one value, but this is a list, which prints as JSON text: the trigger fails",
                            "take one item: `vars.urls | first` or `vars.urls[0]`")]
