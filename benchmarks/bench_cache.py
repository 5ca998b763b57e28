"""Time `flowc check` on 1,000 flows with the cache cold and warm, in one process and with
worker processes, and the same through pre-commit.

    python benchmarks/bench_cache.py [--flows 1000] [--repeat 3] [--hooks flowc-check-system,flowc-check]
    python benchmarks/bench_cache.py --threshold     # where worker processes start to pay

The flows are those of bench_precommit.py (Kestra's valid test flows with distinct file names
and ids, under flows/ in a temporary git repository). "cold" removes .flowc_cache/ before
each run; "warm" runs with the cache of the previous run; "one file changed" edits one flow
before each warm run. "one CPU" pins flowc to one CPU (Linux), so it checks the files in its
own process; otherwise it starts one worker per CPU (from compiler.parallel.THRESHOLD files
on). The pre-commit hooks are installed from a snapshot of this checkout (flowc-check needs
the package index on its first run). Needs git, and pre-commit for the hook figures. Prints
the figures; asserts nothing (timings on a shared machine are not tests).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_precommit import environment, flows, git, init, last_line, snapshot  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def one_cpu():
    """A preexec_fn pinning the child to one CPU; None where that is not possible."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    return lambda: os.sched_setaffinity(0, {cpu})


def timed(command: list[str], cwd: Path, env: dict, before=None, preexec=None) -> tuple[float, subprocess.CompletedProcess]:
    if before is not None:
        before()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, preexec_fn=preexec)
    return time.perf_counter() - start, result


def best(command, cwd, env, repeat, before=None, preexec=None) -> tuple[float, subprocess.CompletedProcess]:
    runs = [timed(command, cwd, env, before, preexec) for _ in range(repeat)]
    return min(t for t, _ in runs), runs[-1][1]


def report(label: str, seconds: float, result: subprocess.CompletedProcess, count: int) -> None:
    print(f"{label:<52} {seconds:6.2f} s  ({seconds / count * 1000:5.2f} ms/flow)  exit {result.returncode}  {last_line(result)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hooks", default="flowc-check-system,flowc-check",
                        help="comma-separated; flowc-check installs its environment from the package index on its first run")
    parser.add_argument("--threshold", action="store_true", help="time serial against 2 workers on 50 to 300 flows")
    args = parser.parse_args()
    if args.threshold:
        return threshold(args.repeat)
    beside = Path(sys.executable).parent / "flowc"
    flowc = [str(beside)] if beside.exists() else [sys.executable, "-m", "compiler"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = environment(tmp / "pre-commit-home")
        env.pop("FLOWC_CACHE_DIR", None)
        repo = tmp / "repo"
        init(repo, env)
        flows(repo / "flows", args.flows)
        cache = repo / ".flowc_cache"

        def clear():
            shutil.rmtree(cache, ignore_errors=True)

        changing = sorted((repo / "flows").iterdir())[0]
        original = changing.read_text("utf-8")
        edits = iter(range(10**6))

        def change_one():
            changing.write_text(original + f"# edit {next(edits)}\n", "utf-8")

        check = flowc + ["check", "flows/"]
        pin = one_cpu()
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        print(f"{args.flows} flows under flows/, best of {args.repeat} runs, {cpus} CPUs")
        timed(check + ["--no-cache"], repo, env)  # warm the file system cache
        if pin is not None:
            report("flowc check flows/ --no-cache, one CPU", *best(check + ["--no-cache"], repo, env, args.repeat, preexec=pin), args.flows)
        report("flowc check flows/ --no-cache", *best(check + ["--no-cache"], repo, env, args.repeat), args.flows)
        if pin is not None:
            report("flowc check flows/, cold cache, one CPU", *best(check, repo, env, args.repeat, clear, pin), args.flows)
        report("flowc check flows/, cold cache", *best(check, repo, env, args.repeat, clear), args.flows)
        timed(check, repo, env)
        report("flowc check flows/, warm cache", *best(check, repo, env, args.repeat), args.flows)
        report("flowc check flows/, warm cache, one file changed", *best(check, repo, env, args.repeat, change_one), args.flows)
        changing.write_text(original, "utf-8")

        hooks = [h.strip() for h in args.hooks.split(",") if h.strip()]
        if not hooks:
            return
        if importlib.util.find_spec("pre_commit") is None:
            print("pre-commit not installed: pip install pre-commit for the hook figures")
            return
        rev = snapshot(tmp / "flowc-snapshot", env)
        config = "".join(f"      - id: {hook}\n" for hook in hooks)
        (repo / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {tmp / 'flowc-snapshot'}\n    rev: {rev}\n    hooks:\n{config}", "utf-8")
        git(repo, env, "add", "-A")
        runner = [sys.executable, "-m", "pre_commit"]
        for hook in hooks:
            run = runner + ["run", hook, "--all-files", "--color", "never"]
            t_first, result = timed(run, repo, env, clear)
            if hook == "flowc-check":
                print(f"{'pre-commit run ' + hook + ', first run (installs)':<52} {t_first:6.2f} s  exit {result.returncode}")
            report(f"pre-commit run {hook} --all-files, cold", *best(run, repo, env, args.repeat, clear), args.flows)
            timed(run, repo, env)
            report(f"pre-commit run {hook} --all-files, warm", *best(run, repo, env, args.repeat), args.flows)


def threshold(repeat: int) -> None:
    """Serial against 2 forked workers on the first N flows, each in a fresh process (the
    stages load in each), timing only the check (not the start of Python)."""
    script = """
import sys, time
from pathlib import Path
from compiler.config import Config
from compiler.parallel import Job, check_all, _check_chunk
from compiler.plan import registry_for
from compiler.settings import Settings
mode, files = sys.argv[1], sorted(Path(sys.argv[2]).iterdir())[:int(sys.argv[3])]
registry_for(Config())
jobs = [Job(f.name, f.read_bytes(), Settings(), Config()) for f in files]
start = time.perf_counter()
_check_chunk(jobs) if mode == "serial" else check_all(jobs, processes=2)
print(time.perf_counter() - start)
"""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "flows"
        flows(directory, 400)
        print(f"flows   serial  2 workers   (best of {max(repeat, 5)})")
        for count in (25, 50, 100, 150, 200, 300, 400):
            figures = []
            for mode in ("serial", "workers"):
                runs = [float(subprocess.run([sys.executable, "-c", script, mode, str(directory), str(count)], cwd=ROOT,
                                             capture_output=True, text=True, check=True).stdout) for _ in range(max(repeat, 5))]
                figures.append(min(runs))
            print(f"{count:5d}  {figures[0]:6.3f}  {figures[1]:6.3f} s")


if __name__ == "__main__":
    main()
