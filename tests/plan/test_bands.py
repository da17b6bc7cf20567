"""Verdicts with their standing: the error band against analytic answers, and the status."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.plan.bands import BandRuns, Reference, status
from sim.plan.feasibility import assess
from sim.plan.targets import Target, load_targets
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]

# x' = g x from x(0) = x0 (1 + g): the level at t = 5
X0, G = 131.04 * 1.1, 0.1
EULER_1 = X0 * (1 + G) ** 5
EULER_HALF = X0 * (1 + G / 2) ** 10
EXACT = X0 * math.exp(5 * G)


def growth(tmp_path: Path, threshold: float, method: str = "euler", **extra) -> tuple:
    fields = "".join(f"{k} = {v}\n" for k, v in extra.items())
    (tmp_path / "t.toml").write_text(
        f"""[sectors.s]
title = "s"

[targets.level]
title = "level"
sector = "s"
kind = "rate"
evidence = "modelled"
metric = "level"
year = 5
timing = "during"
comparator = ">="
threshold = {threshold!r}
unit = "u"
quote = "q"
{fields}""",
        encoding="utf-8",
    )
    (tmp_path / "s.toml").write_text(
        f'model = "exponential_growth"\ntargets = "t.toml"\nmethod = "{method}"\ndt = 1\n',
        encoding="utf-8",
    )
    scenario = load_scenario(tmp_path / "s.toml")
    return scenario, load_targets(tmp_path / "t.toml")


def test_the_band_is_the_published_run_against_half_dt_and_rk4(tmp_path: Path) -> None:
    scenario, targets = growth(tmp_path, 200.0)
    (v,) = assess(scenario, targets, levers=False).verdicts
    assert v.value == pytest.approx(EULER_1, rel=1e-12)
    assert v.references["euler, dt 0.5"] == pytest.approx(EULER_HALF, rel=1e-12)
    assert v.references["rk4, dt 0.5"] == pytest.approx(EXACT, rel=1e-6)
    assert v.numerical_band == pytest.approx(EXACT - EULER_1, abs=1e-4)
    assert v.band == v.numerical_band


@pytest.mark.parametrize(
    ("offset", "expected", "met"),
    [(-2.0, "met", True), (-0.5, "borderline", True), (0.5, "borderline", False),
     (2.0, "missed", False)],
)  # fmt: skip
def test_a_threshold_within_the_band_is_borderline(tmp_path: Path, offset, expected, met) -> None:
    band = EXACT - EULER_1
    scenario, targets = growth(tmp_path, EULER_1 + offset * band)
    (v,) = assess(scenario, targets, levers=False).verdicts
    assert (v.standing, v.met) == (expected, met)
    assert v.to_dict()["status"] == expected


def test_tolerance_and_precision_widen_the_band(tmp_path: Path) -> None:
    band = EXACT - EULER_1
    scenario, targets = growth(tmp_path, EULER_1 + 2 * band, tolerance=0.7 * band, precision=band)
    (v,) = assess(scenario, targets, levers=False).verdicts
    assert v.band == pytest.approx(2.7 * band, abs=1e-4)
    assert v.standing == "borderline"
    parts = v.to_dict()["band_parts"]
    assert parts["numerical"] == pytest.approx(band, abs=1e-4)
    assert (parts["tolerance"], parts["precision"]) == (0.7 * band, band)


def test_an_rk4_scenario_is_checked_against_itself_at_half_dt(tmp_path: Path) -> None:
    scenario, targets = growth(tmp_path, 200.0, method="rk4")
    verdict = assess(scenario, targets, levers=False)
    assert [(r.method, r.dt) for r in verdict.bands.references] == [("rk4", 0.5)]
    (v,) = verdict.verdicts
    assert 0 < v.numerical_band < 1e-3  # RK4's error at dt 1 over five steps


def test_status_rules() -> None:
    t = Target(id="t", title="t", sector="s", kind="k", evidence="identity", metric="x",
               comparator="<=", threshold=0.0, unit="u", quote="q")  # fmt: skip
    assert status(0.0, t, 0.0) == "met"  # on the threshold with no band: the comparison
    assert status(0.5, t, 1.0) == "borderline"
    assert status(-0.5, t, 0.4) == "met" and status(0.5, t, 0.4) == "missed"
    assert status(math.nan, t, 1.0) == "missed"
    runs = BandRuns([Reference("rk4", 0.5, {"t": math.nan}), Reference("euler", 0.5, {"t": 2.0})])
    assert runs.numerical(t, 1.0) == math.inf  # a reference without a number: no confidence
    assert math.isnan(runs.numerical(t, math.nan))
    rounding = BandRuns([Reference("rk4", 0.5, {"t": 1e-15})])
    assert runs.numerical(t, 1.0) == math.inf and rounding.numerical(t, 0.0) == 0.0


def test_plan_no_modelled_target_is_met_within_its_band_without_being_borderline() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "plan.toml")
    verdict = assess(scenario, load_targets(scenario.targets_path), levers=False)
    for v in verdict.verdicts:
        assert v.band is not None and v.band >= v.target.tolerance + v.target.precision
        if abs(v.margin) <= v.band and v.band > 0:
            assert v.standing == "borderline", v.target.id
        else:
            assert v.standing == ("met" if v.met else "missed"), v.target.id
    counts = verdict.counts()
    assert sum(counts.values()) == len(verdict.verdicts) == 22
    assert verdict.summary() == (
        f"{counts['met']} met, {counts['borderline']} borderline, {counts['missed']} missed of 22"
    )


def test_a_reference_the_model_refuses_is_left_out_and_named(tmp_path: Path, monkeypatch) -> None:
    import sim.plan.bands as bands
    from sim.errors import UserInputError

    real = bands.simulate

    def refuse_rk4(*args, method, **kwargs):
        if method == "rk4":
            raise UserInputError("part 'pipeline' is a difference equation: euler only")
        return real(*args, method=method, **kwargs)

    monkeypatch.setattr(bands, "simulate", refuse_rk4)
    scenario, targets = growth(tmp_path, 200.0)
    verdict = assess(scenario, targets, levers=False)
    assert [r.method for r in verdict.bands.references] == ["euler"]
    assert "difference equation" in verdict.bands.skipped["rk4, dt 0.5"]
    (v,) = verdict.verdicts
    assert v.numerical_band == pytest.approx(EULER_HALF - EULER_1, rel=1e-9)
    assert verdict.to_dict()["references_skipped"] == verdict.bands.skipped
