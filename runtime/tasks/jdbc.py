"""Kestra's JDBC tasks (plugin-jdbc) for PostgreSQL, DuckDB and SQLite, run for real on the
field's Python drivers (psycopg 3, duckdb, sqlite3), each imported only by the task that
needs it. The work is in runtime/jdbc/; this module names the tasks for the engine.

For the engine: `expression_vars` gives the variables Kestra adds when it renders these
tasks' properties (`workingDir`, `outputFiles.<name>`); the working directory is the task's.
"""
from __future__ import annotations

from ..jdbc.duckdb import run_duckdb_queries, run_duckdb_query
from ..jdbc.embedded import expression_vars
from ..jdbc.postgres import PostgresSession, copy_in, copy_out
from ..jdbc.query import run_queries, run_query
from ..jdbc.sqlite import run_sqlite_queries, run_sqlite_query
from ..task import TaskRunContext

__all__ = ["TASKS", "expression_vars"]


def run_postgres_query(ctx: TaskRunContext) -> dict:
    return run_query(ctx, PostgresSession(ctx))


def run_postgres_queries(ctx: TaskRunContext) -> dict:
    return run_queries(ctx, PostgresSession(ctx))


TASKS = {
    "io.kestra.plugin.jdbc.postgresql.Query": run_postgres_query,
    "io.kestra.plugin.jdbc.postgresql.Queries": run_postgres_queries,
    "io.kestra.plugin.jdbc.postgresql.CopyIn": copy_in,
    "io.kestra.plugin.jdbc.postgresql.CopyOut": copy_out,
    "io.kestra.plugin.jdbc.duckdb.Query": run_duckdb_query,
    "io.kestra.plugin.jdbc.duckdb.Queries": run_duckdb_queries,
    "io.kestra.plugin.jdbc.sqlite.Query": run_sqlite_query,
    "io.kestra.plugin.jdbc.sqlite.Queries": run_sqlite_queries,
}
