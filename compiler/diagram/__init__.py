"""Diagrams of flows: `build` a Diagram from a checked flow's task graph, then `render` it
as Mermaid, Graphviz DOT, SVG or JSON."""
from __future__ import annotations

import importlib

from .build import build
from .model import Cluster, Diagram, Edge, Node

FORMATS = {"mermaid": "mermaid", "dot": "dot", "svg": "svg", "json": "jsonfmt"}

__all__ = ["FORMATS", "build", "render", "Diagram", "Node", "Cluster", "Edge"]


def render(diagram: Diagram, format: str, direction: str = "LR") -> str:
    module = importlib.import_module(f"{__name__}.{FORMATS[format]}")
    return module.render(diagram, direction)
