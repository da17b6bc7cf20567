"""The Hexi plan model: sourced constants, named loops, the plan's arithmetic, a back-test
against the 2020 census, and monotone responses through the feedback loops."""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.compiler import compile_model
from sim.models import resolve_model, shipped_model_path
from sim.plan.data import compare_with_data
from sim.plan.targets import load_targets
from sim.scenario import load_scenario
from sim.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
MODEL = resolve_model("hexi")
DATA = shipped_model_path("hexi").with_name("hexi_data.csv")
PLAN_TEXT = ROOT.parent / "shared" / "seed" / "000_2e2f5eaad98d6f0d.txt"
CENSUS_2020 = 822_174
SECTOR_STOCKS = {
    "investment": "domestic_investment_cum",
    "enterprises": "private_enterprises",
    "jobs": "new_jobs_cum",
    "population": "resident_population",
    "health": "physicians",
    "eldercare": "eldercare_institutions",
    "delivery": "green_space_new",
}


def data_rows() -> dict[tuple[str, str], dict[str, str]]:
    with open(DATA, encoding="utf-8", newline="") as handle:
        return {(r["quantity"], r["year"]): r for r in csv.DictReader(handle)}


SOURCE_KINDS = ("data:", "plan:", "assumption", "definition:", "policy:")


@pytest.mark.parametrize("constant", MODEL.constants, ids=lambda c: c.name)
def test_every_constant_has_units_and_a_source(constant) -> None:
    assert constant.units, "no units"
    assert constant.source.startswith(SOURCE_KINDS), constant.source
    if constant.source.startswith("assumption"):
        assert constant.range is not None, "an assumption needs a range"
        low, high = constant.range
        assert low <= constant.value <= high
    if constant.source.startswith("data:") and _cited_kind(constant) == "estimate":
        assert constant.range is not None, "an estimate needs a range"


def _cited_kind(constant) -> str:
    quantity, year = re.match(r"data: (\w+),(\d{4})", constant.source).groups()
    return data_rows()[(quantity, year)]["kind"]


def test_data_sources_name_rows_of_the_data_file_with_their_figures() -> None:
    rows = data_rows()
    cited = 0
    for constant in MODEL.constants:
        for quantity, year, figure in re.findall(
            r"data: (\w+),(\d{4}) = ([\d,.]+)", constant.source
        ):
            row = rows[(quantity, year)]
            assert float(figure.replace(",", "")) == pytest.approx(float(row["value"]))
            cited += 1
    assert cited >= 8


def test_data_rows_named_anywhere_in_the_model_exist() -> None:
    rows = data_rows()
    text = " ".join(c.source for c in MODEL.constants)
    text += " ".join(getattr(v, "source", "") for v in MODEL.variables)
    for quantity, year in re.findall(r"data rows? (\w+),(\d{4})", text):
        assert (quantity, year) in rows
    for quantity, year in re.findall(r"and (\w+),(\d{4})", text):
        assert (quantity, year) in rows


@pytest.mark.skipif(not PLAN_TEXT.is_file(), reason="the plan text (../shared) is not here")
def test_plan_quotes_are_in_the_plan_text() -> None:
    plan = PLAN_TEXT.read_text(encoding="utf-8")
    for constant in MODEL.constants:
        if constant.source.startswith("plan:"):
            quote = re.search(r'"([^"]+)"', constant.source)
            assert quote is not None, constant.name
            assert quote.group(1) in plan, constant.name


# Each documented loop, as the chain of variables its doc names; every link is a dependency in
# the equations (for a stock, its flows), and the chain returns to its start.
LOOPS = {
    "R1": ["large_enterprises", "business_climate_index", "business_climate_effect",
           "large_firm_births", "large_enterprises"],
    "R2": ["new_jobs", "in_migration", "in_migration_15_59", "population_15_59",
           "labour_force", "labour_supply_effect", "new_jobs"],
    "B1": ["physicians", "physician_gap", "physician_recruitment_desired",
           "physician_recruitment", "physicians"],
    "B2": ["eldercare_beds", "elderly_per_bed", "eldercare_pressure_effect",
           "eldercare_desired_starts", "eldercare_starts", "eldercare_completions",
           "eldercare_bed_additions", "eldercare_beds"],
    "B3": ["private_enterprises", "crowding_effect", "firm_exits", "private_enterprises"],
    "B4": ["developable_land", "land_share", "green_space_building", "land_take",
           "developable_land"],
}  # fmt: skip


