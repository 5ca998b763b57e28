"""Diagram figures: drawing a flow of a hundred tasks (nested Parallel, If and ForEach) in
every format, every Kestra valid flow in every format, and `flowc graph` as a cold process.

    python benchmarks/bench_graph.py
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compiler.checker import check_file, check_text
from compiler.diagram import FORMATS, build, render
from compiler.diagram.layout import layout

ROOT = Path(__file__).resolve().parent.parent
VALIDS = ROOT.parent / "shared" / "kestra-corpus" / "valids"


def hundred_tasks() -> str:
    """A flow of 100 tasks: groups of 10 alternating Parallel, If and ForEach around Logs."""
    lines = ["id: hundred", "namespace: bench", "tasks:"]
    count = 0

    def log(indent: str) -> None:
        nonlocal count
        count += 1
        lines.extend([f"{indent}- id: log{count}", f"{indent}  type: io.kestra.plugin.core.log.Log", f"{indent}  message: m"])

    for group in range(9):
        kind = ("Parallel", "If", "ForEach")[group % 3]
        count += 1
        lines.extend([f"  - id: group{group}", f"    type: io.kestra.plugin.core.flow.{kind}"])
        if kind == "If":
            lines.append("    condition: \"{{ true }}\"")
            lines.append("    then:")
            for _ in range(5):
                log("      ")
            lines.append("    else:")
            for _ in range(4):
                log("      ")
        else:
            if kind == "ForEach":
                lines.append("    values: [1, 2]")
            lines.append("    tasks:")
            for _ in range(9):
                log("      ")
    while count < 100:
        log("  ")
    return "\n".join(lines) + "\n"


def timed(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    text = hundred_tasks()
    (flow,) = check_text(text, "hundred.yaml").flows
    diagram = build(flow)
    tasks = sum(1 for n in diagram.nodes if n.kind == "task") + len(diagram.clusters)
    print(f"flow of {tasks} tasks: build the diagram {timed(lambda: build(flow)) * 1000:6.1f} ms")
    for fmt in FORMATS:
        print(f"  render {fmt:<8} {timed(lambda: render(diagram, fmt)) * 1000:6.1f} ms")
    box = layout(diagram)
    print(f"  svg size {box.width:.0f} x {box.height:.0f} px")

    paths = sorted(VALIDS.glob("*.y*ml")) if VALIDS.is_dir() else []
    flows = [f for p in paths for f in check_file(p).flows]
    start = time.perf_counter()
    for f in flows:
        d = build(f)
        for fmt in FORMATS:
            render(d, fmt)
    print(f"{len(flows)} Kestra valid flows, every format: {(time.perf_counter() - start) * 1000:.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hundred.yaml"
        path.write_text(text)
        cold = timed(lambda: subprocess.run([sys.executable, "-m", "compiler", "graph", str(path), "--format", "svg"],
                                            check=True, capture_output=True), repeat=3)
    print(f"`flowc graph` of the 100-task flow to SVG, cold process: {cold:.2f} s")


if __name__ == "__main__":
    main()
