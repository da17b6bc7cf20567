"""Sample designs that any worker can slice: rows ``[start, stop)`` come from (seed, offset).

A `Design` of ``n`` rows over named distributions never exists as a whole: whoever evaluates a
chunk calls `Design.unit(start, stop)` (or `Design.sample`) and gets exactly the rows the full
design would hold there. Results therefore do not depend on the chunk size, on the number of
workers or on the order in which chunks run. How each method achieves this:

* ``mc`` (Monte Carlo): rows are grouped in fixed blocks of `BLOCK` rows, independent of the
  chunk size; block ``k`` is drawn by its own PCG64 generator seeded with
  ``SeedSequence(seed, spawn_key=(stream, k))`` (the ``k``-th child of the seed). A chunk draws
  the blocks it overlaps and keeps its rows. Columns are drawn one after another, so adding a
  parameter at the end leaves the earlier columns unchanged.
* ``lhs`` (Latin hypercube): row ``i`` of column ``j`` lies in stratum ``pi_j(i)`` of ``n``
  equal strata, ``u = (pi_j(i) + jitter) / n``. Each ``pi_j`` is a keyed pseudo-random
  permutation of ``0..n-1`` evaluated pointwise (a Feistel network on the next even power of two
  with cycle walking), so a slice needs no ``O(n)`` table; the jitter comes from an ``mc``
  stream. Every stratum of every column is used exactly once over the full design.
* ``sobol`` (scrambled Sobol'): every worker builds the same scrambled `scipy.stats.qmc.Sobol`
  engine from the seed and jumps to ``start`` with ``fast_forward``. ``n`` must be a power of 2
  (the balance properties of the sequence need it).

Randomness never touches numpy's global state, and ``seed=0`` is a seed like any other.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from scipy.stats import qmc

from ..errors import UserInputError

__all__ = ["BLOCK", "Design", "Method", "chunk_bounds", "random_permutation"]

BLOCK = 4096
"""Rows per Monte Carlo block; fixed, so that streams never depend on the chunk size."""

_MC_STREAM, _LHS_JITTER_STREAM, _LHS_KEY_STREAM, _SOBOL_STREAM = range(4)
_ROUNDS = 4  # Luby-Rackoff: four rounds make a strong pseudo-random permutation


class Method(StrEnum):
    """How the unit hypercube is filled."""

    MC = "mc"
    LHS = "lhs"
    SOBOL = "sobol"


def chunk_bounds(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[start, stop)`` row ranges of at most ``chunk_size`` rows covering ``0..n``."""
    if chunk_size < 1:
        raise UserInputError(f"must be at least 1, got {chunk_size}", field="chunk-size")
    return [(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]


@dataclass(frozen=True)
class Design:
    """``n`` rows over the named distributions, drawn by ``method`` from ``seed``.

    ``dists`` maps a parameter name to a `Distribution` (anything with ``.ppf(u)``). The object
    is small and picklable: it is what a worker receives to draw its own chunk.
    """

    dists: Mapping[str, Any]
    n: int
    seed: int
    method: Method = Method.MC

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", _method(self.method))
        object.__setattr__(self, "dists", dict(self.dists))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer):
            raise UserInputError(f"must be a whole number, got {self.seed!r}", field="seed")
        if self.seed < 0:
            raise UserInputError(f"must be non-negative, got {self.seed}", field="seed")
        if self.n < 1:
            raise UserInputError(f"must be at least 1, got {self.n}", field="samples")
        if not self.dists:
            raise UserInputError("no uncertain parameters to sample", field="uncertain")
        if self.method is Method.SOBOL and self.n & (self.n - 1):
            up = 1 << (self.n - 1).bit_length()
            raise UserInputError(
                f"sobol sampling needs a power of 2, got {self.n} (try {up // 2} or {up})",
                field="samples",
            )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.dists)

    @property
    def d(self) -> int:
        return len(self.dists)

    def unit(self, start: int, stop: int) -> np.ndarray:
        """Rows ``[start, stop)`` of the design in the unit hypercube, shape ``(rows, d)``
        (a transposed view of `columns`)."""
        return self.columns(start, stop).T

    def columns(self, start: int, stop: int) -> np.ndarray:
        """Rows ``[start, stop)`` stored by column, shape ``(d, rows)``: each parameter's
        values are contiguous, which is what the ppf of each distribution wants."""
        if not 0 <= start <= stop <= self.n:
            raise ValueError(f"rows [{start}, {stop}) outside the design of {self.n}")
        if self.method is Method.MC:
            return _blocks(self.seed, _MC_STREAM, self.d, start, stop)
        if self.method is Method.LHS:
            return _lhs(self.seed, self.n, self.d, start, stop)
        return _sobol(self.seed, self.d, start, stop)

    def sample(self, start: int = 0, stop: int | None = None) -> dict[str, np.ndarray]:
        """Rows ``[start, stop)`` as parameter values: ``{name: array (rows,)}``."""
        u = self.columns(start, self.n if stop is None else stop)
        return {name: dist.ppf(u[j]) for j, (name, dist) in enumerate(self.dists.items())}


