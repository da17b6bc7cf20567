"""Every figure the commands save is fit for a report: a title, both axes labelled (the
values' unit or what the categories are), and no snake_case id in any tick label."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.cli import main
from sim.uncertainty.figures import importance_figure, shown_columns

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.fixture
def saved(monkeypatch):
    """Every figure the commands save, kept for inspection instead of rendered (rendering is
    most of the time and says nothing about labels)."""
    figures: list[tuple[str, Figure]] = []

    def spy(self, fname, *args, **kwargs):
        figures.append((str(fname), self))

    original_draw = FigureCanvasAgg.draw

    def drawn(self, *args, **kwargs):  # figures drawn to pixels (the fan grid's parts)
        figures.append(("pixels/drawn.png", self.figure))
        return original_draw(self, *args, **kwargs)

    monkeypatch.setattr(FigureCanvasAgg, "draw", drawn)
    monkeypatch.setattr("sim.drawing.usable_cores", lambda: 1)  # draw here, where we look

    monkeypatch.setattr(Figure, "savefig", spy)
    return figures


def _problems(name: str, fig: Figure) -> list[str]:
    found = []
    titles = [fig._suptitle.get_text() if fig._suptitle else ""]
    titles += [ax.get_title() for ax in fig.axes]
    if not any(t.strip() for t in titles):
        found.append(f"{name}: no title")
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison or hasattr(ax, "_colorbar"):
            continue
        if ax.get_label() == "<colorbar>":
            continue
        for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
            ticks = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
            scale = any(t.get_visible() and t.get_text() for t in ticks)
            if scale and not label.strip():  # an axis that shows numbers says what they are
                found.append(f"{name}: axes {ax.get_title()!r} has no {axis} label")
        ticks = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        found += [f"{name}: tick label {t!r} is an id" for t in ticks if SNAKE.search(t)]
    return found


def test_every_saved_figure_is_labelled(saved, tmp_path: Path, capsys) -> None:
    out = str(tmp_path)
    uncertainty = str(SCENARIOS / "uncertainty.toml")
    quick = ["--no-progress", "--out", out]
    commands = [
        ["run", str(SCENARIOS / "plan.toml"), str(SCENARIOS / "trend.toml"), "--no-levers",
         "--out", out],
        ["batch", uncertainty, "--samples", "400", *quick],
        ["sensitivity", uncertainty, "--samples", "16", "--resamples", "10", *quick],
        ["sensitivity", uncertainty, "--method", "tornado", *quick],
        ["discover", uncertainty, "--samples", "400", "--target", "new_jobs_cum", *quick],
        ["discover", uncertainty, "--samples", "400", "--met", "--target", "private_enterprises",
         *quick],
        ["map", uncertainty, "--target", "new_jobs_cum", "--x", "jobs_per_new_firm",
         "--y", "public_sector_jobs:6000:20000", "--grid", "3", "--samples", "20", *quick],
        ["compare", str(SCENARIOS / "plan.toml"), str(SCENARIOS / "trend.toml"),
         "--vars", "private_enterprises,nurses_per_1000", "--out", out],
    ]  # fmt: skip
    for command in commands:
        assert main(command) == 0, command
    capsys.readouterr()
    kinds = {Path(name).parent.name + "/" + Path(name).stem.split("_")[0] for name, _ in saved}
    assert len(saved) >= 30 and len(kinds) >= 8
    assert sum(name == "pixels/drawn.png" for name, _ in saved) >= 2  # the fan grid's parts
    problems = [p for name, fig in saved for p in _problems(Path(name).name, fig)]
    assert not problems, "\n".join(problems[:20])


def test_the_heatmap_shows_a_dominant_driver_ranked_25th_of_30() -> None:
    """Input 24 is the strongest driver of one target only, and weaker than 24 others
    overall: a top-20 cut by overall strength would drop it."""
    rng = np.random.default_rng(5)
    values = rng.uniform(0.3, 0.6, size=(5, 30))
    values[:, 24:] = rng.uniform(0.0, 0.05, size=(5, 6))
    values[4] = 0.01
    values[4, 24] = 0.2  # the one driver of target 4, 25th by overall strength
    overall = np.argsort(-values.max(axis=0), kind="stable")
    assert list(overall).index(24) >= 24
    assert 24 in shown_columns(values, top=20, per_row=3)
    names = [f"input_{j}" for j in range(30)]
    fig = importance_figure([f"target {i}" for i in range(5)], names, values, title="t",
                            label="total index", top=20)  # fmt: skip
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "input 24" in labels and len(labels) <= 23


def test_indices_outside_the_unit_interval_are_flagged_with_their_interval() -> None:
    values = np.array([[1.28, 0.2, 0.1], [0.5, -0.07, 0.0]])
    interval = np.stack([values - 0.3, values + 0.3])
    fig = importance_figure(["a", "b"], ["x", "y", "z"], values, title="t", label="total",
                            interval=interval)  # fmt: skip
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "1.28*" in texts and "-0.07*" in texts
    note = fig.axes[0].get_xlabel().replace("\n", " ")
    assert "estimation noise" in note and "1.28 [0.98, 1.58]" in note


def test_the_check_itself_catches_an_unlabelled_figure() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([1, 2], [3, 4])
    ax.set_yticks([3, 4], ["new_jobs_cum", "b"])
    found = _problems("bad.png", fig)
    assert any("no title" in p for p in found) and any("no x label" in p for p in found)
    assert any("no y label" in p for p in found) and any("is an id" in p for p in found)


def test_a_flat_line_at_zero_is_not_scaled_to_rounding_noise() -> None:
    from sim.plan.figures import _limits
    from sim.uncertainty.figures import steady_limits

    for limit in (lambda ax: _limits(ax, 0.0), lambda ax: steady_limits(ax, np.array([0, 1e-17]))):
        ax = Figure().add_subplot()
        ax.plot([2016, 2020], [0.0, 1.4e-17])
        limit(ax)
        low, high = ax.get_ylim()
        assert high - low >= 0.5 and low < 0 < high
