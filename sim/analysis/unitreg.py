"""A unit registry per model: pint's algebra over the time units and the model's own units.

The registry starts empty (pint's physical units have no place in a plan model and would
make ``a`` or ``ha`` mean something unintended) and holds:

- the time units ``second … year`` (``s, min, h, day, week, month, quarter, year = yr``),
  with their factors, so ``month`` against ``year`` is a mismatch of scale;
- ``percent = %`` (0.01) and the dimensionless spellings ``1``, ``dimensionless``, ``dmnl``,
  ``fraction``, ``unitless``;
- the units the model declares (`sim.model.UnitDefinition`): a base unit of its own, or an
  equation of other units, each with its aliases;
- the model's time unit (``[time] units``), an alias of a known time unit or a time unit of
  its own;
- any other name used in a ``units`` string, as a base unit of its own, reported as
  undeclared. A trailing ``s`` is accepted as a plural (``firm`` and ``firms``, as pint does).
"""

from __future__ import annotations

import re
from functools import cached_property

from ..errors import ModelError
from ..model import Model

__all__ = ["DIMENSIONLESS_WORDS", "UnitRegistry", "UnitsError"]

DIMENSIONLESS_WORDS = frozenset({"1", "dimensionless", "dmnl", "fraction", "unitless", "none"})

_TIME_UNITS = (
    "second = [time] = s = sec",
    "minute = 60 * second = min",
    "hour = 60 * minute = h = hr",
    "day = 24 * hour = _ = d",
    "week = 7 * day = wk",
    "year = 365 * day = yr",
    "month = year / 12 = mo",
    "quarter = year / 4",
)
_NAME = re.compile(r"[^\W\d][\w$]*")


class UnitsError(ValueError):
    """A units string that cannot be read, or a declaration that cannot be made."""


class UnitRegistry:
    """Parses units strings of one model into pint quantities (magnitude = scale factor)."""

    def __init__(self, model: Model, texts: tuple[str, ...] = ()):
        import pint

        self._pint = pint
        self.registry = pint.UnitRegistry(None)
        self.undeclared: list[str] = []
        self._cache: dict[str, object] = {}
        for line in _TIME_UNITS:
            self.registry.define(line)
        self.registry.define("percent = 0.01 = %")
        for unit in model.units:
            self._declare(unit.name, unit.equation, unit.aliases)
        self.time = self._time_unit(model.time.units)
        self._prescan(texts)

    @cached_property
    def dimensionless(self):
        return self.registry.Quantity(1.0)

    def _declare(self, name: str, equation: str, aliases: tuple[str, ...]) -> None:
        where = f"units.{name}"
        if not _NAME.fullmatch(name) or any(not _NAME.fullmatch(a) for a in aliases):
            raise ModelError("a unit name must be a word (letters, digits, _)", field=where)
        definition = self._text(equation) if equation.strip() else f"[{name}]"
        line = (
            " = ".join((name, definition, "_", *aliases)) if aliases else f"{name} = {definition}"
        )
        try:
            self.registry.define(line)
        except Exception as exc:  # pint raises several kinds for a bad definition
            raise ModelError(f"cannot declare this unit: {exc}", field=where) from None

    def _time_unit(self, text: str):
        """The model's time unit; a name pint does not know becomes a time unit of its own."""
        if not text.strip():
            return None
        try:
            return self.parse(text, declare=False)
        except UnitsError:
            if not _NAME.fullmatch(text.strip()):
                raise ModelError(
                    f"cannot read the time units {text!r}", field="time.units"
                ) from None
            self.registry.define(f"{text.strip()} = [model_time]")
            return self.parse(text)

    def _prescan(self, texts: tuple[str, ...]) -> None:
        """Declare every unknown name of ``texts``, shortest first, so that a singular
        (``firm``) is known before its plural (``firms``), whatever the order of use."""
        names = {n for t in texts for n in _NAME.findall(self._text(t)) if n.lower() != "per"}
        for name in sorted(names, key=lambda n: (len(n), n)):
            try:
                self.registry.parse_units(name)
            except Exception:  # unknown to pint: a base unit of its own
                self.registry.define(f"{name} = [{name}]")
                self.undeclared.append(name)

    @staticmethod
    def _text(text: str) -> str:
        """Pint's syntax for ``text``: ``%`` is percent, ``a per b`` is ``(a)/(b)``."""
        text = text.strip().replace("%", " percent ").replace("·", "*").replace("×", "*")
        left, per, right = _split_per(text)
        return f"({left.strip() or '1'})/({right.strip()})" if per else text

    def parse(self, text: str, *, declare: bool = True):
        """The quantity ``text`` means (``None`` for an empty string: undeclared units).

        Unknown names become base units of their own (and are listed in ``undeclared``) when
        ``declare`` is true; otherwise they are an error.
        """
        text = text.strip()
        if not text:
            return None
        if text in self._cache:
            return self._cache[text]
        if text.lower() in DIMENSIONLESS_WORDS:
            return self.dimensionless
        pint = self._pint
        for _ in range(50):
            try:
                value = self.registry.parse_expression(self._text(text))
                break
            except pint.UndefinedUnitError as exc:
                names = exc.unit_names if isinstance(exc.unit_names, tuple) else (exc.unit_names,)
                if not declare or not all(_NAME.fullmatch(n) for n in names):
                    raise UnitsError(f"unknown unit {', '.join(names)}") from None
                for name in sorted(names, key=len):
                    self.registry.define(f"{name} = [{name}]")
                    self.undeclared.append(name)
            except Exception as exc:  # pint's parser raises several kinds for bad text
                raise UnitsError(f"cannot read units {text!r}: {exc}") from None
        else:  # pragma: no cover - 50 new names in one string
            raise UnitsError(f"cannot read units {text!r}")
        if not isinstance(value, pint.Quantity) or not value.dimensionality:
            value = self.dimensionless  # %, per 1000: a pure number carries its scale itself
        self._cache[text] = value
        return value

    def same(self, a, b) -> bool:
        """Whether ``a`` and ``b`` are the same unit: same dimension and same scale (a
        dimensionless number carries its scale in its value: ``%`` matches a fraction)."""
        if a.dimensionality != b.dimensionality:
            return False
        if not a.dimensionality:
            return True
        ratio = (a / b).to_reduced_units().to_base_units().magnitude
        return abs(ratio - 1.0) <= 1e-9

    def show(self, q) -> str:
        """Units as a person writes them: ``persons/yr``, ``1000 persons``, ``dimensionless``."""
        if q is None:
            return "?"
        units = q.units
        text = "dimensionless" if units == self.registry.dimensionless else f"{units:~}"
        text = text.replace(" ** ", "^").replace(" * ", "·").replace(" / ", "/")
        magnitude = float(q.magnitude)
        return text if magnitude == 1.0 else f"{magnitude:g} {text}"


def _split_per(text: str) -> tuple[str, str, str]:
    parts = re.split(r"\bper\b", text, maxsplit=1)
    return (parts[0], "per", parts[1]) if len(parts) == 2 else (text, "", "")
