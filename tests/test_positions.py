"""Positions of the characters of parsed YAML strings (compiler.expr.positions).

libyaml is the oracle: every scalar of a document is composed with CSafeLoader, and each
character of its value must sit at the returned position in the file (an escape's
backslash, the first quote of `''`, or a line break for a folded space or newline).
"""
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.expr.positions import offset_to_position, value_positions

LOADER = yaml.CSafeLoader
BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # line breaks as libyaml counts them
ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)


def scalar_nodes(text):
    """Every scalar node of every document, keys included."""
    found = []

    def walk(node):
        if isinstance(node, yaml.ScalarNode):
            found.append(node)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(key)
                walk(value)
        elif node is not None:
            for item in node.value:
                walk(item)

    for document in yaml.compose_all(text, Loader=LOADER):
        walk(document)
    return found


def positions_of(text, node):
    style = node.style or None
    return value_positions(text, node.start_mark.line + 1, node.start_mark.column + 1, style, node.value)


def offset_of(text, position):
    starts = [1 if text.startswith("\ufeff") else 0] + [m.end() for m in BREAK.finditer(text)]
    line, column = position
    return starts[line - 1] + column - 1


def check_node(text, node):
    """Each character of the value comes from the character at its position."""
    value, style = node.value, node.style or None
    positions = positions_of(text, node)
    assert len(positions) == len(value) + 1
    offsets = [offset_of(text, p) for p in positions]
    # one source character per value character, in order; the end comes after the last
    assert offsets == sorted(set(offsets)), (value, positions)
    for i, (char, offset) in enumerate(zip(value, offsets)):
        source = text[offset]
        if source == char:
            continue
        if style == '"' and source == "\\":
            escape = ESCAPE.match(text, offset).group()
            assert yaml.load(f'"{escape}"', Loader=LOADER) == char, (value, i, escape)
        elif style == "'" and char == "'":
            assert text.startswith("''", offset), (value, i)
        else:
            # a folded line break: a space, or a newline from CR, CRLF or NEL
            assert char in " \n" and source in "\r\n\x85", (value, i, source)
    last_is_escape = style == "'" and value[-1:] == "'" or style == '"' and value[-1:] == "\\"
    if value and value[-1] not in " \n\u2028\u2029" and text[offsets[-2]] == value[-1] and not last_is_escape:
        assert offsets[-1] == offsets[-2] + 1


def check(text):
    nodes = scalar_nodes(text)
    for node in nodes:
        check_node(text, node)
    return nodes


def node_with_value(text, value):
    return next(n for n in scalar_nodes(text) if n.value == value)


def at(text, value, index):
    return positions_of(text, node_with_value(text, value))[index]


# --------------------------------------------------------------------------- plain


def test_plain_single_line():
    text = "id: hello {{ inputs.x }}\n"
    check(text)
    value = "hello {{ inputs.x }}"
    assert at(text, value, 0) == (1, 5)
    assert at(text, value, value.index("{{")) == (1, 11)
    assert at(text, value, len(value)) == (1, 25)


def test_plain_multi_line_folds_and_drops_indentation():
    text = "k: first  line\n    second\t x\n\n   \n  third # comment\nn: 1\n"
    nodes = check(text)
    value = "first  line second\t x\n\nthird"
    assert nodes[1].value == value
    positions = positions_of(text, nodes[1])
    assert positions[value.index("second")] == (2, 5)
    assert positions[value.index(" second")] == (1, 15)  # the fold: end of line 1
    assert positions[value.index("\n")] == (3, 1)  # empty lines give their own breaks
    assert positions[value.index("\n") + 1] == (4, 4)
    assert positions[value.index("third")] == (5, 3)
    assert positions[len(value)] == (5, 8)


def test_plain_in_sequence_and_flow_collections():
    text = "- a b\n  c\n- [x y,\n   z\n   w, {k: v\n    u}]\n"
    nodes = check(text)
    assert [n.value for n in nodes] == ["a b c", "x y", "z w", "k", "v u"]
    assert at(text, "z w", 2) == (5, 4)
    assert at(text, "v u", 2) == (6, 5)


