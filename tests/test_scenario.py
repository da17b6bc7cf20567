"""Scenario files: extends chains, overrides, time-varying inputs, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.errors import UserInputError
from sim.scenario import load_scenario, read_scenario_file
from sim.uncertainty.distributions import Triangular

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_plan_sets_only_what_the_plan_states() -> None:
    s = load_scenario(SCENARIOS / "plan.toml")
    assert s.name == "plan" and s.model.name == "hexi"
    assert (s.method, s.dt) == ("rk4", 0.5)
    assert s.parameters == {"physicians_goal_per_1000": 5.0, "nurses_goal_per_1000": 5.3}
    assert s.inputs == {}
    assert s.targets_path is not None and s.targets_path.name == "hexi_targets.toml"


def test_trend_sets_data_rates_and_shock_extends_trend() -> None:
    s = load_scenario(SCENARIOS / "trend.toml")
    assert [p.name for p in s.files] == ["trend.toml"]
    assert s.parameters["domestic_investment_growth_rate"] == 0.094
    shock = load_scenario(SCENARIOS / "shock-2020.toml")
    assert [p.name for p in shock.files] == ["shock-2020.toml", "trend.toml"]
    assert shock.origin["domestic_investment_growth_rate"].name == "trend.toml"


def test_the_2020_downturn_lowers_the_multipliers_during_2020_only() -> None:
    s = load_scenario(SCENARIOS / "shock-2020.toml")
    assert s.parameters["shock_2020"] == 1
    result = s.simulate()
    for name, depth in [
        ("investment_shock_multiplier", 0.8),
        ("firm_birth_shock_multiplier", 0.7),
        ("jobs_shock_multiplier", 0.85),
    ]:
        path = result[name][:, 0]
        assert path[result.time_index(2020.0)] == pytest.approx(depth)
        assert path[result.time_index(2020.5)] == pytest.approx(depth)
        assert path[result.time_index(2019.5)] == 1.0 and path[result.time_index(2021.0)] == 1.0


def test_later_files_win_name_by_name(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base.toml",
        'model = "hexi"\n[parameters]\nfirm_exit_rate = 0.07\n'
        '[inputs.jobs_shock_depth]\nequation = "0.9"\n',
    )
    child = write(
        tmp_path,
        "child.toml",
        'extends = "base.toml"\nmethod = "RK4"\ndt = 0.25\n'
        "[parameters]\njobs_shock_depth = 0.25\n[uncertain]\n"
        'firm_exit_rate = { dist = "triangular", low = 0.03, mode = 0.05, high = 0.1 }\n',
    )
    s = load_scenario(child)
    assert s.name == "child" and (s.method, s.dt) == ("rk4", 0.25)
    assert s.parameters == {"jobs_shock_depth": 0.25}
    assert s.inputs == {}
    assert isinstance(s.uncertain["firm_exit_rate"], Triangular)


def test_parameter_arrays_run_a_batch() -> None:
    s = load_scenario(SCENARIOS / "plan.toml")
    rates = np.array([0.05, 0.10, 0.15])
    cum = s.simulate({"domestic_investment_growth_rate": rates})["domestic_investment_cum"][-1]
    assert np.all(np.diff(cum) > 0)
    assert cum[1] == pytest.approx(880.0, abs=0.5)


BAD = [
    ("unknown key", 'model = "hexi"\nparamters = {}\n', "paramters", "unknown key 'paramters'"),
    (
        "misspelled parameter",
        'model = "hexi"\n[parameters]\ndomestic_investment_growth = 0.1\n',
        "parameters.domestic_investment_growth",
        "did you mean 'domestic_investment_growth_rate'",
    ),
    (
        "wrong type",
        'model = "hexi"\n[parameters]\nfirm_exit_rate = "high"\n',
        "parameters.firm_exit_rate",
        "valid number",
    ),
    (
        "NaN",
        'model = "hexi"\n[parameters]\nfirm_exit_rate = nan\n',
        "parameters.firm_exit_rate",
        "finite",
    ),
    ("zero dt", 'model = "hexi"\ndt = 0\n', "dt", "greater than 0"),
    ("negative dt", 'model = "hexi"\ndt = -1\n', "dt", "greater than 0"),
    ("dt longer than the run", 'model = "hexi"\ndt = 10\n', "dt", "at most the run's length"),
    ("dt not dividing the run", 'model = "hexi"\ndt = 0.3\n', "dt", "does not divide the run"),
    ("dt too small", 'model = "hexi"\ndt = 1e-7\n', "dt", "at most 1,000,000 steps"),
    ("unknown method", 'model = "hexi"\nmethod = "rk45"\n', "method", "unknown integration"),
    ("missing extends", 'extends = "nowhere.toml"\n', "extends", "no such scenario file"),
    ("no model", 'description = "x"\n', "model", "no model"),
    ("unknown model", 'model = "hexy"\n', "model", "no shipped model 'hexy'"),
    (
        "not a constant",
        'model = "hexi"\n[parameters]\nnew_jobs = 3\n',
        "parameters.new_jobs",
        "not a constant",
    ),
    (
        "bad input table",
        'model = "hexi"\n[inputs.jobs_shock_depth]\ntimes = [2016, 2020]\nvalues = [1]\n',
        "inputs.jobs_shock_depth",
        "one value for each time",
    ),
    (
        "input times outside the run",
        'model = "hexi"\n[inputs.jobs_shock_depth]\ntimes = [18, 19]\nvalues = [1, 0.8]\n',
        "inputs.jobs_shock_depth",
        "none of the times (18 to 19) falls within the run (2016 to 2021)",
    ),
    (
        "bad input equation",
        'model = "hexi"\n[inputs.jobs_shock_depth]\nequation = "1 - * 2"\n',
        "inputs.jobs_shock_depth",
        "expected",
    ),
    (
        "input equation naming nothing",
        'model = "hexi"\n[inputs.jobs_shock_depth]\nequation = "1 - shok"\n',
        "inputs.jobs_shock_depth",
        "unknown name 'shok'",
    ),
    (
        "bad distribution",
        'model = "hexi"\n[uncertain]\nfirm_exit_rate = { dist = "gaussian" }\n',
        "uncertain.firm_exit_rate",
        "unknown dist 'gaussian'",
    ),
    ("not TOML", 'model = "hexi\n', None, "not valid TOML"),
]


@pytest.mark.parametrize(("case", "text", "field", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_name_file_field_and_reason(tmp_path, case, text, field, reason) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(UserInputError) as info:
        load_scenario(path)
    error = info.value
    assert error.file == str(path)
    assert error.field == field
    assert reason in error.reason
    assert "\n" not in str(error)


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'extends = "b.toml"\nmodel = "hexi"\n')
    b = write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(UserInputError, match=r"extends cycle: b.toml -> a.toml -> b.toml") as info:
        load_scenario(b)
    assert info.value.field == "extends" and info.value.file == str(tmp_path / "a.toml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="cannot read") as info:
        read_scenario_file(tmp_path / "absent.toml")
    assert info.value.file == str(tmp_path / "absent.toml")


def test_error_names_the_file_that_holds_the_bad_name(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", 'model = "hexi"\n[parameters]\nfirm_exit_rte = 0.1\n')
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n')
    with pytest.raises(UserInputError) as info:
        load_scenario(child)
    assert info.value.file == str(tmp_path / "base.toml")
    assert "did you mean 'firm_exit_rate'" in info.value.reason
