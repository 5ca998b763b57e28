"""How each flowable task runs its children (reference/kestra-model.md §4.6).

Each function takes the engine, the execution, the task and its task run, runs the children
through the engine and returns the flowable's state before its own allowFailure and
allowWarning (the engine applies them). A flowable's `errors` run when its children failed
and never rescue it; its `finally` runs in any case.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from .durations import parse_duration
from .execution import label_map
from .pebble.errors import RenderError
from .pebble.printing import to_json
from .properties import render_value, truthy
from .states import State, final_state
from .storage import StorageError
from .task import TaskFailed

FLOWABLES = {}
CORE = "io.kestra.plugin.core.flow."


def flowable(*names):
    """Register a flowable; a property it cannot render or use (RenderError, TaskFailed)
    fails it, and its `errors` and `finally` then run as after a failed child."""
    def register(fn):
        def run(engine, ex, task, tr) -> State:
            try:
                return fn(engine, ex, task, tr)
            except (RenderError, TaskFailed) as e:
                return _finish(engine, ex, task, tr, _fail(engine, ex, tr, e))

        run.__name__ = run.__qualname__ = fn.__name__
        run.__doc__ = fn.__doc__
        for name in names:
            FLOWABLES[CORE + name] = run
        return run
    return register


def _finish(engine, ex, task, tr, state: State) -> State:
    """Run the flowable's `errors` when it failed, then its `finally`."""
    return engine.close_block(ex, state, task.children("errors"), task.children("finally"), tr, None)


def _render(engine, ex, task, tr, name, default=None):
    if name not in task.props:
        return default
    return render_value(task.props[name], engine.render_context(ex, tr))


def _limit(engine, ex, task, tr, name: str = "concurrent") -> int:
    """A concurrency limit (0: none); `concurrent` is a Property<Integer>, so it may be a template."""
    value = _render(engine, ex, task, tr, name, 0)
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        raise RenderError(f"`{name}` must be a whole number, not `{value}`") from None


def _fail(engine, ex, tr, message) -> State:
    engine.log(ex, tr, "ERROR", engine.located(ex, tr.task, message))
    return State.FAILED


def _concurrently(jobs: list, limit: int, failed: threading.Event, stop: threading.Event) -> list:
    """Run `jobs` (functions returning a State) at most `limit` at a time (0: all at once);
    once one fails, the jobs not yet started are not started."""
    if not jobs:
        return []
    workers = len(jobs) if not limit or limit <= 0 else min(limit, len(jobs))

    def guarded(job):
        if failed.is_set() or stop.is_set():
            return None
        state = job()
        if state in (State.FAILED, State.KILLED):
            failed.set()
        return state

    with ThreadPoolExecutor(max_workers=workers) as pool:
        states = list(pool.map(guarded, jobs))
    return [s for s in states if s is not None]


# ---------------------------------------------------------------------------- plain blocks


@flowable("Sequential")
def sequential(engine, ex, task, tr) -> State:
    return engine.run_block(ex, task.children("tasks"), task.children("errors"), task.children("finally"), tr, None)


@flowable("AllowFailure")
def allow_failure(engine, ex, task, tr) -> State:
    state = engine.run_block(ex, task.children("tasks"), task.children("errors"), task.children("finally"), tr, None)
    return State.WARNING if state is State.FAILED else state


@flowable("Parallel")
def parallel(engine, ex, task, tr) -> State:
    limit = _limit(engine, ex, task, tr)
    failed = threading.Event()
    jobs = [lambda child=child: engine.run_sequence(ex, [child], tr, None) for child in task.children("tasks")]
    states = _concurrently(jobs, limit, failed, ex.stop)
    return _finish(engine, ex, task, tr, final_state(states))


# ---------------------------------------------------------------------------- choices


@flowable("If")
def if_(engine, ex, task, tr) -> State:
    previous = (tr.previous or {}).get("outputs") or {}
    if "evaluationResult" in previous:  # the branch taken stays the same on a restart
        result = previous["evaluationResult"]
    else:
        result = truthy(_render(engine, ex, task, tr, "condition"))
    tr.outputs = {"evaluationResult": result}
    ex.record(tr)
    branch = task.children("then") if result else task.children("else")
    return _finish(engine, ex, task, tr, engine.run_sequence(ex, branch, tr, None))


