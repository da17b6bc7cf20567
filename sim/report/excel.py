"""An Excel workbook of DataFrames, one sheet each (openpyxl, the optional extra ``xlsx``,
imported only here)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import UserInputError
from ..results import atomic_write

__all__ = ["require_openpyxl", "write_workbook"]


def require_openpyxl() -> None:
    """Fail early, before anything runs, when the writer is missing."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise UserInputError("needs openpyxl: pip install 'sdsim[xlsx]'", field="--xlsx") from None


def write_workbook(path: str | Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """``sheets`` (name -> table) as one .xlsx file, written to a temporary file and renamed
    into place; columns sized to their contents, the header row frozen."""
    require_openpyxl()
    path = Path(path)
    with atomic_write(path, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as book:
        for name, frame in sheets.items():
            frame.to_excel(book, sheet_name=name[:31], index=False)
            sheet = book.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for i, column in enumerate(frame.columns, start=1):
                width = max([len(str(column)), *(len(str(v)) for v in frame[column].head(200))])
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(60, width + 2)
    return path
