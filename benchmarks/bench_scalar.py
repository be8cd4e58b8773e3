"""Scalar ``spec.lr(epoch, base_lr)`` against a plain ``math`` expression of the same formula.

Run: ``.venv/bin/python benchmarks/bench_scalar.py [--quick]``. For every spec with a closed
form, the reference is a small Python function ``ref(epoch, base_lr)`` that evaluates the
same formula with :mod:`math` (parameters bound as closure constants): what a user would write
by hand. Both are timed on the same epochs (chosen to visit every branch/phase), in the same
run; the target from DESIGN.md is ``spec.lr`` <= 2x the reference. Needs neither torch nor
numpy. Nothing fails on timing.
"""

from __future__ import annotations

import argparse
import bisect
import math
import sys
import timeit
from collections.abc import Callable

from _ratio import report, summary

import lrspec

TARGET = 2.0
Ref = Callable[[int, float], float]
BASE = 0.25


def _cosine(eta: float, base: float, t: float) -> float:
    return eta + (base - eta) * (1 + math.cos(math.pi * t)) / 2


def cases() -> list[tuple[str, lrspec.Schedule, Ref, tuple[int, ...]]]:
    """(name, spec, reference, epochs) for each closed-form spec."""
    out: list[tuple[str, lrspec.Schedule, Ref, tuple[int, ...]]] = []

    def add(name: str, spec: lrspec.Schedule, epochs: tuple[int, ...]) -> Callable[[Ref], Ref]:
        def register(ref: Ref) -> Ref:
            out.append((name, spec, ref, epochs))
            return ref

        return register

    @add("StepLR", lrspec.StepLR(step_size=30, gamma=0.1), (0, 37, 95))
    def _step(e: int, base: float) -> float:
        return base * 0.1 ** (e // 30)

    ms = (30, 60, 90)

    @add("MultiStepLR", lrspec.MultiStepLR(milestones=list(ms), gamma=0.1), (0, 37, 95))
    def _multistep(e: int, base: float) -> float:
        return base * 0.1 ** bisect.bisect_right(ms, e)

    @add("ConstantLR", lrspec.ConstantLR(factor=0.5, total_iters=5), (0, 37))
    def _constant(e: int, base: float) -> float:
        return base * 0.5 if e < 5 else base

    @add("LinearLR", lrspec.LinearLR(start_factor=0.1, total_iters=50), (0, 37, 95))
    def _linear(e: int, base: float) -> float:
        return base * (0.1 + (1.0 - 0.1) * min(e, 50) / 50)

    @add("ExponentialLR", lrspec.ExponentialLR(gamma=0.95), (0, 37, 95))
    def _exponential(e: int, base: float) -> float:
        return base * 0.95**e

    @add("PolynomialLR", lrspec.PolynomialLR(total_iters=50, power=2.0), (0, 37, 95))
    def _polynomial(e: int, base: float) -> float:
        return base * (1.0 - min(e, 50) / 50) ** 2.0

    @add("CosineAnnealingLR", lrspec.CosineAnnealingLR(T_max=100, eta_min=1e-4), (0, 37, 95))
    def _cos(e: int, base: float) -> float:
        return 1e-4 + (base - 1e-4) * (1 + math.cos(math.pi * e / 100)) / 2

    @add("WarmRestarts(T_mult=1)", lrspec.CosineAnnealingWarmRestarts(T_0=10), (0, 37, 95))
    def _sgdr1(e: int, base: float) -> float:
        return _cosine(0.0, base, e % 10 / 10)

    @add(
        "WarmRestarts(T_mult=2)",
        lrspec.CosineAnnealingWarmRestarts(T_0=10, T_mult=2),
        (0, 37, 95),
    )
    def _sgdr2(e: int, base: float) -> float:
        # the cycle index from the log, then made exact (the same formula as lrspec's)
        n = math.floor(math.log(e / 10 + 1) / math.log(2))
        if e < 10 * (2**n - 1):
            n -= 1
        elif e >= 10 * (2 ** (n + 1) - 1):
            n += 1
        return _cosine(0.0, base, (e - 10 * (2**n - 1)) / (10 * 2**n))

    cyclic = lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=20, cycle_momentum=False)

    @add("CyclicLR", cyclic, (0, 37, 95))
    def _cyclic(e: int, base: float) -> float:
        cycle = math.floor(1 + e / 40)
        x = 1.0 + e / 40 - cycle
        s = x / 0.5 if x <= 0.5 else (x - 1) / (0.5 - 1)
        return 0.01 + (0.1 - 0.01) * s

    one = lrspec.OneCycleLR(max_lr=0.1, total_steps=1000)
    ends, (v0, v1, v2) = one.phase_ends, one._lrs

    @add("OneCycleLR", one, (0, 37, 950))
    def _onecycle(e: int, base: float) -> float:
        if e <= ends[0]:
            return _cosine(v1, v0, e / ends[0])
        return _cosine(v2, v1, (e - ends[0]) / (ends[1] - ends[0]))

    @add("SWALR", lrspec.SWALR(swa_lr=0.05, anneal_epochs=10), (0, 7, 37))
    def _swa(e: int, base: float) -> float:
        a = (1 - math.cos(math.pi * min(e / 10, 1.0))) / 2
        return 0.05 * a + base * (1 - a)

    return out


def per_call(
    fns: tuple[Ref, Ref], epochs: tuple[int, ...], number: int, repeat: int
) -> list[float]:
    """Mean seconds per call over ``epochs`` for each of ``fns``.

    The functions are timed alternately, ``repeat`` rounds, keeping the best round of each:
    a machine that slows down part-way hurts both sides alike.
    """
    totals = [0.0] * len(fns)
    for e in epochs:
        timers = [timeit.Timer("fn(e, b)", globals={"fn": fn, "e": e, "b": BASE}) for fn in fns]
        best = [math.inf] * len(fns)
        for _ in range(repeat):
            for i, timer in enumerate(timers):
                best[i] = min(best[i], timer.timeit(number) / number)
        totals = [t + b for t, b in zip(totals, best, strict=True)]
    return [t / len(epochs) for t in totals]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    args = parser.parse_args()
    number, repeat = (2_000, 3) if args.quick else (20_000, 7)
    print(f"scalar lr vs plain math (python {sys.version.split()[0]}); target <= {TARGET:g}x")
    for name, spec, ref, epochs in cases():
        for e in epochs:  # the two must agree, else the comparison is meaningless
            ours, theirs = spec.lr(e, BASE), ref(e, BASE)
            assert math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-15), (name, e)
        ours_t, ref_t = per_call((spec.lr, ref), epochs, number, repeat)
        report(f"{name}.lr(e, base)", ours_t, ref_t, "plain math", at_most=TARGET)
    summary()


if __name__ == "__main__":
    main()
