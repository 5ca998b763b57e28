"""Diagnostics: what every stage reports, and the registry of the rules that report them.

A stage never prints: it returns `Diagnostic` objects, and a reporter (compiler.reporters)
turns them into text, JSON, SARIF or annotations. Positions are 1-based lines and columns,
columns counted in characters; `end_column` is exclusive (one past the last character).
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int, width: int = 1) -> "Span":
        return cls(line, column, line, column + width)


_CODE = re.compile(r"^[A-Z][0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")

FAMILIES = {
    "Y": "YAML and source",
    "S": "schema and structure",
    "E": "expression syntax",
    "R": "references",
    "T": "types",
    "G": "graph and ordering",
    "X": "cross-flow",
    "L": "literal values",
    "D": "deprecations",
}


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of problem: its code, its kebab-case name, its default severity and its doc.

    The doc is Markdown with the sections of DOC_SECTIONS, printed by `flowc rule CODE`.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str

    @property
    def family(self) -> str:
        return FAMILIES[self.code[0]]


_REGISTRY: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, summary: str, doc: str) -> Rule:
    """Declare a rule. Codes and names are unique; the doc must have every section."""
    if not _CODE.match(code) or code[0] not in FAMILIES:
        raise ValueError(f"bad rule code {code!r}")
    if not _NAME.match(name):
        raise ValueError(f"bad rule name {name!r}")
    if code in _REGISTRY or any(r.name == name for r in _REGISTRY.values()):
        raise ValueError(f"rule {code} {name} declared twice")
    r = Rule(code, name, severity, summary, _dedent(doc))
    _REGISTRY[code] = r
    return r


def all_rules() -> list[Rule]:
    from .rules import load_all

    load_all()

    return sorted(_REGISTRY.values(), key=lambda r: r.code)


def find_rule(code_or_name: str) -> Rule | None:
    for r in all_rules():
        if code_or_name.upper() == r.code or code_or_name.lower() == r.name:
            return r
    return None


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip() + "\n"


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe, automatic correction: replace the text of `span` with `replacement`."""

    span: Span
    replacement: str


@dataclass(slots=True)
class Diagnostic:
    rule: Rule
    message: str
    file: str
    span: Span | None
    help: str | None = None
    severity: Severity | None = None  # None: the rule's default severity
    fix: Fix | None = None

    def __post_init__(self) -> None:
        if self.severity is None:
            self.severity = self.rule.severity

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def name(self) -> str:
        return self.rule.name

    def sort_key(self) -> tuple:
        s = self.span or Span(0, 0, 0, 0)
        return (self.file, s.line, s.column, self.code, self.message)

    def to_json(self) -> dict:
        s = self.span or Span(1, 1, 1, 1)
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": s.line,
            "column": s.column,
            "end_line": s.end_line,
            "end_column": s.end_column,
            "help": self.help,
        }


class Reporter:
    """Collects the diagnostics of one file; stages call `report`."""

    __slots__ = ("file", "diagnostics")

    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def report(
        self,
        rule: Rule,
        message: str,
        span: Span | None,
        help: str | None = None,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> None:
        self.diagnostics.append(Diagnostic(rule, message, self.file, span, help, severity, fix))
