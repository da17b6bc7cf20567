"""Shared test settings: a deterministic hypothesis profile, and the shared/ folder if present."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "deterministic",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("deterministic")

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()


@pytest.fixture
def count_calls() -> Callable[[Callable[[], object]], int]:
    """How many Python calls a callable makes: a measure of work that, unlike a timing,
    does not depend on the load of a shared machine."""

    def count(work: Callable[[], object]) -> int:
        calls = 0

        def profile(frame, event, arg):
            nonlocal calls
            if event == "call":
                calls += 1

        sys.setprofile(profile)
        try:
            work()
        finally:
            sys.setprofile(None)
        return calls

    return count


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def plan_target_ids() -> list[str]:
    """The 22 target ids of PLAN_TARGETS.md, in its order: an oracle independent of the
    targets file."""
    return [
        "domestic_investment_cum",
        "domestic_investment_growth",
        "foreign_capital_cum",
        "foreign_capital_growth",
        "private_enterprises",
        "large_enterprises",
        "top500_presence",
        "trade_firms_100m",
        "new_jobs_cum",
        "hard_to_employ_placement",
        "zero_employment_households",
        "physicians_per_1000",
        "nurses_per_1000",
        "eldercare_institutions_new",
        "state_nursing_home",
        "green_space_new",
        "schools_new",
        "shanty_renovation",
        "online_approval_rate",
        "state_capital_payout",
        "fire_stations",
        "broadband",
    ]
