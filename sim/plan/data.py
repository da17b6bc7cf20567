"""The data file beside a model (``hexi_data.csv``): figures found, with their sources, and
the model's values next to the measured ones (a back-test)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..results import Result
from .targets import TargetSet

__all__ = ["Comparison", "DataRow", "compare_with_data", "read_data"]


@dataclass(frozen=True)
class DataRow:
    quantity: str
    year: int
    value: float
    unit: str
    kind: str  # actual, estimate or target
    source: str


@dataclass(frozen=True)
class Comparison:
    """A model value next to a measured figure of the same year."""

    variable: str
    year: int
    model: float
    row: DataRow
    scale: float

    @property
    def gap(self) -> float:
        return self.model - self.row.value * self.scale

    def to_dict(self) -> dict:
        return {
            "variable": self.variable,
            "year": self.year,
            "model": self.model,
            "quantity": self.row.quantity,
            "kind": self.row.kind,
            "value": self.row.value * self.scale,
            "gap": self.gap,
            "source": self.row.source,
        }

    def describe(self) -> str:
        measured = self.row.value * self.scale
        share = self.gap / measured
        return (
            f"{self.variable} {self.year}: model {self.model:,.6g} vs {self.row.quantity} "
            f"{measured:,.6g} ({self.row.kind}): gap {_signed(self.gap)} ({share:+.2%})"
        )


def read_data(path: Path | None) -> list[DataRow]:
    """Rows of a data CSV (quantity, year, value, unit, kind, source); none if no file."""
    if path is None or not path.is_file():
        return []
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                rows.append(
                    DataRow(
                        row["quantity"],
                        int(row["year"]),
                        float(row["value"]),
                        row["unit"],
                        row["kind"],
                        row["source"],
                    )
                )
            except (KeyError, ValueError):
                continue
    return rows


def compare_with_data(result: Result, targets: TargetSet, kind: str = "actual") -> list[Comparison]:
    """Every measured figure (``kind``) drawn beside a sector's context variable, with the
    model's value of the same plan year (levels at the year's end, rates during the year)."""
    rows = read_data(targets.data_path)
    out = []
    for sector in targets.sectors.values():
        for context in sector.context:
            name = context.variable
            units = result.units.get(result.names[result.index(name)], "")
            rate = units.replace(" ", "").endswith(("/yr", "/year"))
            for row in rows:
                if row.quantity not in context.data or row.kind != kind:
                    continue
                time = float(row.year if rate else row.year + 1)
                hits = np.flatnonzero(np.isclose(result.times, time))
                if len(hits):
                    model = float(result[name][hits[0], 0])
                    out.append(Comparison(name, row.year, model, row, context.data_scale))
    return out


def _signed(x: float) -> str:
    return f"{x:+,.0f}" if abs(x) >= 1000 else f"{x:+.4g}"
