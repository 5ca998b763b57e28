"""E002 template-not-rendered: an expression in a property Kestra takes as written, and the
`$dynamic` flags the rule (and the expression stage, and the code generator) rely on."""
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.checker import check_text
from compiler.registry import default_registry
from compiler.rules.unrendered import accepts_string, first_template

from .conftest import CORPUS, EXAMPLES


def check(body: str, select: str | None = "E002"):
    text = "id: t\nnamespace: company.team\n" + textwrap.dedent(body)
    diagnostics = check_text(text, "t.yaml").diagnostics
    return [d for d in diagnostics if select is None or d.code == select]


SCHEDULE = """\
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
"""


def test_reports_the_expression_itself_inside_the_value():
    found = check(SCHEDULE + '    timezone: "zone {{ vars.tz }} here"\n')
    assert len(found) == 1
    d = found[0]
    line = 11
    column = len('    timezone: "zone ') + 1
    assert (d.span.line, d.span.column, d.span.end_line, d.span.end_column) == (line, column, line, column + len("{{ vars.tz }}"))
    assert d.message == "`{{ vars.tz }}` in `timezone` of Schedule stays literal text: Kestra does not render this property"
    assert d.help and d.severity.value == "warning"


def test_span_in_a_block_scalar_and_in_a_list():
    found = check("""\
        tasks:
          - id: work
            type: io.kestra.plugin.core.flow.WorkingDirectory
            cache:
              patterns:
                - build/**
                - |
                  first
                  second {% if true %}x{% endif %}
            tasks:
              - id: hi
                type: io.kestra.plugin.core.log.Log
                message: hi
        """)
    assert [(d.span.line, d.span.column, d.span.end_column) for d in found] == [(11, 18, 31)]
    assert "`{% if true %}` in `cache.patterns[1]` of WorkingDirectory" in found[0].message


def test_a_raw_block_stays_literal_text_too():
    found = check(SCHEDULE + '    timezone: "{% raw %}Europe/Paris{% endraw %}"\n')
    assert len(found) == 1 and found[0].message.startswith("`{% raw %}` in `timezone`")


def test_nested_objects_conditions_and_long_expressions():
    found = check("""\
        tasks:
          - id: hi
            type: io.kestra.plugin.core.log.Log
            message: hi
        triggers:
          - id: upstream
            type: io.kestra.plugin.core.trigger.Flow
            conditions:
              - type: io.kestra.plugin.core.condition.FlowCondition
                namespace: "{{ inputs.a_rather_long_name_for_a_namespace_input }}"
                flowId: orders
            preconditions:
              id: upstream
              flows:
                - namespace: company.team
                  flowId: orders
                  labels:
                    team: "{{ vars.team }}"
        """)
    messages = sorted(d.message for d in found)
    assert len(messages) == 2
    assert messages[0].startswith("`{{ inputs.a_rather_long_name_for_a_n ...` in `namespace` of FlowCondition")
    assert messages[1].startswith("`{{ vars.team }}` in `preconditions.flows[0].labels.team` of Flow")


@pytest.mark.parametrize("body", [
    # rendered properties, whatever their place
    """\
    tasks:
      - id: hi
        type: io.kestra.plugin.core.log.Log
        message: "{{ flow.id }}"
        level: "{{ vars.level }}"
      - id: wait
        type: io.kestra.plugin.core.flow.Sleep
        duration: "{{ vars.pause }}"
      - id: call
        type: io.kestra.plugin.core.http.Request
        uri: https://example.com
        options:
          basicAuthUser: "{{ secret('USER') }}"
          auth:
            type: BASIC
            username: "{{ secret('USER') }}"
    """,
    # descriptions, flow-level places, common task and trigger properties
    """\
    description: "{{ flow.id }}"
    labels:
      team: "{{ flow.namespace }}"
    variables:
      a: "{{ flow.id }}"
    tasks:
      - id: hi
        type: io.kestra.plugin.core.log.Log
        description: "{{ flow.id }}"
        message: hi
        runIf: "{{ true }}"
    outputs:
      - id: o
        type: STRING
        value: "{{ flow.id }}"
    """,
    # unknown plugins, values evaluated by the task itself, values rendered elsewhere
    """\
    tasks:
      - id: other
        type: io.kestra.plugin.custom.Thing
        cron: "{{ flow.id }}"
      - id: filter
        type: io.kestra.plugin.core.storage.FilterItems
        from: kestra:///file.ion
        filterCondition: "{{ value > 1 }}"
      - id: call
        type: io.kestra.plugin.core.flow.Subflow
        namespace: company.team
        flowId: child
        outputs:
          total: "{{ outputs.sum.value }}"
    """,
    # shared definitions: a Pause's resume inputs, a condition's labels
    """\
    tasks:
      - id: approve
        type: io.kestra.plugin.core.flow.Pause
        onResume:
          - id: reason
            type: STRING
            defaults: "{{ flow.id }}"
    triggers:
      - id: upstream
        type: io.kestra.plugin.core.trigger.Flow
        conditions:
          - type: io.kestra.plugin.core.condition.ExecutionLabels
            labels:
              team: "{{ vars.team }}"
    """,
    # plugin defaults are applied to tasks, not reported where they are written
    """\
    tasks:
      - id: hi
        type: io.kestra.plugin.core.log.Log
        message: hi
    pluginDefaults:
      - type: io.kestra.plugin.core.trigger.Schedule
        values:
          timezone: "{{ vars.tz }}"
    """,
])
def test_silent_where_kestra_renders_or_flowc_cannot_be_sure(body):
    assert check(body) == []


