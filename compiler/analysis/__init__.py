"""The analysis stage: the task graph, what each expression can see, and the rules that
compare them (R, T and D families). Runs after the expression stage, on `flow.expressions`.

    graph.py      the task graph (networkx) and the order in which tasks run
    scope.py      what each template can see
    types.py      the types of values
    references.py the names each expression reads (R rules)
    typecheck.py  the types of operands and conditions (T rules)
"""
from __future__ import annotations

from ..diagnostics import Reporter
from ..model import Flow
from ..registry import Registry
from .graph import TaskGraph
from .references import check_template
from .scope import flow_slot_kinds, scopes
from .typecheck import check_types


def analyze(flow: Flow, registry: Registry, reporter: Reporter) -> TaskGraph:
    graph = TaskGraph(flow, flow_slot_kinds(registry))
    # scopes() is a generator on purpose: checking a template records its render() calls,
    # which scopes() then follows into the variables they render; check each before the next
    for template, env in scopes(flow, graph):
        check_template(template, env, reporter)
        check_types(template, env, reporter, condition=env.condition)
    flow.graph = graph
    return graph
