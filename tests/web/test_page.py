"""The what-if page end to end in headless Chromium (Playwright driving Debian's chromium):
one server and one browser for the module, a fresh page per test."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from sim.cli import main

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

GROWTH = "domestic_investment_growth_rate"
READY = "document.body.dataset.ready === '1'"


def chromium() -> str | None:
    """The browser binary: $SIM_CHROMIUM, else Debian's chromium on the PATH."""
    given = os.environ.get("SIM_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    """One browser and one context for the module."""
    binary = chromium()
    if binary is None:
        pytest.skip("no chromium binary (apt-get install chromium, or set SIM_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=binary, headless=True)
        context = b.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        try:
            yield context
        finally:
            context.close()
            b.close()


@pytest.fixture(scope="module")
def loaded(browser, served):
    """The page, loaded once; each test starts from it after "Reset all"."""
    pg = browser.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(served.url + "/")
    pg.wait_for_function(READY, timeout=60_000)
    yield pg, errors
    pg.close()


@pytest.fixture
def page(loaded):
    pg, errors = loaded
    pg.click("#reset-all")
    pg.wait_for_function(READY, timeout=60_000)
    pg.evaluate("() => { document.getElementById('message').hidden = true; }")
    yield pg
    assert not errors, errors


def slide(pg, name: str, value: str | float) -> None:
    """Move a slider as a user does: set its value and fire ``input``; wait for the update."""
    pg.evaluate(
        """([name, value]) => {
            const e = document.querySelector(`input[type=range][data-param="${name}"]`);
            e.value = value === "min" ? e.min : value === "max" ? e.max : String(value);
            e.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        [name, value],
    )
    pg.wait_for_function(READY, timeout=60_000)


def statuses(pg) -> dict[str, str]:
    return pg.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("tr[data-target]")]
            .map((r) => [r.dataset.target, r.dataset.status]))"""
    )


def test_the_page_shows_every_target_and_a_slider_per_ranged_parameter(page, served):
    found = statuses(page)
    assert len(found) == 22
    assert set(found.values()) <= {"met", "missed", "borderline"}
    assert found["domestic_investment_cum"] == "borderline"  # as sim run says for the plan
    n_params = len(served.bench.params)
    assert page.locator("input[type=range][data-param]").count() == n_params
    growth = page.locator(f'input[type=range][data-param="{GROWTH}"]')
    assert (growth.get_attribute("min"), growth.get_attribute("max")) == ("0", "0.15")
    assert page.locator(".graph svg.chart path.line.now[d^=M]").count() == 7  # 6 headline + 1
    page.focus(f'input[type=range][data-param="{GROWTH}"]')
    assert page.inner_text("#source-line").startswith(f"{GROWTH}: plan:")


def test_a_burst_of_moves_ends_on_the_last_one(page):
    for last, status in (("min", "missed"), ("0.1", "borderline")):
        page.evaluate(
            """([name, last]) => {
                const e = document.querySelector(`input[type=range][data-param="${name}"]`);
                for (const v of ["0.05", "0.125", "0.0375", "0.15", last]) {
                    e.value = v === "min" ? e.min : v;
                    e.dispatchEvent(new Event("input", { bubbles: true }));
                }
            }""",
            [GROWTH, last],
        )
        page.wait_for_function(READY, timeout=60_000)
        assert statuses(page)["domestic_investment_cum"] == status
        assert page.locator(f'input.exact[data-exact="{GROWTH}"]').input_value() == (
            "0" if last == "min" else last
        )


def test_lowest_growth_turns_the_investment_target_missed_and_back(page):
    before = statuses(page)
    slide(page, GROWTH, "min")
    after = statuses(page)
    assert after["domestic_investment_cum"] == "missed"
    assert page.locator(f'input.exact[data-exact="{GROWTH}"]').input_value() == "0"
    slide(page, GROWTH, "0.1")
    assert statuses(page) == before


def test_reset_restores_the_scenario_value(page):
    slide(page, GROWTH, "min")
    page.locator(f'[data-control="{GROWTH}"] button.reset').click()
    page.wait_for_function(READY)
    assert page.locator(f'input[type=range][data-param="{GROWTH}"]').input_value() == "0.1"
    assert statuses(page)["domestic_investment_cum"] == "borderline"


def test_saved_scenario_gives_the_same_verdicts_with_sim_run(page, served, tmp_path):
    slide(page, GROWTH, "min")
    slide(page, "firm_exit_rate", "max")
    exact = page.locator('input.exact[data-exact="public_sector_jobs"]')
    exact.fill("9876.54321")
    exact.press("Enter")
    page.wait_for_function(READY)
    shown = statuses(page)
    with page.expect_download() as download:
        page.click("#save-toml")
    path = tmp_path / "saved.toml"
    download.value.save_as(path)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert (
            main(
                [
                    "run",
                    str(path),
                    "--json",
                    "--no-levers",
                    "--no-figures",
                    "--out",
                    str(tmp_path / "out"),
                ]
            )
            == 0
        )
    ran = {t["id"]: t for t in json.loads(buffer.getvalue())["scenarios"][0]["targets"]}
    assert {k: v["status"] for k, v in ran.items()} == shown
    params = page.evaluate("window.__whatif.params")
    assert params["public_sector_jobs"] == 9876.54321
    _, api = served.post("/api/run", {"parameters": params})
    assert {v["id"]: v["value"] for v in api["verdicts"]} == {k: v["value"] for k, v in ran.items()}


def test_csv_download_has_the_trajectories(page, tmp_path):
    slide(page, GROWTH, "min")
    with page.expect_download() as download:
        page.click("#save-csv")
    path = tmp_path / "trajectories.csv"
    download.value.save_as(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "scenario,variable,year,value,unit"
    assert "plan,domestic_investment_cum,2020,655.0,亿元" in lines


def test_the_address_restores_the_sliders_in_a_fresh_page(page, browser):
    slide(page, GROWTH, "min")
    slide(page, "firm_birth_rate", "max")
    url = page.url
    assert "#" in url and GROWTH in url
    values = _slider_values(page)
    fresh = browser.new_page()
    try:
        fresh.goto(url)
        fresh.wait_for_function(READY, timeout=60_000)
        assert _slider_values(fresh) == values
        assert statuses(fresh) == statuses(page)
    finally:
        fresh.close()


def _slider_values(pg) -> dict[str, str]:
    return pg.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("input[data-param]")]
            .map((e) => [e.dataset.param, e.value]))"""
    )


