"""SIGTERM behaves as Ctrl-C does: exit 143, no results folder, no process left (issue 8).

Each test starts the real command in a subprocess, waits until it is writing (its hidden
temporary folder exists) and, for the pools, until their workers run, then signals it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.cli import main

psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def _wait(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def _terminate(command: list[str], out: Path, children: int = 0) -> tuple[int, str]:
    """Start ``sim COMMAND``, SIGTERM it once it writes and has started ``children``
    processes; its exit status and stderr, once every process it started is gone."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", *command, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        parent = psutil.Process(process.pid)
        _wait(lambda: any(out.glob(".*")) or process.poll() is not None, "a temporary folder")
        assert process.poll() is None, "the command ended before it could be signalled"
        _wait(lambda: len(parent.children(recursive=True)) >= children, f"{children} processes")
        time.sleep(0.3)
        started = parent.children(recursive=True)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
    finally:
        process.kill()
    _, alive = psutil.wait_procs(started, timeout=10)
    assert not alive, f"processes left running: {[p.cmdline()[:3] for p in alive]}"
    return process.returncode, err


def _nothing_left(out: Path) -> None:
    assert not out.exists() or not list(out.rglob("*")), list(out.rglob("*"))


# processes: the resource tracker, the forkserver and two workers; dask: the tracker and two
@pytest.mark.parametrize(("executor", "children"), [("local", 0), ("processes", 4), ("dask", 3)])
def test_sigterm_stops_a_batch_on_every_executor(
    tmp_path: Path, tiny: Path, executor, children
) -> None:
    if executor == "dask":
        pytest.importorskip("dask.distributed")
    out = tmp_path / "out"
    command = ["batch", str(tiny / "tiny.toml"), "--samples", "50000000", "--executor",
               executor, "--workers", "2", "--chunk-size", "20000", "--no-progress"]  # fmt: skip
    code, err = _terminate(command, out, children)
    assert code == 143, err
    assert err.strip().splitlines()[-1] == "sim batch: terminated; nothing half-written was kept"
    assert "Traceback" not in err
    _nothing_left(out)


def test_sigterm_stops_sim_run_and_keeps_no_scenario(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "out"
    code, err = _terminate(["run", str(tiny / "tiny-run.toml")], out)
    assert code == 143, err
    assert "terminated; nothing half-written was kept" in err and "Traceback" not in err
    _nothing_left(out)


def test_an_interrupted_run_of_several_scenarios_keeps_none(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """Ctrl-C after ``plan`` and ``trend`` are written, while the comparison is: the two
    scenario folders are taken back, so the command keeps all its results or none."""
    import sim.cli.run as run

    def interrupted(*args, **kwargs):
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["plan", "trend"]
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "write_comparison", interrupted)
    files = [str(SCENARIOS / "plan.toml"), str(SCENARIOS / "trend.toml")]
    command = ["run", *files, "--no-levers", "--no-figures", "--out", str(tmp_path / "out")]
    assert main(command) == 130
    assert "interrupted; nothing half-written was kept" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
