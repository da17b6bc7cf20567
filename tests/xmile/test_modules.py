"""XMILE modules, flattened into one model: names under the module's name, inputs wired by
<connect>, dotted paths from the main model, a leading dot for the main model's variables."""

import numpy as np
import pytest

from sim.errors import ModelError
from sim.model import Auxiliary, Stock
from sim.simulate import simulate
from sim.xmile import reads_xmile, writes_xmile

CHAIN = """<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <sim_specs method="Euler"><start>0</start><stop>4</stop><dt>0.25</dt></sim_specs>
  <model>
    <variables>
      <module name="upper">
        <connect to="tau" from=".drain_time"/>
        <connect to="inflow_rate" from="feed"/>
      </module>
      <module name="lower" model="tank">
        <connect to="tau" from=".drain_time"/>
        <connect to="inflow_rate" from="upper.drain"/>
      </module>
      <aux name="drain\\ntime"><eqn>2</eqn></aux>
      <aux name="feed"><eqn>0</eqn></aux>
      <aux name="total"><eqn>upper.level + lower.level</eqn></aux>
    </variables>
  </model>
  <model name="upper">
    <variables>
      <stock name="level"><eqn>100</eqn><inflow>fill</inflow><outflow>drain</outflow></stock>
      <flow name="fill"><eqn>inflow_rate</eqn></flow>
      <flow name="drain"><eqn>level / tau</eqn></flow>
      <aux name="tau" access="input"><eqn>{not connected}</eqn></aux>
      <aux name="inflow rate" access="input"><eqn>{not connected}</eqn></aux>
    </variables>
  </model>
  <model name="tank">
    <variables>
      <stock name="level"><eqn>0</eqn><inflow>fill</inflow><outflow>drain</outflow></stock>
      <flow name="fill"><eqn>inflow_rate</eqn></flow>
      <flow name="drain"><eqn>level / .drain_time</eqn></flow>
      <aux name="tau" access="input"><eqn>5</eqn></aux>
      <stock name="inflow rate" access="input"><eqn>{not connected}</eqn></stock>
    </variables>
  </model>
</xmile>"""


def test_modules_run_as_one_flat_model_with_their_inputs_wired():
    model = reads_xmile(CHAIN)
    assert isinstance(model["upper.level"], Stock)
    assert model["lower.inflow_rate"] == Auxiliary("lower.inflow rate", equation="upper.drain")
    result = simulate(model)
    dt, tau = 0.25, 2.0
    upper, lower = [100.0], [0.0]
    for _ in range(16):  # Euler by hand: the upper tank drains into the lower one
        out = upper[-1] / tau
        upper.append(upper[-1] - dt * out)
        lower.append(lower[-1] + dt * (out - lower[-1] / tau))
    np.testing.assert_allclose(result["upper.level"][:, 0], upper, rtol=1e-12)
    np.testing.assert_allclose(result["lower.level"][:, 0], lower, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result["total"][:, 0], np.add(upper, lower), rtol=1e-12)


def test_a_flattened_model_exports_and_reads_back():
    model = reads_xmile(CHAIN)
    assert reads_xmile(writes_xmile(model)) == model


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('<module name="lower" model="tank">', '<module name="lower" model="vat">'),
         r"^module 'lower': no <model name='vat'> for this module"),
        (('<model name="tank">\n    <variables>',
          '<model name="tank">\n    <variables><module name="tank"/>'),
         r"^module 'lower.tank': module 'tank' contains itself"),
        (('<connect to="inflow_rate" from="feed"/>', ""),
         r"^aux 'upper.inflow rate': equation does not parse"),
    ],
)  # fmt: skip
def test_a_bad_module_is_one_error_naming_it(change, message):
    with pytest.raises(ModelError, match=message):
        reads_xmile(CHAIN.replace(*change))