@flowable("Switch")
def switch(engine, ex, task, tr) -> State:
    value = _render(engine, ex, task, tr, "value")
    value = "" if value is None else str(value)
    cases = task.slots.get("cases") or {}
    branch = next((tasks for key, tasks in cases.items() if key == value), None)
    tr.outputs = {"value": value, "defaults": branch is None}
    ex.record(tr)
    if branch is None:
        branch = task.slots.get("defaults")
    if branch is None:
        raise TaskFailed(f"No task found on flow '{ex.flow.namespace}.{ex.flow.id}' for value '{value}': "
                         "no case matches and there are no `defaults`")
    enabled = [t for t in branch if not t.disabled]
    return _finish(engine, ex, task, tr, engine.run_sequence(ex, enabled, tr, None))


# ---------------------------------------------------------------------------- loops


def loop_values(raw) -> list[str]:
    """A ForEach's `values` as its iterations' `taskrun.value`s: a JSON array (rendered
    string) or a list; duplicates dropped (first one kept); non-strings as JSON."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise TaskFailed(f"Unable to parse the ForEach values as a JSON array: `{raw}`") from None
    if not isinstance(raw, list):
        raise TaskFailed(f"The ForEach values must be a list or a JSON array, not `{to_json(raw)}`")
    nulls = sum(1 for v in raw if v is None)
    if nulls:
        raise TaskFailed(f"Found '{nulls}' null values on Each, with values={to_json(raw)}")
    out: list[str] = []
    seen = set()
    for v in raw:
        text = v if isinstance(v, str) else to_json(v)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


@flowable("ForEach")
def for_each(engine, ex, task, tr) -> State:
    values = loop_values(_render(engine, ex, task, tr, "values"))
    return _each(engine, ex, task, tr, values, task.props.get("concurrencyLimit", 1))


@flowable("EachSequential")
def each_sequential(engine, ex, task, tr) -> State:
    return _each(engine, ex, task, tr, loop_values(_render(engine, ex, task, tr, "value")), 1)


def _each(engine, ex, task, tr, values: list[str], limit: int) -> State:
    """Each value's tasks in order; `limit` values at a time (1: one after the other; 0: all)."""
    children = task.children("tasks")
    failed = threading.Event()
    if limit == 1:
        states = []
        for i, value in enumerate(values):
            if failed.is_set() or ex.stop.is_set():
                break
            states.append(_iteration(engine, ex, children, tr, value, i, failed))
    else:
        jobs = [lambda value=value, i=i: _iteration(engine, ex, children, tr, value, i, failed)
                for i, value in enumerate(values)]
        states = _concurrently(jobs, limit, failed, ex.stop)
    return _finish(engine, ex, task, tr, final_state(states))


def _iteration(engine, ex, children, tr, value, index, failed) -> State:
    """One value's tasks, in order."""
    states = []
    for child in children:
        if failed.is_set() or ex.stop.is_set():
            break
        state = engine.run_task(ex, child, tr, value, iteration=index)
        states.append(state)
        if state in (State.FAILED, State.KILLED, State.PAUSED):
            if state is not State.PAUSED:
                failed.set()
            break
    return final_state(states)


@flowable("EachParallel")
def each_parallel(engine, ex, task, tr) -> State:
    values = loop_values(_render(engine, ex, task, tr, "value"))
    limit = _limit(engine, ex, task, tr)
    failed = threading.Event()
    jobs = [lambda child=child, value=value, i=i: engine.run_task(ex, child, tr, value, iteration=i)
            for i, value in enumerate(values) for child in task.children("tasks")]
    states = _concurrently(jobs, limit, failed, ex.stop)
    return _finish(engine, ex, task, tr, final_state(states))


