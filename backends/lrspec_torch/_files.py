"""Output files written whole or not at all.

A :class:`PendingFile` reserves a temporary file beside its target before any work starts
(so a missing or unwritable directory is reported first), is written while the target is
untouched, and is renamed into place by :meth:`~PendingFile.commit`; :func:`pending` removes
whatever was not committed, so a failure leaves nothing half-written behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from lrspec_torch._errors import UsageError

#: Set by the CLI's SIGINT/SIGTERM handler. Python can swallow the KeyboardInterrupt that
#: handler raises (one raised inside a weakref callback is printed as "Exception ignored"
#: and the run goes on), so :meth:`PendingFile.commit` checks this too: after an interrupt,
#: no output is ever put in place.
INTERRUPTED = threading.Event()


class PendingFile:
    """An output path reserved now (a temp file beside it) and put in place by :meth:`commit`.

    Reserving checks that the directory exists and is writable before any work is done;
    nothing appears at ``target`` unless :meth:`commit` runs. ``what`` names the file in
    error messages ("the plot", "the JSON").
    """

    def __init__(self, target: str, what: str) -> None:
        self.target = Path(target)
        self.what = what
        if self.target.is_dir():
            raise UsageError(f"cannot write the {what} to {target!r}: it is a directory")
        parent = self.target.parent
        if not parent.is_dir():
            raise UsageError(
                f"cannot write the {what} to {target!r}: directory {str(parent)!r} does not exist"
            )
        try:
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{self.target.name}.", suffix=".tmp")
        except OSError as exc:
            raise UsageError(f"cannot write the {what} to {target!r}: {exc.strerror}") from None
        os.close(fd)
        self.tmp: Path | None = Path(tmp)

    def _error(self, exc: OSError) -> UsageError:
        return UsageError(
            f"cannot write the {self.what} to {str(self.target)!r}: {exc.strerror or exc}"
        )

    def write(self, writer: Callable[[Path], object]) -> None:
        """Call ``writer(temporary_path)``; an OSError becomes a one-line UsageError."""
        if self.tmp is None:
            raise RuntimeError(f"{str(self.target)!r} was already committed or discarded")
        try:
            writer(self.tmp)
        except OSError as exc:
            raise self._error(exc) from None

    def commit(self) -> None:
        """Rename the temporary file to the target, with the permissions of a new file."""
        if self.tmp is None:
            raise RuntimeError(f"{str(self.target)!r} was already committed or discarded")
        if INTERRUPTED.is_set():
            raise KeyboardInterrupt
        umask = os.umask(0)
        os.umask(umask)
        try:
            os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp made it private (0600)
            os.replace(self.tmp, self.target)
        except OSError as exc:
            raise self._error(exc) from None
        self.tmp = None

    def discard(self) -> None:
        """Remove the temporary file, if it is still there."""
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                self.tmp.unlink()
            self.tmp = None


@contextlib.contextmanager
def pending(outputs: list[PendingFile]) -> Iterator[list[PendingFile]]:
    """Discard every reserved file not committed, whatever happens."""
    try:
        yield outputs
    finally:
        for out in outputs:
            out.discard()
