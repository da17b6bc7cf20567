"""Vensim's GET DIRECT / GET XLS functions: constants, time series and lookups read from a
spreadsheet (``.xlsx`` through openpyxl, ``.xls`` through xlrd: the ``excel`` extra, imported
only when a model reads one) or a text table (``.csv``, ``.tab``, ``.txt`` through pandas).

A cell is given as ``'B5'`` or as a named range of the workbook; a trailing ``*`` reads a
one-dimensional variable down a column instead of along a row (and transposes a table). A time
series or lookup names its x axis by a row number (``'4'``: the series run along rows) or a
column letter (``'A'``: they run down columns) and the cell of its first value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..errors import ModelError

__all__ = ["GET_FUNCTIONS", "Sheet", "read_constants", "read_series"]

GET_FUNCTIONS = {
    "get_direct_constants": "constants",
    "get_xls_constants": "constants",
    "get_direct_data": "data",
    "get_xls_data": "data",
    "get_direct_lookups": "lookups",
    "get_xls_lookups": "lookups",
}
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_TEXT_SUFFIXES = {".csv": ",", ".tab": "\t", ".txt": "\t"}


@dataclass(frozen=True)
class Sheet:
    """A sheet's values as floats (NaN where blank or not a number), row 0 = row 1."""

    values: np.ndarray
    names: dict[str, tuple[int, int, int, int]]  # named ranges: first and last row, column

    def get(self, row: int, column: int) -> float:
        if 0 <= row < self.values.shape[0] and 0 <= column < self.values.shape[1]:
            return float(self.values[row, column])
        return math.nan


def _float(value) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _grid(rows: list[list]) -> np.ndarray:
    width = max((len(r) for r in rows), default=0)
    grid = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            grid[i, j] = _float(value)
    return grid


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - ord("A") + 1
    return number - 1


@cache
def _load(path: Path, sheet: str, mtime: float) -> Sheet:
    suffix = path.suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        import pandas as pd

        separator = sheet if sheet in {",", ";", "\t", " "} else _TEXT_SUFFIXES[suffix]
        frame = pd.read_csv(path, sep=separator, header=None, skip_blank_lines=False, dtype=str)
        return Sheet(_grid(frame.to_numpy().tolist()), {})
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx(path, sheet)
    if suffix == ".xls":
        return _xls(path, sheet)
    raise ModelError(f"{path.name}: cannot read {suffix} files (xlsx, xls, csv, tab)")


def _xlsx(path: Path, sheet: str) -> Sheet:
    try:
        import openpyxl
    except ImportError:
        raise ModelError(
            f"{path.name}: reading Excel files needs openpyxl: pip install 'sdsim[excel]'"
        ) from None
    book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    if sheet not in book.sheetnames:
        raise ModelError(f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    ws = book[sheet]
    rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
    names = {}
    scoped = getattr(ws, "defined_names", {})  # names local to the sheet (openpyxl >= 3.1)
    for name, defined in [*book.defined_names.items(), *scoped.items()]:
        for title, ref in defined.destinations:
            area = _area(ref)
            if title == sheet and area is not None:
                names[name.lower()] = area
    return Sheet(_grid(rows), names)


def _area(ref: str) -> tuple[int, int, int, int] | None:
    """``$B$3:$D$5`` (or one cell) as 0-based first and last row and column."""
    corners = [_CELL.match(part) for part in ref.split(":")]
    if not all(corners) or not 1 <= len(corners) <= 2:
        return None
    first, last = corners[0], corners[-1]
    return (int(first.group(2)) - 1, _column_number(first.group(1)),
            int(last.group(2)) - 1, _column_number(last.group(1)))  # fmt: skip


def _xls(path: Path, sheet: str) -> Sheet:
    try:
        import xlrd
    except ImportError:
        raise ModelError(
            f"{path.name}: reading .xls files needs xlrd: pip install 'sdsim[excel]'"
        ) from None
    book = xlrd.open_workbook(str(path))
    if sheet not in book.sheet_names():
        raise ModelError(
            f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(book.sheet_names())})"
        )
    ws = book.sheet_by_name(sheet)
    rows = [ws.row_values(i) for i in range(ws.nrows)]
    names = {}
    index = book.sheet_names().index(sheet)
    for name, entries in book.name_map.items():
        for entry in entries:
            try:
                owner, row, row_end, column, column_end = entry.area2d()
            except Exception:  # a name that is a formula, not a range
                continue
            if owner.name == book.sheet_by_index(index).name:
                names[name.lower()] = (row, column, row_end - 1, column_end - 1)
    return Sheet(_grid(rows), names)


