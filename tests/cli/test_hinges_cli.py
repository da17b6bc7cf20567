"""``sim hinges``: the cache of what each verdict hinges on, and how ``sim run`` reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.outputs import file_sha256
from sim.plan.feasibility import assess
from sim.plan.hinges import HINGE_FLOOR, HINGE_TOP, read_hinges
from sim.plan.targets import load_targets
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
UNCERTAINTY = ROOT / "scenarios" / "uncertainty.toml"
SHIPPED = ROOT / "sim" / "models" / "hexi_targets.toml"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hinges") / "hinges.json"
    assert main(["hinges", str(UNCERTAINTY), "--samples", "8", "--output", str(path)]) == 0
    return path


def pointing_to(cache: Path):
    """The shipped targets with their `hinges` key pointing to ``cache``."""
    targets = load_targets(SHIPPED)
    return targets.model_copy(update={"hinges": str(cache.resolve())})


def test_the_cache_ranks_every_target_and_hashes_its_files(cache: Path, plan_target_ids) -> None:
    data = json.loads(cache.read_text(encoding="utf-8"))
    assert list(data["targets"]) == plan_target_ids
    assert data["runs"] == 8 * (len(load_scenario(UNCERTAINTY).uncertain) + 2)
    for entry in data["targets"].values():
        assert entry["outcome"] in ("met", "metric") and len(entry["inputs"]) <= HINGE_TOP
        totals = [i["ST"] for i in entry["inputs"]]
        assert totals == sorted(totals, reverse=True) and all(x >= HINGE_FLOOR for x in totals)
    roles = [f["role"] for f in data["files"]]
    assert roles[:3] == ["model", "targets", "scenario"] and "extends" in roles
    for f in data["files"]:
        assert f["sha256"] == file_sha256(cache.parent / f["path"])
    assert data["command"].startswith("sim hinges ")


def test_run_names_the_hinges_while_the_cache_is_fresh(cache: Path) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "plan.toml")
    verdict = assess(scenario, pointing_to(cache), levers=False, bands=False)
    assert verdict.hinges is not None and verdict.hinges.stale is None
    data = json.loads(cache.read_text(encoding="utf-8"))
    for v in verdict.verdicts:
        assert v.hinges == [i["name"] for i in data["targets"][v.target.id]["inputs"]]
        assert v.to_dict()["hinges"] == v.hinges


def test_a_changed_file_makes_the_cache_stale(cache: Path, tmp_path: Path) -> None:
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["files"][0]["sha256"] = "0" * 64  # as if hexi.toml had changed since
    stale = tmp_path / "stale.json"
    for f in data["files"]:  # from another folder: the paths relative to the cache's
        f["path"] = str((cache.parent / f["path"]).resolve())
    stale.write_text(json.dumps(data), encoding="utf-8")
    model = ROOT / "sim" / "models" / "hexi.toml"
    read = read_hinges(pointing_to(stale), model)
    assert read is not None and read.for_target("nurses_per_1000") is None
    assert read.stale.startswith("hinges cache is stale: ") and "hexi.toml changed" in read.stale
    assert "; run `sim hinges " in read.stale and read.stale.endswith("uncertainty.toml`")
    missing = read_hinges(pointing_to(tmp_path / "none.json"), model)
    assert missing is not None and missing.stale.startswith("no hinges cache at ")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    bad = read_hinges(pointing_to(tmp_path / "bad.json"), model)
    assert bad is not None and "unreadable" in bad.stale


def test_run_says_once_that_the_cache_is_stale(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    text = SHIPPED.read_text(encoding="utf-8").replace('data = "hexi_data.csv"\n', "")
    (folder / "hexi_targets.toml").write_text(text, encoding="utf-8")
    scenario = tmp_path / "plan.toml"
    plan = (ROOT / "scenarios" / "plan.toml").read_text(encoding="utf-8")
    scenario.write_text('targets = "models/hexi_targets.toml"\n' + plan, encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text(f'extends = "{scenario.name}"\nname = "other"\n', encoding="utf-8")
    args = ["run", str(scenario), str(other), "--no-levers", "--no-figures"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    (note,) = [line for line in captured.err.splitlines() if "hinges" in line]
    assert note.startswith("note: no hinges cache at ")
    assert "hinges on" not in captured.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--samples", "12"], "power of 2"),
        (["--samples", "x"], "--samples: not a whole number"),
        (["--output", "/nonexistent/dir/h.json"], "no such folder"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, capsys, args, message) -> None:
    assert main(["hinges", str(UNCERTAINTY), *args]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("sim hinges: error: ") and message in line


def test_a_scenario_without_uncertainty_exits_2(capsys) -> None:
    assert main(["hinges", str(ROOT / "scenarios" / "plan.toml")]) == 2
    assert "[uncertain]" in capsys.readouterr().err


def test_the_shipped_cache_is_fresh() -> None:
    """Fails when the model, targets or uncertainty scenario changed: run `make hinges`."""
    scenario = load_scenario(ROOT / "scenarios" / "plan.toml")
    read = read_hinges(load_targets(SHIPPED), scenario.model_path)
    assert read is not None and read.stale is None, read.stale
