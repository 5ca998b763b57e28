"""Run a compiled flow with Kestra's semantics (reference/kestra-model.md §4.3–§4.7).

The engine walks the task tree: a list of tasks runs in order and stops at the first task
that ends FAILED, KILLED or PAUSED; a block's `errors` then run, and its `finally` in any
case; each flowable decides how its children run (runtime/flowables.py); a runnable task is
a function of its family module (runtime/tasks/), run with its retries and timeout. Every
task run that ends is written to the journal, so a restart never runs it again.
"""
from __future__ import annotations

import importlib
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

from .durations import format_duration, format_hms, parse_duration
from .execution import Execution, TaskRun, new_id, now
from .flowspec import Flow, Task
from .journal import Journal, find_run, read_execution, write_execution
from .logs import ExecutionLog
from .pebble.errors import RenderError
from .properties import render_props, render_value, truthy
from .services import Services
from .states import State, allowed, final_state
from .storage import Storage
from .task import RunIds, TaskFailed, TaskLogger, TaskRunContext
from .templates import context

STOPS = (State.FAILED, State.KILLED, State.PAUSED, State.RETRIED)
RETRIED_FLOWABLES = ("io.kestra.plugin.core.flow.Subflow",)
CORRELATION_ID = "system.correlationId"

# the family module of each task type flowc runs (runtime/tasks/<module>.py)
FAMILIES = {
    "io.kestra.plugin.core.log.": "core",
    "io.kestra.plugin.core.debug.": "core",
    "io.kestra.plugin.core.output.": "core",
    "io.kestra.plugin.core.execution.": "core",
    "io.kestra.plugin.core.flow.Sleep": "core",
    "io.kestra.plugin.core.storage.": "storage",
    "io.kestra.plugin.core.kv.": "kv",
    "io.kestra.plugin.core.state.": "state",
    "io.kestra.plugin.core.http.": "http",
    "io.kestra.plugin.scripts.": "scripts",
    "io.kestra.plugin.jdbc.": "jdbc",
}


class RunError(Exception):
    """The flow cannot be run at all (disabled, bad inputs, unknown execution): exit code 2."""


