"""The languages of the scripts plugin (shell, python, node) and what Kestra adds to the
process environment for each."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

__all__ = ["Language", "PYTHON", "SHELL", "NODE", "NODE_SCRIPT_ENV"]


@dataclass(frozen=True)
class Language:
    name: str
    default_image: str
    env: Mapping[str, str]  # what Kestra adds to the process environment for this task type


_PYTHON_ENV = {"PYTHONUNBUFFERED": "true", "PIP_ROOT_USER_ACTION": "ignore", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
PYTHON = Language("python", "ghcr.io/kestra-io/kestrapy:latest", _PYTHON_ENV)
SHELL = Language("shell", "ubuntu", {})
NODE = Language("node", "node", {})
# Kestra's node Script (not Commands) sets these two python variables too.
NODE_SCRIPT_ENV = {"PYTHONUNBUFFERED": "true", "PIP_ROOT_USER_ACTION": "ignore"}
