"""A tiny plan for command-line tests that must be quick: the decay model, one target, two
uncertain constants."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.models import shipped_model_path

TARGETS = """\
[sectors.stock]
title = "Stock"

[targets.amount_left]
title = "Amount left"
sector = "stock"
kind = "level"
evidence = "modelled"
metric = "amount"
year = 5
comparator = ">="
threshold = 10
unit = "unit"
quote = "keep some"
lever = { name = "lifetime", range = [0.5, 5] }
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A folder with ``model.toml`` (decay), its targets, ``tiny.toml`` (a scenario with
    ``[uncertain]``) and ``tiny-run.toml`` (one without)."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(shipped_model_path("decay"), folder / "model.toml")
    (folder / "model_targets.toml").write_text(TARGETS, encoding="utf-8")
    (folder / "tiny-run.toml").write_text(
        'model = "model.toml"\n[parameters]\nlifetime = 3\n', encoding="utf-8"
    )
    (folder / "tiny.toml").write_text(
        'model = "model.toml"\n[uncertain]\n'
        'lifetime = { dist = "uniform", low = 1, high = 4 }\n'
        'initial_amount = { dist = "uniform", low = 50, high = 150 }\n',
        encoding="utf-8",
    )
    return folder
