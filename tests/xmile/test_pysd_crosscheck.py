"""Cross-check against PySD: every shipped model and every conformance model we pass, exported
to XMILE, runs in PySD and gives our numbers (Euler, every variable at every saved time)."""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sim.simulate import simulate
from sim.xmile import write_xmile

from .crosscheck import assert_agrees, conformance_cases, euler, shipped_models


@contextmanager
def quiet_pysd() -> Iterator[None]:
    """PySD warns about its own dependencies' deprecations (chardet, pandas); those warnings
    are not ours to fix, so they are silenced here and nowhere else."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"(pysd|chardet|parsimonious)(\.|$)")
        yield


with quiet_pysd():
    pysd = pytest.importorskip("pysd", reason="PySD is in the dev extra")


def _run_in_pysd(model, tmp_path):
    path = tmp_path / "model.xmile"
    write_xmile(model, path)
    with quiet_pysd():
        return pysd.read_xmile(str(path)).run(saveper=model.time.save_step or model.time.dt)


@pytest.mark.parametrize("load", shipped_models())
def test_pysd_runs_our_export_of_each_shipped_model_with_our_numbers(load, tmp_path):
    model = euler(load())
    assert_agrees(_run_in_pysd(model, tmp_path), simulate(model), model.name, rtol=1e-9)


@pytest.mark.parametrize("load", conformance_cases())
def test_pysd_runs_our_export_of_each_conformance_model_with_our_numbers(load, tmp_path):
    model = euler(load())
    assert_agrees(_run_in_pysd(model, tmp_path), simulate(model), model.name)
