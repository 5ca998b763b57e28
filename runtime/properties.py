"""Rendering a task's properties: the templates inside them rendered against a task run's
variables, everything else kept as written (Kestra renders only dynamic properties)."""
from __future__ import annotations

import json

from .flowspec import Typed
from .overrides import Late
from .pebble.context import RenderContext
from .pebble.errors import RenderError
from .templates import Template

# properties of every task that the engine reads itself; a task never sees them rendered
COMMON = frozenset({"id", "type", "description", "retry", "timeout", "disabled", "logLevel", "allowFailure",
                    "allowWarning", "logToFile", "runIf", "workerGroup", "taskCache"})


def render_value(value, rctx: RenderContext):
    if isinstance(value, Template):
        return value.render(rctx)
    if isinstance(value, Late):
        return rctx.render(value.text, rctx.root, False)
    if isinstance(value, Typed):
        return convert(value.template.render(rctx, typed=True), value.want, value.template.text)
    if isinstance(value, dict):
        return {render_value(k, rctx): render_value(v, rctx) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, rctx) for v in value]
    return value


def render_props(props: dict, rctx: RenderContext, skip=COMMON) -> dict:
    return {name: render_value(value, rctx) for name, value in props.items() if name not in skip}


def convert(value, want: str | None, text: str = ""):
    """A rendered value as the property's type, as Kestra converts a rendered `Property<T>`."""
    if want is None or not isinstance(value, str):
        return value
    try:
        if want == "integer":
            return int(value.strip())
        if want == "number":
            return float(value.strip())
        if want == "boolean":
            return value.strip().lower() == "true"
        if want in ("array", "object"):
            parsed = json.loads(value)
            if (want == "array") != isinstance(parsed, list):
                raise ValueError(want)
            return parsed
    except ValueError:
        raise RenderError(f"`{text}` rendered `{value}`, which is not {'an' if want[0] in 'aeiou' else 'a'} "
                          f"{want}") from None
    return value


TRUTHY_FALSE = frozenset({"false", "0", "-0", ""})


def truthy(value) -> bool:
    """Kestra's truthiness (TruthUtils): false only for null and the strings `false`, `0`,
    `-0` and the empty string."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    from .pebble.printing import output

    return (value if isinstance(value, str) else output(value)) not in TRUTHY_FALSE
