"""A `Script` task's body written to a file in the working directory, and the command that
runs it (python and node; the shell's body is the command itself)."""
from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path

__all__ = ["python_script_command", "node_script_command"]

# Kestra (plugin-scripts, python Script) prepends this so that Pebble's rendering of booleans
# and null (`true`, `false`, `null`) is valid Python.
PYTHON_PRELUDE = "true = True\nfalse = False\nnull = None\n"


def python_script_command(workdir: Path, body: str) -> str:
    """Write `body` (after Kestra's prelude) to a `.py` file; the command that runs it."""
    # As Kestra does on a local process: a virtualenv activated by the user or in
    # `beforeCommands` wins; otherwise the interpreter running flowc, so the script sees the
    # same packages as the runtime (Kestra probes `python3`/`python` on PATH instead).
    path = shlex.quote(str(_write_script(workdir, PYTHON_PRELUDE + body, ".py")))
    python = shlex.quote(sys.executable or "python3")
    return f'if [ -n "$VIRTUAL_ENV" ]; then "$VIRTUAL_ENV/bin/python" {path}; else {python} {path}; fi'


def node_script_command(workdir: Path, body: str) -> str:
    """Write `body` to a `.js` file; the command that runs it."""
    return "node " + shlex.quote(str(_write_script(workdir, body, ".js")))


def _write_script(workdir: Path, text: str, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(suffix=suffix, dir=workdir)
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode("utf-8"))
    return Path(name)
