"""Targets as data: every id of PLAN_TARGETS.md, checked against the model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.errors import UserInputError
from sim.models import resolve_model, shipped_model_path
from sim.plan.targets import load_targets

ROOT = Path(__file__).resolve().parents[2]
PLAN_TARGETS = ROOT.parent / "shared" / "PLAN_TARGETS.md"
TARGETS = shipped_model_path("hexi").with_name("hexi_targets.toml")


def test_every_plan_target_is_there_with_its_quote(plan_target_ids) -> None:
    targets = load_targets(TARGETS)
    assert list(targets.targets) == plan_target_ids
    targets.check(resolve_model("hexi"))
    for t in targets:
        assert t.quote and t.unit and t.metric
        assert t.lever is not None, t.id


@pytest.mark.skipif(not PLAN_TARGETS.is_file(), reason="../shared is not here")
def test_ids_and_quotes_match_plan_targets_md(plan_target_ids) -> None:
    text = PLAN_TARGETS.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\w+) \|.*\| ([^|]+) \|$", text, flags=re.M))
    rows.pop("id", None)
    assert sorted(rows) == sorted(plan_target_ids)
    for t in load_targets(TARGETS):
        assert (
            t.quote.strip() == rows[t.id].strip()
            or t.quote in rows[t.id]
            or (rows[t.id].strip() in t.quote)
        ), t.id


def test_years_and_timing() -> None:
    targets = load_targets(TARGETS)
    assert targets["new_jobs_cum"].time == 2021.0  # end of 2020
    assert targets["hard_to_employ_placement"].time == 2021.0  # placed during 2020, at its end
    during = targets["new_jobs_cum"].model_copy(update={"timing": "during"})
    assert during.time == 2020.0  # the rate during 2020
    assert targets["new_jobs_cum"].year_of(2017.0) == 2016
    assert targets.variables[:1] == ["domestic_investment_cum"]


IDENTITY = {
    "domestic_investment_cum",
    "domestic_investment_growth",
    "foreign_capital_cum",
    "foreign_capital_growth",
}
SCHEDULED = {
    "state_nursing_home",
    "green_space_new",
    "schools_new",
    "shanty_renovation",
    "fire_stations",
    "state_capital_payout",
    "broadband",
}


def test_every_target_says_what_its_verdict_rests_on(plan_target_ids) -> None:
    targets = load_targets(TARGETS)
    for t in targets:
        expected = (
            "identity" if t.id in IDENTITY else "scheduled" if t.id in SCHEDULED else "modelled"
        )
        assert t.evidence == expected, t.id
    assert sum(t.evidence == "modelled" for t in targets) >= 8
    assert targets["trade_firms_100m"].tolerance == 1
    assert targets["domestic_investment_cum"].precision == 0.5
    assert targets["green_space_new"].tolerance == 0
    assert targets["green_space_new"].precision == 0.005  # 41.46 is stated to 0.01 ha
    assert targets.hinges_path == TARGETS.with_name("hexi_hinges.json")


def test_lag_times_are_saved_and_checked(tmp_path: Path) -> None:
    text = TARGETS.read_text(encoding="utf-8")
    old = 'metric = "domestic_investment_cum"'
    lagged = 'metric = "domestic_investment_cum - LAG(domestic_investment_cum, 1)"'
    path = tmp_path / "hexi_targets.toml"
    path.write_text(text.replace(old, lagged, 1), encoding="utf-8")
    targets = load_targets(path)
    targets.check(resolve_model("hexi"))
    assert targets["domestic_investment_cum"].lags == [1.0]
    assert 2020.0 in targets.times_within(2016, 2021)  # the year before 2021.0
    plain = load_targets(TARGETS)
    assert plain["domestic_investment_cum"].lags == []
    assert set(plain.times_within(2016, 2021)) <= set(targets.times_within(2016, 2021))


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (
            ('evidence = "identity"\n', ""),
            "targets.domestic_investment_cum.evidence",
            "Field required",
        ),
        (
            ('evidence = "identity"', 'evidence = "arithmetic"'),
            "targets.domestic_investment_cum.evidence",
            "Input should be 'identity', 'scheduled' or 'modelled'",
        ),
        (
            ('unit = "亿元"', 'unit = "亿元"\ntolerance = -1'),
            "targets.domestic_investment_cum.tolerance",
            "greater than or equal to 0",
        ),
        (
            ('metric = "domestic_investment_cum"', 'metric = "LAG(domestic_investment_cum)"'),
            "targets.domestic_investment_cum.metric",
            "LAG takes",
        ),
        (
            (
                'metric = "domestic_investment_cum"',
                'metric = "LAG(domestic_investment_cum, growth_rate)"',
            ),
            "targets.domestic_investment_cum.metric",
            "LAG takes",
        ),
        (
            ('metric = "domestic_investment_cum"', 'metric = "domestic_invest_cum"'),
            "targets.domestic_investment_cum.metric",
            "did you mean 'domestic_investment_cum'",
        ),
        (
            ('comparator = ">="', 'comparator = "=>"'),
            "targets.domestic_investment_cum.comparator",
            "Input should be",
        ),
        (
            (
                'name = "domestic_investment_growth_rate", range = [0.0, 0.3]',
                'name = "domestic_investment_growth_rate", range = [0.3, 0.0]',
            ),
            "targets.domestic_investment_cum.lever",
            "low < high",
        ),
        (
            (
                'name = "domestic_investment_growth_rate", range = [0.0, 0.3]',
                'name = "new_jobs", range = [0.0, 0.3]',
            ),
            "targets.domestic_investment_cum.lever.name",
            "not a constant",
        ),
    ],
)
def test_bad_targets_files(tmp_path: Path, edit, field, reason) -> None:
    old, new = edit
    text = TARGETS.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "hexi_targets.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(UserInputError) as info:
        load_targets(path).check(resolve_model("hexi"))
    assert info.value.file == str(path)
    assert info.value.field == field
    assert reason in info.value.reason
