"""The HTTP side of ``sim serve``: the page's static files and a JSON API under ``/api/``.

The standard library's threading server is enough for one user on 127.0.0.1 and adds no
dependency; the page draws its own SVG charts (`static/chart.js`), so nothing is fetched from
elsewhere. Simulations take a lock (numpy releases little of the GIL, so two at once only
slow each other); a request that carries the page's ``session`` and was overtaken by a newer
one of that session while it waited answers 409 at once instead of running, and a running
batch stops at its next chunk, so slider moves never pile up work.

Every error is a 4xx with one line of JSON, ``{"error": "field: reason"}``. No request names
a file: the server reads only the scenario it was started with and its own package files.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from ..errors import NonFiniteError, SimError, UserInputError
from .workbench import MAX_SAMPLES, MAX_SWEEP, Cancelled, Workbench

__all__ = ["MAX_BODY", "make_server"]

MAX_BODY = 1_000_000
"""The largest request body accepted, in bytes."""
STATIC = {"/": "index.html", **{f"/{n}": n for n in ("app.js", "chart.js", "style.css")}}


class _Sessions:
    """The newest request ticket of each page session: older ones are superseded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}
        self._next = 0

    def ticket(self, session: str | None) -> Callable[[], None]:
        """Register a request; the returned check raises `Cancelled` once a newer request of
        the same session has arrived (never without a session)."""
        with self._lock:
            self._next += 1
            mine = self._next
            if session is not None:
                self._latest[session] = mine
                if len(self._latest) > 1000:
                    self._latest.pop(next(iter(self._latest)))

        def check() -> None:
            if session is not None and self._latest.get(session, mine) != mine:
                raise Cancelled("superseded by a newer request of this page")

        return check


