"""Vensim equations translated to a `Model`, checked against answers worked out by hand."""

import numpy as np
import pytest

from sim.errors import ModelError
from sim.model import Constant, Flow, Lookup, Stock
from sim.modelfile import load_model, save_model
from sim.names import canonical
from sim.simulate import Save, simulate
from sim.vensim import reads_vensim
from sim.xmile import read_xmile, write_xmile


def model_of(equations: str, stop: float = 10, dt: float = 1):
    control = (
        f"INITIAL TIME = 0 ~~|\nFINAL TIME = {stop} ~~|\nTIME STEP = {dt} ~ Month ~|\n"
        "SAVEPER = TIME STEP ~~|\n"
    )
    return reads_vensim("{UTF-8}\n" + equations + control)


def run(equations: str, stop: float = 10, dt: float = 1):
    result = simulate(model_of(equations, stop, dt))
    return lambda name: result[name][:, 0]


TEACUP = """
Teacup Temperature = INTEG(-Heat Loss to Room, 180) ~ Degrees [32,212] ~ The tea. |
Heat Loss to Room = (Teacup Temperature - Room Temperature) / Characteristic Time ~~|
Room Temperature = 70 ~ Degrees [-459.67, ?] ~|
Characteristic Time = 10 ~ Minutes [1, 20] ~|
"""


def test_teacup_cools_as_euler_says_and_its_rate_is_a_flow():
    model = model_of(TEACUP, stop=30, dt=0.5)
    stock = model["Teacup Temperature"]
    assert isinstance(stock, Stock) and stock.outflows == ("Heat Loss to Room",)
    assert isinstance(model["heat loss to room"], Flow)
    assert model["Characteristic Time"] == Constant(
        "Characteristic Time", units="Minutes", value=10.0, range=(1.0, 20.0)
    )
    assert model["Room Temperature"].range is None  # "?" is no bound
    assert stock.doc == "The tea." and stock.units == "Degrees"
    assert (model.time.start, model.time.stop, model.time.dt) == (0, 30, 0.5)
    t = np.arange(0, 30.5, 0.5)
    expected = 70 + 110 * (1 - 0.5 / 10) ** (t / 0.5)
    np.testing.assert_allclose(run(TEACUP, 30, 0.5)("teacup temperature"), expected, rtol=1e-12)


def test_a_flow_into_two_stocks_gets_a_net_flow_of_its_own():
    model = model_of("a = INTEG(f, 0) ~~|\nb = INTEG(f, 1) ~~|\nf = 2 * Time ~~|\n")
    assert model["a"].inflows == ("f",)
    assert model["b"].inflows == ("b net flow",)
    values = run("a = INTEG(f, 0) ~~|\nb = INTEG(f, 1) ~~|\nf = 2 * Time ~~|\n")
    np.testing.assert_allclose(values("b") - values("a"), 1.0)
    # a rate that is not a sum of plain variables is one net flow too
    assert model_of("s = INTEG(3 * Time, 0) ~~|\n")["s"].inflows == ("s net flow",)


def test_smooth_of_a_step_follows_the_discrete_exponential():
    values = run("y = SMOOTH(x, 4) ~~|\nx = STEP(10, 2) ~~|\n", stop=12)
    t = np.arange(13)
    # the first step that sees the input starts at t=2: y(t) = 10 (1 - (3/4)^(t-2))
    expected = np.where(t <= 2, 0.0, 10 * (1 - 0.75 ** (t - 2)))
    np.testing.assert_allclose(values("y"), expected, atol=1e-12)


def test_delay_fixed_shifts_by_whole_steps_and_rounds_the_delay_time():
    eqs = "x = Time * Time ~~|\ny = DELAY FIXED(x, 3, -1) ~~|\nz = DELAY FIXED(x, 1.6, -1) ~~|\n"
    values = run(eqs, stop=8)
    t = np.arange(9.0)
    np.testing.assert_allclose(values("y"), np.where(t < 3, -1, (t - 3) ** 2))
    np.testing.assert_allclose(values("z"), np.where(t < 2, -1, (t - 2) ** 2))  # 1.6 -> 2


def test_delay_n_lowers_its_order_to_fit_the_time_step():
    eqs = "x = STEP(1, 2) ~~|\nn = DELAY N(x, 1, 0, 3) ~~|\none = DELAY1(x, 1) ~~|\n"
    values = run(eqs)
    np.testing.assert_allclose(values("n"), values("one"))


