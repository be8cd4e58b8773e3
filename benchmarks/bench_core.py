"""Core benchmarks: lrspec's pure evaluations against a reference measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_core.py [--quick]``. Every target from DESIGN.md is a
ratio (machines differ ~2x in absolute speed): each line prints the measure, its reference
(torch stepping, a bare numpy expression, ``import attrs``), the ratio, the target ratio and
PASS/MISS. Nothing here fails on timing. Scalar ``lr`` against plain ``math`` is in
``bench_scalar.py``; ``SpecLR.step()`` against torch in ``bench_speclr.py``.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import timeit
import warnings
from typing import Any

import numpy as np
import torch
from _ratio import best_of, report, summary

import lrspec
import lrspec_torch


def torch_steps(spec: lrspec.Schedule, steps: int, base_lr: float = 0.25) -> float:
    """Seconds to step the native torch scheduler ``steps`` times (construction excluded)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = lrspec_torch.to_torch(spec, opt)
        step = sched.step
        start = timeit.default_timer()
        for _ in range(steps):
            step()
        return timeit.default_timer() - start


def curve(n: int) -> None:
    print(f"{n:.0e}-step cosine curve, vectorised lr (float64):")
    spec = lrspec.CosineAnnealingLR(T_max=n, eta_min=1e-5)
    epochs = np.arange(n + 1)
    ours = best_of(lambda: spec.lr(epochs, 0.25))

    def bare() -> Any:
        return 1e-5 + (0.25 - 1e-5) * (1 + np.cos(math.pi * epochs / n)) / 2

    report("lr(arange(n))", ours, best_of(bare), "bare numpy expression", at_most=2)
    report("lr(arange(n))", ours, torch_steps(spec, n), "stepping torch", at_least=200)


def curve_warmup_cosine(n: int) -> None:
    print(f"{n:.0e}-step warm-up + cosine SequentialLR, vectorised lr (composites: not yet tuned):")
    warm = n // 100
    spec = lrspec.SequentialLR(
        schedulers=[
            lrspec.LinearLR(start_factor=0.01, total_iters=warm),
            lrspec.CosineAnnealingLR(T_max=n - warm),
        ],
        milestones=[warm],
    )
    epochs = np.arange(n + 1)
    ours = best_of(lambda: spec.lr(epochs, 0.25))
    report("SequentialLR lr(arange(n))", ours, torch_steps(spec, n), "stepping torch", at_least=200)


def trace_cost(steps: int) -> None:
    specs: list[lrspec.Schedule] = [
        lrspec.ExponentialLR(gamma=0.999),
        lrspec.StepLR(step_size=30, gamma=0.1),
        lrspec.MultiStepLR(milestones=[steps // 3, 2 * steps // 3]),
        lrspec.CosineAnnealingLR(T_max=steps),
        lrspec.LinearLR(start_factor=0.01, total_iters=steps // 10),
        lrspec.OneCycleLR(max_lr=0.1, total_steps=steps),
        lrspec.SequentialLR(  # composites: not yet tuned
            schedulers=[
                lrspec.LinearLR(start_factor=0.01, total_iters=steps // 10),
                lrspec.CosineAnnealingLR(T_max=steps - steps // 10),
            ],
            milestones=[steps // 10],
        ),
    ]
    print(f"trace({steps} steps) vs stepping torch the same number of steps:")
    for spec in specs:
        ours = best_of(lambda s=spec: s.trace(0.25, steps), repeat=3)  # type: ignore[misc]
        theirs = min(torch_steps(spec, steps) for _ in range(2))
        report(f"{type(spec).__name__}.trace", ours, theirs, "stepping torch", at_least=10)


def plateau_trace(steps: int) -> None:
    """ReduceLROnPlateau.trace on a noisy falling loss vs torch's step(metric) loop."""
    print(f"ReduceLROnPlateau.trace({steps} metrics) vs torch's step(metric):")
    rnd = random.Random(0)
    metrics = [1.0 / (1 + i) + rnd.uniform(0.0, 0.05) for i in range(steps)]
    for kwargs in ({"patience": 5}, {"mode": "max", "threshold_mode": "abs", "cooldown": 2}):
        spec = lrspec.ReduceLROnPlateau(**kwargs)  # type: ignore[arg-type]
        stream = metrics if spec.mode == "min" else [-m for m in metrics]
        ours = best_of(lambda s=spec, m=stream: s.trace(0.25, metrics=m))  # type: ignore[misc]

        def native(s: lrspec.ReduceLROnPlateau = spec, m: list[float] = stream) -> float:
            opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.25)
            sched = lrspec_torch.to_torch(s, opt)
            step = sched.step
            start = timeit.default_timer()
            for value in m:
                step(value)
            return timeit.default_timer() - start

        theirs = min(native() for _ in range(3))
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        report(f"trace ({args})", ours, theirs, "stepping torch", at_least=10)


def import_time(runs: int) -> None:
    """``import lrspec`` vs ``import attrs`` (its one dependency), in fresh interpreters."""
    print(f"import time, fresh interpreters (median of {runs}, alternating):")
    code = (
        "import time; t = time.perf_counter(); import {}; "
        "print(time.perf_counter() - t, 'torch' in __import__('sys').modules)"
    )
    # Imports come from cached bytecode; allow writing it (some environments set
    # PYTHONDONTWRITEBYTECODE), and discard the first round, which may compile.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    inside: dict[str, list[float]] = {"attrs": [], "lrspec": []}
    wall: dict[str, list[float]] = {"attrs": [], "lrspec": []}
    torch_loaded = "?"
    for i in range(runs + 1):
        for module in ("attrs", "lrspec"):
            start = timeit.default_timer()
            out = subprocess.run(
                [sys.executable, "-c", code.format(module)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            seconds = timeit.default_timer() - start
            if i == 0:
                continue
            value, loaded = out.stdout.split()
            inside[module].append(float(value))
            wall[module].append(seconds)
            if module == "lrspec":
                torch_loaded = loaded
    med = {m: statistics.median(v) for m, v in inside.items()}
    report("import lrspec", med["lrspec"], med["attrs"], "import attrs", at_most=1.5)
    med = {m: statistics.median(v) for m, v in wall.items()}
    report(
        "python -c 'import lrspec'", med["lrspec"], med["attrs"], "... 'import attrs'", at_most=1.5
    )
    print(f"  torch imported by import lrspec: {torch_loaded} (target: False)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1e5 steps instead of 1e6")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    print(f"torch {torch.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    curve(n)
    curve_warmup_cosine(n)
    trace_cost(10_000)
    plateau_trace(10_000)
    import_time(9 if args.quick else 31)
    summary()


if __name__ == "__main__":
    main()
