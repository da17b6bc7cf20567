"""The kernel against the numpy engine on the shipped models, the Hexi plan model and the
XMILE conformance models; batches against single runs; the block size; the dispatch."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import UserInputError
from sim.kernel import THRESHOLD, Unsupported, lower_model
from sim.kernel.run import run_program
from sim.modelfile import loads_model
from sim.models import resolve_model, shipped_model_names
from sim.scenario import load_scenario
from sim.simulate import Save, simulate
from sim.uncertainty.plan import plan_batch

from .helpers import assert_engines_agree, assert_same

pytest.importorskip("numba", reason="the kernel needs numba (pip install -e '.[fast]')")

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()
UNCERTAINTY = REPO / "scenarios" / "uncertainty.toml"
SCENARIOS = sorted((REPO / "scenarios").glob("*.toml"))


@cache
def _plan():
    """The plan model's scenario and 300 sampled parameter vectors."""
    batch, scenario, _ = plan_batch(UNCERTAINTY, samples=300, seed=3)
    return scenario, {**scenario.parameters, **batch.design.sample(0, 300)}


@pytest.fixture
def plan():
    return _plan()


@pytest.mark.parametrize("method", ["euler", "rk2", "rk4"])
def test_the_plan_model_matches_numpy(plan, method):
    scenario, params = plan
    assert_engines_agree(scenario.compiled, params, method=method, dt=scenario.dt)


@settings(max_examples=12)
@given(seed=st.integers(0, 2**32 - 1), edge=st.sampled_from(["inside", "bounds"]))
def test_the_plan_model_matches_numpy_anywhere_in_the_ranges(seed, edge):
    """Random parameter vectors within the declared ranges of the drawn constants, or on
    their bounds."""
    scenario, params = _plan()
    ranged = {c.key: c.range for c in scenario.model.constants if c.range is not None}
    rng = np.random.default_rng(seed)
    n = 6
    values = {
        name: rng.uniform(*ranged[name], n) if edge == "inside" else rng.choice(ranged[name], n)
        for name in sorted(set(ranged) & set(params))
    }
    params = {k: (np.resize(v, n) if np.ndim(v) else v) for k, v in params.items()}
    save = Save(times=[2016, 2018.5, 2021])
    assert_engines_agree(scenario.compiled, {**params, **values}, save=save, dt=scenario.dt)


def test_a_batch_equals_its_single_runs(plan):
    scenario, params = plan
    batch = simulate(scenario.compiled, params, engine="kernel", check_ranges=False)
    for i in (0, 7, 299):
        one = {k: (v[i] if np.ndim(v) else v) for k, v in params.items()}
        single = simulate(scenario.compiled, one, n=1, engine="kernel", check_ranges=False)
        np.testing.assert_array_equal(single.values[..., 0], batch.values[..., i])


def test_the_block_size_does_not_change_a_number(plan):
    scenario, params = plan
    compiled = scenario.compiled
    program = lower_model(compiled)
    overrides = {compiled.resolve(k): v for k, v in params.items()}
    spec = compiled.model.time
    times = spec.start + 0.5 * np.arange(11)
    slots = [compiled.slot[k] for k in compiled.public_keys]
    from sim.integrators import RK4

    runs = [
        run_program(program, overrides, 300, RK4, times, 0.5, spec.stop, slots, range(11), block=b)
        for b in (1, 7, 64, 512)
    ]
    for out, initial in runs[1:]:
        np.testing.assert_array_equal(out, runs[0][0])
        np.testing.assert_array_equal(initial, runs[0][1])


@pytest.mark.parametrize("name", shipped_model_names())
def test_every_shipped_model_matches_numpy(name):
    model = resolve_model(name)
    constants = [c for c in model.constants if c.range is not None][:3]
    rng = np.random.default_rng(5)
    params = {c.key: rng.uniform(*c.range, 5) for c in constants}
    assert_engines_agree(model, params, n=5)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_matches_numpy(path, monkeypatch):
    scenario = load_scenario(path)
    monkeypatch.setenv("SIM_ENGINE", "numpy")
    expected = scenario.simulate(n=2)
    monkeypatch.setenv("SIM_ENGINE", "kernel")
    assert_same(expected, scenario.simulate(n=2))


