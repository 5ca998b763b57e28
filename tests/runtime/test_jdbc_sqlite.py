"""The SQLite JDBC tasks against real SQLite databases, and the pieces every JDBC task shares
(SQL splitting, named parameters, fetch types, ION files, time zones)."""
from __future__ import annotations

import sqlite3
import sys
import threading
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from runtime.jdbc.ion import ion_value, output_value
from runtime.jdbc.props import fetch_type
from runtime.jdbc.sql import bind_named, split_statements
from runtime.jdbc.urls import FileUrl, JdbcUrlError, check_scheme, parse_sqlite_url
from runtime.jdbc.zones import FixedZone, zone_of
from runtime.pebble.ion_reader import parse_ion
from runtime.pebble.values import Float32, Instant, Int32
from runtime.storage import Storage
from runtime.task import RunIds, TaskFailed, TaskLogger, TaskRunContext
from runtime.tasks.jdbc import TASKS, expression_vars

from .flows import run_flow

QUERY = "io.kestra.plugin.jdbc.sqlite.Query"
QUERIES = "io.kestra.plugin.jdbc.sqlite.Queries"


class Task:
    """One run of a JDBC task, called directly: its context, logs, and storage."""

    def __init__(self, root: Path, type_: str, props: dict, taskrun_id: str) -> None:
        self.type = type_
        self.logs: list[tuple[str, str]] = []
        self.storage = Storage(root / "runs")
        self.workdir = root / "work" / taskrun_id
        self.workdir.mkdir(parents=True)
        ids = RunIds(namespace="company.team", flow_id="flow", execution_id="ex1", task_id="t",
                     taskrun_id=taskrun_id)
        self.ctx = TaskRunContext(props=props, logger=TaskLogger(lambda lvl, msg: self.logs.append((lvl, msg))),
                                  storage=self.storage, workdir=self.workdir, ids=ids)

    def __call__(self) -> dict:
        return TASKS[self.type](self.ctx)

    def fails(self) -> str:
        with pytest.raises(TaskFailed) as failure:
            self()
        return str(failure.value)

    def at(self, level: str) -> list[str]:
        return [m for lvl, m in self.logs if lvl == level]

    def ion_rows(self, uri: str) -> list[dict]:
        return parse_ion(self.storage.read_text(uri), all_rows=True)


def task_factory(root: Path):
    """task(TYPE, **props) -> a Task to call; each has its own working directory."""
    count = iter(range(10_000))

    def make(type_: str, **props) -> Task:
        return Task(root, type_, props, f"tr{next(count)}")
    return make


@pytest.fixture
def task(tmp_path):
    return task_factory(tmp_path)


