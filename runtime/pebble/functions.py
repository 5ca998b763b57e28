"""Pebble's and Kestra's functions (pebble.md §4.3), except `now` (dates) and
`block`/`parent` (the template engine).

Parsing functions (`fromJson`, `yaml`, `fromIon`) produce the Java values Jackson would:
Integer when a whole number fits 32 bits, Long when it fits 64, BigInteger beyond; Double for
floating numbers; maps that keep their key order. Functions that need an execution (`secret`,
`kv`, `read`, ...) ask `RenderContext.services` and fail clearly when there is none.
"""
from __future__ import annotations

import json
import math
import random
import uuid

from .context import RenderContext
from .errors import LimitError, RenderError, UndefinedError
from .operators import gt, lt
from .printing import to_string
from .signatures import REQUIRED, Param, function
from .ion_reader import parse_ion
from .values import (
    LONG_MAX,
    LONG_MIN,
    Int32,
    JArray,
    JavaHashMap,
    JChar,
    boxed_int,
    is_number,
    wrap_long,
)
from .yaml_reader import parse_yaml

MAX_RANGE = 1_000_000  # a range longer than this is refused (it could exhaust memory)

MAX_RENDER_NESTING = 10  # render() inside render() inside ...


def _java_long(x) -> int:
    """Number.longValue(): doubles truncate and saturate (NaN is 0), big integers wrap."""
    if isinstance(x, float):
        if math.isnan(x):
            return 0
        if math.isinf(x):
            return LONG_MAX if x > 0 else LONG_MIN
        return max(LONG_MIN, min(LONG_MAX, int(x)))
    return wrap_long(int(x))


def _is_string(v) -> bool:
    """A java.lang.String (a Character is not one)."""
    return isinstance(v, str) and not isinstance(v, JChar)


# --------------------------------------------------------------------------- max, min, range


def _extreme(args, beats):
    best = None
    for candidate in args:
        if best is None or beats(candidate, best):
            best = candidate
    return best


@function("max", params=None, returns="any")
def max_(*args):
    """The greatest argument, compared as numbers (nulls lose); the argument itself is returned."""
    return _extreme(args, gt)


@function("min", params=None, returns="any")
def min_(*args):
    """The smallest argument, compared as numbers (nulls lose); the argument itself is returned."""
    return _extreme(args, lt)


@function(
    "range",
    params=[Param("start", "number|string", REQUIRED), Param("end", "number|string", REQUIRED), Param("increment", "number", 1)],
    returns="list",
)
def range_(start, end, increment=1):
    """The numbers (as Longs) from start to end inclusive, or the characters between two
    one-character strings, `increment` apart."""
    if increment is None:
        increment = 1
    if not is_number(increment):
        raise RenderError(f"The increment of the range function must be a number {increment}")
    step = _java_long(increment)
    if is_number(start) and is_number(end):
        first, last, make = _java_long(start), _java_long(end), int
    elif _is_string(start) and _is_string(end):
        if not (len(start) == len(end) == 1 and ord(start) <= 0xFFFF and ord(end) <= 0xFFFF):
            raise RenderError("range function works only with single character strings")
        first, last, make = ord(start), ord(end), lambda c: JChar(chr(c))
    else:
        raise RenderError("wrong parameter types for the range function")
    if step == 0:
        raise RenderError("The increment of the range function must be different than 0")
    count = (last - first) // step + 1 if (last - first) * step >= 0 else 0
    if count > MAX_RANGE:
        raise LimitError(f"range of {count:,} elements is more than the {MAX_RANGE:,} flowc allows")
    if make is int and count and not LONG_MIN <= first + count * step <= LONG_MAX:
        # Java's loop counter overflows there and never stops: the JVM runs out of memory
        raise LimitError("range reaches the end of the Long numbers and never stops")
    return [make(v) for v in range(first, first + count * step, step)]


# --------------------------------------------------------------------------- JSON


def _no_constant(name: str):
    raise ValueError(f"Non-standard token '{name}'")


_JSON = json.JSONDecoder(parse_int=lambda text: boxed_int(int(text)), parse_constant=_no_constant)
_JSON_SPACE = " \t\n\r"


