"""Reporters: turn diagnostics into text for people, machines and CI services.

Each format is a module with `render(report: Report, style: Style) -> str`. Only `full`
and `concise` add a summary; machine formats print the diagnostics and nothing else.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, Severity

FORMATS = ("full", "concise", "json", "github", "sarif")


@dataclass
class Report:
    """What a check run found: diagnostics in order, and the checked files' text."""

    files: list[str]
    diagnostics: list[Diagnostic]
    sources: dict = field(default_factory=dict)  # display path -> SourceFile

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


@dataclass(frozen=True)
class Style:
    color: bool = False

    def paint(self, text: str, *codes: str) -> str:
        if not self.color or not codes:
            return text
        table = {"bold": "1", "red": "31", "yellow": "33", "blue": "34", "cyan": "36", "green": "32", "dim": "2", "magenta": "35"}
        return "\x1b[" + ";".join(table[c] for c in codes) + "m" + text + "\x1b[0m"


def use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def render(name: str, report: Report, style: Style | None = None) -> str:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    module = importlib.import_module(f"{__name__}.{name}")
    return module.render(report, style or Style())