def test_pulses_and_pulse_trains():
    eqs = "p = PULSE(2, 3) ~~|\nq = PULSE(4, 0) ~~|\nr = PULSE TRAIN(1, 1, 3, 7) ~~|\n"
    values = run(eqs, stop=10)
    assert list(values("p")) == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert list(values("q")) == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]  # width 0 is one step
    assert list(values("r")) == [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0]


def test_step_ramp_and_pulse_compare_time_plus_half_a_step():
    # Vensim's documented rule: an event is on once Time + TIME STEP/2 > its time, so a time
    # between two steps falls on the nearer one, and one exactly half-way on the later
    eqs = (
        "a = STEP(1, 2.4) ~~|\nb = STEP(1, 2.5) ~~|\nc = STEP(1, 2.6) ~~|\n"
        "r = RAMP(2, 2.6, 5) ~~|\np = PULSE(1.6, 2) ~~|\n"
    )
    values = run(eqs, stop=6)
    assert list(values("a")) == [0, 0, 1, 1, 1, 1, 1]
    assert list(values("b")) == [0, 0, 0, 1, 1, 1, 1]
    assert list(values("c")) == [0, 0, 0, 1, 1, 1, 1]
    # on from t=3 (3.5 > 2.6), at slope * (MIN(Time, end) - start)
    np.testing.assert_allclose(values("r"), [0, 0, 0, 0.8, 2.8, 4.8, 4.8], atol=1e-12)
    assert list(values("p")) == [0, 0, 1, 1, 0, 0, 0]  # 1.6 < t + 0.5 < 3.6


def test_a_ramp_switched_on_early_by_the_half_step_starts_below_zero():
    # RAMP(-1, 3.1, 10) with TIME STEP 0.25 is on at t=3 (3.125 > 3.1): -1 * (3 - 3.1)
    values = run("r = RAMP(-1, 3.1, 10) ~~|\n", stop=3.5, dt=0.25)
    np.testing.assert_allclose(values("r")[-3:], [0.1, -0.15, -0.4], atol=1e-12)


def test_integer_truncates_and_modulo_takes_the_sign_of_the_dividend():
    values = run("i = INTEGER(-2.5) ~~|\nm = MODULO(-7, 3) ~~|\nn = MODULO(7, 3) ~~|\n", 1)
    assert (values("i")[0], values("m")[0], values("n")[0]) == (-2, -1, 1)


def test_get_time_value_is_the_simulation_time_plus_an_offset():
    values = run("g = GET TIME VALUE(0, 2.5, 0) ~~|\n", 3, 0.5)
    assert values("g").tolist() == [2.5, 3, 3.5, 4, 4.5, 5, 5.5]


def test_get_time_value_relative_to_the_start_is_the_initial_time_plus_the_offset():
    text = "g = GET TIME VALUE(1, -2, 0) ~~|\nINITIAL TIME = 5 ~~|\nFINAL TIME = 7 ~~|\n"
    result = simulate(reads_vensim("{UTF-8}\n" + text + "TIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n"))
    assert result["g"][:, 0].tolist() == [3, 3, 3]


def test_npv_discounts_each_step_as_vensim_documents():
    # df = INTEG(-df * r / (1 + r dt), 1) is 1.05^-k after k steps of 0.5 at r = 0.1; NPV is
    # (INTEG(stream * df, init) + stream * dt * df) * factor
    values = run("cash = 100 ~~|\nn = NPV(cash, 0.1, 5, 2) ~~|\n", stop=3, dt=0.5)
    k = np.arange(7)
    sums = np.cumsum(1.05**-k)
    np.testing.assert_allclose(values("n"), (5 + 50 * sums) * 2, rtol=1e-12)


def test_sample_if_true_holds_the_last_sample():
    values = run("s = SAMPLE IF TRUE(MODULO(Time, 3) = 0, Time * 10, -5) ~~|\n", stop=7)
    assert list(values("s")) == [0, 0, 0, 30, 30, 30, 60, 60]
    values = run("s = SAMPLE IF TRUE(Time > 2, Time, -5) ~~|\n", stop=4)
    assert list(values("s")) == [-5, -5, -5, 3, 4]


