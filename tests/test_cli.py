"""The command line: exit codes, commands, and never a traceback."""
import json
import subprocess
import sys

import pytest

from compiler import __version__
from compiler.cli import main

from .conftest import EXAMPLES, FIXTURES


def run(*args):
    return subprocess.run([sys.executable, "-m", "compiler", *args], capture_output=True, text=True)


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"flowc {__version__}"


def test_examples_check_clean():
    result = run("check", str(EXAMPLES))
    assert result.returncode == 0, result.stdout
    assert "All checks passed" in result.stdout


def test_errors_exit_1_and_warnings_exit_0(tmp_path):
    assert run("check", str(FIXTURES / "rules" / "S101.yaml")).returncode == 1
    assert run("check", str(FIXTURES / "rules" / "S109.yaml")).returncode == 0
    assert run("check", "--exit-zero", str(FIXTURES / "rules" / "S101.yaml")).returncode == 0


def test_usage_errors_exit_2():
    assert run("check", "does/not/exist.yaml").returncode == 2
    assert run("check", "--format", "xml", str(EXAMPLES)).returncode == 2
    assert run().returncode == 2
    assert run("rule", "Z999").returncode == 2


def test_internal_error_exits_3(monkeypatch, capsys):
    import compiler.checker

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(compiler.checker, "check_source", boom)
    assert main(["check", "--no-cache", str(EXAMPLES / "hello-world.yaml")]) == 3
    assert "internal error" in capsys.readouterr().err


def test_directory_search_finds_only_flows(tmp_path):
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "a.yml").write_text("id: a\nnamespace: n\ntasks: []\n")
    (tmp_path / "flows" / "config.yaml").write_text("key: value\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "b.yaml").write_text("id: b\nnamespace: n\ntasks: []\n")
    payload = json.loads(run("check", "--format", "json", str(tmp_path)).stdout)
    assert payload["files"] == 1
    assert {d["code"] for d in payload["diagnostics"]} == {"S106"}


def test_explicit_file_is_checked_even_if_it_does_not_look_like_a_flow(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("key: value\n")
    payload = json.loads(run("check", "--format", "json", str(path)).stdout)
    assert payload["files"] == 1 and payload["diagnostics"]


def test_stdin(tmp_path):
    result = subprocess.run([sys.executable, "-m", "compiler", "check", "--format", "concise", "--stdin-filename", "in.yaml", "-"],
                            input="id: a\nnamespace: n\n", capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout.startswith("in.yaml:1:1: S102")


def test_output_file(tmp_path):
    out = tmp_path / "report.json"
    assert run("check", "--format", "json", "-o", str(out), str(EXAMPLES)).returncode == 0
    assert json.loads(out.read_text())["files"] == len(list(EXAMPLES.glob("*.yaml")))


def test_rules_and_rule():
    listing = run("rules").stdout
    assert "S101  unknown-property" in listing
    assert json.loads(run("rules", "--format", "json").stdout)[0]["code"]
    doc = run("rule", "unknown-property").stdout
    assert doc.startswith("# S101 unknown-property") and "## Use instead" in doc


def test_no_color_env(monkeypatch):
    result = subprocess.run([sys.executable, "-m", "compiler", "check", "--color", "auto", str(FIXTURES / "rules" / "S101.yaml")],
                            capture_output=True, text=True, env={"NO_COLOR": "1", "PATH": ""})
    assert "\x1b[" not in result.stdout
    forced = run("check", "--color", "always", str(FIXTURES / "rules" / "S101.yaml")).stdout
    assert "\x1b[" in forced


@pytest.mark.parametrize("name", ["schema"])
def test_schema_command_writes_a_json_schema(tmp_path, name):
    out = tmp_path / "flow.schema.json"
    assert run("schema", "-o", str(out)).returncode == 0
    schema = json.loads(out.read_text())
    assert schema["$schema"].startswith("http://json-schema.org/draft-07")


def test_eval(tmp_path):
    context = tmp_path / "ctx.yaml"
    context.write_text("inputs:\n  name: Ana\n  n: 3\noutputs:\n  my-task:\n    value: x\n")
    result = run("eval", "{{ inputs.name ~ '!' }} {{ outputs['my-task'].value }} {{ inputs.n + 1 }}", "--context", str(context))
    assert (result.returncode, result.stdout) == (0, "Ana! x 4")
    missing = run("eval", "{{ inputs.nope }}", "--context", str(context))
    assert missing.returncode == 1 and "Unable to find `nope`" in missing.stderr
    assert run("eval", "{{ 1 + }}").returncode == 1
    assert run("eval", "{{ x }}", "--context", str(tmp_path / "none.json")).returncode == 2
    typed = run("eval", "--typed", "{{ [1, 2] }}")
    assert typed.stdout == "[1,2]" and "java.util.ArrayList" in typed.stderr


def test_public_render_api():
    import compiler

    assert compiler.render("{{ a ~ 'b' }}", {"a": "a"}) == "ab"
    with pytest.raises(compiler.RenderError):
        compiler.render("{{ missing }}", {})


def test_target_version():
    old_name = str(FIXTURES / "rules" / "D001.yaml")
    assert run("check", old_name).returncode == 0  # an info on Kestra 1.x
    removed = run("check", "--format", "concise", "--target-version", "2.0", old_name)
    assert removed.returncode == 1 and "no longer exists in Kestra 2.0" in removed.stdout
    newer = run("check", "--format", "concise", str(FIXTURES / "rules" / "D005.yaml"))
    assert "exists only from Kestra 2.0" in newer.stdout
    assert "D005" not in run("check", "--format", "concise", "--target-version", "2.0", str(FIXTURES / "rules" / "D005.yaml")).stdout
    assert run("check", "--target-version", "two", old_name).returncode == 2
