"""The JSON API of ``sim serve``: its numbers are ``sim run``'s, its errors one line each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.errors import SimError
from sim.scenario import load_scenario
from sim.web.server import _Sessions
from sim.web.workbench import Cancelled

REPO = Path(__file__).resolve().parents[2]

GROWTH = "domestic_investment_growth_rate"


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory) -> dict:
    """``sim run scenarios/plan.toml --json``: the reference numbers."""
    return _sim_run(REPO / "scenarios" / "plan.toml", tmp_path_factory.mktemp("run"))


def _sim_run(path, out, capsys=None) -> dict:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert (
            main(["run", str(path), "--json", "--no-levers", "--no-figures", "--out", str(out)])
            == 0
        )
    data = json.loads(buffer.getvalue())
    return {t["id"]: t for t in data["scenarios"][0]["targets"]}


def test_scenario_lists_parameters_with_ranges_units_and_sectors(served):
    status, data = served.get("/api/scenario")
    assert status == 200
    params = {p["name"]: p for p in data["parameters"]}
    growth = params[GROWTH]
    assert (growth["low"], growth["high"], growth["value"]) == (0.0, 0.15, 0.1)
    assert growth["unit"] and growth["source"].startswith("plan:")
    assert growth["sector"] == "investment" and growth["kind"] == "lever"
    assert all(p["sector"] in data["sectors"] for p in params.values())
    assert len(data["targets"]) == 22
    assert data["batch"]["available"] and data["batch"]["file"] == "uncertainty.toml"


def test_run_gives_the_verdicts_of_sim_run(served, plan_json):
    status, data = served.post("/api/run", {"parameters": {}})
    assert status == 200
    assert data["counts"] == {"met": 7, "borderline": 7, "missed": 8}
    for v in data["verdicts"]:
        ref = plan_json[v["id"]]
        assert v["status"] == ref["status"]
        assert v["value"] == ref["value"]  # the same code and arithmetic: to the last digit
        assert v["band"] == ref["band"]


def test_sweep_is_the_same_as_one_run_at_a_time(served):
    values = [0.0, 0.05, 0.125]
    status, data = served.post("/api/sweep", {"name": GROWTH, "values": values})
    assert status == 200
    for value, swept in zip(values, data["runs"], strict=True):
        _, single = served.post("/api/run", {"parameters": {GROWTH: value}})
        assert swept["parameters"] == {GROWTH: value}
        for a, b in zip(swept["verdicts"], single["verdicts"], strict=True):
            assert a["status"] == b["status"]
            assert a["value"] == pytest.approx(b["value"], rel=1e-12, abs=1e-12)


def test_lowest_growth_misses_the_investment_target(served):
    _, data = served.post("/api/run", {"parameters": {GROWTH: 0.0}})
    cum = next(v for v in data["verdicts"] if v["id"] == "domestic_investment_cum")
    assert cum["status"] == "missed"
    assert cum["value"] == pytest.approx(131.0 * 5)  # no growth: five years at the 2015 rate


def test_saved_toml_reproduces_the_run_with_sim_run(served, tmp_path):
    changed = {GROWTH: 0.07123456789012345, "firm_exit_rate": 0.061}
    _, page = served.post("/api/run", {"parameters": changed})
    status, text = served.post("/api/toml", {"parameters": changed, "name": "x"})
    assert status == 200 and "0.07123456789012345" in text
    path = tmp_path / "whatif.toml"
    path.write_text(text, encoding="utf-8")
    ran = _sim_run(path, tmp_path / "out")
    for v in page["verdicts"]:
        assert (v["status"], v["value"]) == (ran[v["id"]]["status"], ran[v["id"]]["value"])


def test_csv_has_every_variable_year_by_year(served):
    status, text = served.post("/api/csv", {"parameters": {GROWTH: 0.05}})
    assert status == 200
    lines = text.splitlines()
    assert lines[0] == "scenario,variable,year,value,unit"
    rows = [line.split(",") for line in lines[1:]]
    cum = {int(r[2]): float(r[3]) for r in rows if r[1] == "domestic_investment_cum"}
    assert cum[2015] == 0 and cum[2020] == pytest.approx(131 * sum(1.05**k for k in range(1, 6)))


def test_batch_gives_probabilities_and_fans_holding_changed_levers(served):
    body = {"parameters": {GROWTH: 0.15, "shock_2020": 0}, "samples": 400, "seed": 3}
    status, data = served.post("/api/batch", body)
    assert status == 200
    assert data["samples"] == 400 and data["fixed"] == [GROWTH, "shock_2020"]
    p = {r["id"]: r for r in data["probabilities"]}
    assert set(p) >= {"domestic_investment_growth", "all"}
    assert p["domestic_investment_growth"]["p"] == 1.0  # 15 %/yr, no downturn: always
    fan = data["fans"]["domestic_investment_cum"]
    assert fan["years"][0] == 2015 and fan["years"][-1] == 2020 and len(fan["q"]) == 5
    again = served.post("/api/batch", body)[1]
    assert again["probabilities"] == data["probabilities"]  # same seed, same numbers


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/run", {"parameters": {"no_such_constant": 1}}, "parameters.no_such_constant"),
        ("/api/run", {"parameters": {GROWTH: "fast"}}, f"parameters.{GROWTH}"),
        ("/api/run", {"parameters": {GROWTH: True}}, f"parameters.{GROWTH}"),
        ("/api/run", {"parameters": {GROWTH: 0.5}, "strict": True}, f"parameters.{GROWTH}"),
        ("/api/run", {"parameters": [1, 2]}, "parameters"),
        ("/api/run", {"variables": ["nope"]}, "variables[0]"),
        ("/api/run", {"path": "/etc/passwd"}, "path"),
        ("/api/batch", {"samples": 1_000_000}, "samples"),
        ("/api/batch", {"samples": 0}, "samples"),
        ("/api/batch", {"samples": 10.5}, "samples"),
        ("/api/sweep", {"name": GROWTH, "values": []}, "values"),
        ("/api/sweep", {"name": GROWTH, "values": list(range(500))}, "values"),
    ],
)
def test_bad_requests_get_a_one_line_json_error_naming_the_field(served, path, body, field):
    status, data = served.post(path, body)
    assert status == 400
    assert list(data) == ["error"] and "\n" not in data["error"]
    assert data["error"].startswith(field + ":")


def test_not_json_nan_and_unknown_paths(served):
    status, data = served.post("/api/run", raw=b"{not json")
    assert status == 400 and data["error"].startswith("body: not JSON")
    status, data = served.post("/api/run", raw=b'{"parameters": {"firm_exit_rate": NaN}}')
    assert status == 400 and "NaN" in data["error"]
    status, data = served.post("/api/nope", {})
    assert status == 404 and "no such endpoint" in data["error"]
    status, data = served.get("/../../etc/passwd")
    assert status == 404 and list(data) == ["error"]


def test_out_of_range_is_allowed_when_not_strict(served):
    status, data = served.post("/api/run", {"parameters": {GROWTH: 0.2}})
    assert status == 200 and len(data["verdicts"]) == 22


def test_a_newer_request_of_a_session_cancels_the_older():
    sessions = _Sessions()
    first = sessions.ticket("page")
    first()  # still the newest
    sessions.ticket("page")
    with pytest.raises(Cancelled):
        first()
    other = sessions.ticket(None)
    sessions.ticket(None)
    other()  # requests without a session never cancel one another


def test_batch_stops_at_the_next_chunk_when_cancelled(served):
    calls = []

    def check():
        calls.append(1)
        if len(calls) > 1:
            raise Cancelled("superseded")

    with pytest.raises(Cancelled):
        served.bench.batch({}, 6_000, 0, check)
    assert len(calls) == 2


def test_sim_serve_binds_localhost_prints_its_url_and_refuses_bad_input(tmp_path):
    assert main(["serve", str(tmp_path / "missing.toml")]) == 2
    assert main(["serve", str(REPO / "scenarios" / "plan.toml"), "--port", "70000"]) == 2
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "serve", str(REPO / "scenarios" / "trend.toml"),
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        assert line.startswith("sim serve: trend at http://127.0.0.1:")
        import urllib.request

        url = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(url + "api/scenario", timeout=60) as r:
            assert json.loads(r.read())["scenario"]["name"] == "trend"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def test_the_uncertainty_file_must_share_the_model(tmp_path):
    other = tmp_path / "u.toml"
    other.write_text('model = "decay"\n[uncertain]\nlifetime = {dist="uniform", low=1, high=2}\n')
    code = main(["serve", str(REPO / "scenarios" / "plan.toml"), "--uncertainty", str(other)])
    assert code == 2
    assert load_scenario(other).uncertain


@settings(max_examples=3)
@given(st.data())
def test_any_settings_are_judged_as_sim_run_judges_them(served, data):
    """Property: for any values within the ranges, the page's verdicts are `assess`'s."""
    from sim.plan.feasibility import assess

    bench = served.bench
    chosen = data.draw(st.lists(st.sampled_from(bench.params), min_size=1, max_size=4,
                                unique_by=lambda p: p.name))  # fmt: skip
    values = {p.name: data.draw(st.floats(p.low, p.high)) for p in chosen}
    page = bench.run(values)
    judged = assess(bench.with_parameters(values), bench.targets, levers=False, loops=False)
    for v, mine in zip(judged.verdicts, page["verdicts"], strict=True):
        assert (mine["id"], mine["status"]) == (v.target.id, v.standing)
        assert mine["value"] == pytest.approx(v.value, rel=1e-12, abs=1e-12)


def test_a_scenario_with_inputs_and_no_targets_is_saved_with_its_inputs(tmp_path):
    from sim.web import Workbench

    path = tmp_path / "s.toml"
    path.write_text('model = "decay"\n[inputs.lifetime]\ntimes = [0, 5]\nvalues = [2.0, 3.0]\n')
    bench = Workbench(load_scenario(path))
    assert bench.params == [] and bench.run({})["counts"] == {"met": 0, "borderline": 0,
                                                              "missed": 0}  # fmt: skip
    saved = tmp_path / "saved.toml"
    saved.write_text(bench.toml({"initial_amount": 123.456}), encoding="utf-8")
    again = load_scenario(saved)
    assert again.inputs == load_scenario(path).inputs
    assert again.parameters == {"initial_amount": 123.456}
    with pytest.raises(SimError, match=r"parameters\.lifetime: a time-varying input"):
        bench.parameters({"lifetime": 2})
