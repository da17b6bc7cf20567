"""Reading XMILE: every construct of XMILE 1.0 that a `Model` holds, and one clear error for
every construct it does not."""

import pytest

from sim.errors import ModelError
from sim.model import Auxiliary, Constant, Flow, GraphicalFunction, Lookup, Stock, TimeSpec
from sim.simulate import simulate
from sim.xmile import read_xmile, reads_xmile, writes_xmile

OASIS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
OLD = "http://www.systemdynamics.org/XMILE"


def xmile(variables: str, *, specs: str = "", ns: str = OASIS, extra: str = "") -> str:
    specs = specs or "<sim_specs><start>0</start><stop>10</stop><dt>0.5</dt></sim_specs>"
    return (
        f'<xmile version="1.0" xmlns="{ns}"><header><name>t</name></header>{specs}{extra}'
        f"<model><variables>{variables}</variables></model></xmile>"
    )


TEACUP = """
<stock name="Teacup Temperature"><eqn>180</eqn><outflow>"Heat Loss"</outflow>
  <units>degF</units><doc>The tea.</doc></stock>
<flow name="Heat Loss"><eqn>(Teacup_Temperature - room) / 10</eqn></flow>
<aux name="room"><eqn>70</eqn><units>degF</units></aux>
"""


@pytest.mark.parametrize("ns", [OASIS, OLD])
def test_both_namespaces_read_the_same_model(ns):
    model = reads_xmile(xmile(TEACUP, ns=ns))
    assert model.name == "t"
    assert model["teacup temperature"] == Stock(
        "Teacup Temperature", "degF", "The tea.", initial="180", outflows=("Heat Loss",)
    )
    assert model["heat_loss"] == Flow("Heat Loss", equation="(Teacup_Temperature - room) / 10")
    assert model["room"] == Constant("room", "degF", value=70.0)
    assert model.time == TimeSpec(0.0, 10.0, 0.5)


def test_undeclared_isee_prefix_is_tolerated():
    text = xmile(TEACUP, extra='<isee:prefs show_module_prefix="true"/>')
    assert "room" in reads_xmile(text)


@pytest.mark.parametrize(
    ("specs", "time"),
    [
        ('<sim_specs method="RK4" time_units="Months"><start>1</start><stop>5</stop>'
         '<dt reciprocal="true">4</dt></sim_specs>', TimeSpec(1.0, 5.0, 0.25, "rk4", "Months")),
        ('<sim_specs method="euler"><start>0</start><stop>5</stop></sim_specs>',
         TimeSpec(0.0, 5.0, 1.0, "euler")),
        ('<sim_specs xmlns:isee="http://iseesystems.com/XMILE" isee:save_interval="2">'
         "<start>0</start><stop>4</stop><dt>1</dt></sim_specs>",
         TimeSpec(0.0, 4.0, 1.0, save_step=2.0)),
    ],
)  # fmt: skip
def test_sim_specs(specs, time):
    assert reads_xmile(xmile(TEACUP, specs=specs)).time == time


def test_auxiliaries_numbers_become_constants_and_expressions_stay_auxiliaries():
    model = reads_xmile(
        xmile('<aux name="a"><eqn>-2.5</eqn></aux><aux name="b"><eqn>10/3</eqn></aux>')
    )
    assert model["a"] == Constant("a", value=-2.5)
    assert model["b"] == Auxiliary("b", equation="10/3")


def test_non_negative_flags_and_behavior_defaults():
    variables = (
        '<stock name="s1"><eqn>1</eqn><outflow>f1</outflow></stock>'
        '<stock name="s2"><eqn>1</eqn><outflow>f2</outflow><non_negative>false</non_negative>'
        "</stock>"
        '<flow name="f1"><eqn>1</eqn></flow>'
        '<flow name="f2"><eqn>1</eqn><non_negative/></flow>'
    )
    plain = reads_xmile(xmile(variables))
    assert [plain[n].non_negative for n in ("s1", "s2", "f1", "f2")] == [False, False, False, True]
    both = reads_xmile(xmile(variables, extra="<behavior><non_negative/></behavior>"))
    assert [both[n].non_negative for n in ("s1", "s2", "f1", "f2")] == [True, False, True, True]
    stocks = reads_xmile(
        xmile(variables, extra="<behavior><stock><non_negative/></stock></behavior>")
    )
    assert [stocks[n].non_negative for n in ("s1", "s2", "f1", "f2")] == [True, False, False, True]