def test_active_initial_gives_stocks_its_initial_value():
    eqs = "a = ACTIVE INITIAL(Time * 2, 45) ~~|\ns = INTEG(1, a) ~~|\ni = INITIAL(a) ~~|\n"
    values = run(eqs, stop=3)
    assert list(values("a")) == [0, 2, 4, 6]
    assert list(values("s")) == [45, 46, 47, 48]
    assert list(values("i")) == [45, 45, 45, 45]


def test_a_macro_with_a_stock_keeps_one_state_per_call():
    eqs = (
        ":MACRO: ACCUMULATE(input, start)\nACCUMULATE = INTEG(rate, start) ~~|\n"
        "rate = input * 1 ~~|\n:END OF MACRO:\n"
        "a = ACCUMULATE(1, 0) ~~|\nb = ACCUMULATE(Time, 5) ~~|\n"
    )
    values = run(eqs, stop=4)
    assert list(values("a")) == [0, 1, 2, 3, 4]
    assert list(values("b")) == [5, 5, 6, 8, 11]


def test_a_macros_extra_outputs_define_the_variables_named_after_the_colon():
    # :MACRO: name(inputs : outputs); a call m(x : y) defines the model variable y as the
    # macro's output b, one copy per call (its stock too)
    eqs = (
        ":MACRO: SPLIT(input : total, late)\nSPLIT = input * 2 ~~|\n"
        "total = INTEG(input, 0) ~~|\nlate = total - input ~~|\n:END OF MACRO:\n"
        "x = SPLIT(Time : sum of t, lag) ~~|\nw = SPLIT(1 : ones) ~~|\nz = lag + 1 ~~|\n"
    )
    values = run(eqs, stop=4)
    assert list(values("x")) == [0, 2, 4, 6, 8]
    assert list(values("sum of t")) == [0, 0, 1, 3, 6]
    assert list(values("lag")) == [0, -1, -1, 0, 2]
    assert list(values("z")) == [1, 0, 0, 1, 3]
    assert list(values("ones")) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("equations", "message"),
    [
        ("x = MAX(1, 2 : y) ~~|\n", "x: MAX is not a macro"),
        (":MACRO: m(a : b)\nm = a ~~|\nb = a ~~|\n:END OF MACRO:\nx = m(1 : y, z) ~~|\n",
         "x: macro m has 1 extra outputs, the call names 2"),
        (":MACRO: m(a : b)\nm = a ~~|\nb = a ~~|\n:END OF MACRO:\nx = m(1 : y) ~~|\ny = 2 ~~|\n",
         "x: y is defined twice"),
    ],
)  # fmt: skip
def test_macro_outputs_that_cannot_be_are_refused(equations, message):
    with pytest.raises(ModelError, match=message):
        model_of(equations)


def test_lookups_standalone_inline_and_extrapolated():
    eqs = (
        "t((0,0),(10,20)) ~~|\ny = t(Time * 2) ~~|\n"
        "e = LOOKUP EXTRAPOLATE(t, Time * 2) ~~|\nw = WITH LOOKUP(Time, ((0,1),(2,3))) ~~|\n"
    )
    model = model_of(eqs)
    assert isinstance(model["t"], Lookup)
    values = run(eqs)
    t = np.arange(11.0)
    np.testing.assert_allclose(values("y"), np.minimum(4 * t, 20))
    np.testing.assert_allclose(values("e"), 4 * t)
    np.testing.assert_allclose(values("w"), np.minimum(t + 1, 3))


def test_time_settings_come_from_the_control_section():
    model = reads_vensim("x = 1 ~~|\nINITIAL TIME = 2 ~~|\nFINAL TIME = 2 + 8 ~~|\n"
                         "TIME STEP = 0.5 ~~|\nSAVEPER = 2 * TIME STEP ~~|\n")  # fmt: skip
    assert (model.time.start, model.time.stop, model.time.dt, model.time.save_step) == (
        2, 10, 0.5, 1.0,
    )  # fmt: skip
    assert "initial_time" not in model