def test_an_expression_in_a_typed_property_is_a_type_error_only():
    body = """\
    tasks:
      - id: loop
        type: io.kestra.plugin.core.flow.ForEach
        values: [1, 2]
        concurrencyLimit: "{{ vars.n }}"
        tasks:
          - id: hi
            type: io.kestra.plugin.core.log.Log
            message: hi
      - id: sub
        type: io.kestra.plugin.core.flow.Subflow
        namespace: company.team
        flowId: child
        revision: "{{ vars.rev }}"
    """
    found = check(body, select=None)
    assert not [d for d in found if d.code == "E002"]
    typed = [d for d in found if d.code == "S103"]
    assert len(typed) == 2
    assert all("does not render" in d.help for d in typed)


def test_unknown_property_is_reported_once_as_unknown():
    found = check(SCHEDULE + '    timezon: "{{ vars.tz }}"\n', select=None)
    assert [d.code for d in found] == ["S101"]


def test_rule_doc_is_printed():
    result = subprocess.run([sys.executable, "-m", "compiler", "rule", "E002"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("# E002 template-not-rendered") and "## Use instead" in result.stdout


def test_first_template():
    assert first_template("plain") is None
    assert first_template("a {{ b }} c {% d %}") == (2, 9)
    assert first_template("{% if x %}{{ y }}") == (0, 10)
    assert first_template("open {{ never closed") == (5, 20)
    assert first_template("{# a comment is not an expression #}") is None


@given(st.text(alphabet="ab{}%# ", max_size=30))
def test_first_template_points_at_an_opener(text):
    found = first_template(text)
    if found is None:
        assert "{{" not in text and "{%" not in text
    else:
        start, end = found
        assert text[start:start + 2] in ("{{", "{%") and start + 2 <= end <= len(text)
        assert "{{" not in text[:start] and "{%" not in text[:start + 1]


def test_accepts_string():
    assert accepts_string({"type": "string"}) and accepts_string({}) and accepts_string({"type": ["string", "null"]})
    assert not accepts_string({"type": "integer"}) and not accepts_string({"enum": ["A", "B"]})
    assert accepts_string({"anyOf": [{"type": "integer"}, {"type": "string"}]})
    assert not accepts_string({"anyOf": [{"type": "integer"}, {"type": "boolean"}]})


# Flags checked against Kestra's source (see the commit that set them): a regression guard.
FLAGS = [
    ("io.kestra.plugin.core.flow.Sleep", ("duration",), True),  # Property<Duration>
    ("io.kestra.plugin.core.flow.Dag", ("concurrent",), True),  # Property<Integer>
    ("io.kestra.plugin.core.flow.Parallel", ("concurrent",), True),  # Property<Integer>
    ("io.kestra.plugin.core.log.Log", ("level",), True),  # Property<Level>
    ("io.kestra.plugin.core.flow.Subflow", ("revision",), False),  # Integer, used as written
    ("io.kestra.plugin.core.flow.Subflow", ("wait",), False),
    ("io.kestra.plugin.core.trigger.Schedule", ("cron",), False),
    ("io.kestra.plugin.core.trigger.Schedule", ("timezone",), False),
    ("io.kestra.plugin.core.trigger.Flow", ("window", "timezone"), False),  # @TimezoneId String
    ("io.kestra.plugin.core.trigger.Flow", ("dependsOn", "[]", "when"), True),  # Property<String>
    ("io.kestra.plugin.core.trigger.Flow", ("preconditions", "where", "[]", "filters", "[]", "value"), True),  # rendered for EXPRESSION
    ("io.kestra.plugin.core.trigger.Webhook", ("responseContentType",), False),
    ("io.kestra.plugin.core.http.Request", ("options", "auth", "type"), False),  # the subtype key
    ("io.kestra.plugin.core.http.Request", ("options", "auth", "password"), True),
    ("io.kestra.plugin.core.http.Trigger", ("options", "basicAuthPassword"), True),
    ("io.kestra.plugin.core.flow.WorkingDirectory", ("cache", "patterns"), False),
    ("io.kestra.plugin.core.flow.WorkingDirectory", ("inputFiles",), True),
    ("io.kestra.plugin.scripts.python.Script", ("interpreter",), True),
]


@pytest.mark.parametrize("type_name,path,dynamic", FLAGS, ids=lambda v: v if isinstance(v, str) else None)
def test_dynamic_flags(type_name, path, dynamic):
    schema = default_registry().types[type_name].raw
    for step in path:
        schema = schema["items"] if step == "[]" else schema["properties"][step]
    assert bool(schema.get("$dynamic")) is dynamic


@pytest.mark.corpus
def test_kestra_valid_flows_and_examples_get_no_e002():
    paths = sorted(CORPUS.glob("valids/*.y*ml")) + sorted(EXAMPLES.glob("*.yaml"))
    assert paths
    for path in paths:
        found = [d for d in check_text(path.read_text("utf-8"), str(path)).diagnostics if d.code == "E002"]
        assert found == [], path
