"""The DuckDB JDBC tasks against real DuckDB databases."""
from __future__ import annotations

import sys
from datetime import date, datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest

from runtime.jdbc.urls import FileUrl, parse_duckdb_url
from runtime.pebble.values import Float32, Int32
from runtime.task import TaskFailed
from runtime.tasks.jdbc import expression_vars

from .test_jdbc_sqlite import task_factory

QUERY = "io.kestra.plugin.jdbc.duckdb.Query"
QUERIES = "io.kestra.plugin.jdbc.duckdb.Queries"


@pytest.fixture
def task(tmp_path):
    return task_factory(tmp_path)


@pytest.fixture
def db(tmp_path):
    """A DuckDB file with a table `t` of two rows."""
    path = tmp_path / "test.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (id INTEGER, name VARCHAR, price DECIMAL(10, 2))")
    con.execute("INSERT INTO t VALUES (1, 'one', 1.50), (2, 'two', NULL)")
    con.close()
    return path


def rows_of(path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --------------------------------------------------------------------------- fetch types and values


def test_fetch_converts_values_as_kestra(task):
    out = task(QUERY, fetchType="FETCH_ONE", timeZoneId="Europe/Paris", sql="""
        SELECT 1::TINYINT AS tiny, 2::SMALLINT AS small, 3 AS i, 4::BIGINT AS big, 170141183460469231731687303715884105727::HUGEINT AS huge,
               1.25::DECIMAL(5, 2) AS dec, 1.1::FLOAT AS f, 2.2::DOUBLE AS d, true AS b, 'x' AS s, NULL AS n,
               DATE '2024-01-02' AS day, TIME '10:30:00' AS clock,
               TIMESTAMP '2024-01-02 10:30:00' AS ts, TIMESTAMPTZ '2024-01-02 10:30:00+02' AS tstz,
               [1, 2] AS list, {'k': 'v', 'n': 1} AS struct, '{"a": [1, 2.5]}'::JSON AS js,
               '9a2a5d4e-5d62-4d36-9e0f-3f1b7a1e2b3c'::UUID AS id, from_hex('0102') AS blob
    """)()
    row = out["row"]
    assert row == {
        "tiny": 1, "small": 2, "i": 3, "big": 4, "huge": "170141183460469231731687303715884105727",
        "dec": Decimal("1.25"), "f": Float32(1.1), "d": 2.2, "b": True, "s": "x", "n": None,
        "day": date(2024, 1, 2), "clock": time(10, 30),
        "ts": datetime(2024, 1, 2, 10, 30, tzinfo=ZoneInfo("Europe/Paris")),  # the local time at the task's zone
        "tstz": datetime(2024, 1, 2, 8, 30, tzinfo=timezone.utc),  # an OffsetDateTime at UTC
        "list": [1, 2], "struct": {"k": "v", "n": 1}, "js": {"a": [1, 2.5]},
        "id": "9a2a5d4e-5d62-4d36-9e0f-3f1b7a1e2b3c", "blob": "AQI=",
    }
    assert type(row["tiny"]) is Int32 and type(row["big"]) is int and type(row["f"]) is Float32
    assert row["ts"].tzinfo == ZoneInfo("Europe/Paris") and row["tstz"].tzinfo is timezone.utc
    assert out["size"] == 1


def test_json_that_is_not_an_object_fails_as_in_kestra(task):
    assert task(QUERY, sql="SELECT '[1, 2]'::JSON AS j", fetchType="FETCH").fails() == \
        "Invalid data type [JSON] with value [[1, 2]]"


def test_store_writes_ion_rows(task):
    run = task(QUERY, fetchType="STORE", timeZoneId="UTC",
               sql="SELECT i, i * 1.5 AS half, TIMESTAMPTZ '2024-01-02 10:30:00Z' AS at FROM range(3) r(i) ORDER BY i")
    out = run()
    assert out["size"] == 3 and out["outputFiles"] == {}
    lines = run.storage.read_text(out["uri"]).splitlines()
    assert lines[0] == '{i:0,half:0.0,at:OffsetDateTime::"2024-01-02T10:30:00Z"}'
    assert [r["i"] for r in run.ion_rows(out["uri"])] == [0, 1, 2]


def test_none_and_fetch(task, db):
    assert task(QUERY, url=f"jdbc:duckdb:{db}", sql="SELECT * FROM t")() == {"row": None, "outputFiles": {}}
    out = task(QUERY, url=f"jdbc:duckdb:{db}", sql="SELECT id, name FROM t ORDER BY id", fetchType="FETCH")()
    assert out == {"row": None, "rows": [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}], "size": 2,
                   "outputFiles": {}}


def test_changes_give_no_output_and_returning_gives_rows(task, db):
    out = task(QUERIES, url=f"jdbc:duckdb:{db}", fetchType="FETCH", sql="""
        CREATE TABLE u (a INTEGER);
        INSERT INTO u VALUES (1), (2);
        UPDATE u SET a = a * 10;
        INSERT INTO u VALUES (5) RETURNING a;
        SELECT count(*) AS n FROM u;
    """)()
    assert out["outputs"] == [{"row": None, "rows": [{"a": 5}], "size": 1},
                              {"row": None, "rows": [{"n": 3}], "size": 1}]


def test_parameters(task, db):
    out = task(QUERY, url=f"jdbc:duckdb:{db}", sql="SELECT name FROM t WHERE id = :id AND name <> :other",
               parameters={"id": 1, "other": "x"}, fetchType="FETCH_ONE")()
    assert out["row"] == {"name": "one"}


# --------------------------------------------------------------------------- transactions


