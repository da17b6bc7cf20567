"""Plan targets as data: a TOML file of targets, each a metric, a comparator and a threshold.

See ``sim/models/hexi_targets.toml`` for the format. A target's metric is an expression over
model variables; `year` and `timing` say at which model time it is read (the end of a year is
the start of the next: the 2020 year-end is time 2021.0). `evidence`, `tolerance` and
`precision` say what a verdict on it rests on and how close to the threshold is too close
to call (see `sim.plan.feasibility`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from ..errors import ParseError, UserInputError
from ..expr import Call, Name, Number, parse, walk
from ..functions import CONSTANT_NAMES, TIME_NAMES
from ..model import Constant, Model
from ..names import canonical, file_name
from ..tomlfile import read_toml

__all__ = [
    "EVIDENCE",
    "ContextVariable",
    "Evidence",
    "Lever",
    "Sector",
    "Target",
    "TargetSet",
    "lag_years",
    "load_targets",
]

Real = Annotated[float, Field(strict=True, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0)]
Evidence = Literal["identity", "scheduled", "modelled"]
EVIDENCE: tuple[Evidence, ...] = ("identity", "scheduled", "modelled")
"""What a verdict rests on: the plan's own arithmetic once its assumption is granted, an
assumed schedule, budget or land, or the model's feedback dynamics."""
TargetId = Annotated[str, AfterValidator(lambda key: file_name(key, "target id"))]
SectorId = Annotated[str, AfterValidator(lambda key: file_name(key, "sector id"))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lever(_Strict):
    """A constant the district controls, and the range searched for the value that just
    meets the target."""

    name: str
    range: tuple[Real, Real]

    @model_validator(mode="after")
    def _ordered(self) -> Lever:
        if not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [low, high] with low < high, got {list(self.range)}")
        return self


class Target(_Strict):
    """One quantitative target of the plan."""

    id: str = ""
    title: str
    sector: str
    kind: str
    evidence: Evidence
    metric: str
    year: int = 2020
    timing: Literal["year_end", "during"] = "year_end"
    over: Literal["max", "min"] | None = None
    from_year: int | None = None
    comparator: Literal[">=", "<="]
    threshold: Real
    unit: str
    quote: str
    note: str = ""
    headline: bool = False
    lever: Lever | None = None
    tolerance: NonNegative = 0.0
    """How far off the model may be, in the target's units (1 for whole counts)."""
    precision: NonNegative = 0.0
    """The threshold's reporting precision: half the last digit the plan states."""

    @model_validator(mode="after")
    def _period(self) -> Target:
        if self.over is not None and (self.from_year is None or self.from_year > self.year):
            raise ValueError("'over' needs a from_year at or before year")
        return self

    def time_of(self, year: int) -> float:
        """The model time at which the metric is read for ``year``."""
        return float(year + 1 if self.timing == "year_end" else year)

    @property
    def time(self) -> float:
        return self.time_of(self.year)

    def year_of(self, time: float) -> int:
        """The plan year a model time stands for, under this target's timing."""
        return round(time) - 1 if self.timing == "year_end" else round(time)

    @property
    def names(self) -> list[str]:
        """The model variables the metric reads."""
        node = parse(self.metric, f"targets.{self.id}.metric")
        found = [n.name for n in walk(node) if isinstance(n, Name)]
        return [n for n in dict.fromkeys(found) if n not in TIME_NAMES and n not in CONSTANT_NAMES]

    @property
    def lags(self) -> list[float]:
        """The distinct ``years`` of the metric's LAG calls (that parse as numbers)."""
        node = parse(self.metric, f"targets.{self.id}.metric")
        found = [lag_years(n) for n in walk(node) if isinstance(n, Call) and n.func == "lag"]
        return sorted({x for x in found if x is not None})

    def threshold_text(self) -> str:
        symbol = {">=": "≥", "<=": "≤"}[self.comparator]
        return f"{symbol} {self.threshold:,g} {self.unit}"


class ContextVariable(_Strict):
    """A variable drawn in a sector figure, with rows of the data file beside it."""

    variable: str
    label: str = ""
    data: list[str] = Field(default_factory=list)
    data_scale: Real = 1.0
    from_year: int | None = None
    """The first year drawn (an amount over the past year has none at the baseline)."""


class Sector(_Strict):
    title: str
    context: list[ContextVariable] = Field(default_factory=list)


class TargetSet(_Strict):
    """Every target of a plan, its sectors, and the data file the figures draw from."""

    path: Path | None = None
    data: str | None = None
    hinges: str | None = None
    sectors: dict[SectorId, Sector] = Field(default_factory=dict)
    targets: dict[TargetId, Target]  # ids name figure files

    def __iter__(self):
        return iter(self.targets.values())

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, target_id: str) -> Target:
        return self.targets[target_id]

    @property
    def data_path(self) -> Path | None:
        if self.data is None or self.path is None:
            return None
        return self.path.parent / self.data

    @property
    def hinges_path(self) -> Path | None:
        """The cache of what each verdict hinges on (`sim hinges`), beside this file."""
        if self.hinges is None or self.path is None:
            return None
        return self.path.parent / self.hinges

    @property
    def variables(self) -> list[str]:
        """Every model variable the metrics read (what a batch run must save)."""
        names = [n for t in self for n in t.names]
        return list(dict.fromkeys(names))

    def times_within(self, start: float, stop: float) -> list[float]:
        """The model times in ``[start, stop]`` the metrics and first-year search read,
        including the earlier times their LAGs look back to."""
        times = {
            t.time_of(y) - lag
            for t in self
            for y in range(t.year - 10, t.year + 1)
            for lag in (0.0, *t.lags)
        }
        return sorted(x for x in times if start - 1e-9 <= x <= stop + 1e-9)

    def check(self, model: Model) -> None:
        """Every name a target or sector uses exists in ``model``; levers are constants."""
        where = str(self.path) if self.path else None
        for target in self:
            field = f"targets.{target.id}"
            if target.sector not in self.sectors:
                raise UserInputError(
                    f"unknown sector {target.sector!r} (sectors: {', '.join(self.sectors)})",
                    file=where,
                    field=f"{field}.sector",
                )
            try:
                node = parse(target.metric, f"{field}.metric")
            except ParseError as exc:
                raise exc.located(where or "") from None
            for n in walk(node):
                if isinstance(n, Name) and n.name not in TIME_NAMES | CONSTANT_NAMES.keys():
                    _need(model, n.name, where, f"{field}.metric")
                if isinstance(n, Call) and n.func not in _METRIC_FUNCTIONS:
                    raise UserInputError(
                        f"function {n.func.upper()} cannot be used in a metric "
                        f"(allowed: {', '.join(sorted(_METRIC_FUNCTIONS)).upper()})",
                        file=where,
                        field=f"{field}.metric",
                    )
                if isinstance(n, Call) and n.func == "lag" and lag_years(n) is None:
                    raise UserInputError(
                        "LAG takes a variable or expression and a number of years >= 0, "
                        "as in LAG(stock, 1)",
                        file=where,
                        field=f"{field}.metric",
                    )
            if target.lever is not None:
                _need(model, target.lever.name, where, f"{field}.lever.name")
                if not isinstance(model[target.lever.name], Constant):
                    raise UserInputError(
                        f"lever {target.lever.name!r} is not a constant of the model",
                        file=where,
                        field=f"{field}.lever.name",
                    )
        for name, sector in self.sectors.items():
            for i, context in enumerate(sector.context):
                _need(model, context.variable, where, f"sectors.{name}.context[{i}]")


