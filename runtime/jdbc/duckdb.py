"""DuckDB over the `duckdb` package: the database a task's URL and properties name, as
Kestra's DuckDB Query and Queries pick it, statements and their rows (DuckDbCellConverter).

* `url` `jdbc:duckdb:` (the default): a new database file in the task's working directory;
  an absolute path: that file (its directory is created); any other path: Query opens it as
  given (relative to the current directory, `md:` for MotherDuck, `:memory:`), Queries
  refuses it as Kestra does. `databaseUri`: a database file from internal storage.
* `inputFiles` are written to the working directory and `file_search_path` points there, so
  the SQL reads them by name; `outputFiles` and `outputDbFile` are stored after the SQL ran.
* `communityExtensions`: when set, each is installed and loaded from DuckDB's community
  repository (a failure is a warning, as in Kestra); by default (Kestra's `[ion]`) flowc
  only loads `ion` if it is already installed, never downloading anything unasked.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from ..task import TaskFailed, TaskRunContext
from . import drivers
from . import props as P
from .cells import duckdb_converter, row_maker
from .embedded import create_output_files, download, store_output_files, write_input_files
from .query import Rows, Session, database_errors, run_queries, run_query
from .urls import DUCKDB, check_scheme, parse_duckdb_url
from .zones import task_zone

DEFAULT_URL = "jdbc:duckdb:"
DEFAULT_EXTENSIONS = ["ion"]
_EXTENSION_NAME = re.compile(r"[A-Za-z0-9_]+")
_FILENAME_OPTION = re.compile(r".*filename\s*=\s*(true|1).*")  # Java's String.matches: `.` stops at lines


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class DuckDbSession(Session):
    def __init__(self, ctx: TaskRunContext, database: str, config: dict[str, str]) -> None:
        self.workdir = Path(ctx.workdir)
        self.duckdb = drivers.load("duckdb")
        self.errors = (self.duckdb.Error,)
        self.zone = task_zone(ctx.props.get("timeZoneId"))
        with database_errors(self.errors):
            self.con = self.duckdb.connect(database, config=config)

    def statements(self, sql: str) -> list[str]:
        return [s for s in super().statements(sql) if not s.lower().startswith("set file_search_path")]

    def query_sql(self, sql: str) -> str:
        """Kestra's Query shows file names relative to the working directory when the SQL
        reads files with `filename=true`."""
        if not _FILENAME_OPTION.fullmatch(sql.lower()):
            return sql
        escaped = str(self.workdir).replace("\\", "\\\\").replace("/", "\\/")
        inner = re.sub(r";\s*$", "", sql)
        return f"SELECT * REPLACE(regexp_replace(filename, '^{escaped}/', '') AS filename) FROM ({inner})"

    def _returns_rows(self, sql: str) -> bool:
        """Whether the last statement gives a result set, as DuckDB's JDBC driver tells: a
        query does; an INSERT, UPDATE, CREATE ... gives its count of changed rows instead."""
        statements = self.con.extract_statements(sql)
        if not statements:
            return False
        expected = statements[-1].expected_result_type
        query = self.duckdb.ExpectedResultType.QUERY_RESULT
        if list(expected) == [query]:
            return True
        description = self.con.description
        return query in expected and not (description and len(description) == 1 and description[0][0] == "Count")

    def execute(self, sql: str, params: list[Any] | None) -> Rows | None:
        self.con.execute(sql, params)
        if self.con.description is None or not self._returns_rows(sql):
            return None
        names = [column[0] for column in self.con.description]
        converters = [duckdb_converter(str(column[1]), self.zone) for column in self.con.description]
        return Rows(self.con.fetchmany, row_maker(names, converters))

    def begin(self) -> None:
        self.con.begin()

    def commit(self) -> None:
        self.con.commit()

    def rollback(self) -> None:
        self.con.rollback()

    def interrupt(self) -> None:
        self.con.interrupt()

    def close(self) -> None:
        self.con.close()

    def setup(self, ctx: TaskRunContext) -> None:
        """Kestra's session setup: the file search path, then community extensions."""
        self.con.execute(f"SET file_search_path={_sql_literal(str(ctx.workdir))}")
        configured = ctx.props.get("communityExtensions")
        if configured is None:
            try:  # Kestra's default `ion`, only when it is already installed
                self.con.execute("LOAD ion")
            except self.duckdb.Error as e:
                reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                ctx.logger.debug(f"DuckDB extension 'ion' is not installed, continuing without it: {reason}")
            return
        for extension in P.string_list(ctx.props, "communityExtensions"):
            if not _EXTENSION_NAME.fullmatch(extension):
                ctx.logger.warn(f"Skipping DuckDB community extension '{extension}' because the name contains "
                                "unsupported characters.")
                continue
            try:
                self.con.execute(f"INSTALL {extension} FROM community")
                self.con.execute(f"LOAD {extension}")
            except self.duckdb.Error as e:
                ctx.logger.warn(f"Failed to install/load DuckDB community extension '{extension}'. Continuing "
                                f"without it. message={e}")


def _database(ctx: TaskRunContext, queries: bool) -> tuple[str, dict[str, str], Path | None]:
    """The database to open, its configuration, and its file when the task may store it."""
    props = ctx.props
    url = parse_duckdb_url(check_scheme(props.get("url") or DEFAULT_URL, DUCKDB))
    workdir = Path(ctx.workdir)
    database_uri = P.text(props, "databaseUri")
    if database_uri:
        path = download(ctx, database_uri, workdir / uuid.uuid4().hex)
        return str(path), url.params, path
    if url.path == "":
        path = workdir / f"{uuid.uuid4().hex}.db"
        return str(path), url.params, path
    path = Path(url.path)
    if path.is_absolute():
        if not path.parent.is_dir():  # a local run never creates directories the flow names (/data, ...)
            raise TaskFailed(f"The directory of the database file {path} does not exist; for a local run, point the "
                             "task at another file with --plugin-default io.kestra.plugin.jdbc.duckdb.url=jdbc:duckdb:"
                             "<path>")
        return str(path), url.params, path
    if queries:
        raise TaskFailed("The database file path is not valid (Path to database file must be absolute)")
    return url.path, url.params, None if url.in_memory or url.path.startswith("md:") else Path(url.path)


def _run(ctx: TaskRunContext, queries: bool) -> dict:
    output_db = P.flag(ctx.props, "outputDbFile", False)
    database, config, database_file = _database(ctx, queries)
    if output_db and database_file is None:
        raise TaskFailed(f"outputDbFile needs a database file, and '{database}' is none")
    write_input_files(ctx)
    output_files = create_output_files(ctx)
    session = DuckDbSession(ctx, database, config)
    try:
        with database_errors(session.errors):
            session.setup(ctx)
    except BaseException:
        session.close()
        raise
    outputs = run_queries(ctx, session) if queries else run_query(ctx, session)
    outputs["outputFiles"] = store_output_files(ctx, output_files)
    if output_db:
        outputs["databaseUri"] = ctx.put_file(database_file, database_file.name)
    return outputs


def run_duckdb_query(ctx: TaskRunContext) -> dict:
    return _run(ctx, queries=False)


def run_duckdb_queries(ctx: TaskRunContext) -> dict:
    return _run(ctx, queries=True)
