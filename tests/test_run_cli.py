"""`flowc run` and `flowc schedule` options, exit codes and the `--json` summary."""
from __future__ import annotations

import json
import textwrap

import pytest

from compiler.cli import main as flowc


def flow_file(tmp_path, text: str, name: str = "flow.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(capsys, tmp_path, path, *args):
    code = flowc(["run", str(path), "--home", str(tmp_path / ".flowc"), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


GREET = """
    id: greet
    namespace: tests
    inputs:
      - id: name
        type: STRING
      - id: times
        type: INT
        defaults: 1
    tasks:
      - id: hello
        type: io.kestra.plugin.core.debug.Return
        format: "{{ inputs.name }} x{{ inputs.times }}"
    triggers:
      - id: hook
        type: io.kestra.plugin.core.trigger.Webhook
        key: secret-key
      - id: upstream
        type: io.kestra.plugin.core.trigger.Flow
        conditions:
          - type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: tests
            flowId: other
    """


@pytest.mark.parametrize("suffix, text", [(".json", '{"name": "Ana", "times": 3}'), (".yaml", "name: Ana\ntimes: 3\n")])
def test_inputs_from_a_file(capsys, tmp_path, suffix, text):
    inputs = tmp_path / f"inputs{suffix}"
    inputs.write_text(text)
    code, out, err = run(capsys, tmp_path, flow_file(tmp_path, GREET), "--inputs", str(inputs), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["version"] == 1 and result["inputs"] == {"name": "Ana", "times": 3}
    assert result["taskruns"] == [{"task_id": "hello", "state": "SUCCESS", "value": None, "attempts": 1,
                                   "outputs": {"value": "Ana x3"}}]
    assert set(result) == {"version", "execution_id", "state", "namespace", "flow_id", "inputs", "outputs", "labels",
                           "taskruns"}


def test_command_line_inputs_win_over_the_file(capsys, tmp_path):
    inputs = tmp_path / "inputs.json"
    inputs.write_text('{"name": "Ana"}')
    code, out, _ = run(capsys, tmp_path, flow_file(tmp_path, GREET), "--inputs", str(inputs), "-i", "name=Bo", "--json")
    assert code == 0 and json.loads(out)["inputs"]["name"] == "Bo"


@pytest.mark.parametrize("args, message", [
    ([], "Invalid input for `name`, missing required input"),
    (["-i", "name=x", "-i", "times=many"], "Invalid input for `times`"),
    (["-i", "oops"], "--input `oops`: expected NAME=VALUE"),
    (["-i", "name=x", "--date", "2026-01-01T00:00:00Z"], "--date needs --trigger"),
    (["-i", "name=x", "--trigger", "schedule"], "has no schedule trigger"),
    (["-i", "name=x", "--resume", "nope"], "no execution nope"),
    (["--inputs", "missing.json"], "--inputs missing.json"),
])
def test_bad_usage_exits_2_before_anything_runs(capsys, tmp_path, args, message):
    code, out, err = run(capsys, tmp_path, flow_file(tmp_path, GREET), *args)
    assert code == 2 and out == ""
    assert message in err
    assert not list((tmp_path / ".flowc").glob("runs/*/*/*"))  # no execution was left behind


def test_webhook_trigger_variables(capsys, tmp_path):
    path = flow_file(tmp_path, GREET.replace('format: "{{ inputs.name }} x{{ inputs.times }}"',
                                             'format: "{{ trigger.body.user }}"'))
    code, out, err = run(capsys, tmp_path, path, "-i", "name=x", "--trigger", "webhook", "--body", '{"user": "ana"}',
                         "--json")
    assert code == 0, err
    assert json.loads(out)["taskruns"][0]["outputs"] == {"value": "ana"}


def test_flow_trigger_variables(capsys, tmp_path):
    path = flow_file(tmp_path, GREET.replace('format: "{{ inputs.name }} x{{ inputs.times }}"',
                                             'format: "{{ trigger.namespace }}.{{ trigger.flowId }} {{ trigger.state }}"'))
    code, out, err = run(capsys, tmp_path, path, "-i", "name=x", "--trigger", "flow", "--upstream", "tests.other",
                         "--state", "failed", "--json")
    assert code == 0, err
    assert json.loads(out)["taskruns"][0]["outputs"] == {"value": "tests.other FAILED"}


def test_exit_codes_for_failed_and_paused_runs(capsys, tmp_path):
    failing = flow_file(tmp_path, """
        id: failing
        namespace: tests
        tasks:
          - id: boom
            type: io.kestra.plugin.core.execution.Fail
        """, "failing.yaml")
    assert run(capsys, tmp_path, failing)[0] == 1
    paused = flow_file(tmp_path, """
        id: paused
        namespace: tests
        tasks:
          - id: wait
            type: io.kestra.plugin.core.flow.Pause
        """, "paused.yaml")
    code, _, err = run(capsys, tmp_path, paused)
    assert code == 3 and "continue with `--resume" in err


def test_a_flow_that_does_not_check_clean_is_not_run(capsys, tmp_path):
    path = flow_file(tmp_path, """
        id: broken
        namespace: tests
        tasks:
          - id: r
            type: io.kestra.plugin.core.debug.Return
            format: "{{ inputs.nobody }}"
        """)
    code, out, err = run(capsys, tmp_path, path)
    assert code == 1 and out == ""
    assert "is not compiled" in err and not (tmp_path / ".flowc").exists()


def test_schedule_lists_next_fire_times(capsys, tmp_path):
    path = flow_file(tmp_path, """
        id: nightly
        namespace: tests
        tasks:
          - id: r
            type: io.kestra.plugin.core.debug.Return
            format: x
        triggers:
          - id: two
            type: io.kestra.plugin.core.trigger.Schedule
            cron: "0 2 * * *"
            timezone: Europe/Paris
        """)
    assert flowc(["schedule", str(path), "--next", "3", "--from", "2026-03-28T12:00:00"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "two: 0 2 * * * in Europe/Paris",
        "  2026-03-29T03:00:00+02:00",
        "  2026-03-30T02:00:00+02:00",
        "  2026-03-31T02:00:00+02:00",
    ]


def test_schedule_of_a_flow_without_one(capsys, tmp_path):
    path = flow_file(tmp_path, GREET)
    assert flowc(["schedule", str(path)]) == 1
    assert "has no Schedule trigger" in capsys.readouterr().err


LOUD = """
    id: loud
    namespace: tests
    tasks:
      - id: say
        type: io.kestra.plugin.core.log.Log
        message: from the flow
    pluginDefaults:
      - type: io.kestra.plugin.core.log
        values:
          level: ERROR
    """


def test_plugin_default_overrides_win_over_the_flow(capsys, tmp_path):
    path = flow_file(tmp_path, LOUD)
    code, _, err = run(capsys, tmp_path, path, "--plugin-default", "io.kestra.plugin.core.log.level=WARN",
                       "--plugin-default", "io.kestra.plugin.core.log.Log.message=hi {{ flow.id }}")
    assert code == 0, err
    assert "WARN  [say] hi loud" in err


def test_plugin_defaults_from_the_configuration_and_the_command_line(capsys, tmp_path):
    path = flow_file(tmp_path, LOUD)
    (tmp_path / "flowc.toml").write_text(
        '[plugin-defaults."io.kestra.plugin.core.log"]\nlevel = "INFO"\nmessage = "configured"\n')
    code, _, err = run(capsys, tmp_path, path)
    assert code == 0 and "INFO  [say] configured" in err
    code, _, err = run(capsys, tmp_path, path, "--plugin-default", "io.kestra.plugin.core.log.level=WARN")
    assert code == 0 and "WARN  [say] configured" in err  # the command line wins over the configuration


def test_bad_plugin_default_flag_and_configuration(capsys, tmp_path):
    path = flow_file(tmp_path, LOUD)
    code, _, err = run(capsys, tmp_path, path, "--plugin-default", "level=WARN")
    assert code == 2 and "expected TYPE.PROPERTY=VALUE" in err
    other = tmp_path / "other"
    other.mkdir()
    (other / "flowc.toml").write_text('plugin-defaults = ["oops"]\n')
    assert flowc(["run", str(flow_file(other, LOUD)), "--home", str(tmp_path / ".flowc")]) == 2
    assert "flowc.toml:1: `plugin-defaults` must be a table" in capsys.readouterr().err


def test_the_run_home_keeps_itself_out_of_git(capsys, tmp_path):
    run(capsys, tmp_path, flow_file(tmp_path, LOUD))
    assert (tmp_path / ".flowc" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_resume_gives_a_pause_its_on_resume_inputs(capsys, tmp_path):
    path = flow_file(tmp_path, """
        id: approval
        namespace: tests
        tasks:
          - id: wait
            type: io.kestra.plugin.core.flow.Pause
            onResume:
              - id: approved
                type: BOOLEAN
              - id: reason
                type: STRING
                required: false
          - id: decide
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.wait.onResume.approved }} {{ outputs.wait.onResume.reason ?? 'none' }}"
        """)
    code, out, err = run(capsys, tmp_path, path, "--json")
    assert code == 3
    execution_id = json.loads(out)["execution_id"]
    code, out, err = run(capsys, tmp_path, path, "--resume", execution_id)
    assert code == 2 and "Invalid input for `approved`, missing required input" in err
    code, out, err = run(capsys, tmp_path, path, "--resume", execution_id, "-i", "approved=true", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["taskruns"][-1]["outputs"] == {"value": "true none"}


def test_subflows_are_found_under_the_configurations_paths(capsys, tmp_path):
    for team in ("team_a", "team_b"):
        (tmp_path / "flows" / team).mkdir(parents=True)
    parent = flow_file(tmp_path / "flows" / "team_a", """
        id: parent
        namespace: team.a
        tasks:
          - id: call
            type: io.kestra.plugin.core.flow.Subflow
            namespace: team.b
            flowId: child
        """)
    flow_file(tmp_path / "flows" / "team_b", """
        id: child
        namespace: team.b
        tasks:
          - id: hi
            type: io.kestra.plugin.core.log.Log
            message: hello from the child
        """, "child.yaml")
    (tmp_path / "flowc.toml").write_text('paths = ["flows"]\n')
    code, _, err = run(capsys, tmp_path, parent)
    assert code == 0, err
    assert "hello from the child" in err


def test_a_trigger_written_with_its_old_type_name_still_runs(capsys, tmp_path):
    path = flow_file(tmp_path, """
        id: legacy
        namespace: tests
        tasks:
          - id: when
            type: io.kestra.plugin.core.debug.Return
            format: "{{ trigger.date }}"
        triggers:
          - id: daily
            type: io.kestra.core.models.triggers.types.Schedule
            cron: "0 2 * * *"
            timezone: UTC
        """)
    code, out, err = run(capsys, tmp_path, path, "--trigger", "schedule", "--date", "2026-01-02T02:00:00Z", "--json")
    assert code == 0, err
    assert json.loads(out)["taskruns"][0]["outputs"]["value"].startswith("2026-01-02T02:00")


def test_a_secret_input_is_masked_in_the_logs(capsys, tmp_path):
    path = flow_file(tmp_path, """
        id: masked
        namespace: tests
        inputs:
          - id: token
            type: SECRET
        tasks:
          - id: say
            type: io.kestra.plugin.core.log.Log
            message: "token={{ inputs.token }}"
        """)
    code, _, err = run(capsys, tmp_path, path, "-i", "token=hunter2")
    assert code == 0, err
    assert "token=******" in err and "hunter2" not in err


def test_a_task_flowc_cannot_run_fails_saying_so(capsys, tmp_path):
    path = flow_file(tmp_path, """
        id: foreign
        namespace: tests
        tasks:
          - id: notify
            type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook
            url: https://hooks.example.com/x
        """)
    code, _, err = run(capsys, tmp_path, path)
    assert code == 1
    assert "flow.yaml:5: flowc cannot run tasks of type io.kestra.plugin.notifications.slack.SlackIncomingWebhook" \
        " locally" in err


def test_the_concurrency_limit_holds_across_processes(tmp_path):
    import subprocess
    import sys
    import time

    path = flow_file(tmp_path, """
        id: single
        namespace: tests
        concurrency:
          behavior: FAIL
          limit: 1
        tasks:
          - id: nap
            type: io.kestra.plugin.core.flow.Sleep
            duration: PT2S
        """)
    command = [sys.executable, "-m", "compiler", "run", str(path), "--home", str(tmp_path / ".flowc")]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
    running = tmp_path / ".flowc" / "runs" / "tests" / "single" / ".running"
    deadline = time.monotonic() + 30
    while not list(running.glob("*.pid")) and time.monotonic() < deadline:
        time.sleep(0.02)
    second = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert first.wait(60) == 0
    assert second.returncode == 1
    assert "Flow is FAILED due to concurrency limit exceeded" in second.stderr
