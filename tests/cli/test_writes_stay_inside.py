"""Every command writes only under --out, or the one file of --csv / -o (issue 8).

Each command runs in a fresh working folder with small sample counts; then every file of the
test's folder, of the system's temporary folder as this process sees it, and of the
repository is compared with before.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", ".pytest_cache", ".ruff_cache", ".hypothesis", "__pycache__"}


def _tree(folder: Path) -> set[Path]:
    found = set()
    for base, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIP]
        found.update(Path(base, name) for name in [*dirs, *files])
    return found


def _commands(inputs: Path) -> dict[str, tuple[list[str], str | None]]:
    """Each command, and the file it may write outside --out."""
    tiny, run, model = (str(inputs / n) for n in ("tiny.toml", "tiny-run.toml", "model.toml"))
    batch = ["--samples", "64", "--no-progress"]
    grid = ["--x", "lifetime", "--y", "initial_amount:50:150", "--grid", "3x2"]
    return {
        "run": (["run", run, str(inputs / "second.toml")], None),
        "run-all": (["run-all", "--scenarios", str(inputs / "scenarios")], None),
        "simulate": (["simulate", model, "--csv", "table.csv"], "table.csv"),
        "export": (["export", model, "-o", "model.xmile"], "model.xmile"),
        "batch": (["batch", tiny, *batch, "--records"], None),
        "sobol": (["sensitivity", tiny, *batch, "--resamples", "10"], None),
        "morris": (["sensitivity", tiny, "--method", "morris", "--samples", "4"], None),
        "tornado": (["sensitivity", tiny, "--method", "tornado", "--no-progress"], None),
        "discover": (["discover", tiny, *batch], None),
        "map": (["map", tiny, *grid, "--target", "amount_left", *batch], None),
        "validate": (["validate", tiny, run, model, str(inputs / "model_targets.toml")], None),
    }


@pytest.mark.parametrize("name", list(_commands(Path())))
def test_every_file_written_lies_under_out(
    tmp_path: Path, tiny: Path, monkeypatch, capsys, name: str
) -> None:
    (tiny / "second.toml").write_text('extends = "tiny-run.toml"\n[parameters]\nlifetime = 2\n')
    (tiny / "scenarios").mkdir()
    (tiny / "scenarios" / "only.toml").write_text('model = "../model.toml"\n')
    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temporary.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    args, target = _commands(tiny)[name]
    if args[0] not in ("simulate", "export", "validate"):
        args = [*args, "--out", "out/a"]
    before, repository = _tree(tmp_path), _tree(ROOT)

    assert main(args) == 0, capsys.readouterr().err

    written = {p.relative_to(work).as_posix() for p in _tree(tmp_path) - before}
    allowed = {target} if target else set()
    if "--out" in args:
        allowed |= {"out", "out/a"}
    outside = {p for p in written if p not in allowed and not p.startswith("out/a/")}
    assert not outside, outside
    assert not any(Path(p).name.startswith(".") for p in written)  # no temporary file left
    if args[0] == "validate":
        assert not written
    elif "--out" in args:
        assert any(p.endswith("manifest.json") for p in written)
    else:
        assert written == {target}
    assert not list(temporary.iterdir())
    assert _tree(ROOT) == repository
