"""Registration of the checks that run over the flow model after the schema stage."""
from __future__ import annotations

from typing import Callable

CHECKS: list[Callable] = []


def check(fn: Callable) -> Callable:
    """Register `fn(flow, reporter)` to run on every flow."""
    CHECKS.append(fn)
    return fn


def run_checks(flow, reporter) -> None:
    for fn in CHECKS:
        fn(flow, reporter)


def literal_text(value) -> str | None:
    """A value written literally (no expression), as text; None otherwise."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return None if ("{{" in text or "{%" in text) else text
