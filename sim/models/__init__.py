"""Models shipped in the package, addressed by name (``teacup``, ``hexi``, …)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import ModelError
from ..model import Model
from ..modelfile import load_model

__all__ = ["resolve_model", "shipped_model_names", "shipped_model_path"]


TARGETS_SUFFIX = "_targets.toml"
"""A model's plan targets ship beside it as ``<model>_targets.toml``; they are not models."""


def shipped_model_names() -> list[str]:
    folder = resources.files(__name__)
    return sorted(
        p.name[: -len(".toml")]
        for p in folder.iterdir()
        if p.name.endswith(".toml") and not p.name.endswith(TARGETS_SUFFIX)
    )


def shipped_model_path(name: str) -> Path:
    path = Path(str(resources.files(__name__).joinpath(f"{name}.toml")))
    if not path.is_file():
        known = ", ".join(shipped_model_names())
        raise ModelError(f"no such model file or shipped model (shipped: {known})", file=name)
    return path


def resolve_model(spec: str) -> Model:
    """A model from a file path (``.toml``, ``.xmile``/``.xml``/``.stmx`` or Vensim ``.mdl``) or
    a shipped name."""
    path = Path(spec)
    if path.suffix.lower() == ".mdl":
        from ..vensim import read_vensim

        return read_vensim(path)
    if path.suffix.lower() in {".xmile", ".xml", ".stmx"}:
        from ..xmile import read_xmile

        return read_xmile(path)
    if path.suffix.lower() == ".toml" or path.exists():
        return load_model(path)
    return load_model(shipped_model_path(spec))
