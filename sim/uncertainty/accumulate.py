"""Per-chunk summaries that merge exactly, in bounded memory, whatever the chunking.

A batch never holds all its samples. Each chunk is reduced to a `Summary`: integer counts of
met targets, and for each metric (and each time of each trajectory) a fixed-bin `Histogram`.
Summaries merge by adding integers, taking minima and maxima, and adding exact sums, so the
merged result is the same, bit for bit, whatever the chunk size, the number of workers or the
order of merging, and its size does not grow with the number of samples.

Why fixed bins rather than a sketch (t-digest, KLL): sketches merge approximately and their
answer depends on the order of merging; integer bin counts do not. The bins are fixed before
the run from a deterministic pilot (the first rows of the design), widened by half its range on
each side; values beyond them are counted in an underflow and an overflow bin. Each bin also
keeps the smallest and largest value it saw (merged by min and max, exactly), so a quantile is
exact to within the spread of its bin's values (at most one bin width, 1/`BINS` of the widened
pilot range, inside the range) and exact for point masses such as a milestone's 0 or 1. Means
are exact: sums are kept as integers in units of 2^-1126 (every finite double is a whole
number of those).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

__all__ = ["BINS", "Binning", "Histogram", "Probability", "Summarizer", "Summary", "wilson"]

BINS = 4096
_EXP_OFFSET = 1073  # frexp exponents run from -1073 (subnormals) to 1024
_EXP_SPAN = 1024 + _EXP_OFFSET + 1
_HALF = 26  # mantissas are split into 27-bit halves so per-chunk float sums stay exact
_LIMIT = float(np.finfo(float).max) / 8  # bins never span more than this either side of 0


@dataclass(frozen=True)
class Probability:
    """``met`` of ``n`` samples, its proportion and a 95 % Wilson score interval."""

    met: int
    n: int
    low: float
    high: float

    @property
    def p(self) -> float:
        return self.met / self.n if self.n else math.nan

    def to_dict(self) -> dict[str, float | int]:
        return {"p": self.p, "low": self.low, "high": self.high, "met": self.met, "n": self.n}


def wilson(met: int, n: int, confidence: float = 0.95) -> Probability:
    """The Wilson score interval: good coverage even near 0 and 1, where the normal
    approximation collapses to a point. (It is conservative for stratified designs.)"""
    if n == 0:
        return Probability(met, n, math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = met / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if met == 0 else max(0.0, centre - half)  # exact ends where rounding would stray
    high = 1.0 if met == n else min(1.0, centre + half)
    return Probability(met, n, low, high)


@dataclass(frozen=True)
class Binning:
    """Fixed bins for ``k`` rows (one row per metric, or per time of a trajectory)."""

    lo: np.ndarray
    hi: np.ndarray
    bins: int = BINS
    exact: bool = True  # keep exact sums and the counts at each bin's extremes (see `Histogram`)

    @classmethod
    def from_pilot(
        cls, values: np.ndarray, bins: int = BINS, widen: float = 0.5, exact: bool = True
    ) -> Binning:
        """Bins spanning the pilot's range per row, widened by ``widen`` of it on each side."""
        values = np.atleast_2d(np.asarray(values, dtype=float))
        finite = np.isfinite(values)
        lo = np.min(values, axis=1, initial=np.inf, where=finite)
        hi = np.max(values, axis=1, initial=-np.inf, where=finite)
        # within ±max/8, so that the widened range and its width stay finite; values beyond
        # fall in the outer bins, which keep their exact extremes
        lo = np.clip(np.where(np.isfinite(lo), lo, 0.0), -_LIMIT, _LIMIT)
        hi = np.clip(np.where(np.isfinite(hi), hi, 0.0), -_LIMIT, _LIMIT)
        span = hi - lo
        span = np.where(span > 0, span, np.maximum(np.abs(lo), 1.0) * 1e-3)
        return cls(lo - widen * span, hi + widen * span, bins, exact)

    def empty(self) -> Histogram:
        k = len(self.lo)
        shape = (k, self.bins + 2)
        zeros = np.zeros(shape, dtype=np.int64)
        return Histogram(
            self,
            zeros,
            np.zeros(k, dtype=np.int64),
            np.full(shape, np.inf),
            np.full(shape, -np.inf),
            [0] * k,
            zeros,
            zeros,
        )

    def _edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper edge of every bin, shape ``(k, bins + 2)`` each (fresh arrays)."""
        steps = np.arange(-1, self.bins + 1) / self.bins
        width = (self.hi - self.lo)[:, None]
        low = self.lo[:, None] + steps * width
        high = self.lo[:, None] + (steps + 1.0 / self.bins) * width
        low[:, 0], high[:, -1] = np.inf, -np.inf
        high[:, 0], low[:, -1] = self.lo, self.hi
        return low, high

    def histogram(self, values: np.ndarray) -> Histogram:
        """The histogram of ``values`` of shape ``(k, m)`` (or ``(m,)`` when ``k`` is 1)."""
        values = np.asarray(values, dtype=float).reshape(len(self.lo), -1)
        k = len(values)
        finite = np.isfinite(values)
        clean = values if finite.all() else np.where(finite, values, 0.0)
        scale = self.bins / (self.hi - self.lo)
        # position + 1, clipped to [0, bins + 1]: truncation then floors, and below-range
        # values land in bin 0, above-range ones in bin bins + 1
        with np.errstate(over="ignore", invalid="ignore"):
            position = (clean - self.lo[:, None]) * scale[:, None] + 1.0
        np.clip(position, 0.0, self.bins + 1.0, out=position)
        index = position.astype(np.int64)
        index += (self.bins + 2) * np.arange(k)[:, None]
        index, kept = (
            (index.ravel(), clean.ravel()) if finite.all() else (index[finite], clean[finite])
        )
        size = k * (self.bins + 2)
        shape = (k, self.bins + 2)
        counts = np.bincount(index, minlength=size)
        at_low = at_high = np.zeros(shape, dtype=np.int64)
        if self.exact:
            low, high = np.full(size, np.inf), np.full(size, -np.inf)
            np.minimum.at(low, index, kept)
            np.maximum.at(high, index, kept)
            at_low = np.bincount(index[kept == low[index]], minlength=size).reshape(shape)
            at_high = np.bincount(index[kept == high[index]], minlength=size).reshape(shape)
            low, high = low.reshape(shape), high.reshape(shape)
        else:  # bin edges stand for the values; the outer bins reach the extremes seen
            low, high = self._edges()
            low[:, 0] = np.min(clean, axis=1, initial=np.inf, where=finite)
            high[:, -1] = np.max(clean, axis=1, initial=-np.inf, where=finite)
        return Histogram(
            self,
            counts.reshape(shape),
            (~finite).sum(axis=1),
            low,
            high,
            _exact_sums(clean) if self.exact else [0] * k,
            at_low,
            at_high,
        )


def _exact_sums(values: np.ndarray) -> list[int]:
    """Row sums of ``values`` exactly, as integers in units of 2^-1126."""
    k, m = values.shape
    if m >= 1 << _HALF:
        raise ValueError(f"chunks of at most {1 << _HALF} samples keep sums exact")
    mantissa, exponent = np.frexp(values)
    whole = np.ldexp(mantissa, 53).astype(np.int64)
    key = (exponent + _EXP_OFFSET) + _EXP_SPAN * np.arange(k)[:, None]
    size = k * _EXP_SPAN
    high = np.bincount(key.ravel(), weights=(whole >> _HALF).ravel(), minlength=size)
    low = np.bincount(key.ravel(), weights=(whole & ((1 << _HALF) - 1)).ravel(), minlength=size)
    sums = [0] * k
    for i in np.flatnonzero((high != 0) | (low != 0)):
        row, exp = divmod(int(i), _EXP_SPAN)
        sums[row] += ((int(high[i]) << _HALF) + int(low[i])) << exp
    return sums


@dataclass(frozen=True)
class Histogram:
    """Per row: counts per bin (an underflow bin first, an overflow bin last), the smallest
    and largest value seen in each bin, the non-finite count, and (when the binning is
    ``exact``) the exact sum and how many values equal each bin's smallest and largest value,
    which makes quantiles exact at point masses (a milestone's 0 or 1, a capped 100 %)."""

    binning: Binning
    counts: np.ndarray
    nonfinite: np.ndarray
    low: np.ndarray
    high: np.ndarray
    sums: list[int]
    at_low: np.ndarray
    at_high: np.ndarray

    @property
    def count(self) -> np.ndarray:
        """Finite values counted per row."""
        return self.counts.sum(axis=1)

    @property
    def minimum(self) -> np.ndarray:
        # without exact extremes, the underflow bin's low end holds the smallest value seen
        return self.low.min(axis=1) if self.binning.exact else self.low[:, 0]

    @property
    def maximum(self) -> np.ndarray:
        return self.high.max(axis=1) if self.binning.exact else self.high[:, -1]

    def merge(self, other: Histogram) -> Histogram:
        if not _same_bins(self.binning, other.binning):
            raise ValueError("histograms with different bins cannot be merged")
        low = np.minimum(self.low, other.low)
        high = np.maximum(self.high, other.high)
        return Histogram(
            self.binning,
            self.counts + other.counts,
            self.nonfinite + other.nonfinite,
            low,
            high,
            [a + b for a, b in zip(self.sums, other.sums, strict=True)],
            np.where(self.low == low, self.at_low, 0) + np.where(other.low == low, other.at_low, 0),
            np.where(self.high == high, self.at_high, 0)
            + np.where(other.high == high, other.at_high, 0),
        )

    def mean(self) -> np.ndarray:
        """The exact mean of the finite values per row (correctly rounded); NaN when the
        binning keeps no sums."""
        if not self.binning.exact:
            return np.full(len(self.counts), np.nan)
        unit = 53 + _EXP_OFFSET
        pairs = zip(self.sums, self.count, strict=True)
        return np.array([s / (int(c) << unit) if c else math.nan for s, c in pairs])

    def quantiles(self, q: np.ndarray) -> np.ndarray:
        """Quantiles ``q`` of the finite values per row, shape ``(k, len(q))``.

        As numpy's default (linear) method: the order statistics at ``q (count - 1)`` and the
        next, interpolated. An order statistic is placed within its bin by its rank: the first
        ranks at the bin's smallest value (as many as equal it), the last at its largest, the
        others spread evenly between. Exact at the extremes, for bins of one or two values and
        at point masses.
        """
        q = np.atleast_1d(np.asarray(q, dtype=float))
        out = np.full((len(self.counts), len(q)), np.nan)
        for row, counts in enumerate(self.counts):
            total = int(counts.sum())
            if total == 0:
                continue
            position = q * (total - 1)
            j = np.floor(position)
            below = self._order_stat(row, j)
            above = self._order_stat(row, np.minimum(j + 1, total - 1))
            out[row] = below + (position - j) * (above - below)
        return out

    def _order_stat(self, row: int, j: np.ndarray) -> np.ndarray:
        counts = self.counts[row]
        cum = np.cumsum(counts)
        b = np.searchsorted(cum, j, side="right")
        c = counts[b]
        rank = j - (cum[b] - c)
        if self.binning.exact:
            first, last = self.at_low[row, b], self.at_high[row, b]
        else:  # only the extremes themselves are known
            first = last = np.minimum(c, 1)
        lo, hi = self.low[row, b], self.high[row, b]
        inner = np.maximum(c - first - last + 1, 1)
        frac = np.clip((rank - first + 1) / inner, 0.0, 1.0)
        frac = np.where(rank < first, 0.0, np.where(rank >= c - last, 1.0, frac))
        return np.where(lo == hi, lo, lo + frac * (hi - lo))


def _same_bins(a: Binning, b: Binning) -> bool:
    return a is b or (
        (a.bins, a.exact) == (b.bins, b.exact)
        and np.array_equal(a.lo, b.lo)
        and np.array_equal(a.hi, b.hi)
    )


@dataclass(frozen=True)
class Summary:
    """What a batch (or one chunk of it) found: met counts and histograms.

    ``nonfinite`` runs (a NaN or infinity in any output) are counted but judge nothing: they
    are in no met count and no histogram, and probabilities are out of the ``finite`` runs.
    ``first_nonfinite`` is the row of the first of them in the design (None if none)."""

    n: int
    met: dict[str, int] = field(default_factory=dict)
    joint: int = 0
    metrics: dict[str, Histogram] = field(default_factory=dict)
    trajectories: dict[str, Histogram] = field(default_factory=dict)
    nonfinite: int = 0
    first_nonfinite: int | None = None

    @property
    def finite(self) -> int:
        return self.n - self.nonfinite

    def merge(self, other: Summary) -> Summary:
        """The summary of both chunks; associative and commutative, exactly."""
        if self.met.keys() != other.met.keys():
            raise ValueError("summaries of different targets cannot be merged")
        firsts = [f for f in (self.first_nonfinite, other.first_nonfinite) if f is not None]
        return Summary(
            self.n + other.n,
            {k: v + other.met[k] for k, v in self.met.items()},
            self.joint + other.joint,
            {k: h.merge(other.metrics[k]) for k, h in self.metrics.items()},
            {k: h.merge(other.trajectories[k]) for k, h in self.trajectories.items()},
            self.nonfinite + other.nonfinite,
            min(firsts, default=None),
        )

    def probability(self, target: str | None = None) -> Probability:
        """P(``target`` met) among the finite runs, or P(all targets met) when ``target`` is
        None."""
        return wilson(self.joint if target is None else self.met[target], self.finite)


@dataclass(frozen=True)
class Summarizer:
    """Turns one chunk's outputs into a `Summary`, with bins fixed in advance.

    ``metrics`` and ``trajectories`` map names to their `Binning` (one row for a metric, one
    per saved time for a trajectory). Small and picklable: workers receive it.
    """

    targets: tuple[str, ...] = ()
    metrics: Mapping[str, Binning] = field(default_factory=dict)
    trajectories: Mapping[str, Binning] = field(default_factory=dict)

    def empty(self) -> Summary:
        return Summary(
            0,
            dict.fromkeys(self.targets, 0),
            0,
            {k: b.empty() for k, b in self.metrics.items()},
            {k: b.empty() for k, b in self.trajectories.items()},
        )

    def __call__(
        self,
        n: int,
        met: Mapping[str, np.ndarray],
        metrics: Mapping[str, np.ndarray] | None = None,
        trajectories: Mapping[str, np.ndarray] | None = None,
        nonfinite: np.ndarray | None = None,
        offset: int = 0,
    ) -> Summary:
        """``met[target]`` is a boolean array ``(n,)``; ``metrics[name]`` is ``(n,)``;
        ``trajectories[name]`` is ``(T, n)`` (its last axis may be shorter than ``n``: the
        first rows only); ``nonfinite`` ``(n,)`` flags runs to leave out (counted only);
        ``offset`` is the design row of the first run."""
        metrics, trajectories = metrics or {}, trajectories or {}
        bad = np.zeros(n, dtype=bool) if nonfinite is None else np.asarray(nonfinite, dtype=bool)
        good = ~bad
        flags = [np.asarray(met[t], dtype=bool) & good for t in self.targets]
        joint = int(np.logical_and.reduce(flags).sum()) if flags else 0
        return Summary(
            n,
            {t: int(f.sum()) for t, f in zip(self.targets, flags, strict=True)},
            joint,
            {k: b.histogram(_without(metrics[k], bad)) for k, b in self.metrics.items()},
            {k: b.histogram(_without(trajectories[k], bad)) for k, b in self.trajectories.items()},
            int(bad.sum()),
            offset + int(np.argmax(bad)) if bad.any() else None,
        )


def _without(values: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """``values`` (…, m) with the columns of flagged runs set to NaN (``m`` may be fewer than
    the runs: the first ones)."""
    values = np.asarray(values, dtype=float)
    drop = bad[: values.shape[-1]]
    return np.where(drop, np.nan, values) if drop.any() else values
