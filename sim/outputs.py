"""Results folders: ``<root>/<scenario>/<run-id>/`` with a manifest, written atomically.

Everything of a run is written into a hidden temporary folder beside its final place and
renamed into place at the end, so an error, Ctrl-C or SIGTERM leaves nothing half-written
behind::

    with RunFolder(root, "plan", run_id) as folder:
        folder.write_text("targets.csv", text)
        folder.write_json("manifest.json", manifest(...))
    print(folder.final)

A command that writes several folders (``sim run a.toml b.toml``) wraps them in `all_or_none`:
if it fails or is interrupted, the folders it had already completed are removed again.

The manifest records what is needed to trace and reproduce a result: the command line, the
package version, the seed, and every input file with its SHA-256.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import os
import platform
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from .errors import UserInputError
from .jsontext import dumps

__all__ = [
    "LATEST",
    "RunFolder",
    "all_or_none",
    "check_out",
    "file_sha256",
    "link_latest",
    "manifest",
    "new_run_id",
    "write_text_atomic",
]

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


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` through `atomic_write`: a reader never sees half a file, and
    an error leaves the old one."""
    from .results import atomic_write

    with atomic_write(path, "w") as handle:
        handle.write(text)
    return Path(path)


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


def _latest_name(parent: Path) -> str | None:
    """The run folder ``parent/latest`` names, if any."""
    latest = parent / LATEST
    try:
        if latest.is_symlink():
            return os.readlink(latest)
        if latest.is_file():
            return latest.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
    return None


class RunFolder:
    """A results folder written in a temporary place and renamed into ``root/name/run_id``."""

    def __init__(self, root: str | os.PathLike, name: str, run_id: str):
        self.root = Path(root)
        self.final = self.root / _part(name) / _part(run_id)
        self.path: Path | None = None
        self._created: list[Path] = []  # folders above `final` this run made, outermost first

    def __enter__(self) -> RunFolder:
        for folder in reversed([self.root, *self.root.parents]):
            if not folder.exists():
                self._created.append(folder)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            prefix = f".{self.final.parent.name}-"
            self.path = Path(tempfile.mkdtemp(dir=self.root, prefix=prefix))
        except OSError as exc:
            self._remove_created()
            raise _unusable(self.root, exc) from None
        return self

    def __exit__(self, kind, value, tb) -> bool:
        assert self.path is not None
        if kind is None:
            if self.final.exists():
                shutil.rmtree(self.path, ignore_errors=True)
                raise FileExistsError(f"results folder already exists: {self.final}")
            if not self.final.parent.exists():
                self._created.append(self.final.parent)
            self.final.parent.mkdir(parents=True, exist_ok=True)
            group = _GROUP.get()
            if group is not None:
                group.append(self)  # before the rename: an interruption right after it counts
            try:
                os.replace(self.path, self.final)
            except BaseException:
                shutil.rmtree(self.path, ignore_errors=True)
                self._remove_created()
                raise
            self._previous_latest = _latest_name(self.final.parent)
            link_latest(self.final)
            return False
        shutil.rmtree(self.path, ignore_errors=True)
        self._remove_created()
        return False

    def remove(self) -> None:
        """Take a completed folder back (and the folders above it that this run made), and
        point ``latest`` where it pointed before."""
        shutil.rmtree(self.final, ignore_errors=True)
        latest = self.final.parent / LATEST
        if _latest_name(self.final.parent) == self.final.name:
            previous = getattr(self, "_previous_latest", None)
            if previous is not None and (self.final.parent / previous).is_dir():
                link_latest(self.final.parent / previous)
            else:
                latest.unlink(missing_ok=True)
        self._remove_created()

    def _remove_created(self) -> None:
        for folder in reversed(self._created):  # innermost first; only if we made it empty
            try:
                folder.rmdir()
            except OSError:
                break

    def file(self, name: str) -> Path:
        """Where to write ``name`` (``figures/a.png``) inside the (temporary) folder; a name
        that would lead outside it is refused, whatever let it through."""
        if self.path is None:
            raise RuntimeError("RunFolder is used outside its with-block")
        target = self.path / name
        inside = self.path.resolve()
        if Path(name).is_absolute() or not target.resolve().is_relative_to(inside):
            raise UserInputError(f"refusing to write {name!r}: it lies outside the results folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, name: str, text: str) -> Path:
        path = self.file(name)
        path.write_text(text, encoding="utf-8")
        return path

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, dumps(data) + "\n")

    def write_csv(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return self.write_text(name, buffer.getvalue())


def check_out(root: str | os.PathLike) -> None:
    """Fail early, before a long run, if results cannot be written under ``root``: the
    nearest existing folder on its path must be a folder this process may write in."""
    existing = Path(root).absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise _unusable(Path(root), NotADirectoryError())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _unusable(Path(root), PermissionError(13, os.strerror(13)))


def _unusable(root: Path, exc: OSError) -> UserInputError:
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "it or a folder above it is a file"
    return UserInputError(f"cannot write results under {root}: {reason}", field="--out")


_GROUP: ContextVar[list[RunFolder] | None] = ContextVar("_GROUP", default=None)


@contextmanager
def all_or_none() -> Iterator[None]:
    """Every `RunFolder` completed inside the block is removed again if the block does not
    finish (error, Ctrl-C, SIGTERM): one command's results appear together or not at all."""
    done: list[RunFolder] = []
    token = _GROUP.set(done)
    try:
        yield
    except BaseException:
        for folder in reversed(done):
            folder.remove()
        raise
    finally:
        _GROUP.reset(token)


def _part(name: str) -> str:
    """``name`` if it is one plain path component (no separator, not ``.`` or ``..``)."""
    if name in ("", ".", "..") or "/" in name or os.sep in name or "\0" in name:
        raise UserInputError(f"refusing {name!r} as a results folder name: it is not a plain name")
    return name
