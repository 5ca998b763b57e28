"""Input and output files of a working directory (runtime/tasks/files.py), shared by the
script tasks, WorkingDirectory and LocalFiles."""
from __future__ import annotations

from pathlib import Path

import pytest

from runtime.storage import Storage
from runtime.task import TaskFailed
from runtime.tasks.files import collect_outputs, input_files, matching_files, regular_files, write_inputs

URI = "kestra:///company/team/flow/executions/ex1/tasks/up/x"


@pytest.fixture
def storage(tmp_path) -> Storage:
    return Storage(tmp_path / "runs")


@pytest.fixture
def workdir(tmp_path) -> Path:
    directory = tmp_path / "work"
    directory.mkdir()
    return directory


def failure(call) -> str:
    with pytest.raises(TaskFailed) as failed:
        call()
    return str(failed.value)


# --------------------------------------------------------------------------- input files


def test_a_map_of_names_to_contents(workdir, storage):
    names = write_inputs(workdir, {"a.txt": "A", "sub/b.json": {"k": [1, True]}, "n.txt": 1.5, "skip": None}, storage)
    assert names == ["a.txt", "sub/b.json", "n.txt"]
    assert (workdir / "a.txt").read_text() == "A"
    assert (workdir / "sub/b.json").read_text() == '{"k":[1,true]}'  # as `{{ value }}` prints it
    assert (workdir / "n.txt").read_text() == "1.5"
    assert not (workdir / "skip").exists()  # Kestra drops the null entries of a map


def test_a_json_string_and_its_null_contents(workdir, storage):
    assert write_inputs(workdir, '{"a.txt": "A", "empty.txt": null}', storage) == ["a.txt", "empty.txt"]
    assert (workdir / "empty.txt").read_bytes() == b""


def test_no_input_files(workdir, storage):
    assert write_inputs(workdir, None, storage) == []
    assert write_inputs(workdir, {}, storage) == []
    assert list(workdir.iterdir()) == []


def test_contents_from_internal_storage(workdir, storage):
    uri = storage.put(f"{URI}/data%20set.csv", b"id\n1\n")
    write_inputs(workdir, {"in.csv": uri, "encoded.csv": f"{URI}/data%2520set.csv"}, storage)
    assert (workdir / "in.csv").read_bytes() == b"id\n1\n"
    assert (workdir / "encoded.csv").read_bytes() == b"id\n1\n"  # a percent-encoded URI is decoded once
    assert "Unable to find file" in failure(lambda: write_inputs(workdir, {"x": f"{URI}/missing"}, storage))


def test_a_leading_slash_is_the_working_directory(workdir, storage):
    write_inputs(workdir, {"/a.txt": "A"}, storage)  # as Java's new File(dir, "/a.txt")
    assert (workdir / "a.txt").read_text() == "A"


def test_a_backslash_is_part_of_a_name(workdir, storage):
    # On Linux, Kestra's `new File(dir, "a\\b.txt")` is one file; the scripts copy used to
    # turn the backslash into a directory separator
    write_inputs(workdir, {"a\\b.txt": "x"}, storage)
    assert [p.name for p in workdir.iterdir()] == ["a\\b.txt"]


@pytest.mark.parametrize("name", ["../escape.txt", "a/../../escape.txt", "a/../b.txt", "", "/", "."])
def test_names_outside_the_directory_are_refused(workdir, storage, name):
    assert failure(lambda: write_inputs(workdir, {name: "x"}, storage, "inputs")) == (
        f"Invalid file name '{name}' in 'inputs': the path must be a relative path inside the working directory")
    assert list(workdir.iterdir()) == []


def test_a_symbolic_link_does_not_lead_outside(tmp_path, workdir, storage):
    outside = tmp_path / "outside"
    outside.mkdir()
    (workdir / "link").symlink_to(outside)
    assert "Invalid file name 'link/x.txt'" in failure(lambda: write_inputs(workdir, {"link/x.txt": "x"}, storage))
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("value, message", [
    ("[1, 2]", "Invalid value '[1, 2]' for property 'inputFiles': expected a JSON object of file names to contents"),
    ("", "Invalid value '' for property 'inputFiles': expected a JSON object of file names to contents "
         "(Expecting value at line 1, column 1)"),
    (["a"], "Invalid `files` properties with type 'list'"),  # Kestra's words
])
def test_bad_input_files(value, message):
    assert failure(lambda: input_files(value)) == message


