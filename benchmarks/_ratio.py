"""Shared reporting for the benchmarks: every target is a ratio measured in the same run.

Machines differ ~2x in absolute speed, so a measure is only ever compared with a reference
timed on the same machine a moment earlier. :func:`report` prints the measure, the
reference, their ratio, the target ratio and PASS/MISS; nothing here exits non-zero.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from typing import Any

#: (name, passed) for every reported line, for the closing summary.
RESULTS: list[tuple[str, bool]] = []


def best_of(fn: Callable[[], Any], repeat: int = 5, number: int = 1) -> float:
    """Best wall time of one call, in seconds (min over repeats: the least disturbed run)."""
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number


def fmt_time(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:8.1f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.2f} us"
    return f"{seconds * 1e3:8.2f} ms"


def report(
    name: str,
    measure: float,
    reference: float,
    ref_name: str,
    *,
    at_most: float | None = None,
    at_least: float | None = None,
) -> None:
    """Print ``measure / reference`` against a target ratio (``at_most`` or ``at_least``).

    ``at_most=2`` reads "measure <= 2x the reference" (both are times); ``at_least=10``
    reads "measure is >= 10x faster": the ratio printed is then ``reference / measure``.
    """
    if at_least is not None:
        ratio, target = reference / measure, f">= {at_least:g}x faster"
        ok = ratio >= at_least
    elif at_most is not None:
        ratio, target = measure / reference, f"<= {at_most:g}x"
        ok = ratio <= at_most
    else:
        raise ValueError("give at_most or at_least")
    RESULTS.append((name, ok))
    print(
        f"  {name:<34} {fmt_time(measure)}  vs {ref_name:<22} {fmt_time(reference)}  "
        f"ratio {ratio:7.2f}x  target {target:<16} {'PASS' if ok else 'MISS'}"
    )


def summary() -> None:
    missed = [name for name, ok in RESULTS if not ok]
    print(f"\n{len(RESULTS) - len(missed)}/{len(RESULTS)} targets met", end="")
    print(f"; missed: {', '.join(missed)}" if missed else "")
