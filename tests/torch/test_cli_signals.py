"""An interrupted ``lrspec compare`` leaves no partial file: SIGINT and SIGTERM alike.

The command reserves its outputs (``--json``, ``--plot``) as temporary files beside them
before training; a signal mid-run must remove them, write nothing at the targets, print one
line and end with status 130 (or by the signal itself, which a shell also reports as 130) --
whether the signal is SIGINT (Ctrl-C) or SIGTERM (a batch scheduler's kill).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_compare_leaves_no_file(tmp_path: Path, sig: signal.Signals) -> None:
    json_out, plot_out = tmp_path / "runs.json", tmp_path / "runs.png"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lrspec_torch.cli",
            "compare",
            "--schedulers",
            "StepLR",
            "--epochs",
            "1000000",
            "--device",
            "cpu",
            "--json",
            str(json_out),
            "--plot",
            str(plot_out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob(".*.tmp"))) < 2:  # both outputs reserved: training runs
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the outputs were never reserved"
            time.sleep(0.05)
        time.sleep(0.5)  # well inside the training loop
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    # 130 (main caught the interrupt), or death by SIGINT: CPython kills itself with SIGINT
    # at exit when the KeyboardInterrupt surfaced inside code a C extension ran with
    # PyRun_* (the flag is never reset), even though main handled it -- a shell reports
    # both as 130
    assert proc.returncode in (130, -signal.SIGINT), (proc.returncode, out, err)
    assert err.strip().splitlines() == ["lrspec compare: interrupted"], err
    assert list(tmp_path.iterdir()) == []  # no target, no temporary file
