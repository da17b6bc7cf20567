"""Outputs that cannot be written: one line naming the file or option, exit 2, nothing left
behind (issue 8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
PLAN = str(ROOT / "scenarios" / "plan.toml")
UNCERTAINTY = str(ROOT / "scenarios" / "uncertainty.toml")


def _error(capsys, *args: str) -> str:
    code = main(list(args))
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err.strip()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.fixture
def work(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.xmile").mkdir()
    (tmp_path / "file").write_text("x")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "decay", "--csv", "folder"], "folder: is a folder; give a file name"),
        (["simulate", "decay", "--csv", "file/a.csv"], "file/a.csv: cannot write: a folder above"),
        (["export", "decay", "-o", "folder"], "folder: is a folder; give a file name"),
        (["export", "decay", "-o", "folder.xmile"], "folder.xmile: is a folder; give a file"),
    ],
)
def test_a_file_target_that_cannot_be_a_file(work: Path, capsys, args, message) -> None:
    before = _files(work)
    assert message in _error(capsys, *args)
    assert _files(work) == before  # and no temporary file leaked


@pytest.mark.parametrize("command", [["run", PLAN, "--no-levers"], ["batch", UNCERTAINTY]])
@pytest.mark.parametrize("out", ["file", "file/under"])
def test_an_out_that_is_or_lies_under_a_file(work: Path, capsys, command, out) -> None:
    before = _files(work)
    extra = ["--samples", "4", "--no-progress"] if command[0] == "batch" else []
    err = _error(capsys, *command, *extra, "--no-figures", "--out", out)
    assert f"--out: cannot write results under {out}: it or a folder above it is a file" in err
    assert _files(work) == before


def test_an_unwritable_out(work: Path, capsys) -> None:
    if os.geteuid() == 0:
        out = "/sys/sdsim-test"  # root may write anywhere else
    else:
        (work / "locked").mkdir(mode=0o500)
        out = "locked/sub"
    err = _error(capsys, "run", PLAN, "--no-levers", "--no-figures", "--out", out)
    assert f"--out: cannot write results under {out}: " in err


def test_a_scheduler_that_is_not_an_address(work: Path, capsys) -> None:
    pytest.importorskip("dask.distributed")
    err = _error(
        capsys, "batch", UNCERTAINTY, "--samples", "4", "--no-progress", "--out", "out",
        "--executor", "dask", "--scheduler", "notaurl",
    )  # fmt: skip
    assert "--scheduler: not a scheduler address like tcp://host:port" in err
    assert not (work / "out").exists()
