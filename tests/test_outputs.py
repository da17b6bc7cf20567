"""Results folders appear whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.errors import UserInputError
from sim.outputs import RunFolder, all_or_none, check_out, file_sha256, manifest, new_run_id


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


@pytest.mark.parametrize(
    ("name", "run_id"), [("..", "r"), ("a/../..", "r"), ("plan", ".."), ("", "r")]
)
def test_a_folder_name_that_is_not_plain_is_refused(tmp_path: Path, name, run_id) -> None:
    with pytest.raises(UserInputError, match="not a plain name"):
        RunFolder(tmp_path / "out", name, run_id)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["../x.png", "figures/../../x.png", "/tmp/x.png", "a/../../b"])
def test_a_file_outside_the_folder_is_refused(tmp_path: Path, name) -> None:
    root = tmp_path / "out"
    refused = pytest.raises(UserInputError, match="outside the results folder")
    with refused, RunFolder(root, "plan", "r") as folder:
        folder.write_text(name, "escaped")
    assert not list(tmp_path.rglob("*"))  # and the failed run took its folders back


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="outside"), RunFolder(tmp_path, "p", "r") as folder:
        folder.file("link").symlink_to(tmp_path)
        folder.write_text("link/x.txt", "escaped")
    assert not (tmp_path / "x.txt").exists()


def test_all_or_none_takes_back_the_folders_of_a_failed_command(tmp_path: Path) -> None:
    root = tmp_path / "new"
    with pytest.raises(KeyboardInterrupt), all_or_none():
        for name in ("plan", "trend"):
            with RunFolder(root, name, "r") as folder:
                folder.write_text("a.txt", name)
        assert (root / "trend" / "r" / "a.txt").is_file()
        raise KeyboardInterrupt
    assert not root.exists()


def test_all_or_none_keeps_folders_of_earlier_commands(tmp_path: Path) -> None:
    with RunFolder(tmp_path, "plan", "old") as folder:
        folder.write_text("a.txt", "kept")
    with pytest.raises(RuntimeError), all_or_none():
        with RunFolder(tmp_path, "plan", "new") as folder:
            folder.write_text("a.txt", "taken back")
        raise RuntimeError
    assert [p.relative_to(tmp_path).as_posix() for p in sorted(tmp_path.rglob("*"))] == [
        "plan",
        "plan/latest",  # pointing at old again
        "plan/old",
        "plan/old/a.txt",
    ]


def _unwritable(tmp_path: Path) -> tuple[Path, str]:
    """A folder this user cannot create a folder in (root may write anywhere but in /sys)."""
    import os

    if os.geteuid() == 0:
        return Path("/sys/sdsim-test/sub"), "Operation not permitted"
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    return locked / "sub", "Permission denied"


@pytest.mark.parametrize("case", ["is a file", "under a file", "unwritable"])
def test_an_unusable_out_is_one_line(tmp_path: Path, case: str) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    root, reason = {
        "is a file": (a_file, "is a file"),
        "under a file": (a_file / "sub", "is a file"),
    }.get(case) or _unwritable(tmp_path)
    with pytest.raises(UserInputError) as info, RunFolder(root, "plan", "r"):
        pass
    assert info.value.field == "--out"
    assert f"cannot write results under {root}: " in info.value.reason
    assert reason in info.value.reason


def test_check_out_fails_before_anything_runs(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    check_out(tmp_path / "new" / "deeper")  # may be made: fine, and nothing is made yet
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    for root in (a_file, a_file / "sub" / "deeper"):
        with pytest.raises(UserInputError, match="it or a folder above it is a file") as info:
            check_out(root)
        assert info.value.field == "--out"
    root, _ = _unwritable(tmp_path)
    if not str(root).startswith("/sys"):  # root passes the permission check, then fails
        with pytest.raises(UserInputError, match="Permission denied"):
            check_out(root)


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


def test_taking_a_folder_back_points_latest_where_it_pointed(tmp_path: Path) -> None:
    with RunFolder(tmp_path, "plan", "old") as folder:
        folder.write_text("a.txt", "kept")
    assert (tmp_path / "plan" / "latest").resolve() == (tmp_path / "plan" / "old").resolve()
    with pytest.raises(RuntimeError), all_or_none():
        with RunFolder(tmp_path, "plan", "new") as folder:
            folder.write_text("a.txt", "taken back")
        with RunFolder(tmp_path, "trend", "new") as folder:
            folder.write_text("a.txt", "taken back")
        raise RuntimeError
    assert (tmp_path / "plan" / "latest").resolve() == (tmp_path / "plan" / "old").resolve()
    assert not (tmp_path / "trend").exists()  # its only folder and its latest link are gone
