"""Batch uncertainty over any vectorized evaluator: distributions, designs sliceable by
(seed, offset), exactly mergeable summaries, executors, sensitivity (Sobol', Morris, tornado),
scenario discovery (PRIM) and feasibility maps.

Figures live in `sim.uncertainty.figures` (imported on demand: it loads matplotlib).
"""

from __future__ import annotations

from .accumulate import Binning, Histogram, Probability, Summarizer, Summary, wilson
from .batch import Batch, BatchResult, Target, Threshold, run_batch
from .distributions import (
    Choice,
    Distribution,
    LogNormal,
    Triangular,
    TruncNormal,
    Uniform,
    parse_distribution,
)
from .executors import EXECUTORS, DaskExecutor, LocalExecutor, ProcessExecutor, make_executor
from .feasibility import FeasibilityMap, feasibility_map
from .morris import MorrisResult, morris
from .prim import PrimBox, PrimResult, prim
from .sampling import Design, Method, chunk_bounds
from .sensitivity import SobolResult, sobol
from .tornado import TornadoResult, tornado

__all__ = [
    "EXECUTORS",
    "Batch",
    "BatchResult",
    "Binning",
    "Choice",
    "DaskExecutor",
    "Design",
    "Distribution",
    "FeasibilityMap",
    "Histogram",
    "LocalExecutor",
    "LogNormal",
    "Method",
    "MorrisResult",
    "PrimBox",
    "PrimResult",
    "Probability",
    "ProcessExecutor",
    "SobolResult",
    "Summarizer",
    "Summary",
    "Target",
    "Threshold",
    "TornadoResult",
    "Triangular",
    "TruncNormal",
    "Uniform",
    "chunk_bounds",
    "feasibility_map",
    "make_executor",
    "morris",
    "parse_distribution",
    "prim",
    "run_batch",
    "sobol",
    "tornado",
    "wilson",
]
