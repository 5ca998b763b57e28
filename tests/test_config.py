"""Configuration: [tool.flowc] or flowc.toml, the nearest winning, flags over it, and clear
errors for bad files."""
import json
import subprocess
import sys
import textwrap

import pytest

FLOW = """\
id: {id}
namespace: company.team
tasks:
  - id: old
    type: io.kestra.core.tasks.log.Log
    message: hi
  - id: typo
    type: io.kestra.plugin.core.log.Log
    message: hi
    mesage: hi
  - id: aws
    type: io.kestra.plugin.aws.s3.Upload
"""


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if name.endswith(".toml") else text)


def check(root, *args):
    done = subprocess.run([sys.executable, "-m", "compiler", "check", *args, "--format", "json"], cwd=root,
                          capture_output=True, text=True)
    codes = sorted((d["file"], d["code"]) for d in json.loads(done.stdout)["diagnostics"]) if done.stdout.startswith("{") else None
    return done, codes


def test_no_configuration_reports_everything(tmp_path):
    write(tmp_path, {"flows/a.yaml": FLOW.format(id="a")})
    _, codes = check(tmp_path, "flows")
    assert codes == [("flows/a.yaml", "D001"), ("flows/a.yaml", "S101"), ("flows/a.yaml", "S109")]


def test_select_ignore_and_per_file_ignores(tmp_path):
    write(tmp_path, {
        "pyproject.toml": """
            [project]
            name = "x"

            [tool.flowc]
            select = ["S"]
            extend-select = ["deprecated-type-alias"]
            ignore = ["S109"]
            per-file-ignores = {"flows/legacy/*.yaml" = ["S101", "D"]}
        """,
        "flows/a.yaml": FLOW.format(id="a"),
        "flows/legacy/b.yaml": FLOW.format(id="b"),
    })
    _, codes = check(tmp_path, "flows")
    assert codes == [("flows/a.yaml", "D001"), ("flows/a.yaml", "S101")]


def test_nearest_configuration_wins_and_flowc_toml_before_pyproject(tmp_path):
    write(tmp_path, {
        "pyproject.toml": '[tool.flowc]\nignore = ["S101"]\n',
        "team/pyproject.toml": '[tool.flowc]\nignore = ["S109"]\n',
        "team/flowc.toml": 'ignore = ["D001"]\n',
        "a.yaml": FLOW.format(id="a"),
        "team/b.yaml": FLOW.format(id="b"),
    })
    _, codes = check(tmp_path, ".")
    assert codes == [("a.yaml", "D001"), ("a.yaml", "S109"), ("team/b.yaml", "S101"), ("team/b.yaml", "S109")]


def test_paths_and_exclude(tmp_path):
    write(tmp_path, {
        "flowc.toml": 'paths = ["flows"]\nexclude = ["flows/drafts"]\n',
        "flows/a.yaml": FLOW.format(id="a"),
        "flows/drafts/b.yaml": FLOW.format(id="b"),
        "elsewhere/c.yaml": FLOW.format(id="c"),
    })
    _, codes = check(tmp_path)
    assert {f for f, _ in codes} == {"flows/a.yaml"}


def test_flags_override_the_configuration(tmp_path):
    write(tmp_path, {"flowc.toml": 'select = ["S"]\nstrict = false\n', "a.yaml": FLOW.format(id="a")})
    done, codes = check(tmp_path, "a.yaml", "--select", "D001,S109", "--strict")
    assert codes == [("a.yaml", "D001"), ("a.yaml", "S109")]
    assert done.returncode == 1  # S109 is an error under --strict
    assert any(d["severity"] == "error" for d in json.loads(done.stdout)["diagnostics"] if d["code"] == "S109")


def test_schema_dirs_describe_in_house_plugins(tmp_path):
    schema = {"title": "com.acme.Deploy", "$kind": "task", "type": "object", "description": "Deploy a service.",
              "properties": {"target": {"type": "string"}}, "required": ["target"]}
    write(tmp_path, {
        "flowc.toml": 'schema-dirs = ["plugins"]\n',
        "plugins/com.acme.Deploy.json": json.dumps(schema),
        "a.yaml": "id: a\nnamespace: n\ntasks:\n  - id: d\n    type: com.acme.Deploy\n    targt: prod\n",
    })
    _, codes = check(tmp_path, "a.yaml")
    assert codes == [("a.yaml", "S101"), ("a.yaml", "S102")]


@pytest.mark.parametrize("config,message", [
    ('bogus = 1\n', "flowc.toml:1: unknown key `bogus`"),
    ('\nselect = ["S999"]\n', "flowc.toml:2: `S999` in `select` is not a rule"),
    ('ignore = "S101"\n', "flowc.toml:1: `ignore` must be a list of strings"),
    ('target-version = "latest"\n', "flowc.toml:1: not a Kestra version"),
    ('strict = "yes"\n', "flowc.toml:1: `strict` must be true or false"),
    ('schema-dirs = ["nope"]\n', "flowc.toml:1: schema directory `nope` does not exist"),
    ('select = [\n', "flowc.toml: "),
])
def test_bad_configuration_is_a_usage_error_with_file_and_line(tmp_path, config, message):
    write(tmp_path, {"flowc.toml": config, "a.yaml": FLOW.format(id="a")})
    done, _ = check(tmp_path, "a.yaml")
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_bad_plugin_schema_is_a_configuration_error(tmp_path):
    write(tmp_path, {"flowc.toml": 'schema-dirs = ["plugins"]\n', "plugins/x.json": '{"type": "object"}', "a.yaml": FLOW.format(id="a")})
    done, _ = check(tmp_path, "a.yaml")
    assert done.returncode == 2 and "not a plugin schema" in done.stderr


def test_show_settings(tmp_path):
    write(tmp_path, {"flowc.toml": 'ignore = ["D"]\ntarget-version = "2.0"\n', "a.yaml": FLOW.format(id="a")})
    done = subprocess.run([sys.executable, "-m", "compiler", "check", "a.yaml", "--show-settings", "--ignore", "S109"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0
    assert 'ignore = ["D", "S109"]' in done.stdout and 'target-version = "2.0"' in done.stdout
    assert str(tmp_path / "flowc.toml") in done.stdout


def test_unknown_selector_on_the_command_line(tmp_path):
    write(tmp_path, {"a.yaml": FLOW.format(id="a")})
    done, _ = check(tmp_path, "a.yaml", "--ignore", "Q1")
    assert done.returncode == 2 and "--ignore: `Q1`" in done.stderr


def test_editor_schema_includes_in_house_plugins(tmp_path):
    schema = {"title": "com.acme.Deploy", "$kind": "task", "type": "object", "description": "Deploy a service.",
              "properties": {"target": {"type": "string"}}}
    write(tmp_path, {"flowc.toml": 'schema-dirs = ["plugins"]\n', "plugins/com.acme.Deploy.json": json.dumps(schema)})
    done = subprocess.run([sys.executable, "-m", "compiler", "schema"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "com.acme.Deploy" in done.stdout
    plain = subprocess.run([sys.executable, "-m", "compiler", "schema"], cwd=tmp_path.parent, capture_output=True, text=True)
    assert "com.acme.Deploy" not in plain.stdout
