"""Hypothesis: an arrayed model equals the same model written out element by element, and a
batch of an arrayed model equals its single runs."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model import Auxiliary, Constant, Dimension, Flow, Model, Stock, TimeSpec
from sim.simulate import simulate

_REDUCERS = ["SUM", "MEAN", "MIN", "MAX", "PROD"]
TIME = TimeSpec(0, 3, 0.5)


def _written(op: str, terms: list[str]) -> str:
    """The reduction written out by hand, independently of the expander."""
    if len(terms) == 1:
        return terms[0]
    match op:
        case "SUM":
            return "(" + " + ".join(terms) + ")"
        case "PROD":
            return "(" + " * ".join(terms) + ")"
        case "MEAN":
            return f"(({' + '.join(terms)}) / {len(terms)})"
    return f"{op}({', '.join(terms)})"


@st.composite
def specs(draw):
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=2))
    rows = [f"r{i}" for i in range(sizes[0])]
    cols = [f"k{i}" for i in range(sizes[1])]
    value = st.floats(0.5, 3.0, allow_nan=False).map(lambda v: round(v, 3))
    return {
        "rows": rows,
        "cols": cols,
        "c": {r: draw(value) for r in rows},
        "d": {k: draw(value) for k in cols},
        "k": draw(value),
        "op": draw(st.sampled_from(_REDUCERS)),
        "op2": draw(st.sampled_from(_REDUCERS)),
        "override": draw(st.sampled_from(rows)),
        "smooth": draw(st.booleans()),
    }


def arrayed(spec) -> Model:
    rows, cols = spec["rows"], spec["cols"]
    dims = (Dimension("Row", tuple(rows)), Dimension("Col", tuple(cols)))
    rate = "SMTH1(y[Row], 1)" if spec["smooth"] else "y[Row]"
    return Model(
        "arrayed",
        (
            Constant("k", value=spec["k"]),
            Constant(
                "c",
                dims=("Row",),
                value=math.nan,
                elements=tuple(((r,), str(v)) for r, v in spec["c"].items()),
            ),
            Constant(
                "d",
                dims=("Col",),
                value=math.nan,
                elements=tuple(((c,), str(v)) for c, v in spec["d"].items()),
            ),
            Auxiliary(
                "y",
                equation=f"c[Row] * k + {spec['op']}(c[*])",
                dims=("Row",),
                elements=(((spec["override"],), "k * 2"),),
            ),
            Auxiliary("m", equation="c[Row] * d[Col]", dims=("Row", "Col")),
            Auxiliary("t", equation="m[Row, Col] - y", dims=("Col", "Row")),
            Auxiliary("r", equation=f"{spec['op2']}(t[Col, Row!])", dims=("Col",)),
            Stock("s", initial="c", inflows=("f",), dims=("Row",)),
            Flow("f", equation=f"{rate} - s[Row] / 2 + r[Col.{cols[0]}]", dims=("Row",)),
        ),
        TIME,
        dimensions=dims,
    )


def written_out(spec) -> Model:
    rows, cols = spec["rows"], spec["cols"]
    variables = [Constant("k", value=spec["k"])]
    variables += [Constant(f"c_{r}", value=v) for r, v in spec["c"].items()]
    variables += [Constant(f"d_{k}", value=v) for k, v in spec["d"].items()]
    total = _written(spec["op"], [f"c_{r}" for r in rows])
    for r in rows:
        eq = "k * 2" if r == spec["override"] else f"c_{r} * k + {total}"
        variables.append(Auxiliary(f"y_{r}", equation=eq))
    for r in rows:
        for k in cols:
            variables.append(Auxiliary(f"m_{r}_{k}", equation=f"c_{r} * d_{k}"))
    for k in cols:
        for r in rows:
            variables.append(Auxiliary(f"t_{k}_{r}", equation=f"m_{r}_{k} - y_{r}"))
    for k in cols:
        variables.append(
            Auxiliary(f"r_{k}", equation=_written(spec["op2"], [f"t_{k}_{r}" for r in rows]))
        )
    for r in rows:
        rate = f"SMTH1(y_{r}, 1)" if spec["smooth"] else f"y_{r}"
        variables.append(Stock(f"s_{r}", initial=f"c_{r}", inflows=(f"f_{r}",)))
        variables.append(Flow(f"f_{r}", equation=f"{rate} - s_{r} / 2 + r_{cols[0]}"))
    return Model("written", tuple(variables), TIME)


@given(specs())
def test_an_arrayed_model_equals_the_same_model_written_element_by_element(spec):
    a, w = simulate(arrayed(spec)), simulate(written_out(spec))
    assert len(a.names) == len(w.names)
    for name in w.names:
        base, _, rest = name.partition("_")
        arrayed_name = f"{base}[{rest.replace('_', ',')}]" if rest else base
        np.testing.assert_allclose(a[arrayed_name], w[name], rtol=1e-12, err_msg=name)


def test_a_batch_of_an_arrayed_model_equals_its_single_runs():
    spec = {"rows": ["r0", "r1", "r2"], "cols": ["k0", "k1"], "k": 0.7, "op": "MEAN",
            "c": {"r0": 1.0, "r1": 2.0, "r2": 0.5}, "d": {"k0": 1.5, "k1": 2.5}, "op2": "MAX",
            "override": "r1", "smooth": True}  # fmt: skip
    model = arrayed(spec)
    rng = np.random.default_rng(14)
    parameters = {"c[r0]": rng.uniform(0.5, 2, 5), "d[k1]": rng.uniform(1, 3, 5), "k": 0.9}
    batch = simulate(model, parameters)
    assert batch.n == 5
    for i in range(5):
        single = simulate(
            model, {"c[r0]": parameters["c[r0]"][i], "d[k1]": parameters["d[k1]"][i], "k": 0.9}
        )
        np.testing.assert_allclose(batch.values[:, :, i], single.values[:, :, 0], rtol=1e-12)
