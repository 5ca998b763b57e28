"""The database drivers, imported only when a task needs one, and their error messages.

PostgreSQL runs on psycopg 3 and DuckDB on the `duckdb` package, both optional extras of
flowc; SQLite on the standard library's sqlite3. A missing driver fails the task with the
command that installs it.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from ..task import TaskFailed

# module -> (database, the flowc extra that installs it)
_DRIVERS = {
    "psycopg": ("PostgreSQL", "postgres"),
    "duckdb": ("DuckDB", "duckdb"),
    "sqlite3": ("SQLite", None),
}


def load(module: str) -> ModuleType:
    """The driver module, or a failure that says how to install it."""
    database, extra = _DRIVERS[module]
    try:
        return importlib.import_module(module)
    except ImportError as e:
        if extra is None:
            raise TaskFailed(f"The {database} tasks need Python's sqlite3 module, which this Python was built "
                             f"without ({e})") from None
        raise TaskFailed(f"The {database} tasks need the '{module}' driver, which is not installed ({e}): "
                         f"pip install 'flowc[{extra}]' (or 'flowc[all]' for every database)") from None


def postgres_message(error: BaseException) -> str:
    """A PostgreSQL error as PgJDBC words a server's error ("ERROR: relation "t" does not
    exist" and its Detail, Hint, Position and Where lines); libpq's own message when the
    server sent none (an unreachable server)."""
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if not primary:
        return str(error).strip() or type(error).__name__
    text = f"{diag.severity_nonlocalized or diag.severity or 'ERROR'}: {primary}"
    for label, value in (("Detail", diag.message_detail), ("Hint", diag.message_hint),
                         ("Position", diag.statement_position), ("Where", diag.context)):
        if value:
            text += f"\n  {label}: {value}"
    return text


def message(error: BaseException) -> str:
    """The driver's message for a database error."""
    if type(error).__module__.startswith("psycopg"):
        return postgres_message(error)
    return str(error).strip() or type(error).__name__
