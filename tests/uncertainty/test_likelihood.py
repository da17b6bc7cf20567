"""P(met) labelled likely, unlikely or uncertain from its whole interval, not its point."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sim.cli import main
from sim.uncertainty.accumulate import wilson
from sim.uncertainty.feasibility import likelihood_label

ROOT = Path(__file__).resolve().parents[2]


def test_the_interval_decides() -> None:
    assert likelihood_label(0.95, 0.91, 0.98) == "likely"
    assert likelihood_label(0.95, 0.85, 0.99) == "uncertain"  # the point alone would be likely
    assert likelihood_label(0.05, 0.01, 0.09) == "unlikely"
    assert likelihood_label(0.05, 0.01, 0.15) == "uncertain"
    assert likelihood_label(0.5, 0.4, 0.6) == "uncertain"
    assert likelihood_label(1.0, 0.9, 1.0) == "likely" and likelihood_label(0, 0, 0.1) == "unlikely"
    assert likelihood_label(float("nan"), float("nan"), float("nan")) == "uncertain"
    # ten runs, all met, are not yet enough to call it likely; ten thousand are
    assert likelihood_label(1.0, wilson(10, 10).low, 1.0) == "uncertain"
    assert likelihood_label(1.0, wilson(10_000, 10_000).low, 1.0) == "likely"


@given(st.integers(1, 5000), st.floats(0, 1))
def test_labels_agree_with_the_wilson_interval(n: int, share: float) -> None:
    met = round(share * n)
    p = wilson(met, n)
    label = likelihood_label(p.p, p.low, p.high)
    assert label == ("likely" if p.low >= 0.9 else "unlikely" if p.high <= 0.1 else "uncertain")
    mirrored = wilson(n - met, n)  # met and missed swap: likely and unlikely swap
    swap = {"likely": "unlikely", "unlikely": "likely", "uncertain": "uncertain"}
    assert likelihood_label(mirrored.p, mirrored.low, mirrored.high) == swap[label]


def test_batch_labels_every_target(tmp_path: Path, capsys) -> None:
    scenario = str(ROOT / "scenarios" / "uncertainty.toml")
    args = ["batch", scenario, "--samples", "200", "--json", "--no-progress", "--no-figures"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    for entry in [*summary["targets"].values(), summary["all_targets"]]:
        assert entry["label"] == likelihood_label(entry["p"], entry["low"], entry["high"])
    assert {e["evidence"] for e in summary["targets"].values()} == {
        "identity", "scheduled", "modelled"
    }  # fmt: skip
    folder = Path(captured.err.strip().splitlines()[-1].removeprefix("results: "))
    with open(folder / "targets.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(r["label"] in ("likely", "unlikely", "uncertain") for r in rows)
