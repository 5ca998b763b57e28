"""The PostgreSQL JDBC tasks against a real PostgreSQL server (tests/postgres.py starts one for
the test run; the tests marked `postgres` need it), and the parts that need no server: JDBC
URLs, connection settings, COPY statements, a missing driver."""
from __future__ import annotations

import itertools
import sys
import threading
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from runtime.jdbc.postgres import connection_settings, copy_sql
from runtime.jdbc.urls import JdbcUrlError, PostgresUrl, parse_postgres_url
from runtime.pebble.values import Float32, Int32
from runtime.storage import Storage

from ..postgres import free_port
from .flows import run_flow
from .test_jdbc_sqlite import task_factory

QUERY = "io.kestra.plugin.jdbc.postgresql.Query"
QUERIES = "io.kestra.plugin.jdbc.postgresql.Queries"
COPY_IN = "io.kestra.plugin.jdbc.postgresql.CopyIn"
COPY_OUT = "io.kestra.plugin.jdbc.postgresql.CopyOut"

_schemas = itertools.count()


@pytest.fixture
def task(tmp_path):
    return task_factory(tmp_path)


@pytest.fixture
def pg(postgres):
    """Connection properties to a schema of its own in the test server (the URL's
    `currentSchema`), and a psycopg connection to it for setting up and checking."""
    schema = f"test_{next(_schemas)}"
    admin = postgres.connect(autocommit=True)
    admin.execute(f"CREATE SCHEMA {schema}")
    admin.execute(f"SET search_path = {schema}")
    props = {"url": f"{postgres.jdbc_url}?currentSchema={schema}", "username": postgres.user,
             "password": postgres.password}
    try:
        yield props, admin
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


@pytest.fixture
def people(pg):
    props, admin = pg
    admin.execute("CREATE TABLE people (id int PRIMARY KEY, name text, born date, score numeric(6, 2))")
    admin.execute("INSERT INTO people VALUES (1, 'ada', '1815-12-10', 9.5), (2, 'alan', '1912-06-23', NULL)")
    return props, admin


def ids(admin, table: str = "people") -> list[int]:
    return [r[0] for r in admin.execute(f"SELECT id FROM {table} ORDER BY id").fetchall()]


def put(run, text: str, name: str) -> str:
    """A file in the execution's internal storage."""
    return run.storage.put(f"kestra:///company/team/flow/executions/ex1/inputs/{name}", text)


# --------------------------------------------------------------------------- values


@pytest.mark.postgres
def test_values_are_converted_as_kestra_does(task, pg):
    props, _ = pg
    out = task(QUERY, **props, fetchType="FETCH_ONE", timeZoneId="Europe/Paris", sql="""
        SELECT 1::int2 AS small, 2::int4 AS i, 3::int8 AS big, 1.50::numeric(5, 2) AS dec, 1.1::float4 AS f,
               2.2::float8 AS d, true AS b, 'x'::varchar AS v, 'y'::char(3) AS c, NULL::text AS n,
               DATE '2024-01-02' AS day, '10:30:15.5'::time AS clock, '10:00+02'::timetz AS clock_tz,
               TIMESTAMP '2024-01-02 10:30:00' AS ts, TIMESTAMPTZ '2024-07-01 10:30:00+00' AS tstz,
               '1 year 2 mons 3 days 04:05:06.7'::interval AS span, ARRAY[1, 2] AS ints, ARRAY['a', NULL] AS texts,
               '{"a": [1, 2.5], "b": null}'::jsonb AS doc, '9a2a5d4e-5d62-4d36-9e0f-3f1b7a1e2b3c'::uuid AS id,
               '\\x0102'::bytea AS bytes, '$1,234.50'::money AS cash, 'NaN'::numeric AS nan
    """)()
    row = out["row"]
    assert row == {
        "small": 1, "i": 2, "big": 3, "dec": Decimal("1.50"), "f": Float32(1.1), "d": 2.2, "b": True, "v": "x",
        "c": "y  ", "n": None, "day": date(2024, 1, 2),
        "clock": time(10, 30, 15),  # through java.sql.Time: no fraction
        "clock_tz": time(9, 0),  # 08:00 UTC on 1970-01-01, in Paris
        "ts": datetime(2024, 1, 2, 10, 30),
        "tstz": datetime(2024, 7, 1, 12, 30, tzinfo=ZoneInfo("Europe/Paris")),
        "span": "P1Y2M3DT4H5M6S", "ints": [1, 2], "texts": ["a", None], "doc": {"a": [1, 2.5], "b": None},
        "id": "9a2a5d4e-5d62-4d36-9e0f-3f1b7a1e2b3c", "bytes": "AQI=", "cash": 1234.5, "nan": row["nan"],
    }
    assert row["nan"] != row["nan"]  # NaN, a Double in PgJDBC
    assert type(row["small"]) is Int32 and type(row["big"]) is int and type(row["f"]) is Float32
    assert row["tstz"].tzinfo == ZoneInfo("Europe/Paris")
    assert out["size"] == 1


