"""Unit checking: the reference models are clean, each planted error is reported on its
variable, and random expressions are flagged exactly when they are inconsistent."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.units import check_units
from sim.cli import main
from sim.model import Auxiliary, Constant, Flow, UnitDefinition
from sim.modelfile import dumps_model, loads_model
from sim.models import resolve_model, shipped_model_names
from sim.xmile import reads_xmile
from sim.xmile.writer import writes_xmile

ROOT_MODELS = Path(__file__).resolve().parents[2] / "sim" / "models"
REFERENCE = [name for name in shipped_model_names() if name != "hexi"]

# A small plan-like model: a construction pipeline of projects that adds beds, investment
# growing at a rate, and a placement share. Clean as written; each test plants one error.
PLAN = """
[model]
name = "pipeline"

[time]
start = 2016
stop = 2021
dt = 1
units = "year"

[units]
projects = { aliases = ["project"] }
beds = { aliases = ["bed"] }
"亿元" = {}

[stocks.under_construction]
initial = "2"
inflows = ["starts"]
outflows = ["completions"]
units = "projects"

[stocks.beds]
initial = "1000"
inflows = ["bed_additions"]
units = "beds"

[stocks.investment]
initial = "131.04"
inflows = ["investment_growth"]
units = "亿元/yr"

[flows.starts]
equation = "start_rate + PULSE(one_project, 2017)"
units = "projects/yr"

[flows.completions]
equation = "under_construction / construction_time"
units = "projects/yr"

[flows.bed_additions]
equation = "completions * beds_per_project"
units = "beds/yr"

[flows.investment_growth]
equation = "growth_rate * investment"
units = "亿元/yr/yr"

[auxiliaries.average_growth]
equation = "(investment / base_investment) ^ (1 / ((TIME - STARTTIME) / one_year + 1)) - 1"
units = "dimensionless"

[auxiliaries.placement]
equation = "MIN(1, placement_share)"
units = "%"

[constants.start_rate]
value = 1
units = "projects/yr"

[constants.one_project]
value = 1
units = "project"

[constants.construction_time]
value = 2
units = "yr"

[constants.beds_per_project]
value = 200
units = "beds/project"

[constants.home_beds]
value = 300
units = "beds"

[constants.growth_rate]
value = 0.1
units = "1/yr"

[constants.base_investment]
value = 131.04
units = "亿元/yr"

[constants.one_year]
value = 1
units = "yr"

[constants.placement_share]
value = 0.6
units = "dimensionless"