def test_queries_roll_back_when_a_statement_fails(task, db):
    run = task(QUERIES, url=f"jdbc:duckdb:{db}", sql="""
        INSERT INTO t VALUES (3, 'three', 3);
        DELETE FROM t WHERE id = 1;
        SELECT * FROM missing;
    """)
    assert run.fails().startswith("Catalog Error: Table with name missing does not exist!")
    assert rows_of(db, "SELECT id FROM t ORDER BY id") == [(1,), (2,)]


def test_queries_without_transaction_keep_what_ran(task, db):
    run = task(QUERIES, url=f"jdbc:duckdb:{db}", transaction=False,
               sql="INSERT INTO t VALUES (3, 'three', 3); SELEC 1")
    assert run.fails().startswith('Parser Error: syntax error at or near "SELEC"')
    assert rows_of(db, "SELECT count(*) FROM t") == [(3,)]


def test_after_sql_commits_with_the_query(task, db):
    out = task(QUERY, url=f"jdbc:duckdb:{db}", sql="SELECT count(*) AS n FROM t", fetchType="FETCH_ONE",
               afterSQL="DELETE FROM t WHERE id = :id", parameters={"id": 2})()
    assert out["row"] == {"n": 2}
    assert rows_of(db, "SELECT id FROM t") == [(1,)]


# --------------------------------------------------------------------------- databases and files


def test_queries_need_an_absolute_database_path(task):
    assert task(QUERIES, url="jdbc:duckdb:relative.db", sql="SELECT 1").fails() == \
        "The database file path is not valid (Path to database file must be absolute)"


def test_an_absolute_path_in_an_existing_directory(task, tmp_path):
    path = tmp_path / "x.duckdb"
    task(QUERIES, url=f"jdbc:duckdb:{path}", sql="CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (7)")()
    assert rows_of(path, "SELECT x FROM a") == [(7,)]


def test_a_directory_that_does_not_exist_is_not_created(task, tmp_path):
    path = tmp_path / "new" / "x.duckdb"
    with pytest.raises(TaskFailed, match="The directory of the database file .* does not exist"):
        task(QUERIES, url=f"jdbc:duckdb:{path}", sql="CREATE TABLE a (x INTEGER)")()
    assert not path.parent.exists()


def test_input_files_are_read_by_name_and_output_files_stored(task, tmp_path):
    run = task(QUERIES, fetchType="FETCH", inputFiles={"data.csv": "id,name\n1,a\n2,b\n"}, outputFiles=["out.csv"],
               sql="")
    out_path = expression_vars(run.workdir, ["out.csv"])["outputFiles"]["out.csv"]
    run.ctx.props["sql"] = f"""
        CREATE TABLE d AS SELECT * FROM read_csv('data.csv');
        SELECT sum(id) AS total FROM d;
        COPY (SELECT name FROM d ORDER BY id) TO '{out_path}' (HEADER, DELIMITER ',');
    """
    out = run()
    # a sum of BIGINTs is a HUGEINT: a BigInteger, output as its text by Kestra
    assert out["outputs"] == [{"row": None, "rows": [{"total": "3"}], "size": 1}]
    assert run.storage.read_text(out["outputFiles"]["out.csv"]) == "name\na\nb\n"


def test_input_files_from_internal_storage(task, tmp_path):
    first = task(QUERY, sql="SELECT 1")
    uri = first.ctx.put_file(b"x\n42\n", "in.csv")
    out = task(QUERY, inputFiles={"in.csv": uri}, sql="SELECT x FROM read_csv('in.csv')", fetchType="FETCH_ONE")()
    assert out["row"] == {"x": 42}


def test_output_db_file_and_database_uri(task):
    first = task(QUERIES, outputDbFile=True, sql="CREATE TABLE k (v VARCHAR); INSERT INTO k VALUES ('kept')")()
    assert first["databaseUri"].endswith(".db")
    second = task(QUERY, databaseUri=first["databaseUri"], sql="SELECT v FROM k", fetchType="FETCH_ONE")()
    assert second["row"] == {"v": "kept"}


def test_filename_option_shows_relative_names(task):
    run = task(QUERY, inputFiles={"a.csv": "x\n1\n"}, fetchType="FETCH",
               sql="SELECT x, filename FROM read_csv('a.csv', filename=true)")
    assert run()["rows"] == [{"x": 1, "filename": "a.csv"}]


def test_an_extension_with_a_bad_name_is_skipped_with_a_warning(task):
    run = task(QUERY, communityExtensions=["bad-name"], sql="SELECT 1 AS one", fetchType="FETCH_ONE")
    assert run()["row"] == {"one": 1}
    assert run.at("WARN") == ["Skipping DuckDB community extension 'bad-name' because the name contains "
                              "unsupported characters."]


def test_errors_and_a_missing_driver(task, monkeypatch):
    assert task(QUERY, sql="SELECT * FROM nowhere").fails().startswith(
        "Catalog Error: Table with name nowhere does not exist!")
    assert task(QUERY, url="jdbc:sqlite:", sql="SELECT 1").fails() == \
        "URL scheme is invalid. URL should start with `jdbc:duckdb`"
    monkeypatch.setitem(sys.modules, "duckdb", None)
    message = task(QUERY, sql="SELECT 1").fails()
    assert message.startswith("The DuckDB tasks need the 'duckdb' driver, which is not installed")
    assert message.endswith("pip install 'flowc[duckdb]' (or 'flowc[all]' for every database)")


def test_duckdb_urls():
    assert parse_duckdb_url("jdbc:duckdb:") == FileUrl("")
    assert parse_duckdb_url("jdbc:duckdb:/tmp/x.db") == FileUrl("/tmp/x.db")
    assert parse_duckdb_url("jdbc:duckdb:md:my_db?motherduck_token=abc") == FileUrl("md:my_db", {"motherduck_token": "abc"})
