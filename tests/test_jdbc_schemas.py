"""The JDBC task schemas (PostgreSQL, DuckDB, SQLite) as kestra-io/plugin-jdbc declares them,
and how the checker uses them: a correct flow checks clean, typos are reported, and a
package-prefix plugin default supplies the connection."""
import pytest

from compiler.checker import check_text
from compiler.registry import default_registry

HEAD = "id: jdbc\nnamespace: company.team\n"
POSTGRES = ("Query", "Queries", "CopyIn", "CopyOut")
QUERIES = [f"io.kestra.plugin.jdbc.{db}.{t}" for db in ("postgresql", "duckdb", "sqlite") for t in ("Query", "Queries")]
ROW_OUTPUTS = {"row", "rows", "uri", "size"}


def check(body: str):
    return check_text(HEAD + body.lstrip("\n"), "f.yaml").diagnostics


def codes(body: str) -> list[tuple[str, int]]:
    return sorted((d.code, d.span.line) for d in check(body))


# --------------------------------------------------------------------------- the schemas


@pytest.mark.parametrize("name", QUERIES)
def test_query_types_share_the_jdbc_properties(name):
    t = default_registry().resolve(name)
    props = t.properties
    for common in ("url", "username", "password", "sql", "parameters", "fetchType", "fetchSize", "timeZoneId", "afterSQL"):
        assert common in props, common
    assert props["fetchType"]["enum"] == ["FETCH", "FETCH_ONE", "STORE", "NONE"]
    assert props["fetchType"]["default"] == "NONE"
    for dynamic in ("url", "username", "password", "sql", "parameters", "fetchType", "timeZoneId"):
        assert props[dynamic].get("$dynamic") is True, dynamic
    for old in ("fetch", "fetchOne", "store"):  # the booleans fetchType replaced, not rendered
        assert props[old]["$deprecated"] == "fetchType" and not props[old].get("$dynamic")
    assert "sql" in t.required
    if name.endswith(".Queries"):
        assert props["transaction"]["default"] is True
        item = t.outputs["properties"]["outputs"]["items"]
        assert ROW_OUTPUTS <= set(item["properties"])
    else:
        assert ROW_OUTPUTS <= set(t.outputs["properties"])


def test_only_postgres_requires_a_url():
    registry = default_registry()
    assert "url" in registry.resolve("io.kestra.plugin.jdbc.postgresql.Query").required
    assert registry.resolve("io.kestra.plugin.jdbc.duckdb.Query").properties["url"]["default"] == "jdbc:duckdb:"
    assert registry.resolve("io.kestra.plugin.jdbc.sqlite.Queries").properties["url"]["default"] == "jdbc:sqlite:"
    for name in ("duckdb.Query", "duckdb.Queries", "sqlite.Query", "sqlite.Queries"):
        assert "url" not in registry.resolve(f"io.kestra.plugin.jdbc.{name}").required


def test_copy_tasks():
    registry = default_registry()
    copy_in = registry.resolve("io.kestra.plugin.jdbc.postgresql.CopyIn")
    copy_out = registry.resolve("io.kestra.plugin.jdbc.postgresql.CopyOut")
    assert set(copy_in.required) >= {"url", "from"} and "sql" not in copy_in.properties
    assert "sql" in copy_out.properties and "from" not in copy_out.properties
    for t in (copy_in, copy_out):
        props = t.properties
        assert props["format"]["enum"] == ["TEXT", "CSV", "BINARY"] and props["format"]["default"] == "TEXT"
        for name in ("table", "columns", "header", "delimiter", "quote", "escape", "nullString", "encoding"):
            assert props[name]["$dynamic"] is True, name
    assert set(copy_in.outputs["properties"]) == {"rowCount"}
    assert set(copy_out.outputs["properties"]) == {"uri", "rowCount"}


def test_all_postgres_types_have_ssl_settings_and_no_aliases():
    registry = default_registry()
    for short in POSTGRES:
        t = registry.resolve(f"io.kestra.plugin.jdbc.postgresql.{short}")
        assert t.properties["sslMode"]["enum"][-1] == "VERIFY_FULL"
        assert t.aliases == ()  # plugin-jdbc never renamed these classes


# --------------------------------------------------------------------------- flows


CLEAN = """
inputs:
  - id: day
    type: DATE
tasks:
  - id: create
    type: io.kestra.plugin.jdbc.postgresql.Queries
    url: jdbc:postgresql://localhost:5432/shop
    username: app
    password: "{{ secret('PG_PASSWORD') }}"
    transaction: false
    sql: |
      CREATE TABLE IF NOT EXISTS orders (id int, day date);
      SELECT count(*) AS n FROM orders;
    fetchType: FETCH_ONE
  - id: export
    type: io.kestra.plugin.jdbc.postgresql.CopyOut
    url: jdbc:postgresql://localhost:5432/shop
    sql: SELECT * FROM orders
    format: CSV
    header: true
    delimiter: ";"
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.CopyIn
    url: jdbc:postgresql://localhost:5432/shop
    from: "{{ outputs.export.uri }}"
    table: orders_copy
    columns: [id, day]
    format: CSV
    header: true
    delimiter: "{{ ';' }}"
  - id: read
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: jdbc:postgresql://localhost:5432/shop
    sql: SELECT id FROM orders WHERE day = :day
    parameters:
      day: "{{ inputs.day }}"
    timeZoneId: Europe/Paris
    fetchType: STORE
  - id: local
    type: io.kestra.plugin.jdbc.duckdb.Query
    inputFiles:
      orders.ion: "{{ outputs.read.uri }}"
    sql: COPY (SELECT * FROM read_ion('orders.ion')) TO '{{ outputFiles.out }}' (HEADER)
    outputFiles: [out]
    fetchType: FETCH
  - id: lite
    type: io.kestra.plugin.jdbc.sqlite.Queries
    outputDbFile: true
    sql: CREATE TABLE t (x int); SELECT * FROM t;
    fetchType: FETCH
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: >-
      {{ outputs.create.outputs[0].row.n }} {{ outputs.load.rowCount }} {{ outputs.export.rowCount }}
      {{ outputs.read.size }} {{ outputs.local.rows | length }} {{ outputs.local.outputFiles.out }}
      {{ outputs.lite.databaseUri }} {{ outputs.lite.outputs[0].rows }}
"""


