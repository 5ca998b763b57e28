from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "kestra-corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples"


def pytest_collection_modifyitems(config, items):
    if not CORPUS.is_dir():
        skip = pytest.mark.skip(reason=f"Kestra corpus not found at {CORPUS}")
        for item in items:
            if "corpus" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server for the test run (tests/postgres.py); without PostgreSQL
    the tests using it are skipped, except in CI where they fail."""
    from .postgres import running_server

    with running_server() as server:
        yield server