def test_plain_with_colons_hashes_and_unicode():
    text = "url: http://x.y/a#b:c {{ é }}😀 ü\n"
    check(text)
    value = "http://x.y/a#b:c {{ é }}😀 ü"
    assert at(text, value, value.index("ü")) == (1, 6 + value.index("ü"))


def test_plain_with_tag_and_anchor_in_front():
    text = "a: !!str &anchor\n  x {{ y }}\nb: &b !custom z\nc: !<tag:x> # comment\n  'q'\n"
    check(text)  # compose's marks start at the tag
    assert at(text, "x {{ y }}", 0) == (2, 3)
    assert at(text, "q", 0) == (5, 4)
    assert at(text, "z", 0) == (3, 15)


# --------------------------------------------------------------------------- single-quoted


def test_single_quoted():
    text = "k: 'it''s {{ x }}'\n"
    check(text)
    value = "it's {{ x }}"
    assert at(text, value, 0) == (1, 5)
    assert at(text, value, 2) == (1, 7)  # the first of the two quotes
    assert at(text, value, 3) == (1, 9)
    assert at(text, value, len(value)) == (1, 18)


def test_single_quoted_folding():
    text = "k: '  a  \n     b ''\n\n \t\n   c  '\n"
    nodes = check(text)
    value = nodes[1].value
    assert value == "  a b '\n\nc  "
    positions = positions_of(text, nodes[1])
    assert positions[0] == (1, 5)
    assert positions[3] == (1, 10)  # folded space: the line break after the trailing blanks
    assert positions[4] == (2, 6)
    assert positions[value.index("\n")] == (3, 1)
    assert positions[value.index("\n") + 1] == (4, 3)
    assert positions[value.index("c")] == (5, 4)
    assert positions[-2] == (5, 6)


def test_empty_quoted_strings():
    text = "a: ''\nb: \"\"\n"
    nodes = check(text)
    assert positions_of(text, nodes[1]) == [(1, 5)]
    assert positions_of(text, nodes[3]) == [(2, 5)]


# --------------------------------------------------------------------------- double-quoted

ALL_ESCAPES = r'\n\t\"\\\/\x41\u00e9\U0001F600\0\a\b\e\f\r\v\N\_\L\P\ ' + "\\\t"


def test_double_quoted_escapes_map_to_their_backslash():
    text = f'k: "<{ALL_ESCAPES}>"\n'
    node = check(text)[1]
    assert node.value == "<\n\t\"\\/Aé😀\0\a\b\x1b\f\r\v\x85\xa0\u2028\u2029 \t>"
    positions = positions_of(text, node)
    backslashes = [m.start() for m in re.finditer(r"\\.", ALL_ESCAPES, re.DOTALL)]
    assert [column - 6 for _, column in positions[1:-2]] == backslashes
    assert positions[-2] == (1, 6 + len(ALL_ESCAPES))
    assert positions[-1] == (1, 7 + len(ALL_ESCAPES))


def test_double_quoted_escaped_line_breaks_and_folding():
    text = 'k: "a\\\n    b  \n\n   c\\\n\n  d \\\n  e\\ \n  f"\n'
    node = check(text)[1]
    assert node.value == "ab\nc\nd e  f"
    positions = positions_of(text, node)
    assert positions[1] == (2, 5)  # b: the escaped break joins with nothing
    assert positions[2] == (3, 1)  # the empty line's break
    assert positions[3] == (4, 4)
    assert positions[4] == (5, 1)
    assert positions[5] == (6, 3)
    assert positions[6] == (6, 4)  # the space before the escaped break is kept
    assert positions[7] == (7, 3)
    assert positions[8] == (7, 4)  # `\ `
    assert positions[9] == (7, 6)  # folded space: end of line 7
    assert positions[10] == (8, 3)


