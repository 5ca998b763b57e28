"""SQLite over the standard library's sqlite3: the database a task's URL and properties name,
as Kestra's SQLite Query and Queries pick it, statements and their rows (SqliteCellConverter).

* `url` `jdbc:sqlite:` (the default) or `jdbc:sqlite::memory:`: an in-memory database; a
  relative path names the file of that name in the working directory when there is one, else
  it is relative to the current directory (the worker's, in Kestra); a `file:` URI is opened
  as an SQLite URI. URL parameters (sqlite-jdbc's settings) are not used.
* `sqliteFile` (a database file in internal storage) or `outputDbFile: true`: the database is
  a file in the working directory, named as the URL's file (a new name for an in-memory URL);
  `sqliteFile` is copied there first, and `outputDbFile` stores it afterwards (`databaseUri`).
* Columns declared DATE, DATETIME, TIMESTAMP or TIME are read as Kestra reads them (the
  sqlite3 module's converters are registered for those names for that).

Differences, on purpose: Kestra fails on an in-memory URL without `outputDbFile` (its URL
rewriting expects a file name); flowc opens the in-memory database.
"""
from __future__ import annotations

import functools
import uuid
from pathlib import Path
from typing import Any

from ..task import TaskRunContext
from . import drivers
from . import props as P
from .cells import SQLITE_DECLARED, Declared, row_maker, sqlite_converter
from .embedded import create_output_files, download, store_output_files
from .query import Rows, Session, database_errors, run_queries, run_query
from .urls import SQLITE, check_scheme, parse_sqlite_url
from .zones import task_zone

DEFAULT_URL = "jdbc:sqlite:"


@functools.cache
def _register_converters(sqlite3) -> None:
    for name in SQLITE_DECLARED:
        sqlite3.register_converter(name, functools.partial(Declared, name))


class SqliteSession(Session):
    def __init__(self, ctx: TaskRunContext, database: str, uri: bool) -> None:
        sqlite3 = drivers.load("sqlite3")
        _register_converters(sqlite3)
        self.errors = (sqlite3.Error, sqlite3.Warning)
        self.zone = task_zone(ctx.props.get("timeZoneId"))
        with database_errors(self.errors):
            # no implicit transactions: begin() opens one, as sqlite-jdbc without auto-commit
            self.con = sqlite3.connect(database, uri=uri, isolation_level=None,
                                       detect_types=sqlite3.PARSE_DECLTYPES)

    def execute(self, sql: str, params: list[Any] | None) -> Rows | None:
        cur = self.con.execute(sql, params or ())
        if cur.description is None:
            return None
        names = [column[0] for column in cur.description]
        return Rows(cur.fetchmany, row_maker(names, [sqlite_converter(name, self.zone) for name in names]))

    def begin(self) -> None:
        self.con.execute("BEGIN")

    def commit(self) -> None:
        if self.con.in_transaction:
            self.con.execute("COMMIT")

    def rollback(self) -> None:
        if self.con.in_transaction:
            self.con.execute("ROLLBACK")

    def interrupt(self) -> None:
        self.con.interrupt()

    def close(self) -> None:
        self.con.close()


def _database(ctx: TaskRunContext, needs_file: bool) -> tuple[str, bool, Path | None]:
    """The database to open, whether it is an SQLite URI, and its file in the working
    directory when the task reads or stores it."""
    url = parse_sqlite_url(check_scheme(ctx.props.get("url") or DEFAULT_URL, SQLITE))
    workdir = Path(ctx.workdir)
    if needs_file:
        name = f"{uuid.uuid4().hex}.sqlite" if url.in_memory or url.path.startswith("file:") else Path(url.path).name
        path = workdir / name
        return str(path), False, path
    if url.in_memory:
        return ":memory:", False, None
    if url.path.startswith("file:"):
        return url.path, True, None
    local = workdir / url.path
    return (str(local) if local.exists() else url.path), False, None


def _run(ctx: TaskRunContext, queries: bool) -> dict:
    sqlite_file = P.text(ctx.props, "sqliteFile")
    output_db = P.flag(ctx.props, "outputDbFile", False)
    database, uri, database_file = _database(ctx, bool(sqlite_file) or output_db)
    if sqlite_file and database_file is not None:
        download(ctx, sqlite_file, database_file)
    output_files = create_output_files(ctx)
    session = SqliteSession(ctx, database, uri)
    outputs = run_queries(ctx, session) if queries else run_query(ctx, session)
    if output_db and database_file is not None:
        database_file.touch()
        outputs["databaseUri"] = ctx.put_file(database_file, database_file.name)
    stored = store_output_files(ctx, output_files)
    if stored:
        outputs["outputFiles"] = stored
    return outputs


def run_sqlite_query(ctx: TaskRunContext) -> dict:
    return _run(ctx, queries=False)


def run_sqlite_queries(ctx: TaskRunContext) -> dict:
    return _run(ctx, queries=True)

