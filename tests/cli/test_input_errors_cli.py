"""Issue 8's bad inputs through the command line: one line on stderr, exit 2, nothing written."""

import pytest

from sim.cli import main

HEXI_WITH = 'model = "hexi"\n'


def _one_line_error(capsys, args: list[str]) -> str:
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("dt", "message"),
    [("0.3", "dt 0.3 does not divide the run"), ("1e-7", "at most 1,000,000 steps")],
)
def test_a_scenario_dt_is_refused_by_validate_and_by_run(tmp_path, capsys, dt, message):
    """dt = 0.3 used to pass `sim validate` and then fail `sim run` ("time 2021.0 was not
    saved"); dt = 1e-7 raised MemoryError."""
    scenario = tmp_path / "odd.toml"
    scenario.write_text(f"{HEXI_WITH}dt = {dt}\n")
    assert message in _one_line_error(capsys, ["validate", str(scenario)])
    out = tmp_path / "out"
    assert message in _one_line_error(capsys, ["run", str(scenario), "--out", str(out)])
    assert not out.exists()


@pytest.mark.parametrize("dt", ["1e-300", "1e-7"])
def test_a_tiny_dt_option_is_refused_without_memory_error(capsys, dt):
    line = _one_line_error(capsys, ["simulate", "teacup", "--dt", dt])
    assert f"dt {float(dt):g} makes" in line and "at most 1,000,000 steps" in line


def test_binary_and_device_files_are_refused(tmp_path, capsys):
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\x00\xff\xfe" * 50)
    for command in ("simulate", "validate", "run"):
        line = _one_line_error(capsys, [command, str(binary)])
        assert f"{binary}: not UTF-8 text" in line
    assert _one_line_error(capsys, ["simulate", "/dev/zero"]).endswith(
        "/dev/zero: not a regular file"
    )


def test_an_empty_model_file_is_refused(tmp_path, capsys):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    csv = tmp_path / "out.csv"
    line = _one_line_error(capsys, ["simulate", str(empty), "--csv", str(csv)])
    assert f"{empty}: the model has no variables" in line
    assert not csv.exists()
