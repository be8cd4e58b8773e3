"""Composite and streaming benchmarks: SequentialLR, ChainedScheduler and ``iter_trace``.

Run: ``.venv/bin/python benchmarks/bench_composite.py [--quick]``. Every target from DESIGN.md
is a ratio against a reference timed in the same run: ``trace`` against stepping torch's own
scheduler (>= 10x faster), scalar ``lr`` against a plain ``math`` expression (<= 2x), a 1e6-step
vectorised ``lr`` against stepping torch (>= 200x faster), and ``iter_trace`` per step against
``trace``. Each line prints the measure, the reference, the ratio, the target and PASS/MISS;
nothing here fails on timing.
"""

from __future__ import annotations

import argparse
import math
import sys
import timeit
import warnings

import numpy as np
import torch
from _ratio import best_of, report, summary

import lrspec
import lrspec.testing
import lrspec_torch

BASE = 0.25


def torch_steps(spec: lrspec.Schedule, steps: int, base_lr: float = BASE) -> float:
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


def warmup_cosine(n: int) -> lrspec.SequentialLR:
    warm = max(1, n // 100)
    return lrspec.SequentialLR(
        schedulers=[
            lrspec.LinearLR(start_factor=0.01, total_iters=warm),
            lrspec.CosineAnnealingLR(T_max=n - warm),
        ],
        milestones=[warm],
    )


def traces(steps: int) -> None:
    print(f"trace({steps} steps) vs stepping torch's scheduler (target >= 10x faster):")
    cases: list[tuple[str, lrspec.Schedule]] = [
        ("SequentialLR(Linear->Cosine)", warmup_cosine(steps)),
        (
            "SequentialLR(Exp->Step->Multi)",
            lrspec.SequentialLR(
                schedulers=[
                    lrspec.ExponentialLR(gamma=0.999),
                    lrspec.StepLR(step_size=30, gamma=0.5),
                    lrspec.MultiStepLR(milestones=[steps // 4]),
                ],
                milestones=[steps // 3, 2 * steps // 3],
            ),
        ),
        (
            "SequentialLR(Linear->Lambda)",
            lrspec.SequentialLR(
                schedulers=[
                    lrspec.LinearLR(start_factor=0.01, total_iters=steps // 10),
                    lrspec.LambdaLR(lr_lambda=lrspec.testing.inverse_time),
                ],
                milestones=[steps // 10],
            ),
        ),
        (
            "Chained(Linear, Exponential)",
            lrspec.ChainedScheduler(
                schedulers=[
                    lrspec.LinearLR(start_factor=0.01, total_iters=steps // 10),
                    lrspec.ExponentialLR(gamma=0.9999),
                ]
            ),
        ),
        (
            "Chained(Constant, Step, Poly)",
            lrspec.ChainedScheduler(
                schedulers=[
                    lrspec.ConstantLR(factor=0.5, total_iters=steps // 10),
                    lrspec.StepLR(step_size=100, gamma=0.9),
                    lrspec.PolynomialLR(total_iters=steps, power=2.0),
                ]
            ),
        ),
        (
            "Chained(Linear, Cosine)",
            lrspec.ChainedScheduler(
                schedulers=[
                    lrspec.LinearLR(start_factor=0.01, total_iters=steps // 10),
                    lrspec.CosineAnnealingLR(T_max=steps),
                ]
            ),
        ),
    ]
    for name, spec in cases:
        ours = best_of(lambda s=spec: s.trace(BASE, steps), repeat=3)  # type: ignore[misc]
        report(f"{name}.trace", ours, torch_steps(spec, steps), "stepping torch", at_least=10)


def scalar_lr(number: int) -> None:
    print("scalar lr(e, base) vs a plain math expression (target <= 2x):")
    n, warm = 1000, 10
    spec = warmup_cosine(n)
    t = n - warm

    def ref(e: int, base: float) -> float:
        if e < warm:
            return base * (0.01 + (1.0 - 0.01) * e / warm)
        return base * (1 + math.cos(math.pi * (e - warm) / t)) / 2

    chained = lrspec.ChainedScheduler(
        schedulers=[lrspec.ExponentialLR(gamma=0.99), lrspec.StepLR(step_size=30, gamma=0.5)]
    )

    def ref_chained(e: int, base: float) -> float:
        return base * 0.99**e * 0.5 ** (e // 30)

    for name, s, r, epochs in (
        ("SequentialLR(Linear->Cosine)", spec, ref, (3, 37, 950)),
        ("Chained(Exp, Step)", chained, ref_chained, (3, 37, 95)),
    ):
        for e in epochs:
            assert math.isclose(s.lr(e, BASE), r(e, BASE), rel_tol=1e-12, abs_tol=1e-15)
        ours = theirs = 0.0
        for e in epochs:
            ours += min(timeit.repeat(lambda: s.lr(e, BASE), number=number, repeat=5)) / number  # noqa: B023
            theirs += min(timeit.repeat(lambda: r(e, BASE), number=number, repeat=5)) / number  # noqa: B023
        report(f"{name}.lr(e, base)", ours, theirs, "plain math", at_most=2)


def vectorised(n: int) -> None:
    print(f"{n:.0e}-step warm-up + cosine SequentialLR curve, vectorised lr (target >= 200x):")
    spec = warmup_cosine(n)
    torch_t = torch_steps(spec, n)
    for label, epochs in (
        ("numpy float64", np.arange(n + 1, dtype=np.float64)),
        ("numpy float32", np.arange(n + 1, dtype=np.float32)),
        ("torch float64", torch.arange(n + 1, dtype=torch.float64)),
    ):
        ours = best_of(lambda x=epochs: spec.lr(x, BASE))  # type: ignore[misc]
        report(f"lr(arange(n)) {label}", ours, torch_t, "stepping torch", at_least=200)


def streaming(steps: int) -> None:
    print(f"iter_trace({steps} steps) vs trace (target <= 2x, constant memory):")
    cases: list[tuple[str, lrspec.Schedule]] = [
        ("CosineAnnealingLR", lrspec.CosineAnnealingLR(T_max=steps // 3)),
        ("SequentialLR(Linear->Cosine)", warmup_cosine(steps)),
        ("OneCycleLR", lrspec.OneCycleLR(max_lr=0.1, total_steps=steps)),
    ]
    for name, spec in cases:

        def drain(s: lrspec.Schedule = spec) -> float:
            return sum(s.iter_trace(BASE, steps))

        def whole(s: lrspec.Schedule = spec) -> float:
            return sum(s.trace(BASE, steps))

        report(f"{name}.iter_trace", best_of(drain, 3), best_of(whole, 3), "trace", at_most=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e5-step curves, fewer calls")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    print(f"torch {torch.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    traces(10_000)
    scalar_lr(2_000 if args.quick else 20_000)
    vectorised(n)
    if hasattr(lrspec.Schedule, "iter_trace"):
        streaming(n // 10)
    summary()


if __name__ == "__main__":
    main()