def parse_json(text: str):
    """Jackson's reading of one JSON value: whatever follows a complete value is ignored,
    but a number or literal at the root must end cleanly."""
    start = len(text) - len(text.lstrip(_JSON_SPACE))
    try:
        value, end = _JSON.raw_decode(text, start)
    except (ValueError, RecursionError) as e:
        raise RenderError(f"Invalid json: {e}") from None
    following = text[end:end + 1]
    if following and not isinstance(value, (str, list, dict)):
        if value is None or isinstance(value, bool):
            bad = following.isalnum() or following in "_$"
        else:
            bad = following not in _JSON_SPACE
        if bad:
            raise RenderError(f"Invalid json: unexpected character {following!r} after the value")
    return value


def _string_argument(fn: str, name: str, value, nullable: bool):
    if value is None and nullable:
        return None
    if not _is_string(value):
        raise RenderError(f"The '{fn}' function expects an argument '{name}' with type string.")
    return value


@function("fromJson", params=[Param("json", "string|null", REQUIRED)], returns="any")
def from_json(json):
    """The value a JSON text describes (objects keep their key order); null gives null."""
    text = _string_argument("fromJson", "json", json, nullable=True)
    return None if text is None else parse_json(text)


@function("json", params=[Param("json", "string|null", REQUIRED)], returns="any")
def json_(json):
    """Deprecated name of `fromJson`."""
    return from_json(json)


@function("yaml", params=[Param("yaml", "string", REQUIRED)], returns="any")
def yaml_(yaml):
    """The value a YAML text describes (YAML 1.1 scalars: `yes` is true; dates stay strings)."""
    return parse_yaml(_string_argument("yaml", "yaml", yaml, nullable=False))


# `allRows` other than true reads the first value
@function("fromIon", params=[Param("ion", "string|null", REQUIRED), Param("allRows", "any", False)], returns="any")
def from_ion(ion, allRows=False):
    """The first value of an Amazon Ion text (timestamps become dates or instants), or with
    `allRows` the list of all its values (Kestra 0.22+); null gives null."""
    text = _string_argument("fromIon", "ion", ion, nullable=True)
    return None if text is None else parse_ion(text, all_rows=allRows is True)


# --------------------------------------------------------------------------- the run's variables


@function("currentEachOutput", params=[Param("outputs", "map", REQUIRED)], returns="any", context=True)
def current_each_output(ctx: RenderContext, outputs):
    """The outputs of the current iteration: `outputs` walked by each parent's value, from the
    outermost parent inwards, then by `taskrun.value`. Like Kestra, it reverses `parents` in place."""
    if not isinstance(outputs, dict):
        raise RenderError("The 'currentEachOutput' function expects an argument 'outputs' with type map.")
    parents = ctx.variable("parents") or []
    if not isinstance(parents, list) or not all(isinstance(p, dict) for p in parents):
        raise RenderError("currentEachOutput() expects `parents` to be a list of maps")
    parents.reverse()  # nearest parent first becomes outermost first, in the shared list
    for parent in parents:
        taskrun = parent.get("taskrun")
        if taskrun is not None:
            inner = outputs.get(_value_of(taskrun))
            if inner is None:
                raise RenderError("No execution outputs for the current task runs path")
            if not isinstance(inner, dict):
                raise RenderError("The outputs of the current task runs path are not a map")
            outputs = inner
    return outputs.get(_value_of(ctx.variable("taskrun")))


def _value_of(taskrun):
    if not isinstance(taskrun, dict):
        raise RenderError("currentEachOutput() needs a task run (`taskrun`) to find the current value")
    return taskrun.get("value")


@function("printContext", params=(), returns="map", context=True)
def print_context(ctx: RenderContext):
    """Every variable visible to the template, in a Java HashMap (for debugging)."""
    items = [(k, v) for k, v in ctx.variables.items() if k not in ("_context", "locale", "template")]
    capacity = 16  # a HashMap filled entry by entry grows past three quarters full
    while len(items) > capacity * 0.75:
        capacity *= 2
    return JavaHashMap.of(items, capacity)


@function("fetchContext", params=(), returns="map", context=True)
def fetch_context(ctx: RenderContext):
    """Same as printContext()."""
    return print_context(ctx)


# --------------------------------------------------------------------------- render


