"""The user-level API: the issue's example end to end, against the command line's files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.errors import UserInputError

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def runs():
    plan = sim.load_scenario(SCENARIOS / "plan.toml")
    slow = plan.with_parameters(domestic_investment_growth_rate=0.07, name="slow")
    return sim.run([plan, slow])


def test_the_api_lists_what_it_offers() -> None:
    for name in ("load_scenario", "run", "batch", "sensitivity", "discover", "feasibility_map",
                 "scenario_from_dict", "Scenario"):  # fmt: skip
        assert name in sim.__all__ and name in dir(sim) and getattr(sim, name)


def test_api_example_matches_the_cli_csv_and_json(runs, tmp_path: Path, capsys) -> None:
    """Same numbers, same years: the verdicts against ``sim run --json``, the trajectories
    against trajectories.csv."""
    out = tmp_path / "results"
    assert main(["run", str(SCENARIOS / "plan.toml"), "--json", "--no-levers", "--no-figures",
                 "--out", str(out)]) == 0  # fmt: skip
    summary = json.loads(capsys.readouterr().out)["scenarios"][0]
    verdicts = runs.verdicts
    plan = verdicts[verdicts["scenario"] == "plan"].set_index("id")
    for entry in summary["targets"]:
        row = plan.loc[entry["id"]]
        assert row["value"] == entry["value"]
        assert row["met"] == entry["met"]
        assert row["threshold"] == entry["threshold"]
        assert row["status"] == entry.get("status", "met" if entry["met"] else "missed")
        first = row["first_year_met"]
        assert (None if pd.isna(first) else int(first)) == entry["first_year_met"]
    folder = Path(summary["results"])
    with open(folder / "trajectories.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    frame = runs.trajectories
    mine = frame[frame["scenario"] == "plan"]
    assert len(mine) == len(rows)
    assert list(mine.columns) == list(rows[0]) == ["scenario", "variable", "year", "value", "unit"]
    for (_, a), b in zip(mine.iterrows(), rows, strict=True):
        assert (a["variable"], a["year"], a["unit"]) == (b["variable"], int(b["year"]), b["unit"])
        assert a["value"] == pytest.approx(float(b["value"]), rel=1e-12)


def test_years_follow_one_convention(runs) -> None:
    """A stock is labelled by the year whose end it measures, a flow by its year; nothing
    lies outside 2015-2020 (flows from 2016)."""
    frame = runs.trajectories
    population = frame[(frame["scenario"] == "plan") & (frame["variable"] == "resident_population")]
    assert population["year"].tolist() == list(range(2015, 2021))
    result = runs.results[0]
    assert population["value"].iloc[-1] == result["resident_population"][-1, 0]  # time 2021
    jobs = frame[(frame["scenario"] == "plan") & (frame["variable"] == "new_jobs")]
    assert jobs["year"].tolist() == list(range(2016, 2021))
    assert jobs["value"].iloc[0] == result["new_jobs"][0, 0]  # time 2016 is the year 2016
    assert frame["year"].between(2015, 2020).all()
    nurses = runs.verdicts.set_index(["scenario", "id"]).loc[("plan", "nurses_per_1000"), "value"]
    judged = frame[(frame["variable"] == "nurses_per_1000") & (frame["year"] == 2020)]
    assert judged[judged["scenario"] == "plan"]["value"].item() == pytest.approx(nurses)


def test_one_vectorized_run_equals_separate_runs(runs) -> None:
    slow = runs.scenarios[1]
    alone = slow.simulate()
    assert np.array_equal(runs.results[1].values, alone.values)
    verdicts = runs.verdicts.set_index(["scenario", "id"])
    assert verdicts.loc[("slow", "domestic_investment_cum"), "status"] == "missed"
    assert verdicts.loc[("plan", "domestic_investment_cum"), "status"] == "borderline"


def test_plot_draws_one_figure_with_stable_colours(runs) -> None:
    fig = runs.plot(["private_enterprises", "nurses_per_1000"])
    first = fig.axes[0].get_lines()
    again = sim.run(list(reversed(runs.scenarios))).plot(["private_enterprises"])
    colours = {line.get_label(): line.get_color() for line in first}
    assert colours == {line.get_label(): line.get_color() for line in again.axes[0].get_lines()}
    assert len(set(colours.values())) == 2
    for ax in fig.axes[:2]:
        assert ax.get_title() and ax.get_ylabel() and "_" not in ax.get_title()


def test_with_parameters_checks_names_and_values() -> None:
    plan = sim.load_scenario(SCENARIOS / "plan.toml")
    with pytest.raises(UserInputError, match="did you mean"):
        plan.with_parameters(firm_exit_rte=0.1)
    with pytest.raises(UserInputError, match="finite"):
        plan.with_parameters(firm_exit_rate=float("nan"))
    changed = plan.with_parameters(firm_exit_rate=0.09)
    assert changed.parameters["firm_exit_rate"] == 0.09 and changed.name == "plan-modified"
    assert plan.parameters.get("firm_exit_rate") != 0.09


def test_a_scenario_from_a_dict_equals_the_file() -> None:
    shock = sim.load_scenario(SCENARIOS / "shock-2020.toml")
    data = {"extends": "trend.toml", "parameters": {"firm_exit_rate": 0.09}}
    made = sim.scenario_from_dict(data, name="exits", base=SCENARIOS)
    assert made.name == "exits" and made.parameters["firm_exit_rate"] == 0.09
    assert made.files == (SCENARIOS / "trend.toml", *made.files[1:])
    with pytest.raises(UserInputError, match="unknown key"):
        sim.scenario_from_dict({"model": "hexi", "paramters": {}})
    assert shock.name == "shock-2020"


def test_batch_probabilities_match_the_cli(tmp_path: Path, capsys) -> None:
    path = SCENARIOS / "uncertainty.toml"
    b = sim.batch(sim.load_scenario(path), samples=600, seed=3)
    p = b.probabilities
    assert {"id", "p_met", "lo", "hi", "label"} <= set(p.columns)
    assert set(p["label"]) <= {"likely", "unlikely", "uncertain"}
    assert len(b.samples) == 600 and "met:new_jobs_cum" in b.samples
    assert main(["batch", str(path), "--samples", "600", "--seed", "3", "--json",
                 "--no-figures", "--no-progress", "--out", str(tmp_path)]) == 0  # fmt: skip
    cli = json.loads(capsys.readouterr().out)["targets"]
    for row in p[p["id"] != "all"].itertuples():
        assert row.p_met == cli[row.id]["p"]
        assert row.label == sim.api.label(row.p_met, row.lo, row.hi)
    met = b.samples["met:new_jobs_cum"].mean()
    assert met == pytest.approx(p.set_index("id").loc["new_jobs_cum", "p_met"])


def test_sensitivity_discover_and_map_give_tables_and_figures() -> None:
    path = SCENARIOS / "uncertainty.toml"
    s = sim.sensitivity(path, samples=8, seed=1, resamples=10)
    table = s.table
    assert {"target", "outcome", "input", "first", "total", "total_lo", "noise"} <= set(table)
    assert set(table["outcome"]) == {"metric", "met"}
    noisy = table[table["noise"]]
    assert ((noisy["total"] > 1) | (noisy["total"] < 0) | (noisy["first"] > 1)
            | (noisy["first"] < 0)).all()  # fmt: skip
    assert s.plot("met").axes[0].get_title()
    d = sim.discover(path, samples=500, seed=2, outcome="met", targets=["private_enterprises"])
    assert set(d.table["target"]) == {"private_enterprises"} and d.outcome == "met"
    met_share = d.shares["private_enterprises"]
    b = sim.batch(path, samples=500, seed=2)
    assert met_share == b.samples["met:private_enterprises"].mean()
    m = sim.feasibility_map(path, "new_jobs_cum", ("jobs_per_new_firm", 0.5, 3),
                            ("public_sector_jobs", 6000, 20000), grid=3, samples=5)  # fmt: skip
    assert len(m.table) == 9 and m.table["p_met"].between(0, 1).all()
    scenario = sim.load_scenario(path)
    dist = scenario.uncertain["jobs_per_new_firm"]
    median = float(dist.ppf(np.array([0.5]))[0])
    assert m.point[1] == sim.api.point_value(scenario, "public_sector_jobs")
    star = next(line for line in m.plot().axes[0].get_lines() if line.get_marker() == "*")
    assert star.get_xdata()[0] == m.point[0]
    assert getattr(dist, "mode", None) is None or m.point[0] == dist.mode != median
