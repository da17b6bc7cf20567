"""A `.mdl` file is a model like any other: simulate it, export it, name it in a scenario."""

import numpy as np
import pytest

from sim.cli import main
from sim.modelfile import load_model
from sim.models import resolve_model
from sim.scenario import load_scenario
from sim.simulate import simulate
from sim.vensim import read_vensim

TEACUP = """{UTF-8}
Teacup Temperature = INTEG(-Heat Loss to Room, 180) ~ Degrees ~ The tea. |
Heat Loss to Room = (Teacup Temperature - Room Temperature) / Characteristic Time ~~|
Room Temperature = 70 ~ Degrees [50, 90] ~|
Characteristic Time = 10 ~ Minutes ~|
INITIAL TIME = 0 ~~|
FINAL TIME = 30 ~~|
TIME STEP = 0.125 ~~|
SAVEPER = 1 ~~|
\\\\\\---/// Sketch information - do not modify anything except names
10,1,Teacup Temperature,307,235,40,20,3,3,0,0,0,0,0,0
"""


@pytest.fixture
def mdl(tmp_path):
    path = tmp_path / "teacup.mdl"
    path.write_text(TEACUP, encoding="utf-8")
    return path


def test_simulate_an_mdl_file(mdl, tmp_path):
    out = tmp_path / "out.csv"
    assert main(["simulate", str(mdl), "--csv", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + 31  # saved every SAVEPER
    assert lines[0].split(",")[0] == "Time" and "Teacup Temperature" in lines[0]


def test_export_an_mdl_file_to_toml_and_xmile_runs_the_same(mdl, tmp_path):
    original = simulate(read_vensim(mdl))
    for suffix in (".toml", ".xmile"):
        out = tmp_path / f"again{suffix}"
        assert main(["export", str(mdl), "-o", str(out)]) == 0
        again = simulate(resolve_model(str(out)))
        np.testing.assert_allclose(
            again["teacup_temperature"], original["teacup_temperature"], rtol=1e-12
        )
    assert load_model(tmp_path / "again.toml")["room temperature"].range == (50.0, 90.0)


def test_a_scenario_names_an_mdl_model_and_overrides_its_constants(mdl, tmp_path):
    (tmp_path / "cold.toml").write_text(
        'model = "teacup.mdl"\n[parameters]\nroom_temperature = 50\n', encoding="utf-8"
    )
    scenario = load_scenario(tmp_path / "cold.toml")
    result = scenario.simulate()
    assert result["teacup_temperature"][-1, 0] < simulate(read_vensim(mdl))[
        "teacup_temperature"][-1, 0]  # fmt: skip


def test_a_bad_mdl_file_is_one_line_naming_file_variable_and_reason(tmp_path, capsys):
    bad = tmp_path / "bad.mdl"
    bad.write_text(TEACUP.replace("Characteristic Time = 10", "Characteristic Time = "
                                  "RANDOM UNIFORM(0, 1, 0)"), encoding="utf-8")  # fmt: skip
    assert main(["simulate", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{bad}: Characteristic Time: unsupported function RANDOM UNIFORM" in err


def test_an_arrayed_mdl_exports_to_toml_and_xmile_and_runs_the_same(tmp_path):
    mdl = tmp_path / "grow.mdl"
    mdl.write_text(
        "r: a, b ~~|\npop[r] = INTEG(0.1 * pop[r], start[r]) ~~|\nstart[r] = 1, 2 ~~|\n"
        "total = SUM(pop[r!]) ~~|\nINITIAL TIME = 0 ~~|\nFINAL TIME = 5 ~~|\n"
        "TIME STEP = 1 ~~|\n",
        encoding="utf-8",
    )
    original = simulate(read_vensim(mdl))
    for suffix in (".toml", ".xmile"):
        out = tmp_path / f"grow{suffix}"
        assert main(["export", str(mdl), "-o", str(out)]) == 0
        again = simulate(resolve_model(str(out)))
        for name in ("pop[b]", "total"):
            np.testing.assert_allclose(again[name], original[name], rtol=1e-12)
