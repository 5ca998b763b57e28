"""Retry policies: the cross-field rules Kestra checks when saving."""
from __future__ import annotations

from runtime.durations import format_duration, parse_duration

from ..diagnostics import Severity, rule
from ..source import Mapping, to_data
from .base import check

RETRY_BOUNDS = rule(
    "S217", "retry-interval-conflict", Severity.ERROR,
    "A retry policy whose intervals contradict each other or its `maxDuration`.",
    """
    ## What it does
    Reports retry policies where an interval is not shorter than `maxDuration`, an
    exponential `interval` is not shorter than `maxInterval`, or a random `minInterval` is
    not shorter than `maxInterval`.

    ## Why is this bad?
    Such a policy can never retry as written; Kestra refuses the flow (`'interval' must be
    less than 'maxDuration'`).

    ## Example
    ```yaml
    retry:
      type: constant
      interval: PT10M
      maxDuration: PT5M
    ```

    ## Use instead
    ```yaml
    retry:
      type: constant
      interval: PT1M
      maxDuration: PT5M
    ```
    """,
)

# (shorter, longer) pairs per retry type
_PAIRS = {
    "constant": [("interval", "maxDuration")],
    "exponential": [("interval", "maxDuration"), ("interval", "maxInterval")],
    "random": [("minInterval", "maxDuration"), ("maxInterval", "maxDuration"), ("minInterval", "maxInterval")],
}


def _check(node, reporter) -> None:
    if not isinstance(node, Mapping):
        return
    data = to_data(node)
    for short, long in _PAIRS.get(data.get("type"), ()):
        a, b = parse_duration(data.get(short)), parse_duration(data.get(long))
        if a is not None and b is not None and not a < b:
            reporter.report(RETRY_BOUNDS, f"`{short}` ({format_duration(a)}) must be less than `{long}` ({format_duration(b)})",
                            node.get(short).span, help=f"shorten `{short}` or lengthen `{long}`")


@check
def retry_bounds(flow, reporter) -> None:
    _check(flow.node.get("retry"), reporter)
    for plugin in flow.walk("task"):
        _check(plugin.prop("retry"), reporter)
