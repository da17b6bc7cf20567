"""Batch runs: identical numbers whatever the chunk size and executor."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.errors import UserInputError
from sim.uncertainty.batch import Batch, Threshold, run_batch
from sim.uncertainty.executors import make_executor
from sim.uncertainty.sampling import Design
from sim.uncertainty.testfunctions import GROWTH_DISTS, growth

TARGETS = (
    Threshold("final_150", "final", 150.0),
    Threshold("cumulative_650", "cumulative", 650.0),
    Threshold("final_below_170", "final", 170.0, op="<="),
)


def _batch(n: int = 3000, seed: int = 7, method: str = "mc") -> Batch:
    return Batch(
        Design(GROWTH_DISTS, n=n, seed=seed, method=method),
        growth,
        TARGETS,
        trajectories=("level",),
        times=tuple(range(2015, 2021)),
    )


def _json(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True)


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_chunk_size_does_not_change_the_result(method: str) -> None:
    batch = _batch(method=method)
    reference = _json(run_batch(batch, chunk_size=3000, show_progress=False))
    for size in (1, 7, 1000, 2999, 5000):
        if size == 1:
            small = _batch(n=40, method=method)
            assert _json(run_batch(small, chunk_size=1, show_progress=False)) == _json(
                run_batch(small, chunk_size=40, show_progress=False)
            )
            continue
        assert _json(run_batch(batch, chunk_size=size, show_progress=False)) == reference


def test_probabilities_agree_with_a_direct_computation() -> None:
    batch = _batch()
    result = run_batch(batch, chunk_size=512, show_progress=False)
    outputs = growth(batch.design.sample())
    probabilities = result.probabilities()
    flags = []
    for target in TARGETS:
        met = target.met(outputs)
        flags.append(met)
        p = probabilities[target.name]
        assert p.met == int(met.sum()) and p.n == 3000
        assert p.low <= p.p <= p.high
    assert probabilities["all"].met == int(np.logical_and.reduce(flags).sum())
    table = result.metric_table("final")
    assert table["mean"] == pytest.approx(outputs["final"].mean(), rel=1e-14)
    assert table["q50"] == pytest.approx(np.median(outputs["final"]), abs=0.05)
    fan = result.fan("level")
    assert fan.shape == (6, 5)
    np.testing.assert_allclose(fan[:, 2], np.median(outputs["level"], axis=1), atol=0.2)


def test_to_dict_is_plain_json() -> None:
    data = run_batch(_batch(n=200), show_progress=False).to_dict()
    assert set(data["targets"]) == {t.name for t in TARGETS}
    assert 0 <= data["all_targets"]["p"] <= 1
    assert data["uncertain"]["growth"] == "uniform(0, 0.2)"
    assert len(data["trajectories"]["level"]["q50"]) == 6
    json.dumps(data)


def test_records_arrive_in_order_with_inputs_and_flags() -> None:
    batch = _batch(n=100)
    seen: list[dict] = []
    run_batch(batch, chunk_size=30, records=seen.append, show_progress=False)
    assert [len(c["sample"]) for c in seen] == [30, 30, 30, 10]
    samples = np.concatenate([c["sample"] for c in seen])
    np.testing.assert_array_equal(samples, np.arange(100))
    growth_values = np.concatenate([c["growth"] for c in seen])
    np.testing.assert_array_equal(growth_values, batch.design.sample()["growth"])
    assert {"final", "cumulative", "met:final_150"} <= set(seen[0])


def test_unknown_output_is_a_user_error() -> None:
    batch = Batch(Design(GROWTH_DISTS, n=10, seed=1), growth, (Threshold("x", "nope", 1.0),))
    with pytest.raises(UserInputError, match="no output 'nope'"):
        run_batch(batch, show_progress=False)


def test_process_pool_gives_identical_numbers() -> None:
    batch = _batch()
    reference = _json(run_batch(batch, chunk_size=1000, show_progress=False))
    with make_executor("processes", workers=2) as ex:
        assert (
            _json(run_batch(batch, executor=ex, chunk_size=400, show_progress=False)) == reference
        )


def test_dask_local_cluster_gives_identical_numbers() -> None:
    pytest.importorskip("dask.distributed")
    batch = _batch()
    reference = _json(run_batch(batch, chunk_size=1000, show_progress=False))
    with make_executor("dask", workers=2) as ex:
        assert (
            _json(run_batch(batch, executor=ex, chunk_size=700, show_progress=False)) == reference
        )


def test_fans_use_the_first_fan_samples_rows_only() -> None:
    batch = Batch(
        Design(GROWTH_DISTS, n=3000, seed=7), growth, TARGETS, trajectories=("level",),
        times=tuple(range(2015, 2021)), fan_samples=1000,
    )  # fmt: skip
    whole = run_batch(batch, chunk_size=3000, show_progress=False)
    assert whole.summary.trajectories["level"].count.tolist() == [1000] * 6
    assert whole.to_dict()["trajectories"]["level"]["runs"] == 1000
    chunked = run_batch(batch, chunk_size=333, show_progress=False)
    assert _json(chunked) == _json(whole)
