"""Find the flow files under the paths given on the command line."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = (".yml", ".yaml")
SKIP_DIRS = {"node_modules", "__pycache__", "venv", ".venv", "site-packages", "build", "dist"}
_FLOW_KEYS = (re.compile(rb"(?m)^id\s*:"), re.compile(rb"(?m)^namespace\s*:"))


class PathError(Exception):
    """A path given by the user does not exist (a usage error)."""


@dataclass(frozen=True)
class Found:
    path: Path
    display: str


def looks_like_flow(data: bytes) -> bool:
    """A YAML file with top-level `id` and `namespace` keys."""
    return all(p.search(data) for p in _FLOW_KEYS)


def find_flows(paths: list[str], excluded=None) -> list[Found]:
    """Files named explicitly are always checked; directories are searched recursively for
    YAML files that look like flows (hidden and dependency directories are skipped, and the
    files for which `excluded(path)` is true)."""
    found: dict[str, Found] = {}
    for given in paths:
        path = Path(given)
        if path.is_file() or given == "-":
            found.setdefault(str(path), Found(path, given))
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
                for name in sorted(files):
                    if not name.endswith(EXTENSIONS):
                        continue
                    file = Path(root) / name
                    if excluded is not None and excluded(file):
                        continue
                    try:
                        with open(file, "rb") as handle:
                            head = handle.read(1 << 20)
                    except OSError:
                        continue
                    if looks_like_flow(head):
                        display = os.path.normpath(str(file))
                        found.setdefault(display, Found(file, display))
        else:
            raise PathError(f"no such file or directory: {given}")
    return sorted(found.values(), key=lambda f: f.display)
