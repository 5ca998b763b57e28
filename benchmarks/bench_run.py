"""Run figures: `flowc run` of hello-world and its compiled script as cold processes; a
ForEach over 10,000 values with a Return task, as time per task run, against the same work
written by hand in plain Python.

    python benchmarks/bench_run.py

Targets (issue 5): per-task overhead under 100 microseconds; the compiled hello-world script
under 150 ms wall.
"""
from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compiler.program import load

ROOT = Path(__file__).resolve().parent.parent
VALUES = 10_000
FOREACH = f"""id: foreach-bench
namespace: bench
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{{{ range(1, {VALUES}) }}}}"
    tasks:
      - id: ret
        type: io.kestra.plugin.core.debug.Return
        format: "value {{{{ taskrun.value }}}}"
"""


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def by_hand() -> dict:
    """What the ForEach flow computes, in plain Python: a string per value, kept by value."""
    outputs = {}
    for value in map(str, range(1, VALUES + 1)):
        outputs[value] = {"value": f"value {value}"}
    return outputs


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        home = tmp / ".flowc"
        hello = ROOT / "examples" / "hello-world.yaml"
        run = best(lambda: subprocess.run([sys.executable, "-m", "compiler", "run", str(hello), "--home", str(home)],
                                          check=True, capture_output=True), repeat=5)
        print(f"`flowc run examples/hello-world.yaml`, cold process: {run * 1000:.0f} ms")
        script = tmp / "hello.py"
        subprocess.run([sys.executable, "-m", "compiler", "compile", str(hello), "-o", str(script)], check=True)
        compiled = best(lambda: subprocess.run([sys.executable, str(script), "--home", str(home)], check=True,
                                               capture_output=True), repeat=5)
        print(f"compiled hello-world script, cold process: {compiled * 1000:.0f} ms (target < 150 ms)")
        bare = best(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat=5)
        print(f"  (python -c pass on this machine: {bare * 1000:.0f} ms)")

        flow = tmp / "foreach.yaml"
        flow.write_text(FOREACH)
        namespace: dict = {"__name__": "bench"}
        exec(compile(load(str(flow)).source(), str(flow), "exec"), namespace)
        from runtime.engine import Engine

        def foreach():
            engine = Engine({f.key: f for f in namespace["FLOWS"]}, home, "ERROR", io.StringIO())
            ex = engine.start(namespace["FLOWS"][0], {})
            assert ex.state.value == "SUCCESS" and len(ex.taskruns) == VALUES + 1

        total = best(foreach, repeat=3)
        per_task = total / (VALUES + 1)
        hand = best(by_hand, repeat=5)
        print(f"ForEach over {VALUES:,} values with a Return task: {total:.2f} s, "
              f"{per_task * 1e6:.0f} us per task run (target < 100 us)")
        print(f"  the same work by hand in plain Python: {hand * 1000:.1f} ms; ratio {total / hand:.0f}x")


if __name__ == "__main__":
    main()