[constants.placement_rate]
value = 0.6
units = "1/yr"
"""


def _plan():
    return loads_model(PLAN)


def _planted(equations: dict[str, str]):
    model = _plan()
    for name, equation in equations.items():
        v = model[name]
        model = model.with_variable(type(v)(**{**v.__dict__, "equation": equation}))
    return check_units(model).issues


@pytest.mark.parametrize("name", REFERENCE)
def test_reference_models_are_consistent(name):
    report = check_units(resolve_model(name))
    assert report.issues == ()
    assert report.undeclared == ()  # each declares its units in [units]


def test_the_plan_like_model_is_clean():
    assert check_units(_plan()).issues == ()


def test_a_product_of_completions_and_beds_is_reported_on_the_flow():
    (issue,) = _planted({"bed_additions": "completions * home_beds"})
    assert issue.variable == "bed_additions"
    assert issue.expected == "beds/yr"
    assert issue.actual == "beds·projects/yr"
    assert issue.term == "completions * home_beds"


def test_a_bare_one_added_to_years_in_an_exponent():
    equation = "(investment / base_investment) ^ (1 / (TIME - STARTTIME + 1)) - 1"
    (issue,) = _planted({"average_growth": equation})
    assert issue.variable == "average_growth"
    assert issue.term == "(time - starttime) + 1"
    assert (issue.expected, issue.actual) == ("yr", "dimensionless")


def test_a_rate_per_year_compared_with_a_percentage():
    (issue,) = _planted({"placement": "MIN(1, placement_rate)"})
    assert issue.variable == "placement"
    assert (issue.expected, issue.actual) == ("dimensionless", "1/yr")


def test_a_dimensionless_pulse_flowing_into_a_stock_of_projects():
    (issue,) = _planted({"starts": "start_rate + PULSE(1, 2017)"})
    assert issue.variable == "starts"
    assert "1/yr" in (issue.expected, issue.actual)
    assert "projects/yr" in (issue.expected, issue.actual)


def test_a_flow_declared_in_other_units_than_its_stock_per_time():
    model = _plan()
    flow = model["completions"]
    model = model.with_variable(Flow(**{**flow.__dict__, "units": "beds/yr"}))
    variables = [i.variable for i in check_units(model).issues]
    assert "completions" in variables


def test_unreadable_units_and_undeclared_names_are_reported():
    model = _plan().with_variable(Constant("home_beds", units="beds ** **", value=1))
    assert [i.variable for i in check_units(model).issues] == ["home_beds"]
    model = _plan().with_variable(Constant("home_beds", units="cots", value=1))
    report = check_units(model)
    assert report.undeclared == ("cots",)


def test_time_units_scale_is_checked_but_dimensionless_scale_is_not():
    model = _plan().with_variable(Constant("construction_time", units="month", value=24))
    (issue,) = check_units(model).issues
    assert issue.variable == "completions"
    assert check_units(_plan().with_variable(Constant("placement_share", units="%"))).clean


def test_units_round_trip_through_toml_and_xmile():
    model = _plan()
    assert model.units[0] == UnitDefinition("projects", "", ("project",))
    assert loads_model(dumps_model(model)) == model
    assert reads_xmile(writes_xmile(model)) == model
    derived = model.replace(units=(*model.units, UnitDefinition("万床", "10000 beds", ("wan",))))
    assert loads_model(dumps_model(derived)) == derived
    assert reads_xmile(writes_xmile(derived)) == derived


def test_check_units_command(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(PLAN.replace("completions * beds_per_project", "completions * home_beds"))
    assert main(["check-units", str(path)]) == 0
    out = capsys.readouterr().out
    assert "bed_additions" in out and "beds·projects/yr" in out
    assert main(["check-units", str(path), "--strict"]) == 2
    assert main(["check-units", "logistic", "--strict"]) == 0
    assert main(["validate", str(path)]) == 0
    assert "warning: 1 unit inconsistency" in capsys.readouterr().out
    assert main(["validate", "--strict", str(path)]) == 2
    assert "bed_additions" in capsys.readouterr().err


# -- hypothesis: random expressions over three base units ------------------------------------
# A unit is a vector of exponents of (apples, bins, yr); each variable ``u<i>`` is a constant
# with one such unit, so any unit is a product of constants.
BASES = ("apples", "bins", "yr")
VECTORS = [v for v in itertools.product((-1, 0, 1), repeat=3)]
NAMES = {v: f"u{i}" for i, v in enumerate(VECTORS)}


def _text(v) -> str:
    parts = [f"{b}^{e}" for b, e in zip(BASES, v, strict=True) if e]
    return "*".join(parts) or "dimensionless"


def _add(a, b):
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _sub(a, b):
    return tuple(x - y for x, y in zip(a, b, strict=True))


@st.composite
def expressions(draw, target, depth=3):
    """(text with leaf slots ``{0}``, ``{1}`` …, the leaves' unit vectors) of units ``target``."""
    small = st.sampled_from(VECTORS)
    if depth == 0 or (target in NAMES and draw(st.booleans())):
        if target in NAMES:
            return "{}", [target]
        first = draw(small)
        a, la = draw(expressions(first, 0))
        b, lb = (
            draw(expressions(_sub(target, first), 0))
            if _sub(target, first) in NAMES
            else (draw(expressions(_sub(target, first), 1)))
        )
        return f"({a} * {b})", la + lb
    kind = draw(st.sampled_from(["+", "*", "/", "max", "if", "abs", "exp", "smth", "step", "num"]))
    sub = lambda u: draw(expressions(u, depth - 1))  # noqa: E731
    if kind in {"+", "max"}:
        (a, la), (b, lb) = sub(target), sub(target)
        return (f"({a} - {b})" if kind == "+" else f"MAX({a}, {b})"), la + lb
    if kind in {"*", "/"}:
        other = draw(small)
        (a, la), (b, lb) = (
            sub(_sub(target, other) if kind == "*" else _add(target, other)),
            sub(other),
        )
        return f"({a} {kind} {b})", la + lb
    if kind == "if":
        other = draw(small)
        (c, lc), (d, ld), (a, la), (b, lb) = sub(other), sub(other), sub(target), sub(target)
        return f"(IF {c} > {d} THEN {a} ELSE {b})", lc + ld + la + lb
    if kind == "abs":
        a, la = sub(target)
        return f"ABS({a})", la
    if kind == "exp":
        (a, la), (b, lb) = sub((0, 0, 0)), sub(target)
        return f"(EXP({a}) * {b})", la + lb
    if kind == "smth":
        (a, la), (b, lb) = sub(target), sub((0, 0, 1))
        return f"SMTH1({a}, {b})", la + lb
    if kind == "step":
        a, la = sub(target)
        return f"STEP({a}, 3)", la
    a, la = sub(target)
    return f"(2.5 * {a})", la


def _model(target, equation):
    constants = tuple(Constant(NAMES[v], value=1.0, units=_text(v)) for v in VECTORS)
    model = _plan().replace(
        variables=(*constants, Auxiliary("result", equation=equation, units=_text(target))),
        units=(UnitDefinition("apples"), UnitDefinition("bins")),
    )
    return model


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_random_consistent_expressions_are_never_flagged(data):
    target = data.draw(st.sampled_from(VECTORS))
    text, leaves = data.draw(expressions(target))
    equation = text.format(*(NAMES[v] for v in leaves))
    assert check_units(_model(target, equation)).issues == ()


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_random_inconsistent_edit_is_always_flagged(data):
    target = data.draw(st.sampled_from(VECTORS))
    text, leaves = data.draw(expressions(target))
    k = data.draw(st.integers(0, len(leaves) - 1))
    wrong = data.draw(st.sampled_from([v for v in VECTORS if v != leaves[k]]))
    edited = [*leaves[:k], wrong, *leaves[k + 1 :]]
    equation = text.format(*(NAMES[v] for v in edited))
    issues = check_units(_model(target, equation)).issues
    assert issues and issues[0].variable == "result"


def test_bad_unit_declarations_name_the_field():
    from sim.errors import ModelError

    with pytest.raises(ModelError, match=r"units\.beds: unknown key 'alias'"):
        loads_model(PLAN.replace('beds = { aliases = ["bed"] }', 'beds = { alias = ["bed"] }'))
    with pytest.raises(ModelError, match=r"units\.beds\.aliases: must be a list"):
        loads_model(PLAN.replace('beds = { aliases = ["bed"] }', 'beds = { aliases = "bed" }'))
    bad = loads_model(PLAN.replace('beds = { aliases = ["bed"] }', 'beds = { equation = "2 **" }'))
    with pytest.raises(ModelError, match=r"units\.beds: cannot declare this unit"):
        check_units(bad)
    assert main(["check-units", str(ROOT_MODELS / "logistic.toml")]) == 0


@pytest.mark.parametrize(
    ("equation", "units", "clean"),
    [
        ("SMTH1(investment, construction_time)", "亿元/yr", True),
        ("SMTH3(investment, growth_rate)", "亿元/yr", False),  # a delay that is not a time
        ("DELAY(investment, construction_time, base_investment)", "亿元/yr", True),
        ("DELAY1(investment, construction_time, one_year)", "亿元/yr", False),  # initial value
        ("TREND(investment, construction_time, 0)", "1/yr", True),
        ("INIT(investment) + investment", "亿元/yr", True),
        ("RAMP(start_rate, 2017, 2019)", "projects", True),
        ("STEP(one_project, one_year)", "project", True),
        ("STEP(one_project, one_project)", "project", False),  # a time argument
        ("SAFEDIV(investment, base_investment, 0)", "dimensionless", True),
        ("XIDZ(investment, base_investment, one_year)", "dimensionless", False),
        ("SQRT(construction_time * one_year)", "yr", True),
        ("EXP(growth_rate)", "dimensionless", False),
        (
            "construction_time ^ growth_rate",
            "yr",
            False,
        ),  # a dimensioned base, exponent not a number
        ("IF TIME > 2018 THEN start_rate ELSE 0", "projects/yr", False),  # years against a number
        ("IF TIME > STARTTIME THEN start_rate ELSE 0", "projects/yr", True),
        ("effect(placement_share) * start_rate", "projects/yr", True),
        ("effect(construction_time) * start_rate", "projects/yr", False),  # its declared input
    ],
)
def test_builtin_rules(equation, units, clean):
    from sim.model import GraphicalFunction, Lookup

    model = _plan()
    graphical = GraphicalFunction((0.0, 1.0), (1.0, 2.0))
    table = Lookup("effect", units="% -> dimensionless", graphical=graphical)
    model = model.replace(
        variables=(*model.variables, table, Auxiliary("probe", equation=equation, units=units))
    )
    issues = check_units(model).issues
    assert (issues == ()) is clean, issues
    assert all(issue.variable == "probe" for issue in issues)


def test_the_command_line_starts_without_pint_or_networkx():
    import subprocess
    import sys

    code = (
        "import sys; from sim.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('pint', 'networkx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
