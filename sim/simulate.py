"""`simulate`: run a compiled model for ``n`` scenarios at once and keep what was asked for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import kernel
from .compiler import CompiledModel, Fn, compile_model
from .errors import ModelError, UserInputError
from .functions import Clock
from .integrators import ButcherTableau, get_integrator
from .kernel.run import run_program
from .model import Model, time_steps
from .names import canonical
from .ranges import value_outside, warn_out_of_range
from .results import Result

__all__ = ["Save", "axis_end", "simulate", "time_grid"]

ParameterValue = float | Sequence[float] | np.ndarray


@dataclass(frozen=True)
class Save:
    """What to keep: ``variables`` (default: every named variable) at ``times`` (default:
    every ``save_step`` of the model's time axis). Keeping little keeps big batches small."""

    variables: Sequence[str] | None = None
    times: Sequence[float] | None = None


def time_grid(start: float, stop: float, dt: float) -> np.ndarray:
    """``start, start + dt, …, stop``, computed by multiplication so that a reciprocal ``dt``
    (1/3, say) does not drift; ``dt`` must divide the run (see `time_steps`)."""
    return start + dt * np.arange(time_steps(start, stop, dt) + 1)


def simulate(
    model: Model | CompiledModel,
    parameters: Mapping[str, ParameterValue] | None = None,
    *,
    n: int | None = None,
    method: str | ButcherTableau | None = None,
    dt: float | None = None,
    save: Save | None = None,
    check_ranges: bool = True,
    engine: str | None = None,
) -> Result:
    """Simulate ``n`` scenarios at once.

    ``parameters`` overrides constants by name, each with a number (the same for every
    scenario) or an array of shape ``(n,)``; ``n`` defaults to the arrays' length, else 1.
    ``method`` and ``dt`` default to the model's own time settings. A value outside its
    constant's declared range issues an `OutOfRangeWarning` (unless ``check_ranges`` is
    False: a caller that checked already, or sweeps ranges on purpose). ``engine`` is
    ``"numpy"``, ``"kernel"`` (the compiled kernel, `sim.kernel`) or ``"auto"`` (the kernel
    for big batches when numba is installed and the model supported; a run whose final
    time moves runs on numpy); default: the ``SIM_ENGINE`` environment variable, else
    ``"auto"``.
    """
    compiled = compile_model(model)
    if check_ranges:
        _warn_ranges(compiled, parameters or {})
    spec = compiled.model.time
    integrator = get_integrator(method or spec.method)
    step = float(spec.dt if dt is None else dt)
    overrides, n = _parameters(compiled, parameters or {}, n)
    final = None if spec.stop_variable is None else _FinalTime(compiled, overrides, n, step)
    stop = spec.stop if final is None else final.end
    times = time_grid(spec.start, stop, step)
    save = save or Save()
    save_keys = _save_keys(compiled, save.variables)
    save_at = _save_positions(times, save.times, spec.save_step, step)
    if final is not None and save_at != sorted(set(save_at)):  # rows end where runs end
        raise UserInputError(
            "must be increasing for a run whose final time changes", field="save.times"
        )
    names = tuple(compiled.system.names[k] for k in save_keys)
    units = {compiled.system.names[k]: compiled.system.units.get(k, "") for k in save_keys}
    slots = [compiled.slot[k] for k in save_keys]
    program = kernel.choose(engine, compiled, n) if final is None else None
    if program is not None:
        out, y0 = run_program(
            program, overrides, n, integrator, times, step, spec.stop, slots, save_at
        )
        _check_nonnegative(compiled, y0, n)
        return Result(times[save_at], names, out, units, integrator.name, step)
    run = _Run(compiled, overrides, n, Clock(spec.start, step, spec.start, stop), len(times))
    out = np.empty((len(save_at), len(save_keys), n))
    position = {k: i for i, k in enumerate(save_at)}
    with np.errstate(all="ignore"):
        run.clock.step_start = float(times[0])
        y = run.initial_state()
        stages = run.staged(integrator.b)
        stage, spare = np.empty_like(y), np.empty_like(y)  # reused by every step
        for k, t in enumerate(times):
            run.clock.step_start = float(t)
            k1 = run.rates(float(t), y)
            run.remember(k)
            if k in position:
                row = out[position[k]]
                for j, slot in enumerate(slots):
                    row[j] = run.values[slot]
                if final is not None and final.saved(position[k], float(t), run.values, row):
                    break  # every scenario has reached its final time
            if k + 1 < len(times):
                new = integrator.step(stages, float(t), y, step, k1, (stage, spare))
                y, spare = run.clamp(new), y
                run.remember_step(k)
    saved, ends = times[save_at], None
    if final is not None:  # the rows up to the last scenario's end; the others NaN after theirs
        rows = int(final.ends.max()) + 1
        saved, out = saved[:rows], out[:rows]
        ends = final.ends if (final.ends < rows - 1).any() else None
    return Result(saved, names, out, units, integrator.name, step, ends=ends)


def axis_end(model: Model | CompiledModel) -> float:
    """Where the time axis of ``model`` ends with its own constants: ``stop``, or with a
    ``stop_variable`` that variable's value at the start (what a reader of Vensim's
    ``FINAL TIME`` written as an equation records as ``stop``)."""
    compiled = compile_model(model)
    if compiled.model.time.stop_variable is None:
        return compiled.model.time.stop
    return _FinalTime(compiled, {}, 1, compiled.model.time.dt).end


class _FinalTime:
    """Where each scenario ends when the final time is a variable (`TimeSpec.stop_variable`):
    at the first saved time at or after the variable's value. The axis is laid out to the
    largest value it has at the start (``end``); rising above that later is an error, as the
    run could not go on as Vensim's would."""

    def __init__(self, compiled: CompiledModel, overrides: dict[str, object], n: int, dt: float):
        spec = compiled.model.time
        self.name = spec.stop_variable or ""
        self.slot = compiled.slot[compiled.resolve(self.name)]
        probe = _Run(compiled, overrides, n, Clock(spec.start, dt, spec.start, spec.stop), 1)
        with np.errstate(all="ignore"):
            probe.clock.step_start = spec.start
            probe.rates(spec.start, probe.initial_state())
        at_start = np.broadcast_to(np.asarray(probe.values[self.slot], dtype=float), (n,))
        if not np.isfinite(at_start).all():
            raise ModelError("the final time is not a finite number at the start", field=self.name)
        self.end = float(at_start.max())
        self.running = np.ones(n, dtype=bool)
        self.ends = np.zeros(n, dtype=np.intp)

    def saved(self, i: int, t: float, values: list, row: np.ndarray) -> bool:
        """After row ``i`` (time ``t``) is saved: blank it for the scenarios that ended
        before, end those whose final time it reaches; True once every scenario has ended."""
        row[:, ~self.running] = np.nan
        final = np.broadcast_to(np.asarray(values[self.slot], dtype=float), self.running.shape)
        close = 1e-9 * max(1.0, abs(t))
        over = self.running & (final > self.end + close)
        if over.any():
            k = int(np.argmax(over))
            where = f" in scenario {k} of {len(over)}" if len(over) > 1 else ""
            raise ModelError(
                f"the final time rises to {final[k]:g} at time {t:g}{where}, beyond the end "
                f"of the time axis ({self.end:g}, its value at the start)",
                field=self.name,
            )
        now = self.running & (t >= final - close)
        self.ends[self.running] = i
        self.running &= ~now
        return not self.running.any()


class _Run:
    """The mutable state of one simulation: current values of every slot, and memories."""

    def __init__(
        self,
        compiled: CompiledModel,
        overrides: dict[str, object],
        n: int,
        clock: Clock,
        n_times: int,
    ):
        self.c = compiled
        self.n = n
        self.clock = clock
        self.n_times = n_times
        self.values: list = [None] * len(compiled.keys)
        for key, value in compiled.system.constants.items():
            self.values[compiled.slot[key]] = overrides.get(key, value)
        self.nonneg = np.array([s.non_negative for s in compiled.system.stocks], dtype=bool)
        self._weights: tuple[float, ...] = (1.0,)
        self._buffers: list[np.ndarray] | None = None
        self._next = 0

    def initial_state(self) -> np.ndarray:
        v, c = self.values, self.clock
        for step in self.c.init_steps:
            v[step.slot] = step.fn(v, c)
        for key, _ in self.c.pipelines:
            c.memory[key] = _History(c.start, c.dt, self.n_times, v[self.c.slot[key]])
        y = np.empty((len(self.c.stock_slots), self.n))
        for i, slot in enumerate(self.c.stock_slots):
            y[i] = v[slot]
        _check_nonnegative(self.c, y, self.n)
        return y

    def rates(self, t: float, y: np.ndarray) -> np.ndarray:
        v, c = self.values, self.clock
        c.t = t
        for i, slot in enumerate(self.c.stock_slots):
            v[slot] = y[i]
        for step in self.c.run_steps:
            v[step.slot] = step.fn(v, c)
        dy = self._rates_buffer(y)
        for row, (inflows, outflows) in zip(dy, self.c.stock_rates, strict=True):
            row[...] = v[inflows[0]] if inflows else 0.0  # summed in place, left to right
            for slot in inflows[1:]:
                np.add(row, v[slot], out=row)
            for slot in outflows:
                np.subtract(row, v[slot], out=row)
        return dy

    def _rates_buffer(self, y: np.ndarray) -> np.ndarray:
        """An array for the rates, one per stage of a step in turn: a step's stages are all
        read before the next step's first stage is computed, so the arrays can be reused."""
        if self._buffers is None or self._buffers[0].shape != y.shape:
            self._buffers = [np.empty_like(y) for _ in self._weights]
        dy = self._buffers[self._next]
        self._next = (self._next + 1) % len(self._buffers)
        return dy

    def staged(self, weights: tuple[float, ...]):
        """``rates`` for the later stages of a step, adding up each DELAY's input over the
        stages with the integrator's weights: a pipeline then releases exactly what the
        integrator put into it over each step, so material is conserved with any method."""
        self._weights = weights
        if not self.c.pipelines:
            return self.rates

        def rates(t: float, y: np.ndarray) -> np.ndarray:
            dy = self.rates(t, y)
            w = self._weights[self._stage]
            self._stage += 1
            self._sums = [
                total + w * self.values[slot]
                for total, (_, slot) in zip(self._sums, self.c.pipelines, strict=True)
            ]
            return dy

        return rates

    def remember(self, k: int) -> None:
        """Record each DELAY's input at the start of step ``k``; `remember_step` replaces it
        by the step's weighted average once the step is taken (for Euler the same value)."""
        w = self._weights[0]
        self._stage, self._sums = 1, []
        for key, slot in self.c.pipelines:
            value = self.values[slot]
            self.clock.memory[key].record(k, value)
            self._sums.append(w * value)

    def remember_step(self, k: int) -> None:
        for (key, _), total in zip(self.c.pipelines, self._sums, strict=True):
            self.clock.memory[key].record(k, total)

    def clamp(self, y: np.ndarray) -> np.ndarray:
        """Non-negative stocks stay at or above zero: their outflows were already limited,
        so this removes rounding below zero, and what a negative inflow or an outflow of
        several stocks (not limited, see `sim.compiler`) would take beyond the stock."""
        if self.nonneg.any():
            y[self.nonneg] = np.maximum(y[self.nonneg], 0.0)
        return y


def _check_nonnegative(compiled: CompiledModel, y: np.ndarray, n: int) -> None:
    """A non-negative stock that starts below zero is an error: clamping it would break
    stock = initial + Σ flows·dt, the flows having been computed from the negative value."""
    nonneg = np.array([s.non_negative for s in compiled.system.stocks], dtype=bool)
    negative = (y < 0) & nonneg[:, None]
    if not negative.any():
        return
    row, scenario = (int(i[0]) for i in np.nonzero(negative))
    stock = compiled.system.stocks[row]
    where = f" in scenario {scenario} of {n}" if n > 1 else ""
    raise ModelError(
        f"initial value {y[row, scenario]:g} of a non-negative stock is below zero{where}",
        field=stock.name,
    )


class _History:
    """The past values of a DELAY's input on the time grid, for the pipeline's output."""

    def __init__(self, start: float, dt: float, n_times: int, initial):
        self.start, self.dt, self.n_times = start, dt, n_times
        self.initial = initial
        self.rows: np.ndarray | None = None
        self.count = 0
        self._columns: np.ndarray | None = None
        self._step_start: float | None = None  # the step whose output `_step_value` is
        self._step_value = None

    def record(self, k: int, value) -> None:
        shape = np.shape(value)
        if self.rows is None:
            self.rows = np.empty((self.n_times, *shape))
        elif shape != self.rows.shape[1:]:
            # an input that was the same for every scenario so far (a scalar) and now differs
            # per scenario: widen the history, repeating the past values for each scenario
            wider = np.empty((self.n_times, *np.broadcast_shapes(self.rows.shape[1:], shape)))
            wider[: self.count] = (
                self.rows[: self.count, ...]
                if self.rows.ndim > 1
                else (self.rows[: self.count, None])
            )
            self.rows, self._columns = wider, None
        self.rows[k] = value
        self.count = max(self.count, k + 1)

    def value_at(self, when):
        """The input averaged over the step ``[when, when + dt)``, the input being held
        constant over each step as the integrator sees it. For a delay that is a whole number
        of steps this is the input exactly ``delay`` ago; for any other it still conserves
        what goes through the pipeline. Before the start the input is ``initial``."""
        return self._lookup(when)[0]

    def value_in_step(self, step_start: float, delay: Fn, v: list, c: Clock):
        """``value_at(step_start - delay(v, c))`` for a delay time fixed over the run. Within
        a step it changes only if it reads a row recorded in this step (a delay under two
        steps); otherwise it is looked up at the step's first stage and kept for the others."""
        if step_start == self._step_start:
            return self._step_value
        value, highest = self._lookup(step_start - delay(v, c))
        if highest is not None and highest < round((step_start - self.start) / self.dt):
            self._step_start, self._step_value = step_start, value
        return value

    def _lookup(self, when) -> tuple[object, int | None]:
        """`value_at`, and the highest row it read (None: it read none)."""
        if self.rows is None:
            return self.initial, None
        pos = (np.asarray(when, dtype=float) - self.start) / self.dt
        near = np.rint(pos)
        pos = np.where(np.abs(pos - near) < 1e-9, near, pos)
        base = np.floor(pos)
        frac = pos - base
        steps = base.astype(np.intp)
        lo = self._rows_at(steps)
        highest = int(steps.max())
        if not frac.any():  # a whole number of steps ago, as a delay mostly is
            return lo, highest
        return lo + frac * (self._rows_at(steps + 1) - lo), highest + 1

    def _rows_at(self, steps: np.ndarray):
        """Recorded input ``steps`` steps after the start, per scenario when ``steps`` is an
        array (``initial`` before the start; the latest record for a time not recorded yet)."""
        rows = self.rows
        index = np.clip(steps, 0, self.count - 1)
        if steps.ndim == 0 or rows.ndim == 1:
            value = rows[index]
        else:
            width = rows.shape[1]
            if self._columns is None:
                self._columns = np.arange(width)
            value = np.take(rows, index * width + self._columns)
        before = steps < 0
        return np.where(before, self.initial, value) if before.any() else value


def _parameters(
    compiled: CompiledModel, parameters: Mapping[str, ParameterValue], n: int | None
) -> tuple[dict[str, object], int]:
    overrides: dict[str, object] = {}
    lengths: set[int] = set()
    for name, value in parameters.items():
        key = compiled.resolve(name, what="constant")
        if key not in compiled.system.constants:
            raise ModelError(f"{name!r} is not a constant; only constants can be set", field=name)
        array = np.asarray(value, dtype=float)
        if array.ndim > 1:
            raise UserInputError(
                f"must be a number or a 1-D array, got shape {array.shape}", field=name
            )
        if array.ndim == 1:
            lengths.add(len(array))
            overrides[key] = array
        else:
            overrides[key] = float(array)
    if len(lengths) > 1:
        raise UserInputError(
            f"parameter arrays have different lengths {sorted(lengths)}", field="parameters"
        )
    if n is None:
        n = lengths.pop() if lengths else 1
    elif lengths and lengths != {n}:
        raise UserInputError(f"parameter arrays have length {lengths.pop()} but n = {n}", field="n")
    if n < 1:
        raise UserInputError(f"n must be at least 1, got {n}", field="n")
    return overrides, n


def _warn_ranges(compiled: CompiledModel, parameters: Mapping[str, ParameterValue]) -> None:
    ranged = {c.key: c for c in compiled.model.constants if c.range is not None}
    for name, value in parameters.items():
        constant = ranged.get(canonical(name))
        if constant is not None:
            why = value_outside(constant, value)
            warn_out_of_range(why and f"{constant.name}: {why}", stacklevel=3)


def _save_keys(compiled: CompiledModel, variables: Sequence[str] | None) -> list[str]:
    if variables is None:
        return compiled.public_keys
    if isinstance(variables, str):
        variables = [variables]
    # hidden keys (``#smth1``, as `sim.analysis` asks for them) are taken as they are
    return [
        name if name.startswith("#") and name in compiled.slot else compiled.resolve(name)
        for name in variables
    ]


def _save_positions(
    times: np.ndarray, wanted: Sequence[float] | None, save_step: float | None, dt: float
) -> list[int]:
    if wanted is None:
        every = max(1, round((save_step or dt) / dt))
        positions = list(range(0, len(times), every))
        if positions[-1] != len(times) - 1 and save_step is None:
            positions.append(len(times) - 1)
        return positions
    positions = []
    for t in np.atleast_1d(np.asarray(wanted, dtype=float)):
        hits = np.flatnonzero(np.abs(times - t) <= 1e-9 * max(1.0, abs(t)))
        if not len(hits):
            raise UserInputError(
                f"time {t} is not on the time grid ({times[0]} to {times[-1]} step {dt})",
                field="save.times",
            )
        positions.append(int(hits[0]))
    return positions
