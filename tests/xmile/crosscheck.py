"""What the PySD and Simlin cross-checks share: the models they run and one comparison."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.model import Model
from sim.models import resolve_model, shipped_model_names
from sim.names import canonical
from sim.results import Result
from sim.xmile import read_xmile
from sim.xmile.conformance import KNOWN_FAILURES, discover

__all__ = ["RTOL", "assert_agrees", "conformance_cases", "euler", "shipped_models"]

RTOL = 1e-6
FOLDER = (Path(__file__).parents[2] / "../shared/conformance/xmile").resolve()


def shipped_models() -> list:
    return [
        pytest.param(lambda n=name: resolve_model(n), id=name) for name in shipped_model_names()
    ]


def conformance_cases() -> list:
    """Every conformance model that our engine passes, as a loader; skipped without shared/."""
    if not FOLDER.is_dir():
        reason = f"{FOLDER} is absent (the shared conformance files are not in this checkout)"
        return [pytest.param(None, id="conformance", marks=pytest.mark.skip(reason=reason))]
    return [
        pytest.param(lambda p=case.model: read_xmile(p, validate=False), id=case.name)
        for case in discover(FOLDER)
        if case.name not in KNOWN_FAILURES
    ]


def euler(model: Model, method: str = "euler") -> Model:
    """``model`` integrated by Euler (PySD has no other method), or by ``method``."""
    return dataclasses.replace(model, time=dataclasses.replace(model.time, method=method))


def assert_agrees(theirs: pd.DataFrame, ours: Result, label: str, rtol: float = RTOL) -> None:
    """Every variable of ours at every saved time, within ``rtol`` (plus a round-off floor of
    1e-12 times the variable's largest magnitude, for values that cross zero)."""
    np.testing.assert_allclose(theirs.index.to_numpy(dtype=float), ours.times, rtol=1e-12)
    columns = {canonical(c): c for c in theirs.columns}
    for variable in ours.names:
        assert canonical(variable) in columns, f"{label}: no output column for {variable!r}"
        expected = ours[variable][:, 0]
        actual = theirs[columns[canonical(variable)]].to_numpy(dtype=float)
        scale = max(1.0, float(np.max(np.abs(expected))))
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=1e-12 * scale,
                                   err_msg=f"{label}: {variable}")  # fmt: skip
