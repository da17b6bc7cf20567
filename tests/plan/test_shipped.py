"""The plan files shipped beside the models: targets files are not listed as models."""

from __future__ import annotations

from sim.models import shipped_model_names, shipped_model_path


def test_targets_files_are_not_models() -> None:
    names = shipped_model_names()
    assert "hexi" in names
    assert not [n for n in names if n.endswith("_targets")]
    assert shipped_model_path("hexi").with_name("hexi_targets.toml").is_file()
