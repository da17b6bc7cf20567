"""Loop names from the model's docs.

Two conventions, in the model's doc or any variable's doc:

- a **chain**: a line ``R1 agglomeration: large_firms -> business_climate -> firm_births``
  (``->`` or ``→``; names as in the model). A loop that visits every named variable in that
  cyclic order (others may come between) is R1. A chain that no loop follows is reported:
  the documented loop does not close;
- a **tag**: ``R1`` or ``B2`` mentioned in a variable's doc. Without a chain, a loop is named
  by the tag carried by at least two and at least half of its variables (the most common).

The letter is the documented polarity (R reinforcing, B balancing); when the loop's scores
say otherwise, a note says so. Several loops matching one name are ``R1``, ``R1b``, ``R1c``.
Loops matching no name are numbered ``L1``, ``L2`` … in the order found.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..model import Model
from ..names import canonical
from .loops import CausalGraph

__all__ = ["Documented", "name_loops"]

_ID = re.compile(r"\b([RB]\d+)\b")
_CHAIN = re.compile(r"\b([RB]\d+)\b([^:\n]*):\s*([^\n]*(?:->|→)[^\n]*)")
_ARROW = re.compile(r"->|→")


@dataclass(frozen=True)
class Documented:
    """Chains ``id -> (label, [keys])`` and tags ``key -> {ids}`` found in the docs."""

    chains: dict[str, tuple[str, tuple[str, ...]]]
    tags: dict[str, set[str]]
    labels: dict[str, str]

    @classmethod
    def from_model(cls, model: Model) -> Documented:
        chains: dict[str, tuple[str, tuple[str, ...]]] = {}
        tags: dict[str, set[str]] = {}
        labels: dict[str, str] = {}
        texts = [("", model.doc)] + [(v.key, v.doc) for v in model.variables]
        for key, text in texts:
            for match in _CHAIN.finditer(text or ""):
                loop_id, label, chain = match.groups()
                names = [canonical(n) for n in _ARROW.split(chain) if n.strip()]
                names = [n.rstrip(".;,") for n in names]
                if len(names) >= 2 and all(n in model for n in names):
                    keys = tuple(model[n].key for n in names)
                    if keys[-1] == keys[0]:
                        keys = keys[:-1]
                    chains.setdefault(loop_id, (label.strip(), keys))
            for loop_id in _ID.findall(text or ""):
                if key:
                    tags.setdefault(key, set()).add(loop_id)
                labels.setdefault(loop_id, "")
        for loop_id, (label, _) in chains.items():
            labels[loop_id] = label
        return cls(chains, tags, labels)


def _follows(cycle: tuple[str, ...], chain: tuple[str, ...]) -> bool:
    if not set(chain) <= set(cycle):
        return False
    start = cycle.index(chain[0])
    positions = [(cycle.index(k) - start) % len(cycle) for k in chain]
    return positions == sorted(positions)


def name_loops(
    cg: CausalGraph,
    cycles: list[tuple[str, ...]],
    scores: np.ndarray,
    partitions: np.ndarray,
    documented: Documented,
):
    """Loops named and with their observed polarity, and notes about the documentation."""
    from .ltm import Loop

    ids: list[str | None] = []
    for cycle in cycles:
        chosen = next(
            (i for i, (_, chain) in documented.chains.items() if _follows(cycle, chain)), None
        )
        if chosen is None:
            counts = Counter(t for k in cycle for t in documented.tags.get(k, ()))
            if counts:
                tag, count = counts.most_common(1)[0]
                if count >= 2 and count * 2 >= len(cycle) and tag not in documented.chains:
                    chosen = tag
        ids.append(chosen)
    used: Counter[str] = Counter()
    loops, notes, numbered = [], [], 0
    for j, (cycle, loop_id) in enumerate(zip(cycles, ids, strict=True)):
        polarity = _polarity(scores[:, j, :])
        if loop_id is None:
            numbered += 1
            name, label = f"L{numbered}", ""
        else:
            used[loop_id] += 1
            suffix = "" if used[loop_id] == 1 else chr(ord("a") + used[loop_id] - 1)
            name, label = f"{loop_id}{suffix}", documented.labels.get(loop_id, "")
            if polarity != "U" and polarity != loop_id[0]:
                kind = {"R": "reinforcing", "B": "balancing"}
                notes.append(
                    f"{name} is documented as {kind[loop_id[0]]} but its loop score "
                    f"says {kind[polarity]}"
                )
        # a DELAY's hidden argument copies its input, and a SMTH's hidden stock and rate
        # share one name: each builtin shows once
        shown = [cg.display(k) for k in cycle if not k.startswith("#arg")]
        variables = tuple(v for i, v in enumerate(shown) if i == 0 or v != shown[i - 1])
        loops.append(Loop(name, cycle, variables, polarity, label, int(partitions[j])))
    for loop_id, (label, chain) in documented.chains.items():
        if not used[loop_id]:
            path = " -> ".join(cg.display(k) for k in chain)
            notes.append(
                f"{loop_id} {label}: the documented chain {path} does not close "
                "into a feedback loop"
            )
    for loop_id in documented.labels:
        if loop_id not in documented.chains and not used[loop_id]:
            notes.append(f"{loop_id} is mentioned in the docs but no loop carries its tag")
    return loops, notes


def _polarity(scores: np.ndarray) -> str:
    positive, negative = (scores > 0).any(), (scores < 0).any()
    if positive and not negative:
        return "R"
    if negative and not positive:
        return "B"
    return "U"
