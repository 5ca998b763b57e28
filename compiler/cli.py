"""The `flowc` command line.

Exit codes: 0 no error (warnings allowed), 1 at least one error, 2 usage or configuration
error, 3 internal failure. Heavy modules are imported by the commands that need them.
"""
from __future__ import annotations

import argparse
import sys

from . import __version__
from .errors import UsageError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own usage errors exit 2 too, with our prefix
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"flowc: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flowc", description="Check, draw and compile Kestra flows offline.")
    parser.add_argument("--version", action="version", version=f"flowc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check flow files and report every problem",
                           description="Check flow files: a file, or a directory searched for flow YAML files.")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="flow file or directory (`-` reads standard input); default: the configuration's `paths`, or `.`")
    check.add_argument("--format", choices=("full", "concise", "json", "github", "sarif"), default="full",
                       help="output format (default: full)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the output (default: auto; NO_COLOR is honoured)")
    check.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when errors are found")
    check.add_argument("--stdin-filename", metavar="NAME", default="-", help="name to report for standard input")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes in place, then report what remains")
    check.add_argument("--diff", action="store_true", help="print the safe fixes as a unified diff, change no file")
    check.add_argument("--no-ignores", action="store_true",
                       help="disregard `# flowc: ignore[...]` comments: report everything they hide")
    check.add_argument("--statistics", action="store_true", help="print how many diagnostics of each rule instead of each one")
    check.add_argument("--no-cache", action="store_true",
                       help="check every file again: neither read nor write the cache (.flowc_cache/ at the project root)")
    check.add_argument("--show-graph", action="store_true",
                       help="also print each flow's task tree (on standard error with --format json or sarif)")
    check.add_argument("--select", metavar="CODES", help="only these rules (codes, prefixes or names, comma-separated)")
    check.add_argument("--extend-select", metavar="CODES", help="these rules too")
    check.add_argument("--ignore", metavar="CODES", help="not these rules")
    check.add_argument("--strict", action="store_true", default=None, help="plugins flowc does not know are errors")
    check.add_argument("--config", metavar="FILE", help="use this flowc.toml or pyproject.toml, not the nearest one")
    check.add_argument("--show-settings", action="store_true", help="print the settings that apply to the first PATH, then exit")
    check.add_argument("--target-version", metavar="VERSION", default=None,
                       help="Kestra version the flows deploy to (default: 1.3): features it lacks or removed are reported")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    rule = sub.add_parser("rule", help="explain one rule")
    rule.add_argument("code", metavar="CODE", help="a rule code (S101) or name (unknown-property)")

    ev = sub.add_parser("eval", help="render an expression as Kestra would",
                        description="Render a template (`{{ ... }}`, `{% ... %}`) exactly as Kestra would, without a server.")
    ev.add_argument("template", metavar="TEMPLATE", help="the template; `-` reads it from standard input")
    ev.add_argument("--context", metavar="FILE", help="variables as a JSON or YAML mapping (e.g. {\"inputs\": {...}, \"outputs\": {...}})")
    ev.add_argument("--typed", action="store_true", help="typed rendering: a lone `{{ x }}` keeps its type (printed on standard error)")
    ev.add_argument("--recursive", action="store_true", help="render the result again until it no longer changes")

    graph = sub.add_parser("graph", help="draw a flow as Mermaid, Graphviz DOT, SVG or JSON",
                           description="Draw a flow's tasks, branches and dependencies, straight from the YAML.")
    graph.add_argument("path", metavar="FLOW", help="a flow file, or with --dependencies a directory")
    graph.add_argument("--dependencies", action="store_true",
                       help="draw how the flows under the path call each other (Subflow, ForEachItem, Flow triggers)")
    graph.add_argument("--format", choices=("mermaid", "dot", "svg", "json"), default="mermaid", help="output format (default: mermaid)")
    graph.add_argument("--direction", choices=("LR", "TB"), default="LR", help="left to right (default) or top to bottom")
    graph.add_argument("-o", "--output", metavar="FILE", help="write the diagram to FILE")
    graph.add_argument("--flow", metavar="ID", help="the flow to draw, when the file holds several (separated by ---)")
    graph.add_argument("--engine", choices=("flowc", "dot"), default="flowc",
                       help="SVG layout: flowc's own (default, needs nothing) or Graphviz `dot` if installed")

    comp = sub.add_parser("compile", help="compile a flow into a standalone Python script",
                          description="Compile a flow, and the flows it calls, into one Python script that runs it "
                                      "with Kestra's semantics: `python flow.py --help`.")
    comp.add_argument("path", metavar="FLOW", help="the flow file")
    comp.add_argument("-o", "--output", metavar="FILE", help="write the script to FILE (default: standard output)")
    comp.add_argument("--bundle", action="store_true",
                      help="inline flowc's runtime: the script runs on any Python >= 3.11 with nothing installed")
    _program_arguments(comp)

    run = sub.add_parser("run", help="run a flow on this machine, as Kestra would",
                         description="Compile a flow and run it at once, with Kestra's semantics, without a server.")
    run.add_argument("path", metavar="FLOW", help="the flow file")
    _program_arguments(run)
    from runtime.options import add_arguments

    add_arguments(run)

    sched = sub.add_parser("schedule", help="list the next fire times of a flow's Schedule triggers")
    sched.add_argument("path", metavar="FLOW", help="the flow file")
    sched.add_argument("--next", type=int, default=5, metavar="N", help="how many fire times (default: 5)")
    sched.add_argument("--from", dest="start", metavar="ISO", help="list those after this date-time (default: now)")
    sched.add_argument("--flow", metavar="ID", help="the flow, when the file holds several")

    schema = sub.add_parser("schema", help="print the JSON Schema of flows, for editors")
    schema.add_argument("-o", "--output", metavar="FILE", help="write the schema to FILE")
    return parser