def test_a_value_that_is_not_a_number_gets_a_clear_message(page):
    before = statuses(page)
    exact = page.locator(f'input.exact[data-exact="{GROWTH}"]')
    exact.fill("ten percent")
    exact.press("Enter")
    message = page.locator("#message")
    message.wait_for(state="visible")
    assert GROWTH in message.inner_text() and "not a number" in message.inner_text()
    assert statuses(page) == before
    birth = page.locator('input.exact[data-exact="firm_birth_rate"]')
    birth.fill("1e300")  # a number, but the run overflows: the server's 422 is shown
    birth.press("Enter")
    page.wait_for_function(READY)
    assert "not a finite number" in message.inner_text()


def test_how_likely_shows_probabilities_and_is_cancelled_by_a_move(page):
    page.fill("#samples", "600")
    page.click("#run-batch")
    page.wait_for_function("document.body.dataset.batch === 'done'", timeout=60_000)
    assert page.locator("tr[data-target] .pbar").count() == 22
    page.fill("#samples", "100000")
    page.click("#run-batch")
    slide(page, GROWTH, "max")
    page.wait_for_function("document.body.dataset.batch === 'cancelled'", timeout=30_000)
    assert page.locator("tr[data-target] .pbar").count() == 0
    assert "cancelled" in page.inner_text("#batch-status")


def test_screenshot(page, tmp_path):
    slide(page, GROWTH, "min")
    path = tmp_path / "what-if.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000
