"""flowc as a pre-commit hook: the real pre-commit runs the hooks of `.pre-commit-hooks.yaml`
on a temporary repository of flows.

pre-commit installs a hook repository from a git commit, and the working tree of the checkout
may have uncommitted changes: the hook repository is a snapshot of the checkout's files,
committed in a temporary git repository. The `flowc-check` hook (language python) builds its
own virtual environment once for the module (pip installs flowc and its dependencies from the
package index); `flowc-check-system` runs the flowc installed beside this Python.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install 'pre-commit>=3')")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

SNAPSHOT = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "compiler", "runtime", "schemas"]
LARK = Path("compiler", "expr", "pebble.lark")

GOOD = """\
id: hello
namespace: company.team
inputs:
  - id: name
    type: STRING
    defaults: world
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello, {{ inputs.name }}"
"""

BAD = """\
id: bad
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    mesage: Hello
"""

CHILD = """\
id: child
namespace: company.team
inputs:
  - id: name
    type: STRING
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello, {{ inputs.name }}"
"""

PARENT = """\
id: parent
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: child
    inputs:
      nme: world
"""

NOT_A_FLOW = "name: CI\non: [push]\n"  # a YAML file outside the flow folders: not checked


def _env(home: Path, path: str | None = None) -> dict:
    """An environment free of the user's git configuration, git hooks and pre-commit settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("SKIP", "VIRTUAL_ENV")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
               PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    if path is not None:
        env["PATH"] = path
    return env


def _git(repo: Path, env: dict, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def _init(repo: Path, env: dict) -> None:
    repo.mkdir(parents=True)
    _git(repo, env, "-c", "init.defaultBranch=main", "init", "-q", "--template=")
    _git(repo, env, "config", "user.name", "flowc tests")
    _git(repo, env, "config", "user.email", "flowc-tests@example.invalid")
    _git(repo, env, "config", "commit.gpgsign", "false")


class Hooks:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.home = tmp / "pre-commit-home"
        self.env = _env(self.home)
        # the system hook finds the flowc installed beside the Python running the tests
        bin_dir = str(Path(sys.executable).parent)
        self.system_env = _env(self.home, bin_dir + os.pathsep + os.environ.get("PATH", ""))
        self.has_flowc = shutil.which("flowc", path=bin_dir) is not None
        self.source = tmp / "flowc-snapshot"
        _init(self.source, self.env)
        for name in SNAPSHOT:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, self.source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(src, self.source / name)
        _git(self.source, self.env, "add", "-A")
        _git(self.source, self.env, "commit", "-q", "-m", "flowc snapshot")
        self.rev = _git(self.source, self.env, "rev-parse", "HEAD")
        self.count = 0

    def repo(self, hook: str, files: dict[str, str]) -> Path:
        """A new git repository with `files` and a pre-commit configuration using `hook`."""
        self.count += 1
        repo = self.tmp / f"repo{self.count}"
        _init(repo, self.env)
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text, "utf-8")
        (repo / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {self.source}\n    rev: {self.rev}\n    hooks:\n      - id: {hook}\n", "utf-8")
        _git(repo, self.env, "add", "-A")
        return repo

    def pre_commit(self, repo: Path, *args: str, system: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo,
                              env=self.system_env if system else self.env,
                              capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def hooks(tmp_path_factory) -> Hooks:
    """The snapshot of flowc as a hook repository, and the python hook's environment, built once."""
    hooks = Hooks(tmp_path_factory.mktemp("precommit"))
    repo = hooks.repo("flowc-check", {"flows/hello.yaml": GOOD})
    result = hooks.pre_commit(repo, "install-hooks")
    assert result.returncode == 0, f"building the flowc-check hook environment failed:\n{result.stdout}{result.stderr}"
    # a non-editable install of flowc needs its data files, the expression grammar among them
    assert any(hooks.home.glob(f"*/py_env-*/lib/python*/site-packages/{LARK.as_posix()}")), \
        f"{LARK.as_posix()} is not in the installed flowc (pyproject.toml package-data)"
    return hooks


@pytest.fixture(params=["flowc-check", "flowc-check-system"])
def hook(request, hooks) -> str:
    if request.param == "flowc-check-system" and not hooks.has_flowc:
        pytest.skip(f"no flowc script beside {sys.executable}")
    return request.param


def run(hooks: Hooks, hook: str, files: dict[str, str]) -> subprocess.CompletedProcess:
    repo = hooks.repo(hook, files)
    return hooks.pre_commit(repo, "run", "--all-files", "--color", "never",
                            system=hook == "flowc-check-system")


def test_good_flow_passes(hooks, hook):
    result = run(hooks, hook, {"flows/hello.yaml": GOOD, ".github/workflows/ci.yaml": NOT_A_FLOW})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "flowc check" in result.stdout and "Passed" in result.stdout


def test_bad_flow_fails(hooks, hook):
    result = run(hooks, hook, {"flows/hello.yaml": GOOD, "flows/bad.yaml": BAD})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "flows/bad.yaml" in result.stdout and "S101" in result.stdout
    assert "flows/hello.yaml" not in result.stdout


def test_subflow_contract_across_files(hooks, hook):
    # more files than pre-commit puts in one run without require_serial, so that the caller
    # and the called flow would otherwise be checked apart (the call then only warns X101)
    files = {f"flows/other{i}.yaml": GOOD.replace("id: hello\nnamespace", f"id: other{i}\nnamespace")
             for i in range(8)}
    files.update({"flows/child.yaml": CHILD, "flows/parent.yaml": PARENT})
    result = run(hooks, hook, files)
    assert result.returncode == 1, result.stdout + result.stderr
    # X103: the call does not give the required input `name` (an error only when the called
    # flow is checked in the same run)
    assert "flows/parent.yaml" in result.stdout and "X103" in result.stdout
