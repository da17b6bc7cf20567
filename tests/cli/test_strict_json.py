"""Every JSON the commands print or write parses with a strict parser (no NaN, no Infinity),
even when runs reach NaN or infinity and summaries are empty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "scenarios" / "plan.toml"


def _strict(text: str):
    def refuse(token: str):
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def hopeless(tmp_path: Path) -> Path:
    """Every run overflows: probabilities and quantiles have nothing to count."""
    path = tmp_path / "hopeless.toml"
    path.write_text(
        f'extends = "{PLAN}"\n[uncertain]\n'
        'firm_birth_rate = { dist = "choice", values = [1e307, 1e308] }\n'
        'firm_exit_rate = { dist = "uniform", low = 0.03, high = 0.08 }\n',
        encoding="utf-8",
    )
    return path


BATCH = ["--no-progress", "--no-figures", "--max-nonfinite", "1", "--json"]


@pytest.mark.parametrize(
    "args",
    [
        ["batch", "--samples", "30"],
        ["discover", "--samples", "30"],
        ["map", "--samples", "4", "--grid", "2", "--target", "new_jobs_cum",
         "--x", "jobs_per_new_firm", "--y", "public_sector_jobs"],
        ["sensitivity", "--method", "tornado"],
        ["sensitivity", "--samples", "4", "--resamples", "10"],
    ],
)  # fmt: skip
def test_batch_commands_write_strict_json(hopeless, tmp_path, capsys, args):
    out = tmp_path / "out"
    assert main([*args[:1], str(hopeless), *args[1:], *BATCH, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    _strict(printed)
    files = sorted(out.rglob("*.json"))
    assert files
    for file in files:
        _strict(file.read_text(encoding="utf-8"))
    if args[0] in ("batch", "map") or "tornado" in args:
        assert "null" in printed  # the empty summaries were there to write


def test_run_json_is_strict(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(PLAN), "--json", "--no-figures", "--out", str(out)]) == 0
    data = _strict(capsys.readouterr().out)
    assert data["scenarios"][0]["name"] == "plan"
    for file in out.rglob("*.json"):
        _strict(file.read_text(encoding="utf-8"))
