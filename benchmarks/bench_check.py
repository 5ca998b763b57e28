"""Time `flowc check` on a corpus of 1,000 flows against check-jsonschema validating the
same files against flowc's bundled schema, and time one cold `flowc check` of one file.

    python benchmarks/bench_check.py [--flows 1000] [--repeat 3]

Needs flowc installed (pip install -e .); check-jsonschema is used when installed
(pip install check-jsonschema), else its figure is skipped. Prints the figures; asserts
nothing (timings on a shared machine are not tests).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VALIDS = ROOT.parent / "shared" / "kestra-corpus" / "valids"


def corpus(directory: Path, count: int) -> list[Path]:
    sources = sorted(VALIDS.glob("*.y*ml")) if VALIDS.is_dir() else []
    sources += sorted((ROOT / "examples").glob("*.yaml"))
    files = []
    for i in range(count):
        src = sources[i % len(sources)]
        dst = directory / f"{i:04d}-{src.name}"
        shutil.copyfile(src, dst)
        files.append(dst)
    return files


def best(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    flowc = [sys.executable, "-m", "compiler"]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "flows"
        directory.mkdir()
        files = corpus(directory, args.flows)
        schema = Path(tmp) / "flow.schema.json"
        subprocess.run(flowc + ["schema", "-o", str(schema)], check=True)
        t_flowc = best(flowc + ["check", "--no-cache", "--format", "json", "-o", str(Path(tmp) / "out.json"), str(directory)], args.repeat)
        print(f"flowc check, {len(files)} flows (all stages):        {t_flowc:6.2f} s  ({t_flowc / len(files) * 1000:.2f} ms/flow)")
        beside = Path(sys.executable).parent / "check-jsonschema"
        cjs = str(beside) if beside.exists() else shutil.which("check-jsonschema")
        if cjs:
            t_cjs = best([cjs, "--schemafile", str(schema), *map(str, files)], args.repeat)
            print(f"check-jsonschema, same flows (schema only):    {t_cjs:6.2f} s  ({t_cjs / len(files) * 1000:.2f} ms/flow)")
            print(f"ratio flowc / check-jsonschema:                 {t_flowc / t_cjs:6.2f}")
        else:
            print("check-jsonschema not installed: pip install check-jsonschema to compare")
        single = ROOT / "examples" / "hello-world.yaml"
        runs = []
        for _ in range(max(5, args.repeat)):
            start = time.perf_counter()
            subprocess.run(flowc + ["check", "--no-cache", str(single)], stdout=subprocess.DEVNULL)
            runs.append(time.perf_counter() - start)
        print(f"flowc check, one small file, cold process:      {min(runs):6.3f} s  (median {statistics.median(runs):.3f} s)")


if __name__ == "__main__":
    main()
