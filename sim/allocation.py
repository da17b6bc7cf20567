"""Vensim's one-to-many allocation (ALLOCATE AVAILABLE, and ALLOCATE BY PRIORITY, its
rectangular case) as numpy functions of the requesters, vectorized over the scenario batch.

Each requester ``j`` has a demand curve ``request_j * F_t((x - priority_j) / width_j)``: the
share ``F_t`` of its request it takes at the market priority ``x``, falling from 1 to 0 as
``x`` rises through its priority. ``t`` is Vensim's ``ptype``: 1 rectangular, 2 triangular,
3 normal (``width`` the standard deviation; the tail as Vensim approximates it), 4 exponential
(``0.5 exp(-|z|)`` integrated). 0 (fixed quantity) and 5 (constant elasticity) are refused, as
PySD does: Vensim's documentation leaves their use in ALLOCATE AVAILABLE open. The supply
clears the market at the ``x`` where the curves sum to it; each requester gets its curve there.

The sum of the curves is non-increasing in ``x``, so a safeguarded secant (Illinois) brackets
the root for every scenario at once (the loop is over steps, never over scenarios) until the
bracket is a few ulps wide; the allocations are then interpolated linearly inside it, so
they sum to the supply to round-off and each stays within ``[0, request]``. Input Vensim
rejects (a negative request, an unknown ``ptype``, a width not above 0 for a positive request)
makes that scenario's allocations NaN: the run stops as non-finite.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PROFILES", "REFUSED", "allocate", "allocate_at"]

PROFILES = {1: "rectangular", 2: "triangular", 3: "normal", 4: "exponential"}
REFUSED = {0: "fixed quantity", 5: "constant elasticity"}

# How many widths from its priority a curve is exactly 1 (below) or 0 (above) in doubles.
_REACH = {1: 0.5, 2: 0.5, 3: 40.0, 4: 750.0}
_MAX_STEPS = 400  # about 10 steps are usual; a halving every 5 steps bounds them near 350
_CACHE = ("allocate",)  # the clock's memory slot for the last allocations computed
_KEPT = 4  # call sites kept there (several may alternate within one evaluation)


def _rectangular(z: np.ndarray) -> np.ndarray:
    return np.clip(0.5 - z, 0.0, 1.0)


def _triangular(z: np.ndarray) -> np.ndarray:
    below = 1.0 - 2.0 * (z + 0.5) ** 2
    above = 2.0 * (0.5 - z) ** 2
    return np.where(z <= -0.5, 1.0, np.where(z < 0.0, below, np.where(z < 0.5, above, 0.0)))


def _normal(z: np.ndarray) -> np.ndarray:
    """The upper tail of the unit normal by Hastings' three-term approximation (Abramowitz
    and Stegun 26.2.16, absolute error below 1e-5): Vensim's curve. The exact tail (``erfc``)
    or a closer approximation is up to 3e-2 off Vensim's outputs; this one matches them."""
    u = np.abs(z)
    t = 1.0 / (1.0 + 0.33267 * u)
    tail = (
        np.exp(-0.5 * u * u)
        / np.sqrt(2.0 * np.pi)
        * t
        * (0.4361836 + t * (-0.1201676 + t * 0.937298))
    )
    return np.where(z >= 0.0, tail, 1.0 - tail)


def _exponential(z: np.ndarray) -> np.ndarray:
    tail = 0.5 * np.exp(-np.abs(z))
    return np.where(z < 0.0, 1.0 - tail, tail)


_CURVES = {1: _rectangular, 2: _triangular, 3: _normal, 4: _exponential}


def allocate(
    request: np.ndarray,
    ptype: np.ndarray,
    priority: np.ndarray,
    width: np.ndarray,
    available: np.ndarray,
) -> np.ndarray:
    """ALLOCATE AVAILABLE: the allocation to each of ``k`` requesters, shape ``(k, n)``.

    ``request``, ``ptype``, ``priority`` and ``width`` are ``(k, n)`` (or broadcast to it),
    ``available`` is ``(n,)``: ``n`` scenarios at once. If the supply covers every request,
    each gets its request; if it is 0 (or less), each gets 0."""
    request, ptype, priority, width = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (request, ptype, priority, width))
    )
    if request.ndim == 1:
        request, ptype, priority, width = (a[:, None] for a in (request, ptype, priority, width))
    k, n = request.shape[0], max(request.shape[1], np.size(available))
    request, ptype, priority, width = (
        np.broadcast_to(a, (k, n)) for a in (request, ptype, priority, width)
    )
    available = np.broadcast_to(np.asarray(available, dtype=float), (n,))
    wanted = request > 0
    bad = (
        np.any(request < 0, axis=0)
        | np.any(~np.isin(ptype, tuple(_CURVES)), axis=0)
        | np.any(wanted & ~(width > 0), axis=0)
        | np.isnan(available)
    )
    total = request.sum(axis=0)
    full = available >= total
    none = available <= 0
    solve = ~(full | none | bad)
    out = np.where(full, request, 0.0)
    if np.any(solve):
        cols = np.flatnonzero(solve)
        with np.errstate(all="ignore"):  # infinite priorities: NaN, as any run would give
            out[:, cols] = _clear(
                request[:, cols], ptype[:, cols], priority[:, cols], width[:, cols], available[cols]
            )
    out[:, bad] = np.nan
    return out


