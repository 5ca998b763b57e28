"""What compiled templates call: scopes, writers, undefined handling, filter/function/test
dispatch. A compiled template is Python source made by compiler.expr.to_python; it imports
this module as `rt` and never evaluates user text."""
from __future__ import annotations

from .context import RenderContext
from .errors import LimitError, RenderError, UndefinedError
from .operators import (  # the operators compiled code calls through `rt`
    add,
    call_method,
    concat,
    contains,
    div,
    eq,
    ge,
    get,
    gt,
    is_in,
    le,
    lt,
    mod,
    mul,
    ne,
    neg,
    not_,
    pos,
    range_,
    sub,
    test_if,
    test_ternary,
    truth_and,
    truth_or,
)
from .printing import output, to_string
from .signatures import FILTERS, FUNCTIONS, TESTS, bind, load_all
from .values import UNDEFINED, Int32, JavaHashMap, MapEntry, class_name  # noqa: F401

load_all()

# the operators compiled templates call through `rt`, besides the helpers defined below
__all__ = [
    "add",
    "call_method",
    "concat",
    "contains",
    "div",
    "eq",
    "ge",
    "get",
    "gt",
    "is_in",
    "le",
    "lt",
    "mod",
    "mul",
    "ne",
    "neg",
    "not_",
    "pos",
    "range_",
    "sub",
    "test_if",
    "test_ternary",
    "truth_and",
    "truth_or",
]

MAX_MACRO_DEPTH = 100


# --------------------------------------------------------------------------- scopes


class Scope:
    """Pebble's scope chain: the run's variables (read-only), the template's own
    variables, then one scope per active `for` loop; a macro sees only its arguments."""

    __slots__ = ("root", "frames")

    def __init__(self, root: dict, frames: list[dict] | None = None) -> None:
        self.root = root
        self.frames = frames if frames is not None else [{}]

    def lookup(self, name: str):
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        if name in self.root:
            return self.root[name]
        if name in PEBBLE_GLOBALS:
            return PEBBLE_GLOBALS[name]
        raise UndefinedError(name)

    def set(self, name: str, value) -> None:
        for frame in reversed(self.frames):
            if name in frame:
                frame[name] = value
                return
        if name in self.root:
            raise RenderError(f"cannot `set` `{name}`: it is a variable of the execution, which is read-only")
        self.frames[-1][name] = value

    def define(self, name: str, value) -> None:
        self.frames[-1][name] = value

    def push(self) -> None:
        self.frames.append({})

    def pop(self) -> None:
        self.frames.pop()


PEBBLE_GLOBALS = {"locale": "en_US"}  # Pebble's own globals (the JVM locale of Kestra's server)


# --------------------------------------------------------------------------- writers


class StringWriter:
    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, s: str) -> None:
        self.parts.append(s)

    def value(self, v) -> None:
        self.parts.append(output(v))

    def result(self):
        return "".join(self.parts)


class TypedWriter:
    """Kestra's typed rendering: a template that is one `{{ }}` keeps the value's type;
    text alone gives a string; a value next to anything else fails, as in Kestra."""

    __slots__ = ("parts", "has_value", "value_")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.has_value = False
        self.value_ = None

    def text(self, s: str) -> None:
        if self.has_value:
            raise RenderError(f"Tried to add java.lang.String to {class_name(self.value_)}")
        self.parts.append(s)

    def value(self, v) -> None:
        if self.has_value or self.parts:
            existing = self.value_ if self.has_value else "".join(self.parts)
            raise RenderError(f"Tried to add {class_name(v)} to {class_name(existing)}")
        self.has_value = True
        self.value_ = v

    def result(self):
        return self.value_ if self.has_value else "".join(self.parts)


# --------------------------------------------------------------------------- undefined handling


def try_chain(fn):
    """The value of an operand chain, or UNDEFINED when it is undefined (for `default`,
    `is defined`)."""
    try:
        return fn()
    except UndefinedError:
        return UNDEFINED