@pytest.mark.parametrize(
    ("gf", "expected"),
    [
        ('<gf><xscale min="0" max="2"/><ypts>0,1,4</ypts></gf>',
         GraphicalFunction((0.0, 1.0, 2.0), (0.0, 1.0, 4.0))),
        ('<gf type="extrapolate"><xpts sep=";">0; 5;10</xpts><ypts>1,2,3</ypts></gf>',
         GraphicalFunction((0.0, 5.0, 10.0), (1.0, 2.0, 3.0), "extrapolate")),
        ('<gf type="DISCRETE"><xpts>0,1</xpts><ypts>1,2</ypts></gf>',
         GraphicalFunction((0.0, 1.0), (1.0, 2.0), "discrete")),
        ('<gf discrete="true"><xpts>0,1</xpts><ypts>1,2</ypts></gf>',
         GraphicalFunction((0.0, 1.0), (1.0, 2.0), "discrete")),
        ('<gf discrete="false"><xscale min="0" max="1"/><yscale min="0" max="9"/>'
         "<ypts>3\n,4</ypts></gf>", GraphicalFunction((0.0, 1.0), (3.0, 4.0))),
    ],
)  # fmt: skip
def test_inline_graphical_functions_take_the_equation_as_input(gf, expected):
    model = reads_xmile(xmile(f'<aux name="effect"><eqn>TIME</eqn>{gf}</aux>'))
    assert model["effect"] == Auxiliary("effect", equation="TIME", graphical=expected)


def test_named_graphical_function_and_lookup_calls():
    model = reads_xmile(
        xmile(
            '<gf name="table"><xpts>0,1</xpts><ypts>0,2</ypts></gf>'
            '<aux name="a"><eqn>table(TIME)</eqn></aux>'
            '<aux name="b"><eqn>LOOKUP(table, TIME / 2)</eqn></aux>'
            '<flow name="c"><eqn>TIME</eqn><gf><xpts>0,1</xpts><ypts>0,2</ypts></gf></flow>'
        )
    )
    assert model["table"] == Lookup("table", graphical=GraphicalFunction((0.0, 1.0), (0.0, 2.0)))
    assert model["a"].equation == "table(TIME)"
    assert model["b"].equation == "LOOKUP(table, TIME / 2)"
    assert model["c"].graphical == model["table"].graphical


def test_expression_macros_are_inlined_with_defaults_own_auxiliaries_and_nesting():
    macros = (
        '<macro name="twice"><parm>x</parm><eqn>2 * x</eqn></macro>'
        '<macro name="Scaled Sum"><parm>a</parm><parm default="10">scale</parm>'
        '<eqn>Scaled_Sum</eqn><variables><aux name="Scaled Sum"><eqn>total * scale</eqn></aux>'
        '<aux name="total"><eqn>twice(a) + 1</eqn></aux></variables></macro>'
    )
    model = reads_xmile(
        xmile(
            '<aux name="u"><eqn>twice(TIME + 1)</eqn></aux>'
            '<aux name="v"><eqn>scaled_sum(u)</eqn></aux>'
            '<aux name="w"><eqn>Scaled_Sum(u, 0.5) - 1</eqn></aux>',
            extra=macros,
        )
    )
    assert [model[n].equation for n in "uvw"] == [
        "2 * (time + 1)", "((2 * u) + 1) * 10", "(((2 * u) + 1) * 0.5) - 1"
    ]  # fmt: skip


def test_names_lose_stella_line_breaks_and_flows_lose_quotes():
    model = reads_xmile(
        xmile(
            '<stock name="my\\nstock"><eqn>1</eqn><inflow>"in flow"</inflow></stock>'
            '<flow name="in flow"><eqn>my_stock</eqn></flow>'
        )
    )
    assert model.variables[0].name == "my stock"
    assert model["my_stock"].inflows == ("in flow",)


