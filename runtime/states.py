"""Execution and task-run states, and how a list of task runs resolves to one state
(Kestra's `State.Type` and `guessFinalState`)."""
from __future__ import annotations

from enum import Enum


class State(str, Enum):
    CREATED = "CREATED"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    RESTARTED = "RESTARTED"
    KILLING = "KILLING"
    SUCCESS = "SUCCESS"
    WARNING = "WARNING"
    FAILED = "FAILED"
    KILLED = "KILLED"
    CANCELLED = "CANCELLED"
    QUEUED = "QUEUED"
    RETRYING = "RETRYING"
    RETRIED = "RETRIED"
    SKIPPED = "SKIPPED"

    @property
    def terminated(self) -> bool:
        return self in TERMINATED

    @property
    def failed(self) -> bool:
        return self in (State.FAILED, State.KILLED)

    def __str__(self) -> str:
        return self.value


TERMINATED = frozenset({State.FAILED, State.WARNING, State.SUCCESS, State.KILLED, State.CANCELLED,
                        State.RETRIED, State.SKIPPED})


def final_state(states) -> State:
    """The state of a list of task runs: KILLED over FAILED over WARNING over PAUSED over
    SUCCESS; skipped, cancelled and retried runs count as successes."""
    states = set(states)
    for s in (State.KILLED, State.FAILED, State.WARNING, State.PAUSED):
        if s in states:
            return s
    return State.SUCCESS


def allowed(state: State, allow_failure: bool, allow_warning: bool) -> State:
    """A task's own state after its `allowFailure` and `allowWarning`."""
    if state is State.FAILED and allow_failure:
        state = State.WARNING
    if state is State.WARNING and allow_warning:
        state = State.SUCCESS
    return state