def test_a_correct_flow_checks_clean():
    assert [(d.code, d.span.line, d.message) for d in check(CLEAN)] == []


@pytest.mark.parametrize("before, after, expected", [
    ("    fetchType: STORE", "    fetchTyp: STORE", "S101"),  # misspelled property
    ("    fetchType: STORE", "    fetchType: STORED", "S104"),  # not one of FETCH, FETCH_ONE, STORE, NONE
    ("    sql: SELECT id FROM orders WHERE day = :day\n", "", "S102"),  # `sql` is required
    ("    from: \"{{ outputs.export.uri }}\"\n", "", "S102"),  # so is CopyIn's `from`
    ("    delimiter: \";\"", "    delimiter: \";;\"", "S107"),  # one character
    ("    format: CSV\n    header", "    format: JSON\n    header", "S104"),
    ("    transaction: false", "    transaction: maybe", "S103"),
    ("{{ outputs.load.rowCount }}", "{{ outputs.load.rows }}", "R104"),  # CopyIn outputs rowCount only
    ("{{ outputs.read.size }}", "{{ outputs.read.sise }}", "R104"),
    ("'{{ outputFiles.out }}'", "'{{ outputFile.out }}'", "R115"),
])
def test_typos_are_reported(before, after, expected):
    assert before in CLEAN
    found = {d.code for d in check(CLEAN.replace(before, after, 1))}
    assert expected in found, f"{expected} not in {sorted(found)}"


def test_duckdb_sql_variables_exist_only_in_the_sql():
    body = """
tasks:
  - id: q
    type: io.kestra.plugin.jdbc.duckdb.Queries
    url: "jdbc:duckdb:{{ workingDir }}/db.duckdb"
    sql: "ATTACH '{{ dbFilePath }}'; COPY t TO '{{ workingDir }}/t.csv'; COPY t TO '{{ outputFiles.t }}'"
    afterSQL: "SELECT '{{ outputFiles.t }}'"
    outputFiles: [t]
"""
    assert codes(body) == [("R115", 6)]


# --------------------------------------------------------------------------- prefix plugin defaults

PREFIX = """
tasks:
  - id: create
    type: io.kestra.plugin.jdbc.postgresql.Queries
    sql: CREATE TABLE IF NOT EXISTS t (x int)
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.CopyIn
    from: "{{ execution.id }}"
    table: t
  - id: count
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: SELECT count(*) AS n FROM t
pluginDefaults:
  - type: io.kestra.plugin.jdbc.postgresql
    values:
      url: jdbc:postgresql://pgdatabase:5432/ny_taxi
      username: root
      password: root
      fetchType: FETCH_ONE
"""


def test_a_prefix_default_supplies_the_required_url():
    assert codes(PREFIX) == []
    without = PREFIX.replace("      url: jdbc:postgresql://pgdatabase:5432/ny_taxi\n", "")
    assert codes(without) == [("S102", 4), ("S102", 7), ("S102", 11)]  # each task misses `url`


def test_a_misspelled_key_of_a_prefix_default_is_a_warning():
    diagnostics = check(PREFIX.replace("      username: root", "      usrname: root"))
    assert [(d.code, d.severity.value, d.span.line) for d in diagnostics] == [("S110", "warning", 18)]
    assert "did you mean `username`?" == diagnostics[0].help


def test_a_key_close_to_no_known_property_is_left_to_plugins_flowc_does_not_know():
    # Batch (not described in flowc's schemas) has `chunk`
    assert codes(PREFIX.replace("      password: root", "      password: root\n      chunk: 1000")) == []


def test_a_bad_value_of_a_prefix_default_is_reported_once_where_it_is_written():
    diagnostics = check(PREFIX.replace("fetchType: FETCH_ONE", "fetchType: FETCH_ALL"))
    # Queries and Query both receive it (CopyIn has no fetchType): one diagnostic, in the default
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("S104", 20, 18)]


def test_an_exact_type_default_is_checked_as_before():
    body = PREFIX + """  - type: io.kestra.plugin.jdbc.postgresql.CopyIn
    values:
      headr: true
"""
    assert [(d.code, d.severity.value) for d in check(body)] == [("S110", "error")]


def test_a_matching_prefix_is_not_an_unmatched_default_but_a_typo_is():
    assert "L111" not in {d.code for d in check(PREFIX)}
    found = check(PREFIX.replace("type: io.kestra.plugin.jdbc.postgresql\n", "type: io.kestra.plugin.jdbc.postgres\n"))
    assert "L111" not in {d.code for d in found}  # Kestra's startsWith: `postgres` prefixes `postgresql`
    typo = check(PREFIX.replace("type: io.kestra.plugin.jdbc.postgresql\n", "type: io.kestra.plugin.jbdc.postgresql\n"))
    assert {"L111", "S102"} <= {d.code for d in typo}
