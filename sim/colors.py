"""One colour per scenario name, the same in every figure and report.

A colour follows from the name alone (never from the order scenarios were given in), so
``plan`` is the same blue in a comparison of two scenarios as in one of five. Common names have
fixed colours; any other name picks one of the palette by a digest of its text (stable across
runs and machines, unlike Python's ``hash``).
"""

from __future__ import annotations

import hashlib

__all__ = ["PALETTE", "scenario_color"]

PALETTE = (
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#d62728",  # red
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#7f7f7f",  # grey
    "#bcbd22",  # olive
    "#17becf",  # cyan
    "#393b79",  # indigo
    "#ad494a",  # brick
)
_FIXED = {
    "plan": 0,
    "trend": 1,
    "pessimistic": 3,
    "shock-2020": 4,
    "optimistic": 2,
    "baseline": 7,
    "uncertainty": 5,
}


def scenario_color(name: str) -> str:
    """The colour of scenario ``name`` (a hex string)."""
    if name in _FIXED:
        return PALETTE[_FIXED[name]]
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]