def sheet(folder: Path | None, file: str, sheet_name: str) -> Sheet:
    """The sheet ``sheet_name`` of ``file`` (relative to the model's ``folder``)."""
    path = Path(file)
    if not path.is_absolute():
        path = (folder or Path.cwd()) / path
    if not path.is_file():
        raise ModelError(f"data file {file!r} not found (looked in {path.parent})")
    try:
        return _load(path, sheet_name, path.stat().st_mtime)
    except ModelError:
        raise
    except Exception as exc:  # a corrupt or unreadable file: one line naming it
        raise ModelError(f"{path.name}: cannot read: {exc}") from None


def _cell(sh: Sheet, ref: str) -> tuple[int, int, bool]:
    """(row, column, transposed) of a cell reference or a named range, ``*`` for down."""
    text = ref.strip()
    transposed = text.endswith("*")
    text = text.rstrip("*").strip()
    match = _CELL.match(text)
    if match:
        return int(match.group(2)) - 1, _column_number(match.group(1)), transposed
    if text.lower() in sh.names:
        row, column, _, _ = sh.names[text.lower()]
        return row, column, transposed
    raise ModelError(f"{ref!r} is neither a cell (such as B5) nor a named range of the sheet")


def read_constants(sh: Sheet, ref: str, shape: tuple[int, ...]) -> np.ndarray:
    """The values of a variable of ``shape`` (its ranges' sizes, () for one value) from
    ``ref``: a row (a column with ``*``) for one range, rows by columns for two."""
    row, column, transposed = _cell(sh, ref)
    if len(shape) > 2:
        raise ModelError("GET … CONSTANTS reads at most two subscript ranges at once")
    rows, cols = (1, 1) if not shape else (1, shape[0]) if len(shape) == 1 else shape
    if transposed:
        rows, cols = cols, rows
    block = np.array([[sh.get(row + i, column + j) for j in range(cols)] for i in range(rows)])
    if transposed:
        block = block.T
    values = block.reshape(shape)
    if np.isnan(values).any():
        raise ModelError(f"a cell of {ref!r} ({int(np.isnan(values).sum())} of {values.size}) "
                         "is blank or not a number")  # fmt: skip
    return values


def read_series(sh: Sheet, axis: str, ref: str, shape: tuple[int, ...]):
    """A time series or lookup: its x values and, for each element of ``shape``, its y
    values (NaN where missing). ``axis`` is the row number or the column letter of x."""
    row, column, _ = _cell(sh, ref)
    count = math.prod(shape)
    text = axis.strip()
    named = sh.names.get(text.lower())
    if named is not None:  # a named range: a row of x values unless it is a column
        text = str(named[0] + 1) if named[0] == named[2] else _column_letters(named[1])
    if text.isdigit():  # x along a row, one row of values per element
        x_row = int(text) - 1
        columns = range(column, sh.values.shape[1])
        x = np.array([sh.get(x_row, c) for c in columns])
        ys = np.array([[sh.get(row + k, c) for c in columns] for k in range(count)])
    elif re.fullmatch(r"[A-Za-z]{1,3}", text):  # x down a column
        x_column = _column_number(text)
        rows = range(row, sh.values.shape[0])
        x = np.array([sh.get(r, x_column) for r in rows])
        ys = np.array([[sh.get(r, column + k) for r in rows] for k in range(count)])
    else:
        raise ModelError(f"{axis!r} is neither a row number nor a column letter")
    end = len(x)
    while end and np.isnan(x[end - 1]):
        end -= 1
    if end == 0:
        raise ModelError(f"no x values (times) at {axis!r} beside {ref!r}")
    return x[:end], ys[:, :end].reshape((*shape, end))  # NaN x or y: a missing point


def _column_letters(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
