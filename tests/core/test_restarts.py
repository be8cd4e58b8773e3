"""Cycle (lrspec/_restarts.py): periodicity, torch's and Keras's restarts, limits, landmarks.

The live cross-check against optax's restarts is in ``tests/peers/test_optax_combinators.py``.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import (
    Cosine,
    CosineAnnealingWarmRestarts,
    Cycle,
    ExponentialLR,
    LinearLR,
    StepLR,
)
from lrspec import testing as lt

EXP = ExponentialLR(gamma=0.9)
STEP = StepLR(step_size=3, gamma=0.5)


# --- Cycle ---------------------------------------------------------------------------------------


@given(
    inner=lt.combinator_children(),
    period=st.integers(1, 40),
    floor=st.floats(0, 0.5),
    base_lr=lt.base_lrs(),
    t=st.integers(0, 500),
)
def test_cycle_is_periodic_without_growth_or_decay(
    inner: lrspec.Schedule, period: int, floor: float, base_lr: float, t: int
) -> None:
    spec = Cycle(inner=inner, period=period, floor=floor)
    assert spec.lr(t + period, base_lr) == spec.lr(t, base_lr)
    assert spec.lr(t % period, base_lr) == spec.lr(t, base_lr)
    assert spec.lr(t % period, base_lr) == pytest.approx(
        inner.lr(t % period, base_lr), rel=1e-12, abs=1e-300
    )


@given(
    T_0=st.integers(1, 30),
    T_mult=st.integers(1, 3),
    eta_min=st.sampled_from([0.0, 1e-3, 0.01]),
    t=st.integers(0, 2000),
)
def test_cycle_of_a_cosine_is_torch_warm_restarts(
    T_0: int, T_mult: int, eta_min: float, t: int
) -> None:
    base_lr = 0.1
    spec = Cycle(
        inner=Cosine(total_steps=T_0, end_factor=eta_min / base_lr), period=T_0, period_mul=T_mult
    )
    torch_twin = CosineAnnealingWarmRestarts(T_0=T_0, T_mult=T_mult, eta_min=eta_min)
    assert spec.lr(t, base_lr) == pytest.approx(torch_twin.lr(t, base_lr), rel=1e-9, abs=1e-15)


@given(
    first=st.integers(1, 50),
    t_mul=st.sampled_from([1.0, 1.5, 2.0]),
    m_mul=st.sampled_from([1.0, 0.9, 0.5]),
    alpha=st.sampled_from([0.0, 0.1]),
    t=st.integers(0, 1000),
)
def test_cycle_matches_keras_cosine_decay_restarts_by_hand(
    first: int, t_mul: float, m_mul: float, alpha: float, t: int
) -> None:
    # Keras: completed = t / first; with t_mul != 1, i = floor(log(1 - completed (1 - t_mul)) /
    # log(t_mul)) and the fraction is (1 - t_mul**i) / (1 - t_mul) through; the lr is
    # alpha + (1 - alpha) * m_mul**i * (1 + cos(pi * fraction)) / 2
    completed = t / first
    if t_mul == 1.0:
        i = math.floor(completed)
        fraction = completed - i
    else:
        i = math.floor(math.log(1 - completed * (1 - t_mul)) / math.log(t_mul))
        fraction = (completed - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i
    want = alpha + (1 - alpha) * m_mul**i * 0.5 * (1 + math.cos(math.pi * fraction))
    spec = Cycle(
        inner=Cosine(total_steps=first, end_factor=alpha),
        period=first,
        period_mul=t_mul,
        decay=m_mul,
        floor=alpha,
    )
    assert spec.lr(t, 1.0) == pytest.approx(want, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("n", "k"), [(100, 3), (1000, 7), (10, 3), (99, 9), (1e6, 11)])
def test_cycle_restarts_land_on_fractional_starts(n: float, k: int) -> None:
    # HF's hard restarts: the j-th cycle starts at j * n / k, whatever the float rounding
    spec = Cycle(inner=LinearLR(start_factor=1.0, end_factor=0.0, total_iters=1), period=n / k)
    for j in range(k + 1):
        assert spec.lr(j * (n / k), 1.0) == 1.0
        assert spec.lr(j * n / k, 1.0) == 1.0


def test_cycle_limit_holds_the_end_of_the_last_cycle() -> None:
    inner = LinearLR(start_factor=1.0, end_factor=0.2, total_iters=4)
    spec = Cycle(inner=inner, period=4, decay=0.5, limit=2)
    assert spec.trace(1.0, 10) == pytest.approx(
        [1.0, 0.8, 0.6, 0.4, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.1], rel=1e-12
    )
    growing = Cycle(inner=inner, period=2, period_mul=2, limit=1)
    assert growing.trace(1.0, 4) == pytest.approx([1.0, 0.8, 0.6, 0.6, 0.6], rel=1e-12)


def test_cycle_landmarks_are_the_restarts() -> None:
    assert Cycle(inner=STEP, period=5).landmarks(16) == {3, 5, 10, 15}
    assert Cycle(inner=EXP, period=2, period_mul=2).landmarks(30) == {2, 6, 14, 30}
    assert Cycle(inner=EXP, period=2.5).landmarks(6) == {2, 3, 5}
    assert Cycle(inner=EXP, period=2, limit=2).landmarks(100) == {2, 4}
