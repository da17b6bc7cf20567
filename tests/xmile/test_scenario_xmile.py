"""An XMILE file is a model like any other: scenarios name it and override its constants."""

import numpy as np

from sim.models import resolve_model
from sim.scenario import load_scenario
from sim.simulate import simulate
from sim.xmile import write_xmile


def test_a_scenario_runs_an_xmile_model_with_overrides_inputs_and_batches(tmp_path):
    write_xmile(resolve_model("teacup"), tmp_path / "cup.xmile")
    (tmp_path / "cold-room.toml").write_text(
        'model = "cup.xmile"\n'
        "[parameters]\nroom_temperature = 60\n"  # the bottom of its range
        "[inputs.characteristic_time]\ntimes = [0, 10]\nvalues = [10, 5]\n",
        encoding="utf-8",
    )
    scenario = load_scenario(tmp_path / "cold-room.toml")
    result = scenario.simulate({"room_temperature": np.array([60.0, 70.0])})
    assert result.n == 2
    baseline = simulate(resolve_model("teacup"), {"room_temperature": 70.0})
    assert result["teacup_temperature"][-1, 1] < baseline["teacup_temperature"][-1, 0]
    assert result["teacup_temperature"][-1, 0] < result["teacup_temperature"][-1, 1]
