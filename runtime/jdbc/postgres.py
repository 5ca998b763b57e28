"""PostgreSQL over psycopg 3: connections as PgJDBC makes them from a JDBC URL and the task's
properties, statements and their rows (PostgresCellConverter), and COPY (CopyIn, CopyOut).

Connection settings: the URL's hosts, port and database; `username`/`password` (a `user` or
`password` in the URL wins, as in PgJDBC); `ssl`, `sslMode`, `sslRootCert`, `sslCert`,
`sslKey` (PEM contents, written to files in the task's working directory) and
`sslKeyPassword`; from the URL also `sslmode`, `sslrootcert`, `sslcert`, `sslkey`,
`sslpassword`, `connectTimeout` (seconds, 10 by default as in PgJDBC), `ApplicationName`,
`options` and `currentSchema`. The session's TimeZone is the machine's zone, as PgJDBC sends
the JVM's. Environment variables of libpq (PGHOST, ...) only fill what none of these sets.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..task import TaskFailed, TaskRunContext
from . import drivers
from . import props as P
from .cells import PgType, postgres_converters, row_maker
from .query import Rows, Session, cancellable, database_errors
from .urls import POSTGRES, check_scheme, parse_postgres_url
from .zones import system_zone, task_zone, zone_name

CONNECT_TIMEOUT = 10  # seconds, PgJDBC's default connectTimeout
SSL_MODES = ("DISABLE", "ALLOW", "PREFER", "REQUIRE", "VERIFY_CA", "VERIFY_FULL")
_TYPES_SQL = """SELECT t.oid::int8, t.typname, t.typtype, e.typname, e.typtype, b.typname
FROM pg_catalog.pg_type t
LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype
WHERE t.oid = ANY(%s::oid[])"""


def _pem_file(ctx: TaskRunContext, content: str, name: str) -> str:
    path = Path(ctx.workdir) / name
    path.write_text(content, encoding="utf-8")
    os.chmod(path, 0o600)  # libpq refuses a private key others can read
    return str(path)


def connection_settings(ctx: TaskRunContext) -> dict[str, Any]:
    """libpq's connection parameters for the task's `url` and connection properties."""
    props = ctx.props
    url = parse_postgres_url(check_scheme(props.get("url"), POSTGRES))
    params = url.params
    settings: dict[str, Any] = {
        "host": ",".join(host for host, _ in url.hosts),
        "port": ",".join(str(port) for _, port in url.hosts),
        "user": params.get("user", P.text(props, "username")),
        "password": params.get("password", P.text(props, "password")),
        "connect_timeout": params.get("connectTimeout") or CONNECT_TIMEOUT,
        "application_name": params.get("ApplicationName", "flowc"),
    }
    settings["dbname"] = url.database or settings["user"]
    ssl_mode = P.choice(props, "sslMode", SSL_MODES, "")
    if ssl_mode:
        settings["sslmode"] = ssl_mode.lower().replace("_", "-")
    elif P.flag(props, "ssl", False) or params.get("ssl", "").lower() == "true":
        settings["sslmode"] = "verify-full"  # PgJDBC's meaning of ssl=true
    for prop, key in (("sslRootCert", "sslrootcert"), ("sslCert", "sslcert"), ("sslKey", "sslkey")):
        content = P.text(props, prop)
        if content:
            settings[key] = _pem_file(ctx, content, f"{key}.pem")
    if P.text(props, "sslKeyPassword"):
        settings["sslpassword"] = P.text(props, "sslKeyPassword")
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword"):
        if params.get(key):
            settings[key] = params[key].lower() if key == "sslmode" else params[key]
    options = [params["options"]] if params.get("options") else []
    if params.get("currentSchema"):
        options.append(f"-c search_path={params['currentSchema']}")
    zone = zone_name(system_zone())
    if zone and "TimeZone" not in " ".join(options):
        options.append(f"-c TimeZone={zone}")
    settings["options"] = " ".join(options)
    return {k: v for k, v in settings.items() if v not in (None, "")}


def connect(ctx: TaskRunContext):
    """An open psycopg connection in auto-commit, or the task fails with the driver's message."""
    psycopg = drivers.load("psycopg")
    settings = connection_settings(ctx)
    with database_errors((psycopg.Error,)):
        return psycopg.connect(autocommit=True, **settings)


