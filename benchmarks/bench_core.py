"""Core benchmarks: lrspec's pure evaluations against torch, measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_core.py [--quick]``. Prints one line per measure with
the ratio against torch (or against a bare numpy expression) and the target from DESIGN.md.
Nothing here fails on timing; the figures are for humans and notes.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import timeit
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import lrspec
import lrspec_torch


def best_of(fn: Callable[[], Any], repeat: int = 5, number: int = 1) -> float:
    """Best wall time of one call, in seconds (min over repeats: least disturbed run)."""
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number


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
    spec = lrspec.CosineAnnealingLR(T_max=n, eta_min=1e-5)
    epochs = np.arange(n + 1)
    ours = best_of(lambda: spec.lr(epochs, 0.25))

    def bare() -> Any:
        return 1e-5 + (0.25 - 1e-5) * (1 + np.cos(math.pi * epochs / n)) / 2

    bare_t = best_of(bare)
    torch_t = torch_steps(spec, n)
    print(f"{n:.0e}-step cosine curve, vectorised lr: {ours * 1e3:8.2f} ms")
    print(
        f"  bare numpy expression:               {bare_t * 1e3:8.2f} ms   "
        f"ratio {ours / bare_t:5.2f}x  (target <= 2x)"
    )
    print(
        f"  stepping torch's CosineAnnealingLR:   {torch_t * 1e3:8.0f} ms   "
        f"lrspec is {torch_t / ours:6.0f}x faster  (target >= 200x)"
    )


def curve_warmup_cosine(n: int) -> None:
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
    torch_t = torch_steps(spec, n)
    print(f"{n:.0e}-step warm-up + cosine SequentialLR, vectorised lr: {ours * 1e3:8.2f} ms")
    print(
        f"  stepping torch's SequentialLR:         {torch_t * 1e3:8.0f} ms   "
        f"lrspec is {torch_t / ours:6.0f}x faster"
    )


def trace_cost(steps: int) -> None:
    specs: list[lrspec.Schedule] = [
        lrspec.ExponentialLR(gamma=0.999),
        lrspec.StepLR(step_size=30, gamma=0.1),
        lrspec.MultiStepLR(milestones=[steps // 3, 2 * steps // 3]),
        lrspec.CosineAnnealingLR(T_max=steps),
        lrspec.LinearLR(start_factor=0.01, total_iters=steps // 10),
        lrspec.OneCycleLR(max_lr=0.1, total_steps=steps),
        lrspec.SequentialLR(
            schedulers=[
                lrspec.LinearLR(start_factor=0.01, total_iters=steps // 10),
                lrspec.CosineAnnealingLR(T_max=steps - steps // 10),
            ],
            milestones=[steps // 10],
        ),
    ]
    print(f"trace cost per step ({steps} steps; target <= 0.3 us), vs torch step():")
    for spec in specs:
        ours = best_of(lambda s=spec: s.trace(0.25, steps), repeat=3) / steps  # type: ignore[misc]
        theirs = torch_steps(spec, steps) / steps
        name = type(spec).__name__
        print(
            f"  {name:<22} {ours * 1e6:6.3f} us/step   torch {theirs * 1e6:6.2f} us/step   "
            f"{theirs / ours:5.0f}x faster"
        )


def scalar_lr() -> None:
    print("scalar lr(epoch, base_lr) (target <= 1 us):")
    for spec in (
        lrspec.StepLR(step_size=30),
        lrspec.CosineAnnealingLR(T_max=100),
        lrspec.OneCycleLR(max_lr=0.1, total_steps=1000),
    ):
        number = 20000
        t = min(timeit.repeat(lambda s=spec: s.lr(37, 0.25), repeat=5, number=number)) / number  # type: ignore[misc]
        print(f"  {type(spec).__name__:<22} {t * 1e6:6.3f} us")


def import_time() -> None:
    code = (
        "import time; t = time.perf_counter(); import lrspec; "
        "print(time.perf_counter() - t, 'torch' in __import__('sys').modules)"
    )
    # Installed packages import from cached bytecode; allow writing it (some environments set
    # PYTHONDONTWRITEBYTECODE) and discard the first run, which compiles.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = []
    for i in range(8):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        if i == 0:
            continue
        seconds, torch_loaded = out.stdout.split()
        runs.append(float(seconds))
    print(
        f"import lrspec: median {statistics.median(runs) * 1e3:5.1f} ms, "
        f"best {min(runs) * 1e3:5.1f} ms (target <= 50 ms); torch imported: {torch_loaded}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1e5 steps instead of 1e6")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    print(f"torch {torch.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    curve(n)
    curve_warmup_cosine(n)
    trace_cost(10_000)
    scalar_lr()
    import_time()


if __name__ == "__main__":
    main()
