"""Run the SDXorg XMILE test models against their canonical outputs and say why any fails.

``python -m sim.xmile.conformance [--pysd] [FOLDER]`` (``make conformance``) prints one row
per case: pass, fail (with the first mismatch, or the error, as the reason) or known failure
(with the reason recorded in `KNOWN_FAILURES`); ``--pysd`` also runs PySD on every case
(`sim.xmile.pysd_conformance`) and prints its pass count beside ours. The folder defaults
to ``../shared/conformance/xmile`` next to the repository. Values agree when
``|ours - theirs| <= 1e-4 |theirs|`` (the suite's relative tolerance) plus a round-off floor
of 1e-9 times the column's largest magnitude, so that a canonical ``1.05E-15`` matches our
``0``.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SimError
from ..model import Model
from ..names import canonical
from ..results import Result
from ..simulate import simulate
from .reader import read_xmile

__all__ = [
    "DEFAULT_FOLDER",
    "KNOWN_FAILURES",
    "RTOL",
    "Case",
    "CaseResult",
    "Expected",
    "compare_table",
    "discover",
    "main",
    "read_expected",
    "report",
    "run_case",
    "run_suite",
]

RTOL = 1e-4
FLOOR = 1e-9
DEFAULT_FOLDER = (Path(__file__).resolve().parents[2] / ".." / "shared/conformance/xmile").resolve()

KNOWN_FAILURES: dict[str, str] = {}

# Vensim's control variables: PySD-made outputs list them even when the model has none.
_CONTROLS = {"initial_time": "start", "final_time": "stop", "time_step": "dt", "saveper": "save"}


@dataclass(frozen=True)
class Case:
    """One XMILE file and the canonical output of its folder."""

    name: str
    model: Path
    expected: Path


@dataclass(frozen=True)
class Expected:
    """A canonical output: ``values[column]`` at ``times``, NaN where the cell is blank."""

    times: np.ndarray
    values: dict[str, np.ndarray]


@dataclass(frozen=True)
class CaseResult:
    case: Case
    passed: bool
    reason: str = ""
    note: str = ""
    max_error: float = 0.0

    @property
    def known(self) -> str | None:
        """The recorded reason if this case is a known failure."""
        return KNOWN_FAILURES.get(self.case.name)


def discover(
    folder: Path = DEFAULT_FOLDER, accept: Callable[[Path], bool] | None = None
) -> list[Case]:
    """Every XMILE file (or file ``accept`` takes) under ``folder`` (at any depth) beside an
    output.csv or output.tab; a case is named by its folder, plus the file's stem when the
    folder holds several models (its whole name when two share the stem)."""
    folder = Path(folder)
    accept = accept or _is_xmile
    cases = []
    for directory in sorted({p.parent for p in folder.rglob("output.*")}):
        outputs = [directory / f for f in ("output.csv", "output.tab") if (directory / f).is_file()]
        models = sorted(p for p in directory.iterdir() if accept(p))
        stems = [m.stem for m in models]
        for model in models if outputs else []:
            label = directory.relative_to(folder).as_posix()
            own = model.name if stems.count(model.stem) > 1 else model.stem  # a.xmile, a.stmx
            name = label if len(models) == 1 else f"{label}/{own}"
            cases.append(Case(name, model, outputs[0]))
    return cases


def _is_xmile(path: Path) -> bool:
    if path.suffix.lower() in {".xmile", ".stmx"}:
        return True
    return path.suffix.lower() == ".xml" and b"<xmile" in path.read_bytes()[:4096]


def read_expected(path: Path) -> Expected:
    """A canonical output; bare-CR line ends, blank cells (Vensim's "not saved") and Vensim's
    transposed layout (times across, one row per variable) are fine."""
    delimiter = "\t" if path.suffix == ".tab" else ","
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # Vensim on Windows writes its outputs in a code page
    lines = io.StringIO(text, newline=None)
    rows = [row for row in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in row)]
    if len(rows[0]) > 1 and all(_is_number(c) for c in rows[0][1:] if c.strip()):
        width = max(map(len, rows))  # Vensim's "time across" layout: one row per variable
        rows = [list(col) for col in zip(*(r + [""] * (width - len(r)) for r in rows), strict=True)]
    header, body = [h.strip() for h in rows[0]], rows[1:]
    table = np.full((len(body), len(header)), np.nan)
    for i, row in enumerate(body):
        for j, cell in enumerate(row[: len(header)]):
            if cell.strip():
                table[i, j] = _cell(cell, i + 2, header[j])
    return Expected(table[:, 0], {name: table[:, j] for j, name in enumerate(header) if j})


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cell(text: str, line: int, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"line {line}, column {column!r}: not a number: {text!r}") from None


def run_case(
    case: Case, read: Callable[..., Model] | None = None, rtol: float = RTOL
) -> CaseResult:
    """Read (with ``read``, by default `read_xmile`), simulate and compare one case (at
    relative tolerance ``rtol``); every failure becomes a result with a reason."""
    try:
        expected = read_expected(case.expected)
    except (OSError, ValueError, IndexError) as exc:
        return CaseResult(case, False, f"cannot read the canonical output: {exc}")
    try:
        model = (read or read_xmile)(case.model, validate=False)
    except SimError as exc:
        return CaseResult(case, False, f"cannot read: {exc}")
    try:
        result = simulate(model)
    except SimError as exc:
        return CaseResult(case, False, f"engine refuses the model: {exc}")
    except Exception as exc:  # a bug of ours: report it in the table, keep running the rest
        return CaseResult(case, False, f"internal error: {type(exc).__name__}: {exc}")
    return _compare(case, model, result, expected, rtol)


def _compare(
    case: Case, model: Model, result: Result, expected: Expected, rtol: float
) -> CaseResult:
    def column_of(column: str, rows: np.ndarray) -> np.ndarray | None:
        return _ours(column, model, result, rows)

    return compare_table(case, result.times, column_of, model.time.dt, expected, rtol)


def compare_table(
    case: Case,
    times: np.ndarray,
    column_of: Callable[[str, np.ndarray], np.ndarray | None],
    dt: float,
    expected: Expected,
    rtol: float = RTOL,
) -> CaseResult:
    """Compare a run saved at ``times`` (``column_of(column, rows)``: a canonical column's
    values at those rows, None if the run has no such column) with ``expected``, by the
    suite's rules; shared by our runs and PySD's (`sim.xmile.pysd_conformance`)."""
    rows = _rows(times, expected.times, dt)
    if isinstance(rows, str):
        return CaseResult(case, False, rows)
    worst, missing, failures = 0.0, [], []
    for column, theirs in expected.values.items():
        ours = column_of(column, rows)
        if ours is None:
            missing.append(column)
            continue
        error, failure = _column_error(column, ours, theirs, expected.times, rtol)
        worst = max(worst, error)
        if failure:
            failures.append(failure)
    note = f"not in the model, skipped: {', '.join(missing)}" if missing else ""
    if len(missing) == len(expected.values):
        return CaseResult(case, False, "no column of the canonical output is in the model")
    if failures:
        more = f" (and {len(failures) - 1} more columns)" if len(failures) > 1 else ""
        return CaseResult(case, False, failures[0] + more, note, worst)
    return CaseResult(case, True, "", note, worst)


def _rows(ours: np.ndarray, theirs: np.ndarray, dt: float) -> np.ndarray | str:
    """Our row for each canonical time; outputs round times (10.0312 for 10.03125)."""
    rows = np.clip(np.searchsorted(ours, theirs), 1, len(ours) - 1)
    rows = np.where(np.abs(ours[rows - 1] - theirs) <= np.abs(ours[rows] - theirs), rows - 1, rows)
    off = np.abs(ours[rows] - theirs) > np.minimum(RTOL * np.maximum(1.0, np.abs(theirs)), dt / 2)
    if off.any():
        t = theirs[np.argmax(off)]
        return (
            f"canonical time {t:g} is not on our time axis ({ours[0]:g} to {ours[-1]:g}, dt {dt:g})"
        )
    return rows


def _ours(column: str, model: Model, result: Result, rows: np.ndarray) -> np.ndarray | None:
    key = canonical(column)
    if (key in model or "[" in key) and any(canonical(n) == key for n in result.names):
        return result[column][rows, 0]
    if key in _CONTROLS and key not in model:
        spec = model.time
        value = {"start": spec.start, "stop": spec.stop, "dt": spec.dt,
                 "save": spec.save_step or spec.dt}[_CONTROLS[key]]  # fmt: skip
        return np.full(len(rows), value)
    return None


def _column_error(
    column: str, ours: np.ndarray, theirs: np.ndarray, times: np.ndarray, rtol: float = RTOL
) -> tuple[float, str]:
    """The largest relative error over the column's non-blank cells, and a failure message."""
    given = ~np.isnan(theirs)
    if not given.any():
        return 0.0, ""
    floor = FLOOR * max(1.0, float(np.max(np.abs(theirs[given]))))
    gap = np.abs(ours - theirs)
    bad = given & ~(gap <= rtol * np.abs(theirs) + floor)
    relative = np.where(given, gap / np.maximum(np.abs(theirs), floor), 0.0)
    error = float(np.nanmax(relative)) if np.isfinite(relative).all() else math.inf
    if not bad.any():
        return error, ""
    i = int(np.argmax(bad))
    return error, (
        f"{column!r} differs at {int(bad.sum())} of {int(given.sum())} times, first at "
        f"t={times[i]:g}: expected {theirs[i]:.6g}, got {ours[i]:.6g}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the pass/fail table; exit 1 on an unexpected failure or an unexpected pass."""
    return run_suite("XMILE", argv, DEFAULT_FOLDER, discover, run_case, KNOWN_FAILURES)


def run_suite(
    title: str,
    argv: Sequence[str] | None,
    default: Path,
    cases: Callable[[Path], list[Case]],
    run: Callable[[Case], CaseResult],
    known_failures: Mapping[str, str],
    pysd_reader: str = "read_xmile",
) -> int:
    """The command line of a conformance runner: ``[FOLDER]`` (``default`` if not given, and
    nothing to do if absent), every case run and the table printed by `report`; with
    ``--pysd``, PySD (``pysd.<pysd_reader>``) also runs every case and the two pass counts
    follow (exit 2 if pysd is not installed)."""
    from . import pysd_conformance  # it imports this module

    prog = f"python -m sim.{title.lower()}.conformance"
    parser = argparse.ArgumentParser(prog=prog, description=f"{title} conformance cases.")
    parser.add_argument("folder", nargs="?", type=Path, default=default)
    parser.add_argument("--pysd", action="store_true", help="also run PySD on every case")
    args = parser.parse_args(argv)
    folder = args.folder
    if args.pysd and pysd_conformance.load_pysd() is None:
        print(f"{prog}: --pysd: pysd is not installed (pip install -e '.[dev]')", file=sys.stderr)
        return 2
    if not folder.is_dir():
        print(f"conformance folder {folder} is absent: nothing to run")
        return 0
    found = cases(folder)
    results = [run(case) for case in found]
    status = report(title, folder, results, known_failures)
    if args.pysd:
        theirs = [pysd_conformance.run_pysd_case(case, pysd_reader) for case in found]
        pysd_conformance.print_comparison(title, results, theirs)
    return status


def report(
    title: str, folder: Path, results: list[CaseResult], known_failures: Mapping[str, str]
) -> int:
    """Print the table of ``results``; 1 on an unexpected failure or an unexpected pass."""
    width = max([len(r.case.name) for r in results] + [4])
    print(f"{title} conformance: {folder} ({len(results)} cases, relative tolerance {RTOL:g})")
    print(f"{'case':<{width}}  {'result':<13}  {'max rel err':>11}  reason / note")
    for r in results:
        verdict = _verdict(r, known_failures.get(r.case.name))
        print(f"{r.case.name:<{width}}  {verdict:<13}  {r.max_error:>11.2g}  "
              f"{r.reason if not r.passed else r.note}")  # fmt: skip
    passed = sum(r.passed for r in results)
    known = sum(not r.passed and r.case.name in known_failures for r in results)
    unexpected = [r for r in results if r.passed == (r.case.name in known_failures)]
    print(f"{title}: {passed} passed, {len(results) - passed} failed ({known} known) of "
          f"{len(results)}")  # fmt: skip
    for r in (r for r in results if not r.passed and r.case.name in known_failures):
        print(f"  known failure {r.case.name}: {known_failures[r.case.name]}")
    return 1 if unexpected else 0


def _verdict(r: CaseResult, known: str | None) -> str:
    if r.passed:
        return "PASS" if known is None else "XPASS (stale)"
    return "known failure" if known is not None else "FAIL"


if __name__ == "__main__":
    sys.exit(main())
