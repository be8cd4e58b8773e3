"""The combinators against optax, running live on CPU, over generated configs.

optax returns absolute values; a catalogue spec returns a factor of the peak ``base_lr``. Each
optax schedule is built from the spec with absolute levels ``value = factor * peak``:

* ``Join(schedules, boundaries)``  -- ``join_schedules(schedules, boundaries)``
* ``Warmup(inner, steps, start)`` (linear, ``prefix=True``) -- ``join_schedules(
  [linear_schedule(start * peak, inner(0) * peak, steps), inner], [steps])``: optax's own
  linear warmup (``warmup_*`` schedules are built the same way)
* ``Clip(ExponentialLR(gamma < 1), min_factor)`` -- ``exponential_decay(peak, 1, gamma,
  end_value=min_factor * peak)`` (optax's floor)
* ``Cycle(Cosine(T, end), T, m, d, floor=end, limit=n)`` -- ``sgdr_schedule`` of ``n``
  cosine cycles of ``T * m**i`` steps from ``end + d**i * (1 - end)`` down to ``end``
* ``warmup_cosine(w, T, start, end, exponent)`` -- ``warmup_cosine_decay_schedule(
  start * peak, peak, w, T, end * peak, exponent)``
* ``wsd(w, s, d, decay="cosine" | "linear", start, end)`` -- ``join_schedules([
  linear_schedule(start * peak, peak, w), constant_schedule(peak), <decay to end * peak>],
  [w, w + s])``

The leaves are twins with an optax counterpart: ``LinearLR`` (``linear_schedule``),
``ExponentialLR`` (``exponential_decay``), ``StepLR`` (``exponential_decay(staircase=True)``)
and ``PolynomialLR`` (``polynomial_schedule`` to 0). Tolerance: rel 1e-6 (with an absolute
floor of 1e-6 of the peak) in float32; configs with an exponential decay or a fractional power
run under ``jax.enable_x64``, where float32 cancellation exceeds 1e-6. optax is evaluated
eagerly on an array of steps (jitted ``polynomial_schedule`` with a fractional power returns
NaN at its end).

optax and jax come from the ``peers`` dependency group. Locally, without them, this module is
skipped with the reason shown; under ``CI=true`` a missing package fails instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from _peers import jax, jnp, optax
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import Clip, ExponentialLR, Join, LinearLR, PolynomialLR, StepLR, Warmup
from lrspec import testing as lt

Schedule = Callable[[Any], Any]


def optax_of(spec: lrspec.Schedule, peak: float) -> tuple[Schedule, bool]:
    """The optax schedule equal to ``spec.lr(t, peak)``, and whether it needs float64."""
    if isinstance(spec, LinearLR):
        a, b = spec.start_factor * peak, spec.end_factor * peak
        return optax.linear_schedule(a, b, spec.total_iters), False
    if isinstance(spec, ExponentialLR):
        return optax.exponential_decay(peak, 1, spec.gamma), True
    if isinstance(spec, StepLR):
        return optax.exponential_decay(peak, spec.step_size, spec.gamma, staircase=True), True
    if isinstance(spec, PolynomialLR):
        x64 = not float(spec.power).is_integer()
        return optax.polynomial_schedule(peak, 0.0, spec.power, spec.total_iters), x64
    if isinstance(spec, Join):
        parts = [optax_of(child, peak) for child in spec.schedules]
        joined = optax.join_schedules([p[0] for p in parts], list(spec.boundaries))
        return joined, any(p[1] for p in parts)
    if isinstance(spec, Warmup):
        inner, x64 = optax_of(spec.inner, peak)
        if not spec.steps:
            return inner, x64
        target = spec.inner.lr(0, 1.0) * peak
        ramp = optax.linear_schedule(spec.start_factor * peak, target, spec.steps)
        return optax.join_schedules([ramp, inner], [spec.steps]), x64
    if isinstance(spec, Clip):
        inner = spec.inner
        assert isinstance(inner, ExponentialLR)
        return optax.exponential_decay(peak, 1, inner.gamma, end_value=spec.min_factor * peak), True
    raise AssertionError(f"no optax counterpart for {spec!r}")


# --- generated configs with an optax counterpart ----------------------------------------------


def _leaves() -> st.SearchStrategy[lrspec.Schedule]:
    return st.one_of(
        lt.linear_lr(),
        st.builds(ExponentialLR, gamma=st.floats(0.5, 1.0)),
        st.builds(StepLR, step_size=st.integers(1, 40), gamma=st.floats(0.1, 1.0)),
        lt.polynomial_lr(),
    )


def _warmups(inner: st.SearchStrategy[lrspec.Schedule]) -> st.SearchStrategy[Warmup]:
    return st.builds(
        Warmup,
        inner=inner,
        steps=st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, 120)),
        start_factor=st.one_of(st.sampled_from([0.0, 0.1, 1.0]), st.floats(0.0, 2.0)),
    )


@st.composite
def _joins(draw: st.DrawFn, children: st.SearchStrategy[lrspec.Schedule]) -> Join:
    n = draw(st.integers(1, 4))
    schedules = draw(st.lists(children, min_size=n, max_size=n))
    bounds = draw(st.lists(st.integers(1, 200), min_size=n - 1, max_size=n - 1, unique=True))
    return Join(schedules=schedules, boundaries=sorted(bounds))


def _configs() -> st.SearchStrategy[lrspec.Schedule]:
    flat = st.one_of(_leaves(), _warmups(_leaves()))
    return st.one_of(_joins(flat), _joins(st.one_of(flat, _joins(flat))))


@contextlib.contextmanager
def precision(x64: bool) -> Iterator[None]:
    if x64:
        with jax.enable_x64(True):
            yield
    else:
        yield


def assert_agrees(spec: lrspec.Schedule, peak: float, horizon: int) -> None:
    steps = np.arange(horizon + 1)
    schedule, x64 = optax_of(spec, peak)
    with precision(x64):
        theirs = np.asarray(schedule(jnp.asarray(steps)), dtype=np.float64) / peak
    ours = spec.lr(steps, 1.0)
    if not x64:
        ours = ours.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6, err_msg=repr(spec))


def _horizon(spec: lrspec.Schedule) -> int:
    bounds = spec.boundaries if isinstance(spec, Join) else ()
    return (bounds[-1] if bounds else 0) + 150


@given(spec=_configs(), peak=lt.base_lrs())
def test_join_matches_optax_join_schedules(spec: Join, peak: float) -> None:
    assert_agrees(spec, peak, _horizon(spec))


@given(spec=_warmups(_leaves()), peak=lt.base_lrs())
def test_linear_warmup_matches_optax_linear_schedule_joined(spec: Warmup, peak: float) -> None:
    assert_agrees(spec, peak, spec.steps + 150)


@given(
    gamma=st.floats(0.5, 0.999),
    floor=st.one_of(st.sampled_from([0.0, 0.01, 0.5]), st.floats(0.0, 1.0)),
    peak=lt.base_lrs(),
)
def test_clip_floor_matches_optax_exponential_decay_end_value(
    gamma: float, floor: float, peak: float
) -> None:
    assert_agrees(Clip(inner=ExponentialLR(gamma=gamma), min_factor=floor), peak, 300)


def test_the_peers_ran() -> None:
    # a known config, so a silent mismatch in the conversion above cannot pass vacuously
    spec = Join(schedules=[Warmup(inner=StepLR(step_size=3), steps=2), LinearLR()], boundaries=[7])
    schedule, _ = optax_of(spec, 2.0)
    with precision(True):
        values = [float(v) for v in schedule(jnp.arange(9))]
    assert values == pytest.approx([0.0, 1.0, 2.0, 2.0, 2.0, 0.2, 0.2, 2 / 3, 2 / 3 + 4 / 15])


# --- the presets ------------------------------------------------------------------------------


@given(
    warmup=st.one_of(st.sampled_from([0, 1]), st.integers(0, 100)),
    decay=st.one_of(st.sampled_from([1, 2]), st.integers(1, 300)),
    start=st.one_of(st.sampled_from([0.0, 0.1]), st.floats(0.0, 1.0)),
    end=st.one_of(st.sampled_from([0.0, 1e-3]), st.floats(0.0, 1.0)),
    exponent=st.one_of(st.just(1.0), st.sampled_from([0.5, 2.0]), st.floats(0.5, 3.0)),
    peak=lt.base_lrs(),
)
def test_warmup_cosine_matches_optax_warmup_cosine_decay_schedule(
    warmup: int, decay: int, start: float, end: float, exponent: float, peak: float
) -> None:
    spec = lrspec.warmup_cosine(warmup, warmup + decay, start, end, exponent)
    schedule = optax.warmup_cosine_decay_schedule(
        start * peak, peak, warmup, warmup + decay, end * peak, exponent
    )
    x64 = not float(exponent).is_integer()
    steps = np.arange(warmup + decay + 50)
    with precision(x64):
        theirs = np.asarray(schedule(jnp.asarray(steps)), dtype=np.float64) / peak
    ours = spec.lr(steps, 1.0)
    if not x64:
        ours = ours.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6, err_msg=repr(spec))


@given(
    w=st.integers(0, 60),
    s=st.integers(0, 60),
    d=st.integers(1, 100),
    decay=st.sampled_from(["cosine", "linear"]),
    start=st.floats(0.0, 1.0),
    end=st.floats(0.0, 1.0),
    peak=lt.base_lrs(),
)
def test_wsd_matches_optax_joined_schedules(
    w: int, s: int, d: int, decay: str, start: float, end: float, peak: float
) -> None:
    spec = lrspec.wsd(w, s, d, decay=decay, start_factor=start, end_factor=end)
    tail = (
        optax.cosine_decay_schedule(peak, d, alpha=end)
        if decay == "cosine"
        else optax.linear_schedule(peak, end * peak, d)
    )
    schedule = optax.join_schedules(
        [optax.linear_schedule(start * peak, peak, w), optax.constant_schedule(peak), tail],
        [w, w + s],
    )
    steps = np.arange(w + s + d + 50)
    theirs = np.asarray(schedule(jnp.asarray(steps)), dtype=np.float64) / peak
    ours = spec.lr(steps, 1.0).astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6, err_msg=repr(spec))


@given(
    period=st.integers(1, 60),
    period_mul=st.sampled_from([1, 2, 3]),
    decay=st.one_of(st.sampled_from([1.0, 0.5]), st.floats(0.1, 1.0)),
    end=st.one_of(st.sampled_from([0.0, 0.01]), st.floats(0.0, 0.5)),
    cycles=st.integers(1, 5),
    peak=lt.base_lrs(),
)
def test_cycle_matches_optax_sgdr_schedule(
    period: int, period_mul: int, decay: float, end: float, cycles: int, peak: float
) -> None:
    # Cycle(Cosine(T, end), T, m, d, floor=end): cycle i is a cosine from
    # end + d**i * (1 - end) down to end over T * m**i steps, as each of optax's SGDR cycles
    spec = lrspec.Cycle(
        inner=lrspec.Cosine(total_steps=period, end_factor=end),
        period=period,
        period_mul=period_mul,
        decay=decay,
        floor=end,
        limit=cycles,
    )
    kwargs = [
        {
            "init_value": (end + decay**i * (1 - end)) * peak,
            "peak_value": (end + decay**i * (1 - end)) * peak,
            "warmup_steps": 0,
            "decay_steps": period * period_mul**i,
            "end_value": end * peak,
        }
        for i in range(cycles)
    ]
    schedule = optax.sgdr_schedule(kwargs)
    total = sum(k["decay_steps"] for k in kwargs)
    steps = np.arange(total)  # optax's last cycle holds its end; ours holds it too
    theirs = np.asarray(schedule(jnp.asarray(steps)), dtype=np.float64) / peak
    ours = spec.lr(steps, 1.0).astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6, err_msg=repr(spec))
