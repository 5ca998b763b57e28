"""The registry of filters, functions and tests, each declared once with its parameters.

An implementation declares its parameters with the decorator that registers it; the runtime
binds call arguments with Pebble's rules (`bind`), and the type checker reads the same
declarations, so the two cannot drift apart.

Implementations receive Python stand-ins for Java values (see `values`) and raise
`RenderError` with Kestra's message when Kestra would fail.

- filter:   fn(value, **params)            `{{ value | name(params) }}`
- function: fn(**params), or fn(ctx, **params) when declared with `context=True`
- test:     fn(value, **params) -> bool    `{{ value is name }}`

`params=None` declares varargs (Pebble's null argument list): positional arguments are
passed as `*args` and named ones are ignored.

A parameter's `type` and a filter's or test's `input` name every kind of value the
implementation accepts, in any Kestra version flowc targets: a literal of another kind (see
`accepts`) always fails the render, whatever the other values. The checker reports such
literals (T105), and tests/analysis/test_argument_kinds.py checks, by rendering, that each
implementation refuses them. Declare a wider type when in doubt: it only makes the checker
quieter.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .errors import RenderError

REQUIRED = object()  # a parameter without default that must be given


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "any"  # any | string | integer | number | boolean | list | map | date | null ("a|b" for unions)
    default: Any = None


# the kinds of literal a template can write, and the type names that accept each
LITERAL_KINDS = {
    "string": ("string",),
    # Long or Double: not told apart, as Kestra versions differ between Long casts and Number
    "number": ("integer", "number"),
    "boolean": ("boolean",),
    "list": ("list",),
    "map": ("map",),
}


def accepts(declared: str, kind: str) -> bool:
    """Whether a parameter or input declared `declared` takes a literal of `kind` (one of
    LITERAL_KINDS); a refused kind always fails the render."""
    names = declared.split("|")
    return "any" in names or any(name in names for name in LITERAL_KINDS[kind])


@dataclass(frozen=True)
class Signature:
    name: str
    kind: str  # filter | function | test
    params: tuple[Param, ...] | None
    input: str  # type of the filtered/tested value ("any" for functions)
    returns: str
    context: bool
    fn: Callable
    doc: str


FILTERS: dict[str, Signature] = {}
FUNCTIONS: dict[str, Signature] = {}
TESTS: dict[str, Signature] = {}


def _params(spec) -> tuple[Param, ...] | None:
    if spec is None:
        return None
    out = []
    for p in spec:
        out.append(p if isinstance(p, Param) else Param(p))
    return tuple(out)


def _register(table: dict, kind: str, name: str, params, input: str, returns: str, context: bool):
    def decorate(fn: Callable) -> Callable:
        table[name] = Signature(name, kind, _params(params), input, returns, context, fn, (fn.__doc__ or "").strip())
        return fn

    return decorate


def filter(name: str, params=(), input: str = "any", returns: str = "any"):
    return _register(FILTERS, "filter", name, params, input, returns, False)


def function(name: str, params=(), returns: str = "any", context: bool = False):
    return _register(FUNCTIONS, "function", name, params, "any", returns, context)


def test(name: str, params=(), input: str = "any"):
    return _register(TESTS, "test", name, params, input, "boolean", False)


def bind(sig: Signature, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Pebble's argument binding: positional arguments fill the declared names in order,
    named ones must be declared; undeclared parameters get their default."""
    if sig.params is None:
        return tuple(args), {}
    names = [p.name for p in sig.params]
    if len(args) > len(names):
        raise RenderError(
            f"The argument at position {len(names) + 1} is not allowed. Only {len(names)} argument(s) are allowed for {sig.kind} [{sig.name}]."
        )
    bound = {}
    for p, value in zip(sig.params, args):
        bound[p.name] = value
    for key, value in kwargs.items():
        if key not in names:
            raise RenderError(f"The following named argument does not exist: {key}")
        bound[key] = value
    for p in sig.params:
        if p.name not in bound:
            if p.default is REQUIRED:
                # Kestra's functions refuse a missing argument; filters and tests receive null
                # and decide (most return null for a null input before looking at arguments)
                if sig.kind == "function":
                    raise RenderError(f"The '{sig.name}' function expects an argument '{p.name}'.")
                bound[p.name] = None
            else:
                bound[p.name] = p.default
    return (), bound


def load_all() -> None:
    """Import every module that registers filters, functions and tests."""
    import importlib

    for module in ("filters_core", "filters_kestra", "dates", "functions", "tests", "newer"):
        try:
            importlib.import_module(f"{__package__}.{module}")
        except ModuleNotFoundError as e:  # a module not written yet
            if e.name != f"{__package__}.{module}":
                raise
