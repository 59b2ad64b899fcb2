"""Bills of materials: kits and assemblies exploded through every level."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from ..errors import Conflict, N_


def explode(edges: Iterable[tuple[int, int, float]], names: dict[int, str] | None = None) -> dict[int, dict[int, float]]:
    """parent -> {descendant: units of it in one parent}, summed over every path.

    A kit of 2 boxes of 3 screws each, plus 1 loose screw, holds 7 screws. A cycle
    (A contains B contains A) cannot be built and is refused."""
    children: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for parent, component, qty in edges:
        children[parent].append((component, float(qty)))
    names = names or {}
    done: dict[int, dict[int, float]] = {}
    visiting: list[int] = []

    def walk(p: int) -> dict[int, float]:
        if p in done:
            return done[p]
        if p in visiting:
            loop = visiting[visiting.index(p):] + [p]
            raise Conflict(N_("Bills of materials form a loop: {path}."),
                           path=" → ".join(names.get(x, str(x)) for x in loop))
        visiting.append(p)
        total: dict[int, float] = defaultdict(float)
        for c, q in children.get(p, ()):
            total[c] += q
            for d, qd in walk(c).items():
                total[d] += q * qd
        visiting.pop()
        done[p] = dict(total)
        return done[p]

    for parent in list(children):
        walk(parent)
    return {p: t for p, t in done.items() if t}
