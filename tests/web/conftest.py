"""One server of the plan scenario per test session (it takes seconds to start), in a thread
on a free port of 127.0.0.1."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Served:
    url: str
    bench: object

    def get(self, path: str) -> tuple[int, object]:
        return _call(urllib.request.Request(self.url + path))

    def post(self, path: str, body: object = None, raw: bytes | None = None) -> tuple[int, object]:
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        return _call(request)


def _call(request: urllib.request.Request) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, kind, body = response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        status, kind, body = exc.code, exc.headers["Content-Type"], exc.read()
    if "json" in (kind or ""):
        return status, json.loads(body)
    return status, body.decode()


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    from sim.scenario import load_scenario
    from sim.web import Workbench, make_server

    bench = Workbench(
        load_scenario(REPO / "scenarios" / "plan.toml"),
        load_scenario(REPO / "scenarios" / "uncertainty.toml"),
    )
    server = make_server(bench, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield Served(f"http://{host}:{port}", bench)
    finally:
        server.shutdown()
        server.server_close()
