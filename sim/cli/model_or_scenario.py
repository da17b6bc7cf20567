"""``MODEL|SCENARIO`` arguments: a model file, a shipped model's name, or a scenario file."""

from __future__ import annotations

from pathlib import Path

from ..model import Model
from ..models import resolve_model
from ..scenario import Scenario, load_scenario
from ..tomlfile import read_toml

__all__ = ["MODEL_TABLES", "load_model_or_scenario"]

MODEL_TABLES = frozenset({"time", "stocks", "flows", "auxiliaries", "constants", "lookups"})


def load_model_or_scenario(spec: str) -> tuple[Model, Scenario | None]:
    """The model ``spec`` names, and the scenario when ``spec`` is a scenario file (whose
    model has the scenario's inputs in place)."""
    path = Path(spec)
    if path.suffix.lower() == ".toml" and path.is_file():
        data = read_toml(path)
        if not (MODEL_TABLES & data.keys() or isinstance(data.get("model"), dict)):
            scenario = load_scenario(path)
            return scenario.model, scenario
    return resolve_model(spec), None
