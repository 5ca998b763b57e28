"""Time flowc as a pre-commit hook on a repository of 1,000 flows: `pre-commit run --all-files`
with the hook environment already installed (a second run), against `flowc check flows/` on
the same files.

    python benchmarks/bench_precommit.py [--flows 1000] [--repeat 3] [--hooks flowc-check-system,flowc-check]

The flows are Kestra's valid test flows (../shared/kestra-corpus/valids, else examples/)
copied under flows/ with distinct file names and distinct top-level ids. The hook repository
is a snapshot of this checkout's files committed in a temporary git repository (the working
tree may have uncommitted changes). `flowc-check-system` runs the flowc installed beside this
Python; `flowc-check` (language python) has pre-commit build its own environment with pip,
which needs the package index, on the first run (timed apart). Needs pre-commit and git.
Prints the figures and each run's exit code and last line; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VALIDS = ROOT.parent / "shared" / "kestra-corpus" / "valids"
SNAPSHOT = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "compiler", "runtime", "schemas"]
TOP_ID = re.compile(r"^id:[^\n]*$", re.MULTILINE)


def environment(home: Path) -> dict:
    """No user git configuration, git hooks or pre-commit settings; this Python's bin on PATH."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("SKIP", "VIRTUAL_ENV")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
               PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1",
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return env


def git(repo: Path, env: dict, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def init(repo: Path, env: dict) -> None:
    repo.mkdir(parents=True)
    git(repo, env, "-c", "init.defaultBranch=main", "init", "-q", "--template=")
    git(repo, env, "config", "user.name", "flowc bench")
    git(repo, env, "config", "user.email", "flowc-bench@example.invalid")
    git(repo, env, "config", "commit.gpgsign", "false")


def snapshot(directory: Path, env: dict) -> str:
    init(directory, env)
    for name in SNAPSHOT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, directory / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, directory / name)
    git(directory, env, "add", "-A")
    git(directory, env, "commit", "-q", "-m", "flowc snapshot")
    return git(directory, env, "rev-parse", "HEAD")


def flows(directory: Path, count: int) -> None:
    """`count` flows: the sources again and again, each with its own file name and top-level id."""
    sources = sorted(VALIDS.glob("*.y*ml")) if VALIDS.is_dir() else []
    sources = sources or sorted((ROOT / "examples").glob("*.yaml"))
    directory.mkdir(parents=True)
    for i in range(count):
        src = sources[i % len(sources)]
        text = src.read_text("utf-8")
        text = TOP_ID.sub(lambda m: f"id: {src.stem}-{i:04d}", text, count=1)
        (directory / f"{i:04d}-{src.name}").write_text(text, "utf-8")


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, result


def last_line(result: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return lines[-1][:110] if lines else ""


def best(command: list[str], cwd: Path, env: dict, repeat: int) -> tuple[float, subprocess.CompletedProcess]:
    runs = [timed(command, cwd, env) for _ in range(repeat)]
    return min(t for t, _ in runs), runs[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hooks", default="flowc-check-system,flowc-check")
    args = parser.parse_args()
    beside = Path(sys.executable).parent / "flowc"
    flowc = [str(beside)] if beside.exists() else [sys.executable, "-m", "compiler"]
    pre_commit = [sys.executable, "-m", "pre_commit"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = environment(tmp / "pre-commit-home")
        rev = snapshot(tmp / "flowc-snapshot", env)
        repo = tmp / "repo"
        init(repo, env)
        flows(repo / "flows", args.flows)
        hooks = [h.strip() for h in args.hooks.split(",") if h.strip()]
        config = "".join(f"      - id: {hook}\n" for hook in hooks)
        (repo / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {tmp / 'flowc-snapshot'}\n    rev: {rev}\n    hooks:\n{config}", "utf-8")
        git(repo, env, "add", "-A")
        print(f"{args.flows} flows under flows/, best of {args.repeat} runs, {os.cpu_count()} CPUs")

        timed(flowc + ["check", "--no-cache", "flows/"], repo, env)  # warm the file system cache
        t_direct, result = best(flowc + ["check", "--no-cache", "flows/"], repo, env, args.repeat)
        print(f"flowc check flows/                         {t_direct:6.2f} s  exit {result.returncode}  {last_line(result)}")

        for hook in hooks:
            run = pre_commit + ["run", hook, "--all-files", "--color", "never"]
            t_first, result = timed(run, repo, env)
            if hook == "flowc-check":
                print(f"pre-commit run {hook}, first run (installs) {t_first:6.2f} s  exit {result.returncode}")
            t_hook, result = best(run, repo, env, args.repeat)
            verbose = subprocess.run(run + ["--verbose"], cwd=repo, env=env, capture_output=True, text=True)
            print(f"pre-commit run {hook:<18} --all-files {t_hook:6.2f} s  exit {result.returncode}  "
                  f"{last_line(verbose)}  ({t_hook - t_direct:+.2f} s over flowc check)")
            if "internal error" in verbose.stdout:
                print(f"    flowc crashed in the {hook} hook: that figure is not the time of a check")


if __name__ == "__main__":
    main()