@pytest.fixture
def db(tmp_path):
    """A database file with a table `t` of two rows."""
    path = tmp_path / "test.db"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE t (id INTEGER, name TEXT, price REAL, born DATE, seen DATETIME, at TIME, data BLOB, big INTEGER);
        INSERT INTO t VALUES (1, 'one', 1.5, '2024-01-02', '2024-01-02 10:30:00', '10:30', x'0102', 3000000000);
        INSERT INTO t VALUES (2, 'two', NULL, NULL, NULL, NULL, NULL, NULL);
    """)
    con.close()
    return path


def url(path: Path) -> str:
    return f"jdbc:sqlite:{path}"


def count(path: Path, table: str = "t") -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


# --------------------------------------------------------------------------- fetch types


def test_fetch_gives_rows_with_kestra_types(task, db):
    out = task(QUERY, url=url(db), sql="SELECT * FROM t ORDER BY id", fetchType="FETCH", timeZoneId="Europe/Paris")()
    assert out["size"] == 2 and out["row"] is None
    first, second = out["rows"]
    assert first == {"id": 1, "name": "one", "price": 1.5, "born": date(2024, 1, 2),
                     "seen": datetime(2024, 1, 2, 9, 30, tzinfo=timezone.utc),  # 10:30 in Paris, an Instant
                     "at": time(10, 30), "data": "AQI=", "big": 3000000000}
    assert type(first["id"]) is Int32 and type(first["big"]) is int  # Integer, and a Long past 2^31
    assert type(first["seen"]) is Instant
    assert second == {"id": 2, "name": "two", "price": None, "born": None, "seen": None, "at": None,
                      "data": None, "big": None}
    assert list(first) == ["id", "name", "price", "born", "seen", "at", "data", "big"]


def test_datetime_numbers_and_iso_texts(task, tmp_path):
    path = tmp_path / "dates.db"
    con = sqlite3.connect(path)
    con.executescript("""CREATE TABLE d (n INTEGER, v TIMESTAMP);
        INSERT INTO d VALUES (1, 1700000000000), (2, '2024-03-01T12:00:00+02:00'), (3, '2024-03-01'),
                             (4, 2460000.5), (5, '2024-03-01T12:00:00.25Z');""")
    con.close()
    rows = task(QUERY, url=url(path), sql="SELECT v FROM d ORDER BY n", fetchType="FETCH", timeZoneId="UTC")()["rows"]
    assert [r["v"] for r in rows] == [
        datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc),  # milliseconds since 1970
        datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc),
        datetime(2024, 3, 1, 0, 0, tzinfo=timezone.utc),  # a date: its start of day in the task's zone
        datetime(2023, 2, 25, 0, 0, tzinfo=timezone.utc),  # a Julian day
        datetime(2024, 3, 1, 12, 0, 0, 250000, tzinfo=timezone.utc),
    ]


def test_a_date_kestra_cannot_parse_fails_the_task(task, tmp_path):
    path = tmp_path / "bad.db"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE d (born DATE); INSERT INTO d VALUES ('02/01/2024');")
    con.close()
    assert task(QUERY, url=url(path), sql="SELECT born FROM d", fetchType="FETCH").fails() == \
        "Text '02/01/2024' could not be parsed"


def test_fetch_one_gives_the_first_row_or_null(task, db):
    out = task(QUERY, url=url(db), sql="SELECT id, name FROM t ORDER BY id", fetchType="FETCH_ONE")()
    assert out == {"row": {"id": 1, "name": "one"}, "size": 1}
    assert task(QUERY, url=url(db), sql="SELECT id FROM t WHERE id > 5", fetchType="FETCH_ONE")() == \
        {"row": None, "size": 0}
    # Queries counts 1 even without a row, as Kestra
    assert task(QUERIES, url=url(db), sql="SELECT id FROM t WHERE id > 5", fetchType="FETCH_ONE")() == \
        {"outputs": [{"row": None, "size": 1}]}


def test_store_writes_one_ion_struct_per_line(task, db):
    run = task(QUERY, url=url(db), sql="SELECT id, name, price, born, seen, at FROM t ORDER BY id",
               fetchType="STORE", timeZoneId="UTC")
    out = run()
    assert out["size"] == 2 and out["row"] is None
    assert out["uri"].startswith("kestra:///company/team/flow/executions/ex1/tasks/t/tr0/") and out["uri"].endswith(".ion")
    text = run.storage.read_text(out["uri"])
    assert text.splitlines() == [
        '{id:1,name:"one",price:1.5e0,born:2024-01-02,seen:2024-01-02T10:30:00.000Z,at:LocalTime::"10:30:00"}',
        '{id:2,name:"two",price:null,born:null,seen:null,at:null}',
    ]
    assert run.ion_rows(out["uri"]) == [
        {"id": 1, "name": "one", "price": 1.5, "born": date(2024, 1, 2),
         "seen": datetime(2024, 1, 2, 10, 30, tzinfo=timezone.utc), "at": time(10, 30)},
        {"id": 2, "name": "two", "price": None, "born": None, "seen": None, "at": None},
    ]


def test_rows_are_read_fetch_size_at_a_time(task, db):
    out = task(QUERY, url=url(db), sql="SELECT id FROM t ORDER BY id", fetchType="FETCH", fetchSize=1)()
    assert out["rows"] == [{"id": 1}, {"id": 2}]
    run = task(QUERY, url=url(db), sql="SELECT id FROM t ORDER BY id", fetchType="STORE", fetchSize="1")
    assert [r["id"] for r in run.ion_rows(run()["uri"])] == [1, 2]
    assert task(QUERY, url=url(db), sql="SELECT 1", fetchType="FETCH", fetchSize="many").fails() == \
        "Invalid value 'many' for property 'fetchSize': expected an integer"


def test_store_of_no_rows_is_an_empty_file(task, db):
    run = task(QUERY, url=url(db), sql="SELECT id FROM t WHERE id < 0", fetchType="STORE")
    out = run()
    assert out["size"] == 0 and run.storage.read_text(out["uri"]) == ""


def test_none_outputs_nothing_and_queries_say_so(task, db):
    assert task(QUERY, url=url(db), sql="SELECT * FROM t")() == {"row": None}
    run = task(QUERIES, url=url(db), sql="SELECT 1; SELECT 2", fetchType="NONE")
    assert run() == {"outputs": [{"row": None}, {"row": None}]}
    assert run.at("INFO") == ["fetchType is set to NONE, no output will be returned"] * 2


def test_deprecated_fetch_flags_win_over_fetch_type(task, db):
    assert fetch_type({"fetch": True, "fetchOne": True, "fetchType": "STORE"}) == "FETCH"
    assert fetch_type({"fetchOne": "true", "store": True}) == "FETCH_ONE"
    assert fetch_type({"store": True}) == "STORE"
    assert fetch_type({"fetchType": "fetch_one"}) == "FETCH_ONE"
    assert fetch_type({}) == "NONE"
    out = task(QUERY, url=url(db), sql="SELECT id FROM t ORDER BY id", fetchOne=True)()
    assert out == {"row": {"id": 1}, "size": 1}


def test_a_bad_fetch_type_names_the_choices(task, db):
    assert task(QUERY, url=url(db), sql="SELECT 1", fetchType="ALL").fails() == \
        "Invalid value 'ALL' for property 'fetchType': expected one of FETCH, FETCH_ONE, STORE, NONE"


def test_queries_give_one_output_per_statement_with_rows(task, db):
    out = task(QUERIES, url=url(db), fetchType="FETCH", sql="""
        CREATE TABLE u (a INTEGER);
        INSERT INTO u VALUES (1), (2);
        SELECT a FROM u ORDER BY a;
        UPDATE u SET a = a + 10;
        SELECT sum(a) AS total FROM u;
        INSERT INTO u VALUES (5) RETURNING a;
    """)()
    assert out == {"outputs": [{"row": None, "rows": [{"a": 1}, {"a": 2}], "size": 2},
                               {"row": None, "rows": [{"total": 23}], "size": 1},
                               {"row": None, "rows": [{"a": 5}], "size": 1}]}


def test_a_trigger_body_is_one_statement(task, tmp_path):
    path = tmp_path / "trigger.db"
    out = task(QUERIES, url=url(path), fetchType="FETCH_ONE", sql="""
        CREATE TABLE a (x INTEGER); CREATE TABLE log (x INTEGER, kind TEXT);
        CREATE TRIGGER keep AFTER INSERT ON a BEGIN
            INSERT INTO log VALUES (new.x, CASE WHEN new.x > 1 THEN 'big' ELSE 'small' END);
        END;
        INSERT INTO a VALUES (1), (2);
        SELECT group_concat(kind, ',') AS kinds FROM log;
    """)()
    assert out["outputs"][0]["row"] == {"kinds": "small,big"}


# --------------------------------------------------------------------------- parameters


def test_named_parameters_are_bound(task, db):
    out = task(QUERY, url=url(db), sql="SELECT name FROM t WHERE id = :id OR name = :name ORDER BY id",
               parameters={"id": 2, "name": "one"}, fetchType="FETCH")()
    assert out["rows"] == [{"name": "one"}, {"name": "two"}]


def test_a_parameter_used_twice_and_one_not_given(task, db):
    out = task(QUERY, url=url(db), sql="SELECT :x AS a, :x + 1 AS b, :missing AS c",
               parameters={"x": 41}, fetchType="FETCH_ONE")()
    assert out["row"] == {"a": 41, "b": 42, "c": None}


def test_parameters_rendered_as_json_text(task, db):
    out = task(QUERY, url=url(db), sql="SELECT name FROM t WHERE id = :id", parameters='{"id": 1}',
               fetchType="FETCH_ONE")()
    assert out["row"] == {"name": "one"}


def test_parameters_bind_in_each_statement_of_queries(task, db):
    task(QUERIES, url=url(db), sql="INSERT INTO t (id, name) VALUES (:id, :name); DELETE FROM t WHERE id = 1",
         parameters={"id": 7, "name": "seven"})()
    con = sqlite3.connect(db)
    assert con.execute("SELECT id, name FROM t ORDER BY id").fetchall() == [(2, "two"), (7, "seven")]
    con.close()


def test_bind_named_follows_kestra():
    assert bind_named("SELECT :a, :b", {"a": 1, "b": "x"}) == ("SELECT ?, ?", [1, "x"])
    assert bind_named("SELECT :a", None) == ("SELECT :a", None)
    assert bind_named("SELECT :a", {}) == ("SELECT :a", None)  # no parameters: the SQL as it is
    # psycopg: %s placeholders and a literal % doubled
    assert bind_named("SELECT :a, '5%'", {"a": 1}, "%s", escape_percent=True) == ("SELECT %s, '5%%'", [1])
    # as Kestra, `:name` is found anywhere (a cast's second colon, a time in a string)
    assert bind_named("SELECT x::int, '10:30'", {"x": 1}) == ("SELECT x:?, '10?'", [None, None])
    assert bind_named("SELECT :é", {"é": 1}) == ("SELECT :é", [])  # Java's \w is ASCII


# --------------------------------------------------------------------------- transactions


def test_queries_roll_back_everything_when_a_statement_fails(task, db):
    run = task(QUERIES, url=url(db), sql="""
        INSERT INTO t (id, name) VALUES (3, 'three');
        DELETE FROM t WHERE id = 1;
        INSERT INTO missing VALUES (1);
    """)
    assert run.fails() == "no such table: missing"
    assert count(db) == 2
    con = sqlite3.connect(db)
    assert con.execute("SELECT id FROM t ORDER BY id").fetchall() == [(1,), (2,)]
    con.close()


def test_queries_without_transaction_keep_what_ran(task, db):
    run = task(QUERIES, url=url(db), transaction=False, sql="INSERT INTO t (id) VALUES (3); SELEC 1")
    assert run.fails() == 'near "SELEC": syntax error'
    assert count(db) == 3


def test_after_sql_runs_in_the_same_transaction(task, db):
    out = task(QUERY, url=url(db), sql="SELECT id FROM t WHERE id = 1", fetchType="FETCH_ONE",
               afterSQL="DELETE FROM t WHERE id = 1")()
    assert out["row"] == {"id": 1}
    assert count(db) == 1


def test_a_failing_after_sql_rolls_back_the_query(task, db):
    run = task(QUERY, url=url(db), sql="INSERT INTO t (id) VALUES (9)", afterSQL="DELETE FROM nowhere")
    assert run.fails() == "no such table: nowhere"
    assert count(db) == 2


def test_an_empty_after_sql_is_none(task, db):
    task(QUERY, url=url(db), sql="DELETE FROM t WHERE id = 1", afterSQL="")()
    assert count(db) == 1


def test_after_sql_must_be_one_statement(task, db):
    run = task(QUERY, url=url(db), sql="INSERT INTO t (id) VALUES (9)", afterSQL="SELECT 1; SELECT 2")
    assert run.fails() == ("Query task afterSQL supports only a single SQL statement. Use the Queries task to run "
                           "multiple statements.")
    assert count(db) == 2


# --------------------------------------------------------------------------- errors


def test_query_refuses_several_statements(task, db):
    assert task(QUERY, url=url(db), sql="SELECT 1; SELECT 2").fails() == \
        "Query task support only a single SQL statement. Use the Queries task to run multiple statements."
    # a final `;` and comments make no statement
    assert task(QUERY, url=url(db), sql="SELECT 1 AS one; -- done", fetchType="FETCH_ONE")()["row"] == {"one": 1}


def test_database_errors_fail_with_sqlite_messages(task, db):
    assert task(QUERY, url=url(db), sql="SELECT * FROM missing").fails() == "no such table: missing"
    assert task(QUERY, url=url(db), sql="SELEC 1").fails() == 'near "SELEC": syntax error'
    assert task(QUERY, url=url(db), sql="SELECT nope FROM t").fails() == "no such column: nope"


def test_a_database_that_cannot_be_opened(task, tmp_path):
    message = task(QUERY, url=f"jdbc:sqlite:{tmp_path}/no/such/dir/x.db", sql="SELECT 1").fails()
    assert message == "unable to open database file"


def test_urls_are_checked_as_kestra_does(task):
    assert task(QUERY, url="  ", sql="SELECT 1").fails() == "Rendered value of `url` is blank."
    assert task(QUERY, url="jdbc:postgresql://h/db", sql="SELECT 1").fails() == \
        "URL scheme is invalid. URL should start with `jdbc:sqlite`"


def test_missing_sql_is_named(task):
    assert task(QUERY).fails() == "Missing required property 'sql'"


def test_a_missing_sqlite_module_is_explained(task, monkeypatch):
    monkeypatch.setitem(sys.modules, "sqlite3", None)  # what `import sqlite3` sees without _sqlite3
    message = task(QUERY, sql="SELECT 1").fails()
    assert message.startswith("The SQLite tasks need Python's sqlite3 module, which this Python was built without")


def test_a_cancelled_task_interrupts_the_statement(task):
    # long enough never to end before the cancellation, bounded should the interruption not work
    run = task(QUERY, fetchType="FETCH_ONE",
               sql="WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500000000) "
                   "SELECT count(*) FROM n")
    threading.Timer(0.3, run.ctx.cancel.set).start()
    assert run.fails() == "interrupted"


# --------------------------------------------------------------------------- database files


def test_default_url_is_an_in_memory_database(task):
    out = task(QUERIES, sql="CREATE TABLE m (a INTEGER); INSERT INTO m VALUES (4); SELECT a FROM m",
               fetchType="FETCH_ONE")()
    assert out == {"outputs": [{"row": {"a": 4}, "size": 1}]}


def test_output_db_file_then_sqlite_file(task):
    first = task(QUERIES, url="jdbc:sqlite:myfile.db", outputDbFile=True,
                 sql="CREATE TABLE k (v TEXT); INSERT INTO k VALUES ('kept')")()
    assert first["outputs"] == [] and first["databaseUri"].endswith("/myfile.db")
    second = task(QUERY, url="jdbc:sqlite:myfile.db", sqliteFile=first["databaseUri"], sql="SELECT v FROM k",
                  fetchType="FETCH_ONE")()
    assert second == {"row": {"v": "kept"}, "size": 1}
    # an in-memory URL gets a file of its own name
    third = task(QUERY, sqliteFile=first["databaseUri"], outputDbFile=True, sql="SELECT count(*) AS n FROM k",
                 fetchType="FETCH_ONE")()
    assert third["row"] == {"n": 1} and third["databaseUri"].endswith(".sqlite")


def test_a_relative_url_names_a_file_of_the_working_directory_first(task, tmp_path, monkeypatch):
    run = task(QUERY, url="jdbc:sqlite:local.db", sql="SELECT v FROM k", fetchType="FETCH_ONE")
    con = sqlite3.connect(run.workdir / "local.db")
    con.executescript("CREATE TABLE k (v TEXT); INSERT INTO k VALUES ('here');")
    con.close()
    assert run()["row"] == {"v": "here"}
    # otherwise it is relative to the current directory, as to the worker's in Kestra
    monkeypatch.chdir(tmp_path)
    task(QUERY, url="jdbc:sqlite:cwd.db", sql="CREATE TABLE c (a INTEGER)")()
    assert (tmp_path / "cwd.db").is_file()


def test_sqlite_file_not_in_storage_fails(task):
    message = task(QUERY, sqliteFile="kestra:///company/team/flow/executions/ex1/none.db", sql="SELECT 1").fails()
    assert message == "Unable to find file 'kestra:///company/team/flow/executions/ex1/none.db' in the internal storage"


def test_expression_vars_name_the_working_directory_and_output_files(tmp_path):
    assert expression_vars(tmp_path, ["out.csv"]) == {
        "workingDir": str(tmp_path), "outputFiles": {"out.csv": str(tmp_path / "out.csv")}}
    assert expression_vars(tmp_path) == {"workingDir": str(tmp_path)}


# --------------------------------------------------------------------------- SQL splitting


def test_split_statements_like_kestra():
    assert split_statements("SELECT 1; SELECT 2;") == ["SELECT 1", "SELECT 2"]
    assert split_statements("SELECT ';', \"a;b\", `c;d`, [e;f]; SELECT 2") == ["SELECT ';', \"a;b\", `c;d`, [e;f]", "SELECT 2"]
    assert split_statements("SELECT 'it''s;'; SELECT 2") == ["SELECT 'it''s;'", "SELECT 2"]
    assert split_statements("SELECT 1 -- a; comment\n; /* b; */ SELECT 2") == ["SELECT 1 -- a; comment", "/* b; */ SELECT 2"]
    assert split_statements("DO $$ BEGIN PERFORM 1; END $$; SELECT $tag$;$tag$") == \
        ["DO $$ BEGIN PERFORM 1; END $$", "SELECT $tag$;$tag$"]
    assert split_statements("BEGIN; INSERT INTO a VALUES (1); COMMIT;") == ["BEGIN", "INSERT INTO a VALUES (1)", "COMMIT"]
    assert split_statements(" ; ;\n-- only a comment\n") == []
    assert split_statements("SELECT 'unterminated; SELECT 2") == ["SELECT 'unterminated; SELECT 2"]


_SAFE = st.text(alphabet=st.sampled_from("abcdefghij 0123456789_,()=+*<>"), min_size=1).filter(lambda s: s.strip())
_QUOTED = st.text(alphabet=st.sampled_from("ab;'\n -"), max_size=8).map(lambda s: "'" + s.replace("'", "''") + "'")


@given(st.lists(st.lists(st.one_of(_SAFE, _QUOTED), min_size=1, max_size=4).map(" ".join), min_size=1, max_size=5))
def test_statements_joined_by_semicolons_split_back(statements):
    statements = [s.strip() for s in statements]
    if any(w in s.upper().split() for s in statements for w in ("BEGIN", "END", "CASE")):
        return
    assert split_statements(";\n".join(statements)) == statements
    assert split_statements(";".join(statements) + ";") == statements


# --------------------------------------------------------------------------- ION files and outputs


def test_ion_values_as_kestra_writes_them():
    assert ion_value({"a": b"\x01\x02", "b": None, "weird key": [1, "x"]}) == '{a:{{AQI=}},b:null,\'weird key\':[1,"x"]}'
    assert ion_value(datetime(2024, 1, 1, 10, 0, tzinfo=timezone.utc)) == 'OffsetDateTime::"2024-01-01T10:00:00Z"'
    assert ion_value(datetime(2024, 1, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))) == \
        'ZonedDateTime::"2024-01-01T10:00:00+01:00[Europe/Paris]"'
    assert ion_value(datetime(2024, 1, 1, 10, 0, tzinfo=zone_of("+02:00"))) == 'ZonedDateTime::"2024-01-01T10:00:00+02:00"'
    assert ion_value(datetime(2024, 1, 1, 10, 0)) == 'LocalDateTime::"2024-01-01T10:00:00"'
    assert ion_value(Decimal("1.50")) == "1.50"
    assert ion_value(Float32(1.1)) == "1.100000023841858e0"
    assert ion_value(timedelta(seconds=90)) == "90.000000000"


def test_outputs_hold_bytes_as_base64():
    assert output_value({"a": [b"hi"], "b": 1}) == {"a": ["aGk="], "b": 1}


def test_time_zones_as_java_reads_them():
    assert zone_of("Europe/Paris") == ZoneInfo("Europe/Paris")
    assert zone_of("+02:00").utcoffset(None) == timedelta(hours=2)
    assert isinstance(zone_of("-5"), FixedZone) and zone_of("-5").utcoffset(None) == timedelta(hours=-5)
    with pytest.raises(TaskFailed, match="Unknown time-zone ID: Mars/Olympus"):
        zone_of("Mars/Olympus")


def test_a_bad_time_zone_fails_the_task(task, db):
    assert task(QUERY, url=url(db), sql="SELECT 1", timeZoneId="Nowhere").fails() == "Unknown time-zone ID: Nowhere"


# --------------------------------------------------------------------------- URLs


def test_sqlite_urls():
    assert parse_sqlite_url("jdbc:sqlite:") == FileUrl("")
    assert parse_sqlite_url("jdbc:sqlite::memory:").in_memory
    assert parse_sqlite_url("jdbc:sqlite:/data/x.db?journal_mode=WAL") == FileUrl("/data/x.db", {"journal_mode": "WAL"})
    assert parse_sqlite_url("jdbc:sqlite:file:x.db?mode=ro") == FileUrl("file:x.db?mode=ro")
    with pytest.raises(JdbcUrlError, match="No suitable driver found for jdbc:sqlit:x"):
        parse_sqlite_url("jdbc:sqlit:x")
    assert check_scheme("jdbc:sqlite:x", "jdbc:sqlite") == "jdbc:sqlite:x"


@given(st.text(alphabet=st.characters(blacklist_characters="?", blacklist_categories=("Cs",))))
def test_sqlite_url_paths_round_trip(path):
    if path.startswith("file:"):
        return
    assert parse_sqlite_url("jdbc:sqlite:" + path).path == path


# --------------------------------------------------------------------------- in a flow


def test_a_failing_query_runs_the_errors_handlers_and_stored_rows_read_back(tmp_path, monkeypatch, db):
    run = run_flow(tmp_path, f"""
        id: sqlite_flow
        namespace: company.team
        tasks:
          - id: store
            type: io.kestra.plugin.jdbc.sqlite.Query
            url: jdbc:sqlite:{db}
            sql: SELECT id, name FROM t ORDER BY id
            fetchType: STORE
          - id: read
            type: io.kestra.plugin.core.log.Log
            message: "{{{{ fromIon(read(outputs.store.uri), allRows=true) | jq('.[].name') }}}} {{{{ outputs.store.size }}}}"
          - id: broken
            type: io.kestra.plugin.jdbc.sqlite.Queries
            url: jdbc:sqlite:{db}
            sql: INSERT INTO t (id) VALUES (3); SELECT * FROM missing
        errors:
          - id: handler
            type: io.kestra.plugin.core.log.Log
            message: "handled {{{{ errorLogs()[0].message }}}}"
    """)
    assert run.state == "FAILED"
    assert run.states() == {"store": "SUCCESS", "read": "SUCCESS", "broken": "FAILED", "handler": "SUCCESS"}
    assert '["one","two"] 2' in run.logs
    assert "no such table: missing" in run.logs
    assert count(db) == 2
