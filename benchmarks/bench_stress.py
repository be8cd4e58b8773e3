"""Stress: SpecLR for 1e7 steps and a 1e8-step trace streamed, with their memory.

Run: ``.venv/bin/python benchmarks/bench_stress.py [--quick]`` (``--quick``: 1e6 and 1e7).

* ``SpecLR.step()`` driven ``N`` times on a real optimizer (a warmup + cosine spec and a
  ReduceLROnPlateau fed a constant metric), against torch's own ``LambdaLR`` /
  ``ReduceLROnPlateau`` stepped the same number of times in the same run: the cost per step
  in each quarter of the run (flat: no step slows down as the run goes on) and the peak of
  the Python heap (``tracemalloc``) during the run, which must not grow with ``N``.
* ``spec.iter_trace(base_lr, M)`` consumed as a stream for ``M`` steps: the time per value
  and the heap peak (constant: no list of ``M`` floats is ever built), beside
  ``spec.trace`` of a 100x shorter run for scale.

Nothing here fails on timing: the figures are printed (ratios against torch in the same run).
"""

from __future__ import annotations

import argparse
import math
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import torch
from _ratio import report, summary

import lrspec
from lrspec_torch import SpecLR


def optimizer() -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)


def quarters(step: Callable[[], Any], n: int) -> list[float]:
    """Seconds per step in each quarter of ``n`` steps (no tracing: clean timings)."""
    out = []
    q = n // 4
    for _ in range(4):
        start = time.perf_counter()
        for _ in range(q):
            step()
        out.append((time.perf_counter() - start) / q)
    return out


def heap_peak(run: Callable[[int], Any], n: int) -> int:
    """The Python heap's peak (bytes, ``tracemalloc``) while ``run(n)`` runs."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    run(n)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def stepper(spec: lrspec.Schedule, make: Callable[[Any], Any] | None = None) -> Callable[[], Any]:
    """One scheduler step (SpecLR, or the torch scheduler ``make`` builds) on a fresh SGD."""
    opt = optimizer()
    sched = SpecLR(opt, spec) if make is None else make(opt)
    opt.step()  # once after building and before the scheduler steps, as torch asks
    if spec.metric_driven:
        return lambda: sched.step(1.0)
    return sched.step  # type: ignore[no-any-return]


def speclr_run(spec: lrspec.Schedule, torch_sched: Callable[[Any], Any], n: int) -> None:
    ours = quarters(stepper(spec), n)
    theirs = quarters(stepper(spec, torch_sched), n)

    def steps(k: int) -> None:
        step = stepper(spec)
        for _ in range(k):
            step()

    small, large = heap_peak(steps, n // 100), heap_peak(steps, n // 10)
    name = type(spec).__name__
    print(
        f"  {name}: {n:.0e} SpecLR steps, per step by quarter "
        f"{', '.join(f'{t * 1e6:.2f}' for t in ours)} us (spread {max(ours) / min(ours):.2f}x); "
        f"heap peak {small / 1024:.1f} KiB over {n // 100:.0e} steps, {large / 1024:.1f} KiB "
        f"over {n // 10:.0e}"
    )
    report(
        f"{name} SpecLR.step, 1e{round(math.log10(n))}",
        sum(ours) / 4,
        sum(theirs) / 4,
        "torch step",
        at_most=1.0,
    )


def consume(spec: lrspec.Schedule, m: int) -> float:
    last = 0.0
    count = 0
    for value in spec.iter_trace(0.1, m):
        last = value
        count += 1
    assert count == m + 1 and math.isfinite(last)
    return last


def stream_run(spec: lrspec.Schedule, m: int) -> None:
    start = time.perf_counter()
    last = consume(spec, m)
    seconds = time.perf_counter() - start
    assert last == spec.trace(0.1, 0)[0] or math.isfinite(last)
    small, large = (
        heap_peak(lambda k: consume(spec, k), m // 1000),
        heap_peak(lambda k: consume(spec, k), m // 100),
    )
    print(
        f"  iter_trace of {type(spec).__name__}, {m:.0e} steps: {seconds:.1f} s "
        f"({seconds / m * 1e9:.0f} ns per value); heap peak {small / 1024:.1f} KiB over "
        f"{m // 1000:.0e} steps, {large / 1024:.1f} KiB over {m // 100:.0e} (a list of all "
        f"{m:.0e} would take {m * 32 / 2**30:.1f} GiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1e6 SpecLR steps, 1e7 streamed")
    args = parser.parse_args()
    n, m = (10**6, 10**7) if args.quick else (10**7, 10**8)
    warm_cos = lrspec.warmup_cosine(1000, n)
    plateau = lrspec.ReduceLROnPlateau(patience=10)
    print(f"torch {torch.__version__}, SpecLR for {n:.0e} steps, iter_trace for {m:.0e}")
    speclr_run(
        warm_cos,
        lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda t: warm_cos.lr(t, 1.0)),
        n,
    )
    speclr_run(plateau, lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=10), n)
    stream_run(lrspec.StepLR(step_size=1000, gamma=0.99), m)
    stream_run(warm_cos, m)
    summary()


if __name__ == "__main__":
    main()