@pytest.mark.postgres
def test_enums_domains_and_hstore(task, pg):
    props, admin = pg
    admin.execute("CREATE EXTENSION IF NOT EXISTS hstore")
    admin.execute("CREATE TYPE mood AS ENUM ('ok', 'sad')")
    admin.execute("CREATE DOMAIN positive AS int CHECK (VALUE > 0)")
    out = task(QUERY, **props, fetchType="FETCH_ONE", sql="""
        SELECT 'ok'::mood AS m, 5::positive AS p, 'a=>1, "b c"=>NULL'::hstore AS h, ARRAY['sad'::mood] AS ms
    """)()
    assert out["row"] == {"m": "ok", "p": 5, "h": {"a": "1", "b c": None}, "ms": ["sad"]}


@pytest.mark.postgres
def test_types_kestra_refuses_fail_with_its_message(task, pg):
    props, _ = pg
    assert task(QUERY, **props, sql="SELECT '10.0.0.1'::inet AS ip", fetchType="FETCH").fails() == \
        "PGobject of type [inet] is not supported"
    assert task(QUERY, **props, sql="SELECT point(1, 2) AS p", fetchType="FETCH").fails() == \
        "Data of type 'class org.postgresql.geometric.PGpoint' for column 'p' is not supported, the column type is 'point'"
    assert task(QUERY, **props, sql="SELECT '[1, 2]'::json AS j", fetchType="FETCH").fails() == \
        "Invalid data type [json] with value [[1, 2]]"
    # not fetched, not converted
    assert task(QUERY, **props, sql="SELECT '10.0.0.1'::inet AS ip")() == {"row": None}


# --------------------------------------------------------------------------- fetch types


@pytest.mark.postgres
def test_fetch_fetch_one_store_and_none(task, people):
    props, _ = people
    sql = "SELECT id, name, born, score FROM people ORDER BY id"
    assert task(QUERY, **props, sql=sql, fetchType="FETCH")() == {"row": None, "rows": [
        {"id": 1, "name": "ada", "born": date(1815, 12, 10), "score": Decimal("9.50")},
        {"id": 2, "name": "alan", "born": date(1912, 6, 23), "score": None}], "size": 2}
    assert task(QUERY, **props, sql=sql, fetchType="FETCH_ONE")() == {
        "row": {"id": 1, "name": "ada", "born": date(1815, 12, 10), "score": Decimal("9.50")}, "size": 1}
    assert task(QUERY, **props, sql="SELECT id FROM people WHERE id > 9", fetchType="FETCH_ONE")() == \
        {"row": None, "size": 0}
    assert task(QUERY, **props, sql=sql, fetchType="NONE")() == {"row": None}
    run = task(QUERY, **props, sql=sql, fetchType="STORE")
    out = run()
    assert out["size"] == 2 and out["uri"].endswith(".ion")
    assert run.storage.read_text(out["uri"]).splitlines() == [
        '{id:1,name:"ada",born:1815-12-10,score:9.50}',
        '{id:2,name:"alan",born:1912-06-23,score:null}',
    ]
    assert run.ion_rows(out["uri"])[0] == {"id": 1, "name": "ada", "born": date(1815, 12, 10), "score": Decimal("9.50")}


@pytest.mark.postgres
def test_stored_zoned_date_times(task, pg):
    props, _ = pg
    run = task(QUERY, **props, fetchType="STORE", timeZoneId="Europe/Paris",
               sql="SELECT TIMESTAMPTZ '2024-01-02 10:00:00+00' AS at, TIMESTAMP '2024-01-02 10:00:00' AS local")
    out = run()
    assert run.storage.read_text(out["uri"]) == \
        '{at:ZonedDateTime::"2024-01-02T11:00:00+01:00[Europe/Paris]",local:LocalDateTime::"2024-01-02T10:00:00"}\n'


