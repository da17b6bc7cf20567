"""The errors a user can cause. Each carries where (file, field) and why, in one line."""

from __future__ import annotations

__all__ = ["ModelError", "NonFiniteError", "ParseError", "SimError", "UserInputError"]


class SimError(Exception):
    """Base class for errors that the command line reports in one line, without a traceback.

    ``exit_status`` is the command's exit status when it ends with this error."""

    exit_status = 2


class UserInputError(SimError):
    """Bad input: a file, a field and a reason.

    ``str(error)`` is ``"<file>: <field>: <reason>"`` with empty parts left out.
    """

    def __init__(self, reason: str, *, file: str | None = None, field: str | None = None):
        self.reason = reason
        self.file = file
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [p for p in (self.file, self.field) if p]
        return ": ".join([*parts, self.reason])

    def located(self, file: str) -> UserInputError:
        """Attribute the error to ``file`` unless it already names one; returns ``self``."""
        if not self.file:
            self.file = file
            self.args = (self.message,)
        return self


class ModelError(UserInputError):
    """A model is inconsistent: unknown name, cycle, duplicate, bad graphical function, …"""


class ParseError(ModelError):
    """An equation does not parse: names the variable, the position and what was expected."""


class NonFiniteError(SimError):
    """A run reached NaN or infinity: its numbers mean nothing, so the command stops (exit 3)
    rather than report them (an infinite value would count as a target met)."""

    exit_status = 3
