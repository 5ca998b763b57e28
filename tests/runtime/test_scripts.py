"""The scripts plugin tasks, run as real local processes."""
from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path

import pytest

from runtime.scripts.protocol import parse_protocol
from runtime.storage import Storage
from runtime.task import RunIds, TaskFailed, TaskLogger, TaskRunContext
from runtime.tasks import scripts
from runtime.tasks.scripts import TASKS, ScriptFailed, assemble_command, expression_vars

SHELL = "io.kestra.plugin.scripts.shell.Commands"
SHELL_SCRIPT = "io.kestra.plugin.scripts.shell.Script"
PYTHON = "io.kestra.plugin.scripts.python.Commands"
PYTHON_SCRIPT = "io.kestra.plugin.scripts.python.Script"
NODE = "io.kestra.plugin.scripts.node.Commands"
NODE_SCRIPT = "io.kestra.plugin.scripts.node.Script"

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")


class Run:
    """One task run: its context, the logs it emitted, and how to run it."""

    def __init__(self, tmp_path: Path, type_: str, props: dict, env: dict | None = None,
                 taskrun_id: str = "tr1") -> None:
        self.type = type_
        self.logs: list[tuple[str, str]] = []
        self.storage = Storage(tmp_path / "runs")
        workdir = tmp_path / "work" / taskrun_id
        workdir.mkdir(parents=True)
        ids = RunIds(namespace="company.team", flow_id="flow", execution_id="ex1", task_id="t",
                     taskrun_id=taskrun_id)
        self.ctx = TaskRunContext(props=props, logger=TaskLogger(lambda lvl, msg: self.logs.append((lvl, msg))),
                                  storage=self.storage, workdir=workdir, ids=ids, env=env or {})

    def __call__(self) -> dict:
        return TASKS[self.type](self.ctx)

    def at(self, level: str) -> list[str]:
        return [m for lvl, m in self.logs if lvl == level]

    def output_logs(self) -> list[str]:
        """Every message but the runner's own DEBUG lines about the command."""
        return [m for lvl, m in self.logs
                if not (lvl == "DEBUG" and m.startswith(("Starting command", "Command succeed")))]


@pytest.fixture
def make(tmp_path):
    count = iter(range(1000))

    def factory(type_: str, ctx_env: dict | None = None, **props) -> Run:
        return Run(tmp_path, type_, props, ctx_env, taskrun_id=f"tr{next(count)}")
    return factory


# --------------------------------------------------------------------------- outputs protocol

def test_shell_outputs_protocol_merges_vars_and_hides_protocol_lines(make):
    run = make(SHELL, commands=[
        "echo hello",
        """echo '::{"outputs":{"test":"value","int":2,"bool":true,"float":3.65}}::'""",
        """echo '::{"outputs":{"int":3,"nested":{"a":[1,2]}}}::'""",
    ])
    out = run()
    assert out == {"vars": {"test": "value", "int": 3, "bool": True, "float": 3.65, "nested": {"a": [1, 2]}},
                   "exitCode": 0, "outputFiles": {}}
    assert run.at("INFO") == ["hello"]
    assert not any("::" in m for m in run.output_logs())
    assert run.ctx.warning is False


def test_protocol_logs_are_relogged_and_metrics_dropped_with_debug(make):
    run = make(SHELL, commands=[
        """echo '::{"logs":[{"level":"WARN","message":"careful"},{"level":"ERROR","message":"bad"}]}::'""",
        """echo '::{"metrics":[{"name":"rows","type":"counter","value":5,"tags":{"t":"x"}}],"outputs":{"m":1}}::'""",
    ])
    out = run()
    assert run.at("WARN") == ["careful"]
    assert run.at("ERROR") == ["bad"]
    assert any("rows" in m and "not recorded" in m for m in run.at("DEBUG"))
    assert out["vars"] == {"m": 1}


def test_protocol_on_stderr_is_parsed_too(make):
    run = make(SHELL, commands=["""echo '::{"outputs":{"from":"stderr"}}::' >&2"""])
    assert run()["vars"] == {"from": "stderr"}
    assert run.at("ERROR") == []


