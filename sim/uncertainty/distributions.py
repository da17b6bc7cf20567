"""Uncertain inputs as data: a tagged union of distributions, keyed by ``dist``.

A scenario file writes, for instance::

    [uncertain]
    investment_growth = { dist = "triangular", low = 0.06, mode = 0.10, high = 0.12 }

Each distribution validates its own parameters (finite, ordered), converts to a frozen
`scipy.stats` distribution with `.frozen()`, and maps uniform numbers to values with
`.ppf(u)`. Samplers draw ``u`` in the unit hypercube and call `.ppf`, so Monte Carlo, Latin
hypercube and Sobol designs share one path from ``u`` to values (as EMA Workbench does).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from scipy import special, stats

from ..errors import UserInputError

__all__ = [
    "Choice",
    "Distribution",
    "LogNormal",
    "Triangular",
    "TruncNormal",
    "Uniform",
    "parse_distribution",
]


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    return value


Real = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False)]
NonNegative = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False, ge=0)]
Positive = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False, gt=0)]


def _span(low: float, high: float) -> None:
    """A range whose width overflows cannot be sampled (``low + u (high - low)``)."""
    if not math.isfinite(high - low):
        raise ValueError(
            f"the range from {low:g} to {high:g} is wider than the largest number; narrow it"
        )


class _Dist(BaseModel):
    """Common behaviour: validated, immutable, forbids unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def frozen(self) -> Any:
        """The equivalent frozen `scipy.stats` distribution."""
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at probabilities ``u`` (inverse CDF), as float64 of the shape of ``u``."""
        return np.asarray(self.frozen().ppf(np.asarray(u, dtype=float)), dtype=float)

    def bounds(self, coverage: float = 1.0) -> tuple[float, float]:
        """The smallest and largest value with probability ``coverage`` between them
        (the support when it is finite and ``coverage`` is 1)."""
        tail = (1.0 - coverage) / 2
        lo, hi = self.ppf(np.array([tail, 1.0 - tail]))
        return float(lo), float(hi)

    def describe(self) -> str:
        """A short label such as ``triangular(0.06, 0.1, 0.12)`` for tables and figures."""
        values = self.model_dump(exclude={"dist"}, exclude_none=True).values()
        return f"{self.dist}({', '.join(_fmt(v) for v in values)})"  # type: ignore[attr-defined]


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return f"{value:g}"


class Uniform(_Dist):
    """Every value in ``[low, high]`` equally likely: the honest choice for a bare range."""

    dist: Literal["uniform"]
    low: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        _span(self.low, self.high)
        return self

    def frozen(self) -> Any:
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        return self.low + u * (self.high - self.low)


class Triangular(_Dist):
    """A range with a most likely value ``mode``."""

    dist: Literal["triangular"]
    low: Real
    mode: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low < self.high and self.low <= self.mode <= self.high):
            raise ValueError(
                f"need low <= mode <= high and low < high, got {self.low:g}, {self.mode:g}, "
                f"{self.high:g}"
            )
        _span(self.low, self.high)
        return self

    def frozen(self) -> Any:
        width = self.high - self.low
        return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        # closed form: scipy's generic path costs more than the model run for big batches
        u = np.asarray(u, dtype=float)
        lo, mode, hi = self.low, self.mode, self.high
        left = u < (mode - lo) / (hi - lo)
        root = np.sqrt(
            np.where(left, u * ((hi - lo) * (mode - lo)), (1.0 - u) * ((hi - lo) * (hi - mode)))
        )
        return np.where(left, lo + root, hi - root)


class TruncNormal(_Dist):
    """A normal belief ``mean ± sd`` cut to the physically possible ``[low, high]``."""

    dist: Literal["truncnormal"]
    mean: Real
    sd: Positive
    low: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> TruncNormal:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        _span(self.low, self.high)
        return self

    def frozen(self) -> Any:
        a = (self.low - self.mean) / self.sd
        b = (self.high - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)


class LogNormal(_Dist):
    """A positive quantity known up to a factor: ``log X ~ N(mu, sigma)``, ``median = e^mu``.

    Give exactly one of ``median`` (more readable) or ``mu``.
    """

    dist: Literal["lognormal"]
    median: Positive | None = None
    mu: Real | None = None
    sigma: Positive

    @model_validator(mode="after")
    def _one_location(self) -> LogNormal:
        if (self.median is None) == (self.mu is None):
            raise ValueError("give exactly one of median or mu")
        return self

    @property
    def log_median(self) -> float:
        return math.log(self.median) if self.median is not None else float(self.mu)  # type: ignore[arg-type]

    def frozen(self) -> Any:
        return stats.lognorm(s=self.sigma, scale=math.exp(self.log_median))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.exp(self.log_median + self.sigma * special.ndtri(np.asarray(u, dtype=float)))


class Choice(_Dist):
    """A few discrete possibilities, equally likely unless ``weights`` are given.

    `.ppf` orders the values, so that stratified designs (LHS, Sobol) stratify them too.
    """

    dist: Literal["choice"]
    values: Annotated[list[Real], Field(min_length=1)]
    weights: list[NonNegative] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"{len(self.weights)} weights for {len(self.values)} values; give one each"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must have a positive sum")
        if len(set(self.values)) != len(self.values):
            raise ValueError("values must be distinct")
        return self

    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        values = np.asarray(self.values, dtype=float)
        weights = np.ones(len(values)) if self.weights is None else np.asarray(self.weights)
        order = np.argsort(values, kind="stable")
        p = weights[order] / weights.sum()
        return values[order], p

    def frozen(self) -> Any:
        values, p = self._table()
        return stats.rv_discrete(values=(values, p))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The smallest value whose cumulative probability reaches ``u`` (``u = 0`` gives the
        smallest value, unlike scipy's discrete convention)."""
        values, p = self._table()
        cdf = np.cumsum(p)
        index = np.searchsorted(cdf, np.asarray(u, dtype=float), side="left")
        return values[np.minimum(index, len(values) - 1)]


Distribution = Annotated[
    Uniform | Triangular | TruncNormal | LogNormal | Choice, Field(discriminator="dist")
]

_ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)


def parse_distribution(data: Any, *, file: str | None = None, field: str | None = None) -> Any:
    """A `Distribution` from plain data (a TOML table); bad data raises `UserInputError` naming
    the file, the field (``field`` plus the offending key) and the reason, in one line."""
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise validation_error(exc, file=file, field=field) from None


def validation_error(
    exc: ValidationError, *, file: str | None = None, field: str | None = None
) -> UserInputError:
    """The first error of a pydantic `ValidationError` as a one-line `UserInputError`."""
    first = exc.errors()[0]
    # The discriminator's tag (e.g. "uniform") is part of pydantic's location; drop it.
    loc = [str(p) for p in first["loc"] if p not in _TAGS]
    where = ".".join(p for p in [field, *loc] if p)
    reason = first["msg"].removeprefix("Value error, ")
    if first["type"] == "union_tag_invalid":
        reason = f"unknown dist {first['input'].get('dist')!r}; expected one of {', '.join(_TAGS)}"
    elif first["type"] == "union_tag_not_found":
        reason = f"missing 'dist'; expected one of {', '.join(_TAGS)}"
    return UserInputError(reason, file=file, field=where or None)


_TAGS = ("uniform", "triangular", "truncnormal", "lognormal", "choice")
