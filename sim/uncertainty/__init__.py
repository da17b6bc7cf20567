"""Batch uncertainty: distributions, sampling in chunks, mergeable summaries, sensitivity,
scenario discovery and feasibility maps, over any vectorized evaluator."""

from __future__ import annotations

from .distributions import (
    Choice,
    Distribution,
    LogNormal,
    Triangular,
    TruncNormal,
    Uniform,
    parse_distribution,
)

__all__ = [
    "Choice",
    "Distribution",
    "LogNormal",
    "Triangular",
    "TruncNormal",
    "Uniform",
    "parse_distribution",
]