@pytest.mark.postgres
def test_queries_outputs_per_select(task, people):
    props, _ = people
    out = task(QUERIES, **props, fetchType="FETCH", sql="""
        INSERT INTO people VALUES (3, 'grace', NULL, 7);
        SELECT name FROM people WHERE id = 3;
        UPDATE people SET score = 8 WHERE id = 3;
        SELECT count(*) AS n FROM people;
    """)()
    assert out == {"outputs": [{"row": None, "rows": [{"name": "grace"}], "size": 1},
                               {"row": None, "rows": [{"n": 3}], "size": 1}]}


# --------------------------------------------------------------------------- parameters and transactions


@pytest.mark.postgres
def test_named_parameters_and_percent_signs(task, people):
    props, _ = people
    out = task(QUERY, **props, fetchType="FETCH", parameters={"min": 1, "pattern": "a%"},
               sql="SELECT name, '100%' AS sure FROM people WHERE id >= :min AND name LIKE :pattern ORDER BY id")()
    assert out["rows"] == [{"name": "ada", "sure": "100%"}, {"name": "alan", "sure": "100%"}]
    # without parameters, a % is the SQL's own
    assert task(QUERY, **props, sql="SELECT '5%' AS p", fetchType="FETCH_ONE")()["row"] == {"p": "5%"}


@pytest.mark.postgres
def test_queries_roll_back_when_a_statement_fails(task, people):
    props, admin = people
    run = task(QUERIES, **props, sql="""
        INSERT INTO people VALUES (3, 'grace', NULL, 7);
        DELETE FROM people WHERE id = 1;
        INSERT INTO people VALUES (2, 'again', NULL, NULL);
    """)
    assert run.fails() == ('ERROR: duplicate key value violates unique constraint "people_pkey"\n'
                           "  Detail: Key (id)=(2) already exists.")
    assert ids(admin) == [1, 2]


@pytest.mark.postgres
def test_queries_without_transaction_keep_what_ran(task, people):
    props, admin = people
    run = task(QUERIES, **props, transaction=False, sql="INSERT INTO people (id) VALUES (3); SELECT * FROM nowhere")
    assert run.fails() == 'ERROR: relation "nowhere" does not exist\n  Position: 15'
    assert ids(admin) == [1, 2, 3]


@pytest.mark.postgres
def test_a_failing_after_sql_rolls_back_the_query(task, people):
    props, admin = people
    run = task(QUERY, **props, sql="DELETE FROM people WHERE id = :id", parameters={"id": 1},
               afterSQL="UPDATE nowhere SET x = :id")
    assert run.fails().startswith('ERROR: relation "nowhere" does not exist')
    assert ids(admin) == [1, 2]
    task(QUERY, **props, sql="DELETE FROM people WHERE id = 1", afterSQL="DELETE FROM people WHERE id = 2")()
    assert ids(admin) == []


# --------------------------------------------------------------------------- errors


@pytest.mark.postgres
def test_database_errors_fail_with_the_servers_message(task, pg):
    props, _ = pg
    assert task(QUERY, **props, sql="SELECT * FROM missing").fails() == \
        'ERROR: relation "missing" does not exist\n  Position: 15'
    assert task(QUERY, **props, sql="SELEC 1").fails() == 'ERROR: syntax error at or near "SELEC"\n  Position: 1'
    assert task(QUERY, **props, sql="SELECT 1/0").fails() == "ERROR: division by zero"
    assert task(QUERY, **props, sql="SELECT 1; SELECT 2").fails() == \
        "Query task support only a single SQL statement. Use the Queries task to run multiple statements."


@pytest.mark.postgres
def test_unreachable_server_and_bad_password(task, postgres):
    port = free_port()  # nothing listens there
    message = task(QUERY, url=f"jdbc:postgresql://127.0.0.1:{port}/db", username="u", password="p",
                   sql="SELECT 1").fails()
    assert f'connection to server at "127.0.0.1", port {port} failed: Connection refused' in message
    message = task(QUERY, url=postgres.jdbc_url, username=postgres.user, password="wrong", sql="SELECT 1").fails()
    assert f'password authentication failed for user "{postgres.user}"' in message


@pytest.mark.postgres
def test_a_cancelled_task_cancels_the_statement(task, pg):
    props, _ = pg
    run = task(QUERY, **props, sql="SELECT pg_sleep(60)")
    threading.Timer(0.5, run.ctx.cancel.set).start()
    assert run.fails() == "ERROR: canceling statement due to user request"