@pytest.mark.parametrize("line", [
    '::{"outputs": nope}::',
    '::{"outputs": [1, 2]}::',
    '::{"metrics": [{"name": "x", "type": "histogram", "value": 1}]}::',
    '::{"logs": [{"level": "LOUD", "message": "x"}]}::',
    '::{"outputs": {"a": NaN}}::',
])
def test_invalid_protocol_json_is_ignored_with_a_warning(make, line):
    run = make(SHELL, commands=[f"printf '%s\\n' {json.dumps(line)}", """echo '::{"outputs":{"ok":1}}::'"""])
    out = run()
    assert out["vars"] == {"ok": 1}
    assert len(run.at("WARN")) == 1 and run.at("WARN")[0].startswith("Invalid outputs '")
    assert run.at("INFO") == []  # the bad protocol line is not logged as output


def test_lines_that_only_look_like_protocol_are_logged(make):
    run = make(SHELL, commands=["""echo 'x ::{"outputs":{"a":1}}::'""", "echo '::{}'"])
    assert run()["vars"] == {}
    assert run.at("INFO") == ["""x ::{"outputs":{"a":1}}::""", "::{}"]


@pytest.mark.parametrize("data, message", [
    ('{"outputs": nope}', "Expecting value at line 1, column 13"),
    ('[1]', "expected a JSON object"),
    ('{"outputs": [1, 2]}', "'outputs' must be an object, not a list"),
    ('{"logs": {"level": "INFO"}}', "'logs' must be a list of objects"),
    ('{"metrics": [{"type": "histogram"}]}', 'unknown metric type "histogram" (expected one of counter, gauge, timer)'),
    ('{"logs": [{"level": "LOUD"}]}', 'unknown log level "LOUD" (expected one of TRACE, DEBUG, INFO, WARN, ERROR)'),
    ('{"outputs": {"a": NaN}}', "Non-standard token 'NaN'"),
])
def test_protocol_messages_say_what_is_wrong(data, message):
    with pytest.raises(ValueError) as e:
        parse_protocol(data)
    assert str(e.value) == message


def test_protocol_message_without_a_level_is_kept_for_the_consumer():
    # a missing level passes the check: the line consumer warns "Invalid log" for that entry alone
    assert parse_protocol('{"logs": [{"message": "x"}], "outputs": {"a": 1}}') == \
        {"logs": [{"message": "x"}], "outputs": {"a": 1}}


# --------------------------------------------------------------------------- python with the kestra package

def test_python_script_with_the_real_kestra_package(make, monkeypatch):
    pytest.importorskip("kestra", reason="the `kestra` package (PyPI) is not installed in this environment")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)  # run with the interpreter running the tests
    run = make(PYTHON_SCRIPT, script=(
        "from kestra import Kestra\n"
        "print('computing')\n"
        "Kestra.outputs({'answer': 42, 'ok': True, 'names': ['a', 'b']})\n"
        "Kestra.counter('rows', 7, {'table': 't'})\n"
        "Kestra.logger().info('from the kestra logger')\n"
        "Kestra.logger().warning('a warning')\n"
    ))
    out = run()
    assert out["vars"] == {"answer": 42, "ok": True, "names": ["a", "b"]}
    assert out["exitCode"] == 0
    assert run.at("INFO")[0] == "computing"
    assert any(m.endswith("from the kestra logger") for m in run.at("INFO"))
    assert any(m.endswith("a warning") for m in run.at("WARN"))
    assert any("rows" in m for m in run.at("DEBUG"))


