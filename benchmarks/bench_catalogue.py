"""Catalogue presets: 1e6-step curves of ``warmup_cosine`` and ``wsd`` against optax and numpy.

Run: ``.venv/bin/python benchmarks/bench_catalogue.py [--quick]`` (needs the ``peers`` extra:
jax and optax). Each preset's vectorised ``spec.lr(np.arange(n, dtype=...), 1.0)`` is timed
against (a) optax's jitted equivalent on ``jnp.arange(n, dtype=jnp.float32)`` in the same run
(compiled first, so compile time is excluded; ``block_until_ready`` on every call) and (b) a
bare numpy expression of the same formula written inline. Targets from DESIGN.md: <= 3x optax
jit at float32, <= 2x numpy. float64 is timed against numpy only (JAX runs float32 unless x64
is switched on process-wide). A correctness line shows lrspec and optax compute the same curve.
Nothing here fails on timing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax  # type: ignore[import-untyped]
from _ratio import best_of, report, summary

import lrspec

WARMUP, STABLE, DECAY = 10_000, 790_000, 200_000


def numpy_warmup_cosine(t: np.ndarray, warmup: int, total: int) -> Any:
    """Linear warmup 0 -> 1 over ``warmup`` steps, then cosine 1 -> 0 until ``total``."""
    frac = np.minimum((t - warmup) / (total - warmup), 1)
    return np.where(t < warmup, t / warmup, 0.5 * (1 + np.cos(np.pi * frac)))


def numpy_wsd(t: np.ndarray, warmup: int, stable: int, decay: int) -> Any:
    """Linear warmup 0 -> 1, hold 1 for ``stable`` steps, then cosine 1 -> 0 over ``decay``."""
    frac = np.clip((t - warmup - stable) / decay, 0, 1)
    return np.where(t < warmup, t / warmup, 0.5 * (1 + np.cos(np.pi * frac)))


def optax_warmup_cosine(warmup: int, total: int) -> optax.Schedule:
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0, peak_value=1.0, warmup_steps=warmup, decay_steps=total, end_value=0.0
    )


def optax_wsd(warmup: int, stable: int, decay: int) -> optax.Schedule:
    return optax.join_schedules(
        schedules=[
            optax.linear_schedule(init_value=0.0, end_value=1.0, transition_steps=warmup),
            optax.constant_schedule(1.0),
            optax.cosine_decay_schedule(init_value=1.0, decay_steps=decay, alpha=0.0),
        ],
        boundaries=[warmup, warmup + stable],
    )


def jitted(schedule: optax.Schedule, n: int) -> tuple[Callable[[], Any], np.ndarray]:
    """A zero-argument timed call of ``jax.jit(schedule)`` on arange(n) float32, compiled."""
    fn = jax.jit(schedule)
    steps = jnp.arange(n, dtype=jnp.float32)
    out = fn(steps).block_until_ready()  # compile (and first run) outside the timing

    def call() -> Any:
        return fn(steps).block_until_ready()

    return call, np.asarray(out)


def agreement(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Max relative difference (where optax's lr >= 1e-3) and max absolute difference."""
    ours64, theirs64 = ours.astype(np.float64), theirs.astype(np.float64)
    diff = np.abs(ours64 - theirs64)
    big = np.abs(theirs64) >= 1e-3
    rel = float(np.max(diff[big] / np.abs(theirs64[big])))
    print(
        f"  correctness vs optax (float32): max rel diff {rel:.2e} (where lr >= 1e-3), "
        f"max abs diff {float(diff.max()):.2e} over {ours.size} steps  "
        f"{'same curve' if rel < 1e-4 and diff.max() < 1e-5 else 'DIFFERENT'}"
    )


def bench(
    short: str,
    label: str,
    spec: lrspec.Schedule,
    bare: Callable[[np.ndarray], Any],
    schedule: optax.Schedule,
    n: int,
    repeat: int,
) -> None:
    print(f"{n:.0e}-step {label}, vectorised lr(arange(n), 1.0):")
    call, theirs = jitted(schedule, n)
    for dtype in (np.float32, np.float64):
        name = np.dtype(dtype).name
        steps = np.arange(n, dtype=dtype)
        ours = spec.lr(steps, 1.0)
        expected = bare(steps)
        assert ours.dtype == dtype, ours.dtype
        assert np.allclose(ours, expected, rtol=1e-5, atol=1e-6), "lrspec != numpy formula"
        t_ours = best_of(lambda s=steps: spec.lr(s, 1.0), repeat=repeat)  # type: ignore[misc]
        t_bare = best_of(lambda s=steps: bare(s), repeat=repeat)  # type: ignore[misc]
        if dtype is np.float32:
            t_jax = best_of(call, repeat=repeat)
            report(f"{short} lr ({name})", t_ours, t_jax, "optax jit (float32)", at_most=3)
            agreement(ours, theirs)
        report(f"{short} lr ({name})", t_ours, t_bare, "bare numpy expression", at_most=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1e5 steps instead of 1e6")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    scale = n / 1_000_000
    warmup, stable, decay = (int(v * scale) for v in (WARMUP, STABLE, DECAY))
    total = warmup + stable + decay
    repeat = 5 if args.quick else 15
    print(
        f"numpy {np.__version__}, jax {jax.__version__} ({jax.default_backend()}), "
        f"optax {optax.__version__}, python {sys.version.split()[0]}"
    )
    bench(
        "warmup_cosine",
        f"warmup_cosine(warmup_steps={warmup}, total_steps={total})",
        lrspec.warmup_cosine(warmup_steps=warmup, total_steps=total),
        lambda t: numpy_warmup_cosine(t, warmup, total),
        optax_warmup_cosine(warmup, total),
        n,
        repeat,
    )
    bench(
        "wsd",
        f"wsd(warmup_steps={warmup}, stable_steps={stable}, decay_steps={decay})",
        lrspec.wsd(warmup_steps=warmup, stable_steps=stable, decay_steps=decay),
        lambda t: numpy_wsd(t, warmup, stable, decay),
        optax_wsd(warmup, stable, decay),
        n,
        repeat,
    )
    summary()


if __name__ == "__main__":
    main()
