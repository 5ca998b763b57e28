"""`flowc compile` and `flowc run`: generated scripts (snapshots, determinism, no code from
user text), the bundled script in a bare virtual environment, and a run killed with SIGKILL
then resumed."""
from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import venv
from pathlib import Path

import pytest

from compiler.cli import main as flowc
from compiler.program import load

from .conftest import EXAMPLES, ROOT

EXAMPLE_FLOWS = sorted(p.name for p in EXAMPLES.glob("*.yaml"))


def compiled(path: Path) -> str:
    program = load(str(path))
    assert not program.failed, [d.message for r in program.results for d in r.diagnostics]
    return program.source()


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def env_with_flowc() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


# ---------------------------------------------------------------------------- generated code


@pytest.mark.parametrize("name", EXAMPLE_FLOWS)
def test_generated_script_snapshot(name, snapshot, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert compiled(Path("examples") / name) == snapshot


@pytest.mark.parametrize("name", EXAMPLE_FLOWS)
def test_compiling_twice_gives_the_same_bytes(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert compiled(Path("examples") / name) == compiled(Path("examples") / name)


def test_a_flow_with_errors_is_not_compiled(tmp_path, capsys):
    path = write(tmp_path, "bad.yaml", """
        id: bad
        namespace: tests
        tasks:
          - id: r
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.nothing.value }}"
        """)
    assert flowc(["compile", str(path), "-o", str(tmp_path / "out.py")]) == 1
    err = capsys.readouterr().err
    assert "is not compiled: fix the errors above first" in err and "nothing" in err
    assert not (tmp_path / "out.py").exists()


HOSTILE = ['"', "'", '"""', "'''", "\\", "\\n", "\n", "{{ '}}' }}", "{% raw %}{{{% endraw %}",
           "__import__('os').system('touch PWNED')", "os.system('touch PWNED')", "\"); import os #", "\x00"[:0]]


def hostile_flow() -> str:
    text = "".join(HOSTILE).replace("\n", " ")
    quoted = json.dumps(text)  # a YAML double-quoted scalar
    return textwrap.dedent(f"""
        id: hostile
        namespace: tests
        description: {quoted}
        labels:
          note: {quoted}
        inputs:
          - id: payload
            type: STRING
            defaults: {quoted}
        variables:
          text: {quoted}
        tasks:
          - id: say
            type: io.kestra.plugin.core.log.Log
            description: {quoted}
            message:
              - "{{{{ inputs.payload }}}}"
              - "{{{{ vars.text }}}}"
              - "{{{{ labels.note }}}}"
          - id: script
            type: io.kestra.plugin.scripts.python.Script
            taskRunner:
              type: io.kestra.plugin.core.runner.Process
            script: |
              print({json.dumps(text)})
        """)


ALLOWED_CALLS = {"Template", "Task", "Flow", "Typed", "Templates", "main", "text", "value", "SystemExit"}


def test_user_text_is_only_ever_data_in_the_generated_script(tmp_path):
    source = compiled(write(tmp_path, "hostile.yaml", hostile_flow()))
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id in ALLOWED_CALLS or func.id.startswith("_t"), ast.dump(func)
            else:
                assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name), ast.dump(func)
                assert func.value.id in ("rt", "scope", "W"), ast.dump(func)
        if isinstance(node, ast.Name):
            assert node.id not in ("os", "__import__", "eval", "exec", "open"), node.id
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            assert isinstance(node, ast.ImportFrom) and node.module.startswith("runtime."), ast.dump(node)


def test_user_text_is_only_ever_text_at_run_time(tmp_path):
    path = write(tmp_path, "hostile.yaml", hostile_flow())
    done = subprocess.run([sys.executable, "-m", "compiler.cli", "run", str(path), "--home", str(tmp_path / ".flowc"),
                           "--json"], cwd=tmp_path, capture_output=True, text=True, env=env_with_flowc(), timeout=120)
    assert done.returncode == 0, done.stderr
    text = "".join(HOSTILE).replace("\n", " ")
    assert done.stderr.count(text) == 3  # the three messages
    # the script's own print: its body is a template too (Kestra renders it), the rest is text
    assert "[script] " + text.replace("{{ '}}' }}{% raw %}{{{% endraw %}", "}}{{") in done.stderr
    assert not (tmp_path / "PWNED").exists()
    assert json.loads(done.stdout)["inputs"] == {"payload": text}


# ---------------------------------------------------------------------------- scripts as programs


def test_bundled_script_runs_in_a_bare_virtual_environment(tmp_path):
    script = tmp_path / "hello.py"
    assert flowc(["compile", str(EXAMPLES / "hello-world.yaml"), "--bundle", "-o", str(script)]) == 0
    env_dir = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import runtime"], capture_output=True, text=True, cwd=tmp_path)
    assert probe.returncode != 0  # nothing of flowc's is installed there
    done = subprocess.run([str(python), str(script), "--json", "--home", str(tmp_path / ".flowc")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["state"] == "SUCCESS"
    assert result["inputs"] == {"my-value": "Hello World!"}
    assert result["taskruns"][0]["outputs"]["value"].startswith("A log line content with a contextual date variable 20")


KILLABLE = """
    id: killable
    namespace: tests
    tasks:
      - id: first
        type: io.kestra.plugin.core.debug.Return
        format: "{{ execution.id }} {{ taskrun.id }}"
      - id: slow
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - sleep "${NAP:-0}"
      - id: last
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.first.value }}"
    """


def test_a_run_killed_mid_flight_resumes_without_running_finished_tasks_again(tmp_path):
    script = tmp_path / "killable.py"
    assert flowc(["compile", str(write(tmp_path / "flows", "killable.yaml", KILLABLE)), "-o", str(script)]) == 0
    home = tmp_path / ".flowc"
    env = env_with_flowc()
    process = subprocess.Popen([sys.executable, str(script), "--home", str(home)], env={**env, "NAP": "3"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
    deadline = time.monotonic() + 60
    journal = None
    while time.monotonic() < deadline:
        journals = list(home.glob("runs/tests/killable/*/journal.jsonl"))
        if journals and '"first"' in journals[0].read_text():
            journal = journals[0]
            break
        time.sleep(0.02)
    assert journal is not None, process.stderr.read().decode() if process.poll() is not None else "no journal"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    before = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [e["task_id"] for e in before] == ["first"]
    execution_id = journal.parent.name
    done = subprocess.run([sys.executable, str(script), "--home", str(home), "--resume", execution_id, "--json"],
                          env={**env, "NAP": "0"}, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["execution_id"] == execution_id and result["state"] == "SUCCESS"
    runs = {t["task_id"]: t for t in result["taskruns"]}
    assert runs["first"]["outputs"] == before[0]["outputs"]  # the same task run, not a new one
    assert runs["last"]["outputs"]["value"] == before[0]["outputs"]["value"]
    after = [json.loads(line)["task_id"] for line in journal.read_text().splitlines()]
    assert after.count("first") == 1 and after[-2:] == ["slow", "last"]


def test_flow_revision_comes_from_git_history(tmp_path):
    from compiler.checker import check_file
    from compiler.program import revision

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    path = write(tmp_path, "flow.yaml", KILLABLE)
    assert revision(check_file(path).flows[0], str(path)) == 1  # not in a repository
    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    assert revision(check_file(path).flows[0], str(path)) == 1  # untracked: one revision, the working copy
    git("add", "flow.yaml")
    git("commit", "-qm", "one")
    path.write_text(path.read_text() + "\n# two\n")
    git("commit", "-qam", "two")
    assert revision(check_file(path).flows[0], str(path)) == 2
    path.write_text(path.read_text() + "# being edited\n")
    assert revision(check_file(path).flows[0], str(path)) == 3
    path.write_text("revision: 7\n" + path.read_text())
    assert revision(check_file(path).flows[0], str(path)) == 7