class Engine:
    def __init__(self, flows: dict[tuple[str, str], Flow], home: Path = Path(".flowc"), log_level: str = "INFO",
                 stream=None, environ=None, overrides=()) -> None:
        from .overrides import Overrides

        self.flows = flows
        self.overrides = Overrides(overrides)
        self.home = Path(home)
        self.storage = Storage(self.home / "runs")
        self.log_level = log_level
        self.stream = stream
        self.environ = environ
        self._functions: dict[str, object] = {}

    # ------------------------------------------------------------------ executions

    def start(self, flow: Flow, provided: dict | None = None, *, trigger: dict | None = None,
              labels: dict | None = None, parent: Execution | None = None, resume: str | None = None,
              execution_id: str | None = None) -> Execution:
        """Run an execution of `flow` to its end (or its pause) and return it."""
        if resume is not None:
            return self._resume(flow, resume, provided or {})
        if flow.disabled:
            raise RunError(f"the flow {flow.namespace}.{flow.id} is disabled (`disabled: true`): it cannot be run")
        ex = Execution(execution_id or new_id(), flow, {}, trigger=trigger, parent=parent)
        # the flow's labels, but not its system ones (they describe the flow: `system.readOnly`)
        ex.labels = {**{str(k): str(v) for k, v in flow.labels.items() if not str(k).startswith("system.")},
                     **(labels or {})}
        # one correlation id for an execution and every subflow it starts (Kestra's system label)
        correlation = parent.labels.get(CORRELATION_ID) if parent is not None else None
        ex.labels.setdefault(CORRELATION_ID, correlation or ex.id)
        self._open(ex)
        try:
            from .inputs import InputError, resolve_inputs

            try:
                ex.inputs, secret_values = self._inputs(flow, provided or {}, ex, resolve_inputs)
            except InputError as e:
                self._close(ex)
                shutil.rmtree(ex.directory, ignore_errors=True)  # nothing ran: leave no run behind
                raise RunError(str(e)) from None
            ex.log.secrets.update(secret_values)
            self._save(ex)
            return self._run(ex)
        except BaseException:
            if not ex.journal.closed:
                self._close(ex)
            raise

    def _inputs(self, flow: Flow, provided: dict, ex: Execution, resolve_inputs):
        prefix = self.storage.execution_prefix(flow.namespace, flow.id, ex.id)
        variables = ex.base_variables()

        def render(text, visible):
            rctx = context({**variables, **visible}, flow.templates, ex.services)
            return flow.templates.render(text, rctx, typed=True)

        resolved = resolve_inputs(flow.inputs, provided, storage=self.storage, execution_prefix=prefix,
                                  render_condition=render)
        for warning in resolved.warnings:
            ex.log.emit("WARN", warning)
        return resolved.values, set(resolved.secrets)

    def _resume(self, flow: Flow, execution_id: str, resume_inputs: dict) -> Execution:
        directory = find_run(self.storage.runs, execution_id)
        if directory is None:
            raise RunError(f"no execution {execution_id} under {self.storage.runs}")
        saved = read_execution(directory)
        if (saved.get("namespace"), saved.get("flow_id")) != flow.key:
            raise RunError(f"execution {execution_id} is of flow {saved.get('namespace')}.{saved.get('flow_id')}, "
                           f"not {flow.namespace}.{flow.id}")
        if saved.get("state") in ("SUCCESS", "WARNING"):
            raise RunError(f"execution {execution_id} ended {saved['state']}: there is nothing to resume")
        ex = Execution(execution_id, flow, saved.get("inputs") or {}, trigger=saved.get("trigger"),
                       labels=saved.get("labels") or {})
        ex.original_id = saved.get("original_id") or execution_id
        ex.resume_inputs = resume_inputs  # for the `onResume` inputs of the Pause it continues
        self._open(ex)
        ex.log.emit("INFO", f"Resuming execution {execution_id} (was {saved.get('state')}): task runs that "
                            "ended in SUCCESS, WARNING or SKIPPED are not run again")
        try:
            return self._run(ex)
        except BaseException:
            self._close(ex)
            raise

    def _open(self, ex: Execution) -> None:
        self._keep_out_of_git()
        flow = ex.flow
        ex.directory = self.storage.run_dir(flow.namespace, flow.id, ex.id)
        ex.directory.mkdir(parents=True, exist_ok=True)
        ex.log = ExecutionLog(ex.directory / "log.txt", self.log_level, self.stream)
        ex.journal = Journal(ex.directory)
        ex.services = Services(flow.namespace, self.storage, ex.log, self.home, self.environ)
        ex.envs = _envs(self.environ)

    def _keep_out_of_git(self) -> None:
        """Runs hold logs, files and input values (secrets too): never committed by accident."""
        ignore = self.home / ".gitignore"
        if not ignore.exists():
            try:
                self.home.mkdir(parents=True, exist_ok=True)
                ignore.write_text("# created by flowc run: executions, their files and the KV store stay local\n*\n")
            except OSError:
                pass  # a read-only place: the run itself reports what it cannot write

    def _close(self, ex: Execution) -> None:
        ex.journal.close()
        ex.log.close()

    def _save(self, ex: Execution) -> None:
        write_execution(ex.directory, {
            "version": 1, "id": ex.id, "original_id": ex.original_id, "namespace": ex.flow.namespace,
            "flow_id": ex.flow.id, "revision": ex.flow.revision, "source": ex.flow.source, "state": ex.state.value,
            "start": ex.start, "end": ex.end, "inputs": ex.inputs, "trigger": ex.trigger, "labels": ex.labels,
            "outputs": ex.flow_outputs})

    def _run(self, ex: Execution) -> Execution:
        flow = ex.flow
        slots = self._admit(ex)
        if ex.state in (State.CANCELLED, State.FAILED):
            return self._end(ex)
        timers = []
        try:
            ex.state = State.RUNNING
            ex.log.emit("INFO", f"Execution {ex.id} of {flow.namespace}.{flow.id} started ({flow.source})")
            timers = self._watch_durations(ex)
            state = self.run_block(ex, flow.tasks, flow.errors, flow.finally_, None, None)
            if ex.exit_state is not None:
                state = ex.exit_state
            if ex.retry_in is not None:
                state = State.RETRIED
            ex.state = state
            if state not in (State.PAUSED, State.RETRIED):
                self._flow_outputs(ex)
                self._assertions(ex)
                if ex.sla_state is not None:
                    ex.state = ex.sla_state
                if flow.after_execution:
                    self.run_sequence(ex, flow.after_execution, None, None)
            for thread in ex.background:
                thread.join()
        finally:
            for timer in timers:
                timer.cancel()
            if slots is not None:
                slots.release(ex.id)
        self._end(ex)
        if ex.retry_in is not None:
            return self._again(ex)
        return ex

    def _again(self, old: Execution) -> Execution:
        """A flow retry with CREATE_NEW_EXECUTION: after the delay, a new execution of the same
        flow with the same inputs, which does not run again what already succeeded."""
        time.sleep(old.retry_in.total_seconds())
        ex = Execution(new_id(), old.flow, old.inputs, trigger=old.trigger, labels=dict(old.labels), parent=old.parent)
        ex.original_id = old.original_id or old.id
        ex.attempt, ex.first_start = old.attempt + 1, old.first_start
        self._open(ex)
        ex.log.secrets.update(old.log.secrets)
        for key in old.journal.entries:
            done = old.journal.done(key)
            if done is not None:
                ex.journal.record(key, {k: v for k, v in done.items() if k != "key"})
        ex.log.emit("INFO", f"Execution {ex.id} retries execution {old.id} (attempt {ex.attempt})")
        self._save(ex)
        return self._run(ex)

    def _admit(self, ex: Execution):
        """Take a slot of the flow's `concurrency` limit, or queue, cancel or fail as it says."""
        limit = (ex.flow.concurrency or {}).get("limit")
        if not isinstance(limit, int) or limit < 1:
            return None
        from .concurrency import Slots

        slots = Slots(self.storage.runs / ex.flow.namespace / ex.flow.id, limit)
        if slots.try_take(ex.id):
            return slots
        behavior = str(ex.flow.concurrency.get("behavior") or "QUEUE").upper()
        if behavior == "CANCEL":
            ex.state = State.CANCELLED
            ex.log.emit("WARN", f"Execution {ex.id} is CANCELLED: the flow's concurrency limit ({limit}) is reached")
            return None
        if behavior == "FAIL":
            ex.state = State.FAILED
            ex.log.emit("ERROR", "Flow is FAILED due to concurrency limit exceeded")
            return None
        ex.state = State.QUEUED
        self._save(ex)
        ex.log.emit("INFO", f"Execution {ex.id} is QUEUED: the flow's concurrency limit ({limit}) is reached")
        slots.wait_take(ex.id, ex.stop)
        return slots

    def _watch_durations(self, ex: Execution) -> list:
        """Timers for the flow's MAX_DURATION SLAs."""
        timers = []
        for sla in ex.flow.sla:
            if str(sla.get("type", "")).upper() == "MAX_DURATION":
                duration = parse_duration(sla.get("duration"))
                if duration is not None:
                    timer = threading.Timer(duration.total_seconds(), self._violate, (ex, sla,
                                            f"the execution ran longer than {sla.get('duration')}"))
                    timer.daemon = True
                    timer.start()
                    timers.append(timer)
        return timers

    def _assertions(self, ex: Execution) -> None:
        for sla in ex.flow.sla:
            if str(sla.get("type", "")).upper() != "EXECUTION_ASSERTION":
                continue
            try:
                holds = truthy(render_value(sla.get("assert"), context(ex.base_variables(), ex.flow.templates,
                                                                      ex.services)))
            except RenderError as e:
                ex.log.emit("ERROR", f"SLA {sla.get('id')}: the assertion cannot be evaluated: {e}")
                holds = False
            if not holds:
                self._violate(ex, sla, "its assertion is false")

    def _violate(self, ex: Execution, sla: dict, why: str) -> None:
        behavior = str(sla.get("behavior") or "NONE").upper()
        ex.log.emit("WARN" if behavior == "NONE" else "ERROR", f"SLA {sla.get('id')} violated: {why}")
        labels = sla.get("labels")
        if isinstance(labels, dict):
            with ex.lock:
                ex.labels.update({str(k): str(v) for k, v in labels.items()})
        if behavior in ("FAIL", "CANCEL"):
            ex.sla_state = State.FAILED if behavior == "FAIL" else State.CANCELLED
            ex.kill()

    def _end(self, ex: Execution) -> Execution:
        ex.end = now()
        ex.log.emit("ERROR" if ex.state.failed else "INFO",
                    f"Execution {ex.id} ended {ex.state.value} in {format_duration(ex.end - ex.start)}")
        self._save(ex)
        self._close(ex)
        return ex

    def _flow_outputs(self, ex: Execution) -> None:
        if not ex.flow.outputs:
            return
        from .inputs import OutputError, resolve_outputs, secret_outputs

        rctx = context(ex.base_variables(), ex.flow.templates, ex.services)
        prefix = self.storage.execution_prefix(ex.flow.namespace, ex.flow.id, ex.id)
        try:
            rendered = {o["id"]: render_value(o.get("value"), rctx) for o in ex.flow.outputs}
            ex.flow_outputs = resolve_outputs(ex.flow.outputs, rendered, storage=self.storage, execution_prefix=prefix)
            ex.log.secrets.update(secret_outputs(ex.flow.outputs, ex.flow_outputs))
        except (RenderError, OutputError) as e:
            ex.log.emit("ERROR", f"Failed to render output values: {e}")
            ex.state = State.FAILED

    # ------------------------------------------------------------------ blocks

    def run_block(self, ex: Execution, tasks, errors, finally_, parent: TaskRun | None, value: str | None) -> State:
        """A list of tasks, then its `errors` if it failed, then its `finally`."""
        return self.close_block(ex, self.run_sequence(ex, tasks, parent, value), errors, finally_, parent, value)

    def close_block(self, ex: Execution, state: State, errors, finally_, parent: TaskRun | None,
                    value: str | None) -> State:
        """After a block's tasks ended in `state`: its `errors` if it failed (they never rescue
        it), then its `finally`."""
        if state is State.FAILED and errors:
            self.run_sequence(ex, errors, parent, value)
        if finally_:
            self.run_sequence(ex, finally_, parent, value)
        return state

    def run_sequence(self, ex: Execution, tasks, parent: TaskRun | None, value: str | None,
                     failed: threading.Event | None = None, workdir: Path | None = None) -> State:
        states = []
        for task in tasks:
            if task.disabled:
                continue
            if ex.stop.is_set() or (failed is not None and failed.is_set()):
                break
            state = self.run_task(ex, task, parent, value, workdir=workdir)
            states.append(state)
            if state in STOPS:
                if failed is not None and state is not State.PAUSED:
                    failed.set()
                break
        return final_state(states)

    # ------------------------------------------------------------------ one task

    def run_task(self, ex: Execution, task: Task, parent: TaskRun | None, value: str | None,
                 iteration: int | None = None, workdir: Path | None = None) -> State:
        path = parent.path if parent is not None else ()
        if value is not None:
            path = path + (value,)
        tr = TaskRun(new_id(), task, path, value, parent, iteration=iteration)
        key = Journal.key(task.id, path, iteration)
        tr.previous = ex.journal.entries.get(key)
        if ex.journal.done(key) is not None and not task.flowable:
            return self._replay(ex, tr, tr.previous)
        with ex.lock:
            ex.taskruns.append(tr)
        tr.state = self._run_if(ex, task, tr) or self._dispatch(ex, task, tr, workdir)
        tr.state = allowed(tr.state, task.props.get("allowFailure") is True, task.props.get("allowWarning") is True)
        tr.end = now()
        ex.record(tr)
        ex.journal.record(key, {"id": tr.id, "task_id": task.id, "state": tr.state.value, "value": tr.value,
                                "attempts": tr.attempts, "outputs": tr.outputs,
                                **({"labels": tr.labels} if tr.labels else {})})
        return tr.state

    def _replay(self, ex: Execution, tr: TaskRun, previous: dict) -> State:
        tr.id = previous.get("id", tr.id)
        tr.state = State(previous["state"])
        tr.outputs = previous.get("outputs")
        tr.attempts = previous.get("attempts", 1)
        if previous.get("labels"):
            ex.labels.update(previous["labels"])
        with ex.lock:
            ex.taskruns.append(tr)
        ex.record(tr)
        self.log(ex, tr, "DEBUG", f"ended {tr.state.value} in a previous run: not run again")
        return tr.state

    def _run_if(self, ex: Execution, task: Task, tr: TaskRun) -> State | None:
        """SKIPPED when the task's `runIf` is not truthy, FAILED when it cannot be rendered;
        None when the task runs."""
        if "runIf" not in task.props:
            return None
        try:
            return None if truthy(render_value(task.props["runIf"], self.render_context(ex, tr))) else State.SKIPPED
        except RenderError as e:
            self.log(ex, tr, "ERROR", f"Unable to evaluate the runIf condition for task {task.id}: {e}")
            return State.FAILED

    def _dispatch(self, ex: Execution, task: Task, tr: TaskRun, workdir: Path | None) -> State:
        tr.state = State.RUNNING
        if not task.flowable:
            return self.run_runnable(ex, task, tr, workdir)
        from .flowables import FLOWABLES

        runner = FLOWABLES.get(task.type)
        if runner is None:
            tr.attempts = 1
            self.log(ex, tr, "ERROR", f"flowc cannot run flowable tasks of type {task.type} locally")
            return State.FAILED
        if task.type in RETRIED_FLOWABLES:  # Kestra retries a failed Subflow as a runnable task
            return self.retried(ex, task, tr, lambda: runner(self, ex, task, tr))
        tr.attempts = 1
        return runner(self, ex, task, tr)

    def render_context(self, ex: Execution, tr: TaskRun, extra: dict | None = None):
        variables = ex.variables(tr)
        if extra:
            variables.update(extra)
        return context(variables, ex.flow.templates, ex.services)

    def log(self, ex: Execution, tr: TaskRun | None, level: str, message: str) -> None:
        task = tr.task if tr is not None else None
        ex.log.emit(level, message, task.id if task else None, tr.id if tr else None,
                    task.props.get("logLevel") if task else None)

    def located(self, ex: Execution, task: Task, error: Exception) -> str:
        """An error message that says where in the flow file the task is."""
        return f"{ex.flow.source}:{task.line}: {error}"

    # ------------------------------------------------------------------ runnable tasks

    def task_function(self, type_name: str):
        """(the function running tasks of this type, its family module), or None when flowc
        has none; the family module may add variables (`expression_vars`) and say whether its
        tasks need a working directory (`USES_WORKDIR`)."""
        if type_name not in self._functions:
            family = next((m for prefix, m in FAMILIES.items() if type_name.startswith(prefix)), None)
            found = None
            if family is not None:
                module = importlib.import_module(f"{__package__}.tasks.{family}")
                fn = module.TASKS.get(type_name)
                found = (fn, module) if fn is not None else None
            self._functions[type_name] = found
        return self._functions[type_name]

    def run_runnable(self, ex: Execution, task: Task, tr: TaskRun, workdir: Path | None = None) -> State:
        runner = self.task_function(task.type)
        if runner is None:
            self.log(ex, tr, "ERROR", self.located(ex, task, f"flowc cannot run tasks of type {task.type} locally"))
            tr.attempts = 1
            return State.FAILED
        return self.retried(ex, task, tr, lambda: self._attempt(ex, task, tr, runner, workdir))

    def retry_policy(self, ex: Execution, task: Task, tr: TaskRun) -> dict | None:
        """The retry that applies to a failed task run: its own, else the nearest enclosing
        flowable's, else the flow's (Kestra's ExecutorService order)."""
        for candidate in (task, *(p.task for p in tr.ancestors())):
            retry = candidate.props.get("retry")
            if isinstance(retry, dict):
                return retry
        return ex.flow.retry if isinstance(ex.flow.retry, dict) else None

    def retried(self, ex: Execution, task: Task, tr: TaskRun, attempt) -> State:
        """Run `attempt` until it does not fail or the retry policy gives up."""
        retry = self.retry_policy(ex, task, tr)
        first = time.monotonic()
        while True:
            tr.attempts += 1
            state = attempt()
            if state is not State.FAILED or retry is None or ex.stop.is_set():
                break
            if str(retry.get("behavior", "RETRY_FAILED_TASK")).upper() == "CREATE_NEW_EXECUTION":
                delay = _next_delay(retry, ex.attempt, (now() - ex.first_start).total_seconds())
                if delay is not None:  # the whole execution starts again, as a new one
                    ex.retry_in = delay
                    ex.stop.set()
                    self.log(ex, tr, "WARN", f"failed: a new execution starts in {format_duration(delay)}")
                    state = State.RETRIED
                break
            delay = _next_delay(retry, tr.attempts, time.monotonic() - first)
            if delay is None:
                break
            tr.state = State.RETRYING
            self.log(ex, tr, "WARN", f"attempt {tr.attempts} failed: retrying in {format_duration(delay)}")
            if ex.stop.wait(delay.total_seconds()):
                break
        if state is State.SUCCESS and retry is not None and retry.get("warningOnRetry") is True and tr.attempts > 1:
            state = State.WARNING
        return state

    def _attempt(self, ex: Execution, task: Task, tr: TaskRun, runner, workdir: Path | None) -> State:
        fn, module = runner
        own = workdir is None and getattr(module, "USES_WORKDIR", True)
        directory = Path(tempfile.mkdtemp(prefix=f"{task.id}-", dir=self._tmp(ex))) if own else workdir
        try:
            return self._attempt_in(ex, task, tr, fn, module, directory)
        finally:
            if own and directory is not None:
                shutil.rmtree(directory, ignore_errors=True)

    def _attempt_in(self, ex: Execution, task: Task, tr: TaskRun, fn, module, directory: Path | None) -> State:
        extra = None
        if directory is not None and hasattr(module, "expression_vars"):
            # script tasks render their properties with `workingDir`, `outputFiles`, ... as Kestra does
            output_files = task.props.get("outputFiles")
            extra = module.expression_vars(directory, output_files if isinstance(output_files, list) else None,
                                           task.props.get("outputDirectory") is True)
        try:
            rctx = self.render_context(ex, tr, extra)
            props = render_props(self.overrides.props(task), rctx)
            timeout = render_value(task.props.get("timeout"), rctx)
        except RenderError as e:
            self.log(ex, tr, "ERROR", self.located(ex, task, e))
            return State.FAILED
        flow = ex.flow
        ctx = TaskRunContext(
            props=props,
            logger=TaskLogger(lambda level, message: self.log(ex, tr, level, message)),
            storage=self.storage,
            workdir=directory,
            ids=RunIds(flow.namespace, flow.id, ex.id, task.id, tr.id, tr.value),
            services=_TaskServices(self, ex, tr),
        )
        ex.active[id(ctx)] = ctx
        if ex.killed:
            ctx.cancel.set()
        try:
            outputs = self._call(fn, ctx, timeout)
            tr.outputs = outputs if outputs else None
            if ex.killed and ctx.cancel.is_set():
                return State.KILLED
            return State.WARNING if ctx.warning else State.SUCCESS
        except _Timeout as e:
            ctx.cancel.set()
            self.log(ex, tr, "ERROR", f"Timeout after {e}")
            return State.FAILED
        except TaskFailed as e:
            tr.outputs = getattr(e, "outputs", None) or tr.outputs
            if ex.killed and ctx.cancel.is_set():
                return State.KILLED
            self.log(ex, tr, "ERROR", str(e))
            return State.FAILED
        except RenderError as e:
            self.log(ex, tr, "ERROR", self.located(ex, task, e))
            return State.FAILED
        except Exception as e:  # a task's own bug or an unexpected failure: the task fails, the run goes on
            self.log(ex, tr, "ERROR", f"{type(e).__name__}: {e}")
            return State.FAILED
        finally:
            ex.active.pop(id(ctx), None)

    def _call(self, fn, ctx: TaskRunContext, timeout):
        duration = parse_duration(timeout) if timeout not in (None, "") else None
        if duration is None:
            return fn(ctx)
        result: dict = {}

        def target():
            try:
                result["value"] = fn(ctx)
            except BaseException as e:  # handed to the caller's thread
                result["error"] = e

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        thread.join(duration.total_seconds())
        if thread.is_alive():
            ctx.cancel.set()
            thread.join(5)  # a task that honours `cancel` stops now; one that does not is abandoned
            raise _Timeout(format_hms(duration.total_seconds()))
        if "error" in result:
            raise result["error"]
        return result.get("value")

    def _tmp(self, ex: Execution) -> Path:
        directory = ex.directory / "tmp"
        directory.mkdir(exist_ok=True)
        return directory

    # ------------------------------------------------------------------ subflows

    def run_child(self, ex: Execution, tr: TaskRun, namespace: str, flow_id: str, inputs: dict, labels: dict,
                  wait: bool) -> Execution | str:
        flow = self.flows.get((namespace, flow_id))
        if flow is None:
            raise TaskFailed(f"Unable to find flow '{namespace}'.'{flow_id}': it is not among the flows compiled "
                             "with this one")
        trigger = {"id": tr.task.id, "type": tr.task.type,
                   "executionId": ex.id, "namespace": ex.flow.namespace, "flowId": ex.flow.id,
                   "flowRevision": ex.flow.revision}
        if wait:
            try:
                return self.start(flow, inputs, trigger=trigger, labels=labels, parent=ex)
            except RunError as e:
                raise TaskFailed(str(e)) from None

        execution_id = new_id()

        def background():
            try:
                self.start(flow, inputs, trigger=trigger, labels=labels, parent=ex, execution_id=execution_id)
            except RunError as e:
                ex.log.emit("ERROR", f"subflow {namespace}.{flow_id}: {e}", tr.task.id, tr.id)

        if flow.disabled:
            raise TaskFailed(f"the flow {namespace}.{flow_id} is disabled: it cannot be run")
        thread = threading.Thread(target=background)
        thread.start()
        ex.background.append(thread)
        return execution_id