def test_quotes_inside_names_are_escaped_in_equations_and_flow_references():
    model = reads_xmile(
        xmile(
            '<stock name="&quot;best&quot; guess"><eqn>1</eqn>'
            '<inflow>"the \\"in\\" flow"</inflow></stock>'
            '<flow name="the &quot;in&quot; flow"><eqn>"\\"best\\" guess" / 2</eqn></flow>'
        )
    )
    assert model.variables[0].inflows == ('the "in" flow',)
    assert model['the_"in"_flow'].equation == '"\\"best\\" guess" / 2'
    assert reads_xmile(writes_xmile(model)) == model


def test_views_groups_and_vendor_elements_are_ignored():
    model = reads_xmile(
        xmile(
            '<aux name="a"><eqn>1</eqn><isee:x xmlns:isee="urn:i"/><format precision="1"/>'
            '</aux><group name="sector"/>'
        ).replace("</variables>", "</variables><views><view/></views>")
    )
    assert [v.name for v in model.variables] == ["a"]


@pytest.mark.parametrize(
    ("variables", "extra", "message"),
    [
        ('<aux name="v"><eqn>1</eqn><dimensions><dim name="d"/></dimensions></aux>', "",
         r"^aux 'v': unknown dimension 'd' \(dimensions: none\)"),
        ('<aux name="v"><element subscript="a"><eqn>1</eqn></element></aux>', "",
         r"^aux 'v': <element> definitions need <dimensions>"),
        ('<module name="sector"/>', "", r"^module 'sector': no <model name='sector'>"),
        ('<aux name="v"><eqn>acc(2)</eqn></aux>',
         '<macro name="acc"><parm>x</parm><eqn>s</eqn><variables><stock name="s"><eqn>0</eqn>'
         "</stock></variables></macro>",
         r"^aux 'v': macros with stocks, flows or graphical functions are not supported "
         r"\(macro 'acc' has <stock>\)"),
        ('<aux name="v"><eqn>twice(1, 2)</eqn></aux>',
         '<macro name="twice"><parm>x</parm><eqn>2*x</eqn></macro>',
         r"^aux 'v': macro 'twice' takes 1 arguments, got 2"),
        ('<stock name="belt"><eqn>0</eqn><conveyor><len>2</len></conveyor></stock>', "",
         r"^stock 'belt': conveyors are not supported"),
        ('<stock name="line"><eqn>0</eqn><queue/></stock>', "",
         r"^stock 'line': queues are not supported"),
        ('<stock name="kiln"><eqn>0</eqn><oven/></stock>', "",
         r"^stock 'kiln': ovens are not supported"),
        ('<flow name="spill"><eqn>1</eqn><leak/></flow>', "",
         r"^flow 'spill': conveyor leakage flows are not supported"),
        ('<aux name="v"/>', "", r"^aux 'v': missing <eqn>"),
        ('<aux name="v"><eqn>(1 +</eqn></aux>', "",
         r"^aux 'v': equation does not parse: position 4: expected"),
        ('<aux name="A b"><eqn>1</eqn></aux><aux name="a_B"><eqn>2</eqn></aux>', "",
         r"^aux 'a_B': duplicate name: 'A b' and 'a_B' are the same variable"),
        ('<aux name="v"><eqn>1</eqn><gf><ypts>1,2</ypts></gf></aux>', "",
         r"^aux 'v': graphical function needs <xpts> or <xscale>"),
        ('<aux name="v"><eqn>1</eqn><gf type="smooth"><xpts>1</xpts><ypts>1</ypts></gf></aux>',
         "", r"^aux 'v': graphical function type 'smooth' is not one of"),
        ('<aux name="v"><eqn>1</eqn><gf><xpts>1,a</xpts><ypts>1,2</ypts></gf></aux>', "",
         r"^aux 'v' <xpts>: not a number: 'a'"),
        ('<array name="v"/>', "", r"^array 'v': unknown variable element <array>"),
    ],
)  # fmt: skip
def test_unsupported_or_bad_content_is_one_clear_error(variables, extra, message):
    with pytest.raises(ModelError, match=message):
        reads_xmile(xmile(variables, extra=extra))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<xmile", r"^not well-formed XML"),
        ("<model/>", r"^not an XMILE file: the root element is <model>"),
        (f'<xmile xmlns="{OASIS}"><sim_specs><start>0</start><stop>1</stop></sim_specs></xmile>',
         r"^xmile: no <model> element"),
        (f'<xmile xmlns="{OASIS}"><model/></xmile>', r"^xmile: no <sim_specs>"),
        (xmile("", specs="<sim_specs><start>0</start></sim_specs>"), r"^sim_specs: missing <stop>"),
        (xmile("", specs="<sim_specs><start>x</start><stop>1</stop></sim_specs>"),
         r"^sim_specs <start>: not a number: 'x'"),
        (xmile("", specs='<sim_specs><start>0</start><stop>1</stop><dt reciprocal="true">0</dt>'
                   "</sim_specs>"), r"^sim_specs <dt>: a reciprocal dt of 0 is not a time step"),
        (xmile("", specs='<sim_specs method="gear"><start>0</start><stop>1</stop></sim_specs>'),
         r"^sim_specs method: integration method 'gear' is not supported"),
        (f'<xmile xmlns="{OASIS}"><model name="a"/><model name="b"/></xmile>',
         r"^xmile: 2 <model> elements and no single main \(unnamed\) one: modules"),
    ],
)  # fmt: skip
def test_bad_documents(text, message):
    with pytest.raises(ModelError, match=message):
        reads_xmile(text)