def make_server(bench: Workbench, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``bench`` (not started: call ``serve_forever``); port 0 picks a free one."""
    run_lock = threading.Lock()
    sessions = _Sessions()

    class Handler(BaseHTTPRequestHandler):
        server_version = "sim-serve"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: one user, local
            return None

        # -- GET -------------------------------------------------------------------------
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == "/api/scenario":
                self._json(HTTPStatus.OK, bench.describe())
            elif path in STATIC:
                name = STATIC[path]
                body = resources.files("sim.web").joinpath("static", name).read_bytes()
                self._send(HTTPStatus.OK, body, mimetypes.guess_type(name)[0] or "text/plain")
            elif path == "/favicon.ico":
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", cache=True)
            elif path.startswith("/api/"):
                self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: GET {path}")
            else:
                self._error(HTTPStatus.NOT_FOUND, f"not found: {path}")

        # -- POST ------------------------------------------------------------------------
        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0]
            routes = {
                "/api/run": self._run,
                "/api/sweep": self._sweep,
                "/api/levers": self._levers,
                "/api/batch": self._batch,
                "/api/toml": self._toml,
                "/api/csv": self._csv,
                "/api/cancel": self._cancel,
            }
            if path not in routes:
                self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: POST {path}")
                return
            try:
                body = self._body()
                routes[path](body)
            except Cancelled as exc:
                self._error(HTTPStatus.CONFLICT, str(exc))
            except NonFiniteError as exc:
                self._error(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc))
            except SimError as exc:
                self._error(HTTPStatus.BAD_REQUEST, str(exc))
            except (BrokenPipeError, ConnectionResetError):  # the page aborted the request
                self.close_connection = True

        def _body(self) -> dict[str, Any]:
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit():
                raise UserInputError("a JSON body with a Content-Length is required", field="body")
            if int(length) > MAX_BODY:
                self.close_connection = True
                raise UserInputError(f"larger than {MAX_BODY:,} bytes", field="body")
            raw = self.rfile.read(int(length))
            try:
                data = json.loads(raw or b"{}", parse_constant=_no_constant)
            except (ValueError, UnicodeDecodeError) as exc:
                raise UserInputError(f"not JSON: {exc}", field="body") from None
            if not isinstance(data, dict):
                raise UserInputError("expected a JSON object", field="body")
            known = {"parameters", "variables", "strict", "session", "samples", "seed",
                     "name", "values"}  # fmt: skip
            unknown = sorted(set(data) - known)
            if unknown:
                raise UserInputError(f"unknown field (known: {', '.join(sorted(known))})",
                                     field=unknown[0])  # fmt: skip
            session = data.get("session")
            if session is not None and not isinstance(session, str):
                raise UserInputError("expected a string", field="session")
            return data

        def _common(self, body: dict[str, Any]) -> tuple[dict[str, float], list[str]]:
            strict = body.get("strict", False)
            if not isinstance(strict, bool):
                raise UserInputError("expected true or false", field="strict")
            parameters = bench.parameters(body.get("parameters"), strict=strict)
            return parameters, bench.chosen(body.get("variables"))

        def _locked(self, body: dict[str, Any], work: Callable[[], Any]) -> Any:
            check = sessions.ticket(body.get("session"))
            with run_lock:
                check()
                return work()

        def _run(self, body: dict[str, Any]) -> None:
            parameters, variables = self._common(body)
            self._json(HTTPStatus.OK, self._locked(body, lambda: bench.run(parameters, variables)))

        def _sweep(self, body: dict[str, Any]) -> None:
            parameters, variables = self._common(body)
            name, values = body.get("name"), body.get("values")
            if not isinstance(name, str):
                raise UserInputError("expected the name of a constant", field="name")
            if not isinstance(values, list) or not 1 <= len(values) <= MAX_SWEEP:
                raise UserInputError(f"expected a list of 1 to {MAX_SWEEP} numbers",
                                     field="values")  # fmt: skip
            runs = self._locked(body, lambda: bench.sweep(parameters, name, values, variables))
            self._json(HTTPStatus.OK, {"name": name, "runs": runs})

        def _levers(self, body: dict[str, Any]) -> None:
            parameters, _ = self._common(body)
            self._json(HTTPStatus.OK, self._locked(body, lambda: bench.levers(parameters)))

        def _batch(self, body: dict[str, Any]) -> None:
            parameters, _ = self._common(body)
            samples, seed = body.get("samples", 10_000), body.get("seed", 0)
            if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
                raise UserInputError("expected a whole number of at least 1", field="samples")
            if samples > MAX_SAMPLES:
                raise UserInputError(f"{samples:,} is more than the {MAX_SAMPLES:,} allowed",
                                     field="samples")  # fmt: skip
            if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
                raise UserInputError("expected a whole number of at least 0", field="seed")
            check = sessions.ticket(body.get("session"))
            self._json(HTTPStatus.OK, bench.batch(parameters, samples, seed, check))

        def _cancel(self, body: dict[str, Any]) -> None:
            """Stop the session's running batch (or sweep) at its next chunk."""
            if not isinstance(body.get("session"), str):
                raise UserInputError("expected the session to cancel", field="session")
            sessions.ticket(body["session"])
            self._json(HTTPStatus.OK, {"cancelled": body["session"]})

        def _toml(self, body: dict[str, Any]) -> None:
            parameters, _ = self._common(body)
            name = body.get("name", "")
            if not isinstance(name, str):
                raise UserInputError("expected a string", field="name")
            text = bench.toml(parameters, name)
            self._send(HTTPStatus.OK, text.encode(), "application/toml; charset=utf-8")

        def _csv(self, body: dict[str, Any]) -> None:
            parameters, _ = self._common(body)
            text = self._locked(body, lambda: bench.csv(parameters))
            self._send(HTTPStatus.OK, text.encode(), "text/csv; charset=utf-8")

        # -- responses -------------------------------------------------------------------
        def _json(self, status: HTTPStatus, data: Any) -> None:
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            self._send(status, body.encode(), "application/json; charset=utf-8")

        def _error(self, status: HTTPStatus, message: str) -> None:
            self._json(status, {"error": " ".join(message.split())})

        def _send(self, status: HTTPStatus, body: bytes, kind: str, *, cache: bool = False):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=86400" if cache else "no-store")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def _no_constant(name: str) -> float:
    """JSON's NaN and Infinity are not numbers here."""
    raise UserInputError(f"{name} is not a finite number", field="body")