class _TaskServices:
    """What a task run may ask of the execution besides rendering."""

    def __init__(self, engine: Engine, ex: Execution, tr: TaskRun) -> None:
        self.engine, self.ex, self.tr = engine, ex, tr

    @property
    def kv_store(self):
        return self.ex.services.kv_store

    @property
    def state_store(self):
        return self.ex.services.state_store

    def logs(self) -> list[dict]:
        """The logs of this execution so far (the log Fetch task)."""
        ex = self.ex
        return [{"namespace": ex.flow.namespace, "flowId": ex.flow.id, "executionId": ex.id, **entry}
                for entry in list(ex.log.entries)]

    @property
    def execution_id(self) -> str:
        return self.ex.id

    def set_labels(self, labels: dict) -> None:
        with self.ex.lock:
            self.ex.labels.update(labels)
        self.tr.labels.update(labels)

    def exit(self, state: State) -> None:
        self.ex.exit_state = state
        if state is State.KILLED:  # only KILLED stops the tasks already running
            self.ex.kill()
        else:
            self.ex.stop.set()


class _Timeout(Exception):
    pass


def _next_delay(retry: dict, attempts: int, elapsed: float):
    """The wait before the next attempt, or None when the retry policy is exhausted."""
    from datetime import timedelta

    max_attempt = retry.get("maxAttempt")
    if isinstance(max_attempt, int) and attempts >= max_attempt:
        return None
    kind = str(retry.get("type", "constant")).lower()
    interval = parse_duration(retry.get("interval")) or timedelta(0)
    if kind == "exponential":
        factor = retry.get("delayFactor") or 2
        delay = interval * (factor ** (attempts - 1))
        cap = parse_duration(retry.get("maxInterval"))
        if cap is not None and delay > cap:
            delay = cap
    elif kind == "random":
        low = parse_duration(retry.get("minInterval")) or timedelta(0)
        high = parse_duration(retry.get("maxInterval")) or low
        delay = timedelta(seconds=random.uniform(low.total_seconds(), high.total_seconds()))
    else:
        delay = interval
    max_duration = parse_duration(retry.get("maxDuration"))
    if max_duration is not None and timedelta(seconds=elapsed) + delay > max_duration:
        return None
    if max_attempt is None and max_duration is None:
        return None  # Kestra requires one of them; without either, do not loop forever
    return delay


def _envs(environ) -> dict:
    """`envs`: the environment variables prefixed `ENV_`, prefix removed, lower-cased."""
    import os

    environ = os.environ if environ is None else environ
    return {k[4:].lower(): v for k, v in environ.items() if k.startswith("ENV_") and len(k) > 4}
