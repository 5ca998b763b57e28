"""Every rule flowc reports, grouped by family and topic.

A module here declares its rules with `compiler.diagnostics.rule`, each with its doc.
Rules found while reading YAML (`yaml`) or validating against the schemas (`schema`) are
raised by those stages; the other modules hold checks over the flow model, registered with
`base.check` and run by `run_checks`. Every rule has a fixture in
tests/fixtures/rules/<CODE>.yaml.
"""
import importlib

MODULES = ("yaml", "schema", "expressions", "references", "deprecations", "types", "literals", "crossflow", "ids", "inputs", "labels", "dag", "flowables", "subflows", "retry", "enterprise", "triggers", "unrendered")


def load_all() -> None:
    """Import every rule module (declaring its rules and registering its checks)."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")


def run_checks(flow, reporter) -> None:
    from .base import run_checks as run

    load_all()
    run(flow, reporter)
