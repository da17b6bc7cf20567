"""The compiled interpreter: runs a `sim.kernel.lower.Program` over blocks of scenarios.

Registers are rows of a ``(registers, block)`` array, so each instruction is one tight loop over
a block of scenarios that stays in cache, and the cost of dispatching an instruction is shared
by the whole block. Each block goes through the whole run (initial values, then every step and
stage of the integrator) before the next starts. Every operation computes what the numpy
engine computes, in the same order (see `sim.simulate`, `sim.functions`, `sim.graphical`).

Importing this module imports numba; `sim.kernel` imports it only when the kernel is used.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from . import ops

__all__ = ["run_blocks"]

_INT_MIN = -(2**62)  # a step before any start (numpy casts a non-finite position to one)

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def _maximum(a, b):
    """``np.maximum``: NaN if either is NaN."""
    return a if (a >= b or a != a) else b


@_jit
def _minimum(a, b):
    return a if (a <= b or a != a) else b


@_jit
def _mod(a, b):
    """``np.mod`` of floats: the remainder with the divisor's sign (numpy's npy_remainder)."""
    mod = np.fmod(a, b)
    if b == 0.0:
        return mod
    if mod != 0.0:
        if (b < 0.0) != (mod < 0.0):
            mod += b
    else:
        mod = np.copysign(0.0, b)
    return mod


@_jit
def _sign(x):
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    if x == 0.0:
        return 0.0
    return x


@_jit
def _power(a, b):
    """``np.power``: numpy squares, roots or inverts for an exponent of 2, 0.5 or -1."""
    if b == 2.0:
        return a * a
    if b == 0.5:
        return math.sqrt(a)
    if b == -1.0:
        return 1.0 / a
    return math.pow(a, b)


@_jit
def _graphical(d, a, m, t, xs, ys, offsets, kinds, slopes):
    """``d = table t (a)`` for a block: `sim.graphical.tabulate` step for step (numpy's
    ``interp`` for continuous and extrapolated tables, ``searchsorted`` for discrete ones)."""
    lo = offsets[t]
    n = offsets[t + 1] - lo
    last = lo + n - 1
    kind = kinds[t]
    below, above = slopes[t, 0], slopes[t, 1]
    for j in range(m):
        x = a[j]
        if kind == 2:  # discrete: the last point at or left of x (NaN sorts after every point)
            if x != x:
                d[j] = ys[last]
                continue
            k = lo
            while k <= last and xs[k] <= x:
                k += 1
            d[j] = ys[max(k - 1, lo)]
            continue
        if n == 1:
            y = ys[lo]
        elif x != x:
            y = x
        elif x < xs[lo]:
            y = ys[lo]
        elif x > xs[last]:
            y = ys[last]
        else:
            i, h = lo, last + 1  # then k is the last index with xs[k] <= x
            while i < h:
                mid = i + ((h - i) >> 1)
                if x >= xs[mid]:
                    i = mid + 1
                else:
                    h = mid
            k = i - 1
            if k == last or xs[k] == x:
                y = ys[k]
            else:
                slope = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k])
                y = slope * (x - xs[k]) + ys[k]
                if y != y:
                    y = slope * (x - xs[k + 1]) + ys[k + 1]
                    if y != y and ys[k] == ys[k + 1]:
                        y = ys[k]
        if kind == 1:
            if x < xs[lo]:
                y = ys[lo] + (x - xs[lo]) * below
            if x > xs[last]:
                y = ys[last] + (x - xs[last]) * above
        d[j] = y


@_jit
def _pipeline(d, a, m, history, count, initial, start, dt, step_start, moving):
    """``d = `_History.value_at(step_start - a)``` for a block of one pipeline: ``initial``
    before the start, the latest record for a step not recorded yet. ``moving[0]`` is set
    when a value read may change once this step is recorded (no record yet, or a row not
    recorded yet): then the values of the step program must be computed again.

    Each scenario reads its own record or interpolates between two; numpy interpolates all
    the scenarios of a batch when any of them falls between two records, which gives the same
    numbers except where a record is infinite (0 × ∞)."""
    if count == 0:
        moving[0] = 1
        for j in range(m):
            d[j] = initial[j]
        return
    newest = count - 1
    for j in range(m):
        pos = ((step_start - a[j]) - start) / dt
        near = np.floor(pos + 0.5)  # any rounding of a half is further than 1e-9 from pos
        if abs(pos - near) < 1e-9:
            pos = near
        base = np.floor(pos)
        frac = pos - base
        steps = np.int64(base) if -9.0e18 < base < 9.0e18 else _INT_MIN
        if steps + (frac != 0.0) >= count:
            moving[0] = 1
        low = initial[j] if steps < 0 else history[min(steps, newest), j]
        if frac == 0.0:
            d[j] = low
        else:
            high = initial[j] if steps + 1 < 0 else history[min(steps + 1, newest), j]
            d[j] = low + frac * (high - low)


@_jit
def _weighted(dest, y, weights, ks, s, dt, stages, m):
    """``dest = y + (dt w0) k0 + (dt w1) k1 + …`` over the first ``stages`` rates of stock
    ``s``, zero weights skipped, added left to right as `sim.integrators` does."""
    first = True
    for q in range(stages):
        if weights[q] != 0.0:
            w = dt * weights[q]
            rate = ks[q, s]
            if first:
                for j in range(m):
                    dest[j] = y[j] + w * rate[j]
                first = False
            else:
                for j in range(m):
                    dest[j] = dest[j] + w * rate[j]
    if first:
        for j in range(m):
            dest[j] = y[j]


@_jit
def _execute(
    code, regs, m, t, step_start, dt, start, tx, ty, toff, tkind, tslope, hist, count, pinit, moving
):
    """Run the instructions ``code`` on the first ``m`` scenarios of the registers."""
    eps = 1e-9 * dt
    for i in range(code.shape[0]):
        op = code[i, 0]
        d = regs[code[i, 1]]
        a = regs[code[i, 2]]
        b = regs[code[i, 3]]
        c = regs[code[i, 4]]
        if op == ops.COPY:
            for j in range(m):
                d[j] = a[j]
        elif op == ops.ADD:
            for j in range(m):
                d[j] = a[j] + b[j]
        elif op == ops.SUB:
            for j in range(m):
                d[j] = a[j] - b[j]
        elif op == ops.MUL:
            for j in range(m):
                d[j] = a[j] * b[j]
        elif op == ops.DIV:
            for j in range(m):
                d[j] = a[j] / b[j]
        elif op == ops.POW:
            for j in range(m):
                d[j] = _power(a[j], b[j])
        elif op == ops.MIN:
            for j in range(m):
                d[j] = _minimum(a[j], b[j])
        elif op == ops.MAX:
            for j in range(m):
                d[j] = _maximum(a[j], b[j])
        elif op == ops.NEG:
            for j in range(m):
                d[j] = -a[j]
        elif op == ops.NOT:
            for j in range(m):
                d[j] = 1.0 if a[j] == 0.0 else 0.0
        elif op == ops.MOD:
            for j in range(m):
                d[j] = _mod(a[j], b[j])
        elif op == ops.EQ:
            for j in range(m):
                d[j] = 1.0 if a[j] == b[j] else 0.0
        elif op == ops.NE:
            for j in range(m):
                d[j] = 1.0 if a[j] != b[j] else 0.0
        elif op == ops.LT:
            for j in range(m):
                d[j] = 1.0 if a[j] < b[j] else 0.0
        elif op == ops.LE:
            for j in range(m):
                d[j] = 1.0 if a[j] <= b[j] else 0.0
        elif op == ops.GT:
            for j in range(m):
                d[j] = 1.0 if a[j] > b[j] else 0.0
        elif op == ops.GE:
            for j in range(m):
                d[j] = 1.0 if a[j] >= b[j] else 0.0
        elif op == ops.AND:
            for j in range(m):
                d[j] = 1.0 if (a[j] != 0.0 and b[j] != 0.0) else 0.0
        elif op == ops.OR:
            for j in range(m):
                d[j] = 1.0 if (a[j] != 0.0 or b[j] != 0.0) else 0.0
        elif op == ops.WHERE:
            for j in range(m):
                d[j] = b[j] if a[j] != 0.0 else c[j]
        elif op == ops.ABS:
            for j in range(m):
                d[j] = abs(a[j])
        elif op == ops.EXP:
            for j in range(m):
                d[j] = np.exp(a[j])
        elif op == ops.LN:
            for j in range(m):
                d[j] = np.log(a[j])
        elif op == ops.LOG10:
            for j in range(m):
                d[j] = np.log10(a[j])
        elif op == ops.SQRT:
            for j in range(m):
                d[j] = np.sqrt(a[j])
        elif op == ops.SIN:
            for j in range(m):
                d[j] = np.sin(a[j])
        elif op == ops.COS:
            for j in range(m):
                d[j] = np.cos(a[j])
        elif op == ops.TAN:
            for j in range(m):
                d[j] = np.tan(a[j])
        elif op == ops.ASIN:
            for j in range(m):
                d[j] = np.arcsin(a[j])
        elif op == ops.ACOS:
            for j in range(m):
                d[j] = np.arccos(a[j])
        elif op == ops.ATAN:
            for j in range(m):
                d[j] = np.arctan(a[j])
        elif op == ops.FLOOR:
            for j in range(m):
                d[j] = np.floor(a[j])
        elif op == ops.ROUND:
            for j in range(m):
                d[j] = _sign(a[j]) * np.floor(abs(a[j]) + 0.5)
        elif op == ops.SIGN:
            for j in range(m):
                d[j] = _sign(a[j])
        elif op == ops.LOGB:
            for j in range(m):
                d[j] = np.log(a[j]) / np.log(b[j])
        elif op == ops.SAFEDIV:
            for j in range(m):
                d[j] = c[j] if b[j] == 0.0 else a[j] / b[j]
        elif op == ops.STEP:
            for j in range(m):
                d[j] = a[j] if step_start >= b[j] - eps else 0.0
        elif op == ops.RAMP:
            for j in range(m):
                d[j] = a[j] * _maximum(_minimum(t, c[j]) - b[j], 0.0)
        elif op == ops.PULSE:
            for j in range(m):
                since = step_start - b[j]
                phase = since
                if c[j] > 0.0:
                    phase = _mod(since + eps, c[j]) - eps
                hit = since >= -eps and phase < dt - eps
                d[j] = a[j] / dt if hit else 0.0
        elif op == ops.TIME:
            for j in range(m):
                d[j] = t
        elif op == ops.GRAPH:
            _graphical(d, a, m, code[i, 5], tx, ty, toff, tkind, tslope)
        elif op == ops.PIPE:
            p = code[i, 5]
            _pipeline(d, a, m, hist[p], count, pinit[p], start, dt, step_start, moving)


@_jit
def run_blocks(
    init_code, block_code, step_code, stage_code, report_code, n_registers,
    fill_registers, fill_values, param_registers, params,
    stock_registers, non_negative, flow_registers, flow_inflows, flow_offsets,
    pipe_registers, pipe_inputs, tx, ty, toff, tkind, tslope,
    times, dt, stop, ta, tb, tc, save_rows, save_registers, block, out, initial,
):  # fmt: skip
    """Simulate ``out.shape[2]`` scenarios, ``block`` at a time, into ``out`` (saved times,
    saved registers, scenarios) and the stocks' initial values into ``initial``.

    ``fill_registers`` get ``fill_values`` (the same in every scenario), ``param_registers``
    the rows of ``params`` (one value per scenario); ``ta``, ``tb``, ``tc`` are the
    integrator's Butcher tableau; ``save_rows[k]`` is the row of ``out`` for time step ``k``,
    or -1.
    """
    n = out.shape[2]
    n_times = times.shape[0]
    n_stocks = stock_registers.shape[0]
    n_pipes = pipe_registers.shape[0]
    stages = tb.shape[0]
    start = times[0]
    regs = np.zeros((n_registers, block))
    y = np.empty((n_stocks, block))
    ynew = np.empty((n_stocks, block))
    ks = np.empty((stages, n_stocks, block))
    hist = np.zeros((max(n_pipes, 1), n_times, block))
    pinit = np.zeros((max(n_pipes, 1), block))
    sums = np.zeros((max(n_pipes, 1), block))
    moving = np.zeros(1, dtype=np.int64)
    for first in range(0, n, block):
        m = min(block, n - first)
        for r in range(fill_registers.shape[0]):
            regs[fill_registers[r], :m] = fill_values[r]
        for r in range(param_registers.shape[0]):
            regs[param_registers[r], :m] = params[r, first : first + m]
        regs[0, :m] = start  # the clock's time before the first step
        regs[1, :m] = dt
        regs[2, :m] = start
        regs[3, :m] = stop
        _execute(init_code, regs, m, start, start, dt, start, tx, ty, toff, tkind, tslope, hist,
                 0, pinit, moving)  # fmt: skip
        for s in range(n_stocks):
            y[s, :m] = regs[stock_registers[s], :m]
            initial[s, first : first + m] = y[s, :m]
        for p in range(n_pipes):
            pinit[p, :m] = regs[pipe_registers[p], :m]
        _execute(block_code, regs, m, start, start, dt, start, tx, ty, toff, tkind, tslope, hist,
                 0, pinit, moving)  # fmt: skip
        for k in range(n_times):
            t = times[k]
            count = k  # records of the pipelines' inputs so far
            for i in range(stages):
                if i == 0:
                    stage_t = t
                    for s in range(n_stocks):
                        regs[stock_registers[s], :m] = y[s, :m]
                else:
                    if k + 1 >= n_times:
                        break
                    stage_t = t + tc[i] * dt
                    for s in range(n_stocks):  # `_weighted_sum`: y + (dt a_i0) k0 + …
                        _weighted(regs[stock_registers[s]], y[s], ta[i], ks, s, dt, i, m)
                regs[0, :m] = stage_t
                if i == 0 or moving[0]:
                    moving[0] = 0
                    _execute(step_code, regs, m, stage_t, t, dt, start, tx, ty, toff, tkind,
                             tslope, hist, count, pinit, moving)  # fmt: skip
                _execute(stage_code, regs, m, stage_t, t, dt, start, tx, ty, toff, tkind, tslope,
                         hist, count, pinit, moving)  # fmt: skip
                for s in range(n_stocks):
                    rate = ks[i, s]
                    lo, hi, ins = flow_offsets[s], flow_offsets[s + 1], flow_inflows[s]
                    if ins > 0:
                        rate[:m] = regs[flow_registers[lo], :m]
                    else:
                        rate[:m] = 0.0
                    for f in range(lo + 1 if ins > 0 else lo, hi):
                        flow = regs[flow_registers[f]]
                        if f - lo < ins:
                            for j in range(m):
                                rate[j] = rate[j] + flow[j]
                        else:
                            for j in range(m):
                                rate[j] = rate[j] - flow[j]
                if i == 0:
                    for p in range(n_pipes):
                        source, record, total = regs[pipe_inputs[p]], hist[p, k], sums[p]
                        for j in range(m):
                            record[j] = source[j]
                            total[j] = tb[0] * source[j]
                    count = k + 1
                    row = save_rows[k]
                    if row >= 0:
                        _execute(report_code, regs, m, stage_t, t, dt, start, tx, ty, toff, tkind,
                                 tslope, hist, count - 1, pinit, moving)  # fmt: skip
                        for v in range(save_registers.shape[0]):
                            out[row, v, first : first + m] = regs[save_registers[v], :m]
                else:
                    for p in range(n_pipes):
                        source, total = regs[pipe_inputs[p]], sums[p]
                        for j in range(m):
                            total[j] = total[j] + tb[i] * source[j]
            if k + 1 >= n_times:
                break
            for s in range(n_stocks):
                dest = ynew[s]
                _weighted(dest, y[s], tb, ks, s, dt, stages, m)
                if non_negative[s]:
                    for j in range(m):
                        dest[j] = _maximum(dest[j], 0.0)
            y, ynew = ynew, y
            for p in range(n_pipes):
                hist[p, k, :m] = sums[p, :m]
