"""The SDXorg Vensim test models against their canonical outputs."""

from pathlib import Path

import pytest

from sim.vensim.conformance import KNOWN_FAILURES, discover, main, run_case

FOLDER = (Path(__file__).parents[2] / "../shared/conformance/vensim").resolve()
CASES = discover(FOLDER) if FOLDER.is_dir() else []


def _cases():
    if not CASES:
        reason = f"{FOLDER} is absent (the shared conformance files are not in this checkout)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    return [
        pytest.param(
            case,
            id=case.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[case.name])]
            if case.name in KNOWN_FAILURES
            else [],
        )
        for case in CASES
    ]


@pytest.mark.parametrize("case", _cases())
def test_conformance_case(case):
    result = run_case(case)
    assert result.passed, result.reason


@pytest.mark.skipif(not CASES, reason=f"{FOLDER} is absent")
def test_every_known_failure_names_a_case():
    assert set(KNOWN_FAILURES) <= {c.name for c in CASES}


def test_the_runner_reads_mdl_files_and_reports(tmp_path, capsys):
    case = tmp_path / "suite" / "growth"
    case.mkdir(parents=True)
    (case / "growth.mdl").write_text(
        "{UTF-8}\nS = INTEG(r * S, 1) ~~|\nr = 0.5 ~~|\nINITIAL TIME = 0 ~~|\n"
        "FINAL TIME = 2 ~~|\nTIME STEP = 1 ~~|\n",
        encoding="utf-8",
    )
    (case / "output.tab").write_text("Time\tS\tr\n0\t1\t0.5\n1\t1.5\t\n2\t2.25\t\n")
    assert main([str(tmp_path / "suite")]) == 0
    assert capsys.readouterr().out.rstrip().endswith("Vensim: 1 passed, 0 failed (0 known) of 1")
    (case / "output.tab").write_text("Time\tS\n0\t1\n1\t1.6\n2\t2.25\n")
    assert main([str(tmp_path / "suite")]) == 1
    assert "'S' differs at 1 of 3 times" in capsys.readouterr().out