_METRIC_FUNCTIONS = {
    "min", "max", "abs", "sqrt", "exp", "ln", "log10", "safediv", "zidz", "xidz", "lag"
}  # fmt: skip


def lag_years(node: Call) -> float | None:
    """The ``years`` of ``LAG(x, years)``: a number >= 0; None when the call is malformed."""
    if len(node.args) != 2 or not isinstance(node.args[1], Number):
        return None
    years = float(node.args[1].value)
    return years if math.isfinite(years) and years >= 0 else None


def _need(model: Model, name: str, where: str | None, field: str) -> None:
    if name not in model:
        import difflib

        keys = [v.key for v in model.variables]
        close = difflib.get_close_matches(canonical(name), keys, n=1)
        hint = f"; did you mean {model[close[0]].name!r}?" if close else ""
        raise UserInputError(
            f"no variable named {name!r} in model {model.name!r}{hint}", file=where, field=field
        )


def load_targets(path: str | Path) -> TargetSet:
    """Read and validate a targets file (names are checked against a model by `check`)."""
    path = Path(path)
    data = read_toml(path)
    targets = data.get("targets")
    if isinstance(targets, dict):
        for key, spec in targets.items():
            if isinstance(spec, dict):
                spec.setdefault("id", key)
    try:
        result = TargetSet.model_validate({**data, "path": path})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"] if p != "[key]")
        reason = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            reason = f"unknown key {str(first['loc'][-1])!r}"
        raise UserInputError(reason, file=str(path), field=loc or None) from None
    for key, target in result.targets.items():
        if target.id != key:
            raise UserInputError(
                f"id {target.id!r} differs from the table name {key!r}",
                file=str(path),
                field=f"targets.{key}.id",
            )
    return result
