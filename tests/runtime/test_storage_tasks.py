"""Internal-storage tasks (runtime/tasks/storage.py) against a real Storage on disk."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from runtime.storage import Storage
from runtime.task import RunIds, TaskFailed, TaskLogger, TaskRunContext
from runtime.tasks import storage as tasks
from runtime.tasks.storage import friendly_id, readable_bytes

NS, FLOW, EXEC = "company.team", "my-flow", "exec1"
PREFIX = f"kestra:///company/team/{FLOW}/executions/{EXEC}"


def make_ctx(root: Path, props: dict, *, task_id="task1", taskrun_id="run1", execution_id=EXEC) -> TaskRunContext:
    workdir = root / "work" / taskrun_id
    workdir.mkdir(parents=True, exist_ok=True)
    return TaskRunContext(
        props=props,
        logger=TaskLogger(lambda level, message: None),
        storage=Storage(root / "runs"),
        workdir=workdir,
        ids=RunIds(NS, FLOW, execution_id, task_id, taskrun_id),
    )


def run(root: Path, task: str, props: dict, **kw) -> dict:
    return tasks.TASKS[f"io.kestra.plugin.core.storage.{task}"](make_ctx(root, props, **kw))


def put(root: Path, name: str, content: str | bytes, *, task_id="source") -> str:
    """A file some earlier task of the execution produced."""
    ctx = make_ctx(root, {}, task_id=task_id, taskrun_id=f"{task_id}-run")
    return ctx.put_file(content.encode("utf-8") if isinstance(content, str) else content, name)


def read(root: Path, uri: str) -> str:
    return Storage(root / "runs").read_bytes(uri).decode("utf-8")  # newlines as they are


# ---------------------------------------------------------------------- Write


def test_write_stores_the_content_with_its_extension(tmp_path):
    out = run(tmp_path, "Write", {"content": "Hello World", "extension": ".txt"})
    assert out["uri"].startswith(f"{PREFIX}/tasks/task1/run1/") and out["uri"].endswith(".txt")
    assert read(tmp_path, out["uri"]) == "Hello World"
    # the temporary file is gone from the working directory, as with Kestra's putFile
    assert list((tmp_path / "work" / "run1").iterdir()) == []


def test_write_extension_defaults_to_tmp_and_gets_its_dot(tmp_path):
    assert run(tmp_path, "Write", {"content": ""})["uri"].endswith(".tmp")
    assert run(tmp_path, "Write", {"content": "a,b", "extension": "csv"})["uri"].endswith(".csv")


def test_write_prints_non_string_content_as_kestra(tmp_path):
    out = run(tmp_path, "Write", {"content": {"a": [1, True]}})
    assert read(tmp_path, out["uri"]) == '{"a":[1,true]}'


def test_write_gives_each_file_its_own_name(tmp_path):
    first = run(tmp_path, "Write", {"content": "1"})["uri"]
    second = run(tmp_path, "Write", {"content": "2"})["uri"]
    assert first != second and read(tmp_path, first) == "1"


def test_write_requires_content(tmp_path):
    with pytest.raises(TaskFailed, match="Missing required property 'content'"):
        run(tmp_path, "Write", {})


# ---------------------------------------------------------------------- Concat


def test_concat_several_files_with_a_separator(tmp_path):
    uris = [put(tmp_path, f"{n}.txt", text, task_id=f"t{n}") for n, text in enumerate(["one", "two", "three"])]
    out = run(tmp_path, "Concat", {"files": uris, "separator": "\n", "extension": ".txt"})
    assert out["uri"].endswith(".txt")
    # Kestra writes the separator after every file, the last one included
    assert read(tmp_path, out["uri"]) == "one\ntwo\nthree\n"


def test_concat_without_separator_and_from_a_json_string(tmp_path):
    a, b = put(tmp_path, "a.txt", "A", task_id="a"), put(tmp_path, "b.txt", "B", task_id="b")
    out = run(tmp_path, "Concat", {"files": f'["{b}", "{a}"]'})
    assert out["uri"].endswith(".tmp")
    assert read(tmp_path, out["uri"]) == "BA"


def test_concat_keeps_bytes(tmp_path):
    a = put(tmp_path, "a.bin", b"\x00\xff\xfe")
    out = run(tmp_path, "Concat", {"files": [a, a]})
    assert Storage(tmp_path / "runs").read_bytes(out["uri"]) == b"\x00\xff\xfe\x00\xff\xfe"


def test_concat_of_a_missing_file_fails(tmp_path):
    with pytest.raises(TaskFailed, match="Unable to find file 'kestra:///nope.txt'"):
        run(tmp_path, "Concat", {"files": ["kestra:///nope.txt"]})


@pytest.mark.parametrize(
    "files, message",
    [
        ("not json", "is not a JSON array of URIs"),
        ('{"a": 1}', "must hold an array"),
        (42, "Invalid `files` properties with type 'int'"),
        (["/etc/passwd"], "is not an internal storage URI"),
    ],
)
def test_concat_reports_bad_files(tmp_path, files, message):
    with pytest.raises(TaskFailed, match=message):
        run(tmp_path, "Concat", {"files": files})


# ---------------------------------------------------------------------- Split


def contents(root: Path, uris: list[str]) -> list[str]:
    return [read(root, uri) for uri in uris]


def test_split_by_rows(tmp_path):
    source = put(tmp_path, "data.csv", "a\nb\nc\nd\ne\n")
    out = run(tmp_path, "Split", {"from": source, "rows": 2})
    assert contents(tmp_path, out["uris"]) == ["a\nb\n", "c\nd\n", "e\n"]
    assert all(uri.endswith(".csv") for uri in out["uris"])


def test_split_by_rows_from_a_string_and_crlf_lines(tmp_path):
    source = put(tmp_path, "data.txt", "a\r\nb\rc\nd")
    out = run(tmp_path, "Split", {"from": source, "rows": "3", "separator": "\r\n"})
    assert contents(tmp_path, out["uris"]) == ["a\r\nb\r\nc\r\n", "d\r\n"]


def test_split_by_bytes(tmp_path):
    source = put(tmp_path, "data.txt", "aaaa\nbbbb\ncccc\ndddd\n")
    # a new file starts once the current one holds at least 10 bytes
    out = run(tmp_path, "Split", {"from": source, "bytes": "10"})
    assert contents(tmp_path, out["uris"]) == ["aaaa\nbbbb\n", "cccc\ndddd\n"]
    out = run(tmp_path, "Split", {"from": source, "bytes": 6})
    assert contents(tmp_path, out["uris"]) == ["aaaa\nbbbb\n", "cccc\ndddd\n"]
    out = run(tmp_path, "Split", {"from": source, "bytes": "1KB"})
    assert contents(tmp_path, out["uris"]) == ["aaaa\nbbbb\ncccc\ndddd\n"]


def test_split_by_partitions_deals_rows_round_robin(tmp_path):
    source = put(tmp_path, "data.txt", "\n".join("1234567"))
    out = run(tmp_path, "Split", {"from": source, "partitions": 3})
    assert contents(tmp_path, out["uris"]) == ["1\n4\n7\n", "2\n5\n", "3\n6\n"]


def test_split_drops_empty_partitions(tmp_path):
    source = put(tmp_path, "data.txt", "x\ny\n")
    out = run(tmp_path, "Split", {"from": source, "partitions": 5})
    assert contents(tmp_path, out["uris"]) == ["x\n", "y\n"]
    assert [p.name for p in (tmp_path / "work" / "run1").iterdir()] == []


def test_split_precedence_is_bytes_then_partitions_then_rows(tmp_path):
    source = put(tmp_path, "data.txt", "a\nb\nc\nd\n")
    out = run(tmp_path, "Split", {"from": source, "bytes": "1MB", "partitions": 2, "rows": 1})
    assert len(out["uris"]) == 1
    out = run(tmp_path, "Split", {"from": source, "partitions": 2, "rows": 1})
    assert len(out["uris"]) == 2


def test_split_by_regex_groups_rows_by_their_capture(tmp_path):
    source = put(tmp_path, "logs.txt", "[INFO] a\n[WARN] b\nnoise\n[INFO] c\n")
    out = run(tmp_path, "Split", {"from": source, "regexPattern": r"\[(\w+)\]"})
    assert contents(tmp_path, out["uris"]) == ["[INFO] a\n[INFO] c\n", "[WARN] b\n"]


def test_split_of_an_empty_file_gives_no_files(tmp_path):
    source = put(tmp_path, "empty.txt", "")
    assert run(tmp_path, "Split", {"from": source, "rows": 10}) == {"uris": []}


def test_split_extension_comes_from_the_source(tmp_path):
    source = put(tmp_path, "noext", "a\n")
    assert run(tmp_path, "Split", {"from": source, "rows": 1})["uris"][0].endswith(".tmp")


@pytest.mark.parametrize(
    "props, message",
    [
        ({}, "Invalid configuration with no size, count, rows, nor regexPattern"),
        ({"bytes": "ten"}, "Invalid size with value 'ten'"),
        ({"rows": "many"}, "^Invalid value 'many' for property 'rows': expected an integer$"),
        ({"rows": 2.5}, "^Invalid value '2.5' for property 'rows': expected an integer$"),
        # a long value is quoted in part
        ({"partitions": "9" * 150 + "x" * 150}, f"^Invalid value '{'9' * 150}{'x' * 50}...' for property 'partitions'"),
        ({"partitions": 0}, "expected at least 1"),
        ({"regexPattern": "("}, "Invalid regexPattern"),
    ],
)
def test_split_reports_bad_configuration(tmp_path, props, message):
    source = put(tmp_path, "data.txt", "a\n")
    with pytest.raises(TaskFailed, match=message):
        run(tmp_path, "Split", {"from": source, **props})


def test_an_empty_rows_property_is_no_value(tmp_path):
    # Jackson converts "" to no value: Split then reports it has no way to split
    source = put(tmp_path, "data.txt", "a\n")
    with pytest.raises(TaskFailed, match="Invalid configuration with no size"):
        run(tmp_path, "Split", {"from": source, "rows": ""})


def test_split_of_a_missing_file_fails(tmp_path):
    with pytest.raises(TaskFailed, match="Unable to find file"):
        run(tmp_path, "Split", {"from": f"{PREFIX}/nope.txt", "rows": 1})


lines = st.lists(st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",))), max_size=30)


@settings(max_examples=60, deadline=None)
@given(rows=lines, size=st.integers(1, 7), how=st.sampled_from(["rows", "partitions", "bytes"]))
def test_split_then_concat_gives_back_every_row(rows, size, how):
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        source = put(root, "data.txt", "".join(r + "\n" for r in rows))
        uris = run(root, "Split", {"from": source, how: size})["uris"]
        parts = contents(root, uris)
        assert all(parts)
        if how == "partitions":
            assert len(parts) == min(size, len(rows))
            dealt = [part.split("\n")[:-1] for part in parts]
            assert sorted(sum(dealt, [])) == sorted(rows)
        else:
            if how == "rows":
                assert all(part.count("\n") <= size for part in parts)
            joined = run(root, "Concat", {"files": uris})["uri"]
            assert read(root, joined) == "".join(r + "\n" for r in rows)


# ---------------------------------------------------------------------- Delete, Size


def test_delete_an_existing_file(tmp_path):
    uri = put(tmp_path, "a.txt", "x")
    assert run(tmp_path, "Delete", {"uri": uri}) == {"uri": uri, "deleted": True}
    assert not Storage(tmp_path / "runs").path(uri).exists()
    assert run(tmp_path, "Delete", {"uri": uri}) == {"uri": uri, "deleted": False}


def test_delete_missing_with_error_on_missing(tmp_path):
    uri = f"{PREFIX}/nope.txt"
    with pytest.raises(TaskFailed, match=f"Unable to find file '{uri}'"):
        run(tmp_path, "Delete", {"uri": uri, "errorOnMissing": True})


def test_delete_refuses_a_non_storage_uri(tmp_path):
    with pytest.raises(TaskFailed, match="is not an internal storage URI"):
        run(tmp_path, "Delete", {"uri": "/etc/hosts"})


def test_size(tmp_path):
    uri = put(tmp_path, "a.txt", "héllo")
    assert run(tmp_path, "Size", {"uri": uri}) == {"size": 6}


def test_size_of_a_missing_file_fails(tmp_path):
    with pytest.raises(TaskFailed, match="Unable to find file"):
        run(tmp_path, "Size", {"uri": f"{PREFIX}/nope.txt"})


# ---------------------------------------------------------------------- Reverse


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a\nb\nc\n", "c\nb\na\n"),
        ("a\nb\nc", "c\nb\na\n"),
        ("a\r\nb\rc", "c\nb\na\n"),
        ("", ""),
        ("a\n\n", "\na\n"),
        # commons-io skips the first empty line it meets, wherever it is
        ("a\n\nb", "b\na\n"),
    ],
)
def test_reverse(tmp_path, text, expected):
    out = run(tmp_path, "Reverse", {"from": put(tmp_path, "lines.txt", text)})
    assert out["uri"].endswith(".txt")
    assert read(tmp_path, out["uri"]) == expected


def test_reverse_with_separator_and_charset(tmp_path):
    source = put(tmp_path, "lines", "café\nthé\n".encode("latin-1"))
    out = run(tmp_path, "Reverse", {"from": source, "separator": ";", "charset": "ISO-8859-1"})
    assert out["uri"].endswith(".tmp")
    assert Storage(tmp_path / "runs").read_bytes(out["uri"]) == "thé;café;".encode("latin-1")


def test_reverse_reports_an_unknown_charset(tmp_path):
    with pytest.raises(TaskFailed, match="Unsupported charset 'KLINGON'"):
        run(tmp_path, "Reverse", {"from": put(tmp_path, "a.txt", "a"), "charset": "KLINGON"})


# ---------------------------------------------------------------------- PurgeCurrentExecutionFiles


def test_purge_deletes_every_file_of_this_execution_only(tmp_path):
    first = put(tmp_path, "a.txt", "a", task_id="t1")
    second = put(tmp_path, "b.txt", "b", task_id="t2")
    other_ctx = make_ctx(tmp_path, {}, execution_id="other", taskrun_id="o1")
    other = other_ctx.put_file(b"keep", "c.txt")
    out = run(tmp_path, "PurgeCurrentExecutionFiles", {})
    assert first in out["uris"] and second in out["uris"]
    assert out["uris"][-1] == PREFIX  # the deepest first, the execution's own folder last
    assert out["uris"].index(first) < out["uris"].index(f"{PREFIX}/tasks/t1")
    storage = Storage(tmp_path / "runs")
    assert not storage.path(first).exists() and not storage.path(second).exists()
    assert storage.read_text(other) == "keep"


def test_purge_without_files(tmp_path):
    assert run(tmp_path, "PurgeCurrentExecutionFiles", {}) == {"uris": []}


# ---------------------------------------------------------------------- LocalFiles


def test_local_files_inputs_and_outputs(tmp_path):
    source = put(tmp_path, "data.csv", "x,y\n")
    ctx = make_ctx(tmp_path, {
        "inputs": {"hello.txt": "Hello", "sub/data.csv": source, "skipped.txt": None},
        "outputs": ["*.txt", "sub/*.csv"],
    })
    out = tasks.run_local_files(ctx)
    assert sorted(out["uris"]) == ["hello.txt", "sub/data.csv"]
    assert read(tmp_path, out["uris"]["hello.txt"]) == "Hello"
    assert read(tmp_path, out["uris"]["sub/data.csv"]) == "x,y\n"
    hello = ctx.workdir.resolve() / "hello.txt"
    assert out["uris"]["hello.txt"].endswith(f"/{friendly_id(str(hello))}-hello.txt")
    # Kestra's putFile removes the local copies it stored
    assert not hello.exists()
    assert not (ctx.workdir / "skipped.txt").exists()


def test_local_files_inputs_from_a_json_string(tmp_path):
    ctx = make_ctx(tmp_path, {"inputs": '{"a.txt": "A", "empty.txt": null}'})
    assert tasks.run_local_files(ctx) == {"uris": {}}
    assert (ctx.workdir / "a.txt").read_text() == "A"
    assert (ctx.workdir / "empty.txt").read_text() == ""


def test_local_files_refuses_to_write_outside_the_working_directory(tmp_path):
    with pytest.raises(TaskFailed, match="Invalid file name '../escape.txt' in 'inputs': the path must be a "
                                         "relative path inside the working directory"):
        run(tmp_path, "LocalFiles", {"inputs": {"../escape.txt": "x"}})


def test_local_files_outputs_match_as_java_globs_and_skip_links(tmp_path):
    ctx = make_ctx(tmp_path, {"inputs": {"a.txt": "a", "d/b.txt": "b", "d/e/c.txt": "c"},
                              "outputs": "**/*.txt"})
    (ctx.workdir / "link.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "elsewhere.txt").write_text("x")
    out = tasks.run_local_files(ctx)
    assert list(out["uris"]) == ["d/b.txt", "d/e/c.txt"]  # `**/` needs a folder; links are not followed
    assert (ctx.workdir / "a.txt").exists() and (ctx.workdir / "link.txt").is_symlink()


def test_local_files_reports_bad_globs(tmp_path):
    with pytest.raises(TaskFailed, match="Invalid pattern 'a{b,{c}}'"):
        run(tmp_path, "LocalFiles", {"outputs": ["a{b,{c}}"]})


def test_readable_bytes():
    assert readable_bytes("10") == 10
    assert readable_bytes(2048) == 2048
    assert readable_bytes("100kb") == 100 * 1024
    assert readable_bytes("10MB") == 10 * 1024**2
    assert readable_bytes("1Gb") == 1024**3
    assert readable_bytes("1.5MB") is None
    assert readable_bytes("MB") is None


def test_friendly_id_is_a_stable_base62_uuid():
    assert friendly_id("/tmp/a") == friendly_id("/tmp/a") != friendly_id("/tmp/b")
    assert all(c.isalnum() for c in friendly_id("/tmp/a"))
