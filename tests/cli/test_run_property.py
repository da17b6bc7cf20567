"""Any values in a scenario give one of two outcomes: exit 0 with only finite numbers in every
output, or exit 2 or 3 with one error line and no results folder (never a traceback, never a
silent NaN)."""

from __future__ import annotations

import contextlib
import csv
import json
import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.models import resolve_model

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "scenarios" / "plan.toml"
CONSTANTS = sorted(c.name for c in resolve_model("hexi").constants)

values = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 1e38, -5.0, 0.0, 35.0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-10.0, 10.0),
)


def _refuse(token: str):
    raise ValueError(f"not strict JSON: {token}")


@settings(max_examples=15, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(CONSTANTS), values, min_size=1, max_size=3))
def test_any_values_run_finite_or_fail_in_one_line(tmp_path_factory, changes) -> None:
    folder = tmp_path_factory.mktemp("scenario")
    path = folder / "drawn.toml"
    lines = [f"{name} = {value!r}" for name, value in changes.items()]
    path.write_text(f'extends = "{PLAN}"\n[parameters]\n' + "\n".join(lines) + "\n", "utf-8")
    out = folder / "out"
    stdout, stderr = folder / "stdout", folder / "stderr"
    with (
        open(stdout, "w") as o,
        open(stderr, "w") as e,
        contextlib.redirect_stdout(o),
        contextlib.redirect_stderr(e),
    ):
        code = main(["run", str(path), "--out", str(out), "--json", "--no-figures"])
    err = stderr.read_text()
    assert "Traceback" not in err
    if code == 0:
        json.loads(stdout.read_text(), parse_constant=_refuse)
        (results,) = [p for p in (out / "drawn").iterdir() if p.name != "latest"]
        for table in results.glob("*.csv"):
            with open(table, encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    for cell in row.values():
                        assert cell.lower() not in ("nan", "inf", "-inf"), (table.name, row)
        with open(results / "trajectories.csv", encoding="utf-8", newline="") as handle:
            assert all(math.isfinite(float(r["value"])) for r in csv.DictReader(handle))
        return
    assert code in (2, 3), err
    errors = [x for x in err.splitlines() if x.startswith("sim run: error: ")]
    assert len(errors) == 1 and err.splitlines()[-1] == errors[0]
    assert all(x.startswith("sim run: warning: ") for x in err.splitlines()[:-1])
    assert not out.exists() or not any(out.rglob("*"))
