"""Kestra's execution semantics, run for real: flows compiled and executed in-process.

Where reference/kestra-model.md gives the outcome of one of Kestra's own test flows, the flow
is taken from the corpus and the outcome asserted as Kestra's tests assert it."""
from __future__ import annotations

import json

import pytest

from ..conftest import CORPUS
from .flows import run_flow


def corpus(name: str) -> str:
    return (CORPUS / "valids" / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- Kestra's own flows


@pytest.mark.corpus
def test_sequential_with_local_errors_fails_after_six_task_runs(tmp_path):
    run = run_flow(tmp_path, corpus("sequential-with-local-errors.yaml"))
    assert run.state == "FAILED"
    assert run.order() == ["parent-seq", "t1", "t2_seq", "t2-t1", "error-t1", "error-t2"]
    assert len(run.ex.taskruns) == 6
    assert run.states()["error-t1"] == "SUCCESS"  # local errors run, and do not rescue their parent


@pytest.mark.corpus
def test_switch_impossible_fails(tmp_path):
    run = run_flow(tmp_path, corpus("switch-impossible.yaml"), inputs={"string": "YES"})
    assert run.state == "FAILED"
    assert run.states() == {"impossible": "FAILED"}


@pytest.mark.corpus
def test_each_null_fails_and_stops(tmp_path):
    run = run_flow(tmp_path, corpus("each-null.yaml"))
    assert run.state == "FAILED"
    assert run.states() == {"1_each": "FAILED"}
    assert "Found '1' null values on Each" in run.logs


@pytest.mark.corpus
def test_allow_failure_ends_warning_without_running_global_errors(tmp_path):
    flow = corpus("allow-failure.yaml").replace("    type: STRING\n", "    type: STRING\n    required: false\n", 1)
    flow = flow.replace("{{ inputs.crash is defined }}", "{{ inputs.crash != null }}")
    run = run_flow(tmp_path, flow)
    assert run.state == "WARNING"
    states = run.states()
    assert states["1-1-allow-failure"] == "WARNING" and states["ko"] == "FAILED"
    assert states["local-error"] == "SUCCESS" and states["1-2-todo"] == "SUCCESS" and states["last"] == "SUCCESS"
    assert "1-1-1-3" not in states and "global-error" not in states


@pytest.mark.corpus
def test_current_output_of_nested_loops(tmp_path):
    run = run_flow(tmp_path, corpus("current-output.yaml"))
    assert run.state == "SUCCESS", run.logs
    outputs = [tr.outputs["value"] for tr in run.ex.taskruns if tr.task.id == "1-1-1_output"]
    returns = [tr.outputs["value"] for tr in run.ex.taskruns if tr.task.id == "1-1-1_return"]
    expected = [f"{a}-{b}-{c}" for a in ("v11", "v12") for b in ("v21", "v22") for c in ("v31", "v32")]
    assert outputs == expected
    assert returns == ["return-" + v for v in expected]
    assert [tr.outputs["value"] for tr in run.ex.taskruns if tr.task.id == "2-1_return"] == ["return-v41", "return-v42"]
    inner = [tr for tr in run.ex.taskruns if tr.task.id == "2-1-1_output"][0]
    assert run.outputs("2-1-1_return") == {"value": f"return-{inner.id}"}


# ---------------------------------------------------------------------------- blocks


def test_errors_then_finally_in_order(tmp_path):
    run = run_flow(tmp_path, """
        id: order
        namespace: tests
        tasks:
          - id: ok
            type: io.kestra.plugin.core.debug.Return
            format: "1"
          - id: boom
            type: io.kestra.plugin.core.execution.Fail
            errorMessage: "it broke"
          - id: never
            type: io.kestra.plugin.core.debug.Return
            format: "2"
        errors:
          - id: on-error
            type: io.kestra.plugin.core.log.Log
            message: "failed: {{ errorLogs()[0].message }}"
        finally:
          - id: cleanup
            type: io.kestra.plugin.core.log.Log
            message: done
        """)
    assert run.state == "FAILED"
    assert run.order() == ["ok", "boom", "on-error", "cleanup"]
    assert "failed: it broke" in run.logs


def test_run_if_skips_and_disabled_tasks_do_not_run(tmp_path):
    run = run_flow(tmp_path, """
        id: skips
        namespace: tests
        tasks:
          - id: skipped
            type: io.kestra.plugin.core.debug.Return
            format: x
            runIf: "{{ 1 == 2 }}"
          - id: off
            type: io.kestra.plugin.core.debug.Return
            format: y
            disabled: true
          - id: after
            type: io.kestra.plugin.core.debug.Return
            format: "{{ tasks.skipped.state }}"
        """)
    assert run.state == "SUCCESS"
    assert run.states() == {"skipped": "SKIPPED", "after": "SUCCESS"}
    assert run.outputs("after") == {"value": "SKIPPED"}


def test_allow_warning_and_allow_failure_on_a_task(tmp_path):
    run = run_flow(tmp_path, """
        id: allowed
        namespace: tests
        tasks:
          - id: tolerated
            type: io.kestra.plugin.core.execution.Fail
            allowFailure: true
          - id: both
            type: io.kestra.plugin.core.execution.Fail
            allowFailure: true
            allowWarning: true
          - id: last
            type: io.kestra.plugin.core.debug.Return
            format: ok
        """)
    assert run.states() == {"tolerated": "WARNING", "both": "SUCCESS", "last": "SUCCESS"}
    assert run.state == "WARNING"


# ---------------------------------------------------------------------------- choices and loops


def test_if_takes_one_branch_and_keeps_its_result(tmp_path):
    run = run_flow(tmp_path, """
        id: choose
        namespace: tests
        inputs:
          - id: n
            type: INT
        tasks:
          - id: check
            type: io.kestra.plugin.core.flow.If
            condition: "{{ inputs.n > 2 }}"
            then:
              - id: big
                type: io.kestra.plugin.core.debug.Return
                format: "big {{ outputs.check.evaluationResult }}"
            else:
              - id: small
                type: io.kestra.plugin.core.debug.Return
                format: small
        """, inputs={"n": "5"})
    assert run.state == "SUCCESS"
    assert run.states() == {"big": "SUCCESS", "check": "SUCCESS"}
    assert run.outputs("big") == {"value": "big true"}
    assert run.outputs("check") == {"evaluationResult": True}


@pytest.mark.parametrize("value, truthy", [("false", False), ("0", False), ("-0", False), ("", False),
                                           ("False", True), ("null", True), ("0.0", True), ("no", True)])
def test_if_truthiness_follows_kestra(tmp_path, value, truthy):
    run = run_flow(tmp_path, """
        id: truth
        namespace: tests
        inputs:
          - id: v
            type: STRING
        tasks:
          - id: check
            type: io.kestra.plugin.core.flow.If
            condition: "{{ inputs.v }}"
            then:
              - id: yes
                type: io.kestra.plugin.core.debug.Return
                format: "y"
        """, inputs={"v": value})
    assert run.outputs("check") == {"evaluationResult": truthy}


def test_switch_matches_strings_and_falls_back_to_defaults(tmp_path):
    flow = """
        id: sw
        namespace: tests
        inputs:
          - id: v
            type: STRING
        tasks:
          - id: pick
            type: io.kestra.plugin.core.flow.Switch
            value: "{{ inputs.v }}"
            cases:
              true:
                - id: was-true
                  type: io.kestra.plugin.core.debug.Return
                  format: t
              "1":
                - id: was-one
                  type: io.kestra.plugin.core.debug.Return
                  format: one
            defaults:
              - id: other
                type: io.kestra.plugin.core.debug.Return
                format: other
        """
    assert set(run_flow(tmp_path / "a", flow, inputs={"v": "true"}).states()) == {"was-true", "pick"}
    assert set(run_flow(tmp_path / "b", flow, inputs={"v": "1"}).states()) == {"was-one", "pick"}
    run = run_flow(tmp_path / "c", flow, inputs={"v": "True"})
    assert set(run.states()) == {"other", "pick"}
    assert run.outputs("pick") == {"value": "True", "defaults": True}


def test_for_each_keys_outputs_by_value_and_dedups(tmp_path):
    run = run_flow(tmp_path, """
        id: loop
        namespace: tests
        tasks:
          - id: each
            type: io.kestra.plugin.core.flow.ForEach
            values: ["a", "b", "a", 1, {"k": "v"}]
            tasks:
              - id: inner
                type: io.kestra.plugin.core.debug.Return
                format: "{{ taskrun.value }}!"
          - id: read
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.inner['b'].value }} {{ outputs.inner | keys }}"
        """)
    assert run.state == "SUCCESS", run.logs
    assert [tr.value for tr in run.ex.taskruns if tr.task.id == "inner"] == ["a", "b", "1", '{"k":"v"}']
    assert run.outputs("read") == {"value": 'b! ["a","b","1","{\\"k\\":\\"v\\"}"]'}


def test_for_each_stops_after_a_failure_when_sequential(tmp_path):
    run = run_flow(tmp_path, """
        id: loop-fail
        namespace: tests
        tasks:
          - id: each
            type: io.kestra.plugin.core.flow.ForEach
            values: '["a", "b", "c"]'
            tasks:
              - id: maybe
                type: io.kestra.plugin.core.execution.Fail
                condition: "{{ taskrun.value == 'b' }}"
        """)
    assert run.state == "FAILED"
    assert [(tr.value, tr.state.value) for tr in run.ex.taskruns if tr.task.id == "maybe"] == [
        ("a", "SUCCESS"), ("b", "FAILED")]


def test_nested_loops_see_parents_and_current_each_output(tmp_path):
    run = run_flow(tmp_path, """
        id: nested
        namespace: tests
        tasks:
          - id: outer
            type: io.kestra.plugin.core.flow.ForEach
            values: ["x", "y"]
            tasks:
              - id: inner
                type: io.kestra.plugin.core.flow.ForEach
                values: ["1", "2"]
                tasks:
                  - id: leaf
                    type: io.kestra.plugin.core.debug.Return
                    format: "{{ parents[0].taskrun.value }}-{{ taskrun.value }}"
                  - id: again
                    type: io.kestra.plugin.core.debug.Return
                    format: "{{ currentEachOutput(outputs.leaf).value }}"
          - id: read
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.leaf['y']['2'].value }}"
        """)
    assert run.state == "SUCCESS", run.logs
    assert run.outputs("read") == {"value": "y-2"}
    assert [tr.outputs["value"] for tr in run.ex.taskruns if tr.task.id == "again"] == ["x-1", "x-2", "y-1", "y-2"]


def test_parallel_and_concurrent_for_each_run_everything(tmp_path):
    run = run_flow(tmp_path, """
        id: par
        namespace: tests
        tasks:
          - id: fan
            type: io.kestra.plugin.core.flow.Parallel
            concurrent: 2
            tasks:
              - id: p1
                type: io.kestra.plugin.core.flow.Sleep
                duration: PT0.05S
              - id: p2
                type: io.kestra.plugin.core.flow.Sleep
                duration: PT0.05S
              - id: p3
                type: io.kestra.plugin.core.debug.Return
                format: three
          - id: each
            type: io.kestra.plugin.core.flow.ForEach
            values: ["a", "b", "c", "d"]
            concurrencyLimit: 0
            tasks:
              - id: r
                type: io.kestra.plugin.core.debug.Return
                format: "{{ taskrun.value }}"
        """)
    assert run.state == "SUCCESS"
    assert {k for k in run.states()} == {"p1", "p2", "p3", "fan", "r[a]", "r[b]", "r[c]", "r[d]", "each"}


def test_dag_respects_depends_on(tmp_path):
    run = run_flow(tmp_path, """
        id: graph
        namespace: tests
        tasks:
          - id: dag
            type: io.kestra.plugin.core.flow.Dag
            tasks:
              - task:
                  id: c
                  type: io.kestra.plugin.core.debug.Return
                  format: "{{ outputs.a.value }}{{ outputs.b.value }}"
                dependsOn: [a, b]
              - task:
                  id: a
                  type: io.kestra.plugin.core.debug.Return
                  format: A
              - task:
                  id: b
                  type: io.kestra.plugin.core.debug.Return
                  format: B
                dependsOn: [a]
        """)
    assert run.state == "SUCCESS", run.logs
    assert run.order().index("a") < run.order().index("b") < run.order().index("c")
    assert run.outputs("c") == {"value": "AB"}


# ---------------------------------------------------------------------------- around tasks


def test_retry_constant_gives_up_after_max_attempt(tmp_path):
    run = run_flow(tmp_path, """
        id: retries
        namespace: tests
        tasks:
          - id: flaky
            type: io.kestra.plugin.core.execution.Fail
            retry:
              type: constant
              interval: PT0.01S
              maxAttempt: 3
        """)
    assert run.state == "FAILED"
    assert run.ex.taskruns[0].attempts == 3
    assert run.logs.count("retrying in") == 2


def test_timeout_fails_the_attempt(tmp_path):
    run = run_flow(tmp_path, """
        id: slow
        namespace: tests
        tasks:
          - id: nap
            type: io.kestra.plugin.core.flow.Sleep
            duration: PT10S
            timeout: PT0.1S
        """)
    assert run.state == "FAILED"
    assert "Timeout after 0:00:00.100" in run.logs


def test_exit_ends_the_execution_in_its_state(tmp_path):
    run = run_flow(tmp_path, """
        id: leave
        namespace: tests
        tasks:
          - id: stop
            type: io.kestra.plugin.core.execution.Exit
            state: WARNING
          - id: never
            type: io.kestra.plugin.core.debug.Return
            format: x
        """)
    assert run.state == "WARNING"
    assert "never" not in run.states()


def test_labels_task_and_system_labels(tmp_path):
    run = run_flow(tmp_path, """
        id: labelled
        namespace: tests
        labels:
          team: data
        tasks:
          - id: set
            type: io.kestra.plugin.core.execution.Labels
            labels:
              stage: "{{ flow.id }}"
          - id: read
            type: io.kestra.plugin.core.debug.Return
            format: "{{ labels.team }}/{{ labels.stage }}"
          - id: bad
            type: io.kestra.plugin.core.execution.Labels
            labels:
              "{{ 'system' }}.x": y
        """)
    assert run.outputs("read") == {"value": "data/labelled"}
    assert run.ex.labels == {"team": "data", "stage": "labelled", "system.correlationId": run.ex.id}
    assert run.state == "FAILED"
    assert "System labels can only be set by Kestra itself, offending label: system.x=y" in run.logs


def test_flow_outputs_are_typed_and_a_bad_one_fails_the_execution(tmp_path):
    good = run_flow(tmp_path / "a", """
        id: outs
        namespace: tests
        tasks:
          - id: r
            type: io.kestra.plugin.core.debug.Return
            format: "42"
        outputs:
          - id: answer
            type: INT
            value: "{{ outputs.r.value }}"
        """)
    assert good.state == "SUCCESS"
    assert good.ex.flow_outputs == {"answer": 42}
    bad = run_flow(tmp_path / "b", """
        id: outs
        namespace: tests
        tasks:
          - id: r
            type: io.kestra.plugin.core.debug.Return
            format: "not a number"
        outputs:
          - id: answer
            type: INT
            value: "{{ outputs.r.value }}"
        """)
    assert bad.state == "FAILED"
    assert "Failed to render output values" in bad.logs


def test_secrets_come_from_base64_environment_variables_and_are_masked(tmp_path):
    run = run_flow(tmp_path, """
        id: secretive
        namespace: tests
        tasks:
          - id: say
            type: io.kestra.plugin.core.log.Log
            message: "token is {{ secret('API_TOKEN') }}"
          - id: env
            type: io.kestra.plugin.core.debug.Return
            format: "{{ envs.region }}"
        """, environ={"SECRET_API_TOKEN": "czNjcjN0", "ENV_REGION": "eu"})
    assert run.state == "SUCCESS"
    assert "token is ******" in run.logs and "s3cr3t" not in run.logs
    assert run.outputs("env") == {"value": "eu"}


def test_render_errors_name_the_flow_file_and_line(tmp_path):
    run = run_flow(tmp_path, """
        id: broken
        namespace: tests
        tasks:
          - id: r
            type: io.kestra.plugin.core.debug.Return
            format: "{{ 1 / 0 }}"
        """)
    assert run.state == "FAILED"
    assert "flow.yaml:5:" in run.logs


def test_variables_render_through_render(tmp_path):
    run = run_flow(tmp_path, """
        id: vars
        namespace: tests
        variables:
          first: "1"
          second: "{{ vars.first }} > 2"
        tasks:
          - id: raw
            type: io.kestra.plugin.core.debug.Return
            format: "{{ vars.second }}"
          - id: rendered
            type: io.kestra.plugin.core.debug.Return
            format: "{{ render(vars.second) }}"
        """)
    assert run.outputs("raw") == {"value": "{{ vars.first }} > 2"}
    assert run.outputs("rendered") == {"value": "1 > 2"}


# ---------------------------------------------------------------------------- subflows


CHILD = """
    id: child
    namespace: tests
    inputs:
      - id: n
        type: INT
    tasks:
      - id: double
        type: io.kestra.plugin.core.debug.Return
        format: "{{ inputs.n * 2 }}"
      - id: maybe-fail
        type: io.kestra.plugin.core.execution.Fail
        condition: "{{ inputs.n > 100 }}"
    outputs:
      - id: doubled
        type: INT
        value: "{{ outputs.double.value }}"
    """


def test_subflow_passes_typed_inputs_and_reads_declared_outputs(tmp_path):
    run = run_flow(tmp_path, """
        id: parent
        namespace: tests
        tasks:
          - id: call
            type: io.kestra.plugin.core.flow.Subflow
            namespace: tests
            flowId: child
            inputs:
              n: 21
          - id: use
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.call.outputs.doubled + 0 }} {{ outputs.call.state }}"
        """, CHILD)
    assert run.state == "SUCCESS", run.logs
    assert run.outputs("use") == {"value": "42 SUCCESS"}


def test_subflow_failure_is_transmitted_unless_told_otherwise(tmp_path):
    flow = """
        id: parent
        namespace: tests
        tasks:
          - id: call
            type: io.kestra.plugin.core.flow.Subflow
            namespace: tests
            flowId: child
            transmitFailed: {transmit}
            inputs:
              n: 500
        """
    assert run_flow(tmp_path / "a", flow.replace("{transmit}", "true"), CHILD).state == "FAILED"
    assert run_flow(tmp_path / "b", flow.replace("{transmit}", "false"), CHILD).state == "SUCCESS"


# ---------------------------------------------------------------------------- pause and restart


def test_pause_without_delay_pauses_and_resume_continues_without_rerunning(tmp_path):
    flow = """
        id: waiting
        namespace: tests
        tasks:
          - id: before
            type: io.kestra.plugin.core.debug.Return
            format: "{{ execution.id }}"
          - id: wait
            type: io.kestra.plugin.core.flow.Pause
          - id: after
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.before.value }}"
        """
    first = run_flow(tmp_path, flow)
    assert first.state == "PAUSED"
    assert first.states() == {"before": "SUCCESS", "wait": "PAUSED"}
    second = run_flow(tmp_path, flow, resume=first.ex.id)
    assert second.state == "SUCCESS"
    assert second.states() == {"before": "SUCCESS", "wait": "SUCCESS", "after": "SUCCESS"}
    before = [tr for tr in second.ex.taskruns if tr.task.id == "before"][0]
    assert before.id == first.ex.taskruns[0].id  # replayed, not run again
    assert second.outputs("after") == {"value": first.ex.id}


def test_resume_reruns_only_what_failed(tmp_path):
    flow = """
        id: restart
        namespace: tests
        tasks:
          - id: first
            type: io.kestra.plugin.core.debug.Return
            format: "{{ now() }}"
          - id: gate
            type: io.kestra.plugin.core.execution.Fail
            condition: "{{ envs.broken ?? false }}"
        """
    failed = run_flow(tmp_path, flow, environ={"ENV_BROKEN": "true"})
    assert failed.state == "FAILED"
    resumed = run_flow(tmp_path, flow, resume=failed.ex.id, environ={})
    assert resumed.state == "SUCCESS"
    assert resumed.outputs("first") == failed.outputs("first")


# ---------------------------------------------------------------------------- flow-level limits


def _two_at_once(tmp_path, text: str):
    """Start one execution, and a second one while the first holds its slot."""
    import io
    import threading
    import time

    from runtime.engine import Engine

    from .flows import compile_flows

    flows, _ = compile_flows(tmp_path, text)
    home = tmp_path / ".flowc"

    def engine():
        return Engine({f.key: f for f in flows}, home, "TRACE", io.StringIO(), {})

    first: dict = {}
    thread = threading.Thread(target=lambda: first.setdefault("ex", engine().start(flows[0], {})))
    thread.start()
    running = home / "runs" / flows[0].namespace / flows[0].id / ".running"
    deadline = time.monotonic() + 10
    while not list(running.glob("*.pid")) and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    second = engine().start(flows[0], {})
    waited = time.monotonic() - started
    thread.join()
    return first["ex"], second, waited


@pytest.mark.corpus
@pytest.mark.parametrize("name, state", [("flow-concurrency-fail.yml", "FAILED"),
                                         ("flow-concurrency-cancel.yml", "CANCELLED")])
def test_concurrency_limit_fails_or_cancels_the_second_run(tmp_path, name, state):
    text = corpus(name).replace("PT2S", "PT0.5S")
    first, second, _ = _two_at_once(tmp_path, text)
    assert first.state.value == "SUCCESS"
    assert second.state.value == state and second.taskruns == []


@pytest.mark.corpus
def test_concurrency_queue_waits_for_the_slot(tmp_path):
    first, second, waited = _two_at_once(tmp_path, corpus("flow-concurrency-queue.yml").replace("PT2S", "PT0.3S"))
    assert first.state.value == second.state.value == "SUCCESS"
    assert waited >= 0.3  # it waited for the first run's slot, then ran its own Sleep


@pytest.mark.corpus
def test_sla_max_duration_fails_the_execution_and_kills_its_task(tmp_path):
    run = run_flow(tmp_path, corpus("sla-max-duration-fail.yaml").replace("PT0.5S", "PT0.2S"))
    assert run.state == "FAILED"
    assert run.states() == {"sleep": "KILLED"}
    assert "SLA maxDuration violated" in run.logs


@pytest.mark.corpus
@pytest.mark.parametrize("value, state, labels", [("PASS", "SUCCESS", {}), ("CANCEL", "CANCELLED", {}),
                                                  ("LABEL", "SUCCESS", {"sla": "violated"})])
def test_sla_execution_assertion(tmp_path, value, state, labels):
    run = run_flow(tmp_path, corpus("sla-execution-condition.yaml"), inputs={"string": value})
    assert run.state == state
    assert run.ex.labels == {**labels, "system.correlationId": run.ex.id}


# ---------------------------------------------------------------------------- triggers


def test_schedule_trigger_gives_its_dates_and_inputs(tmp_path):
    import io

    from runtime.main import execute, parser

    from .flows import compile_flows

    flows, _ = compile_flows(tmp_path, """
        id: nightly
        namespace: tests
        inputs:
          - id: who
            type: STRING
        tasks:
          - id: when
            type: io.kestra.plugin.core.debug.Return
            format: "{{ inputs.who }} {{ trigger.date }} {{ trigger.previous }} {{ trigger.next }}"
        triggers:
          - id: at-two
            type: io.kestra.plugin.core.trigger.Schedule
            cron: "0 2 * * *"
            timezone: Europe/Paris
            inputs:
              who: cron
        """)
    args = parser(flows[0]).parse_args(["--trigger", "schedule", "--date", "2026-03-29T03:00:00+02:00", "--json",
                                        "--home", str(tmp_path / ".flowc")])
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        assert execute(flows, args, io.StringIO()) == 0
    import json

    value = json.loads(out.getvalue())["taskruns"][0]["outputs"]["value"]
    assert value == ("cron 2026-03-29T03:00+02:00[Europe/Paris] 2026-03-28T02:00+01:00[Europe/Paris] "
                     "2026-03-30T02:00+02:00[Europe/Paris]")


# ---------------------------------------------------------------------------- more of Kestra's flows


@pytest.mark.corpus
def test_each_sequential_with_allow_failure(tmp_path):
    run = run_flow(tmp_path, corpus("each-sequential.yaml"))
    assert run.state == "WARNING"
    failed = [(tr.value, tr.state.value) for tr in run.ex.taskruns if tr.task.id == "failed"]
    assert failed == [("value 1", "SUCCESS"), ("value 2", "WARNING"), ("value 3", "WARNING")]
    assert run.states()["2_end"] == "SUCCESS"


@pytest.mark.corpus
def test_working_directory_outputs(tmp_path):
    run = run_flow(tmp_path, corpus("working-directory-outputs.yml"))
    assert run.state == "SUCCESS", run.logs
    uri = run.outputs("workingDir")["outputFiles"]["output.txt"]
    assert run.engine.storage.read_text(uri) == "Hello World"


@pytest.mark.corpus
def test_pause_with_a_delay_resumes_by_itself_and_runs_its_tasks(tmp_path):
    run = run_flow(tmp_path, corpus("pause-delay.yaml").replace("PT1S", "PT0.1S"))
    assert run.state == "SUCCESS"
    assert run.order() == ["pause", "subtask", "last"]


def test_working_directory_shares_one_directory_between_script_tasks(tmp_path):
    run = run_flow(tmp_path, """
        id: wd
        namespace: tests
        tasks:
          - id: wd
            type: io.kestra.plugin.core.flow.WorkingDirectory
            inputFiles:
              seed.txt: "{{ flow.id }}"
            outputFiles:
              - "*.out"
            tasks:
              - id: write
                type: io.kestra.plugin.scripts.shell.Commands
                taskRunner:
                  type: io.kestra.plugin.core.runner.Process
                commands:
                  - cat seed.txt > copy.out
              - id: read
                type: io.kestra.plugin.scripts.shell.Commands
                taskRunner:
                  type: io.kestra.plugin.core.runner.Process
                commands:
                  - echo "::{\\"outputs\\":{\\"copied\\":\\"$(cat copy.out)\\"}}::"
        """)
    assert run.state == "SUCCESS", run.logs
    assert run.outputs("read")["vars"] == {"copied": "wd"}
    assert run.engine.storage.read_text(run.outputs("wd")["outputFiles"]["copy.out"]) == "wd"


def test_each_parallel_runs_every_pair(tmp_path):
    run = run_flow(tmp_path, """
        id: ep
        namespace: tests
        tasks:
          - id: each
            type: io.kestra.plugin.core.flow.EachParallel
            value: ["a", "b"]
            tasks:
              - id: one
                type: io.kestra.plugin.core.debug.Return
                format: "1{{ taskrun.value }}"
              - id: two
                type: io.kestra.plugin.core.debug.Return
                format: "2{{ taskrun.value }}"
        """)
    assert run.state == "SUCCESS"
    assert {k: v for k, v in run.states().items() if "[" in k} == {
        "one[a]": "SUCCESS", "one[b]": "SUCCESS", "two[a]": "SUCCESS", "two[b]": "SUCCESS"}


def test_output_values_echo_plugin_defaults_and_after_execution(tmp_path):
    run = run_flow(tmp_path, """
        id: misc
        namespace: tests
        tasks:
          - id: values
            type: io.kestra.plugin.core.output.OutputValues
            values:
              greeting: "hello {{ flow.id }}"
          - id: quiet
            type: io.kestra.plugin.core.log.Log
            message: "{{ outputs['values']['values'].greeting }}"
        afterExecution:
          - id: after
            type: io.kestra.plugin.core.log.Log
            message: "ended {{ execution.state }}"
        pluginDefaults:
          - type: io.kestra.plugin.core.log.Log
            values:
              level: WARN
        """)
    assert run.state == "SUCCESS"
    assert run.outputs("values") == {"values": {"greeting": "hello misc"}}
    assert "WARN  [quiet] hello misc" in run.logs
    assert "[after] ended SUCCESS" in run.logs


def test_retry_exponential_waits_longer_each_time(tmp_path):
    run = run_flow(tmp_path, """
        id: expo
        namespace: tests
        tasks:
          - id: flaky
            type: io.kestra.plugin.core.execution.Fail
            retry:
              type: exponential
              interval: PT0.01S
              maxInterval: PT0.04S
              maxAttempt: 4
        """)
    assert run.ex.taskruns[0].attempts == 4
    assert [line.split("retrying in ")[1] for line in run.logs.splitlines() if "retrying in" in line] == [
        "PT0.01S", "PT0.02S", "PT0.04S"]


def test_kv_tasks_and_the_kv_function_share_the_store(tmp_path):
    flow = """
        id: kv
        namespace: tests
        tasks:
          - id: set
            type: io.kestra.plugin.core.kv.Set
            key: counter
            value: "{{ 41 + 1 }}"
          - id: get
            type: io.kestra.plugin.core.kv.Get
            key: counter
          - id: read
            type: io.kestra.plugin.core.debug.Return
            format: "{{ kv('counter') + 1 }} {{ outputs.get.value }}"
        """
    run = run_flow(tmp_path, flow)
    assert run.state == "SUCCESS", run.logs
    assert run.outputs("read") == {"value": "43 42"}


def test_a_disabled_flow_refuses_to_run(tmp_path):
    from runtime.engine import RunError

    with pytest.raises(RunError, match="is disabled"):
        run_flow(tmp_path, """
            id: off
            namespace: tests
            disabled: true
            tasks:
              - id: r
                type: io.kestra.plugin.core.debug.Return
                format: x
            """)


def test_for_each_item_runs_the_subflow_per_batch(tmp_path):
    run = run_flow(tmp_path, """
        id: items
        namespace: tests
        tasks:
          - id: write
            type: io.kestra.plugin.core.storage.Write
            content: "a\\nb\\nc\\n"
          - id: each
            type: io.kestra.plugin.core.flow.ForEachItem
            items: "{{ outputs.write.uri }}"
            batch:
              rows: 2
            namespace: tests
            flowId: per-batch
            inputs:
              file: "{{ taskrun.items }}"
        """, """
        id: per-batch
        namespace: tests
        inputs:
          - id: file
            type: FILE
        tasks:
          - id: show
            type: io.kestra.plugin.core.log.Log
            message: "{{ read(inputs.file) | trim }}"
        outputs:
          - id: lines
            type: INT
            value: "{{ read(inputs.file) | trim | split('\\n') | length }}"
        """)
    assert run.state == "SUCCESS", run.logs
    outputs = run.outputs("each")
    assert {k: v for k, v in outputs.items() if k != "uri"} == {"numberOfBatches": 2, "iterations": {"SUCCESS": 2}}
    assert run.engine.storage.read_text(outputs["uri"]) == "{lines:2}\n{lines:1}\n"
    assert "[show] a\nb\n" in run.logs and "[show] c\n" in run.logs


def test_read_finds_namespace_files_and_storage_files(tmp_path):
    home = tmp_path / ".flowc"
    notes = home / "storage" / "tests" / "_files" / "notes"
    notes.mkdir(parents=True)
    (notes / "hello.txt").write_text("from a namespace file")
    run = run_flow(tmp_path, """
        id: reader
        namespace: tests
        tasks:
          - id: write
            type: io.kestra.plugin.core.storage.Write
            content: stored
          - id: both
            type: io.kestra.plugin.core.debug.Return
            format: "{{ read('notes/hello.txt') }} / {{ read(outputs.write.uri) }}"
        """, home=home)
    assert run.outputs("both") == {"value": "from a namespace file / stored"}


@pytest.mark.corpus
def test_retry_success_on_the_fourth_attempt_ends_warning(tmp_path):
    run = run_flow(tmp_path, corpus("retry-success.yaml").replace("PT0.250S", "PT0.01S"))
    assert run.state == "WARNING"  # warningOnRetry
    assert run.ex.taskruns[0].attempts == 4
    assert "never-happen" not in run.states()


@pytest.mark.corpus
def test_retry_random_waits_between_its_bounds(tmp_path):
    run = run_flow(tmp_path, corpus("retry-random.yaml").replace("PT0.20S", "PT0.01S").replace("PT0.50S", "PT0.02S"))
    assert run.state == "FAILED" and run.ex.taskruns[0].attempts == 3
    waits = [line.split("retrying in PT")[1].rstrip("S") for line in run.logs.splitlines() if "retrying in" in line]
    assert len(waits) == 2 and all(0.01 <= float(w) <= 0.02 for w in waits)


def test_echo_and_state_tasks(tmp_path):
    run = run_flow(tmp_path, """
        id: stateful
        namespace: tests
        tasks:
          - id: save
            type: io.kestra.plugin.core.state.Set
            data:
              seen: "{{ flow.id }}"
          - id: load
            type: io.kestra.plugin.core.state.Get
          - id: say
            type: io.kestra.plugin.core.debug.Echo
            format: "state says {{ outputs.load.data.seen }}"
            level: WARN
        """)
    assert run.state == "SUCCESS", run.logs
    assert run.outputs("load")["data"] == {"seen": "stateful"}
    assert "WARN  [say] state says stateful" in run.logs


def test_raw_block_marks_agree_between_the_lexer_and_the_runtime():
    from compiler.expr.lexer import RAW_MARK as lexer_mark
    from runtime.templates import RAW_MARK as runtime_mark

    assert lexer_mark == runtime_mark


def test_a_templated_concurrency_limit(tmp_path):
    run = run_flow(tmp_path, """
        id: limits
        namespace: tests
        variables:
          width: 2
        tasks:
          - id: fan
            type: io.kestra.plugin.core.flow.Parallel
            concurrent: "{{ vars.width }}"
            tasks:
              - id: a
                type: io.kestra.plugin.core.debug.Return
                format: a
              - id: b
                type: io.kestra.plugin.core.debug.Return
                format: b
          - id: dag
            type: io.kestra.plugin.core.flow.Dag
            concurrent: "{{ vars.width + 1 }}"
            tasks:
              - task:
                  id: c
                  type: io.kestra.plugin.core.debug.Return
                  format: c
        """)
    assert run.state == "SUCCESS", run.logs


@pytest.mark.corpus
def test_working_directory_children_are_keyed_by_the_loops_around_it(tmp_path):
    run = run_flow(tmp_path, corpus("working-directory-each.yaml"))
    assert run.state == "SUCCESS", run.logs
    stored = run.outputs("second")["uris"]["out/stay.txt"]
    assert run.outputs("2_end") == {"value": stored}  # outputs.second.s1.s2.s3.uris[...]


@pytest.mark.corpus
def test_working_directory_children_see_its_taskrun_value_and_worker_taskrun(tmp_path):
    run = run_flow(tmp_path, corpus("working-directory-taskrun.yml"))
    assert run.outputs("log-taskrun") == {"value": "1"}
    nested = run_flow(tmp_path / "nested", corpus("working-directory-taskrun-nested.yml"))
    worker = [tr for tr in nested.ex.taskruns if tr.task.id == "workingDir"][0]
    assert f'"id":"{worker.id}"' in nested.outputs("log-taskrun")["value"]
    assert nested.outputs("log-workerparent") == {"value": '{"taskrun":{"value":"1"}}'}


@pytest.mark.corpus
def test_subflows_share_the_correlation_id_of_the_first_execution(tmp_path):
    run = run_flow(tmp_path, corpus("subflow-parent.yaml"), corpus("subflow-child.yaml"), corpus("subflow-grand-child.yaml"))
    assert run.state == "SUCCESS", run.logs
    assert f"My grandparent is {run.ex.id}" in run.logs
    assert run.ex.labels["system.correlationId"] == run.ex.id


@pytest.mark.corpus
@pytest.mark.parametrize("name, state, count", [
    ("waitfor.yaml", "SUCCESS", "2"),                      # the condition holds after the first iteration
    ("waitfor-multiple-tasks.yaml", "SUCCESS", "4"),
    ("waitfor-no-success.yaml", "SUCCESS", "6"),            # maximum reached, but not failOnMaxReached
    ("waitfor-max-iterations.yaml", "FAILED", "4"),         # failOnMaxReached
    ("waitfor-multiple-tasks-failed.yaml", "FAILED", "2"),  # a child fails: no second iteration
])
def test_loop_until_as_kestras_wait_for_tests_expect(tmp_path, name, state, count):
    text = corpus(name)
    if "checkFrequency" in text:
        flow = text.replace("PT0.2S", "PT0.01S")
    else:
        flow = text.replace("    tasks:\n", "    checkFrequency:\n      interval: PT0.01S\n    tasks:\n", 1)
    run = run_flow(tmp_path, flow)
    assert run.state == state, run.logs
    values = [tr.outputs for tr in run.ex.taskruns if tr.task.id == "output_values"]
    assert values[-1] == {"values": {"count": count}}


@pytest.mark.corpus
def test_loop_until_stops_at_its_maximum_duration(tmp_path):
    run = run_flow(tmp_path, corpus("waitfor-max-duration.yaml").replace("PT0.2S", "PT0.01S").replace("PT5S", "PT0.2S"))
    assert run.state == "FAILED"
    assert "Max duration reached" in run.logs


@pytest.mark.corpus
def test_a_flow_retry_applies_to_tasks_without_their_own(tmp_path):
    run = run_flow(tmp_path, corpus("retry-failed-flow-attempts.yml").replace("PT1S", "PT0.01S"))
    assert run.state == "FAILED"
    assert run.ex.taskruns[0].attempts == 4


@pytest.mark.corpus
def test_a_flowable_retry_applies_to_its_failed_children(tmp_path):
    run = run_flow(tmp_path, corpus("retry-flowable.yaml").replace("PT1S", "PT0.01S"))
    child = [tr for tr in run.ex.taskruns if tr.task.id == "child"][0]
    assert run.state == "FAILED" and child.attempts == 3


@pytest.mark.corpus
def test_create_new_execution_starts_the_flow_again_until_the_retry_gives_up(tmp_path):
    run = run_flow(tmp_path, corpus("retry-new-execution-flow-attempts.yml").replace("PT1S", "PT0.01S"))
    assert run.state == "FAILED"
    first = run.ex.original_id
    assert first != run.ex.id
    runs = sorted((tmp_path / ".flowc" / "runs" / "io.kestra.tests" / "retry-new-execution-flow-attempts").iterdir())
    states = sorted(json.loads((d / "execution.json").read_text())["state"] for d in runs if d.is_dir()
                    and (d / "execution.json").exists())
    assert states == ["FAILED", "RETRIED", "RETRIED"]
    assert run.ex.variables(run.ex.taskruns[0])["execution"]["originalId"] == first


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["get-log.yaml", "get-log-executionid.yaml", "get-log-taskid.yaml"])
def test_log_fetch_stores_the_executions_logs(tmp_path, name):
    from runtime.pebble.ion_reader import parse_ion

    run = run_flow(tmp_path, corpus(name))
    assert run.state == "SUCCESS", run.logs
    (fetch,) = [tr for tr in run.ex.taskruns if tr.task.type == "io.kestra.plugin.core.log.Fetch"]
    logs = parse_ion(run.engine.storage.read_text(fetch.outputs["uri"]), all_rows=True)
    assert fetch.outputs["size"] == len(logs)
    messages = {(entry["taskId"], entry["message"]) for entry in logs}
    assert ("task-1", "task 1") in messages
    assert (("task-2", "task 2") in messages) == (name != "get-log-taskid.yaml")  # tasksId: [task-1]
    assert all(entry["executionId"] == run.ex.id and entry["level"] in ("INFO", "WARN", "ERROR") for entry in logs)
