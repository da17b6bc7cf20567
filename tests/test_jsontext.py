"""The one JSON writer: strict JSON, non-finite numbers as null."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.jsontext import dumps


def _strict(text: str):
    def refuse(token: str):
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_nan_and_infinity_become_null_and_numpy_values_plain():
    data = {
        "nan": float("nan"),
        "inf": [float("inf"), -np.inf, 1.5],
        "array": np.array([[1.0, np.nan]]),
        "scalar": np.float64(np.nan),
        "int": np.int64(3),
        "tuple": (np.float32(2.5), "城"),
    }
    assert _strict(dumps(data)) == {
        "nan": None,
        "inf": [None, None, 1.5],
        "array": [[1.0, None]],
        "scalar": None,
        "int": 3,
        "tuple": [2.5, "城"],
    }
    with pytest.raises(ValueError, match="not JSON: NaN"):
        _strict(json.dumps(float("nan")))  # what the standard library writes
