"""What a trigger gives the execution it starts: the `trigger.*` variables, and for a
Schedule its `inputs` and labels (reference/kestra-model.md §6), so that
`--trigger schedule --date ...` runs the flow as that schedule would have."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from .cron import CronError, Schedule
from .execution import label_map, new_id

KINDS = {
    "schedule": ("io.kestra.plugin.core.trigger.Schedule",),
    "webhook": ("io.kestra.plugin.core.trigger.Webhook",),
    "flow": ("io.kestra.plugin.core.trigger.Flow",),
}


class TriggerError(Exception):
    pass


def find(flow, kind: str, trigger_id: str | None) -> dict:
    types = KINDS[kind]
    candidates = [t for t in flow.triggers if isinstance(t, dict) and t.get("type") in types]
    if trigger_id is not None:
        candidates = [t for t in candidates if t.get("id") == trigger_id]
    if not candidates:
        which = f" with id `{trigger_id}`" if trigger_id else ""
        raise TriggerError(f"the flow {flow.namespace}.{flow.id} has no {kind} trigger{which}")
    return candidates[0]


def zone_of(trigger: dict):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = trigger.get("timezone")
    if not name:
        return datetime.now().astimezone().tzinfo or timezone.utc  # Kestra: the server's zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TriggerError(f"unknown time zone `{name}`") from None


def schedule(flow, trigger_id: str | None, date: str | None) -> tuple[dict, dict, dict]:
    """(trigger variables, inputs, labels) of a Schedule firing at `date` (default: its last
    fire time before now)."""
    trigger = find(flow, "schedule", trigger_id)
    zone = zone_of(trigger)
    try:
        cron = Schedule(str(trigger.get("cron")), trigger.get("withSeconds") is True)
    except CronError as e:
        raise TriggerError(f"cron `{trigger.get('cron')}`: {e}") from None
    if date is None:
        when = cron.previous(datetime.now(zone))
    else:
        try:
            when = datetime.fromisoformat(date)
        except ValueError:
            raise TriggerError(f"--date `{date}` is not an ISO date-time such as 2024-01-31T02:00:00+01:00") from None
        when = when.replace(tzinfo=zone) if when.tzinfo is None else when.astimezone(zone)
    variables = {"date": when, "next": cron.next(when), "previous": cron.previous(when)}
    return variables, dict(trigger.get("inputs") or {}), label_map(trigger.get("labels"))


def webhook(flow, trigger_id: str | None, body: str | None) -> tuple[dict, dict, dict]:
    trigger = find(flow, "webhook", trigger_id)
    parsed = body
    if body is not None:
        try:
            value = json.loads(body)
            parsed = value if isinstance(value, (dict, list)) else body
        except ValueError:
            parsed = body
    return {"body": parsed, "headers": {}, "parameters": {}}, {}, label_map(trigger.get("labels"))


def flow_trigger(flow, trigger_id: str | None, upstream: str | None, state: str | None) -> tuple[dict, dict, dict]:
    trigger = find(flow, "flow", trigger_id)
    namespace, _, flow_id = (upstream or "").rpartition(".")
    if not namespace or not flow_id:
        raise TriggerError("--upstream NAMESPACE.FLOW_ID names the execution that triggers the flow")
    variables = {"executionId": new_id(), "namespace": namespace, "flowId": flow_id, "flowRevision": 1,
                 "state": (state or "SUCCESS").upper(), "outputs": {}}
    return variables, dict(trigger.get("inputs") or {}), label_map(trigger.get("labels"))
