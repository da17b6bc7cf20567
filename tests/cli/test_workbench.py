"""``sim params``, ``sim compare``, ``sim report``, ``--xlsx`` and the ``latest`` link."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def test_params_lists_values_sources_and_the_targets_moved(capsys) -> None:
    assert main(["params", str(SCENARIOS / "plan.toml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["name"]: r for r in data["parameters"]}
    growth = rows["domestic_investment_growth_rate"]
    assert growth["value"] == 0.1 and growth["unit"] and growth["source"]
    assert "domestic_investment_cum" in growth["lever_of"]
    assert "domestic_investment_cum" in growth["moves"].split(", ")
    assert "domestic_investment_cum" in growth["flips"].split(", ")
    nurses = rows["nurse_expansion_rate"]
    assert "nurses_per_1000" in nurses["moves"] and "broadband" not in nurses["moves"]
    assert main(["params", "hexi", "--no-check"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("hexi:") and "firm_exit_rate" in text


def test_params_of_a_missing_file_exits_2(capsys, tmp_path: Path) -> None:
    assert main(["params", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml" in capsys.readouterr().err


def test_compare_writes_a_figure_a_difference_table_and_a_workbook(tmp_path, capsys) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    files = [str(SCENARIOS / "trend.toml"), str(SCENARIOS / "plan.toml")]
    assert main(["compare", *files, "--vars", "private_enterprises,new_jobs", "--xlsx",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "Compared with trend" in printed and "private_enterprises" in printed
    folder = tmp_path / "comparison" / "latest"
    assert (folder / "figures" / "compare.png").is_file()
    lines = (folder / "differences.csv").read_text().splitlines()
    assert lines[0].startswith("scenario,against,variable,year,value,reference,difference")
    assert all(line.startswith("plan,trend,") for line in lines[1:])
    book = openpyxl.load_workbook(folder / "comparison.xlsx", read_only=True)
    assert {"differences", "trajectories", "verdicts", "parameters"} <= set(book.sheetnames)


def test_compare_rejects_an_unknown_variable(tmp_path, capsys) -> None:
    code = main(["compare", str(SCENARIOS / "plan.toml"), "--vars", "private_enterprise",
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == 2 and "did you mean 'private_enterprises'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_run_and_batch_write_workbooks(tmp_path, capsys) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    assert main(["run", str(SCENARIOS / "plan.toml"), "--no-levers", "--no-figures", "--xlsx",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    book = openpyxl.load_workbook(tmp_path / "plan" / "latest" / "results.xlsx", read_only=True)
    assert book.sheetnames == ["verdicts", "trajectories", "parameters"]
    assert main(["batch", str(SCENARIOS / "uncertainty.toml"), "--samples", "300", "--xlsx",
                 "--no-figures", "--no-progress", "--out", str(tmp_path)]) == 0  # fmt: skip
    book = openpyxl.load_workbook(tmp_path / "uncertainty" / "latest" / "results.xlsx")
    sheet = book["probabilities"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:6] == ["id", "title", "p_met", "lo", "hi", "label"]
    capsys.readouterr()


def test_batch_help_prints_single_percent_signs(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    assert "%%" not in capsys.readouterr().out


def test_report_is_one_offline_html_file_with_every_target_and_scenario(
    tmp_path, capsys, plan_target_ids
) -> None:
    assert main(["batch", str(SCENARIOS / "uncertainty.toml"), "--samples", "300",
                 "--no-progress", "--out", str(tmp_path / "b")]) == 0  # fmt: skip
    batch = tmp_path / "b" / "uncertainty" / "latest"
    out = tmp_path / "r"
    files = [str(SCENARIOS / "plan.toml"), str(SCENARIOS / "pessimistic.toml")]
    assert main(["report", *files, "--no-levers", "--batch", str(batch), "--out", str(out)]) == 0
    written = [p for p in (out / "report").iterdir() if p.name != "latest"]
    assert len(written) == 1 and written[0].suffix == ".html"
    page = written[0].read_text(encoding="utf-8")
    assert not re.search(r"(https?|ftp)://|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.IGNORECASE)
    assert "<script" not in page and 'src="data:image/png;base64,' in page
    for target in plan_target_ids:
        assert target in page
    for name in ("plan", "pessimistic"):
        assert f"<th>{name}</th>" in page
    assert "How likely is each target?" in page and "sha256" in page
    assert 'class="num met"' in page and 'class="num missed"' in page
    capsys.readouterr()


def test_discover_met_explains_when_a_target_is_met(tmp_path, capsys) -> None:
    code = main(["discover", str(SCENARIOS / "uncertainty.toml"), "--samples", "500", "--met",
                 "--target", "large_enterprises", "--json", "--no-figures", "--no-progress",
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    entry = data["targets"]["large_enterprises"]
    assert data["outcome"] == "target met" and 0 < entry["p_met"] < 1
    assert "large_firm_yield" in entry["box"]
