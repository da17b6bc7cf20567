"""Write what a feasibility run found into a results folder: the verdicts, the trajectories,
the parameters used, the figures and a manifest of the inputs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..outputs import RunFolder, manifest
from ..tidy import TRAJECTORY_COLUMNS, dimension_names, tidy_rows, trajectory_columns
from .feasibility import ScenarioVerdict

__all__ = ["TARGET_COLUMNS", "trajectory_rows", "write_comparison", "write_scenario"]

TARGET_COLUMNS = (
    "scenario",
    "id",
    "title",
    "sector",
    "evidence",
    "comparator",
    "threshold",
    "unit",
    "value",
    "met",
    "status",
    "band",
    "margin",
    "margin_relative",
    "first_year_met",
    "lost_year",
    "hinges",
    "lever",
    "lever_status",
    "required_lever",
    "lever_side",
    "quote",
)


def write_scenario(
    verdict: ScenarioVerdict,
    root: Path,
    run_id: str,
    *,
    argv: Sequence[str] | None = None,
    figures: bool = True,
    xlsx: bool = False,
) -> Path:
    """``root/<scenario>/<run_id>/``: manifest.json, targets.csv, trajectories.csv,
    parameters.csv, the figures and (``xlsx``) results.xlsx; renamed into place only when all
    is written."""
    s = verdict.scenario
    with RunFolder(root, s.name, run_id) as folder:
        folder.write_csv("targets.csv", TARGET_COLUMNS, _target_rows([verdict]))
        folder.write_csv(
            "trajectories.csv",
            trajectory_columns(dimension_names(s.model)),
            trajectory_rows(verdict),
        )
        folder.write_csv(
            "parameters.csv",
            ("name", "value", "units", "set_by", "source", "range"),
            _parameter_rows(verdict),
        )
        written = ["targets.csv", "trajectories.csv", "parameters.csv"]
        if xlsx:
            _workbook(folder, [verdict])
            written.append("results.xlsx")
        if figures:
            from .figures import sector_figures, verdict_figure  # matplotlib only when drawing

            target = folder.file("figures")
            target.mkdir(exist_ok=True)
            paths = sector_figures(verdict, target)
            paths.append(verdict_figure(verdict, target / "verdict.png"))
            written += [f"figures/{p.name}" for p in paths]
        folder.write_json(
            "manifest.json",
            manifest(
                run_id=run_id,
                inputs=_inputs([verdict]),
                argv=argv,
                extra={
                    "scenario": s.name,
                    "method": s.method,
                    "dt": s.dt,
                    "verdict": verdict.summary(),
                    "files": written,
                },
            ),
        )
    return folder.final


def write_comparison(
    verdicts: Sequence[ScenarioVerdict],
    root: Path,
    run_id: str,
    *,
    argv: Sequence[str] | None = None,
    figures: bool = True,
    xlsx: bool = False,
) -> Path:
    """``root/comparison/<run_id>/``: every scenario's verdicts in one table, and the figure
    comparing scenarios on the headline targets."""
    with RunFolder(root, "comparison", run_id) as folder:
        folder.write_csv("targets.csv", TARGET_COLUMNS, _target_rows(verdicts))
        written = ["targets.csv"]
        if xlsx:
            _workbook(folder, verdicts)
            written.append("results.xlsx")
        if figures and any(t.headline for t in verdicts[0].targets):
            from .figures import comparison_figure

            target = folder.file("figures")
            target.mkdir(exist_ok=True)
            comparison_figure(verdicts, target / "headline_targets.png")
            written.append("figures/headline_targets.png")
        folder.write_json(
            "manifest.json",
            manifest(
                run_id=run_id,
                inputs=_inputs(verdicts),
                argv=argv,
                extra={
                    "scenarios": [v.scenario.name for v in verdicts],
                    "verdicts": {v.scenario.name: v.summary() for v in verdicts},
                    "files": written,
                },
            ),
        )
    return folder.final


def trajectory_rows(verdict: ScenarioVerdict, *, whole_run: bool = False):
    """Tidy rows (scenario, variable, year, value, unit) of every stock, flow and auxiliary,
    labelled by the convention of `sim.years` (a level by the year whose end it measures, a
    rate by the year it occurs in), inside the plan period unless ``whole_run``."""
    s = verdict.scenario
    for row in tidy_rows(verdict.result, s.model, [s.name], whole_run=whole_run):
        yield (*row[:3], _num(row[3]), *row[4:])


def _workbook(folder: RunFolder, verdicts: Sequence[ScenarioVerdict]) -> None:
    """results.xlsx: verdicts, trajectories and parameters as sheets, as the API gives them."""
    import pandas as pd

    from ..api import verdict_frame
    from ..report.excel import write_workbook
    from ..report.params import parameter_frame

    trajectories = [row for v in verdicts for row in trajectory_rows(v)]
    write_workbook(
        folder.file("results.xlsx"),
        {
            "verdicts": verdict_frame(verdicts),
            "trajectories": pd.DataFrame(
                [(*r[:3], float(r[3]) if r[3] else None, *r[4:5]) for r in trajectories],
                columns=list(TRAJECTORY_COLUMNS),
            ),
            "parameters": pd.concat(
                [parameter_frame(v.scenario).assign(scenario=v.scenario.name) for v in verdicts]
            ),
        },
    )


def _target_rows(verdicts: Sequence[ScenarioVerdict]):
    for verdict in verdicts:
        for v in verdict.verdicts:
            t, lever = v.target, v.lever
            yield (
                verdict.scenario.name,
                t.id,
                t.title,
                t.sector,
                t.evidence,
                t.comparator,
                _num(t.threshold),
                t.unit,
                _num(v.value),
                v.met,
                v.standing,
                _num(v.band),
                _num(v.margin),
                _num(v.margin_relative),
                "" if v.first_year_met is None else v.first_year_met,
                "" if v.lost_year is None else v.lost_year,
                "" if v.hinges is None else "; ".join(v.hinges),
                "" if lever is None else lever.name,
                "" if lever is None else lever.status,
                "" if lever is None or lever.value is None else _num(lever.value),
                "" if lever is None or lever.side is None else lever.side,
                t.quote,
            )


def _parameter_rows(verdict: ScenarioVerdict):
    s = verdict.scenario
    for c in s.model.constants:
        if c.name in s.parameters:
            value, set_by = s.parameters[c.name], str(s.origin[c.name])
        else:
            value, set_by = c.value, "model"
        span = "" if c.range is None else f"{c.range[0]:g} to {c.range[1]:g}"
        yield (c.name, _num(value), c.units, set_by, c.source, span)
    for name, spec in s.inputs.items():
        what = spec.equation or f"times {spec.times}, values {spec.values} ({spec.kind})"
        yield (
            name,
            "",
            s.model[name].units,
            str(s.origin[name]),
            f"time-varying input: {what}",
            "",
        )


def _inputs(verdicts: Sequence[ScenarioVerdict]) -> list[tuple[str, Path]]:
    seen: dict[Path, str] = {}
    for verdict in verdicts:
        s = verdict.scenario
        for i, file in enumerate(s.files):
            seen.setdefault(file, "scenario" if i == 0 else "extends")
        if s.model_path is not None:
            seen.setdefault(s.model_path, "model")
        if verdict.targets.path is not None:
            seen.setdefault(verdict.targets.path, "targets")
        data = verdict.targets.data_path
        if data is not None and data.is_file():
            seen.setdefault(data, "data")
    return [(role, path) for path, role in seen.items()]


def _num(x: float | None) -> str:
    if x is None or not np.isfinite(x):
        return ""
    return repr(float(x))