def _render(ctx: RenderContext, value, recursive: bool):
    """Render strings, and the strings inside maps, lists and sets; anything else as is."""
    if _is_string(value):
        if "{" not in value:
            return value
        if ctx.render is None:
            raise RenderError("render() is not available here")
        if ctx.depth >= MAX_RENDER_NESTING:
            raise LimitError(f"render() calls nest more than {MAX_RENDER_NESTING} levels deep")
        ctx.depth += 1
        try:
            return ctx.render(value, ctx.variables, recursive)
        except UndefinedError as e:  # undefined in the rendered text is a plain failure here
            raise RenderError(e.message) from None
        finally:
            ctx.depth -= 1
    if isinstance(value, dict):
        rendered = {}
        for k, v in value.items():
            rendered.setdefault(_render(ctx, k, recursive), _render(ctx, v, recursive))
        return rendered
    if isinstance(value, list) and not isinstance(value, JArray):
        return [_render(ctx, v, recursive) for v in value]
    if isinstance(value, (set, frozenset)):
        return {_render(ctx, v, recursive) for v in value}
    return value


@function(
    "render",
    params=[Param("toRender", "any", REQUIRED), Param("recursive", "boolean", True)],
    returns="any",
    context=True,
)
def render(ctx: RenderContext, toRender, recursive=True):
    """Render a value that holds template text, with every variable; again and again until
    it stops changing unless `recursive=false`."""
    if recursive is None:
        recursive = True
    if not isinstance(recursive, bool):
        raise RenderError("The 'render' function expects an optional argument 'recursive' with type boolean.")
    return _render(ctx, toRender, recursive)


@function("renderOnce", params=[Param("toRender", "any", REQUIRED)], returns="any", context=True)
def render_once(ctx: RenderContext, toRender):
    """render(toRender, recursive=false)."""
    return _render(ctx, toRender, False)


# --------------------------------------------------------------------------- execution services


def _service(ctx: RenderContext, name: str, method: str, *args):
    """Call an execution service; without an execution, fail saying what is needed."""
    if ctx.services is None:
        raise RenderError(f"{name}() needs a Kestra execution: run the flow with `flowc run`")
    try:
        return getattr(ctx.services, method)(*args)
    except RenderError:
        raise
    except Exception as e:  # a service failure is a rendering failure
        raise RenderError(f"{name}(): {e}") from e


def _required_string(fn: str, name: str, value) -> str:
    if value is None:
        raise RenderError(f"The '{fn}' function expects an argument '{name}'.")
    if not isinstance(value, str):
        raise RenderError(f"The '{fn}' function expects an argument '{name}' with type string.")
    return str(value)


# `namespace` (Kestra 0.22+) is passed to the service as it is
@function("secret", params=[Param("key", "string", REQUIRED), Param("namespace", "any", None)], returns="string", context=True)
def secret(ctx: RenderContext, key, namespace=None):
    """The value of a secret of the flow's namespace, or (Kestra 0.22+) of `namespace`;
    masked in logs."""
    if namespace is None:
        return _service(ctx, "secret", "secret", _required_string("secret", "key", key))
    return _service(ctx, "secret", "secret", _required_string("secret", "key", key), namespace)


@function(
    "kv",
    params=[Param("key", "string", REQUIRED), Param("namespace", "string", None), Param("errorOnMissing", "boolean", False)],
    returns="any",
    context=True,
)
def kv(ctx: RenderContext, key, namespace=None, errorOnMissing=False):
    """A value of the KV store (of the flow's namespace by default); null when missing unless
    errorOnMissing."""
    key = _required_string("kv", "key", key)
    if namespace is not None and not isinstance(namespace, str):
        raise RenderError("The 'kv' function expects an argument 'namespace' with type string.")
    if errorOnMissing is None:
        errorOnMissing = False
    if not isinstance(errorOnMissing, bool):
        raise RenderError("The 'kv' function expects an argument 'errorOnMissing' with type boolean.")
    return _service(ctx, "kv", "kv", key, namespace, errorOnMissing)


@function("read", params=[Param("path", "any", REQUIRED)], returns="string", context=True)
def read(ctx: RenderContext, path):
    """The text of a namespace file or of an internal-storage file (kestra:///...) of this execution."""
    return _service(ctx, "read", "read", _required_string("read", "path", path))