def _depends_on(name: str) -> set[str]:
    from sim.expr import Name, parse, walk

    variable = MODEL[name]
    if hasattr(variable, "inflows"):
        return set(variable.inflows) | set(variable.outflows)
    node = parse(variable.equation, name)
    return {n.name for n in walk(node) if isinstance(n, Name)}


@pytest.mark.parametrize("loop", LOOPS)
def test_every_documented_loop_closes_in_the_equations(loop) -> None:
    chain = LOOPS[loop]
    assert loop in MODEL.doc
    assert chain[0] == chain[-1]
    for cause, effect in itertools.pairwise(chain):
        assert cause in _depends_on(effect), f"{loop}: {effect} does not read {cause}"


# Switching a loop's gain off (its elasticity or rate to 0) moves the metric its doc names.
LOOP_SWITCHES = {
    "R1": ("r1_climate_elasticity", "large_enterprises", +1),
    "R2": ("labour_supply_elasticity", "new_jobs_cum", None),
    "B1": ("gap_closing_rate", "physicians_per_1000", +1),
    "B2": ("b2_pressure_elasticity", "eldercare_opened", +1),
    "B3": ("b3_crowding_elasticity", "private_enterprises", -1),
    "B4": ("developable_land_2015", "green_space_new", +1),
}


@pytest.mark.parametrize("loop", LOOP_SWITCHES)
def test_switching_a_loop_off_moves_its_metric(loop) -> None:
    constant, metric, sign = LOOP_SWITCHES[loop]
    scenario = load_scenario(SCENARIOS / "plan.toml")
    on = MODEL[constant].value
    off = 30.0 if loop == "B4" else 0.0  # B4: so little land that it binds
    result = scenario.simulate({constant: np.array([off, on])})
    end = result[metric][-1]
    assert end[1] != pytest.approx(end[0], rel=1e-4), f"{loop}: {metric} did not move"
    if sign is not None:
        assert np.sign(end[1] - end[0]) == sign, f"{loop} has the wrong polarity"


def test_every_sector_is_present() -> None:
    for stock in SECTOR_STOCKS.values():
        assert stock in MODEL
    compile_model(MODEL)


def test_the_plan_arithmetic_holds_at_the_published_setting(capsys) -> None:
    plan = load_scenario(SCENARIOS / "plan.toml")
    result = plan.simulate({"domestic_investment_2015": 131.04, "foreign_capital_2015": 2.65})
    domestic = result["domestic_investment_cum"][-1, 0]
    foreign = result["foreign_capital_cum"][-1, 0]
    with capsys.disabled():
        print(
            f"\nplan, {plan.method} dt={plan.dt}: 131.04 at 10 %/yr sums to {domestic:.4f} "
            f"(880.0 ± 0.5), 2.65 at 8 %/yr to {foreign:.5f} (16.8 ± 0.05)"
        )
    assert domestic == pytest.approx(880.0, abs=0.5)
    assert foreign == pytest.approx(16.8, abs=0.05)
    # the continuous flow growing at ln(1.1) integrates to the annual amounts exactly
    cum = result["domestic_investment_cum"][:, 0]
    years = [result.time_index(y) for y in range(2016, 2022)]
    annual = np.diff(cum[years])
    assert annual == pytest.approx(131.04 * 1.1 ** np.arange(1, 6), rel=1e-7)


def test_the_plan_arithmetic_holds_with_any_method_and_step() -> None:
    plan = load_scenario(SCENARIOS / "plan.toml")
    for method, dt in [("euler", 1 / 64), ("rk2", 0.25), ("rk4", 0.5), ("rk4", 0.125)]:
        result = simulate(plan.compiled, plan.parameters, method=method, dt=dt)
        assert result["domestic_investment_cum"][-1, 0] == pytest.approx(879.745, rel=2e-3)


