"""Read flow files: bytes -> YAML documents made of nodes that keep their positions.

libyaml (through PyYAML's CSafeLoader) does the parsing; we build our own nodes from its
event stream rather than from `compose()`, so that

- every key and value keeps its 1-based start and end line and column;
- duplicate keys, complex keys and unquoted `{{ }}` are seen (compose would hide them);
- hostile input is refused early: deep nesting (which crashes the C composer), alias
  bombs (counted as they would expand) and huge files;
- scalars are typed as Jackson, Kestra's YAML reader, types them (YAML 1.2 core schema:
  `yes`, `on` and `2024-01-01` stay strings; mapping keys are always strings).

Comments are not part of libyaml's events: `SourceFile.comments` finds them in the text,
outside the spans of quoted and block scalars.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from .diagnostics import Reporter, Span
from .rules import yaml as Y

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 256
MAX_NODES = 1_000_000


# --------------------------------------------------------------------------- nodes


class Node:
    """A YAML node with its span in the file."""

    __slots__ = ("span", "size")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.size = 1  # number of nodes once aliases are expanded


class Scalar(Node):
    """A scalar: `value` is typed (str, int, float, bool or None); `style` is None for plain,
    or one of `'`, `"`, `|`, `>`."""

    __slots__ = ("value", "style")

    def __init__(self, span: Span, value, style: str | None) -> None:
        super().__init__(span)
        self.value = value
        self.style = style

    def __repr__(self) -> str:
        return f"Scalar({self.value!r} @{self.span.line}:{self.span.column})"


class Sequence(Node):
    __slots__ = ("items",)

    def __init__(self, span: Span) -> None:
        super().__init__(span)
        self.items: list[Node] = []

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"Sequence({len(self.items)} @{self.span.line}:{self.span.column})"


class Mapping(Node):
    """A mapping. `pairs` keeps every key in order, duplicates included; lookups see the
    first occurrence of a key (the duplicate is reported as an error)."""

    __slots__ = ("pairs", "_index")

    def __init__(self, span: Span) -> None:
        super().__init__(span)
        self.pairs: list[tuple[Scalar, Node]] = []
        self._index: dict[str, tuple[Scalar, Node]] = {}

    def get(self, key: str) -> Node | None:
        pair = self._index.get(key)
        return pair[1] if pair else None

    def key_node(self, key: str) -> Scalar | None:
        pair = self._index.get(key)
        return pair[0] if pair else None

    def __contains__(self, key: str) -> bool:
        return key in self._index

    def keys(self):
        return self._index.keys()

    def items(self):
        """(key text, key node, value node) for each distinct key, in order."""
        return [(k, kn, v) for k, (kn, v) in self._index.items()]

    def value(self, key: str, default=None):
        """The plain value of a scalar entry, or `default`."""
        node = self._index.get(key)
        if node is None or not isinstance(node[1], Scalar):
            return default
        return node[1].value

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"Mapping({list(self._index)} @{self.span.line}:{self.span.column})"


def to_data(node: Node | None):
    """Plain Python data (dict, list, scalars) for a node, as Kestra would read it."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {k: to_data(v) for k, (_, v) in node._index.items()}
    return [to_data(item) for item in node.items]


@dataclass(slots=True)
class Document:
    """One YAML document of a file; `root` is None when the document could not be read."""

    index: int
    root: Node | None
    span: Span


@dataclass(frozen=True, slots=True)
class Comment:
    line: int
    column: int
    text: str  # without the leading '#'


@dataclass
class SourceFile:
    path: str
    text: str
    documents: list[Document] = field(default_factory=list)
    # character offsets (start, end) of quoted and block scalars, where '#' is not a comment
    _protected: list[tuple[int, int]] = field(default_factory=list, repr=False)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number - 1] if 0 < number <= len(lines) else ""

    @cached_property
    def comments(self) -> list[Comment]:
        found: list[Comment] = []
        starts = [s for s, _ in self._protected]
        offset = 0
        for number, line in enumerate(self.text.splitlines(keepends=True), start=1):
            column = line.find("#")
            while column != -1:
                at = offset + column
                if column == 0 or line[column - 1] in " \t":
                    i = bisect.bisect_right(starts, at) - 1
                    if i < 0 or not (self._protected[i][0] <= at < self._protected[i][1]):
                        found.append(Comment(number, column + 1, line[column + 1 :].rstrip("\r\n")))
                        break
                column = line.find("#", column + 1)
            offset += len(line)
        return found


