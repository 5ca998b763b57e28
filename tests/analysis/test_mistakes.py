"""Every common mistake of reference/users.md §4 that the analysis covers is reported."""
import pytest

from compiler.checker import check_text

HEAD = "id: mistakes\nnamespace: company.team\n"

MISTAKES = {
    "M1 unknown task id": ("R103", """
tasks:
  - id: fetch_users
    type: io.kestra.plugin.core.http.Request
    uri: https://example.com/users
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.fetch_user.body }}"
"""),
    "M2 output attribute the type does not have": ("R104", """
tasks:
  - id: cfg
    type: io.kestra.plugin.core.output.OutputValues
    values: {env: prod}
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.cfg.env }}"
"""),
    "M3 output of a task that runs later": ("R105", """
tasks:
  - id: report
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.compute.value }}"
  - id: compute
    type: io.kestra.plugin.core.debug.Return
    format: "42"
"""),
    "M4 output of a branch that may be skipped": ("R106", """
inputs:
  - id: full_load
    type: BOOLEAN
tasks:
  - id: mode
    type: io.kestra.plugin.core.flow.If
    condition: "{{ inputs.full_load }}"
    then:
      - id: full
        type: io.kestra.plugin.core.debug.Return
        format: full
outputs:
  - id: mode
    type: STRING
    value: "{{ outputs.full.value }}"
"""),
    "M5 undefined input, variable, root": ("R101 R102 R115", """
inputs:
  - id: user
    type: STRING
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: "Hi {{ inputs.usr }} / {{ input.user }} / {{ vars.region }}"
"""),
    "M6 hyphenated id with a dot": ("R107", """
tasks:
  - id: load-data
    type: io.kestra.plugin.core.debug.Return
    format: ok
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.load-data.value }}"
"""),
    "M7 syntax errors": ("E001", """
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.get_joke.body. }}"
"""),
    "M8 filter or function that does not exist": ("R111", """
inputs:
  - id: cols
    type: JSON
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.cols | jsonify }}"
"""),
    "M8 removed json()": ("D002", """
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: "{{ json('{}').id }}"
"""),
    "M10 unquoted expression": ("Y003", """
inputs:
  - id: name
    type: STRING
variables:
  greeting: {{ inputs.name }}
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
"""),
    "M12 variables out of scope": ("R110 R108", """
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.date }} {{ taskrun.value }}"
"""),
    "M13 loop output without its index": ("R109", """
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: make
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
      - id: use
        type: io.kestra.plugin.core.log.Log
        message: "{{ outputs.make.value }}"
"""),
    "M11 flow output without {{ }}": ("L104", """
tasks:
  - id: call_api
    type: io.kestra.plugin.core.http.Request
    uri: https://example.com
outputs:
  - id: code
    type: STRING
    value: outputs.call_api.code
"""),
    "M18 input default of the wrong type or not allowed": ("L102 L101 S103 S104", """
inputs:
  - id: color
    type: SELECT
    values: [red, green]
    defaults: purple
  - id: retries
    type: INT
    defaults: three
  - id: since
    type: DATETIME
    defaults: 2024-01-31 10:00
  - name: uri
    type: String
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
"""),
    "M19 static output of the wrong type": ("L103", """
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
outputs:
  - id: limit
    type: INT
    value: ten
"""),
    "M22 schedule without a required input": ("L108", """
inputs:
  - id: user
    type: STRING
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: "hey {{ inputs.user }}"
triggers:
  - id: every_min
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "*/1 * * * *"
"""),
    "M23 cron that never fires, invalid timezone, blank webhook key": ("L106 L107 L110", """
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: monthly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 30 2 *"
    timezone: Europe/Paris/
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: " "
"""),
    "M27 pluginDefaults type that matches nothing": ("L111", """
tasks:
  - id: q
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: select 1
pluginDefaults:  # users.md's `io.kestra.plugin.jdbc.postgres` does match: Kestra compares with startsWith
  - type: io.kestra.plugin.jbdc.postgresql
    values:
      url: jdbc:postgresql://db:5432/app
"""),
}

MORE = {
    "M9 variable holding an expression, without render()": ("R116", """
variables:
  day: "{{ trigger.date ?? execution.startDate | date('yyyy-MM-dd') }}"
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ vars.day }}"
"""),
    "M14 Loop: object items and outputs read after the loop": ("T104 R119", """
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.Loop
    values: [{"id": 1}, {"id": 2}]
    tasks:
      - id: p
        type: io.kestra.plugin.core.debug.Return
        format: "{{ item.value.id }}"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.p.value }}"
"""),
    "M15 loop values that are not a list": ("T101", """
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: hello
    tasks:
      - id: t
        type: io.kestra.plugin.core.log.Log
        message: "{{ taskrun.value }}"
"""),
    "M20 dynamic list in a static list field": ("S103", """
inputs:
  - id: region
    type: SELECT
    values: "{{ kv('regions') }}"
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
"""),
    "M21 a check that is not a real boolean": ("S101", """
checks:
  - when: "{{ inputs.env == 'prod' ? 'true' : 'false' }}"
    message: Only prod
    behavior: BLOCK_EXECUTION
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
"""),
    "M24 invalid comparison in a trigger condition": ("T102", """
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: s
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
    conditions:
      - type: io.kestra.plugin.core.condition.Expression
        expression: "{{ trigger.date | date() < now() }}"
"""),
    "M25 duplicate ids in the tree": ("S201", """
tasks:
  - id: step
    type: io.kestra.plugin.core.log.Log
    message: a
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: step
        type: io.kestra.plugin.core.log.Log
        message: b
"""),
    "M26 empty Switch case and Dag cycle": ("S106 S213", """
inputs:
  - id: kind
    type: STRING
tasks:
  - id: route
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.kind }}"
    cases:
      A: []
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: {id: a, type: io.kestra.plugin.core.log.Log, message: a}
        dependsOn: [b]
      - task: {id: b, type: io.kestra.plugin.core.log.Log, message: b}
        dependsOn: [a]
"""),
    "M28 secret misuse": ("R117", """
tasks:
  - id: call
    type: io.kestra.plugin.core.http.Request
    uri: https://api.example.com
    headers:
      Authorization: "Bearer {{ secret('SECRET_API_TOKEN') }}"
  - id: out
    type: io.kestra.plugin.core.output.OutputValues
    values:
      token: "{{ secret('API_TOKEN') ?? 'none' }}"
"""),
    "M29 JSON built by interpolation": ("R118", """
inputs:
  - id: message
    type: STRING
tasks:
  - id: post
    type: io.kestra.plugin.core.http.Request
    uri: https://api.example.com/notes
    method: POST
    body: '{"text": "{{ inputs.message }}"}'
"""),
    "M30 deprecated types and keys": ("D001 D003 D004", """
tasks:
  - id: old
    type: io.kestra.core.tasks.log.Log
    message: hi
  - id: each
    type: io.kestra.plugin.core.flow.EachSequential
    value: [1, 2]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.log.Log
        message: x
taskDefaults: []
"""),
    "M31 2.0 breakages": ("D002", """
tasks:
  - id: req
    type: io.kestra.plugin.core.http.Request
    uri: https://example.com
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.req.body | json }}"
"""),
}
MISTAKES.update(MORE)


@pytest.mark.parametrize("name", MISTAKES)
def test_mistake_is_reported(name):
    codes, body = MISTAKES[name]
    found = {d.code for d in check_text(HEAD + body.lstrip("\n"), "m.yaml").diagnostics}
    for code in codes.split():
        assert code in found, f"{name}: {code} not reported (got {sorted(found)})"
