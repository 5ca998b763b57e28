"""The expression cases produced by Kestra's real engine (../shared/conformance)."""
import importlib.util
import json
from datetime import timezone

import pytest

from compiler.expr import RenderError, render
from runtime.pebble.values import URI, Float32, Instant, Int32, JArray

from ..conformance_skips import SKIPS
from ..conftest import SHARED

CONFORMANCE = SHARED / "conformance"
CASES = [json.loads(line) for line in (CONFORMANCE / "pebble-cases.jsonl").open()] if CONFORMANCE.is_dir() else []
pytestmark = pytest.mark.corpus


def _load_context():
    spec = importlib.util.spec_from_file_location("conformance_context", CONFORMANCE / "context.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_context


def _integers(value):
    """Java Integers: what JSON data and Kestra's own maps hold."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Int32(value)
    if isinstance(value, list):
        return [_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integers(v) for k, v in value.items()}
    return value


def java_context():
    """context.py's values, with the Java types its comments name (values.py)."""
    ctx = _load_context()()
    longs = {"l", "bigInt"}
    for key, value in list(ctx.items()):
        if key not in longs:
            ctx[key] = _integers(value)
    ctx["f"] = Float32(ctx["f"])
    ctx["list"][2] = Float32(ctx["list"][2])
    ctx["fl"] = [Float32(x) for x in ctx["fl"]]
    ctx["arr"] = JArray(ctx["arr"])
    ctx["inta"] = JArray(ctx["inta"], component="java.lang.Integer")
    ctx["uri"] = URI(ctx["uri"])
    for key in ("instant", "instant0"):
        ctx[key] = Instant.fromtimestamp(ctx[key].timestamp(), timezone.utc)
    start = ctx["execution"]["startDate"]
    ctx["execution"]["startDate"] = Instant.fromtimestamp(start.timestamp(), timezone.utc)
    return ctx


def _id(case):
    return case["t"][:60]


def outcome(case):
    mode = case.get("mode")
    try:
        value = render(case["t"], java_context(), typed=mode == "typed", recursive=mode == "recursive")
    except RenderError as e:
        return ("err", str(e))
    if mode == "typed":
        from runtime.pebble.printing import to_string
        from runtime.pebble.values import class_name

        return ("out", "null" if value is None else to_string(value), class_name(value))
    return ("out", value)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_case(case):
    if case["t"] in SKIPS:
        pytest.skip(SKIPS[case["t"]])
    got = outcome(case)
    if "err" in case:
        assert got[0] == "err", f"expected an error ({case['err']}), got {got[1]!r}"
        return
    assert got[0] == "out", f"expected {case['out']!r}, got error: {got[1]}"
    expected = {case["out"]}
    if "out_jdk25" in case:
        expected.add(case["out_jdk25"])
    assert got[1] in expected
    if case.get("mode") == "typed" and case.get("java"):
        assert got[2] == case["java"]


def test_pass_rate():
    """At least 97% of the cases pass; every skipped case is listed with its reason."""
    passed = 0
    for case in CASES:
        if case["t"] in SKIPS:
            continue
        got = outcome(case)
        if "err" in case:
            passed += got[0] == "err"
        else:
            ok = got[0] == "out" and got[1] in {case["out"], case.get("out_jdk25")}
            if ok and case.get("mode") == "typed" and case.get("java"):
                ok = got[2] == case["java"]
            passed += ok
    assert passed / len(CASES) >= 0.97, f"{passed}/{len(CASES)} pass"