def test_a_missing_psycopg_names_the_extra(task, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    message = task(QUERY, url="jdbc:postgresql://localhost/db", sql="SELECT 1").fails()
    assert message.startswith("The PostgreSQL tasks need the 'psycopg' driver, which is not installed")
    assert message.endswith("pip install 'flowc[postgres]' (or 'flowc[all]' for every database)")


# --------------------------------------------------------------------------- COPY


@pytest.mark.postgres
def test_copy_in_a_csv_with_header(task, people):
    props, admin = people
    run = task(COPY_IN, **props, table="people", format="CSV", header=True)
    run.ctx.props["from"] = put(run, "id,name,born,score\n3,grace,1906-12-09,8.25\n4,\"hopper, g\",,\n", "p.csv")
    assert run() == {"rowCount": 2}
    assert admin.execute("SELECT id, name, born, score FROM people WHERE id > 2 ORDER BY id").fetchall() == [
        (3, "grace", date(1906, 12, 9), Decimal("8.25")), (4, "hopper, g", None, None)]
    assert run.at("DEBUG") == ["Starting query: COPY people FROM STDIN WITH (FORMAT CSV, HEADER TRUE)"]


@pytest.mark.postgres
def test_copy_in_with_a_column_list_and_delimiter(task, people):
    props, admin = people
    run = task(COPY_IN, **props, table="people", columns=["name", "id"], format="CSV", delimiter=";")
    run.ctx.props["from"] = put(run, "linus;5\nken;6\n", "p.csv")
    assert run() == {"rowCount": 2}
    assert admin.execute("SELECT id, name, born FROM people WHERE id > 2 ORDER BY id").fetchall() == [
        (5, "linus", None), (6, "ken", None)]


@pytest.mark.postgres
def test_copy_in_text_with_a_null_string(task, people):
    props, admin = people
    run = task(COPY_IN, **props, table="people", columns=["id", "name"], nullString="-")
    run.ctx.props["from"] = put(run, "7\t-\n8\tbob\n", "p.tsv")
    assert run() == {"rowCount": 2}
    assert admin.execute("SELECT id, name FROM people WHERE id > 2 ORDER BY id").fetchall() == [(7, None), (8, "bob")]


@pytest.mark.postgres
def test_copy_in_of_bad_data_copies_nothing(task, people):
    props, admin = people
    run = task(COPY_IN, **props, table="people", format="CSV", columns=["id", "name"])
    run.ctx.props["from"] = put(run, "9,ok\nten,bad\n", "p.csv")
    assert run.fails() == ('ERROR: invalid input syntax for type integer: "ten"\n'
                           '  Where: COPY people, line 2, column id: "ten"')
    assert ids(admin) == [1, 2]


@pytest.mark.postgres
def test_copy_in_from_a_file_not_in_storage(task, people):
    props, _ = people
    run = task(COPY_IN, **props, table="people", **{"from": "kestra:///company/team/flow/executions/ex1/no.csv"})
    assert run.fails() == "Unable to find file 'kestra:///company/team/flow/executions/ex1/no.csv' in the internal storage"


@pytest.mark.postgres
def test_copy_out_a_table_and_a_query(task, people):
    props, _ = people
    run = task(COPY_OUT, **props, table="people", columns=["id", "name"], format="CSV", header=True)
    out = run()
    assert out["rowCount"] == 2 and out["uri"].endswith("/copy-out")
    assert run.storage.read_text(out["uri"]) == "id,name\n1,ada\n2,alan\n"
    run = task(COPY_OUT, **props, sql="SELECT name, score FROM people ORDER BY id", format="CSV", delimiter="\t",
               forceQuote=["*"])
    out = run()
    assert run.storage.read_text(out["uri"]) == '"ada"\t"9.50"\n"alan"\t\n'
    run = task(COPY_OUT, **props, sql="SELECT id, born FROM people ORDER BY id")  # TEXT by default
    assert run.storage.read_text(run()["uri"]) == "1\t1815-12-10\n2\t1912-06-23\n"


def test_copy_statements_as_kestra_builds_them():
    assert copy_sql({"table": "t"}, None, "FROM STDIN") == "COPY t FROM STDIN"
    assert copy_sql({"table": "s.t", "columns": ["a", "b"], "format": "csv", "header": True, "delimiter": ",",
                     "quote": "'", "escape": "\\", "nullString": "NA", "forceNotNull": ["a"], "forceNull": ["b"],
                     "encoding": "UTF8", "freeze": True, "oids": False}, None, "FROM STDIN") == (
        "COPY s.t (a, b) FROM STDIN WITH (FORMAT CSV, FREEZE, DELIMITER ',', NULL 'NA', HEADER TRUE, QUOTE '''', "
        "ESCAPE '\\', FORCE_NOT_NULL (a), FORCE_NULL (b), ENCODING 'UTF8')")
    assert copy_sql({"format": "CSV", "forceQuote": ["a", "b"], "header": False}, "SELECT 1", "TO STDOUT") == \
        "COPY (SELECT 1) TO STDOUT WITH (FORMAT CSV, HEADER FALSE, FORCE_QUOTE (a, b))"


def test_a_delimiter_is_one_character(task):
    run = task(COPY_OUT, url="jdbc:postgresql://localhost/db", table="t", delimiter=";;")
    assert run.fails() == "Invalid value ';;' for property 'delimiter': expected a single character"


# --------------------------------------------------------------------------- in a flow


@pytest.mark.postgres
def test_a_flow_loads_a_csv_and_its_errors_handler_sees_the_failure(tmp_path, monkeypatch, postgres):
    storage = Storage(tmp_path / ".flowc" / "runs")
    storage.put("kestra:///company/team/load.csv", "id,amount\n1,10.5\n2,4.5\n")
    run = run_flow(tmp_path, f"""
        id: load
        namespace: company.team
        pluginDefaults:
          - type: io.kestra.plugin.jdbc.postgresql
            values:
              url: {postgres.jdbc_url}
              username: {postgres.user}
              password: {postgres.password}
        tasks:
          - id: create
            type: io.kestra.plugin.jdbc.postgresql.Queries
            sql: |
              DROP TABLE IF EXISTS flow_amounts;
              CREATE TABLE flow_amounts (id int, amount numeric);
          - id: copy
            type: io.kestra.plugin.jdbc.postgresql.CopyIn
            from: kestra:///company/team/load.csv
            table: flow_amounts
            format: CSV
            header: true
          - id: total
            type: io.kestra.plugin.jdbc.postgresql.Query
            sql: SELECT sum(amount) AS total, count(*) AS n FROM flow_amounts
            fetchType: FETCH_ONE
          - id: log
            type: io.kestra.plugin.core.log.Log
            message: "{{{{ outputs.total.row.n }}}} rows, total {{{{ outputs.total.row.total }}}}"
          - id: broken
            type: io.kestra.plugin.jdbc.postgresql.Query
            sql: SELECT * FROM flow_missing
        errors:
          - id: handler
            type: io.kestra.plugin.core.log.Log
            message: "handled: {{{{ errorLogs()[0].message }}}}"
    """)
    assert run.states() == {"create": "SUCCESS", "copy": "SUCCESS", "total": "SUCCESS", "log": "SUCCESS",
                            "broken": "FAILED", "handler": "SUCCESS"}
    assert run.outputs("copy") == {"rowCount": 2}
    assert "2 rows, total 15.0" in run.logs
    assert 'handled: ERROR: relation "flow_missing" does not exist' in run.logs


@pytest.mark.postgres
@pytest.mark.parametrize("sql, url, message", [
    ("SELEC 1", None, 'ERROR: syntax error at or near "SELEC"'),
    ("SELECT * FROM nowhere_at_all", None, 'ERROR: relation "nowhere_at_all" does not exist'),
    ("SELECT 1", "jdbc:postgresql://127.0.0.1:{closed}/db", "Connection refused"),
])
def test_a_failing_task_fails_with_the_database_message_and_errors_run(tmp_path, postgres, sql, url, message):
    closed = _closed_port()
    run = run_flow(tmp_path, f"""
        id: failing
        namespace: company.team
        pluginDefaults:
          - type: io.kestra.plugin.jdbc.postgresql
            values:
              url: {(url or postgres.jdbc_url).format(closed=closed)}
              username: {postgres.user}
              password: {postgres.password}
        tasks:
          - id: query
            type: io.kestra.plugin.jdbc.postgresql.Query
            sql: {sql}
            fetchType: FETCH_ONE
        errors:
          - id: handler
            type: io.kestra.plugin.core.log.Log
            message: "handled: {{{{ errorLogs()[0].message }}}}"
    """)
    assert run.state == "FAILED"
    assert run.states() == {"query": "FAILED", "handler": "SUCCESS"}
    assert message in run.logs
    assert "handled: " in run.logs and message in run.logs.split("handled: ", 1)[1]


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- URLs and settings


def test_postgres_urls_as_pgjdbc_reads_them():
    assert parse_postgres_url("jdbc:postgresql://db.example:6543/ny_taxi?user=me&ssl=true") == PostgresUrl(
        (("db.example", 6543),), "ny_taxi", {"user": "me", "ssl": "true"})
    assert parse_postgres_url("jdbc:postgresql://127.0.0.1:56982/") == PostgresUrl((("127.0.0.1", 56982),), "")
    assert parse_postgres_url("jdbc:postgresql://host/db") == PostgresUrl((("host", 5432),), "db")
    assert parse_postgres_url("jdbc:postgresql:///db") == PostgresUrl((("localhost", 5432),), "db")
    assert parse_postgres_url("jdbc:postgresql:mydb") == PostgresUrl((("localhost", 5432),), "mydb")
    assert parse_postgres_url("jdbc:postgresql://[::1]:5740/acc") == PostgresUrl((("::1", 5740),), "acc")
    assert parse_postgres_url("jdbc:postgresql://a:1,b/d%20b?x=1%2B1&flag").hosts == (("a", 1), ("b", 5432))
    assert parse_postgres_url("jdbc:postgresql://a/d%20b?x=1%2B1&flag").params == {"x": "1+1", "flag": ""}
    assert parse_postgres_url("jdbc:postgresql://a/d%20b").database == "d b"
    with pytest.raises(JdbcUrlError, match="No suitable driver found for jdbc:postgresql://localhost:5432: a PostgreSQL"):
        parse_postgres_url("jdbc:postgresql://localhost:5432")
    with pytest.raises(JdbcUrlError, match="'99999' is not a port number"):
        parse_postgres_url("jdbc:postgresql://localhost:99999/db")


_HOST = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True)
_NAME = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(_HOST, st.integers(1, 65535), _NAME, st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,10}", fullmatch=True),
                                                           _NAME, max_size=3))