def test_read_xmile_names_the_file_and_checks_the_model_compiles(tmp_path):
    path = tmp_path / "bad.xmile"
    path.write_text(xmile('<aux name="v"><eqn>nowhere + 1</eqn></aux>'), encoding="utf-8")
    with pytest.raises(ModelError, match=rf"^{path}: v: unknown name 'nowhere'"):
        read_xmile(path)
    assert read_xmile(path, validate=False)["v"].equation == "nowhere + 1"
    with pytest.raises(ModelError, match=r"missing\.xmile: cannot read"):
        read_xmile(tmp_path / "missing.xmile")


def test_the_declared_encoding_is_used(tmp_path):
    path = tmp_path / "latin.xmile"
    text = xmile('<aux name="café"><eqn>1</eqn></aux>')
    path.write_bytes(b'<?xml version="1.0" encoding="ISO-8859-1"?>' + text.encode("latin-1"))
    assert read_xmile(path).variables[0].name == "café"


def test_the_file_name_is_the_model_name_when_the_header_has_none(tmp_path):
    path = tmp_path / "cooling.xmile"
    path.write_text(xmile(TEACUP).replace("<name>t</name>", ""), encoding="utf-8")
    assert read_xmile(path).name == "cooling"


def test_a_macro_inside_a_deep_equation_is_inlined():
    """Expanding used to recurse through the whole caller's tree (issue 8)."""
    macro = '<macro name="twice"><parm>x</parm><eqn>2 * x</eqn></macro>'
    deep = "ABS(" * 1500 + "twice(TIME)" + ")" * 1500
    model = reads_xmile(xmile(f'<aux name="u"><eqn>{deep}</eqn></aux>', extra=macro))
    assert model["u"].equation == "abs(" * 1500 + "2 * time" + ")" * 1500


def test_self_is_the_variable_whose_equation_it_is_in():
    # XMILE's SELF: the variable itself, as in PREVIOUS(SELF, init)
    dims = '<dimensions><dim name="d"><elem name="a"/><elem name="b"/></dim></dimensions>'
    variables = (
        '<aux name="Run Count"><eqn>PREVIOUS(SELF, 0) + 1</eqn></aux>'
        '<aux name="v"><dimensions><dim name="d"/></dimensions>'
        '<element subscript="a"><eqn>PREVIOUS(SELF, 10) * 2</eqn></element>'
        '<element subscript="b"><eqn>1</eqn></element></aux>'
    )
    specs = "<sim_specs><start>0</start><stop>3</stop><dt>1</dt></sim_specs>"
    model = reads_xmile(xmile(variables, specs=specs, extra=dims))
    assert model["run count"].equation == "previous(run_count, 0) + 1"
    result = simulate(model)
    assert result["Run Count"][:, 0].tolist() == [1, 2, 3, 4]
    assert result["v[a]"][:, 0].tolist() == [20, 40, 80, 160]


def test_a_variable_called_self_is_not_the_keyword():
    variables = '<aux name="self"><eqn>2</eqn></aux><aux name="x"><eqn>self * 3</eqn></aux>'
    assert simulate(reads_xmile(xmile(variables)))["x"][0, 0] == 6
