"""``sim calibrate SCENARIO --data OBS.csv --fit NAME[,NAME…]``: fit constants to data.

Bounded weighted least squares within each constant's declared range, from the scenario's
values. Prints the estimates with 95 % intervals (Jacobian; profile likelihood with
``--profile``), MAPE, R², Theil's decomposition and identifiability warnings; writes
``<out>/<scenario>/<run-id>-calibrate/`` with ``calibrated.toml`` (a scenario extending the
input with the fitted values), ``calibration.json``, ``observations.csv`` and ``figures/fit.png``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UserInputError
from ..outputs import RunFolder, manifest, new_run_id

if TYPE_CHECKING:  # the command imports its machinery when it runs, not when `sim` starts
    from ..calibration.fit import CalibrationResult

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="fit constants to observed data (bounded weighted least squares)",
        description="Fit constants of a scenario to an observations file, within each "
        "constant's declared range, and write a calibrated scenario.",
    )
    parser.add_argument("scenario", help="the scenario file to calibrate")
    parser.add_argument("--data", required=True, help="observations CSV (see README)")
    parser.add_argument("--fit", required=True, help="constants to fit: NAME[,NAME...]")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="all",
        help="also profile-likelihood intervals for NAME[,NAME...] (all fitted when bare)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--out", default="results", help="results root: writes <out>/<scenario>/<run-id>/"
    )
    parser.add_argument("--no-figures", action="store_true", help="write no figures")
    parser.set_defaults(func=run)


def _names(text: str, option: str) -> list[str]:
    names = [n.strip() for n in text.split(",")]
    if not all(names):
        raise UserInputError(f"an empty name in {text!r}", field=option)
    return names


def run(args: argparse.Namespace) -> int:
    from ..calibration.fit import calibrate
    from ..calibration.observations import load_observations
    from ..scenario import load_scenario

    path = Path(args.scenario)
    if not path.is_file():
        raise UserInputError("no such scenario file", file=str(path))
    scenario = load_scenario(path)
    observations = load_observations(args.data, scenario.model, dt=scenario.dt)
    fit = _names(args.fit, "--fit")
    profile: list[str] | bool = ()  # type: ignore[assignment]
    if args.profile is not None:
        profile = True if args.profile == "all" else _names(args.profile, "--profile")
    result = calibrate(scenario, observations, fit, profile=profile)
    run_id = f"{new_run_id()}-calibrate"
    with RunFolder(args.out, scenario.name, run_id) as folder:
        from ..calibration.scenario_file import calibrated_scenario

        extends = os.path.relpath(path.resolve(), folder.final.resolve())
        folder.write_text("calibrated.toml", calibrated_scenario(result, extends))
        folder.write_json("calibration.json", result.to_dict())
        rows = result.residuals()
        folder.write_csv("observations.csv", list(rows[0]), [list(r.values()) for r in rows])
        if not args.no_figures:
            _figure(folder, scenario, result)
        inputs = [("scenario", f) for f in scenario.files]
        inputs += [("model", scenario.model_path), ("data", Path(args.data))]
        folder.write_json(
            "manifest.json",
            manifest(
                run_id=run_id,
                inputs=[(role, p) for role, p in inputs if p is not None],
                extra={"command_name": "calibrate", "fit": fit, "profile": profile},
            ),
        )
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(text(result, scenario.name))
    print(f"results: {folder.final}", file=sys.stderr)
    return 0


def _figure(folder: RunFolder, scenario: Any, result: CalibrationResult) -> None:
    from ..calibration.figures import fit_figure
    from ..simulate import Save

    obs = result.observations
    run = scenario.simulate(result.parameters, n=1, save=Save(variables=obs.variables))
    trajectories = {v: run[v][:, 0] for v in obs.variables}
    fit_figure(
        folder.file("figures/fit.png"),
        obs,
        run.times,
        trajectories,
        title=f"{scenario.name}: model at the estimate against the data",
    )


def _f(x: float, spec: str) -> str:
    """``x`` formatted, or a dash where it is undefined (NaN)."""
    return format(x, spec) if math.isfinite(x) else format("-", spec.split(".")[0])


def _g(x: float | None) -> str:
    return "-" if x is None else f"{x:.6g}"


def text(result: CalibrationResult, name: str) -> str:
    """The report printed by the command."""
    d = result.to_dict()
    width = max(len("constant"), *(len(e.name) for e in result.estimates))
    lines = [
        f"{name}: {len(result.estimates)} constant{'s' * (len(result.estimates) > 1)} fitted "
        f"to {len(result.observations)} "
        f"observations of {', '.join(result.observations.variables)}",
        f"{'constant':<{width}}  {'estimate':>12}  {'95 % interval (Jacobian)':<28}"
        f"{'profile likelihood':<28}start",
    ]
    for e in result.estimates:
        entry = d["estimates"][e.name]
        interval = f"[{_g(entry['low'])}, {_g(entry['high'])}]"
        prof = (
            "" if e.profile is None else f"[{_g(entry['profile'][0])}, {_g(entry['profile'][1])}]"
        )
        lines.append(f"{e.name:<{width}}  {e.value:>12.6g}  {interval:<28}{prof:<28}{e.start:g}")
    p = f", p = {result.p_value:.3g}" if result.dof > 0 else ""
    lines.append(
        f"chi-square {result.chi2:.4g} on {result.dof} degrees of freedom{p}; "
        f"{result.calls} simulate calls ({result.runs} runs), {result.seconds:.2f} s"
    )
    vwidth = max(len("variable"), *(len(s.variable) for s in result.statistics))
    lines.append(
        f"{'variable':<{vwidth}}  {'n':>3}  {'MAPE':>8}  {'R²':>6}  "
        f"{'U^M':>5}  {'U^S':>5}  {'U^C':>5}"
    )
    for s in result.statistics:
        lines.append(
            f"{s.variable:<{vwidth}}  {s.n:>3}  {_f(s.mape, '>7.3g')}%  {_f(s.r2, '>6.3f')}  "
            f"{_f(s.um, '>5.2f')}  {_f(s.us, '>5.2f')}  {_f(s.uc, '>5.2f')}"
        )
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)
