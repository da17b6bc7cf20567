"""Observations: what was measured, when, and how uncertain it is, checked against a model.

An observations file is a CSV with one row per observation (lines starting with ``#`` are
comments)::

    variable,year,value,sd,lower,upper,source,discrepancy,timing
    resident_population,2020,822174,1000,,,7th census (1 Nov 2020),8000,
    share_60plus,2020,0.285,,0.26,0.30,estimate: 65+ share x 1.5,,

Columns: ``variable`` (a model variable), ``year`` or ``time``, ``value``, the uncertainty as
``sd`` or as a 95 % interval ``lower, upper`` (sd = (upper - lower) / 3.92), ``source``, and
optionally ``discrepancy`` (the model discrepancy: an sd for what the model cannot represent,
added in variance) and ``timing``.

Time convention, as the plan's targets file: ``time`` is model time itself; ``year`` with
``timing = year_end`` is read at model time ``year + 1`` (the level at the end of that year),
with ``during`` at model time ``year`` (the rate during it). The default timing is
``year_end`` for stocks, auxiliaries and constants and ``during`` for flows.

The loader is strict: every problem is one `UserInputError` naming the file, the line and the
column.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import UserInputError
from ..model import Flow, Model
from ..names import canonical
from ..simulate import time_grid

__all__ = ["COLUMNS", "Observation", "Observations", "load_observations"]

COLUMNS = (
    "variable",
    "year",
    "time",
    "value",
    "sd",
    "lower",
    "upper",
    "source",
    "discrepancy",
    "timing",
)
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Observation:
    """One measured value ``value`` of ``variable`` at model time ``time``, with the sd of the
    measurement and of the model discrepancy."""

    variable: str
    time: float
    value: float
    sd: float
    source: str
    discrepancy: float = 0.0
    year: int | None = None
    line: int = 0

    @property
    def variance(self) -> float:
        """Var_obs + Var_model: the denominator of the implausibility and the weight of the
        least-squares residual."""
        return self.sd**2 + self.discrepancy**2

    @property
    def scale(self) -> float:
        return math.sqrt(self.variance)

    @property
    def label(self) -> str:
        return f"{self.variable} {self.year if self.year is not None else f't={self.time:g}'}"


@dataclass(frozen=True)
class Observations:
    """The observations of one file, in file order, with where they came from."""

    items: tuple[Observation, ...]
    path: Path | None = None

    def __iter__(self) -> Iterator[Observation]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Observation:
        return self.items[i]

    @property
    def variables(self) -> list[str]:
        return list(dict.fromkeys(o.variable for o in self.items))

    @property
    def values(self) -> np.ndarray:
        return np.array([o.value for o in self.items])

    @property
    def scales(self) -> np.ndarray:
        """sqrt(Var_obs + Var_model) per observation."""
        return np.array([o.scale for o in self.items])

    def at(self, times: np.ndarray, values: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """The model's value at every observation, shape ``(m, n)``, from trajectories
        ``values (T, k, n)`` saved at ``times`` for variables ``names``: linear between the
        saved times around an observation, exact on them."""
        index = {canonical(name): j for j, name in enumerate(names)}
        out = np.empty((len(self.items), values.shape[-1]))
        for i, obs in enumerate(self.items):
            j = index[canonical(obs.variable)]
            hi = int(np.clip(np.searchsorted(times, obs.time - 1e-9), 0, len(times) - 1))
            if abs(times[hi] - obs.time) <= 1e-9 * max(1.0, abs(obs.time)) or hi == 0:
                out[i] = values[hi, j]
                continue
            lo = hi - 1
            w = (obs.time - times[lo]) / (times[hi] - times[lo])
            out[i] = (1 - w) * values[lo, j] + w * values[hi, j]
        return out


def load_observations(path: str | Path, model: Model, *, dt: float | None = None) -> Observations:
    """Read ``path`` and check every row against ``model`` (names, times within the run)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserInputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    lines = [(k, line) for k, line in enumerate(text.splitlines(), 1) if _content(line)]
    if not lines:
        raise UserInputError("no header and no observations", file=str(path))
    header_line, header_text = lines[0]
    header = [h.strip() for h in next(csv.reader([header_text]))]
    _check_header(header, path, header_line)
    spec = model.time
    grid = time_grid(spec.start, spec.stop, dt or spec.dt)
    start, stop = float(grid[0]), float(grid[-1])
    items: list[Observation] = []
    seen: dict[tuple[str, float], int] = {}
    for number, line in lines[1:]:
        cells = next(csv.reader(io.StringIO(line)))
        row = _Row(dict(zip(header, (c.strip() for c in cells), strict=False)), path, number)
        if len(cells) > len(header):
            row.fail(None, f"{len(cells)} fields, but the header has {len(header)}")
        obs = _observation(row, model, start, stop)
        key = (canonical(obs.variable), obs.time)
        if key in seen:
            row.fail("variable", f"a second observation of {obs.label} (first on line {seen[key]})")
        seen[key] = number
        items.append(obs)
    if not items:
        raise UserInputError("no observations (only a header)", file=str(path))
    return Observations(tuple(items), path)


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _check_header(header: list[str], path: Path, line: int) -> None:
    where = f"line {line}"
    for name in header:
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UserInputError(
                f"unknown column {name!r}{hint} (columns: {', '.join(COLUMNS)})",
                file=str(path),
                field=where,
            )
    if len(set(header)) != len(header):
        raise UserInputError("a column appears twice in the header", file=str(path), field=where)
    needed = ["variable", "value", "source"]
    missing = [c for c in needed if c not in header]
    if "year" not in header and "time" not in header:
        missing.append("year or time")
    if "sd" not in header and not {"lower", "upper"} <= set(header):
        missing.append("sd or lower and upper")
    if missing:
        raise UserInputError(
            f"missing column {missing[0]!r} (needed: variable, year or time, value, sd or "
            "lower and upper, source)",
            file=str(path),
            field=where,
        )


