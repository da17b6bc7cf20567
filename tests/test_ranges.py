"""Values outside a constant's declared range: a warning naming the value, the range and its
source, from the Python API, scenario files and the command line; ``--strict`` makes it an
error."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli import main
from sim.model import Constant
from sim.ranges import distribution_outside, value_outside
from sim.scenario import load_scenario
from sim.uncertainty import LogNormal, Triangular

ROOT = Path(__file__).resolve().parents[1]
GAP = "gap_closing_rate"


def _scenario(folder: Path, body: str) -> Path:
    path = folder / "typo.toml"
    plan = ROOT / "scenarios" / "plan.toml"
    path.write_text(f'extends = "{plan}"\n{body}', encoding="utf-8")
    return path


def test_value_outside_names_the_value_the_range_and_the_source():
    c = Constant("rate", value=0.5, source="assumption: a guess", range=(0.1, 1.0))
    assert value_outside(c, 0.1) is None and value_outside(c, 1.0) is None
    assert value_outside(c, 35) == "35 is outside its range [0.1, 1] (source: assumption: a guess)"
    many = value_outside(c, np.array([0.5, 2.0, -1.0]))
    assert many.startswith("2 of 3 values are outside its range [0.1, 1]")
    assert value_outside(Constant("free", value=1.0), 1e9) is None  # no range, no judgement


def test_a_distribution_whose_support_leaves_the_range():
    c = Constant("rate", value=0.5, source="assumption", range=(0.1, 1.0))
    inside = Triangular(dist="triangular", low=0.1, mode=0.5, high=1.0)
    assert distribution_outside(c, inside) is None
    wide = Triangular(dist="triangular", low=0.0, mode=0.5, high=2.0)
    assert "its support spans [0, 2], outside its range [0.1, 1]" in distribution_outside(c, wide)
    tail = LogNormal(dist="lognormal", median=0.5, sigma=1.0)  # unbounded: its central 99.9 %
    assert "99.9 % of it spans" in distribution_outside(c, tail)


def test_simulate_warns_with_a_filterable_warning():
    model = sim.resolve_model("teacup")  # room_temperature: range [60, 80]
    with pytest.warns(sim.OutOfRangeWarning, match=r"room_temperature: 20 is outside its range"):
        sim.simulate(model, {"room_temperature": 20})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.simulate(model, {"room_temperature": 70})  # inside: silent
        warnings.simplefilter("ignore", sim.OutOfRangeWarning)
        sim.simulate(model, {"room_temperature": np.array([20.0, 70.0])})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"[parameters]\n{GAP} = 35\n", f"{GAP}: 35 is outside its range [0.1, 1]"),
        ("[parameters]\nfirm_birth_rate = -5\n", "firm_birth_rate: -5 is outside its range"),
        (f'[uncertain]\n{GAP} = {{ dist = "uniform", low = 0.5, high = 3 }}\n',
         f"uncertain.{GAP}: uniform(0.5, 3): its support spans [0.5, 3], outside"),
    ],
)  # fmt: skip
def test_scenario_files_warn_naming_the_file(tmp_path, body, message):
    path = _scenario(tmp_path, body)
    with pytest.warns(sim.OutOfRangeWarning, match="source: assumption") as record:
        load_scenario(path)
    assert str(record[0].message).startswith(f"{path}: ")
    assert message in str(record[0].message)


def test_validate_and_run_print_one_line_and_strict_fails(tmp_path, capsys):
    path = _scenario(tmp_path, f"[parameters]\n{GAP} = 35\n")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("sim validate: warning: ") and err.count("\n") == 1
    assert "35 is outside its range [0.1, 1] (source: assumption" in err
    assert main(["validate", "--strict", str(path)]) == 2
    assert capsys.readouterr().err.startswith("sim validate: error: ")
    out = tmp_path / "out"
    assert main(["run", str(path), "--strict", "--out", str(out), "--no-levers"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sim run: error: ") and "(--strict)" in err
    assert not out.exists()
    assert main(["run", str(path), "--out", str(out), "--no-levers", "--no-figures"]) == 0
    assert capsys.readouterr().err.count("sim run: warning: ") == 1


def test_batch_strict_fails_on_a_distribution_leaving_its_range(tmp_path, capsys):
    path = _scenario(tmp_path, f'[uncertain]\n{GAP} = {{ dist = "uniform", low = 0, high = 1 }}\n')
    out = tmp_path / "out"
    args = ["batch", str(path), "--samples", "20", "--out", str(out), "--no-progress"]
    assert main([*args, "--strict"]) == 2 and not out.exists()
    assert "uniform(0, 1): its support spans [0, 1]" in capsys.readouterr().err
    assert main([*args, "--no-figures"]) == 0
    assert capsys.readouterr().err.count("sim batch: warning: ") == 1


def test_shipped_scenarios_are_within_their_ranges():
    with warnings.catch_warnings():
        warnings.simplefilter("error", sim.OutOfRangeWarning)
        for path in sorted((ROOT / "scenarios").glob("*.toml")):
            load_scenario(path)