def _program_arguments(parser) -> None:
    parser.add_argument("--flow", metavar="ID", help="the flow to compile, when the file holds several")
    parser.add_argument("--flows", action="append", metavar="PATH",
                        help="where the flows it calls are (repeatable; default: the flow file's directory)")


def main(argv: list[str] | None = None) -> int:
    from .config import ConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as e:
        print(f"flowc: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as e:
        print(f"flowc: configuration error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # the last line of defence: never a bare traceback
        import traceback

        detail = traceback.format_exc(limit=-3)
        print(f"flowc: internal error: {type(e).__name__}: {e}\nThis is a bug in flowc; please report it with the file that caused it.\n{detail}",
              file=sys.stderr)
        return EXIT_INTERNAL


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as e:
            raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
    else:
        sys.stdout.write(text)


def cmd_check(args) -> int:
    from pathlib import Path

    from .diagnostics import Severity
    from .plan import Plan
    from .reporters import Report, Style, render, use_color

    plan = Plan(args)
    if args.show_settings:
        from .config import describe

        first = Path(plan.paths[0])
        _write(describe(plan.config_of(first / "-" if first.is_dir() else first)), None)
        return EXIT_OK
    found = plan.find()
    if (args.fix or args.diff) and any(item.display == "-" for item in found):
        raise UsageError("--fix and --diff work on files, not standard input")
    if args.fix or args.diff:
        paths = {item.display: item.path for item in found}
        changed = {}
        for result in plan.check(found):
            if any(d.fix for d in result.diagnostics) and (original := _read_text(paths[result.path])) is not None:
                bom, text = original
                fixed, count = _fix_until_stable(text, result, plan, Path(paths[result.path]))
                if count:
                    changed[result.path] = (bom, text, fixed, count)
        if args.diff:
            return _print_diff(changed)
        for display, (bom, _, fixed, _) in changed.items():
            with open(paths[display], "w", encoding="utf-8", newline="") as handle:
                handle.write(bom + fixed)
        total = sum(count for *_, count in changed.values())
        print(f"flowc: fixed {total} problem{'s' if total != 1 else ''} in {len(changed)} file{'s' if len(changed) != 1 else ''}",
              file=sys.stderr)
    results = plan.check(found)
    report = Report(
        files=[r.path for r in results],
        diagnostics=[d for r in results for d in r.diagnostics],
        sources={r.path: r.source for r in results},
    )
    color = args.output_file is None and args.format in ("full", "concise") and use_color(args.color, sys.stdout)
    if args.statistics:
        from .reporters.statistics import render as statistics

        _write(statistics(report, Style(color=color)), args.output_file)
    else:
        _write(render(args.format, report, Style(color=color)), args.output_file)
    if args.show_graph:
        _show_graphs(results, sys.stderr if args.format in ("json", "sarif") and args.output_file is None else sys.stdout)
    if args.exit_zero:
        return EXIT_OK
    return EXIT_ERRORS if report.count(Severity.ERROR) else EXIT_OK


def _fix_until_stable(text: str, result, plan, path) -> tuple[str, int]:
    """Apply fixes, check the new text, and again while fixes apply: a fix may uncover another
    (an expression is analysed further once its first problem is gone). Stops after 10 rounds."""
    from .checker import check_project, check_text
    from .fixes import apply

    diagnostics, count = result.diagnostics, 0
    for _ in range(10):
        outcome = apply(text, diagnostics)
        if not outcome.applied:
            break
        text, count = outcome.text, count + len(outcome.applied)
        config = plan.config_of(path)
        again = check_text(text, result.path, plan.registry(config), settings=plan.settings(config), project=False)
        diagnostics = plan.select(check_project([again], ignores=not plan.args.no_ignores)[0], path).diagnostics
    return text, count


def _read_text(path: str) -> tuple[str, str] | None:
    """(byte order mark, text) of a UTF-8 file, line endings untouched."""
    try:
        data = open(path, "rb").read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return ("\ufeff", data[1:]) if data.startswith("\ufeff") else ("", data)


def _print_diff(changed) -> int:
    import difflib

    for path, (_, text, fixed, _) in changed.items():
        old, new = (path, path) if path.startswith("/") else (f"a/{path}", f"b/{path}")
        sys.stdout.writelines(difflib.unified_diff(text.splitlines(keepends=True), fixed.splitlines(keepends=True), old, new))
    return EXIT_ERRORS if changed else EXIT_OK


def _show_graphs(results, stream) -> None:
    from .diagram.summary import summary, to_ascii

    try:
        "├└│".encode(stream.encoding or "ascii")
        plain = False
    except (LookupError, UnicodeEncodeError):
        plain = True  # a console that cannot print box-drawing characters
    for result in results:
        for flow in result.flows:
            if flow.graph is not None:
                text = f"\n{result.path}: {summary(flow)}"
                stream.write(to_ascii(text) if plain else text)


def cmd_rules(args) -> int:
    from .diagnostics import all_rules

    rules = all_rules()
    if args.format == "json":
        import json

        payload = [{"code": r.code, "name": r.name, "severity": r.severity.value, "family": r.family, "summary": r.summary} for r in rules]
        _write(json.dumps(payload, indent=2) + "\n", None)
        return EXIT_OK
    width = max(len(r.name) for r in rules)
    lines = [f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}" for r in rules]
    _write("\n".join(lines) + "\n", None)
    return EXIT_OK


def cmd_rule(args) -> int:
    from .diagnostics import find_rule

    found = find_rule(args.code)
    if found is None:
        print(f"flowc: error: no rule named {args.code!r} (see `flowc rules`)", file=sys.stderr)
        return EXIT_USAGE
    header = f"# {found.code} {found.name}\n\nSeverity: {found.severity.value}. Family: {found.family}.\n\n{found.summary}\n\n"
    _write(header + found.doc, None)
    return EXIT_OK


def cmd_schema(args) -> int:
    import json

    from pathlib import Path

    from .config import for_directory
    from .plan import registry_for
    from .registry import bundle

    # the in-house types of the configuration's schema-dirs belong in the editor schema too
    registry = registry_for(for_directory(Path.cwd()))
    text = json.dumps(bundle(registry), indent=2, ensure_ascii=False) + "\n"
    _write(text, args.output)
    return EXIT_OK


def cmd_eval(args) -> int:
    from .evaluate import ContextError, load_context
    from .expr import RenderError, render
    from runtime.pebble.printing import output
    from runtime.pebble.values import class_name

    template = sys.stdin.read() if args.template == "-" else args.template
    try:
        context = load_context(args.context) if args.context else {}
    except ContextError as e:
        print(f"flowc: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        value = render(template, context, typed=args.typed, recursive=args.recursive)
    except RenderError as e:
        print(f"flowc: render error: {e}", file=sys.stderr)
        return EXIT_ERRORS
    sys.stdout.write(output(value) if args.typed else value)
    if sys.stdout.isatty():
        sys.stdout.write("\n")
    if args.typed:
        print(f"type: {class_name(value) or 'null'}", file=sys.stderr)
    return EXIT_OK


def cmd_graph(args) -> int:
    from .checker import check_file
    from .diagnostics import Severity
    from .diagram import build
    from .reporters import Report, Style, render as render_report

    from pathlib import Path

    if args.engine == "dot" and args.format != "svg":
        raise UsageError("--engine applies to --format svg only")
    if args.dependencies:
        return _graph_dependencies(args)
    if not Path(args.path).is_file():
        raise UsageError(f"no such file: {args.path}")
    result = check_file(args.path)
    flows = [flow for flow in result.flows if args.flow in (None, flow.id)]
    if not flows:  # nothing to draw: say why
        if args.flow is not None and result.flows:
            raise UsageError(f"{args.path} has no flow {args.flow!r}; it holds {', '.join(repr(f.id) for f in result.flows)}")
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
        sys.stderr.write(render_report("concise", Report([result.path], errors, {result.path: result.source}), Style()))
        return EXIT_ERRORS
    if len(flows) > 1:
        raise UsageError(f"{args.path} holds {len(flows)} flows ({', '.join(repr(f.id) for f in flows)}); choose one with --flow ID")
    _write(_draw(build(flows[0]), args), args.output)
    return EXIT_OK


def _draw(diagram, args) -> str:
    from .diagram import render

    if args.engine != "dot":
        return render(diagram, args.format, args.direction)
    import shutil
    import subprocess

    if shutil.which("dot") is None:
        raise UsageError("--engine dot needs Graphviz's `dot` on PATH; without --engine, flowc lays the SVG out itself")
    done = subprocess.run(["dot", "-Tsvg"], input=render(diagram, "dot", args.direction), capture_output=True, text=True)
    if done.returncode != 0:
        raise UsageError(f"dot failed: {done.stderr.strip()}")
    return done.stdout


def _graph_dependencies(args) -> int:
    from .checker import check_file
    from .diagram.dependencies import dependencies
    from .discovery import PathError, find_flows

    try:
        found = find_flows([args.path])
    except PathError as e:
        raise UsageError(str(e)) from None
    flows = [flow for item in found for flow in check_file(item.path, item.display).flows]
    _write(_draw(dependencies(flows, args.path), args), args.output)
    return EXIT_OK


def _program(args):
    """The checked program, or None after reporting why it cannot be compiled."""
    from .program import load

    program = load(args.path, args.flow, args.flows)
    if program.failed:
        _program_failed(args, program)
        return None
    return program


def _program_failed(args, program) -> int:
    from .reporters import Report, Style, render as render_report

    results = program.results
    sources = {r.path: r.source for r in results}
    diagnostics = [d for r in results for d in r.diagnostics]
    sys.stderr.write(render_report("full", Report([r.path for r in results], diagnostics, sources), Style()))
    print(f"flowc: {args.path} is not compiled: fix the errors above first", file=sys.stderr)
    return EXIT_ERRORS


def cmd_compile(args) -> int:
    program = _program(args)
    if program is None:
        return EXIT_ERRORS
    source = program.source()
    if args.bundle:
        from .codegen.bundle import bundle

        source = bundle(source)
    _write(source, args.output)
    return EXIT_OK


def cmd_run(args) -> int:
    from runtime.main import execute

    program = _program(args)
    if program is None:
        return EXIT_ERRORS
    source = program.source()
    namespace: dict = {"__name__": "flowc_compiled"}
    # flowc's own generated module, compiled and checked by the code generator: no user text is evaluated
    exec(compile(source, f"{args.path} (compiled)", "exec"), namespace)
    return execute(namespace["FLOWS"], args, plugin_defaults=_plugin_defaults(args.path))


def _plugin_defaults(path: str) -> list:
    """The configuration's `plugin-defaults` for the flow file's directory, as overrides."""
    import json
    from pathlib import Path

    from runtime.overrides import late

    from .config import for_directory

    return [(type_name, prop, late(json.loads(text)))
            for type_name, prop, text in for_directory(Path(path).resolve().parent).plugin_defaults]


def cmd_schedule(args) -> int:
    from datetime import datetime

    from runtime import triggers
    from runtime.cron import CronError, Schedule

    from .program import load

    if args.next < 1:
        raise UsageError("--next must be at least 1")
    program = load(args.path, args.flow, [args.path])
    if program.failed:
        return _program_failed(args, program)
    flow = program.flows[0]
    schedules = [p.values for p in flow.walk("trigger") if p.ptype is not None
                 and p.ptype.name in triggers.KINDS["schedule"]]
    if not schedules:
        print(f"{args.path}: the flow {flow.namespace}.{flow.id} has no Schedule trigger", file=sys.stderr)
        return EXIT_ERRORS
    for trigger in schedules:
        try:
            zone = triggers.zone_of(trigger)
            cron = Schedule(str(trigger.get("cron")), trigger.get("withSeconds") is True)
            when = datetime.fromisoformat(args.start) if args.start else datetime.now(zone)
        except (triggers.TriggerError, CronError, ValueError) as e:
            raise UsageError(f"trigger {trigger.get('id')}: {e}") from None
        when = when.replace(tzinfo=zone) if when.tzinfo is None else when.astimezone(zone)
        off = " (disabled)" if trigger.get("disabled") is True else ""
        print(f"{trigger.get('id')}: {trigger.get('cron')} in {getattr(zone, 'key', None) or zone}{off}")
        for _ in range(args.next):
            try:
                when = cron.next(when)
            except CronError as e:
                print(f"  {e}")
                break
            print(f"  {when.isoformat()}")
    return EXIT_OK


COMMANDS = {"check": cmd_check, "graph": cmd_graph, "rules": cmd_rules, "rule": cmd_rule, "schema": cmd_schema, "eval": cmd_eval,
            "compile": cmd_compile, "run": cmd_run, "schedule": cmd_schedule}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
