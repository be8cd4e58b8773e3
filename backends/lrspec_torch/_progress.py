"""A one-line progress bar for ``lrspec compare`` on a terminal's stderr."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

#: Draw the bar when a comparison holds more work than this (samples x features x epochs,
#: summed over runs): below it, runs finish in a blink.
PROGRESS_WORK = 50_000_000


class ProgressBar:
    """``[#####-----] 3/7 training StepLR``, redrawn in place with ``\\r``; a newline at the end.

    Drawn only when ``enabled`` (by default: when ``stream`` is a terminal); otherwise every
    method does nothing. Use it as a context manager, so the line is ended even on errors.
    """

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        width: int = 24,
    ) -> None:
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.width = width
        self.done = 0
        self._label = ""
        self._shown = 0  # length of the line now on screen

    @classmethod
    def for_work(cls, work: int, total: int) -> ProgressBar:
        """A bar on stderr, enabled on a terminal when ``work`` is at least PROGRESS_WORK."""
        bar = cls(total)
        bar.enabled = bar.enabled and work >= PROGRESS_WORK
        return bar

    def show(self, label: str) -> None:
        """Redraw the bar with ``label`` after the count."""
        self._label = label
        if not self.enabled:
            return
        filled = self.width * self.done // max(self.total, 1)
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {self.done}/{self.total} {label}"
        self.stream.write("\r" + line.ljust(self._shown))  # pad over a longer previous line
        self.stream.flush()
        self._shown = len(line)

    def advance(self) -> None:
        """Count one more item done and redraw."""
        self.done += 1
        self.show(self._label)

    def close(self) -> None:
        """End the line (once), leaving the last state on screen."""
        if self.enabled and self._shown:
            self.stream.write("\n")
            self.stream.flush()
        self._shown = 0

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
