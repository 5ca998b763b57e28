"""Runnable tasks, one module per family; each module has a `TASKS` mapping from canonical
Kestra type names to `run(ctx: TaskRunContext) -> dict` functions (see runtime/task.py)."""