def test_postgres_urls_round_trip(host, port, database, params):
    from urllib.parse import quote_plus

    query = "&".join(f"{k}={quote_plus(v)}" for k, v in params.items())
    url = f"jdbc:postgresql://{host}:{port}/{quote_plus(database)}" + (f"?{query}" if query else "")
    assert parse_postgres_url(url) == PostgresUrl(((host, port),), database, params)


def test_connection_settings(task, monkeypatch):
    run = task(QUERY, url="jdbc:postgresql://h:6000/db?user=fromurl&ApplicationName=app&currentSchema=s",
               username="prop", password="secret")
    settings = connection_settings(run.ctx)
    assert settings["host"] == "h" and settings["port"] == "6000" and settings["dbname"] == "db"
    assert settings["user"] == "fromurl" and settings["password"] == "secret"  # the URL's user wins, as in PgJDBC
    assert settings["application_name"] == "app" and settings["connect_timeout"] == 10
    assert "-c search_path=s" in settings["options"]
    run = task(QUERY, url="jdbc:postgresql://h/", username="me", sslMode="verify_ca", sslRootCert="-----PEM-----")
    settings = connection_settings(run.ctx)
    assert settings["dbname"] == "me"  # no database: the user's
    assert settings["sslmode"] == "verify-ca"
    assert (run.workdir / "sslrootcert.pem").read_text() == "-----PEM-----"
    assert connection_settings(task(QUERY, url="jdbc:postgresql://h/d", ssl=True).ctx)["sslmode"] == "verify-full"
    assert "sslmode" not in connection_settings(task(QUERY, url="jdbc:postgresql://h/d").ctx)


# --------------------------------------------------------------------------- the test server


def test_without_postgresql_the_tests_skip_except_in_ci(monkeypatch):
    from .. import postgres as server

    monkeypatch.setattr(server, "find_bin_dir", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not installed"):
        with server.running_server():
            pass
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run them"):
        with server.running_server():
            pass


@pytest.mark.postgres
def test_the_server_is_stopped_and_removed_whatever_happens(postgres):
    from pathlib import Path

    from .. import postgres as server

    with pytest.raises(RuntimeError, match="boom"):
        with server.running_server() as other:
            root = Path(other.socket_dir).parent
            with other.connect() as conn:
                assert conn.execute("SELECT current_database()").fetchone() == (server.DATABASE,)
            raise RuntimeError("boom")
    assert not root.exists()
    with pytest.raises(Exception, match="Connection refused|No such file"):
        other.connect(connect_timeout=5)
