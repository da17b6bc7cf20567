"""``sim compare SCENARIO… --vars a,b,c``: chosen variables of several scenarios in one figure,
and a table of their differences against the first scenario."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UserInputError
from ..outputs import RunFolder, manifest, new_run_id
from .run import _distinct

__all__ = ["register"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare scenarios on chosen variables: one figure and a difference table",
        description="Run the scenarios side by side (one vectorized simulation) and compare "
        "the chosen variables: one figure (a panel per variable, a colour per scenario name) "
        "and the difference of each scenario from the first, year by year. Writes "
        "<out>/comparison/<run-id>-compare/.",
    )
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO_FILE", help="scenario files")
    parser.add_argument(
        "--vars", required=True, metavar="A,B,C", help="variables to compare, comma-separated"
    )
    parser.add_argument("--out", type=Path, default=Path("results"), help="results root")
    parser.add_argument("--xlsx", action="store_true", help="also write comparison.xlsx")
    parser.add_argument("--no-figures", action="store_true", help="write no figure")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..api import run as run_scenarios
    from ..api import targets_of
    from ..report.compare import compare_figure, difference_table, select
    from ..report.params import parameter_frame
    from ..scenario import load_scenario
    from ..tidy import TRAJECTORY_COLUMNS

    if args.xlsx:
        from ..report.excel import require_openpyxl

        require_openpyxl()
    variables = [v.strip() for v in args.vars.split(",") if v.strip()]
    if not variables:
        raise UserInputError("name at least one variable", field="--vars")
    scenarios = [load_scenario(Path(f)) for f in args.scenarios]
    _distinct(scenarios)
    runs = run_scenarios(scenarios)
    trajectories = runs.trajectories
    chosen, names = select(trajectories, variables)
    differences = difference_table(trajectories, variables)
    run_id = f"{new_run_id()}-compare"
    with RunFolder(args.out, "comparison", run_id) as folder:
        folder.write_text("differences.csv", differences.to_csv(index=False))
        folder.write_text("trajectories.csv", chosen[list(TRAJECTORY_COLUMNS)].to_csv(index=False))
        written = ["differences.csv", "trajectories.csv"]
        if not args.no_figures:
            fig = compare_figure(trajectories, variables, targets_of(scenarios[0]))
            fig.savefig(folder.file("figures/compare.png"), dpi=110)
            written.append("figures/compare.png")
        if args.xlsx:
            from ..report.excel import write_workbook

            parameters = [parameter_frame(s).assign(scenario=s.name) for s in scenarios]
            write_workbook(
                folder.file("comparison.xlsx"),
                {
                    "differences": differences,
                    "trajectories": chosen,
                    "verdicts": runs.verdicts,
                    "parameters": pd.concat(parameters),
                },
            )
            written.append("comparison.xlsx")
        inputs = [(f"scenario {s.name}", f) for s in scenarios for f in s.files]
        folder.write_json(
            "manifest.json",
            manifest(
                run_id=run_id,
                inputs=inputs,
                extra={"scenarios": runs.names, "variables": variables, "files": written},
            ),
        )
    print(_text(differences, runs.names, names, chosen))
    print(f"  Results: {folder.final}")
    return 0


def _text(differences, names: list[str], variables: list[str], chosen) -> str:
    """The last plan year of each variable: every scenario's value and its difference."""
    from ..plan.report import format_number

    lines = [f"Compared with {names[0]} (last year of the plan):"]
    for name in variables:
        part = chosen[chosen["variable"] == name]
        year = int(part["year"].max())
        unit = part["unit"].iloc[0]
        base = part[(part["scenario"] == names[0]) & (part["year"] == year)]["value"].item()
        lines.append(f"  {name} ({unit}), {year}: {names[0]} {format_number(base)}")
        rows = differences[(differences["variable"] == name) & (differences["year"] == year)]
        for r in rows.itertuples():
            rel = "" if r.relative != r.relative else f" ({r.relative:+.2%})"
            lines.append(
                f"    {r.scenario:<20} {format_number(r.value):>14}  "
                f"{format_number(r.difference, signed=True)}{rel}"
            )
    return "\n".join(lines)
