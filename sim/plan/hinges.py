"""What each verdict hinges on: a cached sensitivity run, used only while its inputs are unchanged.

`sim hinges SCENARIO` (see `sim.cli.hinges`) ranks, for every target, the uncertain inputs by
their total-order Sobol index of the met/missed outcome (of the metric when no input changes
the outcome) and writes the top ones to a JSON cache beside the targets file (its `hinges`
key), with the SHA-256 of every file the run read: model, targets, the scenario and the files
it extends. `sim run` reads the cache and names each target's hinges, unless one of those
files changed since: then the cache is stale and says which file changed. Paths in the cache
are relative to its folder, so a checkout anywhere can check it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..outputs import file_sha256, write_text_atomic
from .targets import TargetSet

__all__ = [
    "HINGE_FLOOR",
    "HINGE_TOP",
    "HingeCache",
    "Ranked",
    "hinges_data",
    "read_hinges",
    "write_hinges",
]

HINGE_TOP = 3
HINGE_FLOOR = 0.01
"""Inputs explaining less than 1 % of the variance (total-order index) are not named."""


@dataclass(frozen=True)
class Ranked:
    """One input's total-order index for one target, with its bootstrap interval."""

    name: str
    total: float
    low: float
    high: float


@dataclass(frozen=True)
class HingeCache:
    """A read cache: usable (``stale`` is None) or the one reason it is not."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    stale: str | None = None

    def for_target(self, target_id: str) -> list[str] | None:
        """The names of the inputs ``target_id`` hinges on; None when the cache is stale or
        does not know the target."""
        entry = self.data.get("targets", {}).get(target_id)
        if self.stale is not None or entry is None:
            return None
        return [i["name"] for i in entry["inputs"]]

    def describe(self) -> str:
        """One line: what the hinges were computed from, or why they are left out."""
        if self.stale is not None:
            return self.stale
        d = self.data
        return (
            f"hinges: total-order Sobol index of met/missed in scenario {d['scenario']!r} "
            f"({d['runs']:,} runs, seed {d['seed']}; {_relative(self.path)})"
        )


def hinges_data(
    ranking: dict[str, tuple[str, Sequence[Ranked]]],
    files: Sequence[tuple[str, Path]],
    cache: Path,
    *,
    scenario: str,
    command: str,
    samples: int,
    runs: int,
    seed: int,
) -> dict[str, Any]:
    """The cache's JSON: per target ``{"outcome": "met" | "metric", "inputs": [...]}``, the
    top `HINGE_TOP` inputs of at least `HINGE_FLOOR`, and the files with their hashes."""
    targets = {
        tid: {
            "outcome": outcome,
            "inputs": [
                {"name": r.name, "ST": r.total, "ST_low": r.low, "ST_high": r.high}
                for r in ranked
                if r.total >= HINGE_FLOOR
            ][:HINGE_TOP],
        }
        for tid, (outcome, ranked) in ranking.items()
    }
    return {
        "about": "What each target's verdict hinges on most: the uncertain inputs with the "
        "largest total-order Sobol index of its met/missed outcome (of its metric when no "
        "input changes the outcome). Regenerate with the command below.",
        "command": command,
        "scenario": scenario,
        "method": "sobol",
        "samples": samples,
        "runs": runs,
        "seed": seed,
        "top": HINGE_TOP,
        "floor": HINGE_FLOOR,
        "files": [
            {"role": role, "path": _portable(path, cache.parent), "sha256": file_sha256(path)}
            for role, path in files
        ],
        "targets": targets,
    }


def write_hinges(path: Path, data: dict[str, Any]) -> Path:
    return write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_hinges(targets: TargetSet, model_path: Path | None) -> HingeCache | None:
    """The cache the targets file names (None when it names none), checked against the files
    it was computed from and against ``model_path``, the model being judged."""
    path = targets.hinges_path
    if path is None:
        return None
    if not path.is_file():
        return HingeCache(path, stale=f"no hinges cache at {_relative(path)}; {_advice(None)}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = [(f["role"], path.parent / f["path"], f["sha256"]) for f in data["files"]]
        if not isinstance(data["targets"], dict):
            raise TypeError("targets")
    except (OSError, ValueError, KeyError, TypeError):
        return HingeCache(path, stale=f"hinges cache {_relative(path)} is unreadable; rerun it")
    advice = _advice(next((p for role, p, _ in files if role == "scenario"), None))
    for _, file, digest in files:
        if not file.is_file():
            return HingeCache(path, data, f"hinges cache is stale: {_relative(file)} is missing")
        if file_sha256(file) != digest:
            return HingeCache(
                path, data, f"hinges cache is stale: {_relative(file)} changed; {advice}"
            )
    models = [digest for role, _, digest in files if role == "model"]
    if model_path is not None and models and file_sha256(model_path) not in models:
        return HingeCache(
            path, data, f"hinges cache was computed for another model than {_relative(model_path)}"
        )
    return HingeCache(path, data)


def _advice(scenario: Path | None) -> str:
    what = "SCENARIO" if scenario is None else _relative(scenario)
    return f"run `sim hinges {what}`"


def _portable(path: Path, base: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()


def _relative(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else as given."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
