"""The TOML model format: round trip, and one clear error for each kind of bad file."""

import pytest

from sim.compiler import compile_model
from sim.errors import ModelError, ParseError
from sim.modelfile import dumps_model, load_model, loads_model, save_model
from sim.models import resolve_model, shipped_model_names, shipped_model_path

TEACUP = """
[model]
name = "t"
[time]
stop = 10
[stocks.temp]
initial = "180"
outflows = ["loss"]
[flows.loss]
equation = "(temp - room) / 10"
[constants.room]
value = 70
"""


@pytest.mark.parametrize("name", shipped_model_names())
def test_every_shipped_model_round_trips(name, tmp_path):
    model = load_model(shipped_model_path(name))
    assert loads_model(dumps_model(model)) == model
    save_model(model, tmp_path / "copy.toml")
    assert load_model(tmp_path / "copy.toml") == model
    assert not [p for p in tmp_path.iterdir() if p.name != "copy.toml"]  # no temporary left


def _compile(text: str):
    return compile_model(loads_model(text))


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (("(temp - room) / 10", "(temp - rooom) / 10"), ModelError,
         r"^loss: unknown name 'rooom'; did you mean 'room'\?"),
        (("(temp - room) / 10", "(temp - room / 10"), ParseError,
         r"^loss: position 17: expected '\)', found end of equation"),
        (('initial = "180"\n', ""), ModelError, r"^stocks.temp: missing 'initial'"),
        (("[constants.room]\nvalue = 70", "[constants.room]\nvalue = 'hot'"), ModelError,
         r"^constants.room.value: must be a number, not str"),
        (("[constants.room]", "[constants.Room]\nvalue = 1\n[constants.room]"), ModelError,
         r"^room: duplicate name: 'Room' and 'room' are the same variable"),
        (("equation =", "equaton ="), ModelError, r"^flows.loss: unknown key 'equaton'"),
        (("[stocks.temp]", "[stocks.temp]\nnon_negative = 'yes'"), ModelError,
         r"^stocks.temp.non_negative: must be true or false"),
        (('outflows = ["loss"]', 'outflows = ["los"]'), ModelError,
         r"^temp: outflow 'los' is not a variable of the model"),
        (('outflows = ["loss"]', 'outflows = ["room"]'), ModelError,
         r"^temp: outflow 'room' is not a flow"),
        (("[time]\nstop = 10", "[time]\nstop = 10\nstart = [1]"), ModelError,
         r"^time.start: must be a number, not list"),
        (("stop = 10", "stop = nan"), ModelError, r"^time.stop: must be a finite number"),
        (("[model]", "[modle]"), ModelError, r"^modle: unknown key 'modle'"),
        (("name = \"t\"", "name = "), ModelError, r"^not valid TOML"),
    ],
)  # fmt: skip
def test_bad_model_files_give_one_clear_error(change, error, message):
    old, new = change
    assert old in TEACUP
    with pytest.raises(error, match=message):
        _compile(TEACUP.replace(old, new, 1))


def test_algebraic_loop_names_the_variables_of_the_cycle():
    text = (
        TEACUP
        + """
[auxiliaries.a]
equation = "b + 1"
[auxiliaries.b]
equation = "c * 2"
[auxiliaries.c]
equation = "a - temp"
"""
    )
    with pytest.raises(ModelError, match="algebraic loop") as info:
        _compile(text)
    assert all(name in str(info.value) for name in ("a", "b", "c"))


def test_initial_values_cycle_is_an_error():
    text = TEACUP.replace('initial = "180"', 'initial = "x"') + (
        '[auxiliaries.x]\nequation = "temp * 2"\n'
    )
    with pytest.raises(ModelError, match="algebraic loop: the initial values"):
        _compile(text)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("x = [0, 1]\ny = [1]", "2 x values but 1 y values"),
        ("x = [1, 0]\ny = [1, 2]", "x values must be increasing"),
        ('x = [0, 1]\ny = [1, 2]\nkind = "smooth"', "kind must be one of"),
        ("xscale = [0]\ny = [1, 2]", r"xscale: must be \[low, high\]"),
        ("y = [1, 2]", "needs 'x' or 'xscale'"),
    ],
)
def test_bad_graphical_functions(table, message):
    text = TEACUP + f"[lookups.effect]\n{table}\n"
    with pytest.raises(ModelError, match=message):
        _compile(text)


@pytest.mark.parametrize(
    ("equation", "message"),
    [
        ("MAX(1)", "MAX takes 2 to 99 argument"),
        ("SQRT(1, 2)", "SQRT takes 1 argument"),
        ("FOO(1)", "unknown function FOO"),
        ("room(1)", "'room' is a variable, not a function"),
        ("SMTH1(temp)", "SMTH1 takes 2 to 3 arguments"),
    ],
)
def test_bad_calls(equation, message):
    with pytest.raises(ModelError, match=message):
        _compile(TEACUP.replace("(temp - room) / 10", equation))


def test_missing_file_and_unknown_shipped_model():
    with pytest.raises(ModelError, match=r"no-such\.toml: cannot read"):
        load_model("no-such.toml")
    with pytest.raises(ModelError, match="no such model file or shipped model"):
        resolve_model("no-such-model")
