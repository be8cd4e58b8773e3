"""Hypothesis profiles: ``dev`` (default), ``ci`` (CI=true), ``thorough`` (HYPOTHESIS_PROFILE).

And the fixtures every test folder shares.
"""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev")
)


@pytest.fixture(scope="session")
def run_python() -> Callable[..., str]:
    """``run_python(*args, cwd=None)``: ``python *args`` in a fresh interpreter; its stdout.

    Asserts that it exited 0 (the failure shows its stderr).
    """

    def run(*args: str, cwd: Path | None = None, timeout: float = 300) -> str:
        proc = subprocess.run(
            [sys.executable, *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    return run