# --------------------------------------------------------------------------- reading


def read_file(path: str | Path, reporter: Reporter, display: str | None = None) -> SourceFile:
    """Read and parse one file; problems go to `reporter`, never raised."""
    display = display or str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            reporter.report(
                Y.TOO_LARGE,
                f"file is {size / 1048576:.1f} MiB, more than the {MAX_FILE_BYTES // 1048576} MiB a flow file may have",
                Span(1, 1, 1, 1),
                help="a flow file this large is probably not a flow; split data from the flow",
            )
            return SourceFile(display, "")
        data = Path(path).read_bytes()
    except OSError as e:
        reporter.report(Y.YAML_SYNTAX, f"cannot read file: {e.strerror or e}", None)
        return SourceFile(display, "")
    return parse_bytes(data, reporter, display)


def parse_bytes(data: bytes, reporter: Reporter, display: str) -> SourceFile:
    if len(data) > MAX_FILE_BYTES:
        reporter.report(Y.TOO_LARGE, f"input is more than {MAX_FILE_BYTES // 1048576} MiB", Span(1, 1, 1, 1))
        return SourceFile(display, "")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        reporter.report(
            Y.NOT_UTF8,
            f"file is not valid UTF-8: byte 0x{data[e.start]:02x} at offset {e.start} cannot be decoded",
            Span.point(line, column),
            help="save the file as UTF-8",
        )
        return SourceFile(display, "")
    return parse_text(text, reporter, display)


def parse_text(text: str, reporter: Reporter, display: str = "<string>") -> SourceFile:
    if text.startswith("\ufeff"):
        text = text[1:]
    source = SourceFile(display, text)
    _Builder(source, reporter).run()
    if not source.documents and not reporter.diagnostics:
        reporter.report(Y.EMPTY_FILE, "file holds no YAML document", Span(1, 1, 1, 1), help="write a flow, or remove the file")
    return source


# --------------------------------------------------------------------------- events -> nodes

_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_STYLES = {"": None, "'": "'", '"': '"', "|": "|", ">": ">"}


