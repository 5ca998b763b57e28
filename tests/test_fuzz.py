"""Random and mutated flows through the whole check: only diagnostics, never an exception."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.checker import check_text

from .conftest import EXAMPLES, FIXTURES

SEEDS = [p.read_text("utf-8") for p in sorted(EXAMPLES.glob("*.yaml"))]
SEEDS += [p.read_text("utf-8") for p in sorted((FIXTURES / "rules").glob("S*.yaml"))]

pieces = st.sampled_from(["{{", "}}", ": ", "- ", "\n", "  ", "[", "]", "{", "}", "'", '"', "&a ", "*a", "null", "type: x", "tasks:", "id: t", "\t", "#"])


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "dup-line"]))
        if action == "insert":
            text = text[:at] + draw(pieces) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, lines[i])
                text = "".join(lines)
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_flows_never_raise(text):
    result = check_text(text, "fuzz.yaml")
    for d in result.diagnostics:
        assert d.span is None or (d.span.line >= 1 and d.span.column >= 1)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["io.kestra.plugin.core.flow.Switch", "io.kestra.plugin.core.flow.Dag", "io.kestra.plugin.core.log.Log",
                        "io.kestra.plugin.core.flow.ForEach", "io.kestra.plugin.scripts.python.Script"]),
       st.dictionaries(st.sampled_from(["tasks", "cases", "defaults", "message", "values", "dependsOn", "taskRunner", "retry", "errors"]),
                       json_values, max_size=4))
def test_random_task_properties_never_raise(type_name, properties):
    import json

    body = "\n".join(f"    {k}: {json.dumps(v)}" for k, v in properties.items())
    text = f"id: f\nnamespace: n\ntasks:\n  - id: t\n    type: {type_name}\n{body}\n"
    check_text(text, "fuzz.yaml")
