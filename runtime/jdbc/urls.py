"""JDBC URLs as Kestra's drivers read them.

* `jdbc:postgresql://host[:port][,host2[:port2]...]/[database][?key=value&...]`, or
  `jdbc:postgresql:database` (localhost:5432), following PgJDBC's parser: the `/` after the
  hosts is required, an empty host is localhost, the port defaults to 5432, IPv6 hosts are
  written in brackets, the database and the parameters are URL-decoded, and an empty
  database name leaves it to the server (the user's name).
* `jdbc:duckdb:[path][?key=value&...]`: no path (or `:memory:`) is an in-memory database.
* `jdbc:sqlite:[path][?key=value&...]`: no path (or `:memory:`) is an in-memory database;
  a `file:` path is an SQLite URI.

`check_scheme` is Kestra's own check of a task's `url` property (JdbcConnectionInterface).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from ..task import TaskFailed

POSTGRES = "jdbc:postgresql"
DUCKDB = "jdbc:duckdb"
SQLITE = "jdbc:sqlite"
POSTGRES_PORT = 5432


class JdbcUrlError(TaskFailed, ValueError):
    """A URL the driver cannot use; the message says why (a task given it fails)."""


@dataclass(frozen=True)
class PostgresUrl:
    hosts: tuple[tuple[str, int], ...]
    database: str  # "" when the URL names none
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FileUrl:
    """An embedded database (DuckDB, SQLite): a path, or none for an in-memory database."""

    path: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def in_memory(self) -> bool:
        return self.path in ("", ":memory:")


def check_scheme(url: object, scheme: str) -> str:
    """The URL of a task's `url` property, refused as Kestra refuses it when blank or for
    another database."""
    if url is None or not str(url).strip():
        raise JdbcUrlError("Rendered value of `url` is blank.")
    url = str(url)
    if not url.startswith(scheme):
        raise JdbcUrlError(f"URL scheme is invalid. URL should start with `{scheme}`")
    return url


def _query(text: str) -> dict[str, str]:
    """`a=1&b=x%20y&flag` as PgJDBC reads it: decoded, a key without `=` has an empty value."""
    params: dict[str, str] = {}
    for token in text.split("&"):
        if not token:
            continue
        key, _, value = token.partition("=")
        params[unquote_plus(key)] = unquote_plus(value)
    return params


def _port(text: str, url: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise JdbcUrlError(f"No suitable driver found for {url}: '{text}' is not a port number (1 to 65535)")
    return int(text)


def _host(address: str, url: str) -> tuple[str, int]:
    colon = address.rfind(":")
    if colon != -1 and address.rfind("]") < colon:
        host, port = address[:colon], _port(address[colon + 1:], url)
    else:
        host, port = address, POSTGRES_PORT
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # an IPv6 address
    return host or "localhost", port


def parse_postgres_url(url: str) -> PostgresUrl:
    if not url.startswith(POSTGRES + ":"):
        raise JdbcUrlError(f"No suitable driver found for {url}")
    rest = url[len(POSTGRES) + 1:]
    rest, _, query = rest.partition("?")
    params = _query(query)
    if not rest.startswith("//"):
        return PostgresUrl((("localhost", POSTGRES_PORT),), unquote_plus(rest), params)
    rest = rest[2:]
    slash = rest.find("/")
    if slash == -1:
        raise JdbcUrlError(f"No suitable driver found for {url}: a PostgreSQL JDBC URL needs a '/' after the "
                           "host and port (jdbc:postgresql://host:port/database)")
    hosts = tuple(_host(address, url) for address in rest[:slash].split(","))
    return PostgresUrl(hosts, unquote_plus(rest[slash + 1:]), params)


def _file_url(url: str, scheme: str) -> FileUrl:
    if not url.startswith(scheme + ":"):
        raise JdbcUrlError(f"No suitable driver found for {url}")
    rest = url[len(scheme) + 1:]
    if rest.startswith("file:"):
        return FileUrl(rest)  # an SQLite URI keeps its own query
    path, _, query = rest.partition("?")
    return FileUrl(path, _query(query))


def parse_duckdb_url(url: str) -> FileUrl:
    return _file_url(url, DUCKDB)


def parse_sqlite_url(url: str) -> FileUrl:
    return _file_url(url, SQLITE)
