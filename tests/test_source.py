"""The YAML loader: positions, Jackson's scalar typing, comments, and hostile input."""
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.diagnostics import Reporter, Span
from compiler.source import MAX_DEPTH, Mapping, Scalar, Sequence, parse_bytes, parse_text, read_file, to_data


def load(text):
    reporter = Reporter("f.yaml")
    source = parse_text(text, reporter, "f.yaml")
    return source, [(d.code, d.span.line, d.span.column) for d in reporter.diagnostics]


def test_keys_and_values_keep_their_positions():
    source, problems = load("id: x\ntasks:\n  - id: 'a'\n    message: \"héllo\"\n")
    assert problems == []
    root = source.documents[0].root
    assert root.key_node("tasks").span == Span(2, 1, 2, 6)
    task = root.get("tasks").items[0]
    assert task.get("id").span == Span(3, 9, 3, 12) and task.get("id").style == "'"
    assert task.get("message").span == Span(4, 14, 4, 21)


def test_scalars_are_typed_like_jackson():
    source, _ = load("a: yes\nb: on\nc: 2024-01-01\nd: 1_000\ne: 0x1F\nf: ~\ng: True\nh: 1.5\ni: '12'\nj: !!str 3\n1: k\n")
    assert to_data(source.documents[0].root) == {
        "a": "yes", "b": "on", "c": "2024-01-01", "d": "1_000", "e": 31, "f": None,
        "g": True, "h": 1.5, "i": "12", "j": "3", "1": "k",
    }


def test_duplicate_key_is_reported_at_second_occurrence():
    _, problems = load("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert problems == [("Y002", 4, 3)]


def test_unquoted_expression():
    source, problems = load("message: {{ inputs.name }}\n")
    assert problems == [("Y003", 1, 10)]
    assert source.documents[0].root.value("message") == "{{ inputs.name }}"
    _, problems = load("message: {{ a }} and more\n")
    assert problems == [("Y003", 1, 10)]


def test_multiple_documents_each_a_flow():
    source, problems = load("id: a\n---\nid: b\n---\n")
    assert problems == []
    assert [d.root.value("id") for d in source.documents] == ["a", "b"]


def test_error_in_second_document_keeps_the_first():
    source, problems = load("id: a\n---\nid: [b\n")
    assert [d.root.value("id") for d in source.documents] == ["a"]
    assert problems[0][0] == "Y001"


def test_comments_outside_scalars():
    source, _ = load("# head\na: 'x # no'  # yes\nb: |\n  # inside block\nc: d#e\n")
    assert [(c.line, c.column, c.text) for c in source.comments] == [(1, 1, " head"), (2, 14, " yes")]


def test_empty_and_non_mapping_documents():
    assert load("")[1] == [("Y004", 1, 1)]
    assert load("# only a comment\n")[1] == [("Y004", 1, 1)]
    assert load("- a\n")[1] == [("Y006", 1, 1)]
    assert load("just text\n")[1] == [("Y006", 1, 1)]


def test_not_utf8():
    reporter = Reporter("f")
    parse_bytes(b"id: x\nmessage: caf\xe9\n", reporter, "f")
    assert [(d.code, d.span.line, d.span.column) for d in reporter.diagnostics] == [("Y005", 2, 13)]


def test_billion_laughs_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    source, problems = load("\n".join(lines) + "\n")
    assert problems[0][0] == "Y007"
    assert source.documents == []
    assert time.perf_counter() - start < 5  # generous: it takes milliseconds


def test_deep_nesting_is_refused_without_crashing():
    # libyaml's C composer overflows the stack on such input; we stop at MAX_DEPTH.
    _, problems = load("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert problems[0][0] == "Y007"
    _, problems = load("a: " + "[" * (MAX_DEPTH - 5) + "]" * (MAX_DEPTH - 5) + "\n")
    assert problems == []


def test_large_file_is_refused_before_reading(tmp_path, monkeypatch):
    import compiler.source as source_module

    monkeypatch.setattr(source_module, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000)
    reporter = Reporter("big.yaml")
    read_file(path, reporter)
    assert [d.code for d in reporter.diagnostics] == ["Y007"]


def test_recursive_alias():
    assert load("a: &a\n  b: *a\n")[1][0][0] == "Y008"


def test_complex_key():
    assert load("? [a]\n: b\n")[1] == [("Y009", 1, 3)]


yaml_chars = st.sampled_from(list("abc:-[]{}#&*!|>'\"\n\t ,?%@`0123456789.") + ["{{", "}}", "---", "\u00e9", "\ufeff"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_chars, max_size=80).map("".join))
def test_loader_never_raises_on_random_yaml(text):
    source, _ = load(text)
    for document in source.documents:
        to_data(document.root)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_loader_never_raises_on_random_bytes(data):
    parse_bytes(data, Reporter("f"), "f")


def test_node_api():
    source, _ = load("a:\n  - 1\n  - b: c\n")
    root = source.documents[0].root
    assert isinstance(root, Mapping) and "a" in root and root.keys() == {"a": 0}.keys()
    seq = root.get("a")
    assert isinstance(seq, Sequence) and len(seq) == 2
    assert isinstance(seq.items[0], Scalar) and seq.items[0].value == 1
    assert root.value("missing", "default") == "default"
