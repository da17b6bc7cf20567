"""Run PySD on the conformance cases and judge it by our own rules (``--pysd``).

The conformance runners set PySD's pass count beside ours: each case is read by
``pysd.read_xmile`` or ``pysd.read_vensim`` in a temporary copy of its folder (PySD writes its
translation next to the model, and the shared folder stays untouched), run, and compared with
the canonical output by `sim.xmile.conformance.compare_table`, the comparison our runs use.
PySD (the dev extra) is imported lazily; its warnings and prints are silenced, and an error or
a run over `TIMEOUT` seconds is a failure with its reason.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import shutil
import signal
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from ..names import canonical
from .conformance import Case, CaseResult, compare_table, read_expected

__all__ = ["TIMEOUT", "load_pysd", "print_comparison", "run_pysd_case"]

TIMEOUT = 60.0


class _Timeout(BaseException):
    """Raised in PySD's run by the alarm; a BaseException so that PySD's handlers pass it on."""


def load_pysd() -> ModuleType | None:
    """The pysd module, or None if it is not installed."""
    try:
        with _quiet():  # its imports warn (chardet's deprecations)
            return importlib.import_module("pysd")
    except ImportError:
        return None


def run_pysd_case(case: Case, reader: str, timeout: float = TIMEOUT) -> CaseResult:
    """PySD's verdict on ``case``: read with ``pysd.<reader>``, run, compared as ours are."""
    pysd = load_pysd()
    if pysd is None:
        return CaseResult(case, False, "pysd is not installed")
    try:
        expected = read_expected(case.expected)
    except (OSError, ValueError, IndexError) as exc:
        return CaseResult(case, False, f"cannot read the canonical output: {exc}")
    with tempfile.TemporaryDirectory(prefix="sim-pysd-") as tmp:
        copy = Path(tmp) / case.model.parent.name
        shutil.copytree(case.model.parent, copy)
        try:
            with _quiet(), _deadline(timeout):
                model = getattr(pysd, reader)(str(copy / case.model.name))
                frame = model.run()
                dt = float(model.components.time_step())
        except _Timeout:
            return CaseResult(case, False, f"skipped: PySD took over {timeout:g} s")
        except Exception as exc:  # any PySD failure is a failed case, never a crash
            text = str(exc).strip().splitlines()
            return CaseResult(
                case, False, f"PySD error: {type(exc).__name__}: {text[0] if text else ''}"[:200]
            )
    times = frame.index.to_numpy(dtype=float)
    columns = {canonical(str(c)): c for c in frame.columns}

    def column_of(column: str, rows: np.ndarray) -> np.ndarray | None:
        name = columns.get(canonical(column))
        if name is None:
            return None
        return np.asarray(frame[name].to_numpy(), dtype=float)[rows]

    try:
        return compare_table(case, times, column_of, dt, expected)
    except (TypeError, ValueError) as exc:  # a column PySD gives that is not numbers
        return CaseResult(case, False, f"PySD output not comparable: {exc}")


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        with contextlib.redirect_stderr(io.StringIO()):
            yield


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise `_Timeout` after ``seconds`` (only in the main thread, where alarms work)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def ring(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def print_comparison(title: str, ours: Sequence[CaseResult], theirs: Sequence[CaseResult]) -> None:
    """``ours N of M, PySD K of M``, then each case where exactly one of the two passes."""
    total = len(ours)
    print(f"{title}: ours {sum(r.passed for r in ours)} of {total}, "
          f"PySD {sum(r.passed for r in theirs)} of {total}")  # fmt: skip
    for a, b in zip(ours, theirs, strict=True):
        if a.passed != b.passed:
            loser = b if a.passed else a
            who = "PySD fails" if a.passed else "ours fails"
            print(f"  {a.case.name}: {who}: {loser.reason}")
