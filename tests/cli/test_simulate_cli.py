import subprocess
import sys

import pytest

from sim.cli import main


def test_models_lists_every_shipped_model(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "teacup" in out and "Newton's law of cooling" in out


def test_simulate_a_shipped_model_to_csv(tmp_path, capsys):
    out = tmp_path / "teacup.csv"
    assert main(["simulate", "teacup", "--method", "rk4", "--dt", "0.5", "--csv", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert (
        lines[0] == "Time,teacup_temperature,heat_loss_to_room,room_temperature,characteristic_time"
    )
    assert len(lines) == 1 + 61


def test_simulate_prints_to_stdout(capsys):
    assert main(["simulate", "exponential_growth"]) == 0
    last = capsys.readouterr().out.splitlines()[-1].split(",")
    assert float(last[2]) == pytest.approx(880.0135, abs=1e-4)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "no-such-model"], "no such model file or shipped model"),
        (["simulate", "teacup", "--method", "rk45"], "unknown integration method 'rk45'"),
    ],
)
def test_user_errors_exit_2_with_one_line_and_no_traceback(args, message):
    done = subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_bad_option_value_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["simulate", "teacup", "--dt", "-1"])
    assert info.value.code == 2
    assert "must be a positive number" in capsys.readouterr().err


def test_bad_model_file_names_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[stocks.x]\ninitial = "1 +"\n')
    assert main(["simulate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: x (initial): position 3" in err
