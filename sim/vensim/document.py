"""A `.mdl` file cut into its parts: equation sections (``text ~ units ~ comment |``) and
macros, with the header, the sketch and the group markers left out.

This is the layer below the grammar: it knows where sections end (a ``|`` outside quoted names)
and that a comment may hold anything, even an odd number of quotes, so it is scanned by hand;
the equation text of each section then goes to the Lark grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ModelError

__all__ = ["Document", "MacroText", "Section", "split_document"]

_SKETCH = re.compile(r"\\+---///")
_HEADER = re.compile(r"\A\s*\{UTF-8\}")
_MACRO = re.compile(r":MACRO:(.*?):END OF MACRO:", re.DOTALL | re.IGNORECASE)
_MACRO_HEAD = re.compile(r"\s*(.+?)\((.*?)\)", re.DOTALL)
_CONTINUATION = re.compile(r"\\[ \t]*\r?\n[ \t]*")
_RANGE = re.compile(r"\[([^\]]*)\]\s*$")


@dataclass(frozen=True)
class Section:
    """One equation: its text (line continuations joined), units, comment and first line."""

    text: str
    units: str
    comment: str
    line: int

    @property
    def where(self) -> str:
        return f"line {self.line}"

    def unit_range(self) -> tuple[str, tuple[float, float] | None]:
        """The units without their ``[min, max]`` (or ``[min, max, step]``) suffix, and that
        range when both bounds are finite numbers."""
        match = _RANGE.search(self.units)
        if match is None:
            return self.units.strip(), None
        units = self.units[: match.start()].strip()
        bounds = [b.strip() for b in match.group(1).split(",")]
        try:
            lo, hi = float(bounds[0]), float(bounds[1])
        except (ValueError, IndexError):
            return units, None
        if lo != lo or hi != hi or abs(lo) == float("inf") or abs(hi) == float("inf"):
            return units, None
        return units, (lo, hi) if lo <= hi else None


@dataclass(frozen=True)
class MacroText:
    """``:MACRO: name(inputs : outputs)`` and the sections of its body."""

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    sections: tuple[Section, ...]
    line: int


@dataclass(frozen=True)
class Document:
    sections: tuple[Section, ...]
    macros: tuple[MacroText, ...]


def split_document(text: str) -> Document:
    """The sections and macros of ``text`` (a whole `.mdl` file)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sketch = _SKETCH.search(text)
    if sketch is not None:
        text = text[: sketch.start()]
    text = _HEADER.sub(lambda m: " " * len(m.group()), text, count=1)
    macros = []
    for match in _MACRO.finditer(text):
        macros.append(_macro(match.group(1), _line(text, match.start())))
    # a macro is replaced by as many newlines as it spans, so that lines keep their numbers
    text = _MACRO.sub(lambda m: "\n" * m.group().count("\n"), text)
    unclosed = re.search(r":MACRO:", text, re.IGNORECASE)
    if unclosed is not None:
        raise ModelError(
            ":MACRO: without :END OF MACRO:", field=f"line {_line(text, unclosed.start())}"
        )
    return Document(tuple(_sections(text, 0)), tuple(macros))


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _macro(body: str, line: int) -> MacroText:
    head = _MACRO_HEAD.match(body)
    if head is None:
        raise ModelError("a macro needs a name and arguments: :MACRO: name(a, b)",
                         field=f"line {line}")  # fmt: skip
    inputs, _, outputs = head.group(2).partition(":")
    return MacroText(
        name=head.group(1).strip(),
        inputs=tuple(a.strip() for a in inputs.split(",") if a.strip()),
        outputs=tuple(a.strip() for a in outputs.split(",") if a.strip()),
        sections=tuple(_sections(body[head.end() :], line - 1 + head.group().count("\n"))),
        line=line,
    )


def _sections(text: str, first_line: int) -> list[Section]:
    """Scan for ``~`` and ``|``: quotes count only in the equation part, since comments and
    units may hold stray quotes."""
    sections: list[Section] = []
    parts: list[str] = []
    begin = start = i = 0  # where the section and its current part start
    quoted = False
    while i < len(text):
        ch = text[i]
        if not parts and ch == '"':
            quoted = not quoted
        elif not parts and quoted and ch == "\\":
            i += 1  # an escaped character inside a quoted name
        elif not quoted and ch == "~" and len(parts) < 2:
            parts.append(text[start:i])
            start = i + 1
        elif not quoted and ch == "|":
            parts.append(text[start:i])
            _add(sections, parts, first_line + _line(text, _skip_space(text, begin)))
            parts, begin, start = [], i + 1, i + 1
        i += 1
    if text[start:].strip() or parts:
        parts.append(text[start:])
        _add(sections, parts, first_line + _line(text, _skip_space(text, begin)))
    return sections


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _add(sections: list[Section], parts: list[str], line: int) -> None:
    equation = _CONTINUATION.sub(" ", parts[0]).strip()
    if not equation or equation.startswith("*"):
        return  # a group marker (****** .Control ******) or an empty section
    units = _CONTINUATION.sub(" ", parts[1]).strip() if len(parts) > 1 else ""
    comment = _CONTINUATION.sub(" ", parts[2]).strip() if len(parts) > 2 else ""
    sections.append(Section(equation, units, comment, line))
