"""Arrays: compile time of a 10,000-stock arrayed model, and throughput of an arrayed model of
100 elements × 3 stocks at n = 1,000 and 100,000 scenarios, beside PySD's on the same `.mdl`
(PySD runs one scenario a call: timed on `PYSD_RUNS` runs).

CPU seconds are given beside wall seconds: on a shared machine the wall clock mostly measures
the other processes."""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from sim.arrays import expand
from sim.collector import collector_paused
from sim.compiler import compile_model
from sim.model import Auxiliary, Constant, Dimension, Flow, Model, Stock, TimeSpec
from sim.simulate import Save, simulate
from sim.vensim import read_vensim

from .compile import flow_model
from .timing import best_time, first_compile

__all__ = ["AGING_MDL", "aging_model", "grid_model", "run", "stock_array"]

PYSD_RUNS = 20

AGING_MDL = """{UTF-8}
Region: (r1-r100) ~~|
birth rate = 0.03 ~ 1/Year ~|
maturation time = 15 ~ Year ~|
life time = 40 ~ Year ~|
initial adults[Region] = 100 ~ persons ~|
young[Region] = INTEG(births[Region] - maturing[Region], initial adults[Region] / 2) ~ persons ~|
adult[Region] = INTEG(maturing[Region] - aging[Region], initial adults[Region]) ~ persons ~|
old[Region] = INTEG(aging[Region] - deaths[Region], initial adults[Region] / 4) ~ persons ~|
births[Region] = birth rate * adult[Region] ~ persons/Year ~|
maturing[Region] = young[Region] / maturation time ~ persons/Year ~|
aging[Region] = adult[Region] / life time ~ persons/Year ~|
deaths[Region] = old[Region] / 10 ~ persons/Year ~|
population[Region] = young[Region] + adult[Region] + old[Region] ~ persons ~|
national = SUM(population[Region!]) ~ persons ~|
share[Region] = population[Region] / national ~ Dmnl ~|
INITIAL TIME = 0 ~ Year ~|
FINAL TIME = 20 ~ Year ~|
TIME STEP = 1 ~ Year ~|
SAVEPER = TIME STEP ~ Year ~|
"""
"""`aging_model` as Vensim writes it: 100 regions × 3 stocks."""


def stock_array(stocks: int) -> Model:
    """``stocks`` stocks as one arrayed stock and its arrayed inflow: the arrayed twin of
    `benchmarks.compile.flow_model` (as many stocks and flows)."""
    n = Dimension("N", tuple(f"e{i}" for i in range(stocks)))
    return Model(
        "stock array",
        (
            Constant("rate", value=0.1),
            Stock("stock", initial="1", inflows=("flow",), dims=("N",)),
            Flow("flow", equation="rate * (N / 1000 - stock[N])", dims=("N",)),
        ),
        TimeSpec(0.0, 10.0, 1.0),
        dimensions=(n,),
    )


def grid_model(rows: int, cols: int) -> Model:
    """One stock per element of a ``rows`` × ``cols`` array, each filled toward a target that
    depends on its row and column, and their total."""
    dims = (
        Dimension("Row", tuple(f"r{i}" for i in range(rows))),
        Dimension("Col", tuple(f"c{j}" for j in range(cols))),
    )
    return Model(
        "grid",
        (
            Constant("rate", value=0.1),
            Auxiliary("target", equation="Row * 10 + Col", dims=("Row", "Col")),
            Stock("level", initial="1", inflows=("fill",), dims=("Row", "Col")),
            Flow(
                "fill", equation="rate * (target[Row, Col] - level[Row, Col])", dims=("Row", "Col")
            ),
            Auxiliary("total", equation="SUM(level[*, *])"),
        ),
        TimeSpec(0.0, 10.0, 1.0),
        dimensions=dims,
    )


