"""The taxi pipeline examples run end to end: against a real PostgreSQL server, and its DuckDB
variant, each pointed at the test's database with a plugin-default override."""
from __future__ import annotations

import json

import pytest

from compiler.cli import main as flowc

from .conftest import EXAMPLES


def run(capsys, tmp_path, name: str, *args: str) -> tuple[dict, str]:
    code = flowc(["run", str(EXAMPLES / name), "--json", "--home", str(tmp_path / ".flowc"), *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out), captured.err


def count_of(result: dict) -> int:
    (count,) = [t for t in result["taskruns"] if t["task_id"] == "count"]
    return count["outputs"]["row"]["trips"]


@pytest.mark.postgres
def test_taxi_pipeline_on_postgres(capsys, tmp_path, postgres):
    base = "io.kestra.plugin.jdbc.postgresql"
    overrides = ["--plugin-default", f"{base}.url={postgres.jdbc_url}",
                 "--plugin-default", f"{base}.username={postgres.user}",
                 "--plugin-default", f"{base}.password={postgres.password}"]
    result, err = run(capsys, tmp_path, "taxi-postgres.yaml", *overrides)
    assert count_of(result) == 3 and "3 green trips in public.green_tripdata" in err
    copied = [t for t in result["taskruns"] if t["task_id"] == "copy_in_to_staging"][0]
    assert copied["outputs"]["rowCount"] == 3
    result, _ = run(capsys, tmp_path, "taxi-postgres.yaml", *overrides)  # the same day again: MERGE adds nothing
    assert count_of(result) == 3
    result, _ = run(capsys, tmp_path, "taxi-postgres.yaml", *overrides, "-i", "day=2024-01-16")
    assert count_of(result) == 6
    with postgres.connect() as connection:
        rows = connection.execute("SELECT sum(total_amount) FROM public.green_tripdata").fetchone()
    assert float(rows[0]) == pytest.approx(2 * (14.30 + 31.75 + 11.00))


def test_taxi_pipeline_on_duckdb(capsys, tmp_path):
    pytest.importorskip("duckdb", reason="needs the duckdb package (pip install 'flowc[duckdb]')")
    database = tmp_path / "taxi.duckdb"
    override = ["--plugin-default", f"io.kestra.plugin.jdbc.duckdb.url=jdbc:duckdb:{database}"]
    result, err = run(capsys, tmp_path, "taxi-duckdb.yaml", *override)
    assert count_of(result) == 3 and "3 green trips in green_tripdata" in err
    result, _ = run(capsys, tmp_path, "taxi-duckdb.yaml", *override)
    assert count_of(result) == 3
    result, _ = run(capsys, tmp_path, "taxi-duckdb.yaml", *override, "-i", "taxi=yellow")
    assert count_of(result) == 3
    assert database.is_file()


def test_without_the_override_the_run_says_how_to_point_it_elsewhere(capsys, tmp_path):
    pytest.importorskip("duckdb", reason="needs the duckdb package (pip install 'flowc[duckdb]')")
    code = flowc(["run", str(EXAMPLES / "taxi-duckdb.yaml"), "--home", str(tmp_path / ".flowc")])
    assert code == 1
    err = capsys.readouterr().err
    assert "The directory of the database file /data/ny_taxi.duckdb does not exist" in err
    assert "--plugin-default io.kestra.plugin.jdbc.duckdb.url=" in err