# --------------------------------------------------------------------------- output files


def _tree(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)


def test_matching_files_as_java(workdir):
    _tree(workdir, "a.txt", "b.csv", "d/c.txt", "d/e/f.txt", "g[1].txt", "a-b.txt")

    def names(*patterns):
        return [p.relative_to(workdir).as_posix() for p in matching_files(workdir, patterns)]

    assert names("*.txt") == ["a-b.txt", "a.txt", "g[1].txt"]  # `*` stays in one folder
    assert names("**.txt") == ["a-b.txt", "a.txt", "d/c.txt", "d/e/f.txt", "g[1].txt"]
    assert names("**/*.txt") == ["d/c.txt", "d/e/f.txt"]  # needs at least one folder, as in Java
    assert names("d/**") == ["d/c.txt", "d/e/f.txt"]
    assert names("{a,b}.*") == ["a.txt", "b.csv"]
    assert names("[ab].???") == ["a.txt", "b.csv"]
    assert names("[!a].*") == ["b.csv"]
    assert names("g\\[1\\].txt") == ["g[1].txt"]
    assert names("/a.txt") == ["a.txt"]
    assert names("regex:.*/e/.*") == ["d/e/f.txt"]
    assert names(f"glob:{workdir.absolute().as_posix()}/d/*") == ["d/c.txt"]
    assert names() == []


def test_symbolic_links_are_never_followed(tmp_path, workdir):
    outside = tmp_path / "outside"
    _tree(outside, "secret.txt")
    _tree(workdir, "real.txt")
    (workdir / "file-link.txt").symlink_to(outside / "secret.txt")
    (workdir / "dir-link").symlink_to(outside)
    assert [p.name for p in regular_files(workdir)] == ["real.txt"]
    assert [p.name for p in matching_files(workdir, ["**"])] == ["real.txt"]


def test_bad_patterns_fail_the_task(workdir):
    assert failure(lambda: matching_files(workdir, ["a{b,{c}}"])) == "Invalid pattern 'a{b,{c}}': cannot nest groups"


def test_collect_outputs_stores_each_match_under_its_relative_name(workdir, storage):
    _tree(workdir, "out/a.csv", "keep.txt")
    stored = collect_outputs(workdir, ["out/*"], lambda path, name: storage.put(f"{URI}/{name}", path))
    assert stored == {"out/a.csv": f"{URI}/out/a.csv"}
    assert storage.read_text(stored["out/a.csv"]) == "out/a.csv"


def test_a_file_that_cannot_be_stored_fails_with_its_name(workdir, storage):
    _tree(workdir, "a.txt")
    message = failure(lambda: collect_outputs(workdir, ["*"], lambda path, name: storage.put("not-a-uri", path)))
    assert message.startswith("Unable to store the output file 'a.txt': ")


# --------------------------------------------------------------------------- WorkingDirectory


def test_working_directory_output_files_use_java_globs(tmp_path):
    from .flows import run_flow

    run = run_flow(tmp_path, """
        id: wd
        namespace: tests
        tasks:
          - id: wd
            type: io.kestra.plugin.core.flow.WorkingDirectory
            inputFiles:
              top.txt: top
              sub/nested.txt: nested
              data.csv: "1,2"
            outputFiles:
              - "**/*.txt"
              - "*.csv"
            tasks:
              - id: log
                type: io.kestra.plugin.core.log.Log
                message: hello
        """)
    assert run.state == "SUCCESS", run.logs
    files = run.outputs("wd")["outputFiles"]
    assert list(files) == ["data.csv", "sub/nested.txt"]  # `**/` needs a folder, as in Java
    assert run.engine.storage.read_text(files["sub/nested.txt"]) == "nested"


def test_working_directory_with_a_bad_output_pattern_fails(tmp_path):
    from .flows import run_flow

    run = run_flow(tmp_path, """
        id: wd
        namespace: tests
        tasks:
          - id: wd
            type: io.kestra.plugin.core.flow.WorkingDirectory
            outputFiles:
              - "[a-"
            tasks:
              - id: log
                type: io.kestra.plugin.core.log.Log
                message: hello
        """)
    assert run.state == "FAILED"
    assert "Invalid pattern '[a-': missing ']'" in run.logs
