"""Task runners and containers, which flowc does not use: the commands always run as a local
process, and a task that asked for a container is told so once."""
from __future__ import annotations

from typing import Mapping

from ..task import TaskRunContext
from .languages import Language
from .workdir import workdir

__all__ = ["notice_container"]

_PROCESS_RUNNERS = {
    "io.kestra.plugin.core.runner.Process",
    "io.kestra.core.models.tasks.runners.types.ProcessTaskRunner",
}


def notice_container(ctx: TaskRunContext, language: Language) -> None:
    """Log at INFO that the container the task asked for (`taskRunner`, `containerImage`,
    `runner`, `docker`) is not used."""
    props = ctx.props
    runner = props.get("taskRunner")
    runner_type = runner.get("type") if isinstance(runner, Mapping) else None
    if runner is not None:
        in_container = runner_type not in _PROCESS_RUNNERS
    elif props.get("runner") is not None:
        in_container = str(props.get("runner")).upper() != "PROCESS"
    else:
        in_container = True  # Kestra's default task runner is Docker
    asked = any(props.get(k) is not None for k in ("taskRunner", "containerImage", "runner", "docker"))
    if not (in_container and asked):
        return
    docker = props.get("docker")
    image = props.get("containerImage") or (docker.get("image") if isinstance(docker, Mapping) else None) \
        or language.default_image
    how = f"task runner '{runner_type}'" if runner_type else "a container"
    ctx.logger.info(f"flowc runs script tasks as local processes: {how} and the container image "
                    f"'{image}' are ignored; the commands run in {workdir(ctx)}")