def aging_model(elements: int) -> Model:
    """``elements`` regions × 3 stocks (young, adult, old) in an aging chain, with births
    from adults, a national total and each region's share of it: 100 × 3 in the benchmark."""
    region = Dimension("Region", tuple(f"region {i}" for i in range(elements)))
    r = ("Region",)
    return Model(
        "aging",
        (
            Constant("birth rate", value=0.03),
            Constant("maturation time", value=15.0),
            Constant("life time", value=40.0),
            Constant("initial adults", dims=r, value=100.0),
            Stock("young", initial="initial adults[Region] / 2", inflows=("births",),
                  outflows=("maturing",), dims=r),
            Stock("adult", initial="initial adults", inflows=("maturing",),
                  outflows=("aging",), dims=r),
            Stock("old", initial="initial adults / 4", inflows=("aging",), outflows=("deaths",),
                  dims=r),
            Flow("births", equation="birth rate * adult[Region]", dims=r),
            Flow("maturing", equation="young / maturation time", dims=r),
            Flow("aging", equation="adult / life time", dims=r),
            Flow("deaths", equation="old / 10", dims=r),
            Auxiliary("population", equation="young + adult + old", dims=r),
            Auxiliary("national", equation="SUM(population[*])"),
            Auxiliary("share", equation="population / national", dims=r),
        ),
        TimeSpec(0.0, 20.0, 1.0),
        dimensions=(region,),
    )  # fmt: skip


def _compile_time(model: Model, label: str, figures: dict[str, float]) -> float:
    first_compile()
    cpu = time.process_time()
    with collector_paused():  # as inside `compile_model`, whose share it is
        expand(model)
    figures[f"s to expand {label}, CPU"] = time.process_time() - cpu
    first_compile()
    wall, cpu = time.perf_counter(), time.process_time()
    compile_model(model)
    cpu = time.process_time() - cpu
    figures[f"s to compile {label} (expansion in), CPU"] = cpu
    figures[f"s to compile {label} (expansion in), wall"] = time.perf_counter() - wall
    return cpu


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    arrayed = _compile_time(stock_array(10_000), "stock[N]+flow[N], N=10,000", figures)
    scalar_model = flow_model(10_000)
    first_compile()
    cpu = time.process_time()
    compile_model(scalar_model)
    scalar = time.process_time() - cpu
    figures["s to compile the same written out (scalar), CPU"] = scalar
    figures["arrayed / written-out compile time"] = arrayed / scalar
    _compile_time(grid_model(100, 100), "100 × 100 × 3 variables", figures)
    compiled = compile_model(aging_model(100))
    final = Save(variables=["national"], times=[20.0])
    rng = np.random.default_rng(0)
    for n in (1_000, 100_000):
        params = {
            "birth rate": rng.uniform(0.01, 0.05, n),
            "initial adults[region 7]": rng.uniform(50, 150, n),
        }
        seconds = best_time(lambda p=params: simulate(compiled, p, save=final))
        figures[f"100 regions × 3 stocks: runs/s at n={n:,}"] = n / seconds
    figures |= _against_pysd()
    return figures


def _against_pysd() -> dict[str, float]:
    """The same model from one `.mdl` file: ours vectorized over 1,000 scenarios, PySD one run
    a call; and how far apart their national totals at the end are (a check, not a speed)."""
    with warnings.catch_warnings():  # PySD's own dependency deprecations, not ours
        warnings.filterwarnings("ignore", module=r"(pysd|chardet|parsimonious)(\.|$)")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        import pysd

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "aging.mdl"
            path.write_text(AGING_MDL, encoding="utf-8")
            ours = compile_model(read_vensim(path))
            theirs = pysd.read_vensim(str(path))
            rates = np.random.default_rng(1).uniform(0.01, 0.05, 1_000)
            final = Save(variables=["national"], times=[20.0])
            seconds = best_time(lambda: simulate(ours, {"birth rate": rates}, save=final))
            mine = simulate(ours, {"birth rate": rates[:PYSD_RUNS]}, save=final)
            started, totals = time.perf_counter(), []
            for rate in rates[:PYSD_RUNS]:
                out = theirs.run(params={"birth rate": float(rate)}, return_columns=["national"])
                totals.append(float(out["national"].iloc[-1]))
            pysd_rate = PYSD_RUNS / (time.perf_counter() - started)
    ours_rate = len(rates) / seconds
    gap = np.max(np.abs(mine["national"][-1] / np.array(totals) - 1))
    return {
        "same .mdl, ours: runs/s at n=1,000": ours_rate,
        f"same .mdl, PySD: runs/s (one a call, {PYSD_RUNS} runs)": pysd_rate,
        "ours / PySD throughput": ours_rate / pysd_rate,
        "largest relative gap of the national totals, ours vs PySD": float(gap),
    }
