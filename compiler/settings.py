"""Options of a check run that rules read (command-line flags, later configuration files)."""
from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_TARGET = "1.3"  # the 1.x line


def parse_version(text: str) -> tuple[int, ...]:
    """`1.3` -> (1, 3); raises ValueError for anything else."""
    if not re.fullmatch(r"\d+(\.\d+){0,2}", text.strip()):
        raise ValueError(f"not a Kestra version: {text!r} (expected e.g. 1.3 or 2.0)")
    return tuple(int(p) for p in text.strip().split("."))


@dataclass(frozen=True)
class Settings:
    target_version: str = DEFAULT_TARGET
    strict: bool = False  # plugins flowc does not know are errors (S109)

    @property
    def target(self) -> tuple[int, ...]:
        return parse_version(self.target_version)

    def supports(self, since) -> bool:
        """Whether the target Kestra version has a feature introduced in `since`."""
        return since is None or parse_version(str(since)) <= self.target

    def removed(self, removed_in) -> bool:
        """Whether the target Kestra version no longer has a feature removed in `removed_in`."""
        return removed_in is not None and parse_version(str(removed_in)) <= self.target


DEFAULT = Settings()
