"""Checking files in worker processes gives the same results, in the same order, as checking
them one after the other in this process."""
import json
import shutil

import pytest

import compiler.parallel
from compiler.cli import main
from compiler.config import Config
from compiler.parallel import Job, check, check_all, worth_it
from compiler.result_data import to_data
from compiler.settings import Settings
from tests.conftest import CORPUS, FIXTURES


def corpus_files():
    paths = sorted(FIXTURES.rglob("*.yaml"))
    if CORPUS.is_dir():
        paths = sorted((CORPUS / "valids").glob("*.y*ml")) + sorted((CORPUS / "invalids").glob("*.y*ml")) + paths
    return paths


def test_workers_return_what_this_process_finds_in_the_same_order():
    jobs = [Job(path.name, path.read_bytes(), Settings(), Config()) for path in corpus_files()]
    serial = [to_data(check(job)) for job in jobs]
    assert check_all(jobs, processes=2) == serial
    assert check_all(jobs[:3], processes=8) == serial[:3]  # more workers than files
    assert check_all(jobs, processes=1) == serial


def test_settings_travel_with_each_file():
    text = b"id: a\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.aws.s3.Upload\n"
    jobs = [Job(f"{i}.yaml", text, Settings(strict=bool(i % 2)), Config()) for i in range(4)]
    severities = [[d[4] for d in data["diagnostics"] if d[0] == "S109"] for data in check_all(jobs, processes=2)]
    assert severities == [["warning"], ["error"], ["warning"], ["error"]]


def test_workers_only_pay_from_the_threshold_on():
    assert not worth_it(compiler.parallel.THRESHOLD - 1, processes=2)
    assert worth_it(compiler.parallel.THRESHOLD, processes=2)
    assert not worth_it(10 * compiler.parallel.THRESHOLD, processes=1)


def run(capsys, monkeypatch, threshold: int, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(compiler.parallel, "THRESHOLD", threshold)
    code = main(["check", "--no-cache", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["json", "full"])
def test_flowc_check_reports_the_same_in_parallel_and_serially(tmp_path, monkeypatch, capsys, fmt):
    if compiler.parallel.cpus() < 2:
        pytest.skip("one CPU: flowc check starts no workers")
    monkeypatch.chdir(tmp_path)
    for path in corpus_files():
        target = tmp_path / path.parent.name / path.name
        target.parent.mkdir(exist_ok=True)
        shutil.copy(path, target)
    serial = run(capsys, monkeypatch, 10**9, ".", "--format", fmt)
    parallel = run(capsys, monkeypatch, 1, ".", "--format", fmt)
    assert parallel == serial


def test_calls_between_files_checked_by_different_workers(tmp_path, monkeypatch, capsys):
    # a chain of 12 flows, each calling the next with an input it does not declare and
    # reading an output it does not have: the files land in different chunks
    monkeypatch.chdir(tmp_path)
    for i in range(12):
        (tmp_path / f"f{i:02d}.yaml").write_text(f"""\
id: f{i}
namespace: company.team
inputs:
  - id: in{i}
    type: STRING
    defaults: x
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: f{(i + 1) % 12}
    inputs:
      nope: 1
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{{{ outputs.call.outputs.missing }}}}"
outputs:
  - id: out{i}
    type: STRING
    value: x
""")
    serial = run(capsys, monkeypatch, 10**9, ".", "--format", "json")
    parallel = run(capsys, monkeypatch, 1, ".", "--format", "json")
    assert parallel == serial
    found = [(d["file"], d["code"]) for d in json.loads(parallel[1])["diagnostics"]]
    assert found == [(f"f{i:02d}.yaml", code) for i in range(12) for code in ("X102", "X106")]
