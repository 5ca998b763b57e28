"""The options of a run, shared by compiled scripts and `flowc run` (kept light: `flowc`
builds its parser on every command)."""
from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a run, shared by compiled scripts and `flowc run`."""
    p.add_argument("-i", "--input", action="append", default=[], metavar="NAME=VALUE",
                   help="an input of the flow (repeatable); FILE inputs take a local path")
    p.add_argument("--inputs", metavar="FILE", help="inputs from a JSON or YAML file (a map of names to values)")
    p.add_argument("--json", action="store_true", help="print the execution's summary as JSON on stdout")
    p.add_argument("--resume", metavar="EXECUTION_ID",
                   help="restart a FAILED, KILLED or PAUSED execution: what succeeded is not run again")
    p.add_argument("--home", default=".flowc", metavar="DIR",
                   help="where runs, the KV store and the state store live (default: .flowc)")
    p.add_argument("--log-level", default="INFO", choices=["TRACE", "DEBUG", "INFO", "WARN", "ERROR"],
                   help="the least level of logs printed (default: INFO)")
    p.add_argument("--label", action="append", default=[], metavar="KEY=VALUE", help="a label of the execution")
    p.add_argument("--trigger", choices=["schedule", "webhook", "flow"],
                   help="run as this kind of trigger of the flow would start it (its `trigger.*` variables)")
    p.add_argument("--trigger-id", metavar="ID", help="which trigger, when the flow has several of that kind")
    p.add_argument("--date", metavar="ISO", help="with --trigger schedule: the scheduled date (default: its last fire time)")
    p.add_argument("--body", metavar="TEXT", help="with --trigger webhook: the request body (JSON or text)")
    p.add_argument("--upstream", metavar="NAMESPACE.FLOW_ID",
                   help="with --trigger flow: the flow whose execution triggers this one")
    p.add_argument("--state", metavar="STATE", help="with --trigger flow: the upstream execution's state (default: SUCCESS)")
    p.add_argument("--plugin-default", action="append", default=[], metavar="TYPE.PROPERTY=VALUE",
                   help="a property for every task of a type or package, winning over the flow's own "
                        "(repeatable; VALUE is JSON or text)")
