"""Compile time of generated models of 1,250 to 10,000 stocks: it must grow linearly.

CPU seconds are given beside wall seconds: on a shared machine the wall clock mostly measures
the other processes. Each model is compiled as the first of its process would be
(`benchmarks.timing.first_compile`)."""

from __future__ import annotations

import time

from sim.compiler import compile_model
from sim.model import Auxiliary, Constant, Flow, Model, Stock, TimeSpec

from .timing import first_compile

__all__ = ["chain_model", "flow_model", "run"]

SIZES = (1_250, 2_500, 5_000, 10_000)


def chain_model(stocks: int) -> Model:
    """``stocks`` stocks in a ring, each with one inflow driven by the stock before it and one
    outflow, an auxiliary per stock and a shared constant: a model of 4·stocks variables."""
    variables: list = [Constant("rate", value=0.1), Constant("loss", value=0.05)]
    for i in range(stocks):
        previous = f"stock_{(i - 1) % stocks}"
        variables += [
            Stock(
                f"stock_{i}", initial=f"{i % 7} + 1", inflows=(f"in_{i}",), outflows=(f"out_{i}",)
            ),
            Flow(f"in_{i}", equation=f"rate * pressure_{i}"),
            Flow(f"out_{i}", equation=f"loss * stock_{i}"),
            Auxiliary(f"pressure_{i}", equation=f"{previous} - stock_{i} / 2"),
        ]
    return Model("chain", tuple(variables), TimeSpec(0.0, 10.0, 1.0))


def flow_model(stocks: int) -> Model:
    """The shape of issue 8's measurement: ``stocks`` stocks and as many flows, each stock
    filled by a flow that reads it and the stock before it."""
    variables: list = [Constant("rate", value=0.1)]
    for i in range(stocks):
        variables += [
            Stock(f"stock_{i}", initial="1", inflows=(f"flow_{i}",)),
            Flow(f"flow_{i}", equation=f"rate * (stock_{(i - 1) % stocks} - stock_{i})"),
        ]
    return Model("flows", tuple(variables), TimeSpec(0.0, 10.0, 1.0))


def _timed(model: Model, label: str, figures: dict[str, float]) -> None:
    first_compile()
    wall, cpu = time.perf_counter(), time.process_time()
    compile_model(model)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    figures[f"seconds to compile {label}, CPU"] = cpu
    figures[f"seconds to compile {label}, wall"] = wall


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    for stocks in SIZES:
        _timed(chain_model(stocks), f"{stocks:,} stocks ({4 * stocks:,} variables)", figures)
    _timed(flow_model(10_000), "10,000 stocks + 10,000 flows", figures)
    return figures
