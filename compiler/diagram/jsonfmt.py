"""The diagram as JSON (version 1): nodes, clusters, edges, for UIs and tests."""
from __future__ import annotations

import json
from dataclasses import asdict

from .model import Diagram

VERSION = 1


def render(diagram: Diagram, direction: str = "LR") -> str:
    payload = {
        "version": VERSION,
        "title": diagram.title,
        "direction": direction,
        "nodes": [asdict(n) for n in diagram.nodes],
        "clusters": [asdict(c) for c in diagram.clusters],
        "edges": [asdict(e) for e in diagram.edges],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
