"""The isee ``.stmx`` dialect: current files are XMILE 1.0; STELLA 10's pre-standard files put
the variables right under ``<model>`` (beside ``<display>`` and ``<interface>``), use the
pre-standard namespace, and write a table to call as an ``<aux>`` with a ``<gf>`` and no
``<eqn>``."""

import numpy as np
import pytest

from sim.errors import ModelError
from sim.model import Flow, Lookup, Stock
from sim.simulate import simulate
from sim.xmile import read_xmile, reads_xmile

LEGACY = """<?xml version="1.0" encoding="utf-8" ?>
<xmile version="1.0" level="3" xmlns="http://www.systemdynamics.org/XMILE"
       xmlns:isee="http://iseesystems.com/XMILE">
  <header>
    <smile version="1.0" namespace="std, isee" />
    <name>legacy</name>
    <vendor>isee systems, inc.</vendor>
    <product version="10.0.6" lang="en">STELLA</product>
  </header>
  <style><model font-family="Arial" font-size="9" /></style>
  <sim_specs method="Euler" time_units="Time">
    <start>0</start><stop>4</stop><dt>0.5</dt>
  </sim_specs>
  <model_units />
  <isee:prefs layer="model"><isee:window width="2560" height="1434" /></isee:prefs>
  <model>
    <stock name="accumulation">
      <eqn>0</eqn><inflow>rate</inflow><display x="201" y="117" color="blue" />
    </stock>
    <flow name="rate">
      <eqn>table_call + shaped</eqn>
      <display x="141" y="119"><pts><pt x="103" y="119" /></pts></display>
    </flow>
    <aux name="table">
      <gf><xscale min="0" max="4" /><yscale min="0" max="2" /><ypts>0,1,2,1,0</ypts></gf>
    </aux>
    <aux name="table_call"><eqn>table(time)</eqn></aux>
    <aux name="shaped">
      <eqn>time</eqn>
      <gf><xscale min="0" max="4" /><ypts>0,0,1,1,1</ypts></gf>
    </aux>
    <display page_width="0" page_height="0">
      <connector x="66" y="33" uid="0"><from>table</from><to>table_call</to></connector>
    </display>
    <interface page_width="788"><simulation_delay>0.1</simulation_delay></interface>
  </model>
</xmile>
"""


def test_a_stella_10_pre_standard_file_reads_and_runs(tmp_path):
    path = tmp_path / "legacy.stmx"
    path.write_text(LEGACY, encoding="utf-8")
    model = read_xmile(path)
    assert model.name == "legacy"
    assert isinstance(model["accumulation"], Stock) and isinstance(model["rate"], Flow)
    assert isinstance(model["table"], Lookup)  # a <gf> with no <eqn>: a table to call
    assert model["shaped"].graphical is not None  # a <gf> applied to its <eqn>
    result = simulate(model)
    t = result.times
    np.testing.assert_allclose(result["table_call"][:, 0], np.interp(t, [0, 1, 2, 3, 4],
                                                                     [0, 1, 2, 1, 0]))  # fmt: skip
    np.testing.assert_allclose(result["shaped"][:, 0], np.interp(t, [0, 1, 2, 3, 4],
                                                                 [0, 0, 1, 1, 1]))  # fmt: skip


def test_an_aux_with_neither_eqn_nor_gf_is_still_an_error():
    text = LEGACY.replace('<aux name="table">', '<aux name="table"><doc>x</doc>').replace(
        '<gf><xscale min="0" max="4" /><yscale min="0" max="2" /><ypts>0,1,2,1,0</ypts></gf>', ""
    )
    with pytest.raises(ModelError, match="missing <eqn>"):
        reads_xmile(text)


def test_display_and_interface_elements_beside_the_variables_are_ignored():
    model = reads_xmile(LEGACY)
    assert sorted(v.name for v in model.variables) == [
        "accumulation", "rate", "shaped", "table", "table_call"
    ]  # fmt: skip
