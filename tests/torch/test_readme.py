"""The README's Python examples, run by Sybil; each ``print`` shows the value its comment claims.

A line ``print(...)  # some words: VALUE`` claims that it prints ``VALUE``. The README's
examples import torch, so they live with the torch tests.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from sybil import Example, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import CodeBlockParser

README = Path(__file__).resolve().parents[2] / "README.md"
CLAIM = re.compile(r"^print\(.*\)\s+#.*:\s*(\S+)\s*$")
FENCE = re.compile(r"^```python\s*$", re.M)

_run = PythonEvaluator()


def run_and_check_prints(example: Example) -> str | None:
    """Run the block (Sybil keeps README line numbers in tracebacks); compare what it printed.

    Returns None when every claimed value was printed, in order, and nothing else; otherwise
    the mismatch, which Sybil reports as the example's failure.
    """
    claims = [m.group(1) for line in example.parsed.splitlines() if (m := CLAIM.match(line))]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _run(example)
    printed = out.getvalue().split()
    if printed != claims:
        return f"printed {printed}, the comments claim {claims}"
    return None


EXAMPLES = list(Sybil([CodeBlockParser("python", run_and_check_prints)]).parse(README))


def test_sybil_finds_every_python_block() -> None:
    assert EXAMPLES, "README.md must show a Python example"
    assert len(EXAMPLES) == len(FENCE.findall(README.read_text(encoding="utf-8")))


def test_readme_claims_printed_values() -> None:
    # the claims this test checks must not silently vanish from the README
    claims = [CLAIM.match(line) for e in EXAMPLES for line in e.parsed.splitlines()]
    assert sum(m is not None for m in claims) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"README.md:{e.line}" for e in EXAMPLES])
def test_readme_example_runs_and_prints_what_it_claims(example: Example) -> None:
    example.evaluate()
