"""``sim serve [SCENARIO] [--port N] [--host H]``: the interactive what-if page on a local
web server; prints its URL and serves until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserInputError

__all__ = ["register"]

DEFAULT_SCENARIO = "scenarios/plan.toml"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the interactive what-if page (sliders, live verdicts, graphs) locally",
        description="Serve a local web page on which every lever and assumption with a range "
        "is a slider and every target's verdict updates as it moves, with a JSON API under "
        "/api/. Binds 127.0.0.1 unless --host is given; opens no external connection.",
    )
    parser.add_argument(
        "scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
        help=f"the scenario file to start from (default: {DEFAULT_SCENARIO})",
    )  # fmt: skip
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--uncertainty", metavar="FILE",
        help="a scenario file whose [uncertain] table 'How likely?' samples (default: the "
        "scenario's own, else uncertainty.toml beside it)",
    )  # fmt: skip
    parser.set_defaults(func=run)


def uncertainty_file(scenario: Path, given: str | None) -> Path | None:
    """The file 'How likely?' samples: ``given``, else ``uncertainty.toml`` beside the
    scenario (used only when the scenario declares no uncertainty of its own)."""
    if given is not None:
        if not Path(given).is_file():
            raise UserInputError("no such file", file=given, field="--uncertainty")
        return Path(given)
    beside = scenario.parent / "uncertainty.toml"
    return beside if beside.is_file() else None


def run(args: argparse.Namespace) -> int:
    from ..scenario import load_scenario
    from ..web import Workbench, make_server

    path = Path(args.scenario)
    if not path.is_file():
        raise UserInputError("no such scenario file", file=args.scenario)
    if not 0 <= args.port <= 65535:
        raise UserInputError(f"{args.port} is not a port (0 to 65535)", field="--port")
    scenario = load_scenario(path)
    unc_path = uncertainty_file(path, args.uncertainty)
    uncertainty = None
    if unc_path is not None and (args.uncertainty is not None or not scenario.uncertain):
        uncertainty = load_scenario(unc_path)
        if uncertainty.model_path != scenario.model_path:
            raise UserInputError("its model is not the scenario's", file=str(unc_path))
    bench = Workbench(scenario, uncertainty)
    try:
        server = make_server(bench, args.host, args.port)
    except OSError as exc:
        raise UserInputError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}",
                             field="--port") from None  # fmt: skip
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    print(f"sim serve: {scenario.name} at http://{shown}:{port}/  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        print("sim serve: stopped", file=sys.stderr)
    return 0
