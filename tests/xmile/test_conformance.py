"""The SDXorg XMILE test models against their canonical outputs, and the harness itself."""

from pathlib import Path

import numpy as np
import pytest

from sim.xmile.conformance import KNOWN_FAILURES, discover, main, read_expected, run_case

FOLDER = (Path(__file__).parents[2] / "../shared/conformance/xmile").resolve()
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


# -- the harness, on files of our own ---------------------------------------------------
TEACUP = """<xmile version="1.0" xmlns="http://www.systemdynamics.org/XMILE">
<sim_specs><start>0</start><stop>2</stop><dt reciprocal="true">2</dt></sim_specs>
<model><variables>
<stock name="temp"><eqn>180</eqn><outflow>loss</outflow></stock>
<flow name="loss"><eqn>(temp - room) / 10</eqn></flow>
<aux name="room"><eqn>70</eqn></aux>
</variables></model></xmile>"""
RIGHT = (  # bare CR line ends; Vensim leaves constants blank after the first row
    "Time\ttemp\tloss\troom\tTIME STEP\r0\t180\t11\t70\t0.5\r"
    "0.5\t174.5\t10.45\t\t\r1\t169.275\t9.9275\t\t\r"
)


def _folder(tmp_path: Path, output: str, name: str = "output.tab") -> Path:
    case = tmp_path / "suite" / "teacup"
    case.mkdir(parents=True)
    (case / "teacup.xmile").write_text(TEACUP, encoding="utf-8")
    (case / name).write_text(output, encoding="utf-8", newline="")
    return tmp_path / "suite"


def test_canonical_outputs_with_bare_cr_and_blank_cells(tmp_path):
    expected = read_expected(_folder(tmp_path, RIGHT) / "teacup" / "output.tab")
    np.testing.assert_array_equal(expected.times, [0, 0.5, 1])
    np.testing.assert_array_equal(expected.values["room"], [70, np.nan, np.nan])
    assert list(expected.values) == ["temp", "loss", "room", "TIME STEP"]


def test_transposed_outputs_with_times_across(tmp_path):
    text = "Time\t0\t0.5\t1\rtemp\t180\t174.5\t169.275\rroom\t70\r"
    expected = read_expected(_folder(tmp_path, text) / "teacup" / "output.tab")
    np.testing.assert_array_equal(expected.times, [0, 0.5, 1])
    np.testing.assert_array_equal(expected.values["room"], [70, np.nan, np.nan])
    assert run_case(discover(tmp_path / "suite")[0]).passed


def test_a_matching_case_passes_and_control_columns_are_checked(tmp_path):
    (case,) = discover(_folder(tmp_path, RIGHT))
    assert case.name == "teacup"
    result = run_case(case)
    assert result.passed and result.note == ""


def test_two_models_of_one_stem_are_two_cases_named_apart(tmp_path):
    folder = _folder(tmp_path, RIGHT)
    (folder / "teacup" / "teacup.stmx").write_text(TEACUP)
    assert [c.name for c in discover(folder)] == ["teacup/teacup.stmx", "teacup/teacup.xmile"]


def test_csv_outputs_with_rounded_times_and_unknown_columns(tmp_path):
    text = "Time,temp,Other\n0,180,1\n0.500001,174.5,2\n"
    result = run_case(discover(_folder(tmp_path, text, "output.csv"))[0])
    assert result.passed and result.note == "not in the model, skipped: Other"


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("Time\ttemp\r0\t180\r0.5\t174.4\r", r"'temp' differs at 1 of 2 times, first at t=0.5: "
         r"expected 174.4, got 174.5"),
        ("Time\ttemp\r0\t180\r0.75\t174.5\r", r"canonical time 0.75 is not on our time axis"),
        ("Time\tOther\r0\t1\r", r"no column of the canonical output is in the model"),
    ],
)  # fmt: skip
def test_failures_say_why(tmp_path, output, reason):
    result = run_case(discover(_folder(tmp_path, output))[0])
    assert not result.passed
    assert reason in result.reason


def test_unreadable_models_fail_with_the_readers_message(tmp_path):
    folder = _folder(tmp_path, RIGHT)
    (folder / "teacup" / "teacup.xmile").write_text(TEACUP.replace("<eqn>70", "<eqn>room["))
    (case,) = discover(folder)
    result = run_case(case)
    assert result.reason.startswith("cannot read: ") and "equation does not parse" in result.reason


def test_unreadable_outputs_fail_with_a_reason(tmp_path):
    result = run_case(discover(_folder(tmp_path, "Time\ttemp\r0\tN/A\r"))[0])
    assert result.reason == (
        "cannot read the canonical output: line 2, column 'temp': not a number: 'N/A'"
    )


def test_cases_are_found_at_any_depth_and_xml_files_only_if_they_are_xmile(tmp_path):
    folder = _folder(tmp_path, RIGHT)
    nested = folder / "group" / "inner"
    nested.mkdir(parents=True)
    (nested / "a.xml").write_text(TEACUP)
    (nested / "b.xml").write_text("<vensim/>")
    (nested / "output.csv").write_text("Time,temp\n0,180\n")
    assert [(c.name, c.model.name) for c in discover(folder)] == [
        ("group/inner", "a.xml"),
        ("teacup", "teacup.xmile"),
    ]


def test_latin_1_outputs_are_read(tmp_path):
    folder = _folder(tmp_path, "")
    (folder / "teacup" / "output.tab").write_bytes("Time\ttemp\tné\r0\t180\t1\r".encode("latin-1"))
    expected = read_expected(folder / "teacup" / "output.tab")
    assert list(expected.values) == ["temp", "né"]


def test_the_table(tmp_path, capsys):
    assert main([str(_folder(tmp_path, RIGHT))]) == 0
    out = capsys.readouterr().out
    assert "teacup  PASS" in out and out.rstrip().endswith("1 passed, 0 failed (0 known) of 1")
    assert main([str(tmp_path / "nowhere")]) == 0
    assert "is absent: nothing to run" in capsys.readouterr().out


def test_an_unexpected_failure_makes_the_table_exit_1(tmp_path, capsys):
    assert main([str(_folder(tmp_path, "Time\ttemp\r0\t1\r"))]) == 1
    assert "teacup  FAIL" in capsys.readouterr().out
