"""GET DIRECT / GET XLS: constants, data and lookups read from files beside the model."""

import numpy as np
import pytest

from sim.errors import ModelError
from sim.simulate import simulate
from sim.vensim import reads_vensim

CONTROL = "INITIAL TIME = 0 ~~|\nFINAL TIME = 4 ~~|\nTIME STEP = 1 ~~|\n"


def run(tmp_path, equations: str):
    result = simulate(reads_vensim(equations + CONTROL, folder=tmp_path))
    return lambda name: result[name][:, 0]


def test_constants_along_a_row_and_down_a_column_from_csv(tmp_path):
    (tmp_path / "in.csv").write_text("label,1,2,3\nx,4,5,6\n")
    values = run(
        tmp_path,
        "d: a, b, c ~~|\nrow[d] = GET DIRECT CONSTANTS('in.csv', ',', 'B1') ~~|\n"
        "e: p, q ~~|\ncol[e] = GET DIRECT CONSTANTS('in.csv', ',', 'B1*') ~~|\n"
        "one = GET DIRECT CONSTANTS('in.csv', ',', 'D2') ~~|\n",
    )
    assert [values(f"row[{e}]")[0] for e in "abc"] == [1, 2, 3]
    assert values("col[p]")[0] == 1 and values("col[q]")[0] == 4
    assert values("one")[0] == 6


def test_data_interpolated_held_and_with_missing_points(tmp_path):
    (tmp_path / "in.tab").write_text("time\ta\tb\n0\t0\t1\n2\t20\t\n4\t40\t3\n")
    values = run(
        tmp_path,
        "d: a, b ~~|\nx[d] := GET DIRECT DATA('in.tab', '\t', 'A', 'B2') ~~|\n"
        "h :HOLD BACKWARD: := GET DIRECT DATA('in.tab', '\t', 'A', 'B2') ~~|\n",
    )
    np.testing.assert_allclose(values("x[a]"), [0, 10, 20, 30, 40])
    np.testing.assert_allclose(values("x[b]"), [1, 1.5, 2, 2.5, 3])  # the blank is skipped
    np.testing.assert_allclose(values("h"), [0, 0, 20, 20, 40])


def test_lookups_and_named_ranges_from_an_xlsx_workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.workbook.defined_name import DefinedName

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    for row in ([None, 0, 10], [None, 0, 100], [None, 7, None]):
        sheet.append(row)
    book.defined_names["seven"] = DefinedName("seven", attr_text="S!$B$3")
    book.save(tmp_path / "in.xlsx")
    values = run(
        tmp_path,
        "t = GET XLS LOOKUPS('in.xlsx', 'S', '1', 'B2') ~~|\ny = t(Time) ~~|\n"
        "k = GET XLS CONSTANTS('in.xlsx', 'S', 'seven') ~~|\n",
    )
    np.testing.assert_allclose(values("y"), [0, 10, 20, 30, 40])
    assert values("k")[0] == 7


def test_a_missing_file_or_sheet_is_one_error_naming_the_function_and_variable(tmp_path):
    with pytest.raises(ModelError, match=r"k: GET DIRECT CONSTANTS: data file 'no.csv' not found"):
        reads_vensim("k = GET DIRECT CONSTANTS('no.csv', ',', 'A1') ~~|\n" + CONTROL,
                     folder=tmp_path)  # fmt: skip
    (tmp_path / "in.csv").write_text("1,2\n")
    with pytest.raises(ModelError, match=r"k: GET DIRECT CONSTANTS: a cell of 'A9' .* is blank"):
        reads_vensim("k = GET DIRECT CONSTANTS('in.csv', ',', 'A9') ~~|\n" + CONTROL,
                     folder=tmp_path)  # fmt: skip