@pytest.mark.parametrize(
    ("equations", "message"),
    [
        ("x = RANDOM NORMAL(0, 1, 0, 1, 1) ~~|\n", "x: unsupported function RANDOM NORMAL"),
        ("x = FOO BAR(1) ~~|\n", "x: unsupported function FOO BAR"),
        ("x = SMOOTH(1) ~~|\n", "x: SMOOTH takes 2 arguments, got 1"),
        ("x = 1 + INTEG(1, 0) ~~|\n", "x: INTEG must be the whole equation of a stock"),
        ("x = 1 ~~|\nx = 2 ~~|\n", "x: defined 2 times"),
        ("x = 1 ~~|\ny = x(2) ~~|\n", "y: x is a variable, not a lookup"),
        (":MACRO: m(a)\nm = a ~~|\n", "line 2: :MACRO: without :END OF MACRO:"),
        ("x = 1 + * 2 ~~|\n", "line 2: equation does not parse at column 9"),
        ("x = GET TIME VALUE(2, 0, 0) ~~|\n", "x: GET TIME VALUE relative to the computer"),
        ("x = GET TIME VALUE(0, 0, 3) ~~|\n", "x: GET TIME VALUE of a calendar measure"),
    ],
)
def test_what_cannot_run_is_one_error_naming_the_variable(equations, message):
    with pytest.raises(ModelError, match=message):
        model_of(equations)


def test_a_time_axis_that_moves_is_refused():
    """FINAL TIME may be an equation (`test_final_time`); the other time settings may not."""
    with pytest.raises(ModelError, match="INITIAL TIME: the time settings must be numbers"):
        reads_vensim("x = 1 ~~|\nINITIAL TIME = x * Time ~~|\nFINAL TIME = 3 ~~|\n"
                     "TIME STEP = 1 ~~|\n")  # fmt: skip
    with pytest.raises(ModelError, match="does not define TIME STEP"):
        reads_vensim("x = 1 ~~|\nINITIAL TIME = 0 ~~|\nFINAL TIME = 1 ~~|\n")


def test_lookup_forward_and_backward_take_the_next_or_the_last_point():
    eqs = (
        "t((0,0),(2,20),(4,40)) ~~|\nf = LOOKUP FORWARD(t, Time) ~~|\n"
        "b = LOOKUP BACKWARD(t, Time) ~~|\n"
    )
    values = run(eqs, stop=5)
    assert list(values("f")) == [0, 20, 20, 40, 40, 40]
    assert list(values("b")) == [0, 0, 20, 20, 40, 40]


def test_delay3_shorter_than_three_steps_lowers_its_order():
    values = run("x = STEP(1, 2) ~~|\nd = DELAY3(x, 1) ~~|\none = DELAY1(x, 1) ~~|\n")
    np.testing.assert_allclose(values("d"), values("one"))


def test_reality_checks_are_skipped_and_game_is_its_input():
    model = model_of(
        "x = GAME(3) ~~|\nc :THE CONDITION: x = 0 :IMPLIES: x > 1 ~~|\nt :TEST INPUT: x = 5 ~~|\n"
    )
    assert [v.name for v in model.variables] == ["x"]


HELPERS = (
    ":MACRO: ACCUMULATE(input, start)\nACCUMULATE = INTEG(rate, start) ~~|\n"
    "rate = input * 1 ~~|\n:END OF MACRO:\n"
    "a = ACCUMULATE(1, 0) ~~|\ns = SAMPLE IF TRUE(Time > 2, Time, -5) ~~|\n"
    "Region: north, south ~~|\np[Region] = INTEG(1, 0) ~~|\n"
)


def test_what_the_translation_adds_is_run_but_reported_only_when_named():
    model = model_of(HELPERS, stop=3)
    helpers = {v.name for v in model.variables if v.helper}
    written = {"a", "s", "p"}
    assert helpers and not {canonical(h) for h in helpers} & written
    result = simulate(model)
    assert {canonical(n.split("[")[0]) for n in result.names} == written
    named = sorted(helpers)[0]  # still there for whoever asks for it
    assert simulate(model, save=Save(variables=[named])).names == (named,)


@pytest.mark.parametrize("suffix", [".xmile", ".toml"])
def test_exports_keep_which_variables_are_helpers(tmp_path, suffix):
    model = model_of(HELPERS, stop=3)
    path = tmp_path / f"m{suffix}"
    (write_xmile if suffix == ".xmile" else save_model)(model, path)
    again = (read_xmile if suffix == ".xmile" else load_model)(path)
    base = lambda m: {v.name.split("[")[0] for v in m.variables if v.helper}  # noqa: E731
    assert base(again) == base(model)  # (TOML writes an arrayed variable's elements)