def _method(value: Method | str) -> Method:
    try:
        return Method(value)
    except ValueError:
        known = ", ".join(m.value for m in Method)
        reason = f"unknown method {value!r}; expected {known}"
        raise UserInputError(reason, field="method") from None


def _generator(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def _blocks(seed: int, stream: int, d: int, start: int, stop: int) -> np.ndarray:
    """Columns ``(d, rows)`` of rows ``[start, stop)`` of an endless matrix of uniforms built
    from fixed-size blocks."""
    out = np.empty((d, stop - start))
    for k in range(start // BLOCK, -(-stop // BLOCK)):
        lo, hi = max(start, k * BLOCK), min(stop, (k + 1) * BLOCK)
        block = _generator(seed, stream, k).random((d, BLOCK))
        out[:, lo - start : hi - start] = block[:, lo - k * BLOCK : hi - k * BLOCK]
    return out


def _lhs(seed: int, n: int, d: int, start: int, stop: int) -> np.ndarray:
    rows = np.arange(start, stop, dtype=np.uint64)
    jitter = _blocks(seed, _LHS_JITTER_STREAM, d, start, stop)
    strata = np.empty((d, stop - start))
    for j in range(d):
        keys = np.random.SeedSequence(seed, spawn_key=(_LHS_KEY_STREAM, j)).generate_state(
            _ROUNDS, dtype=np.uint64
        )
        strata[j] = random_permutation(rows, n, keys)
    return (strata + jitter) / n


def _sobol(seed: int, d: int, start: int, stop: int) -> np.ndarray:
    engine = qmc.Sobol(d, scramble=True, rng=_generator(seed, _SOBOL_STREAM))
    if start:  # scipy's fast_forward(0) fails
        engine.fast_forward(start)
    with warnings.catch_warnings():
        # A chunk need not be a power of 2; the whole design is (checked by `Design`).
        warnings.filterwarnings("ignore", message="The balance properties", category=UserWarning)
        return np.ascontiguousarray(engine.random(stop - start).T)


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray, key: np.uint64) -> np.ndarray:
    """A keyed 64-bit mixing function (splitmix64's finaliser); wraps around by design."""
    z = x ^ key
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


def random_permutation(i: np.ndarray, n: int, keys: Sequence[np.uint64]) -> np.ndarray:
    """``pi(i)`` for a keyed pseudo-random permutation ``pi`` of ``0..n-1``, pointwise.

    A balanced Feistel network permutes ``0..2^(2h)-1`` (the smallest such range holding
    ``n``); values that land at or beyond ``n`` are permuted again (cycle walking) until they
    fall inside, which keeps the map a bijection of ``0..n-1``.
    """
    half = max(1, -(-max(n - 1, 1).bit_length() // 2))
    mask, shift = np.uint64((1 << half) - 1), np.uint64(half)
    x = np.asarray(i, dtype=np.uint64).copy()
    todo = np.ones(x.shape, dtype=bool)
    while todo.any():
        y = x[todo]
        left, right = y >> shift, y & mask
        for key in keys:
            left, right = right, left ^ (_mix(right, np.uint64(key)) & mask)
        x[todo] = (left << shift) | right
        todo[todo] = x[todo] >= n
    return x
