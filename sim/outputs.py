"""Results folders: ``<root>/<scenario>/<run-id>/`` with a manifest, written atomically.

Everything of a run is written into a hidden temporary folder beside its final place and
renamed into place at the end, so an error or Ctrl-C leaves nothing half-written behind::

    with RunFolder(root, "plan", run_id) as folder:
        folder.write_text("targets.csv", text)
        folder.write_json("manifest.json", manifest(...))
    print(folder.final)

The manifest records what is needed to trace and reproduce a result: the command line, the
package version, the seed, and every input file with its SHA-256.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["LATEST", "RunFolder", "file_sha256", "link_latest", "manifest", "new_run_id"]

LATEST = "latest"
"""Beside the run folders of a scenario: a symbolic link to the newest (a small text file
naming it where links cannot be made)."""


def new_run_id(now: _dt.datetime | None = None) -> str:
    """A sortable, unique name for a run: UTC time to the second plus six random hex digits."""
    now = now or _dt.datetime.now(_dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(
    *,
    run_id: str,
    inputs: Mapping[str, str | os.PathLike] | Iterable[tuple[str, str | os.PathLike]],
    seed: int | None = None,
    argv: Sequence[str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What went into a run: ``inputs`` maps a role (``scenario``, ``model``, …) to a file;
    each is recorded with its SHA-256."""
    import numpy as np

    from . import __version__

    pairs = inputs.items() if isinstance(inputs, Mapping) else inputs
    argv = list(sys.argv if argv is None else argv)
    return {
        "run_id": run_id,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "package": "sdsim",
        "version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "command": " ".join([Path(argv[0]).name, *argv[1:]]) if argv else "",
        "argv": argv,
        "cwd": os.getcwd(),
        "seed": seed,
        "inputs": [
            {"role": role, "path": str(path), "sha256": file_sha256(path)} for role, path in pairs
        ],
        **dict(extra or {}),
    }


def link_latest(folder: Path) -> Path:
    """Point ``folder.parent/latest`` at ``folder`` (a relative link, replaced atomically);
    where the file system refuses links, ``latest`` is a text file holding the folder's name.
    Either way ``latest`` never names a half-written folder."""
    target = folder.parent / LATEST
    temporary = folder.parent / f".{LATEST}-{secrets.token_hex(4)}"
    try:
        os.symlink(folder.name, temporary, target_is_directory=True)
    except (OSError, NotImplementedError):
        temporary.write_text(folder.name + "\n", encoding="utf-8")
    try:
        if target.is_dir() and not target.is_symlink():
            raise OSError(f"{target} is a folder; not replaced")
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
    return target


class RunFolder:
    """A results folder written in a temporary place and renamed into ``root/name/run_id``."""

    def __init__(self, root: str | os.PathLike, name: str, run_id: str):
        self.root = Path(root)
        self.final = self.root / name / run_id
        self.path: Path | None = None
        self._created: list[Path] = []

    def __enter__(self) -> RunFolder:
        for folder in reversed([self.root, *self.root.parents]):
            if not folder.exists():
                self._created.append(folder)
        self.root.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{self.final.parent.name}-"))
        return self

    def __exit__(self, kind, value, tb) -> bool:
        assert self.path is not None
        if kind is None:
            if self.final.exists():
                shutil.rmtree(self.path, ignore_errors=True)
                raise FileExistsError(f"results folder already exists: {self.final}")
            parent_existed = self.final.parent.exists()
            self.final.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(self.path, self.final)
            except BaseException:
                if not parent_existed:
                    shutil.rmtree(self.final.parent, ignore_errors=True)
                raise
            link_latest(self.final)
            return False
        shutil.rmtree(self.path, ignore_errors=True)
        for folder in reversed(self._created):  # innermost first; only if we made it empty
            try:
                folder.rmdir()
            except OSError:
                break
        return False

    def file(self, name: str) -> Path:
        """Where to write ``name`` inside the (temporary) folder."""
        if self.path is None:
            raise RuntimeError("RunFolder is used outside its with-block")
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, name: str, text: str) -> Path:
        path = self.file(name)
        path.write_text(text, encoding="utf-8")
        return path

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def write_csv(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return self.write_text(name, buffer.getvalue())
