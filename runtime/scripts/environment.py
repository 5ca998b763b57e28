"""The process's environment: flowc's own, the run's, the task's `env`, what Kestra adds for
the language, and `WORKING_DIR` / `OUTPUT_DIR`."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from ..task import TaskRunContext
from ..tasks.props import invalid, text
from .workdir import workdir

__all__ = ["environment"]


def environment(ctx: TaskRunContext, language_env: Mapping[str, str], output_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({str(k): str(v) for k, v in ctx.env.items()})
    task_env = ctx.props.get("env") or {}
    if not isinstance(task_env, Mapping):
        raise invalid("env", task_env, "a map of names to values")
    env.update({str(k): text(v) for k, v in task_env.items() if v is not None})
    env.update(language_env)
    env["WORKING_DIR"] = str(workdir(ctx))
    if output_dir is not None:
        env["OUTPUT_DIR"] = str(output_dir)
    return env
