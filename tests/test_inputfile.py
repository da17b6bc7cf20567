"""Input files that are not text, not regular files, or hold no model: one error naming the file."""

import pytest

from sim.errors import ModelError, UserInputError
from sim.inputfile import read_input_text
from sim.modelfile import load_model
from sim.models import resolve_model
from sim.scenario import load_scenario
from sim.tomlfile import read_toml

TEACUP = '[time]\nstart = 0\nstop = 10\ndt = DT\n[stocks.s]\ninitial = "1"\n'


@pytest.mark.parametrize("content", [b"\xff\xfe[time]\n", b"model = \xe9\n", bytes(range(256))])
@pytest.mark.parametrize("read", [read_toml, load_model, load_scenario])
def test_a_file_that_is_not_utf8_names_the_file(tmp_path, content, read):
    path = tmp_path / "binary.toml"
    path.write_bytes(content)
    with pytest.raises(
        UserInputError, match=r"not UTF-8 text \(byte 0x[0-9a-f]{2} at offset"
    ) as info:
        read(path)
    assert info.value.file == str(path) and "\n" not in str(info.value)


def test_a_device_or_directory_is_refused_before_reading(tmp_path):
    with pytest.raises(UserInputError, match=r"^/dev/zero: not a regular file$"):
        read_input_text("/dev/zero")
    with pytest.raises(ModelError, match=r"^/dev/zero: not a regular file$"):
        resolve_model("/dev/zero")
    with pytest.raises(ModelError, match="is a directory"):
        load_model(tmp_path)


def test_a_byte_order_mark_is_allowed(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbfa = 1\n")
    assert read_toml(path) == {"a": 1}


@pytest.mark.parametrize("text", ["", "# nothing\n", '[model]\nname = "x"\n', "[time]\nstop = 3\n"])
def test_a_model_file_without_variables_is_refused(tmp_path, text):
    """It used to run: "11 rows x 0 variables"."""
    path = tmp_path / "empty.toml"
    path.write_text(text)
    with pytest.raises(ModelError, match="the model has no variables") as info:
        load_model(path)
    assert info.value.file == str(path)


def test_a_model_whose_dt_does_not_divide_its_run_is_refused(tmp_path):
    """It used to stop silently at t = 9.9 instead of 10."""
    path = tmp_path / "m.toml"
    path.write_text(TEACUP.replace("DT", "0.3"))
    with pytest.raises(ModelError, match=r"time.dt: dt 0.3 does not divide the run") as info:
        load_model(path)
    assert info.value.file == str(path)
    path.write_text(TEACUP.replace("DT", "0.25"))
    assert load_model(path).time.dt == 0.25
