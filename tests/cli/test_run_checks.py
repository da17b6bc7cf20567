"""What `sim run` and `sim simulate` check in what they run: a NaN or infinity stops them (exit
3, one line naming the variable, the first time and the scenario, nothing written); an
[uncertain] table is ignored with a note."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _scenario(folder: Path, body: str) -> Path:
    path = folder / "bad.toml"
    path.write_text(f'extends = "{ROOT / "scenarios" / "plan.toml"}"\n{body}', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "parameter", ["firm_birth_rate = 1e308", "firm_birth_rate = 1e38", "firm_exit_rate = 5"]
)
def test_run_stops_at_a_nonfinite_value_and_writes_nothing(tmp_path, capsys, parameter):
    path = _scenario(tmp_path, f"[parameters]\n{parameter}\n")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-figures", "--no-levers"]) == 3
    *warnings, err = capsys.readouterr().err.strip().splitlines()  # out of range, then why
    assert len(warnings) == 1 and warnings[0].startswith("sim run: warning: ")
    assert err.startswith("sim run: error: not a finite number: ")
    assert "at time 20" in err and "scenario 'bad'" in err
    assert not out.exists()


def test_run_names_the_first_variable_and_time(tmp_path, capsys):
    path = _scenario(tmp_path, "[parameters]\nfirm_birth_rate = 1e308\n")
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--no-levers", "--json"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "firm_births = inf at time 2016 in scenario 'bad'" in captured.err
    assert re.search(r"; \d+ more variables at that time\n$", captured.err)


def test_simulate_stops_at_a_nonfinite_value_and_writes_no_csv(tmp_path, capsys):
    model = tmp_path / "m.toml"
    model.write_text(
        '[model]\nname = "m"\n[time]\nstart = 0\nstop = 3\ndt = 1\n'
        '[auxiliaries.ok]\nequation = "1"\n'
        '[auxiliaries.bad]\nequation = "1 / (TIME - 2)"\n',
        encoding="utf-8",
    )
    csv = tmp_path / "out.csv"
    assert main(["simulate", str(model), "--csv", str(csv)]) == 3
    err = capsys.readouterr().err
    assert err == "sim simulate: error: not a finite number: bad = inf at time 2 in model 'm'\n"
    assert not csv.exists() and list(tmp_path.iterdir()) == [model]


def test_run_notes_that_an_uncertain_table_is_ignored(tmp_path, capsys):
    path = ROOT / "scenarios" / "uncertainty.toml"
    assert main(["run", str(path), "--out", str(tmp_path), "--no-levers", "--no-figures"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"sim run: note: {path}: its 99 [uncertain] distributions are ignored")
    assert err.endswith(f"run: sim batch {path}\n")
