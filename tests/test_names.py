"""Names that become file names: scenario names, target and sector ids (issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import UserInputError
from sim.models import shipped_model_path
from sim.names import file_name
from sim.plan.targets import load_targets
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TARGETS = shipped_model_path("hexi").with_name("hexi_targets.toml")
UNSAFE = ["..", ".", "../../../../ESCAPED", "a/b", "a\\b", ".hidden", "", "x" * 81, "é", "a b"]


@pytest.mark.parametrize("name", ["plan", "shock-2020", "new_jobs_cum", "A9", "-", "x" * 80])
def test_safe_names_pass_unchanged(name: str) -> None:
    assert file_name(name) == name


@pytest.mark.parametrize("name", UNSAFE)
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="is used as a file name"):
        file_name(name, "target id")


def test_a_scenario_file_named_dot_dot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "...toml"  # its stem is ".."
    path.write_text(f'extends = "{ROOT / "scenarios" / "trend.toml"}"\n', encoding="utf-8")
    with pytest.raises(UserInputError) as info:
        load_scenario(path)
    assert (info.value.file, info.value.field) == (str(path), "name")
    assert "'..' is used as a file name" in info.value.reason
    assert "rename the file" in info.value.reason


@pytest.mark.parametrize("name", ["..", "a/b", "../x"])
def test_a_scenario_name_field_is_checked(tmp_path: Path, name: str) -> None:
    path = tmp_path / "ok.toml"
    path.write_text(f'name = "{name}"\nmodel = "hexi"\n', encoding="utf-8")
    with pytest.raises(UserInputError) as info:
        load_scenario(path)
    assert (info.value.file, info.value.field) == (str(path), "name")
    assert f"scenario name {name!r} is used as a file name" in info.value.reason


@pytest.mark.parametrize(
    ("table", "field", "what"),
    [
        ("targets.new_jobs_cum", 'targets."../../../../ESCAPED"', "target id"),
        ("sectors.jobs", 'sectors."../up"', "sector id"),
    ],
)
def test_target_and_sector_ids_are_checked(tmp_path: Path, table, field, what) -> None:
    text = TARGETS.read_text(encoding="utf-8")
    assert f"[{table}]" in text
    path = tmp_path / "targets.toml"
    path.write_text(text.replace(f"[{table}]", f"[{field}]", 1), encoding="utf-8")
    key = field.split(".", 1)[1].strip('"')
    with pytest.raises(UserInputError) as info:
        load_targets(path)
    assert (info.value.file, info.value.field) == (str(path), f"{table.split('.')[0]}.{key}")
    assert f"{what} {key!r} is used as a file name" in info.value.reason


def test_sensitivity_with_an_escaping_target_id_writes_nothing(tmp_path: Path, capsys) -> None:
    """The attack of issue 8: a target id climbing out of --out became a figure's file name."""
    text = TARGETS.read_text(encoding="utf-8").replace(
        "[targets.new_jobs_cum]", '[targets."../../../../ESCAPED"]', 1
    )
    work = tmp_path / "work"
    work.mkdir()
    (work / "evil_targets.toml").write_text(text, encoding="utf-8")
    scenario = work / "evil.toml"
    scenario.write_text(
        f'extends = "{ROOT / "scenarios" / "uncertainty.toml"}"\ntargets = "evil_targets.toml"\n',
        encoding="utf-8",
    )
    before = set(tmp_path.rglob("*"))
    out = ["--out", str(work / "out" / "a" / "b")]
    for command in (["validate", str(scenario)], ["sensitivity", str(scenario), *out]):
        code = main([*command, "--samples", "4"] if command[0] == "sensitivity" else command)
        err = capsys.readouterr().err
        assert code == 2, command
        assert "target id '../../../../ESCAPED' is used as a file name" in err
        assert len(err.strip().splitlines()) == 1
    assert set(tmp_path.rglob("*")) == before