def test_python_script_runs_with_the_runtime_interpreter_and_kestra_env(make, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    run = make(PYTHON_SCRIPT, script=(
        "import json, os, sys\n"
        "print('::' + json.dumps({'outputs': {'exe': sys.executable, 'unbuffered': os.environ['PYTHONUNBUFFERED'],\n"
        "    'pip': os.environ['PIP_DISABLE_PIP_VERSION_CHECK'], 'wd': os.environ['WORKING_DIR'], 'cwd': os.getcwd()}}) + '::')\n"
    ))
    v = run()["vars"]
    assert Path(v["exe"]).resolve() == Path(sys.executable).resolve()
    assert (v["unbuffered"], v["pip"]) == ("true", "1")
    assert v["wd"] == v["cwd"] == str(run.ctx.workdir)


def test_python_script_prelude_makes_pebble_literals_valid(make):
    run = make(PYTHON_SCRIPT, script="x = true\ny = null\nprint(x, false, y)\n")
    run()
    assert run.at("INFO") == ["True False None"]


def test_python_script_prefers_a_virtualenv_activated_in_before_commands(make, tmp_path):
    venv_bin = tmp_path / "fakevenv" / "bin"
    venv_bin.mkdir(parents=True)
    fake = venv_bin / "python"
    fake.write_text('#!/bin/sh\necho "fake python ran $1"\n')
    fake.chmod(0o755)
    run = make(PYTHON_SCRIPT, beforeCommands=[f"export VIRTUAL_ENV={tmp_path / 'fakevenv'}"], script="print('real')\n")
    run()
    assert len(run.at("INFO")) == 1 and run.at("INFO")[0].startswith("fake python ran ")


# --------------------------------------------------------------------------- commands assembly

def test_before_commands_share_the_shell_and_log_at_debug(make):
    run = make(SHELL, beforeCommands=["export GREETING=hi", "echo setting up"],
               commands=["echo $GREETING there"])
    run()
    assert "setting up" in run.at("DEBUG")
    assert run.at("INFO") == ["hi there"]
    assert not any("##kestra" in m for m in run.output_logs())


def test_assembled_command_line_is_kestras():
    assert assemble_command(["/bin/sh", "-c"], [], ["a", "b"], True) == ["/bin/sh", "-c", "set -e\na\nb"]
    assert assemble_command(["/bin/sh", "-c"], [], ["a"], False) == ["/bin/sh", "-c", "a"]
    assert assemble_command(["bash", "-c"], ["b1"], ["a"], True) == [
        "bash", "-c", "echo '##kestra:log:debug##'\nset -e\nb1\necho '##kestra:log:info##'\na"]
    assert assemble_command([], [], ["echo", "x y"], True) == ["echo", "x y"]
    assert assemble_command(["cmd", "/c"], [], ["a", "b"], True, "WINDOWS") == ["cmd", "/c", "\r\na\r\nb"]


def test_fail_fast_stops_at_the_first_failing_command(make):
    run = make(SHELL, commands=["echo one", "false", "echo two"])
    with pytest.raises(ScriptFailed) as failed:
        run()
    assert str(failed.value) == "Command failed with exit code 1"
    assert run.at("INFO") == ["one"]


def test_without_fail_fast_every_command_runs_and_the_last_decides(make):
    run = make(SHELL, failFast=False, commands=["echo one", "false", "echo two"])
    assert run()["exitCode"] == 0
    assert run.at("INFO") == ["one", "two"]


def test_custom_interpreter_and_empty_interpreter(make):
    run = make(SHELL, interpreter=["bash", "-c"], commands=["echo ${BASH_VERSION:+bash}"])
    run()
    assert run.at("INFO") == ["bash"]
    direct = make(SHELL, interpreter=[], commands=["echo", "$HOME", "*"])
    direct()
    assert direct.at("INFO") == ["$HOME *"]  # no shell: the commands are the argv


def test_missing_program_fails_with_a_clear_message(make):
    run = make(SHELL, interpreter=["/no/such/shell", "-c"], commands=["echo x"])
    with pytest.raises(TaskFailed, match=r"Cannot run program '/no/such/shell'"):
        run()


@pytest.mark.parametrize("type_, props, message", [
    (SHELL, {}, "Missing required property 'commands'"),
    (PYTHON_SCRIPT, {}, "Missing required property 'script'"),
    (SHELL, {"commands": {"a": 1}}, """Invalid value '{"a":1}' for property 'commands': expected a list of strings"""),
    (SHELL, {"commands": ["true"], "failFast": "sometimes"},
     "Invalid value 'sometimes' for property 'failFast': expected true or false"),
    (SHELL, {"commands": ["true"], "env": ["A=1"]},
     """Invalid value '["A=1"]' for property 'env': expected a map of names to values"""),
    (SHELL, {"commands": ["true"], "targetOS": "mac"},
     "Invalid value 'mac' for property 'targetOS': expected one of AUTO, LINUX, WINDOWS"),
    (SHELL, {"commands": ["true"], "namespaceFiles": {"ifExists": "skip"}},
     "Invalid value 'skip' for property 'namespaceFiles.ifExists': expected one of OVERWRITE, FAIL, WARN, IGNORE"),
    (SHELL, {"commands": ["true"], "namespaceFiles": {"include": ["[a"]}}, "Invalid pattern '[a': missing ']'"),
])
def test_bad_properties_fail_with_a_message(make, type_, props, message):
    with pytest.raises(TaskFailed) as failed:
        make(type_, **props)()
    assert str(failed.value) == message


def test_a_script_body_that_is_not_text_is_printed_as_kestra_renders_it(make):
    # Kestra's Property<String> takes a number or a map as its text (a map as JSON)
    run = make(SHELL_SCRIPT, script={"a": [1, None]}, interpreter=["/bin/echo"], failFast=False)
    run()
    assert run.at("INFO") == ['{"a":[1,null]}']


# --------------------------------------------------------------------------- environment

def test_env_layers_task_env_over_context_env_over_process_env(make, monkeypatch):
    monkeypatch.setenv("FROM_PROCESS", "p")
    run = make(PYTHON, ctx_env={"FROM_CTX": "c", "BOTH": "ctx"}, env={"BOTH": "task", "PORT": 8080, "FLAG": True},
               commands=["echo $FROM_PROCESS $FROM_CTX $BOTH $PORT $FLAG $PYTHONUNBUFFERED $WORKING_DIR"])
    run()
    assert run.at("INFO") == [f"p c task 8080 true true {run.ctx.workdir}"]


def test_shell_tasks_do_not_get_python_variables(make, monkeypatch):
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    run = make(SHELL, commands=["echo [${PYTHONUNBUFFERED:-unset}]"])
    run()
    assert run.at("INFO") == ["[unset]"]


# --------------------------------------------------------------------------- stderr

@pytest.mark.parametrize("warning_on_stderr", [None, True, False])
def test_stderr_is_logged_at_error_and_no_longer_makes_a_warning(make, warning_on_stderr):
    props = {"commands": ["echo oops >&2", "echo fine"]}
    if warning_on_stderr is not None:
        props["warningOnStdErr"] = warning_on_stderr
    run = make(SHELL, **props)
    assert run()["exitCode"] == 0
    assert run.at("ERROR") == ["oops"]
    assert run.at("INFO") == ["fine"]
    assert run.ctx.warning is False  # Kestra >= 0.23 (kestra-io/plugin-scripts#233)


def test_carriage_returns_split_lines_like_java(make):
    run = make(SHELL, commands=[r"printf 'a\rb\r\nc\n'"])
    run()
    assert run.at("INFO") == ["a", "b", "c"]


# --------------------------------------------------------------------------- failure keeps outputs

def test_failing_exit_code_keeps_vars_exit_code_and_output_files(make):
    run = make(SHELL, outputFiles=["report.txt"], commands=[
        """echo '::{"outputs":{"partial":true}}::'""",
        "echo data > report.txt",
        "exit 3",
    ])
    with pytest.raises(ScriptFailed) as failed:
        run()
    assert str(failed.value) == "Command failed with exit code 3"
    outputs = failed.value.outputs
    assert outputs["vars"] == {"partial": True}
    assert outputs["exitCode"] == 3
    assert list(outputs["outputFiles"]) == ["report.txt"]
    assert run.storage.read_text(outputs["outputFiles"]["report.txt"]) == "data\n"


# --------------------------------------------------------------------------- input files

def test_input_files_inline_map_with_subdirectories(make):
    run = make(SHELL, inputFiles={"data.txt": "line 1\nline 2", "sub/dir/conf.json": '{"a": 1}', "skipped": None},
               commands=["cat data.txt", "echo", "cat sub/dir/conf.json", "echo", "ls"])
    run()
    assert run.at("INFO") == ["line 1", "line 2", '{"a": 1}', "data.txt", "sub"]


def test_input_files_as_a_json_string(make):
    run = make(SHELL, inputFiles=json.dumps({"a.txt": "A", "empty.txt": None}), commands=["cat a.txt", "echo", "wc -c < empty.txt"])
    run()
    assert run.at("INFO") == ["A", "0"]


def test_input_files_from_internal_storage(make):
    run = make(SHELL, commands=["cat in.csv"])
    uri = run.storage.put("kestra:///company/team/flow/executions/ex1/tasks/up/x/data.csv", "id,name\n1,a\n")
    run.ctx.props["inputFiles"] = {"in.csv": uri}
    run()
    assert run.at("INFO") == ["id,name", "1,a"]


@pytest.mark.parametrize("files, message", [
    ({"../escape.txt": "x"}, "Invalid file name '../escape.txt' in 'inputFiles': the path must be a relative path "
                             "inside the working directory"),
    ("[1, 2]", "Invalid value '[1, 2]' for property 'inputFiles': expected a JSON object of file names to contents"),
    ("{not json", "Invalid value '{not json' for property 'inputFiles': expected a JSON object of file names to "
                  "contents (Expecting property name enclosed in double quotes at line 1, column 2)"),
    (42, "Invalid `files` properties with type 'int'"),  # Kestra's words
    ({"a.txt": "kestra:///company/team/flow/executions/ex1/missing.txt"}, "Unable to find file"),
])
def test_bad_input_files_fail_with_a_message(make, files, message):
    with pytest.raises(TaskFailed) as failed:
        make(SHELL, inputFiles=files, commands=["true"])()
    assert message in str(failed.value)


def test_internal_storage_uris_in_commands_become_local_files(make):
    run = make(SHELL)
    uri = run.storage.put("kestra:///company/team/flow/executions/ex1/tasks/up/x/in.txt", "stored content\n")
    run.ctx.props["commands"] = [f"cat {uri}", f"echo {uri} | grep -c '^{run.ctx.workdir}/'"]
    run()
    assert run.at("INFO") == ["stored content", "1"]


def _namespace_files(run: Run, namespace: str, names: list[str]) -> None:
    for name in names:
        run.storage.put(f"kestra:///{namespace.replace('.', '/')}/_files/{name}", f"{namespace}:{name}")


@pytest.mark.parametrize("include, exclude, expected", [
    (None, None, ["./conf/a.yml", "./lib/util.py", "./main.py", "./notes.md", "./skip.py"]),
    (["**.py", "conf/**"], ["skip.py"], ["./conf/a.yml", "./lib/util.py", "./main.py"]),
    (["main.py"], None, ["./main.py"]),  # a bare name matches at any depth
    (["*.py"], None, []),  # Kestra matches `/main.py`, and `*` does not cross `/`
])
def test_namespace_files_are_copied_with_include_and_exclude(make, include, exclude, expected):
    spec = {"enabled": True, **({"include": include} if include else {}), **({"exclude": exclude} if exclude else {})}
    run = make(SHELL, namespaceFiles=spec, commands=["find . -type f | sort"])
    _namespace_files(run, "company.team", ["main.py", "skip.py", "lib/util.py", "conf/a.yml", "notes.md"])
    run()
    assert run.at("INFO")[0].startswith(f"Loaded {len(expected)} namespace files from 'company.team' in 0:00:")
    assert run.at("INFO")[1:] == expected


def test_namespace_files_from_several_namespaces(make):
    run = make(SHELL, namespaceFiles={"namespaces": ["company", "company.team"], "folderPerNamespace": True},
               commands=["find . -type f | sort", "cat company.team/a.txt"])
    _namespace_files(run, "company", ["a.txt"])
    _namespace_files(run, "company.team", ["a.txt"])
    run()
    assert run.at("INFO")[1:] == ["./company.team/a.txt", "./company/a.txt", "company.team:a.txt"]
    later = make(SHELL, namespaceFiles={"namespaces": ["company", "company.team"], "ifExists": "FAIL"},
                 commands=["true"])
    _namespace_files(later, "company", ["a.txt"])
    _namespace_files(later, "company.team", ["a.txt"])
    with pytest.raises(TaskFailed, match="File 'a.txt' already exists"):
        later()


def test_disabled_namespace_files_are_not_loaded(make):
    run = make(SHELL, namespaceFiles={"enabled": False}, commands=["ls"])
    _namespace_files(run, "company.team", ["main.py"])
    run()
    assert run.output_logs() == []


# --------------------------------------------------------------------------- output files

def test_output_files_follow_java_glob_rules(make):
    run = make(SHELL, outputFiles=["*.txt", "**/*.csv", "exact.json", "{a,b}.log", "/rooted.md"], commands=[
        "mkdir -p sub/deep",
        "echo t > top.txt; echo n > sub/nested.txt",
        "echo 1 > top.csv; echo 2 > sub/one.csv; echo 3 > sub/deep/two.csv",
        "echo '{}' > exact.json; echo a > a.log; echo c > c.log; echo r > rooted.md",
    ])
    out = run()
    # `*` stays in one directory; `**/` needs at least one directory, as in Java
    assert list(out["outputFiles"]) == ["a.log", "exact.json", "rooted.md", "sub/deep/two.csv", "sub/one.csv", "top.txt"]
    assert run.storage.read_text(out["outputFiles"]["sub/deep/two.csv"]) == "3\n"
    assert all(uri.startswith("kestra:///company/team/flow/executions/ex1/tasks/t/") for uri in out["outputFiles"].values())


def test_output_files_with_no_match_give_an_empty_map(make):
    assert make(SHELL, outputFiles=["*.parquet"], commands=["true"])()["outputFiles"] == {}


def test_regex_output_files_match_the_absolute_path(make):
    run = make(SHELL, outputFiles=[r"regex:.*/out-\d+\.txt"], commands=["echo > out-1.txt; echo > out-x.txt"])
    assert list(run()["outputFiles"]) == ["out-1.txt"]


def test_deprecated_output_directory(make):
    run = make(SHELL, outputDirectory=True, commands=['echo hi > "$OUTPUT_DIR/result.txt"'])
    out = run()
    assert list(out["outputFiles"]) == ["result.txt"]
    assert expression_vars(run.ctx.workdir, output_directory=True)["outputDir"] == str(
        run.ctx.workdir / scripts.OUTPUT_DIR_NAME)


def test_expression_vars():
    assert expression_vars(Path("/w"), ["out.csv", "*.txt", "data/x.json"]) == {
        "workingDir": "/w", "outputFiles": {"out.csv": "/w/out.csv", "data/x.json": "/w/data/x.json"}}


# --------------------------------------------------------------------------- script bodies run as written

AWKWARD_BODY = '''s1 = "double \\"quoted\\""
s2 = 'single \\'quoted\\''
s3 = """triple
quoted"""
s4 = r"back\\slash \\n stays"
s5 = "{{ not.an.expression }} {% raw %}"
s6 = "$(echo not run) `echo nor this` $HOME"
for s in (s1, s2, s3, s4, s5, s6):
    print(repr(s))
'''


def test_python_script_body_runs_exactly_as_written(make):
    run = make(PYTHON_SCRIPT, script=AWKWARD_BODY)
    run()
    namespace: dict = {}
    exec(compile(AWKWARD_BODY.replace("print(repr(s))", "pass"), "body", "exec"), namespace)
    expected = [repr(namespace[f"s{i}"]) for i in range(1, 7)]
    assert run.at("INFO") == expected
    assert "$(echo not run)" in run.at("INFO")[5]


def test_shell_script_body_is_the_shell_command(make):
    body = "X='{{ literal }}'\necho \"$X\"\necho \"$(echo sub) \\\\ 'q'\"\ncat <<'EOF'\n\"\"\"triple\"\"\" $NOPE\nEOF\n"
    run = make(SHELL_SCRIPT, script=body)
    run()
    assert run.at("INFO") == ["{{ literal }}", "sub \\ 'q'", '"""triple""" $NOPE']


def test_shell_script_with_before_commands(make):
    run = make(SHELL_SCRIPT, beforeCommands=["V=ready"], script="echo $V")
    run()
    assert run.at("INFO") == ["ready"]


# --------------------------------------------------------------------------- node

@needs_node
def test_node_commands_and_script(make):
    run = make(NODE_SCRIPT, script=(
        "const s = `back\\\\slash ${1 + 1} \"q\" 'q' {{ x }}`;\n"
        "console.log(s);\n"
        "console.log('::' + JSON.stringify({outputs: {n: 2, env: process.env.PYTHONUNBUFFERED}}) + '::');\n"
        "console.error('to stderr');\n"
    ))
    out = run()
    assert out["vars"] == {"n": 2, "env": "true"}
    assert run.at("INFO") == ["back\\slash 2 \"q\" 'q' {{ x }}"]
    assert run.at("ERROR") == ["to stderr"]
    commands = make(NODE, inputFiles={"main.js": "console.log(process.argv[2])"}, commands=["node main.js arg"])
    assert commands()["exitCode"] == 0
    assert commands.at("INFO") == ["arg"]


@needs_node
def test_node_script_failure(make):
    run = make(NODE_SCRIPT, script="process.exit(4)")
    with pytest.raises(ScriptFailed, match="exit code 4"):
        run()


# --------------------------------------------------------------------------- local process notice

@pytest.mark.parametrize("props, noticed", [
    ({"taskRunner": {"type": "io.kestra.plugin.scripts.runner.docker.Docker"}}, True),
    ({"containerImage": "python:3.12"}, True),
    ({"runner": "DOCKER", "docker": {"image": "python:3.11"}}, True),
    ({"taskRunner": {"type": "io.kestra.plugin.core.runner.Process"}, "containerImage": "x"}, False),
    ({"runner": "PROCESS"}, False),
    ({}, False),
])
def test_container_settings_are_noticed_once(make, props, noticed):
    run = make(PYTHON, commands=["true"], **props)
    run()
    notices = [m for m in run.at("INFO") if "local process" in m]
    assert len(notices) == (1 if noticed else 0)
    if "containerImage" in props and noticed:
        assert "python:3.12" in notices[0]


def test_python_dependencies_are_reported_not_installed(make):
    run = make(PYTHON, dependencies=["pandas==2.2"], commands=["true"])
    run()
    assert any("pandas==2.2" in m for m in run.at("WARN"))


# --------------------------------------------------------------------------- killing

def test_cancel_ends_the_whole_process_group(make, tmp_path):
    started = tmp_path / "started"
    run = make(SHELL, commands=[f"touch {started}", "sleep 300 & sleep 300", "echo never"])
    result: dict = {}

    def target() -> None:
        try:
            run()
        except ScriptFailed as e:
            result["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    for _ in range(600):  # wait (up to a minute) for the command to be running
        if started.exists():
            break
        threading.Event().wait(0.1)
    run.ctx.cancel.set()
    thread.join(60)
    # the background `sleep` holds the output pipes open: the run only ends if it died too
    assert not thread.is_alive()
    assert str(result["error"]) == "Command failed with exit code 143"
    assert "never" not in run.at("INFO")


def test_a_relative_working_directory_works(make, monkeypatch, tmp_path):
    run = make(PYTHON_SCRIPT, inputFiles={"in.txt": "x"}, script="print(open('in.txt').read())")
    monkeypatch.chdir(tmp_path)
    run.ctx.workdir = run.ctx.workdir.relative_to(tmp_path)
    run()
    assert run.at("INFO") == ["x"]


def test_nul_characters_fail_with_a_message(make):
    with pytest.raises(TaskFailed, match="Cannot run program"):
        make(SHELL, env={"A": "x\0y"}, commands=["true"])()
