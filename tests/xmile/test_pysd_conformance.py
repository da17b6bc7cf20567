"""PySD judged by our conformance rules (``--pysd``): one small case, and the missing package."""

import importlib.util
from pathlib import Path

import pytest

from sim.xmile import pysd_conformance
from sim.xmile.conformance import discover, main

FOLDER = (Path(__file__).parents[2] / "../shared/conformance/xmile").resolve()


@pytest.mark.skipif(importlib.util.find_spec("pysd") is None, reason="pysd is not installed")
@pytest.mark.skipif(not FOLDER.is_dir(), reason=f"{FOLDER} is absent")
def test_pysd_passes_teacup_by_our_rules():
    (case,) = [c for c in discover(FOLDER) if c.name == "teacup/teacup"]
    result = pysd_conformance.run_pysd_case(case, "read_xmile")
    assert result.passed, result.reason
    assert 0 < result.max_error < 1e-4  # compared for real, not vacuously
    assert not list(case.model.parent.glob("*.py"))  # PySD ran in a copy of the folder


def test_pysd_option_without_pysd_is_one_line_and_exit_2(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(pysd_conformance, "load_pysd", lambda: None)
    assert main(["--pysd", str(tmp_path)]) == 2
    out = capsys.readouterr()
    assert out.out == "" and len(out.err.strip().splitlines()) == 1 and "pysd" in out.err
