"""The error the ``lrspec`` command reports as bad input: one line on stderr, exit code 2."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input: printed as one line on stderr, exit code 2.

    ``prog`` names the command that reported it (``lrspec compare``), when not the current one.
    """

    def __init__(self, message: str, prog: str | None = None) -> None:
        super().__init__(message)
        self.prog = prog
