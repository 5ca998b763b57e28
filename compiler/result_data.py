"""A file's check result as plain JSON data, and back: what the cache stores and what worker
processes send back (compiler.cache, compiler.parallel).

Only what the later steps need is kept: the file's diagnostics (before the cross-flow pass,
suppressions and rule selection, which run over the whole project each time), the facts of
its flows for the cross-flow pass, its suppression comments, and whether every stage saw the
whole file. The flow models are not kept: commands that need them (`--show-graph`) check
the files again. The text for the reporters is the file's own: `from_data` takes it.

Decoding is strict: data of another shape, or naming a rule flowc no longer has, raises
`ValueError`; the cache then checks the file again.
"""
from __future__ import annotations

from .checker import FileResult
from .crossflow import CallFacts, FlowFacts, GivenInput, InputFacts, ReadFacts, UpstreamFacts
from .diagnostics import Diagnostic, Fix, Severity, Span, all_rules
from .source import SourceFile
from .suppressions import Directive, Directives

FORMAT = 1  # bump when the shape of the data changes

_rules: dict = {}


def to_data(result: FileResult) -> dict:
    directives = result.directives
    return {
        "diagnostics": [_diagnostic(d, result.path) for d in result.diagnostics],
        "flows": [_flow(f) for f in result.facts],
        "directives": None if directives is None else [
            [[_span(d.span), d.line, None if d.codes is None else [list(c) for c in d.codes]] for d in directives.found],
            [_diagnostic(d, result.path) for d in directives.problems]],
        "complete": result.complete,
    }


def from_data(data: dict, display: str, text: str) -> FileResult:
    """The result of the file shown as `display`, whose text is `text`; ValueError if
    `data` is not what `to_data` makes."""
    try:
        directives = data["directives"]
        if directives is not None:
            found, problems = directives
            directives = Directives(
                tuple(Directive(_to_span(s), _optional(line, int), None if codes is None else tuple((_str(c), _str(w)) for c, w in codes))
                      for s, line, codes in found),
                tuple(_to_diagnostic(d, display) for d in problems))
        return FileResult(display, [_to_diagnostic(d, display) for d in data["diagnostics"]], [], SourceFile(display, text),
                          [_to_flow(f) for f in data["flows"]], directives, _bool(data["complete"]))
    except (KeyError, IndexError, TypeError, AttributeError) as e:
        raise ValueError(f"not a stored result: {type(e).__name__}: {e}") from None


# --------------------------------------------------------------------------- diagnostics


def _span(span: Span | None) -> list | None:
    return None if span is None else [span.line, span.column, span.end_line, span.end_column]


def _to_span(data) -> Span:
    line, column, end_line, end_column = data
    return Span(_int(line), _int(column), _int(end_line), _int(end_column))


def _diagnostic(d: Diagnostic, display: str) -> list:
    fix = None if d.fix is None else [_span(d.fix.span), d.fix.replacement]
    return [d.code, d.message, _span(d.span), d.help, d.severity.value, fix, None if d.file == display else d.file]


def _to_diagnostic(data, display: str) -> Diagnostic:
    if not _rules:
        _rules.update((r.code, r) for r in all_rules())
    code, message, span, help, severity, fix, file = data
    rule = _rules.get(code)
    if rule is None:
        raise ValueError(f"no rule {code}")
    return Diagnostic(rule, _str(message), display if file is None else _str(file), None if span is None else _to_span(span),
                      _optional(help, str), Severity(severity), None if fix is None else Fix(_to_span(fix[0]), _str(fix[1])))


# --------------------------------------------------------------------------- flows


def _flow(f: FlowFacts) -> list:
    return [
        f.namespace, f.id, f.disabled,
        [[i.ident, i.kind, i.required, _names(i.options)] for i in f.inputs],
        f.declares_outputs, _names(f.outputs),
        [[c.task_id, c.namespace, c.flow_id, _span(c.namespace_span), _span(c.flow_id_span), c.pinned, c.inputs_property,
          _names(c.given), [[g.key, _span(g.key_span), g.shape, g.value, _span(g.span)] for g in c.written],
          _span(c.inputs_span), _names(c.legacy_outputs)] for c in f.calls],
        [[r.task_id, r.output, _span(r.span), r.in_branch] for r in f.reads],
        [[u.namespace, u.flow_id, _span(u.namespace_span), _span(u.flow_id_span)] for u in f.upstream],
    ]


def _to_flow(data) -> FlowFacts:
    namespace, ident, disabled, inputs, declares_outputs, outputs, calls, reads, upstream = data
    return FlowFacts(
        _optional(namespace, str), _optional(ident, str), _bool(disabled),
        tuple(InputFacts(_str(i), _str(k), _bool(r), _to_names(o)) for i, k, r, o in inputs),
        _bool(declares_outputs), _to_names(outputs),
        tuple(CallFacts(_str(task), _optional(ns, str), _optional(fid, str), _to_span(ns_span), _to_span(id_span), _bool(pinned),
                        _optional(prop, str), _to_names(given),
                        tuple(GivenInput(_str(k), _to_span(ks), _str(shape), _scalar(v), _to_span(vs)) for k, ks, shape, v, vs in written),
                        _to_span(inputs_span), _to_names(legacy))
              for task, ns, fid, ns_span, id_span, pinned, prop, given, written, inputs_span, legacy in calls),
        tuple(ReadFacts(_str(task), _optional(output, str), _to_span(span), _bool(branch)) for task, output, span, branch in reads),
        tuple(UpstreamFacts(_str(ns), _str(fid), _to_span(a), _to_span(b)) for ns, fid, a, b in upstream),
    )


def _names(names: tuple[str, ...] | None) -> list | None:
    return None if names is None else list(names)


def _to_names(data) -> tuple[str, ...] | None:
    return None if data is None else tuple(_str(n) for n in data)


# --------------------------------------------------------------------------- checked scalars


def _str(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _int(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _bool(value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {value!r}")
    return value


def _optional(value, kind):
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool) and kind is int):
        raise TypeError(f"expected {kind.__name__} or null, got {value!r}")
    return value


def _scalar(value):
    """A YAML scalar's typed value: str, int, float, bool or None."""
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise TypeError(f"expected a scalar, got {value!r}")
    return value
