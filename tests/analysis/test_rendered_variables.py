"""`render(vars.x)`: a variable's template is checked in the scope of each task that renders
it, reported once at its place inside `variables:`, naming the renderer when it matters."""
from compiler.checker import check_text

HEAD = "id: rendered\nnamespace: company.team\n"


def check(body: str):
    return check_text(HEAD + body.lstrip("\n"), "f.yaml").diagnostics


def found(body: str):
    return [(d.code, d.span.line, d.span.column, d.message) for d in check(body)]


def test_output_read_before_the_task_ran_names_the_renderer_and_points_inside_variables():
    diagnostics = found("""
variables:
  data: "{{ outputs.make.value }}"
tasks:
  - id: early
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.data) }}"
  - id: make
    type: io.kestra.plugin.core.debug.Return
    format: x
  - id: late
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.data) }}"
""")
    # line 4 of the file, `make` starts at column 21 (1-based) of `  data: "{{ outputs.make.value }}"`
    assert diagnostics == [("R105", 4, 21, "`make` cannot have run before this task starts (when rendered by task `early`)")]


def test_a_problem_every_renderer_has_is_reported_once_without_a_renderer():
    diagnostics = found("""
variables:
  data: "{{ outputs.mkae.value }}"
tasks:
  - id: make
    type: io.kestra.plugin.core.debug.Return
    format: x
  - id: one
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.data) }}"
  - id: two
    type: io.kestra.plugin.core.debug.Return
    format: "{{ render(vars.data) }} {{ render(vars.data) }}"
""")
    assert diagnostics == [("R103", 4, 21, "the flow has no task `mkae`")]


def test_a_problem_of_some_renderers_only_names_them():
    diagnostics = found("""
variables:
  where: "{{ taskrun.value }}"
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [a, b]
    tasks:
      - id: inside
        type: io.kestra.plugin.core.log.Log
        message: "{{ render(vars.where) }}"
  - id: outside
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.where) }}"
  - id: outside_too
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.where) }}"
""")
    assert [(code, line, message) for code, line, _, message in diagnostics] == [
        ("R108", 4, "`taskrun.value` is not set here: the task is not in a loop (when rendered by tasks `outside` and `outside_too`)")]


def test_a_variable_no_task_renders_is_not_checked():
    assert found("""
variables:
  unused: "{{ outputs.nothing.value }} {{ inputs.nope }}"
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
""") == []


def test_the_renderers_own_variables_are_visible():
    assert found("""
variables:
  script: "cat {{ workingDir }}/in.txt"
tasks:
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    commands:
      - "{{ render(vars.script) }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.script) }}"
""") == [("R115", 4, 19, "`workingDir` is not a variable here (when rendered by task `log`)")]


def test_nested_variables_and_maps_rendered_whole():
    diagnostics = found("""
inputs:
  - id: taxi
    type: STRING
variables:
  tables:
    staging: "{{ inputs.taxy }}_staging"
    final: "{{ inputs.taxi }}"
tasks:
  - id: one
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.tables.staging) }}"
  - id: all
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars['tables']) }}"
""")
    assert [(code, line) for code, line, _, _ in diagnostics] == [("R101", 8)]


def test_render_inside_a_variable_is_followed_and_cycles_stop():
    diagnostics = found("""
variables:
  inner: "{{ outputs.later.value }}"
  outer: "[{{ render(vars.inner) }}]"
  self: "{{ render(vars.self) }} {{ render(vars.other) }}"
  other: "{{ render(vars.self) }}"
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.outer) }} {{ render(vars.self) }}"
  - id: later
    type: io.kestra.plugin.core.debug.Return
    format: x
""")
    assert [(code, line, message) for code, line, _, message in diagnostics] == [
        ("R105", 4, "`later` cannot have run before this task starts (when rendered by task `first`)")]


def test_recursive_render_renders_printed_variables_too():
    # render() renders its result again until it stops changing: `{{ vars.inner }}` printed in
    # `outer` is rendered in the task's context as well (Kestra's own `variables` test flow)
    diagnostics = found("""
variables:
  inner: "{{ inputs.missing }}"
  outer: "{{ vars.inner }} > 2"
tasks:
  - id: t
    type: io.kestra.plugin.core.debug.Return
    format: "{{ render(vars.outer) }}"
""")
    assert [(code, line) for code, line, _, _ in diagnostics] == [("R101", 4)]


def test_render_once_prints_inner_expressions_as_text():
    diagnostics = found("""
variables:
  inner: "{{ execution.id }}"
  outer: "{{ vars.inner }} > 2"
tasks:
  - id: once
    type: io.kestra.plugin.core.debug.Return
    format: "{{ renderOnce(vars.outer) }}"
  - id: not_recursive
    type: io.kestra.plugin.core.debug.Return
    format: "{{ render(vars.outer, recursive=false) }}"
""")
    assert [(code, line) for code, line, _, _ in diagnostics] == [("R116", 5)]


def test_printing_a_variable_without_render_is_still_reported_at_the_reader():
    diagnostics = found("""
variables:
  day: "{{ outputs.nothing.value }}"
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ vars.day }}"
""")
    assert [(code, line) for code, line, _, _ in diagnostics] == [("R116", 8)]


def test_render_in_a_branch_may_not_be_reached():
    diagnostics = check("""
inputs:
  - id: full
    type: BOOLEAN
variables:
  data: "{{ outputs.later.value }}"
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.full ? render(vars.data) : 'none' }}"
  - id: later
    type: io.kestra.plugin.core.debug.Return
    format: x
""")
    assert [(d.code, d.severity.value, d.span.line) for d in diagnostics] == [("R105", "warning", 7)]
    assert "when this branch is taken" in diagnostics[0].message and "task `log`" in diagnostics[0].message


def test_flow_outputs_and_triggers_render_variables_too():
    diagnostics = found("""
variables:
  result: "{{ outputs.make.valeu }}"
  when: "{{ trigger.date }}"
tasks:
  - id: make
    type: io.kestra.plugin.core.debug.Return
    format: x
outputs:
  - id: result
    type: STRING
    value: "{{ render(vars.result) }}"
""")
    assert [(code, line) for code, line, _, _ in diagnostics] == [("R104", 4)]


def test_types_are_checked_in_rendered_variables():
    diagnostics = found("""
inputs:
  - id: name
    type: STRING
variables:
  double: "{{ inputs.name * 2 }}"
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.double) }}"
""")
    assert [(code, line) for code, line, _, _ in diagnostics] == [("T102", 7)]


def test_a_problem_met_in_a_branch_by_one_renderer_and_always_by_another_is_reported_once():
    diagnostics = check("""
inputs:
  - id: full
    type: BOOLEAN
variables:
  data: "{{ outputs.mkae.value }}"
tasks:
  - id: make
    type: io.kestra.plugin.core.debug.Return
    format: x
  - id: sometimes
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.full ? render(vars.data) : 'none' }}"
  - id: always
    type: io.kestra.plugin.core.log.Log
    message: "{{ render(vars.data) }}"
""")
    assert [(d.code, d.severity.value, d.span.line, d.message) for d in diagnostics] == [
        ("R103", "error", 7, "the flow has no task `mkae`")]