@function("fileSize", params=[Param("path", "string", REQUIRED)], returns="integer", context=True)
def file_size(ctx: RenderContext, path):
    """The size in bytes (a Long) of an internal-storage file (kestra:///...) of this execution."""
    path = _required_string("fileSize", "path", path)
    if not path.startswith("kestra:///"):
        raise RenderError(f"Unable to get the size of '{path}': it is not an internal storage URI (kestra:///...)")
    return int(_service(ctx, "fileSize", "file_size", path))


@function("errorLogs", params=(), returns="list", context=True)
def error_logs(ctx: RenderContext):
    """The ERROR logs of the current execution."""
    return list(_service(ctx, "errorLogs", "error_logs"))


# the path is read as text, whatever its type
@function("fileURI", params=[Param("path", "any", REQUIRED)], returns="string", context=True)
def file_uri(ctx: RenderContext, path):
    """The kestra:/// URI of a namespace file of the flow's namespace."""
    if path is None:
        raise RenderError("The 'fileURI' function expects an argument 'path' that is a path to a namespace file.")
    path = to_string(path)
    if "../" in path:
        raise RenderError("Path must not contain '../'")
    flow = ctx.variable("flow")
    namespace = flow.get("namespace") if isinstance(flow, dict) else None
    if not isinstance(namespace, str):
        raise RenderError("fileURI() needs the flow's namespace (`flow.namespace`)")
    return f"kestra:///{namespace.replace('.', '/')}/_files/{path.removeprefix('/')}"


# --------------------------------------------------------------------------- encryption


def _crypto(name: str, key, text):
    if (key is not None and not isinstance(key, str)) or (text is not None and not isinstance(text, str)):
        raise RenderError(f"The '{name}' function expects string arguments.")
    if not text:
        return text  # empty (or null) text is returned unchanged
    raise RenderError(
        f"{name}() is not supported by flowc: AES/GCM encryption needs a cryptography library, "
        "which flowc's standard-library runtime does not have"
    )


@function("encrypt", params=[Param("key", "string", REQUIRED), Param("plaintext", "string", REQUIRED)], returns="string")
def encrypt(key, plaintext):
    """AES/GCM encryption with a base64 key (only the empty text can be handled here)."""
    return _crypto("encrypt", key, plaintext)


@function("decrypt", params=[Param("key", "string", REQUIRED), Param("encrypted", "string", REQUIRED)], returns="string")
def decrypt(key, encrypted):
    """AES/GCM decryption with a base64 key (only the empty text can be handled here)."""
    return _crypto("decrypt", key, encrypted)


# --------------------------------------------------------------------------- random values

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@function("uuid", params=(), returns="string")
def uuid_():
    """A random UUID (version 4), 36 characters."""
    return str(uuid.uuid4())


@function("id", params=(), returns="string")
def id_():
    """A random Kestra-style short id: 128 random bits in base 62, 22 characters."""
    n, digits = uuid.uuid4().int, []
    for _ in range(22):
        n, d = divmod(n, 62)
        digits.append(_BASE62[d])
    return "".join(reversed(digits))


@function("randomInt", params=[Param("lower", "integer", REQUIRED), Param("upper", "integer", REQUIRED)], returns="integer")
def random_int(lower, upper):
    """A random Integer in [lower, upper); both bounds must be Integers (literals are Longs
    and are refused, as in Kestra)."""
    for name, value in (("lower", lower), ("upper", upper)):
        if value is None:
            raise RenderError(f"The 'GenerateRandomNumber' function expects an argument {name}")
        if not isinstance(value, Int32):
            raise RenderError(f"The 'GenerateRandomNumber' function expects an argument {name}with type Integer.")
    if upper < lower:
        raise RenderError("In 'GenerateRandomNumber' upper is less than lower")
    return Int32(math.floor(random.random() * (upper - lower)) + lower)


# --------------------------------------------------------------------------- i18n


@function("i18n", params=[Param("bundle", "string", REQUIRED), Param("key", "string", REQUIRED), Param("params", "any", None)], returns="string")
def i18n(bundle, key, params=None):
    """Pebble's message-bundle lookup: Kestra ships no bundles, so it always fails."""
    raise RenderError(f"Can't find bundle for base name {bundle}, locale en_US")
