"""The cache of `flowc check` (.flowc_cache/): a warm run reports exactly what a cold one
does, checks no unchanged file again, and notices everything a result depends on: the file,
the settings, in-house schemas, and the other flows (the cross-flow pass always reruns)."""
import json
import shutil
import subprocess
import sys

import pytest

import compiler.checker
import compiler.parallel
from compiler.checker import check_file
from compiler.cli import main
from compiler.result_data import from_data, to_data
from tests.conftest import CORPUS, EXAMPLES, FIXTURES

CHILD = """\
id: child
namespace: company.team
inputs:
  - id: user
    type: STRING
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.user }}"
outputs:
  - id: greeting
    type: STRING
    value: "Hello {{ inputs.user }}"
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
      user: Ana
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.call.outputs.greeting }}"
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project directory (with a flowc.toml) as the current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLOWC_CACHE_DIR", raising=False)
    (tmp_path / "flowc.toml").write_text("")
    return tmp_path


def check(capsys, *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def codes(out: str) -> list[tuple[str, int, str]]:
    return [(d["file"], d["line"], d["code"]) for d in json.loads(out)["diagnostics"]]


@pytest.fixture
def no_checks(monkeypatch):
    """From here on, checking any file fails: what is reported must come from the cache."""
    def refuse(src, *args, **kwargs):
        raise AssertionError(f"{src.path} was checked again")

    def arm():
        monkeypatch.setattr(compiler.checker, "check_source", refuse)
    return arm


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ["json", "full", "sarif"])
def test_warm_run_reports_what_a_cold_one_does_on_the_corpus(project, capsys, no_checks, fmt):
    shutil.copytree(CORPUS / "valids", project / "valids")
    shutil.copytree(CORPUS / "invalids", project / "invalids")
    shutil.copytree(FIXTURES, project / "fixtures")
    paths = ["valids", "invalids", "fixtures", "--format", fmt]
    uncached = check(capsys, *paths, "--no-cache")
    unsuppressed = check(capsys, *paths, "--no-cache", "--no-ignores")
    assert not (project / ".flowc_cache").exists()  # --no-cache writes nothing
    cold = check(capsys, *paths)
    assert (project / ".flowc_cache").is_dir()
    no_checks()
    warm = check(capsys, *paths)
    assert cold == warm == uncached
    assert warm[1].count("X10") >= 3 and "Y010" in warm[1]  # cross-flow and suppressions are in the comparison
    assert check(capsys, *paths, "--no-ignores") == unsuppressed != warm


def test_cache_directory_is_tagged_and_ignored_by_git(project, capsys):
    (project / "flows").mkdir()
    (project / "flows" / "child.yaml").write_text(CHILD)
    (project / "flows" / "sub").mkdir()
    check(capsys, "flows")
    cache = project / ".flowc_cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


def test_cache_lives_at_the_project_root_whatever_the_current_directory(project, capsys, monkeypatch):
    (project / "flows").mkdir()
    (project / "flows" / "child.yaml").write_text(CHILD)
    monkeypatch.chdir(project / "flows")
    check(capsys, "child.yaml")
    assert (project / ".flowc_cache").is_dir() and not (project / "flows" / ".flowc_cache").exists()


def test_flowc_cache_dir_moves_it(project, capsys, monkeypatch, no_checks):
    (project / "child.yaml").write_text(CHILD)
    monkeypatch.setenv("FLOWC_CACHE_DIR", str(project / "elsewhere"))
    cold = check(capsys, "child.yaml")
    assert (project / "elsewhere" / "CACHEDIR.TAG").is_file() and not (project / ".flowc_cache").exists()
    no_checks()
    assert check(capsys, "child.yaml") == cold


def test_a_changed_child_updates_its_unchanged_parents_diagnostics(project, capsys, monkeypatch):
    (project / "parent.yaml").write_text(PARENT)
    (project / "child.yaml").write_text(CHILD)
    args = ("parent.yaml", "child.yaml", "--format", "json")
    assert codes(check(capsys, *args)[1]) == []
    # the child now requires another input, and no longer declares `greeting`
    (project / "child.yaml").write_text(CHILD.replace("    type: STRING\ntasks", "    type: STRING\n  - id: day\n    type: INT\ntasks")
                                        .replace("id: greeting", "id: salute"))
    checked = []
    real = compiler.checker.check_source
    monkeypatch.setattr(compiler.checker, "check_source", lambda src, *a, **k: checked.append(src.path) or real(src, *a, **k))
    found = codes(check(capsys, *args)[1])
    assert checked == ["child.yaml"]  # the parent came from the cache
    assert found == [("parent.yaml", 8, "X103"), ("parent.yaml", 12, "X106")]
    # and back: the parent's cached result never held the X diagnostics
    (project / "child.yaml").write_text(CHILD)
    assert codes(check(capsys, *args)[1]) == []
    assert checked == ["child.yaml", "child.yaml"]


def test_a_parent_alone_is_told_its_child_is_missing_even_when_cached(project, capsys):
    (project / "parent.yaml").write_text(PARENT)
    (project / "child.yaml").write_text(CHILD)
    check(capsys, "parent.yaml", "child.yaml")
    assert codes(check(capsys, "parent.yaml", "--format", "json")[1]) == [("parent.yaml", 7, "X101")]


def test_selection_and_suppressions_apply_to_cached_results(project, capsys, no_checks):
    # S101, and a suppression that hides nothing (Y010)
    text = PARENT.replace("message: \"{{", "mesage: x\n    message: \"{{").replace("}}\"\n", "}}\"  # flowc: ignore[R103] not here\n")
    (project / "parent.yaml").write_text(text)
    everything = codes(check(capsys, "parent.yaml", "--format", "json")[1])
    assert everything == [("parent.yaml", 7, "X101"), ("parent.yaml", 12, "S101"), ("parent.yaml", 13, "Y010")]
    no_checks()
    assert codes(check(capsys, "parent.yaml", "--format", "json")[1]) == everything
    assert codes(check(capsys, "parent.yaml", "--format", "json", "--select", "S")[1]) == [("parent.yaml", 12, "S101")]
    assert codes(check(capsys, "parent.yaml", "--format", "json", "--ignore", "Y010,X")[1]) == [("parent.yaml", 12, "S101")]


def run(root, *args: str) -> subprocess.CompletedProcess:
    """`flowc check` in a process of its own (this one keeps the configurations it has read)."""
    return subprocess.run([sys.executable, "-m", "compiler", "check", *args], cwd=root, capture_output=True, text=True)


def test_settings_are_part_of_the_key(project):
    (project / "a.yaml").write_text("id: a\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.aws.s3.Upload\n")
    assert run(project, "a.yaml").returncode == 0  # an unknown plugin is a warning
    assert run(project, "a.yaml", "--strict").returncode == 1  # and an error under --strict, not the cached warning
    assert run(project, "a.yaml").returncode == 0
    (project / "flowc.toml").write_text("strict = true\n")
    assert run(project, "a.yaml").returncode == 1
    (project / "b.yaml").write_text("id: b\nnamespace: n\ntaskDefaults: []\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n")
    assert run(project, "b.yaml").returncode == 0  # deprecated
    assert run(project, "b.yaml", "--target-version", "2.0").returncode == 1  # gone


def test_in_house_schemas_are_part_of_the_key(project):
    schema = {"title": "com.acme.Deploy", "$kind": "task", "type": "object", "description": "Deploy a service.",
              "properties": {"target": {"type": "string"}}}
    (project / "flowc.toml").write_text('schema-dirs = ["plugins"]\n')
    (project / "plugins").mkdir()
    (project / "plugins" / "deploy.json").write_text(json.dumps(schema))
    (project / "a.yaml").write_text("id: a\nnamespace: n\ntasks:\n  - id: d\n    type: com.acme.Deploy\n    targt: prod\n")
    assert [c for _, _, c in codes(run(project, "a.yaml", "--format", "json").stdout)] == ["S101"]
    schema["properties"]["targt"] = {"type": "string"}
    (project / "plugins" / "deploy.json").write_text(json.dumps(schema))
    assert codes(run(project, "a.yaml", "--format", "json").stdout) == []


def test_the_shown_path_is_part_of_the_key(project, capsys):
    (project / "flows").mkdir()
    (project / "flows" / "a.yaml").write_text("id: a\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n")
    assert codes(check(capsys, "flows/a.yaml", "--format", "json")[1])[0][0] == "flows/a.yaml"
    assert codes(check(capsys, str(project / "flows" / "a.yaml"), "--format", "json")[1])[0][0] == str(project / "flows" / "a.yaml")


@pytest.mark.parametrize("damage", [
    lambda path: path.write_text("{ not json"),
    lambda path: path.write_bytes(b"\xff\xfe\x00garbage"),
    lambda path: path.write_text(json.dumps({"format": 1, "entries": {"a.yaml": ["key", {"diagnostics": 3}]}})),
    lambda path: path.write_text(json.dumps([1, 2])),
])
def test_a_damaged_cache_is_ignored_and_replaced(project, capsys, damage):
    (project / "a.yaml").write_text("id: a\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    mesage: x\n")
    cold = check(capsys, "a.yaml")
    [stored] = (project / ".flowc_cache").glob("*/check.json")
    damage(stored)
    assert check(capsys, "a.yaml") == cold
    assert check(capsys, "a.yaml") == cold
    assert "a.yaml" in json.loads(stored.read_text())["entries"]


def test_an_entry_of_another_shape_is_checked_again(project, capsys):
    (project / "a.yaml").write_text("id: a\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    mesage: x\n")
    cold = check(capsys, "a.yaml")
    [stored] = (project / ".flowc_cache").glob("*/check.json")
    data = json.loads(stored.read_text())
    key, entry = data["entries"]["a.yaml"]
    for broken in ({**entry, "complete": "yes"}, {**entry, "diagnostics": [["Z999", "m", None, None, "error", None, None]]},
                   {**entry, "flows": [[1, 2]]}, {k: v for k, v in entry.items() if k != "flows"}):
        data["entries"]["a.yaml"] = [key, broken]
        stored.write_text(json.dumps(data))
        assert check(capsys, "a.yaml") == cold


def test_no_cache_neither_reads_nor_writes(project, capsys):
    (project / "a.yaml").write_text("id: a\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    mesage: x\n")
    check(capsys, "a.yaml")
    [stored] = (project / ".flowc_cache").glob("*/check.json")
    data = json.loads(stored.read_text())
    data["entries"]["a.yaml"][1]["diagnostics"][0][1] = "a message only the cache holds"
    stored.write_text(json.dumps(data))
    assert "a message only the cache holds" in check(capsys, "a.yaml")[1]  # the cache is read...
    assert "a message only the cache holds" not in check(capsys, "a.yaml", "--no-cache")[1]  # ...unless --no-cache
    assert json.loads(stored.read_text()) == data  # which wrote nothing


def test_an_unwritable_cache_is_skipped(project, capsys, monkeypatch):
    (project / "a.yaml").write_text(CHILD)
    (project / "not-a-directory").write_text("")
    monkeypatch.setenv("FLOWC_CACHE_DIR", str(project / "not-a-directory"))
    assert check(capsys, "a.yaml") == (0, check(capsys, "a.yaml", "--no-cache")[1])


def test_entries_of_deleted_files_are_dropped(project, capsys):
    for name in ("a", "b"):
        (project / f"{name}.yaml").write_text(CHILD.replace("id: child", f"id: {name}"))
    check(capsys, "a.yaml", "b.yaml")
    (project / "b.yaml").unlink()
    (project / "a.yaml").write_text(CHILD.replace("id: child", "id: a2"))
    check(capsys, "a.yaml")
    [stored] = (project / ".flowc_cache").glob("*/check.json")
    assert set(json.loads(stored.read_text())["entries"]) == {"a.yaml"}


def test_fix_and_diff_work_from_cached_results(project, capsys):
    shutil.copy(FIXTURES / "rules" / "D001.yaml", project / "a.yaml")
    shutil.copy(FIXTURES / "rules" / "D001.yaml", project / "b.yaml")
    check(capsys, "a.yaml")  # a.yaml's result, with its fixes, is now cached
    diff = check(capsys, "a.yaml", "--diff")[1].replace("a.yaml", "X")
    assert diff and diff == check(capsys, "b.yaml", "--diff", "--no-cache")[1].replace("b.yaml", "X")
    check(capsys, "a.yaml", "--fix")
    check(capsys, "b.yaml", "--fix", "--no-cache")
    assert (project / "a.yaml").read_text() == (project / "b.yaml").read_text() != (FIXTURES / "rules" / "D001.yaml").read_text()


def test_show_graph_checks_the_files_for_their_models(project, capsys):
    shutil.copy(EXAMPLES / "fan-out.yaml", project / "fan-out.yaml")
    check(capsys, "fan-out.yaml")
    out = check(capsys, "fan-out.yaml", "--show-graph")[1]
    assert "each_region (ForEach)" in out


def test_results_survive_the_round_trip_through_json(tmp_path):
    paths = [*sorted((CORPUS / "valids").glob("*.y*ml")), *sorted((CORPUS / "invalids").glob("*.y*ml")),
             *sorted(FIXTURES.rglob("*.yaml"))] if CORPUS.is_dir() else sorted(FIXTURES.rglob("*.yaml"))
    for path in paths:
        result = check_file(path, path.name)
        back = from_data(json.loads(json.dumps(to_data(result))), path.name, result.source.text)
        assert (back.diagnostics, back.facts, back.directives, back.complete) == \
            (result.diagnostics, result.facts, result.directives, result.complete), path
        assert [back.source.line(n) for n in range(1, 40)] == [result.source.line(n) for n in range(1, 40)]


def test_parallel_results_are_cached_too(project, capsys, monkeypatch, no_checks):
    monkeypatch.setattr(compiler.parallel, "THRESHOLD", 2)
    for i in range(6):
        text = CHILD.replace("id: child", f"id: f{i}")
        (project / f"f{i}.yaml").write_text(text.replace("message:", "mesage: x\n    message:") if i % 2 else text)
    cold = check(capsys, ".", "--format", "json")
    no_checks()
    assert check(capsys, ".", "--format", "json") == cold
    assert [c for _, _, c in codes(cold[1])] == ["S101", "S101", "S101"]