def resolve_plain(text: str):
    """Type a plain scalar with the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[0]
    if first.isdigit() or first in "+-.":
        if _INT.fullmatch(text):
            return int(text)
        if _FLOAT.fullmatch(text):
            return float(text)
        if _OCT.fullmatch(text):
            return int(text[2:], 8)
        if _HEX.fullmatch(text):
            return int(text[2:], 16)
        if _INF.fullmatch(text):
            return -math.inf if first == "-" else math.inf
        if _NAN.fullmatch(text):
            return math.nan
    return text


def _resolve_tagged(text: str, tag: str):
    kind = tag.rsplit(":", 1)[-1]
    if kind == "str":
        return text
    value = resolve_plain(text)
    expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}.get(kind)
    if expected and isinstance(value, expected) and not (kind != "bool" and isinstance(value, bool)):
        return float(value) if kind == "float" else value
    return text


class _Abort(Exception):
    """Stop reading the current file (limits exceeded)."""


def _span(start, end) -> Span:
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Builder:
    def __init__(self, source: SourceFile, reporter: Reporter) -> None:
        self.source = source
        self.reporter = reporter
        self.stack: list[list] = []  # [node, pending key (Scalar | None | False), anchor]
        self.anchors: dict[str, Node | None] = {}  # None while the anchored node is open
        self.root: Node | None = None
        self.expanded = 0
        self.doc_start = None
        self.skip_depth = 0  # > 0 while skipping the events of an unquoted {{ }}
        self.skip_start = None

    def run(self) -> None:
        events = yaml.parse(self.source.text, Loader=_Loader)
        try:
            for event in events:
                self.handle(event)
        except yaml.MarkedYAMLError as e:
            self.syntax_error(e)
        except yaml.YAMLError as e:  # pragma: no cover - errors without a position
            self.reporter.report(Y.YAML_SYNTAX, f"invalid YAML: {e}", Span(1, 1, 1, 1))
        except _Abort:
            pass

    # -- events

    def handle(self, event) -> None:
        kind = type(event)
        if self.skip_depth:
            if kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                self.skip_depth += 1
            elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                self.skip_depth -= 1
                if not self.skip_depth:
                    self.end_unquoted_expression(event)
            return
        if kind is yaml.ScalarEvent:
            self.attach(self.scalar(event), event)
        elif kind is yaml.MappingStartEvent:
            if event.flow_style and self.source.text.startswith("{{", event.start_mark.index):
                self.skip_depth = 1
                self.skip_start = event.start_mark
                return
            self.open(Mapping(_span(event.start_mark, event.end_mark)), event)
        elif kind is yaml.SequenceStartEvent:
            self.open(Sequence(_span(event.start_mark, event.end_mark)), event)
        elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            self.close(event)
        elif kind is yaml.AliasEvent:
            self.alias(event)
        elif kind is yaml.DocumentStartEvent:
            self.anchors = {}
            self.root = None
            self.expanded = 0
            self.doc_start = event.start_mark
        elif kind is yaml.DocumentEndEvent:
            self.end_document(event)

    def scalar(self, event) -> Scalar:
        style = _STYLES.get(event.style or "", None)
        text = event.value
        if event.tag and event.tag != "!":
            value = _resolve_tagged(text, event.tag)
        elif style is None and event.implicit[0]:
            value = resolve_plain(text)
        else:
            value = text
        if style is not None:
            self.source._protected.append((event.start_mark.index, event.end_mark.index))
        node = Scalar(_span(event.start_mark, event.end_mark), value, style)
        if event.anchor:
            self.anchors[event.anchor] = node
        return node

    def open(self, node: Node, event) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.reporter.report(
                Y.TOO_LARGE,
                f"document is nested more than {MAX_DEPTH} levels deep",
                _span(event.start_mark, event.end_mark),
                help="no flow needs this depth; check that this is a flow file",
            )
            raise _Abort
        anchor = getattr(event, "anchor", None)
        if anchor:
            self.anchors[anchor] = None
        self.stack.append([node, None, anchor])

    def close(self, event) -> None:
        node, pending, anchor = self.stack.pop()
        start = node.span
        node.span = Span(start.line, start.column, event.end_mark.line + 1, event.end_mark.column + 1)
        if anchor:
            self.anchors[anchor] = node
        self.attach(node, event, counted=True)

    def alias(self, event) -> None:
        name = event.anchor
        span = _span(event.start_mark, event.end_mark)
        if name not in self.anchors:
            self.reporter.report(Y.YAML_SYNTAX, f"alias `*{name}` refers to no anchor", span)
            raise _Abort
        node = self.anchors[name]
        if node is None:
            self.reporter.report(Y.RECURSIVE_ALIAS, f"alias `*{name}` is used inside the node anchored `&{name}`", span)
            raise _Abort
        self.attach(node, event, alias=True)

    def attach(self, node: Node, event, counted: bool = False, alias: bool = False) -> None:
        if not counted:
            self.expanded += node.size
            if self.expanded > MAX_NODES:
                self.reporter.report(
                    Y.TOO_LARGE,
                    f"aliases expand this document to more than {MAX_NODES:,} nodes",
                    _span(event.start_mark, event.end_mark),
                    help="an alias that expands this much is an attack or a mistake (\"billion laughs\")",
                )
                raise _Abort
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        parent = frame[0]
        parent.size += node.size
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        key = frame[1]
        if key is None:  # this node is a key
            if isinstance(node, Scalar):
                if not isinstance(node.value, str):
                    node = _as_key(node, self.source.text)
                frame[1] = node
            else:
                self.reporter.report(
                    Y.NON_SCALAR_KEY, "mapping key is a " + ("mapping" if isinstance(node, Mapping) else "list"),
                    node.span, help="use a string key")
                frame[1] = False
            return
        frame[1] = None
        if key is False:  # value of a rejected key
            return
        previous = parent._index.get(key.value)
        parent.pairs.append((key, node))
        if previous is not None:
            first = previous[0].span.line
            self.reporter.report(
                Y.DUPLICATE_KEY,
                f"duplicate key `{key.value}` (first defined on line {first})",
                key.span,
                help="remove one of the two; YAML keeps only one value per key",
            )
        else:
            parent._index[key.value] = (key, node)

    def end_unquoted_expression(self, event) -> None:
        start, end = self.skip_start, event.end_mark
        text = self.source.text[start.index : end.index]
        span = _span(start, end)
        self.reporter.report(
            Y.UNQUOTED_EXPRESSION,
            "unquoted `{{` starts a YAML mapping, not an expression",
            span,
            help=f"quote the value: \"{text}\"" if "\n" not in text and '"' not in text else "quote the value",
        )
        self.source._protected.append((start.index, end.index))
        node = Scalar(span, text, None)
        self.attach(node, event)

    def end_document(self, event) -> None:
        root, self.root = self.root, None
        start = self.doc_start or event.start_mark
        if root is None or (isinstance(root, Scalar) and root.value is None and root.style is None):
            return  # an empty document (e.g. after a trailing `---`)
        index = len(self.source.documents)
        span = _span(start, event.end_mark)
        if not isinstance(root, Mapping):
            what = "list" if isinstance(root, Sequence) else f"scalar ({type(root.value).__name__})"
            self.reporter.report(
                Y.NOT_A_MAPPING, f"document is a {what}, not a mapping of flow properties", root.span,
                help="a flow is a mapping with `id`, `namespace` and `tasks`")
            root = None
        self.source.documents.append(Document(index, root, span))

    # -- errors

    def syntax_error(self, e: yaml.MarkedYAMLError) -> None:
        mark = e.problem_mark or e.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or "invalid YAML"
        text = self.source.line(line)
        if "maximum nesting depth" in problem:  # libyaml's own limit on flow nesting
            self.reporter.report(Y.TOO_LARGE, f"document is nested too deeply ({problem})", Span.point(line, column),
                                 help="no flow needs this depth; check that this is a flow file")
            return
        # An unquoted `{{ ... }}` followed by more text is a syntax error for YAML; say why.
        unquoted = re.search(r"(?:^|[:-]\s+)(\{\{)", text)
        if unquoted:
            col = unquoted.start(1) + 1
            # the `{{ }}` part may already be reported: keep one diagnostic, for the whole value
            self.reporter.diagnostics = [
                d for d in self.reporter.diagnostics
                if not (d.rule is Y.UNQUOTED_EXPRESSION and d.span and d.span.line == line)
            ]
            self.reporter.report(
                Y.UNQUOTED_EXPRESSION,
                "unquoted `{{` starts a YAML mapping, not an expression",
                Span(line, col, line, len(text) + 1),
                help="quote the whole value: \"" + text[col - 1 :].strip().replace('"', '\\"') + "\"",
            )
            return
        help = None
        if "\t" in problem or text[column - 1 : column] == "\t":
            help = "YAML does not allow tabs for indentation: use spaces"
        elif "mapping values are not allowed" in problem:
            help = "a value containing `: ` must be quoted, or the line is indented wrongly"
        elif "could not find expected ':'" in problem or "did not find expected key" in problem:
            help = "check the indentation of this line and the one before"
        message = problem
        if e.context:
            message = f"{problem} ({e.context}"
            if e.context_mark and mark and e.context_mark.line != mark.line:
                message += f" on line {e.context_mark.line + 1}"
            message += ")"
        self.reporter.report(Y.YAML_SYNTAX, f"invalid YAML: {message}", Span.point(line, column), help=help)


def _as_key(node: Scalar, text: str) -> Scalar:
    """Mapping keys are strings for Jackson: keep the key's text, not its typed value."""
    if node.value is None:
        raw = ""
    elif isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
        raw = str(node.value).lower() if isinstance(node.value, bool) else str(node.value)
    else:
        raw = None
    key = Scalar(node.span, raw, node.style)
    if raw is None or node.style is None:
        # the source text is the key Kestra sees (`1.0` stays "1.0", `0x1F` stays "0x1F")
        s = node.span
        if s.line == s.end_line:
            lines = text.splitlines()
            if 0 < s.line <= len(lines):
                key.value = lines[s.line - 1][s.column - 1 : s.end_column - 1]
    return key
