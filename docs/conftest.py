"""Run the code on the site's Markdown pages under pytest (Sybil).

* ```` ```python ```` blocks run in one namespace per page, in order (a block that starts
  with ``>>>`` is checked as a doctest); a failing block fails with the page's line number.
* ```` ```console ```` blocks hold ``$ lrspec ...`` commands and the output they print; each
  command runs in-process (``lrspec_torch.cli.main``) in a temporary directory, and what it
  prints (stdout and stderr) must match the shown output (``...`` matches anything, runs of
  whitespace are equal). It must exit 0 unless the shown output holds an ``error:``.
* ```` ```bash ```` blocks are shell set-up (installs, scripts) and are not run.

The gallery and tutorial scripts run while Sphinx builds the site, not here: with the
project's ``--doctest-modules`` pytest would otherwise import (and so execute) them.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import shlex
import tempfile

from sybil import Example, Sybil
from sybil.parsers.myst import CodeBlockParser, PythonCodeBlockParser, SkipParser

os.environ.setdefault("MPLBACKEND", "Agg")

collect_ignore_glob = [
    "examples/*",
    "tutorials/*",
    "auto_examples/*",
    "auto_tutorials/*",
    "gen_modules/*",
    "_build/*",
    "conf.py",
]

_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _commands(block: str) -> list[tuple[str, str]]:
    """``[(command, expected output), ...]`` from a console block."""
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"a console block must start with '$ ', got {line!r}")
    return [(cmd, "\n".join(lines).strip() + "\n") for cmd, lines in out]


def run_console(example: Example) -> str | None:
    """Run each ``$ lrspec ...`` command of the block; return the first mismatch, if any."""
    from lrspec_torch.cli import main

    for command, expected in _commands(example.parsed):
        argv = shlex.split(command)
        if argv[0] != "lrspec":
            return f"console blocks may run only `lrspec ...`, got {command!r}"
        # (a UTF-8 stream, like a terminal's: the sparkline falls back to ASCII otherwise)
        raw = io.BytesIO()
        output = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
        with (
            tempfile.TemporaryDirectory() as tmp,
            contextlib.chdir(tmp),
            contextlib.redirect_stdout(output),
            contextlib.redirect_stderr(output),
        ):
            code = main(argv[1:])
        # a failing command is fine only where the page shows its error message
        got = raw.getvalue().decode("utf-8").strip() + "\n"
        if code != 0 and "error:" not in expected:
            return f"`{command}` exited with {code}:\n{got}"
        if not _CHECKER.check_output(expected, got, _FLAGS):
            return f"`{command}` printed:\n{got}\nthe page shows:\n{expected}"
    return None


pytest_collect_file = Sybil(
    parsers=[
        PythonCodeBlockParser(),
        CodeBlockParser(language="console", evaluator=run_console),
        SkipParser(),
    ],
    patterns=["*.md"],
).pytest()
