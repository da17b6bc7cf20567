"""Cutting a `.mdl` file into sections and macros."""

import pytest

from sim.errors import ModelError
from sim.vensim.document import split_document

TEXT = """{UTF-8}
Room Temperature=
	70
	~	Degrees Fahrenheit [-459.67,?]
	~	A comment with a "stray quote.
	|

"Odd | name"= INTEG (
	-Heat Loss to \\
		Room, 180)
	~	Degrees [32,212]
	~	The tea.
	|

********************************************************
	.Control
********************************************************~
		Simulation Control Parameters
	|

TIME STEP  = 0.125 ~~|
\\\\\\---/// Sketch information - do not modify anything except names
10,1,Teacup Temperature,307,235,40,20,3,3,0,0,0,0,0,0
"""


def test_sections_units_comments_and_line_numbers():
    doc = split_document(TEXT)
    texts = [s.text for s in doc.sections]
    assert texts[0] == "Room Temperature=\n\t70"
    assert texts[1].startswith('"Odd | name"= INTEG')  # a bar inside quotes does not end it
    assert "Heat Loss to Room" in " ".join(texts[1].split())  # the continuation is joined
    assert [s.line for s in doc.sections[:2]] == [2, 8]
    assert doc.sections[0].unit_range() == ("Degrees Fahrenheit", None)  # "?" is no bound
    assert doc.sections[1].unit_range() == ("Degrees", (32.0, 212.0))


def test_a_stray_quote_in_a_comment_does_not_swallow_the_rest():
    doc = split_document(TEXT)
    assert doc.sections[0].comment == 'A comment with a "stray quote.'
    assert doc.sections[-1].text == "TIME STEP  = 0.125"


def test_group_markers_and_the_sketch_are_left_out():
    doc = split_document(TEXT)
    assert not any(s.text.startswith("*") for s in doc.sections)
    assert not any("Sketch" in s.text or "307,235" in s.text for s in doc.sections)


def test_macros_are_taken_out_with_their_inputs_and_outputs():
    doc = split_document(
        ":MACRO: TWICE(input, other : out)\nTWICE = 2 * input ~ ~ |\nout = 1 ~~|\n"
        ":END OF MACRO:\nx = TWICE(3, 4) ~~|\n"
    )
    (macro,) = doc.macros
    assert (macro.name, macro.inputs, macro.outputs) == ("TWICE", ("input", "other"), ("out",))
    assert [s.text for s in macro.sections] == ["TWICE = 2 * input", "out = 1"]
    assert [s.text for s in doc.sections] == ["x = TWICE(3, 4)"]
    assert doc.sections[0].line == 5


def test_a_macro_without_arguments_is_an_error_naming_its_line():
    with pytest.raises(ModelError, match="line 2"):
        split_document("x = 1 ~~|\n:MACRO: broken\n:END OF MACRO:\n")
