"""The lowering to instructions: what it refuses, and how it splits the work (no numba
needed: the instructions are plain arrays)."""

from __future__ import annotations

import re

import pytest

from sim.compiler import compile_model
from sim.kernel import Unsupported, lower_model, ops
from sim.modelfile import loads_model

MODEL = """
[model]
name = "small"
[time]
stop = 4
method = "rk4"
[constants.a]
value = 2
[constants.b]
value = 3
[stocks.s]
initial = "1"
inflows = ["f"]
[flows.f]
equation = "EQUATION"
[auxiliaries.report]
equation = "s * a * b"
"""


def lowered(equation: str):
    return lower_model(compile_model(loads_model(MODEL.replace("EQUATION", equation))))


@pytest.mark.parametrize(
    ("equation", "reason"),
    [
        ("EXP(a > b) + s", "EXP of a comparison"),
        ("-(a > s)", "negative of a comparison"),
        ("(a > s) - (b > s)", "'-' between two comparisons"),
        ("(a > s) ^ (b > s)", "'^' between two comparisons"),
        ("SQRT(IF s > 1 THEN a > b ELSE 0.5)", "SQRT of a comparison"),
        ("(IF s > 1 THEN a > b ELSE 2) + (s > 1)", "'+' between two comparisons"),
    ],
)
def test_what_numpy_computes_on_booleans_is_refused(equation, reason):
    with pytest.raises(Unsupported, match=re.escape(reason)):
        lowered(equation)


def test_a_sum_of_two_comparisons_is_a_logical_or_as_in_numpy():
    program = lowered("(a > s) + (b > s)")
    assert ops.OR in program.stage_code[:, 0]
    assert ops.ADD not in program.stage_code[:, 0]


def test_work_is_split_by_how_often_it_changes():
    """a * b is computed once per block, STEP once per step, what reads the stock at every
    stage, and what no rate reads only when saved."""
    program = lowered("a * b * s + STEP(a * b, 1)")
    assert [ops.NAMES[op] for op in program.block_code[:, 0]] == ["MUL", "MUL"]
    assert [ops.NAMES[op] for op in program.step_code[:, 0]] == ["STEP"]
    assert [ops.NAMES[op] for op in program.stage_code[:, 0]] == ["MUL", "ADD"]
    assert [ops.NAMES[op] for op in program.report_code[:, 0]] == ["MUL", "MUL"]


def test_a_program_is_lowered_once_per_compiled_model():
    compiled = compile_model(loads_model(MODEL.replace("EQUATION", "s")))
    assert lower_model(compiled) is lower_model(compiled)
