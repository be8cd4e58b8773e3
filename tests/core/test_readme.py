"""The README's Python examples run, and each ``print`` shows the value its comment claims."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)
CLAIM = re.compile(r"^print\(.*\)\s+#.*:\s*(\S+)\s*$")


def python_blocks() -> list[str]:
    return BLOCK.findall(README.read_text())


def test_readme_has_an_example() -> None:
    assert python_blocks(), "README.md must show a Python example"


def test_readme_examples_run_and_print_what_they_claim() -> None:
    for block in python_blocks():
        claims = [m.group(1) for line in block.splitlines() if (m := CLAIM.match(line))]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(README), "exec"), {})
        assert out.getvalue().split() == claims
