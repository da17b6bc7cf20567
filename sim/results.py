"""The typed result of a simulation: values labelled by time, variable and scenario."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import NonFiniteError, UserInputError
from .names import canonical

__all__ = ["Result", "atomic_write"]


@dataclass(frozen=True)
class Result:
    """``values[i, j, k]`` is variable ``names[j]`` at ``times[i]`` in scenario ``k``.

    ``ends[k]`` (a run whose final time moves, `TimeSpec.stop_variable`) is the row of
    scenario ``k``'s last time, its values NaN after it; None: every scenario ran to the end."""

    times: np.ndarray
    names: tuple[str, ...]
    values: np.ndarray
    units: dict[str, str] = field(default_factory=dict)
    method: str = "euler"
    dt: float = 1.0
    ends: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of scenarios."""
        return self.values.shape[2]

    @property
    def nonfinite(self) -> tuple[str, ...]:
        """Saved variables that reached NaN or infinity somewhere (a division by zero, say):
        the numbers are IEEE arithmetic's, and a caller should say so rather than hide it."""
        bad = self._nonfinite().any(axis=(0, 2))
        return tuple(name for name, flag in zip(self.names, bad, strict=True) if flag)

    def first_nonfinite(self) -> tuple[str, float, int, float] | None:
        """``(variable, time, scenario, value)`` of the earliest NaN or infinity (the first
        saved variable at the earliest time, then the first scenario), or None."""
        bad = self._nonfinite()
        if not bad.any():
            return None
        i, j, k = np.unravel_index(int(np.argmax(bad)), bad.shape)
        return self.names[j], float(self.times[i]), int(k), float(self.values[i, j, k])

    def check_finite(self, where: str) -> None:
        """Raise `NonFiniteError` naming the variable, the first time and ``where`` (the
        scenario, say) when any saved value is NaN or infinite."""
        first = self.first_nonfinite()
        if first is None:
            return
        name, time, scenario, value = first
        at = f"{where}, run {scenario}" if self.n > 1 else where
        others = int(np.count_nonzero(self._nonfinite()[self.time_index(time)].any(1)))
        also = f"; {others - 1} more variables at that time" if others > 1 else ""
        raise NonFiniteError(
            f"not a finite number: {name} = {value} at time {time:g} in {at}{also}"
        )

    def _nonfinite(self) -> np.ndarray:
        """Where ``values`` is NaN or infinite within each scenario's run (not after its end)."""
        bad = ~np.isfinite(self.values)
        if self.ends is not None:
            bad &= (np.arange(len(self.times))[:, None] <= self.ends)[:, None, :]
        return bad

    def last(self, scenario: int = 0) -> int:
        """The row of the last time scenario ``scenario`` ran to."""
        return len(self.times) - 1 if self.ends is None else int(self.ends[scenario])

    def index(self, name: str) -> int:
        key = canonical(name)
        for j, existing in enumerate(self.names):
            if canonical(existing) == key:
                return j
        raise UserInputError(
            f"no saved variable named {name!r} (saved: {', '.join(self.names)})", field=name
        )

    def __getitem__(self, name: str) -> np.ndarray:
        """The trajectories of one variable, shape ``(time, scenario)``."""
        return self.values[:, self.index(name), :]

    def time_index(self, time: float) -> int:
        hits = np.flatnonzero(np.isclose(self.times, time, rtol=0, atol=1e-9 * max(1.0, abs(time))))
        if not len(hits):
            raise UserInputError(
                f"time {time} was not saved (saved from {self.times[0]} to {self.times[-1]})",
                field="time",
            )
        return int(hits[0])

    def sel(
        self,
        variable: str | Sequence[str] | None = None,
        time: float | None = None,
        scenario: int | Sequence[int] | None = None,
    ) -> np.ndarray:
        """Values picked by label; a single label drops its axis, as in xarray."""
        out = self.values
        if time is not None:
            out = out[self.time_index(time)][None]
        if variable is not None:
            names = [variable] if isinstance(variable, str) else list(variable)
            out = out[:, [self.index(v) for v in names]]
        if scenario is not None:
            out = out[:, :, np.atleast_1d(scenario)]
        squeeze = tuple(
            axis
            for axis, label in enumerate((time, variable, scenario))
            if label is not None and (np.ndim(label) == 0 or isinstance(label, str))
        )
        return out.squeeze(axis=squeeze) if squeeze else out

    def to_dataframe(self, *, years: bool = False):
        """Tidy long format: one row per (time, variable, scenario), keyed by model *time*.

        With ``years`` a ``year`` column follows the convention of `sim.years` (a level at
        time t is the end of year t - 1, a rate in units per year is year t) and only whole
        years are kept: for a plan, prefer `sim.run(...).trajectories`, which also keeps to
        the plan period.
        """
        import pandas as pd

        t, v, s = np.meshgrid(
            self.times, np.arange(len(self.names)), np.arange(self.n), indexing="ij"
        )
        frame = pd.DataFrame(
            {
                "time": t.ravel(),
                "variable": np.asarray(self.names, dtype=object)[v.ravel()],
                "scenario": s.ravel(),
                "value": self.values.ravel(),
            }
        )
        if not years:
            return frame
        from .years import is_rate, year_labels

        rate = np.array([is_rate(self.units.get(name, "")) for name in self.names])
        level_year, whole = year_labels(self.times, rate=False)
        per_time = len(self.names) * self.n
        frame.insert(1, "year", np.repeat(level_year, per_time) + rate[v.ravel()])
        return frame[np.repeat(whole, per_time)].reset_index(drop=True)

    def to_csv(self, path: str | os.PathLike, scenario: int = 0) -> None:
        """One scenario as a table: ``Time`` then one column per variable, written atomically."""
        with atomic_write(path) as handle:
            writer = csv.writer(handle)
            writer.writerow(["Time", *self.names])
            for i, time in enumerate(self.times[: self.last(scenario) + 1]):
                writer.writerow([_fmt(time), *(_fmt(x) for x in self.values[i, :, scenario])])


def _fmt(x: float) -> str:
    return repr(float(x))


class atomic_write:
    """``with atomic_write(path) as f:`` writes a temporary file beside ``path`` and renames it
    into place, so a failed or interrupted write leaves no half-written file (and no temporary
    one) behind. A ``path`` that cannot be a file (a folder, under a file, unwritable) is a
    `UserInputError` naming it, raised before anything is written."""

    def __init__(self, path: str | os.PathLike, mode: str = "w"):
        self.path = Path(path)
        self.mode = mode

    def __enter__(self):
        if self.path.is_dir():
            raise UserInputError("is a folder; give a file name", file=str(self.path))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            if isinstance(exc, FileExistsError | NotADirectoryError):
                reason = "a folder above it is a file"
            raise UserInputError(f"cannot write: {reason}", file=str(self.path)) from None
        os.chmod(fd, 0o666 & ~_umask())  # the mode `open` would give, not mkstemp's 0600
        newline = "" if "b" not in self.mode else None
        encoding = "utf-8" if "b" not in self.mode else None
        self.handle = os.fdopen(fd, self.mode, newline=newline, encoding=encoding)
        return self.handle

    def __exit__(self, kind, value, tb):
        try:
            self.handle.close()
            if kind is None:
                os.replace(self.tmp, self.path)
        finally:
            Path(self.tmp).unlink(missing_ok=True)
        return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
