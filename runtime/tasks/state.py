"""State store tasks (`io.kestra.plugin.core.state.*`): Set, Get, Delete.

A state is a JSON map named `name` (default "default"), kept per flow (or per namespace with
`namespace: true`) and, inside a loop, per `taskrun.value` unless `taskrunValue: false`. They
use the run's `ctx.services.state_store` (a `runtime.kvstore.StateStore`).
"""
from __future__ import annotations

from ..kvstore import KVStoreError, StateNotFound, StateStore
from ..task import TaskFailed, TaskRunContext
from .props import flag, invalid, optional_text


def state_store(ctx: TaskRunContext) -> StateStore:
    store = getattr(ctx.services, "state_store", None)
    if store is None:
        raise TaskFailed("No state store is available in this run")
    return store


def _name(ctx: TaskRunContext) -> str:
    return optional_text(ctx.props, "name", "default")


def _scope(ctx: TaskRunContext) -> dict:
    return {
        "flow_scoped": not flag(ctx.props, "namespace", False),
        "taskrun_value": ctx.ids.value if flag(ctx.props, "taskrunValue", True) else None,
    }


def run_set(ctx: TaskRunContext) -> dict:
    data = ctx.props.get("data")
    if data is not None and not isinstance(data, dict):
        raise invalid("data", data, "a map")
    try:
        key, merged = state_store(ctx).merge(ctx.ids.namespace, ctx.ids.flow_id, _name(ctx), data or {}, **_scope(ctx))
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    return {"count": len(merged), "key": key}


def run_get(ctx: TaskRunContext) -> dict:
    try:
        data = state_store(ctx).get(ctx.ids.namespace, ctx.ids.flow_id, _name(ctx), **_scope(ctx))
    except StateNotFound as e:
        if flag(ctx.props, "errorOnMissing", False):
            raise TaskFailed(str(e)) from None
        data = {}
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    return {"count": len(data), "data": data}


def run_delete(ctx: TaskRunContext) -> dict:
    name = _name(ctx)
    try:
        deleted = state_store(ctx).delete(ctx.ids.namespace, ctx.ids.flow_id, name, **_scope(ctx))
    except KVStoreError as e:
        raise TaskFailed(str(e)) from None
    if not deleted and flag(ctx.props, "errorOnMissing", False):
        raise TaskFailed(f"Unable to find the state file '{name}'")
    return {"deleted": deleted}


TASKS = {
    "io.kestra.plugin.core.state.Set": run_set,
    "io.kestra.plugin.core.state.Get": run_get,
    "io.kestra.plugin.core.state.Delete": run_delete,
}
