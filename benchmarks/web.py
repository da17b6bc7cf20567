"""The what-if page (issue 12): from a slider's ``input`` event to the redrawn verdict table and
graphs, measured in a real headless Chromium with ``performance.now()`` (goal: p95 <= 150 ms
over 100 moves).

The server runs in this process on 127.0.0.1 (the plan scenario, as ``sim serve`` starts it).
The browser hovers the investment growth slider (which asks the server to judge all of its 61
positions in one vectorized sweep), then makes 100 moves along it, each to a different position
from the one before, waiting for ``data-ready`` after each. The same is done with 20 exact
values typed into its text box, which are off the slider's grid: each is one ``/api/run``
(the scenario and its dt/2 reference run), the latency of a value no sweep holds.
"""

from __future__ import annotations

import shutil
import threading

import numpy as np

__all__ = ["run"]

GOAL_MS = 150.0
MOVES = 100
TYPED = 20
PARAM = "domestic_investment_growth_rate"
READY = "document.body.dataset.ready === '1'"


def run() -> dict[str, object]:
    binary = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed (pip install -e '.[dev]')"}
    if binary is None:
        return {"skipped": "no chromium binary (apt-get install chromium)"}
    from sim.scenario import load_scenario
    from sim.web import Workbench, make_server

    bench = Workbench(
        load_scenario("scenarios/plan.toml"), load_scenario("scenarios/uncertainty.toml")
    )
    server = make_server(bench, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=binary, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                page.goto(f"http://{host}:{port}/")
                page.wait_for_function(READY, timeout=120_000)
                slid, first = _slide(page)
                typed = _type(page)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    p50, p95 = np.percentile(slid, [50, 95])
    t50, t95 = np.percentile(typed, [50, 95])
    return {
        f"slider moves: {MOVES}, p50 / p95 / max, ms": f"{p50:.0f} / {p95:.0f} / {max(slid):.0f}",
        f"p95 against the goal of {GOAL_MS:g} ms": "met" if p95 <= GOAL_MS else "MISSED",
        "first move (waits for the sweep asked on hover), ms": f"{first:.0f}",
        f"typed exact values: {TYPED}, one /api/run each, p50 / p95, ms": f"{t50:.0f} / {t95:.0f}",
    }


def _slide(page) -> tuple[list[float], float]:
    page.hover(f'[data-control="{PARAM}"]')
    rng = np.random.default_rng(12)
    positions, last = [], 40
    while len(positions) < MOVES:
        step = int(rng.integers(-6, 7))
        if step and 0 <= last + step <= 60:
            last += step
            positions.append(last)
    latencies = []
    for i in positions:
        page.evaluate(
            """([name, i]) => {
                const e = document.querySelector(`input[type=range][data-param="${name}"]`);
                const lo = Number(e.min), hi = Number(e.max);
                e.value = String(i === 60 ? hi : lo + (i * (hi - lo)) / 60);
                e.dispatchEvent(new Event("input", { bubbles: true }));
            }""",
            [PARAM, i],
        )
        page.wait_for_function(READY, timeout=60_000)
        latencies.append(float(page.evaluate("Number(document.body.dataset.latency)")))
    return latencies[1:], latencies[0]


def _type(page) -> list[float]:
    box = page.locator(f'input.exact[data-exact="{PARAM}"]')
    latencies = []
    for k in range(TYPED):
        box.fill(repr(0.0312345 + 0.00456789 * k))
        box.press("Enter")
        page.wait_for_function(READY, timeout=60_000)
        latencies.append(float(page.evaluate("Number(document.body.dataset.latency)")))
    return latencies
