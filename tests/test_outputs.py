"""Results folders appear whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.outputs import RunFolder, file_sha256, manifest, new_run_id


def test_a_folder_appears_only_when_complete(tmp_path: Path) -> None:
    root = tmp_path / "results"
    run_id = new_run_id()
    with RunFolder(root, "plan", run_id) as folder:
        folder.write_text("a.txt", "hello")
        assert not (root / "plan").exists()
    assert (root / "plan" / run_id / "a.txt").read_text() == "hello"
    assert [p.name for p in root.iterdir()] == ["plan"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_an_error_leaves_nothing_behind(tmp_path: Path, error) -> None:
    root = tmp_path / "new" / "results"
    with pytest.raises(error), RunFolder(root, "plan", new_run_id()) as folder:
        folder.write_csv("t.csv", ["a"], [[1]])
        raise error()
    assert not (tmp_path / "new").exists()


def test_manifest_records_inputs_with_their_hashes(tmp_path: Path) -> None:
    data = tmp_path / "in.toml"
    data.write_text("x = 1\n")
    m = manifest(run_id="r", inputs={"scenario": data}, seed=7, argv=["sim", "run", "in.toml"])
    assert m["inputs"] == [{"role": "scenario", "path": str(data), "sha256": file_sha256(data)}]
    assert m["seed"] == 7 and m["command"] == "sim run in.toml" and m["version"]
    json.dumps(m)


def test_latest_points_at_the_newest_folder(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "results"
    for run_id in ("20260101T000000Z-aaaaaa", "20260101T000001Z-bbbbbb"):
        with RunFolder(root, "plan", run_id) as folder:
            folder.write_text("a.txt", run_id)
        assert (root / "plan" / "latest" / "a.txt").read_text() == run_id
    assert sorted(p.name for p in (root / "plan").iterdir())[-1] == "latest"
    assert (root / "plan" / "latest").is_symlink()

    def refuse(*args, **kwargs):
        raise OSError("no links here")

    monkeypatch.setattr("os.symlink", refuse)
    with RunFolder(root, "plan", "20260101T000002Z-cccccc") as folder:
        folder.write_text("a.txt", "c")
    latest = root / "plan" / "latest"
    assert not latest.is_symlink() and latest.read_text().strip() == "20260101T000002Z-cccccc"
    assert not [p for p in (root / "plan").iterdir() if p.name.startswith(".")]
