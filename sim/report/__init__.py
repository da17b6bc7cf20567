"""What a person reads: parameter tables, comparisons, figures from the API's objects, the
self-contained HTML report and the Excel workbook (openpyxl, imported only when asked)."""

from __future__ import annotations

__all__: list[str] = []