def _clear(request, ptype, priority, width, available) -> np.ndarray:
    """The allocations where ``0 < available < sum(request)`` in every column."""
    kinds = [t for t in _CURVES if np.any(ptype == t)]
    wanted = request > 0
    width = np.where(wanted, width, 1.0)  # a zero request takes nothing at any priority
    reach = np.select([ptype == t for t in kinds], [_REACH[t] for t in kinds]) * width
    low = np.where(wanted, priority - reach, np.inf).min(axis=0)
    high = np.where(wanted, priority + reach, -np.inf).max(axis=0)

    def demand(x: np.ndarray, cols=slice(None)) -> np.ndarray:
        """Each requester's demand at priority ``x`` (one per column of ``cols``)."""
        z = (x - priority[:, cols]) / width[:, cols]
        if len(kinds) == 1:
            share = _CURVES[kinds[0]](z)
        else:
            types = ptype[:, cols]
            share = np.select([types == t for t in kinds], [_CURVES[t](z) for t in kinds])
        return request[:, cols] * share

    # Invariant: the excess demand is above 0 at low, at or below 0 at high. Illinois steps
    # (a secant that halves the stale end's excess), a bisection whenever four steps did not
    # halve the bracket; stop at a few ulps of x or of the narrowest width. Only the columns
    # still open are computed: most close within ten steps.
    scale = np.maximum(
        np.maximum(np.abs(low), np.abs(high)), np.where(wanted, width, np.inf).min(axis=0)
    )
    tolerance = 4 * np.finfo(float).eps * scale
    excess_low, excess_high = request.sum(axis=0) - available, -available
    last = np.zeros(low.shape)  # which end moved last: -1 low, 1 high
    widths = np.tile(high - low, (4, 1))  # the bracket's last four widths
    for _ in range(_MAX_STEPS):
        cols = np.flatnonzero((high - low > tolerance) & (excess_high < 0))
        if cols.size == 0:
            break
        if cols.size == low.size:
            cols = slice(None)
        lo, hi, e_lo, e_hi = low[cols], high[cols], excess_low[cols], excess_high[cols]
        secant = (lo * e_hi - hi * e_lo) / (e_hi - e_lo)
        slow = hi - lo > 0.5 * widths[0, cols]
        x = np.where(slow | ~(secant > lo) | ~(secant < hi), 0.5 * (lo + hi), secant)
        excess = demand(x, cols).sum(axis=0) - available[cols]
        up = excess > 0
        before = last[cols]
        e_hi = np.where(up & (before == -1), 0.5 * e_hi, e_hi)
        e_lo = np.where(~up & (before == 1), 0.5 * e_lo, e_lo)
        low[cols], excess_low[cols] = np.where(up, x, lo), np.where(up, excess, e_lo)
        high[cols], excess_high[cols] = np.where(up, hi, x), np.where(up, e_hi, excess)
        last[cols] = np.where(up, -1.0, 1.0)
        widths[:, cols] = np.vstack([widths[1:, cols], high[cols] - low[cols]])
    at_low, at_high = demand(low), demand(high)
    sum_low, sum_high = at_low.sum(axis=0), at_high.sum(axis=0)
    theta = (available - sum_high) / (sum_low - sum_high)
    return np.clip(at_high + theta * (at_low - at_high), 0.0, request)  # round-off only


def allocate_at(clock, i, *args) -> np.ndarray:
    """Element ``i`` (0-based) of ALLOCATE AVAILABLE over ``k`` requesters, for the builtin
    the arrays expander writes: ``allocate_at(i, request_1..k, ptype_1..k, priority_1..k,
    width_1..k, available)``. The ``k`` elements of one call site read the same arguments, so
    the last allocations are kept in the run's clock (by their inputs) and computed once, not
    ``k`` times."""
    k, rest = divmod(len(args) - 1, 4)
    if rest or k < 1 or not 0 <= int(i) < k:
        raise ValueError(f"allocate_at: {len(args)} arguments do not make {k} requesters")
    memory = getattr(clock, "memory", None)
    kept = memory.setdefault(_CACHE, []) if memory is not None else []
    for inputs, result in kept:
        if len(inputs) == len(args) and all(map(np.array_equal, inputs, args)):
            return result[int(i)]
    columns = [np.asarray(a, dtype=float) for a in args]
    n = max(np.size(a) for a in columns)
    stacked = [np.broadcast_to(a, (n,)) for a in columns]
    parts = [np.stack(stacked[j * k : (j + 1) * k]) for j in range(4)]
    result = allocate(*parts, stacked[-1])
    if n == 1 and all(np.ndim(a) == 0 for a in args):
        result = result[:, 0]
    kept.insert(0, (tuple(np.array(a) for a in args), result))  # copies: buffers are reused
    del kept[_KEPT:]
    return result[int(i)]