def _conformance_cases():
    folder = SHARED / "conformance" / "xmile"
    if not folder.is_dir():
        return []
    from sim.xmile.conformance import discover

    return discover(folder)


@pytest.mark.parametrize("case", _conformance_cases(), ids=lambda c: c.name)
def test_every_supported_conformance_model_matches_numpy(case):
    from sim.compiler import compile_model
    from sim.errors import SimError
    from sim.xmile import read_xmile

    try:
        compiled = compile_model(read_xmile(case.model, validate=False))
    except SimError as exc:
        pytest.skip(f"the engine refuses it: {exc}")
    try:
        lower_model(compiled)
    except Unsupported as exc:
        pytest.skip(f"the kernel does not support {exc}")
    for method in ("euler", "rk4"):
        assert_engines_agree(compiled, n=2, method=method)


UNSUPPORTED = """
[model]
name = "halfprecision"
[time]
stop = 3
[constants.a]
value = 2
[auxiliaries.x]
equation = "EXP(a > 1) + TIME"
"""


def test_an_unsupported_model_falls_back_to_numpy(monkeypatch):
    """numpy computes EXP of a boolean in half precision: the kernel does not pretend to."""
    monkeypatch.delenv("SIM_ENGINE", raising=False)
    model = loads_model(UNSUPPORTED)
    from sim.compiler import compile_model

    compiled = compile_model(model)
    with pytest.raises(Unsupported, match="EXP of a comparison"):
        lower_model(compiled)
    params = {"a": np.linspace(0, 3, THRESHOLD)}
    auto = simulate(compiled, params)  # big enough for the kernel, which is not used
    expected = simulate(compiled, params, engine="numpy")
    np.testing.assert_array_equal(auto.values, expected.values)
    assert auto.values[0, 0, -1] == np.float16(np.e)  # numpy's half precision, kept


def test_forcing_the_kernel_on_an_unsupported_model_is_a_clear_error(monkeypatch):
    model = loads_model(UNSUPPORTED)
    with pytest.raises(UserInputError, match=r"kernel cannot run model 'halfprecision'.*EXP"):
        simulate(model, engine="kernel")
    monkeypatch.setenv("SIM_ENGINE", "kernel")
    with pytest.raises(UserInputError, match="SIM_ENGINE: the kernel cannot run"):
        simulate(model)


def test_an_unknown_engine_is_a_user_error(monkeypatch):
    model = loads_model(UNSUPPORTED)
    with pytest.raises(UserInputError, match="engine: unknown engine 'fast'"):
        simulate(model, engine="fast")
    monkeypatch.setenv("SIM_ENGINE", "gpu")
    with pytest.raises(UserInputError, match="SIM_ENGINE: unknown engine 'gpu'"):
        simulate(model)


def test_the_default_uses_the_kernel_for_big_batches_only(monkeypatch):
    module = sys.modules["sim.simulate"]  # `sim.simulate` the name is the function
    monkeypatch.delenv("SIM_ENGINE", raising=False)
    calls = []
    real = module.run_program
    monkeypatch.setattr(module, "run_program", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    model = resolve_model("teacup")
    simulate(model, {"room_temperature": np.full(THRESHOLD - 1, 70.0)})
    simulate(model, {"room_temperature": np.full(THRESHOLD, 70.0)})
    assert calls == [THRESHOLD]


def test_history_matching_keeps_the_same_runs_with_both_engines(monkeypatch):
    from sim.calibration.history import history_match

    observations = REPO / "sim" / "models" / "hexi_observations.csv"
    results = {}
    for engine in ("numpy", "kernel"):
        monkeypatch.setenv("SIM_ENGINE", engine)
        results[engine] = history_match(UNCERTAINTY, observations, samples=20_000, seed=11)
    a, b = results["numpy"], results["kernel"]
    assert a.kept == b.kept > 0
    assert a.summary.ruled_out == b.summary.ruled_out
    assert a.summary.only == b.summary.only
    for target in a.targets:
        assert a.prior_probability(target) == b.prior_probability(target)
        assert a.posterior_probability(target) == b.posterior_probability(target)