def coalesce(left, right):
    """`a ?? b` where `a` is a chain: `b` when `a` is undefined or null."""
    try:
        value = left()
    except UndefinedError:
        return right()
    return right() if value is None else value


def coalesce_value(value, right):
    """`a ?? b` where `a` is not a chain: only null falls back."""
    return right() if value is None else value


def coalesce_undefined(left, right):
    """`a ??? b`: `b` only when `a` is undefined."""
    try:
        return left()
    except UndefinedError:
        return right()


# --------------------------------------------------------------------------- dispatch


def filter_(name: str, value, args: tuple, kwargs: dict):
    sig = FILTERS.get(name)
    if sig is None:
        raise RenderError(f"Filter [{name}] does not exist.")
    positional, named = bind(sig, args, kwargs)
    return sig.fn(value, *positional, **named)


def test_(name: str, value, args: tuple, kwargs: dict) -> bool:
    sig = TESTS.get(name)
    if sig is None:
        raise RenderError(f"Test [{name}] does not exist.")
    positional, named = bind(sig, args, kwargs)
    return bool(sig.fn(value, *positional, **named))


def call(rctx: RenderContext, scope: Scope, macros: dict, name: str, args: tuple, kwargs: dict):
    if name == "block":
        block = macros.get(f"block:{args[0] if args else kwargs.get('name')}")
        if block is None:
            raise RenderError(f"Block [{args[0] if args else ''}] does not exist.")
        return block()
    if name == "parent":
        raise RenderError("parent() cannot be used: Kestra templates do not extend another template")
    sig = FUNCTIONS.get(name)
    if sig is not None:
        positional, named = bind(sig, args, kwargs)
        if sig.context:
            outer, rctx.scope = rctx.scope, scope
            try:
                return sig.fn(rctx, *positional, **named)
            finally:
                rctx.scope = outer
        return sig.fn(*positional, **named)
    macro = macros.get(name)
    if macro is not None:
        return macro(*args, **kwargs)
    raise RenderError(f"Function or Macro [{name}] does not exist.")


def call_macro(body, params: list[tuple[str, object]], args: tuple, kwargs: dict, rctx: RenderContext, macros: dict) -> str:
    if len(args) > len(params):
        raise RenderError(f"too many arguments for a macro of {len(params)} parameters")
    local = {}
    for (name, default), value in zip(params, args):
        local[name] = value
    for name, default in params[len(args):]:
        local[name] = kwargs.get(name, default)
    if rctx.macro_depth > MAX_MACRO_DEPTH:
        raise LimitError(f"macros call each other more than {MAX_MACRO_DEPTH} levels deep")
    rctx.macro_depth += 1
    try:
        writer = StringWriter()
        body(Scope({}, [local]), writer)
        return writer.result()
    finally:
        rctx.macro_depth -= 1


def render_block(body, scope: Scope) -> str:
    writer = StringWriter()
    body(scope, writer)
    return writer.result()


def map_literal(entries: list[tuple]) -> JavaHashMap:
    return JavaHashMap.of(entries)


def interpolate(parts: list) -> str:
    return "".join(p if isinstance(p, str) else ("" if p is None else to_string(p)) for p in parts)


def iterate(value):
    """What `{% for %}` walks: None renders nothing; maps yield entries."""
    if value is None:
        return None
    if isinstance(value, dict):
        return [MapEntry(item) for item in value.items()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    raise RenderError(f"Not an iterable object. Value = [{to_string(value)}]")


def loop_info(index: int, length: int) -> dict:
    return {"index": Int32(index), "revindex": Int32(length - index - 1), "length": Int32(length),
            "first": index == 0, "last": index == length - 1}


def apply_filters(value, filters: list[tuple[str, tuple, dict]]):
    for name, args, kwargs in filters:
        value = filter_(name, value, args, kwargs)
    return value
