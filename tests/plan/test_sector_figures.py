"""Sector panels say what the verdict says: colour and word follow its status."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sim.plan.feasibility import TargetVerdict
from sim.plan.figures import _STATUS_COLOURS, _target_panel
from sim.plan.targets import Target
from sim.results import Result


@pytest.mark.parametrize(("met", "status"), [(True, "met"), (False, "borderline"), (False, None)])
def test_a_panel_is_titled_and_coloured_by_the_verdict_s_status(met, status):
    target = Target(
        id="t", title="t", sector="s", kind="k", evidence="modelled", metric="x",
        comparator=">=", threshold=10.0, unit="u", quote="q",
    )  # fmt: skip
    values = np.array([0.0, 4.0, 8.0, 9.0, 9.9, 10.0 if met else 9.99])[:, None, None]
    result = Result(np.arange(2016.0, 2022.0), ("x",), values, {"x": "u"})
    verdict = TargetVerdict(target, float(values[-1, 0, 0]), met, 0.0, 0.0, None, status=status)
    ax = Figure().add_subplot()
    _target_panel(ax, result, verdict)
    word = verdict.standing
    assert ax.get_title().endswith(f": {word}")
    assert to_hex(ax.title.get_color()) == _STATUS_COLOURS[word]
    assert to_hex(ax.lines[0].get_color()) == _STATUS_COLOURS[word]
