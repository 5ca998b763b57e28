"""The command line of a compiled flow: `python flow.py --input name=value`.

Logs go to stderr; `--json` prints the execution's summary on stdout. Exit codes: 0 when
the execution ends SUCCESS or WARNING, 1 when it ends FAILED, KILLED or CANCELLED, 2 for bad
usage or inputs (nothing has run), 3 when it is PAUSED (continue it with `--resume ID`).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .engine import Engine, RunError
from .flowspec import Flow
from .journal import _default
from .options import add_arguments
from .states import State

EXIT = {State.SUCCESS: 0, State.WARNING: 0, State.FAILED: 1, State.KILLED: 1, State.CANCELLED: 1, State.PAUSED: 3}


def parser(flow: Flow) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=Path(sys.argv[0]).name,
                                description=f"Run the flow {flow.namespace}.{flow.id} (compiled from {flow.source}) "
                                            "with Kestra's semantics, on this machine.")
    add_arguments(p)
    return p


def main(flows: list[Flow], argv: list[str] | None = None, stream=None) -> int:
    return execute(flows, parser(flows[0]).parse_args(argv), stream)


def execute(flows: list[Flow], args, stream=None, plugin_defaults=()) -> int:
    """Run `flows[0]` as the parsed options say; the exit code. `plugin_defaults` come before
    the command line's `--plugin-default`s (which win)."""
    from .overrides import OverrideError, parse

    flow = flows[0]
    try:
        trigger, provided, labels = _trigger(flow, args)
        provided.update(_inputs(args))
        labels.update(_pair(item, "--label") for item in args.label)
        try:
            overrides = [*plugin_defaults, *(parse(item) for item in args.plugin_default)]
        except OverrideError as e:
            raise RunError(str(e)) from None
        engine = Engine({f.key: f for f in flows}, Path(args.home), args.log_level, stream, overrides=overrides)
        ex = engine.start(flow, provided, trigger=trigger, labels=labels, resume=args.resume)
    except RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the execution can be resumed with --resume", file=sys.stderr)
        return 1
    if args.json:
        json.dump(summary(ex), sys.stdout, default=_default, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return EXIT.get(ex.state, 1)


def summary(ex) -> dict:
    """The versioned machine-readable result of a run (documented in the README)."""
    return {
        "version": 1,
        "execution_id": ex.id,
        "state": ex.state.value,
        "namespace": ex.flow.namespace,
        "flow_id": ex.flow.id,
        "inputs": ex.inputs,
        "outputs": ex.flow_outputs or {},
        "labels": ex.labels,
        "taskruns": [{"task_id": tr.task.id, "state": tr.state.value, "value": tr.value, "attempts": tr.attempts,
                      "outputs": tr.outputs or {}} for tr in ex.taskruns],
    }


def _pair(item: str, flag: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise RunError(f"{flag} `{item}`: expected NAME=VALUE")
    return name, value


def _trigger(flow: Flow, args) -> tuple[dict | None, dict, dict]:
    """The trigger variables, inputs and labels of `--trigger`, if given."""
    from . import triggers

    try:
        if args.trigger == "schedule":
            return triggers.schedule(flow, args.trigger_id, args.date)
        if args.trigger == "webhook":
            return triggers.webhook(flow, args.trigger_id, args.body)
        if args.trigger == "flow":
            return triggers.flow_trigger(flow, args.trigger_id, args.upstream, args.state)
    except triggers.TriggerError as e:
        raise RunError(f"--trigger {args.trigger}: {e}") from None
    for flag in ("date", "body", "upstream", "state", "trigger_id"):
        if getattr(args, flag) is not None:
            raise RunError(f"--{flag.replace('_', '-')} needs --trigger")
    return None, {}, {}


def _inputs(args) -> dict:
    provided: dict = {}
    if args.inputs:
        path = Path(args.inputs)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise RunError(f"--inputs {path}: {e.strerror}") from None
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(text)
            else:
                from .pebble.yaml_reader import parse_yaml as load

                data = load(text)
        except Exception as e:  # the file's own syntax error, whatever the parser
            raise RunError(f"--inputs {path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {e}") \
                from None
        if not isinstance(data, dict):
            raise RunError(f"--inputs {path}: expected a map of input names to values")
        provided.update(data)
    for item in args.input:
        name, value = _pair(item, "--input")
        provided[name] = value
    return provided
