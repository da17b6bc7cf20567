"""Read a Vensim `.mdl` file into a `Model`: split it into sections (`document`), parse each
with the Lark grammar (`grammar`) and translate the whole (`translate`).

What the engine cannot run is refused with one `ModelError` naming the variable and the
function or construct, so that no model runs silently wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ModelError
from ..inputfile import read_input_bytes
from ..model import Model, check_runnable
from .document import split_document
from .translate import translate

__all__ = ["read_vensim", "reads_vensim"]


def read_vensim(path: str | os.PathLike, *, validate: bool = True) -> Model:
    """The model of the `.mdl` file at ``path``, checked to compile unless told not to (as
    `load_model` does); data files it reads are found beside it. Errors name the file, the
    variable and the reason."""
    path = Path(path)
    data = read_input_bytes(path, ModelError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # older Vensim files are in a Windows code page
    try:
        model = reads_vensim(text, name=path.stem, folder=path.parent)
        if validate:
            from ..compiler import compile_model

            check_runnable(model, "control")
            compile_model(model)
        return model
    except ModelError as exc:
        raise exc.located(str(path)) from None


def reads_vensim(text: str, name: str = "model", folder: str | os.PathLike | None = None) -> Model:
    """The model of `.mdl` ``text``; ``folder`` is where the data files it names are."""
    return translate(split_document(text), name, None if folder is None else Path(folder))
