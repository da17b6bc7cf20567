"""``sim export`` and running XMILE files with ``sim simulate``."""

import subprocess
import sys

import pytest

from sim.cli import main
from sim.modelfile import load_model
from sim.models import resolve_model
from sim.xmile import read_xmile


def test_export_a_shipped_model_and_simulate_the_file(tmp_path, capsys):
    out = tmp_path / "teacup.xmile"
    assert main(["export", "teacup", "-o", str(out)]) == 0
    assert f"to {out}" in capsys.readouterr().out
    assert read_xmile(out) == resolve_model("teacup")
    csv = tmp_path / "teacup.csv"
    assert main(["simulate", str(out), "--csv", str(csv)]) == 0
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("Time,teacup_temperature") and len(lines) == 1 + 241


def test_export_an_xmile_file_to_toml(tmp_path):
    xmile = tmp_path / "teacup.xmile"
    assert main(["export", "teacup", "-o", str(xmile)]) == 0
    toml = tmp_path / "again.toml"
    assert main(["export", str(xmile), "--output", str(toml)]) == 0
    assert load_model(toml) == resolve_model("teacup")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "teacup", "-o", "out.docx"], "out.docx: unknown output format '.docx'"),
        (["export", "teacup", "-o", "no/such/dir/t.xmile"], "the output's folder does not exist"),
        (["export", "no-such-model", "-o", "t.xmile"], "no such model file or shipped model"),
    ],
)
def test_user_errors_exit_2_with_one_line(args, message, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=tmp_path,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_xmile_file_is_one_line_naming_file_and_variable(tmp_path):
    bad = tmp_path / "bad.xmile"
    bad.write_text(
        '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><sim_specs><start>0</start>'
        '<stop>1</stop></sim_specs><model><variables><aux name="v"><eqn>x[1]</eqn></aux>'
        "</variables></model></xmile>"
    )
    done = subprocess.run(
        [sys.executable, "-m", "sim", "simulate", str(bad)], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (f"sim simulate: error: {bad}: v: 'x' is not a variable of the model\n")