@flowable("LoopUntil")
def loop_until(engine, ex, task, tr) -> State:
    """Its tasks again and again until `condition` is true, at most `maxIterations` times and
    for `maxDuration`, `interval` apart; reaching a maximum fails it only with
    `failOnMaxReached`."""
    frequency = render_value(task.props.get("checkFrequency") or {}, engine.render_context(ex, tr))
    try:
        max_iterations = int(frequency["maxIterations"]) if frequency.get("maxIterations") not in (None, "") else None
    except (TypeError, ValueError):
        raise TaskFailed(f"`checkFrequency.maxIterations` must be a whole number, not `{frequency['maxIterations']}`") \
            from None
    max_duration = parse_duration(frequency.get("maxDuration"))
    interval = parse_duration(frequency.get("interval", "PT1M"))
    started = time.monotonic()
    failed = threading.Event()
    iteration = 0
    while True:
        iteration += 1
        tr.outputs = {"iterationCount": iteration}
        ex.record(tr)
        state = _iteration(engine, ex, task.children("tasks"), tr, None, iteration, failed)
        if state is not State.SUCCESS and state is not State.WARNING:
            return _finish(engine, ex, task, tr, state)
        if truthy(_render(engine, ex, task, tr, "condition")):
            return _finish(engine, ex, task, tr, state)
        reached = ("Max iterations reached" if max_iterations is not None and iteration >= max_iterations else
                   "Max duration reached" if max_duration is not None
                   and time.monotonic() - started >= max_duration.total_seconds() else None)
        if reached:
            engine.log(ex, tr, "WARN", reached)
            return _finish(engine, ex, task, tr, State.FAILED if task.props.get("failOnMaxReached") is True else state)
        if interval is not None and ex.stop.wait(interval.total_seconds()):
            return State.KILLED


# ---------------------------------------------------------------------------- graphs


@flowable("Dag")
def dag(engine, ex, task, tr) -> State:
    """A task starts once every task it depends on has ended; after a failure no new task
    starts."""
    children = task.children("tasks")
    pending = {child.id: child for child in children}
    ended: dict[str, State] = {}
    ids = {child.id for child in children}
    limit = _limit(engine, ex, task, tr)
    workers = len(children) if limit <= 0 else limit
    failed = False
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        running = {}
        while pending or running:
            if not failed and not ex.stop.is_set():
                for child_id, child in list(pending.items()):
                    deps = [d for d in child.depends_on if d in ids]
                    if all(d in ended for d in deps) and (limit <= 0 or len(running) < limit):
                        running[pool.submit(engine.run_task, ex, child, tr, None)] = child_id
                        del pending[child_id]
            if not running:
                break
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                state = future.result()
                ended[running.pop(future)] = state
                if state in (State.FAILED, State.KILLED):
                    failed = True
    return _finish(engine, ex, task, tr, final_state(ended.values()))


# ---------------------------------------------------------------------------- working directory


@flowable("WorkingDirectory")
def working_directory(engine, ex, task, tr) -> State:
    from .tasks.files import collect_outputs, write_inputs
    from .tasks.props import string_list

    directory = Path(tempfile.mkdtemp(prefix=f"{task.id}-", dir=engine._tmp(ex)))
    try:
        write_inputs(directory, _render(engine, ex, task, tr, "inputFiles"), engine.storage)
        # its children's task runs have no value of their own (their outputs are keyed by the
        # loops around the WorkingDirectory), but they see its `taskrun.value` (Kestra's worker)
        state = engine.run_sequence(ex, task.children("tasks"), tr, None, workdir=directory)
        prefix = engine.storage.execution_prefix(ex.flow.namespace, ex.flow.id, ex.id)

        def store(path: Path, name: str) -> str:
            return engine.storage.put(f"{prefix}/tasks/{task.id}/{tr.id}/{name}", path)

        # matched as the script tasks' `outputFiles` are (Kestra uses the same FilesService)
        patterns = string_list({"outputFiles": _render(engine, ex, task, tr, "outputFiles")}, "outputFiles")
        if patterns:
            tr.outputs = {"outputFiles": collect_outputs(directory, patterns, store)}
        return _finish(engine, ex, task, tr, state)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# ---------------------------------------------------------------------------- subflows


@flowable("Subflow")
def subflow(engine, ex, task, tr) -> State:
    namespace = _render(engine, ex, task, tr, "namespace")
    flow_id = _render(engine, ex, task, tr, "flowId")
    inputs = _render(engine, ex, task, tr, "inputs", {}) or {}
    labels = label_map(_render(engine, ex, task, tr, "labels", {}))
    if task.props.get("inheritLabels") is True:
        labels = {**ex.labels, **labels}
    wait_ = task.props.get("wait", True) is not False
    child = engine.run_child(ex, tr, namespace, flow_id, inputs, labels, wait_)
    if not wait_:
        tr.outputs = {"executionId": child}
        return State.SUCCESS
    tr.outputs = {"executionId": child.id, "state": child.state.value, "outputs": child.flow_outputs or {}}
    if task.props.get("transmitFailed", True) is not False and child.state in (
            State.FAILED, State.KILLED, State.WARNING, State.PAUSED):
        if child.state.failed:
            engine.log(ex, tr, "ERROR", f"subflow execution {child.id} ended {child.state.value}")
        return child.state
    return State.SUCCESS


