"""Expression figures: parse + compile time of every template in Kestra's valid flows, and
renders per second of a compiled template against re-parsing it each time.

    python benchmarks/bench_expr.py
"""
from __future__ import annotations

import time
from pathlib import Path

from compiler.checker import check_file
from compiler.expr import render
from compiler.expr.engine import compile_template
from compiler.expr.parser import parse
from compiler.expr.to_python import to_python

ROOT = Path(__file__).resolve().parent.parent
VALIDS = ROOT.parent / "shared" / "kestra-corpus" / "valids"
TYPICAL = "Hello {{ inputs.name | upper }}, {{ outputs['extract'].rows ?? 0 }} rows at {{ execution.startDate }}"
CONTEXT = {"inputs": {"name": "ana"}, "outputs": {"extract": {"rows": 42}}, "execution": {"startDate": "2024-12-20T17:12:37Z"}}


def corpus_templates() -> list[str]:
    found = []
    for path in sorted(VALIDS.glob("*.y*ml")) + sorted((ROOT / "examples").glob("*.yaml")):
        for flow in check_file(path).flows:
            found.extend(t.node.value for t in flow.expressions)
    return found


def main() -> None:
    templates = corpus_templates()
    start = time.perf_counter()
    for text in templates:
        source = to_python(parse(text), text)
        compile(source, "<bench>", "exec")
    elapsed = time.perf_counter() - start
    print(f"parse + compile, {len(templates)} corpus templates: {elapsed * 1000:7.1f} ms ({elapsed / max(len(templates), 1) * 1e6:.0f} us each)")

    compiled = compile_template(TYPICAL)
    n = 20_000
    start = time.perf_counter()
    for _ in range(n):
        compiled.run(CONTEXT)
    fast = time.perf_counter() - start
    m = 2_000
    start = time.perf_counter()
    for _ in range(m):
        compile_template.__wrapped__(TYPICAL).run(CONTEXT)
    slow = (time.perf_counter() - start) * n / m
    print(f"compiled render:          {n / fast:9.0f} renders/s")
    print(f"re-parsing every render:  {n / slow:9.0f} renders/s")
    print(f"speed-up:                 {slow / fast:9.1f}x")
    assert render(TYPICAL, CONTEXT) == compiled.run(CONTEXT)


if __name__ == "__main__":
    main()