@dataclass(frozen=True)
class _Row:
    cells: dict[str, str]
    path: Path
    line: int

    def fail(self, column: str | None, reason: str) -> None:
        where = f"line {self.line}" + (f", {column}" if column else "")
        raise UserInputError(reason, file=str(self.path), field=where)

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def number(self, column: str, *, required: bool = True) -> float | None:
        text = self.text(column)
        if not text:
            if required:
                self.fail(column, "empty; a number is needed")
            return None
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            self.fail(column, f"not a number: {text!r}")
        if not math.isfinite(value):
            self.fail(column, f"must be a finite number, got {text!r}")
        return value


def _observation(row: _Row, model: Model, start: float, stop: float) -> Observation:
    name = row.text("variable")
    if not name:
        row.fail("variable", "empty; name a variable of the model")
    if name not in model:
        keys = [v.key for v in model.variables]
        close = difflib.get_close_matches(canonical(name), keys, n=1)
        hint = f"; did you mean {model[close[0]].name!r}?" if close else ""
        row.fail("variable", f"no variable named {name!r} in model {model.name!r}{hint}")
    variable = model[name]
    value = row.number("value")
    time, year = _time(row, isinstance(variable, Flow))
    if not start - 1e-9 <= time <= stop + 1e-9:
        row.fail(
            "year" if year is not None else "time",
            f"model time {time:g} is outside the run ({start:g} to {stop:g})",
        )
    sd = _sd(row, value)
    discrepancy = row.number("discrepancy", required=False) or 0.0
    if discrepancy < 0:
        row.fail("discrepancy", f"must be zero or positive, got {discrepancy:g}")
    source = row.text("source")
    if not source:
        row.fail("source", "empty; say where the value comes from")
    return Observation(variable.name, time, value, sd, source, discrepancy, year, row.line)  # type: ignore[arg-type]


def _time(row: _Row, is_flow: bool) -> tuple[float, int | None]:
    year_text, time_text, timing = row.text("year"), row.text("time"), row.text("timing")
    if year_text and time_text:
        row.fail("time", "give year or time, not both")
    if time_text:
        if timing:
            row.fail("timing", "timing applies to a year; a time is model time already")
        return float(row.number("time")), None  # type: ignore[arg-type]
    if not year_text:
        row.fail("year", "empty; give a year or a time")
    year = row.number("year")
    if year != int(year):  # type: ignore[arg-type]
        row.fail("year", f"must be a whole year, got {year_text!r}")
    timing = timing or ("during" if is_flow else "year_end")
    if timing not in ("year_end", "during"):
        row.fail("timing", f"must be year_end or during, got {timing!r}")
    return float(int(year) + (1 if timing == "year_end" else 0)), int(year)  # type: ignore[arg-type]


def _sd(row: _Row, value: float | None) -> float:
    sd = row.number("sd", required=False)
    lower = row.number("lower", required=False)
    upper = row.number("upper", required=False)
    if sd is not None:
        if lower is not None or upper is not None:
            row.fail("sd", "give sd or lower and upper, not both")
        if sd <= 0:
            row.fail("sd", f"must be positive, got {sd:g}")
        return sd
    if lower is None or upper is None:
        row.fail(
            "sd" if lower is None and upper is None else ("lower" if lower is None else "upper"),
            "missing uncertainty: give sd, or lower and upper",
        )
    if not lower < upper:  # type: ignore[operator]
        row.fail("upper", f"must exceed lower ({lower:g}), got {upper:g}")
    if not lower <= value <= upper:  # type: ignore[operator]
        row.fail("value", f"{value:g} lies outside its interval [{lower:g}, {upper:g}]")
    return (upper - lower) / (2 * Z95)  # type: ignore[operator]