def test_double_quoted_unicode_and_tabs():
    text = 'k:\t"日本\t{{ x }} \\u00e9😀 z"\n'
    check(text)
    value = "日本\t{{ x }} é😀 z"
    assert at(text, value, 0) == (1, 5)
    assert at(text, value, value.index("{{")) == (1, 8)
    assert at(text, value, value.index("é")) == (1, 16)
    assert at(text, value, value.index("😀")) == (1, 22)
    assert at(text, value, value.index("z")) == (1, 24)


# --------------------------------------------------------------------------- literal blocks


def test_literal_block():
    text = "k: |\n  line {{ a }}\n    more\n\n  last\nn: 1\n"
    node = check(text)[1]
    assert node.value == "line {{ a }}\n  more\n\nlast\n"
    positions = positions_of(text, node)
    assert positions[0] == (2, 3)
    assert positions[node.value.index("{{")] == (2, 8)
    assert positions[node.value.index("\n")] == (2, 15)
    assert positions[node.value.index("  more")] == (3, 3)
    assert positions[node.value.index("last")] == (5, 3)
    assert positions[-2] == (5, 7)
    assert positions[-1] == (6, 1)


@pytest.mark.parametrize(
    "header, value",
    [("|", "a\n\n b\n"), ("|-", "a\n\n b"), ("|+", "a\n\n b\n\n\n"), ("|2", "a\n\n b\n"),
     ("|1-", " a\n\n  b"), ("|-1", " a\n\n  b"), ("|+1", " a\n\n  b\n\n\n"), (">", "a\n\n b\n"),
     (">-", "a\n\n b"), ("|  # comment", "a\n\n b\n")],
)
def test_block_headers(header, value):
    text = f"k: {header}\n  a\n\n   b\n\n \nn: 1\n"
    node = check(text)[1]
    assert node.value == value
    positions = positions_of(text, node)
    assert positions[value.index("a")] == (2, 3)
    assert positions[value.index("b")] == (4, 4)


def test_block_with_indentation_indicator_in_nested_collections():
    text = "- a: |1\n    x\n     y\n  b:\n  - |2-\n      z\n"
    nodes = check(text)
    assert [n.value for n in nodes] == ["a", " x\n  y\n", "b", "  z"]
    assert positions_of(text, nodes[1])[:2] == [(2, 4), (2, 5)]
    assert positions_of(text, nodes[3])[:3] == [(6, 5), (6, 6), (6, 7)]


def test_block_less_indented_than_its_parent_is_empty():
    text = "- a: |+\n\n  b: 1\n"
    nodes = check(text)
    assert nodes[1].value == "\n"
    assert positions_of(text, nodes[1]) == [(2, 1), (3, 1)]
    text = "- a: |\n  b: 1\n"
    assert check(text)[1].value == ""
    assert positions_of(text, check(text)[1]) == [(1, 7)]


def test_block_with_leading_empty_lines_and_tabs():
    text = "k: |\n\n  \n  x\ta\n  \tc\n"
    node = check(text)[1]
    assert node.value == "\n\nx\ta\n\tc\n"  # a tab after the indentation is content
    assert positions_of(text, node)[:7] == [(2, 1), (3, 3), (4, 3), (4, 4), (4, 5), (4, 6), (5, 3)]


def test_top_level_block_and_block_at_end_of_file():
    text = "--- |\n x\n y"
    node = check(text)[0]
    assert node.value == "x\ny"
    assert positions_of(text, node) == [(2, 2), (2, 3), (3, 2), (3, 3)]


# --------------------------------------------------------------------------- folded blocks


def test_folded_block():
    text = "- >\n a\n b\n\n  c\n d\n\n\n e\n"
    node = check(text)[0]
    value = node.value
    assert value == "a b\n\n c\nd\n\ne\n"
    positions = positions_of(text, node)
    assert positions[1] == (2, 3)  # folded space: end of line 2
    assert positions[2] == (3, 2)
    assert positions[3] == (3, 3)  # kept break before a more indented line
    assert positions[4] == (4, 1)
    assert positions[5] == (5, 2)  # the more indented line keeps its spaces
    assert positions[value.index("d") - 1] == (5, 4)
    assert positions[value.index("e") - 2 : value.index("e") + 1] == [(7, 1), (8, 1), (9, 2)]


