"""Every example checks clean and runs end to end with `flowc run`."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from compiler.cli import main as flowc

from .conftest import EXAMPLES


def run(capsys, tmp_path, name: str, *args: str) -> tuple[int, dict, str]:
    code = flowc(["run", str(EXAMPLES / name), "--json", "--home", str(tmp_path / ".flowc"), *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def by_task(result: dict) -> dict:
    return {t["task_id"] if t["value"] is None else f"{t['task_id']}[{t['value']}]": t for t in result["taskruns"]}


def test_every_example_checks_clean(capsys):
    assert flowc(["check", str(EXAMPLES)]) == 0


def test_hello_world(capsys, tmp_path):
    code, result, err = run(capsys, tmp_path, "hello-world.yaml")
    assert code == 0 and result["state"] == "SUCCESS"
    assert result["namespace"] == "company.team" and result["flow_id"] == "hello-world"
    assert result["labels"] == {"env": "dev", "team": "data", "system.correlationId": result["execution_id"]}
    assert result["inputs"] == {"my-value": "Hello World!"}
    value = by_task(result)["date"]["outputs"]["value"]
    assert value.startswith("A log line content with a contextual date variable 20") and value.endswith("Z")


def test_fan_out_routes_each_region(capsys, tmp_path):
    code, result, err = run(capsys, tmp_path, "fan-out.yaml")
    assert code == 0 and result["state"] == "SUCCESS"
    tasks = by_task(result)
    assert {"route[eu]", "route[us]", "route[apac]", "eu_rules", "default_rules"} <= set(tasks) | {
        t["task_id"] for t in result["taskruns"]}
    assert "GDPR rules apply to eu" in err and "Standard rules for us" in err and "Standard rules for apac" in err
    assert result["outputs"] == {"summary": "processed 3 regions"}


def test_orders_calls_its_subflow(capsys, tmp_path):
    code, result, err = run(capsys, tmp_path, "orders.yaml", "-i", "amount=10")
    assert code == 0 and result["state"] == "SUCCESS", err
    assert by_task(result)["price"]["outputs"]["outputs"] == {"total": 12.0}
    assert "Order 42 costs 12.0 with tax" in err and "Order 42 processed" in err


def test_orders_alerts_when_the_subflow_fails(capsys, tmp_path):
    code, result, err = run(capsys, tmp_path, "orders.yaml", "-i", "amount=-3")
    assert code == 1 and result["state"] == "FAILED"
    tasks = by_task(result)
    assert tasks["price"]["state"] == "FAILED" and "report" not in tasks
    assert tasks["alert"]["state"] == "SUCCESS" and tasks["audit"]["state"] == "SUCCESS"
    assert "The amount must be positive, not -3.0" in err


def test_orders_refuses_a_bad_input_before_running(capsys, tmp_path):
    code, result, err = run(capsys, tmp_path, "orders.yaml", "-i", "order_id=forty-two")
    assert code == 2 and result == {}
    assert "Invalid input for `order_id`" in err


@pytest.fixture
def csv_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"id,amount\n1,10\n2,20\n3,30\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/orders.csv"
    server.shutdown()


def test_etl_python_downloads_counts_and_reports(capsys, tmp_path, csv_server):
    pytest.importorskip("kestra", reason="the example's script uses the `kestra` package (pip install kestra)")
    code, result, err = run(capsys, tmp_path, "etl-python.yaml", "-i", f"source_url={csv_server}")
    assert code == 0 and result["state"] == "SUCCESS", err
    tasks = by_task(result)
    assert tasks["transform"]["outputs"]["vars"] == {"rows": 3}
    assert set(tasks["transform"]["outputs"]["outputFiles"]) == {"summary.json"}
    assert "Loaded 3 rows" in err


def test_etl_python_fails_and_alerts_below_the_minimum(capsys, tmp_path, csv_server):
    pytest.importorskip("kestra", reason="the example's script uses the `kestra` package (pip install kestra)")
    code, result, err = run(capsys, tmp_path, "etl-python.yaml", "-i", f"source_url={csv_server}", "-i", "min_rows=5")
    assert code == 1 and result["state"] == "FAILED"
    assert "Too few rows: 3" in err and "ETL failed for company.analytics.etl-python" in err
