"""The Hexi plan model: sourced constants, named loops, the plan's arithmetic, a back-test
against the 2020 census, and monotone responses through the feedback loops."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
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


@pytest.mark.parametrize("constant", MODEL.constants, ids=lambda c: c.name)
def test_every_constant_has_units_and_a_source(constant) -> None:
    assert constant.units, "no units"
    assert constant.source.startswith(("data:", "plan:", "assumption")), constant.source
    if constant.source.startswith("assumption"):
        assert constant.range is not None, "an assumption needs a range"
        low, high = constant.range
        assert low <= constant.value <= high


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
    for quantity, year in re.findall(r"data row (\w+),(\d{4})", text):
        assert (quantity, year) in rows


@pytest.mark.skipif(not PLAN_TEXT.is_file(), reason="the plan text (../shared) is not here")
def test_plan_quotes_are_in_the_plan_text() -> None:
    plan = PLAN_TEXT.read_text(encoding="utf-8")
    for constant in MODEL.constants:
        if constant.source.startswith("plan:"):
            quote = re.search(r'"([^"]+)"', constant.source)
            assert quote is not None, constant.name
            assert quote.group(1) in plan, constant.name


def test_loops_are_named_in_the_docs_and_present_in_the_equations() -> None:
    for loop in ("R1", "R2", "B1", "B2", "B3"):
        assert loop in MODEL.doc
        assert any(loop in v.doc for v in MODEL.variables if v.doc), loop
    equations = {v.name: getattr(v, "equation", "") for v in MODEL.variables}
    assert "business_climate_effect" in equations["domestic_investment_growth_effective"]  # R1
    assert "local_demand_effect" in equations["firm_births"]  # R2
    assert "new_jobs" in equations["in_migration"]  # R2
    assert "physician_gap" in equations["physician_recruitment"]  # B1
    assert "eldercare_pressure_effect" in equations["eldercare_starts"]  # B2
    assert "crowding_effect" in equations["firm_exits"]  # B3


def test_every_sector_is_present() -> None:
    for stock in SECTOR_STOCKS.values():
        assert stock in MODEL
    compile_model(MODEL)


def test_the_plan_arithmetic_holds_with_euler_and_annual_steps(capsys) -> None:
    result = load_scenario(SCENARIOS / "plan.toml").simulate()
    domestic = result["domestic_investment_cum"][-1, 0]
    foreign = result["foreign_capital_cum"][-1, 0]
    with capsys.disabled():
        print(
            f"\nplan, euler dt=1: domestic_investment_cum = {domestic:.4f} (880.0 ± 0.5), "
            f"foreign_capital_cum = {foreign:.5f} (16.8 ± 0.05)"
        )
    assert domestic == pytest.approx(880.0, abs=0.5)
    assert foreign == pytest.approx(16.8, abs=0.05)
    path = result["domestic_investment_attracted"][:5, 0]
    assert path == pytest.approx([144.144, 158.5584, 174.41424, 191.855664, 211.0412304], rel=1e-3)


def test_trend_population_against_the_2020_census(capsys) -> None:
    result = load_scenario(SCENARIOS / "trend.toml").simulate()
    year_end = result["resident_population"][result.time_index(2021.0), 0]
    before = result["resident_population"][result.time_index(2020.0), 0]
    at_census = before + (year_end - before) * 10 / 12  # 1 November 2020
    gap = at_census - CENSUS_2020
    with capsys.disabled():
        print(
            f"\ntrend: resident population {at_census:,.0f} on 1 Nov 2020 "
            f"(year-end {year_end:,.0f}) vs census {CENSUS_2020:,}: gap {gap:+,.0f} "
            f"({gap / CENSUS_2020:+.2%})"
        )
    assert abs(gap) / CENSUS_2020 < 0.02
    scenario = load_scenario(SCENARIOS / "trend.toml")
    (census,) = compare_with_data(result, load_targets(scenario.targets_path))
    assert (census.variable, census.year, census.row.value) == (
        "resident_population",
        2020,
        CENSUS_2020,
    )
    assert census.gap == pytest.approx(year_end - CENSUS_2020)


def _hexi_run(**arrays: np.ndarray):
    n = len(next(iter(arrays.values())))
    return simulate(MODEL, arrays, n=n, check_ranges=False)  # properties hold beyond ranges


fraction = st.floats(0.1, 1.0, allow_nan=False)


@given(
    low=fraction,
    high=fraction,
    cap=st.floats(0.06, 0.15),
    attrition=st.floats(0.02, 0.06),
    migrants=st.floats(0.1, 0.6),
    base=st.floats(3.5, 5.0),
)
def test_faster_recruitment_never_lowers_physicians_per_1000(
    low, high, cap, attrition, migrants, base
) -> None:
    low, high = sorted((low, high))
    result = _hexi_run(
        physician_recruitment_rate=np.array([low, high]),
        physician_recruitment_cap=np.full(2, cap),
        physician_attrition_rate=np.full(2, attrition),
        in_migrants_per_new_job=np.full(2, migrants),
        physicians_per_1000_2015=np.full(2, base),
    )
    ratio = result["physicians_per_1000"]
    assert np.all(ratio[:, 1] >= ratio[:, 0] - 1e-9)


@given(
    low=st.floats(0.1, 0.6),
    step=st.floats(0.01, 0.3),
    rate=fraction,
    jobs=st.floats(6000, 18000),
    out=st.floats(0.012, 0.025),
)
def test_more_in_migration_per_job_lowers_the_ratios_through_b1(low, step, rate, jobs, out) -> None:
    result = _hexi_run(
        in_migrants_per_new_job=np.array([low, low + step]),
        physician_recruitment_rate=np.full(2, rate),
        nurse_recruitment_rate=np.full(2, rate),
        public_sector_jobs=np.full(2, jobs),
        out_migration_rate=np.full(2, out),
    )
    assert result["resident_population"][-1, 1] > result["resident_population"][-1, 0]
    for ratio in ("physicians_per_1000", "nurses_per_1000"):
        end = result[ratio][-1]
        assert end[1] < end[0], ratio


@given(rate=st.floats(0.05, 0.15))
def test_faster_investment_growth_attracts_more_and_no_less_of_anything_in_r1(rate) -> None:
    result = _hexi_run(domestic_investment_growth_rate=np.array([rate, rate + 0.01]))
    for name in (
        "domestic_investment_cum",
        "large_enterprises",
        "foreign_capital_cum",
        "private_enterprises",
        "new_jobs_cum",
    ):
        end = result[name][-1]
        assert end[1] > end[0], name