def test_folded_block_with_keep_and_strip():
    text = "a: >+\n  x {{ y }}\n  z\n\nb: >-\n  x\n\n\n  z\n"
    nodes = check(text)
    assert nodes[1].value == "x {{ y }} z\n\n"
    assert nodes[3].value == "x\n\nz"
    assert positions_of(text, nodes[3]) == [(6, 3), (7, 1), (8, 1), (9, 3), (9, 4)]


# --------------------------------------------------------------------------- line endings


def test_crlf_line_endings():
    text = "a: x\r\n  y\r\nb: 'p\r\n\r\n  q'\r\nc: \"r\\\r\n  s\"\r\nd: |\r\n  t\r\n  u\r\ne: >\r\n  v\r\n  w\r\n"
    nodes = check(text)
    assert [n.value for n in nodes[1::2]] == ["x y", "p\nq", "rs", "t\nu\n", "v w\n"]
    assert positions_of(text, nodes[1]) == [(1, 4), (1, 5), (2, 3), (2, 4)]
    assert positions_of(text, nodes[3]) == [(3, 5), (4, 1), (5, 3), (5, 4)]
    assert positions_of(text, nodes[7]) == [(9, 3), (9, 4), (10, 3), (10, 4), (11, 1)]


def test_other_line_breaks_count_as_lines_like_libyaml():
    text = "a: 'x\u2028y'\nb: \"p\x85q\"\nc: m\rn: o\n"
    nodes = check(text)
    assert nodes[1].value == "x\u2028y" and positions_of(text, nodes[1])[2] == (2, 1)
    assert nodes[3].value == "p q" and positions_of(text, nodes[3])[1:3] == [(3, 6), (4, 1)]
    assert positions_of(text, nodes[5]) == [(5, 4), (5, 5)]  # CR alone
    assert positions_of(text, nodes[7]) == [(6, 4), (6, 5)]


def test_byte_order_mark_is_not_counted():
    text = "\ufeffa: 'x'\n"
    assert check(text)[1].start_mark.column == 3
    assert positions_of(text, check(text)[1]) == [(1, 5), (1, 6)]


# --------------------------------------------------------------------------- helpers


def test_offset_to_position_clamps():
    positions = value_positions("k: abc\n", 1, 4, None, "abc")
    assert positions == [(1, 4), (1, 5), (1, 6), (1, 7)]
    assert offset_to_position(positions, -3) == (1, 4)
    assert offset_to_position(positions, 1) == (1, 5)
    assert offset_to_position(positions, 3) == (1, 7)
    assert offset_to_position(positions, 99) == (1, 7)
    assert offset_to_position([], 0) == (1, 1)


def test_a_start_that_does_not_match_never_fails():
    positions = value_positions("k: 'ab'\n", 1, 4, "'", "abcdef")
    assert len(positions) == 7
    assert positions[:2] == [(1, 5), (1, 6)]
    assert all(p == (1, 7) for p in positions[2:])
    assert value_positions("", 5, 9, "|", "x") == [(1, 1), (1, 1)]


def test_flow_file_example():
    text = (
        "id: hello\n"
        "namespace: company.team\n"
        "tasks:\n"
        "  - id: log\n"
        "    type: io.kestra.plugin.core.log.Log\n"
        "    message: |\n"
        "      Hello {{ inputs.user }},\n"
        "      today is {{ now() | date('yyyy') }}\n"
        "  - id: echo\n"
        "    type: io.kestra.plugin.scripts.shell.Commands\n"
        "    commands:\n"
        "      - \"echo \\\"{{ outputs.log.value }}\\\"\"\n"
        "      - >-\n"
        "        echo {{ inputs.a }}\n"
        "        {{ inputs.b }}\n"
    )
    check(text)
    value = "Hello {{ inputs.user }},\ntoday is {{ now() | date('yyyy') }}\n"
    assert at(text, value, value.index("now")) == (8, 19)
    value = 'echo "{{ outputs.log.value }}"'
    assert at(text, value, value.index("{{")) == (12, 17)
    assert at(text, value, value.index('"')) == (12, 15)
    value = "echo {{ inputs.a }} {{ inputs.b }}"
    assert at(text, value, value.rindex("{{")) == (15, 9)


