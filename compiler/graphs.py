"""Small graph helpers for checks that must stay fast to import (no networkx)."""
from __future__ import annotations


def cycles(order: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components that form cycles (more than one node, or a node
    depending on itself), each listed in `order`, components ordered by their first node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in order:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in edges and nxt not in order:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    rank = {n: i for i, n in enumerate(order)}
                    found.append(sorted(component, key=lambda n: rank.get(n, len(rank))))
    rank = {n: i for i, n in enumerate(order)}
    return sorted(found, key=lambda c: rank.get(c[0], len(rank)))


def cycle_path(component: list[str], edges: dict[str, list[str]]) -> list[str]:
    """A shortest cycle through the first node of a cycle component: [a, b, ..., a]."""
    start = component[0]
    members = set(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in edges.get(node, ()):
                if nxt not in members:
                    continue
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start] + list(reversed(path))[1:] + [start] if len(path) > 1 else [start, start]
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    return component + [start]