@flowable("ForEachItem")
def for_each_item(engine, ex, task, tr) -> State:
    """The `items` file split into batches of lines, one subflow execution per batch."""
    items = _render(engine, ex, task, tr, "items")
    batch = task.props.get("batch") or {}
    rows = render_value(batch.get("rows", 1), engine.render_context(ex, tr))
    namespace = _render(engine, ex, task, tr, "namespace")
    flow_id = _render(engine, ex, task, tr, "flowId")
    try:
        rows = int(rows or 1)
        lines = engine.storage.read_text(items).splitlines(keepends=True)
    except (ValueError, OSError, StorageError) as e:
        raise TaskFailed(str(e)) from None
    prefix = engine.storage.execution_prefix(ex.flow.namespace, ex.flow.id, ex.id)
    batches = [lines[i:i + rows] for i in range(0, len(lines), rows)]
    counts: dict[str, int] = {}
    states = []
    merged: list[dict] = []
    wait_ = task.props.get("wait", True) is not False
    for iteration, chunk in enumerate(batches, start=1):
        uri = engine.storage.put(f"{prefix}/tasks/{task.id}/{tr.id}/batch-{iteration}.ion", "".join(chunk))
        extra = {"taskrun": {**engine.render_context(ex, tr).root["taskrun"], "items": uri, "iteration": iteration}}
        inputs = render_value(task.props.get("inputs") or {}, engine.render_context(ex, tr, extra))
        child = engine.run_child(ex, tr, namespace, flow_id, inputs, label_map(task.props.get("labels")), wait_)
        state = child.state if wait_ else State.CREATED
        counts[state.value] = counts.get(state.value, 0) + 1
        states.append(state)
        if wait_:
            merged.append(child.flow_outputs or {})
    tr.outputs = {"numberOfBatches": len(batches), "iterations": counts}
    if wait_:  # the subflows' outputs, one ION map per line, as Kestra merges them
        from .pebble.ion_writer import to_ion_text

        text = "".join(to_ion_text(outputs) + "\n" for outputs in merged)
        tr.outputs["uri"] = engine.storage.put(f"{prefix}/tasks/{task.id}/{tr.id}/outputs.ion", text)
    if wait_ and task.props.get("transmitFailed", True) is not False:
        return _finish(engine, ex, task, tr, final_state(s for s in states if s is not State.CREATED))
    return State.SUCCESS


# ---------------------------------------------------------------------------- pause


@flowable("Pause")
def pause(engine, ex, task, tr) -> State:
    previous = tr.previous or {}
    if previous.get("state") == State.PAUSED.value:
        tr.outputs = {"onResume": _resume_inputs(engine, ex, task, tr)}
        engine.log(ex, tr, "INFO", "resumed")
        return _after_pause(engine, ex, task, tr)
    delay = parse_duration(_render(engine, ex, task, tr, "delay"))
    if delay is not None:
        engine.log(ex, tr, "INFO", f"paused for {task.props.get('delay')}")
        if ex.stop.wait(delay.total_seconds()):
            return State.KILLED
        return _after_pause(engine, ex, task, tr)
    engine.log(ex, tr, "INFO", f"paused: continue with `--resume {ex.id}`")
    return State.PAUSED


def _after_pause(engine, ex, task, tr) -> State:
    """The deprecated `tasks` of a Pause run once it is resumed."""
    if not task.children("tasks"):
        return State.SUCCESS
    return engine.run_block(ex, task.children("tasks"), task.children("errors"), (), tr, None)


def _resume_inputs(engine, ex, task, tr) -> dict:
    """The Pause's `onResume` inputs from the values given with `--resume`, parsed and
    validated as flow inputs are."""
    from .inputs import InputError, resolve_inputs

    declarations = [i for i in task.props.get("onResume") or () if isinstance(i, dict)]
    if not declarations:
        return {}
    prefix = engine.storage.execution_prefix(ex.flow.namespace, ex.flow.id, ex.id)
    try:
        resolved = resolve_inputs(declarations, ex.resume_inputs, storage=engine.storage, execution_prefix=prefix)
    except InputError as e:  # as Kestra refuses the resume request: the execution stays PAUSED
        from .engine import RunError

        raise RunError(f"execution {ex.id} is not resumed: {e} (give it with --resume {ex.id} -i NAME=VALUE)") from None
    ex.log.secrets.update(resolved.secrets)
    return resolved.values