def test_trend_population_and_ageing_against_the_2020_census(capsys) -> None:
    result = load_scenario(SCENARIOS / "trend.toml").simulate()
    year_end = result["resident_population"][result.time_index(2021.0), 0]
    before = result["resident_population"][result.time_index(2020.0), 0]
    at_census = before + (year_end - before) * 10 / 12  # 1 November 2020
    gap = at_census - CENSUS_2020
    share = result["share_60plus"][result.time_index(2021.0), 0]
    with capsys.disabled():
        print(
            f"\ntrend: resident population {at_census:,.0f} on 1 Nov 2020 "
            f"(year-end {year_end:,.0f}) vs census {CENSUS_2020:,}: gap {gap:+,.0f} "
            f"({gap / CENSUS_2020:+.2%}); 60+ share {share:.1%} vs about 28.5 %"
        )
    assert abs(gap) / CENSUS_2020 < 0.01
    assert abs(share - 0.285) < 0.01
    scenario = load_scenario(SCENARIOS / "trend.toml")
    (census,) = compare_with_data(result, load_targets(scenario.targets_path))
    assert (census.variable, census.year, census.row.value) == (
        "resident_population",
        2020,
        CENSUS_2020,
    )
    assert census.gap == pytest.approx(year_end - CENSUS_2020)


def test_trend_hires_what_the_data_say_for_2017_2020() -> None:
    result = load_scenario(SCENARIOS / "trend.toml").simulate()
    four_years = result["new_jobs_past_four_years"][-1, 0]
    assert four_years == pytest.approx(170_000 * 4 / 5, rel=0.05)


def _plan_run(**arrays: np.ndarray):
    plan = load_scenario(SCENARIOS / "plan.toml")
    return plan.simulate(arrays)


MILESTONES = (
    "green_space_new",
    "schools_completed",
    "shanty_area_renovated",
    "eldercare_opened",
    "physicians",
    "nurses",
)


@settings(max_examples=15, deadline=None)
@given(
    low=st.floats(0.05, 0.4),
    step=st.floats(0.001, 0.3),
    land=st.floats(30, 200),
    cost=st.floats(0.5, 2.0),
)
def test_more_budget_never_lowers_a_milestone(low, step, land, cost) -> None:
    result = _plan_run(
        programme_budget_share=np.array([low, low + step]),
        developable_land_2015=np.full(2, land),
        school_cost=np.full(2, cost),
    )
    for name in MILESTONES:
        end = result[name][-1]
        assert end[1] >= end[0] * (1 - 1e-12) - 1e-9, name


@settings(max_examples=15, deadline=None)
@given(
    low=st.floats(0.012, 0.026),
    step=st.floats(0.0005, 0.01),
    jobs=st.floats(0, 8000),
    migrants=st.floats(0.1, 0.6),
)
def test_more_out_migration_never_raises_the_population(low, step, jobs, migrants) -> None:
    result = _plan_run(
        out_migration_rate=np.array([low, low + step]),
        public_sector_jobs=np.full(2, jobs),
        in_migrants_per_new_job=np.full(2, migrants),
    )
    population = result["resident_population"]
    assert np.all(population[:, 1] <= population[:, 0] + 1e-6)


@settings(max_examples=15, deadline=None)
@given(low=st.floats(0.02, 0.08), step=st.floats(0.001, 0.05), base=st.floats(3.5, 5.0))
def test_faster_staffing_growth_never_lowers_physicians_per_1000(low, step, base) -> None:
    result = _plan_run(
        physician_expansion_rate=np.array([low, low + step]),
        physicians_per_1000_2015=np.full(2, base),
    )
    ratio = result["physicians_per_1000"]
    assert np.all(ratio[:, 1] >= ratio[:, 0] - 1e-9)


def test_a_batch_equals_its_single_runs_with_per_scenario_schedules() -> None:
    plan = load_scenario(SCENARIOS / "plan.toml")
    delays = np.array([0.0, 1.0, 2.5])
    batch = plan.simulate({"fire_second_planning_start_delay": delays})
    for i, delay in enumerate(delays):
        one = plan.simulate({"fire_second_planning_start_delay": delay})
        np.testing.assert_array_equal(batch.values[..., i], one.values[..., 0])


def test_the_model_is_dimensionally_consistent() -> None:
    from sim.analysis import check_units

    report = check_units(MODEL)
    assert not report.issues, [str(i) for i in report.issues]
    assert not report.undeclared


def test_every_documented_loop_is_found_by_the_loop_analysis() -> None:
    from sim.analysis import analyse_loops

    plan = load_scenario(SCENARIOS / "plan.toml")
    analysis = analyse_loops(plan.compiled, plan.parameters, method=plan.method, dt=plan.dt)
    names = {loop.name for loop in analysis.loops}
    assert set(LOOPS) <= names
