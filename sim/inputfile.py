"""Reading an input file (model, scenario, targets) safely: one line naming the file and the
reason when it cannot be read, is not a regular file, is too large or is not UTF-8 text."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import UserInputError

ErrorClass = type[UserInputError]

__all__ = ["MAX_BYTES", "read_input_bytes", "read_input_text"]

MAX_BYTES = 256 * 2**20  # far above any model; /dev/zero or a stray dump is refused early


def read_input_bytes(path: str | os.PathLike, error: ErrorClass = UserInputError) -> bytes:
    """The bytes of the regular file ``path``, at most `MAX_BYTES` of them.

    A device (``/dev/zero``), a pipe or a directory is refused before anything is read, so
    that nothing hangs or fills the memory; ``error`` is the class of the error raised.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise error("not a regular file", file=str(path))
            data = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise error("is a directory, not a file", file=str(path)) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if len(data) > MAX_BYTES:
        raise error(f"larger than {MAX_BYTES // 2**20} MiB: not an input file", file=str(path))
    return data


def read_input_text(path: str | os.PathLike, error: ErrorClass = UserInputError) -> str:
    """The text of ``path`` (UTF-8, an initial byte-order mark allowed), read as
    `read_input_bytes` does; a binary or otherwise encoded file is an ``error`` naming it."""
    data = read_input_bytes(path, error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
            file=str(path),
        ) from None
