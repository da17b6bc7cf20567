"""Run a `Program` on the compiled interpreter: arrange its inputs, call it, return arrays."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..integrators import ButcherTableau
from .lower import Program

__all__ = ["BLOCK", "run_program"]

BLOCK = 512
"""Scenarios per block: the registers of a block (a few hundred rows) stay in the L2 cache."""


def run_program(
    program: Program,
    overrides: Mapping[str, object],
    n: int,
    integrator: ButcherTableau,
    times: np.ndarray,
    dt: float,
    stop: float,
    save_slots: Sequence[int],
    save_at: Sequence[int],
    *,
    block: int = BLOCK,
) -> tuple[np.ndarray, np.ndarray]:
    """The saved values ``(len(save_at), len(save_slots), n)`` and the stocks' initial values
    ``(stocks, n)`` of ``n`` scenarios; ``overrides`` maps constants to a number or an array."""
    from .interpreter import run_blocks  # imports numba: only when the kernel runs

    fill_registers = list(program.number_registers)
    fill_values = list(program.number_values)
    param_registers, params = [], []
    for key, reg, default in zip(
        program.constant_keys, program.constant_registers, program.constant_values, strict=True
    ):
        value = overrides.get(key, default)
        if np.ndim(value) == 0:
            fill_registers.append(reg)
            fill_values.append(float(value))
        else:
            param_registers.append(reg)
            params.append(np.asarray(value, dtype=float))
    stages = integrator.stages
    ta = np.zeros((stages, stages))
    for i, row in enumerate(integrator.a):
        ta[i, : len(row)] = row
    save_rows = np.full(len(times), -1, dtype=np.int64)
    for row, k in enumerate(save_at):
        save_rows[k] = row
    out = np.empty((len(save_at), len(save_slots), n))
    initial = np.empty((len(program.stock_registers), n))
    ints = lambda xs: np.asarray(xs, dtype=np.int64)  # noqa: E731
    run_blocks(
        program.init_code,
        program.block_code,
        program.step_code,
        program.stage_code,
        program.report_code,
        program.n_registers,
        ints(fill_registers),
        np.asarray(fill_values, dtype=float),
        ints(param_registers),
        np.asarray(params, dtype=float).reshape(len(params), n),
        program.stock_registers,
        program.non_negative,
        program.flow_registers,
        program.flow_inflows,
        program.flow_offsets,
        program.pipe_registers,
        program.pipe_inputs,
        program.table_x,
        program.table_y,
        program.table_offsets,
        program.table_kinds,
        program.table_slopes,
        np.ascontiguousarray(times, dtype=float),
        float(dt),
        float(stop),
        ta,
        np.asarray(integrator.b, dtype=float),
        np.asarray(integrator.c, dtype=float),
        save_rows,
        program.slot_register[list(save_slots)],
        int(block),
        out,
        initial,
    )
    return out, initial