class PostgresSession(Session):
    placeholder = "%s"
    escape_percent = True

    def __init__(self, ctx: TaskRunContext) -> None:
        psycopg = drivers.load("psycopg")
        from psycopg.types.string import TextLoader

        self.errors = (psycopg.Error,)
        self._builtins = psycopg.postgres.types
        self.zone = task_zone(ctx.props.get("timeZoneId"))
        self.conn = connect(ctx)
        for name in ("interval", "json", "jsonb"):  # read as text: converted as Kestra does
            self.conn.adapters.register_loader(name, TextLoader)
        self._types: dict[int, PgType] = {}

    def _column_types(self, oids: list[int]) -> list[PgType]:
        unknown = set()
        for oid in oids:
            if oid in self._types:
                continue
            info = self._builtins.get(oid)
            if info is None:
                unknown.add(oid)
            elif info.array_oid == oid and info.oid != oid:
                self._types[oid] = PgType("_" + info.name, element=PgType(info.name))
            else:
                self._types[oid] = PgType(info.name)
        if unknown:
            with self.conn.cursor() as cur:
                cur.execute(_TYPES_SQL, ["{" + ",".join(map(str, sorted(unknown))) + "}"])
                for oid, name, kind, element, element_kind, base in cur.fetchall():
                    if element:
                        self._types[oid] = PgType(name, kind, PgType(element, element_kind))
                    else:
                        self._types[oid] = PgType(base if kind == "d" and base else name, kind)
        return [self._types.get(oid) or PgType("unknown") for oid in oids]

    def execute(self, sql: str, params: list[Any] | None) -> Rows | None:
        cur = self.conn.cursor()
        cur.execute(sql, params)
        if cur.description is None:
            cur.close()
            return None
        names = [column.name for column in cur.description]
        types = self._column_types([column.type_code for column in cur.description])
        return Rows(cur.fetchmany, row_maker(names, postgres_converters(list(zip(names, types)), self.zone)))

    def begin(self) -> None:
        self.conn.autocommit = False

    def commit(self) -> None:
        self.conn.commit()
        self.conn.autocommit = True

    def rollback(self) -> None:
        self.conn.rollback()
        self.conn.autocommit = True

    def interrupt(self) -> None:
        self.conn.cancel_safe()

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------- COPY

FORMATS = ("TEXT", "CSV", "BINARY")


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def copy_sql(props: P.Props, query: str | None, destination: str) -> str:
    """The COPY statement Kestra's AbstractCopy builds from the task's properties."""
    sql = ["COPY"]
    if query is None:
        sql.append(P.text(props, "table") or "null")
        columns = P.string_list(props, "columns")
        if columns:
            sql.append("(" + ", ".join(columns) + ")")
    else:
        sql.append(f"({query})")
    sql.append(destination)
    options = []
    copy_format = P.choice(props, "format", FORMATS, "TEXT")
    if copy_format != "TEXT":
        options.append(f"FORMAT {copy_format}")
    if props.get("oids") is not None and P.flag(props, "oids", False):
        options.append("OIDS")
    if props.get("freeze") is not None and P.flag(props, "freeze", False):
        options.append("FREEZE")
    if P.char(props, "delimiter") is not None:
        options.append(f"DELIMITER {_quoted(P.char(props, 'delimiter'))}")
    if P.text(props, "nullString") is not None:
        options.append(f"NULL {_quoted(P.text(props, 'nullString'))}")
    if props.get("header") is not None:
        options.append("HEADER " + ("TRUE" if P.flag(props, "header", False) else "FALSE"))
    if P.char(props, "quote") is not None:
        options.append(f"QUOTE {_quoted(P.char(props, 'quote'))}")
    if P.char(props, "escape") is not None:
        options.append(f"ESCAPE {_quoted(P.char(props, 'escape'))}")
    force_quote = P.string_list(props, "forceQuote")
    if force_quote:
        options.append("FORCE_QUOTE " + ("*" if force_quote == ["*"] else "(" + ", ".join(force_quote) + ")"))
    for key, option in (("forceNotNull", "FORCE_NOT_NULL"), ("forceNull", "FORCE_NULL")):
        names = P.string_list(props, key)
        if names:
            options.append(f"{option} (" + ", ".join(names) + ")")
    if P.text(props, "encoding") is not None:
        options.append(f"ENCODING {_quoted(P.text(props, 'encoding'))}")
    if options:
        sql.append("WITH (" + ", ".join(options) + ")")
    return " ".join(sql)


class _CopySession:
    """Just enough of a Session for cancelling a COPY."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def interrupt(self) -> None:
        self.conn.cancel_safe()


def copy_in(ctx: TaskRunContext) -> dict:
    """CopyIn: load the internal-storage file `from` into a table; outputs `rowCount`."""
    source_uri = P.required_text(ctx.props, "from")
    sql = copy_sql(ctx.props, None, "FROM STDIN")
    try:
        source = ctx.storage.get(source_uri)
    except Exception as e:  # not an internal-storage URI, or no such file
        raise TaskFailed(str(e)) from None
    psycopg = drivers.load("psycopg")
    conn = connect(ctx)
    try:
        with database_errors((psycopg.Error,)), cancellable(ctx, _CopySession(conn)):
            ctx.logger.debug(f"Starting query: {sql}")
            with conn.cursor() as cur, open(source, "rb") as data:
                with cur.copy(sql) as copy:
                    while chunk := data.read(1 << 16):
                        copy.write(chunk)
                return {"rowCount": cur.rowcount}
    finally:
        conn.close()


def copy_out(ctx: TaskRunContext) -> dict:
    """CopyOut: a table (`table`, `columns`) or a query (`sql`) to a file in internal storage;
    outputs `uri` and `rowCount`."""
    query = P.text(ctx.props, "sql")
    sql = copy_sql(ctx.props, query, "TO STDOUT")
    psycopg = drivers.load("psycopg")
    conn = connect(ctx)
    target = Path(ctx.workdir) / "copy-out"
    try:
        with database_errors((psycopg.Error,)), cancellable(ctx, _CopySession(conn)):
            ctx.logger.debug(f"Starting query: {sql}")
            with conn.cursor() as cur, open(target, "wb") as out:
                with cur.copy(sql) as copy:
                    for chunk in copy:
                        out.write(chunk)
                count = cur.rowcount
        return {"uri": ctx.put_file(target, target.name), "rowCount": count}
    finally:
        conn.close()
        target.unlink(missing_ok=True)
