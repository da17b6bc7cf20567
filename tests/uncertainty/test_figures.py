"""Every figure draws from a small result and writes a PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.uncertainty.batch import Batch, Threshold, run_batch
from sim.uncertainty.feasibility import feasibility_map
from sim.uncertainty.figures import (
    Fan,
    fan_chart,
    fan_grid,
    feasibility_chart,
    prim_chart,
    probability_bars,
    sobol_bars,
    tornado_chart,
)
from sim.uncertainty.prim import prim
from sim.uncertainty.sampling import Design
from sim.uncertainty.sensitivity import sobol
from sim.uncertainty.testfunctions import GROWTH_DISTS, growth
from sim.uncertainty.tornado import tornado

TARGET = Threshold("cumulative_650", "cumulative", 650.0)
PNG = b"\x89PNG"


def _is_png(path: Path) -> bool:
    return path.read_bytes()[:4] == PNG and path.stat().st_size > 5000


def test_every_figure_writes_a_png(tmp_path: Path) -> None:
    batch = Batch(
        Design(GROWTH_DISTS, n=500, seed=1),
        growth,
        (TARGET,),
        trajectories=("level",),
        times=tuple(range(2015, 2021)),
    )
    result = run_batch(batch, show_progress=False)
    p = result.probabilities()
    fan = Fan("level", "level", batch.times, result.fan("level"), (2020.0, 150.0))
    paths = [
        fan_chart(tmp_path / "fan.png", fan, samples=500),
        fan_grid(tmp_path / "fans.png", [fan] * 5, title="five fans"),
        probability_bars(
            tmp_path / "p.png",
            list(p),
            [v.p for v in p.values()],
            [v.low for v in p.values()],
            [v.high for v in p.values()],
            title="P(met)",
        ),
        sobol_bars(
            tmp_path / "sobol.png",
            sobol(growth, GROWTH_DISTS, ["cumulative"], n=64, seed=1, n_resamples=20),
            "cumulative",
            title="Sobol",
        ),
        tornado_chart(
            tmp_path / "tornado.png",
            tornado(growth, GROWTH_DISTS, ["cumulative"]),
            "cumulative",
            title="tornado",
            threshold=650.0,
        ),
    ]
    x = batch.design.sample()
    found = prim(np.column_stack(list(x.values())), growth(x)["cumulative"] < 650, tuple(x))
    paths.append(prim_chart(tmp_path / "prim.png", found, title="misses"))
    fmap = feasibility_map(
        growth,
        TARGET,
        ("growth", np.linspace(0, 0.2, 5)),
        ("shock", np.linspace(0, 0.3, 4)),
        GROWTH_DISTS,
        samples=20,
        seed=0,
    )
    paths.append(feasibility_chart(tmp_path / "map.png", fmap, title="map"))
    assert all(_is_png(path) for path in paths)