# --------------------------------------------------------------------------- fuzzing

PIECES = list("ab z{}#'\"\\:,-[]|>&*!%@`\t\n") + [
    "{{ x }}", "{{", "}}", " #", ": ", "é", "日本", "😀", "\u2028", "\x85", "\xa0", "\r\n", "  ", "\n\n",
]
WILD = st.lists(st.one_of(st.sampled_from(PIECES), st.characters(codec="utf-8")), max_size=40)
# text the emitter can write plain or as a block: words, expressions, some punctuation
TAME = st.lists(
    st.sampled_from(["word", "x", " ", " ", "{{ inputs.a }}", "é", "😀", "'", '"', "\\", "#", ":", "\n", "  "]),
    max_size=30,
)
STRINGS = st.one_of(WILD, TAME).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=STRINGS,
    style=st.sampled_from([None, "'", '"', "|", ">"]),
    shape=st.integers(0, 3),
    width=st.integers(5, 90),
    indent=st.integers(2, 9),
    allow_unicode=st.booleans(),
    flow=st.booleans(),
    line_break=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_dumped_strings_round_trip_to_their_positions(value, style, shape, width, indent, allow_unicode, flow, line_break):
    document = [value, {"key": value}, {"k": [value, {"n": value}], "z": value}, [[value], value]][shape]
    text = yaml.safe_dump(
        document, default_style=style, width=width, indent=indent, allow_unicode=allow_unicode,
        default_flow_style=flow, line_break=line_break,
    )
    try:
        nodes = scalar_nodes(text)
    except yaml.YAMLError:  # the Python emitter wrote something libyaml refuses
        return
    for node in nodes:
        check_node(text, node)


WORDS = st.lists(
    st.sampled_from(["a", "b", "{{ x }}", " ", "  ", "\t", "é", "😀", "'", "''", '"', "\\", "\\n", "\\x41",
                     "\\u00e9", "\\ ", "#", " #", ":", "-", ",", "}"]),
    max_size=6,
).map("".join)
LINES = st.lists(st.tuples(st.integers(0, 7), WORDS), min_size=1, max_size=6)
# where the scalar starts -> what follows it
CONTEXTS = {
    "k: ": "\nnext: 1", "- ": "\n- next", "a:\n  b: ": "\n  c: 1", "- - k: ": "\n  - z\n- y",
    "[": "]", "{k: ": ", z: 1}", "--- ": "\n--- next", "- k: !!str &a ": "\n  z: 1",
}


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["plain", "'", '"', "|", ">"]),
    header=st.sampled_from(["", "-", "+", "1", "2", "3-", "+2"]),
    context=st.sampled_from(list(CONTEXTS)),
    first=WORDS,
    lines=LINES,
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_hand_written_scalars_match_libyaml(kind, header, context, first, lines, newline):
    """Scalars spread over lines with random indentation, parsed by libyaml directly."""
    prefix, suffix = context, CONTEXTS[context]
    body = newline.join(" " * n + words for n, words in lines)
    if kind in "|>":
        source = f"{prefix}{kind}{header}{newline}{body}"
    elif kind == "plain":
        source = f"{prefix}x{first}{newline}{body}"
    else:
        source = f"{prefix}{kind}{first}{newline}{body}{kind}"
    text = f"{source}{suffix}{newline}".replace("\n", newline)
    try:
        nodes = scalar_nodes(text)
    except yaml.YAMLError:
        return
    for node in nodes:
        check_node(text, node)
