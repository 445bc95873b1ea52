"""Errors a user can cause, carrying a Danish message fit to show as it is."""

from __future__ import annotations

from collections.abc import Sequence


class UserError(Exception):
    """A problem with the user's input or request, described in Danish.

    The message says what is wrong, where (file, row, column) and what to do. The command line
    prints it as one line and the app shows it in an error box; neither shows a traceback.
    """

    def __init__(self, message: str, *, problems: list[str] | None = None, details: Sequence[object] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])
        #: The problems as data (an import's :class:`trappetrin.imports.problems.Problem` objects),
        #: when the code that found them kept them; ``problems`` is their Danish text.
        self.details = tuple(details)

    def one_line(self, limit: int = 10) -> str:
        """The message and its problems on one line, for the command line."""
        if not self.problems:
            return self.message
        shown = "; ".join(self.problems[:limit])
        more = f" (og {len(self.problems) - limit} fejl mere)" if len(self.problems) > limit else ""
        return f"{self.message} {shown}{more}"

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"- {p}" for p in self.problems)
