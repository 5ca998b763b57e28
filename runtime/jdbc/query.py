"""Kestra's Query and Queries tasks (AbstractJdbcQuery, AbstractJdbcQueries) over a `Session`,
one open connection of a database (postgres.py, duckdb.py, sqlite.py).

Query runs one statement (a script of several fails: "Query task support only a single SQL
statement..."), in auto-commit unless `afterSQL` is set: then the statement and afterSQL run
in one transaction, rolled back if either fails. Queries runs each statement of the script in
turn, by default (`transaction: true`) in one transaction, rolled back when a statement fails;
each statement that returns rows gives one entry of `outputs`.

Outputs, per statement with rows: `row` (always there, null unless FETCH_ONE), `rows` (FETCH),
`uri` of an ION file (STORE), `size` (rows fetched; 1 for a Queries FETCH_ONE, as Kestra).
A database error fails the task with the database's message.
"""
from __future__ import annotations

import os
import tempfile
import threading
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..task import TaskFailed, TaskRunContext
from . import props as P
from .drivers import message
from .ion import output_value, write_rows
from .sql import bind_named, split_statements

DEFAULT_FETCH_SIZE = 10_000
CANCEL_POLL = 0.2  # seconds between looks at the run's cancellation while a statement runs


@dataclass
class Rows:
    """The rows of a statement's result: `fetch(n)` gives up to n rows as the driver returns
    them (none at the end), `make(row)` the row as Kestra outputs it."""

    fetch: Callable[[int], Sequence[Sequence[Any]]]
    make: Callable[[Sequence[Any]], dict]
    batch_size: int = DEFAULT_FETCH_SIZE  # rows asked of the driver at a time (`fetchSize`)

    def __iter__(self) -> Iterator[dict]:
        while True:
            batch = self.fetch(self.batch_size)
            if not batch:
                return
            for raw in batch:
                yield self.make(raw)


class Session(ABC):
    """An open connection; it starts in auto-commit."""

    placeholder = "?"  # the driver's positional parameter
    escape_percent = False  # the driver reads `%` in SQL that has parameters
    errors: tuple[type[BaseException], ...] = ()  # the driver's exceptions

    @abstractmethod
    def execute(self, sql: str, params: list[Any] | None) -> Rows | None:
        """Run one statement; its rows, or None when it returns none."""

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def interrupt(self) -> None:
        """Stop the running statement (called from another thread)."""

    @abstractmethod
    def close(self) -> None: ...

    def statements(self, sql: str) -> list[str]:
        """The statements a Query counts (DuckDB leaves out its `SET file_search_path`)."""
        return split_statements(sql)

    def query_sql(self, sql: str) -> str:
        """The SQL a Query runs for its `sql` property."""
        return sql


@contextmanager
def database_errors(errors: tuple[type[BaseException], ...]):
    """The driver's exceptions (`errors`) become task failures with the database's message."""
    try:
        yield
    except TaskFailed:
        raise
    except errors as e:
        raise TaskFailed(message(e)) from None


@contextmanager
def cancellable(ctx: TaskRunContext, session: Session):
    """While the body runs, a cancelled task run (timeout, kill) interrupts the database."""
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if ctx.cancel.wait(CANCEL_POLL):
                if not done.is_set():
                    session.interrupt()
                return

    threading.Thread(target=watch, name=f"jdbc-cancel-{ctx.ids.taskrun_id}", daemon=True).start()
    try:
        yield
    finally:
        done.set()


def _store(ctx: TaskRunContext, rows: Rows) -> tuple[str, int]:
    """Write the rows to an ION file in internal storage: its URI and the row count."""
    fd, name = tempfile.mkstemp(suffix=".ion", dir=ctx.workdir)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            count = write_rows(rows, out)
        return ctx.put_file(path, path.name), count
    finally:
        path.unlink(missing_ok=True)


def result_output(ctx: TaskRunContext, rows: Rows, fetch_type: str, queries: bool) -> dict:
    fetch_size = P.integer(ctx.props, "fetchSize", DEFAULT_FETCH_SIZE)
    rows.batch_size = fetch_size if fetch_size and fetch_size > 0 else DEFAULT_FETCH_SIZE
    output: dict[str, Any] = {"row": None}
    if fetch_type == "FETCH_ONE":
        first = rows.fetch(1)
        output["row"] = output_value(rows.make(first[0])) if first else None
        output["size"] = 1 if queries or first else 0
    elif fetch_type == "STORE":
        output["uri"], output["size"] = _store(ctx, rows)
    elif fetch_type == "FETCH":
        output["rows"] = [output_value(row) for row in rows]
        output["size"] = len(output["rows"])
    elif queries:
        ctx.logger.info("fetchType is set to NONE, no output will be returned")
    return output


def _bind(session: Session, sql: str, parameters: dict | None) -> tuple[str, list | None]:
    return bind_named(sql, parameters, session.placeholder, session.escape_percent)


def _rollback(session: Session) -> None:
    try:
        session.rollback()
    except session.errors:
        pass  # the connection is gone: nothing to roll back


def run_query(ctx: TaskRunContext, session: Session) -> dict:
    """Kestra's Query on an open session (closed here); its outputs."""
    props = ctx.props
    try:
        with database_errors(session.errors), cancellable(ctx, session):
            sql = session.query_sql(P.required_text(props, "sql"))
            fetch_type = P.fetch_type(props)
            if len(session.statements(sql)) > 1:
                raise TaskFailed("Query task support only a single SQL statement. "
                                 "Use the Queries task to run multiple statements.")
            parameters = P.mapping(props, "parameters")
            after_sql = P.text(props, "afterSQL") or None
            if after_sql is not None:
                session.begin()
            try:
                ctx.logger.debug(f"Starting query: {sql}")
                rows = session.execute(*_bind(session, sql, parameters))
                output = {"row": None} if rows is None else result_output(ctx, rows, fetch_type, queries=False)
                if after_sql is not None:
                    _after_sql(ctx, session, after_sql, parameters)
            except BaseException:
                if after_sql is not None:
                    _rollback(session)
                raise
            return output
    finally:
        with database_errors(session.errors):
            session.close()


def _after_sql(ctx: TaskRunContext, session: Session, after_sql: str, parameters: dict | None) -> None:
    statements = session.statements(after_sql)
    if len(statements) > 1:
        raise TaskFailed("Query task afterSQL supports only a single SQL statement. "
                         "Use the Queries task to run multiple statements.")
    if statements:
        ctx.logger.debug(f"Executing afterSQL: {after_sql}")
        session.execute(*_bind(session, after_sql, parameters))
    session.commit()


def run_queries(ctx: TaskRunContext, session: Session) -> dict:
    """Kestra's Queries on an open session (closed here); its outputs."""
    props = ctx.props
    outputs: list[dict] = []
    try:
        with database_errors(session.errors), cancellable(ctx, session):
            transaction = P.flag(props, "transaction", True)
            sql = P.required_text(props, "sql")
            fetch_type = P.fetch_type(props)
            parameters = P.mapping(props, "parameters")
            if transaction:
                session.begin()
            try:
                for statement in split_statements(sql):
                    ctx.logger.debug(f"Starting query: {statement}")
                    rows = session.execute(*_bind(session, statement, parameters))
                    if rows is not None:
                        outputs.append(result_output(ctx, rows, fetch_type, queries=True))
                    if ctx.cancel.is_set():
                        break
                if transaction:
                    session.commit()
            except BaseException:
                if transaction:
                    _rollback(session)
                raise
    finally:
        with database_errors(session.errors):
            session.close()
    return {"outputs": outputs}
