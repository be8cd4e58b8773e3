"""The combinators (Join, Warmup, Product, Stretch, Clip): properties, round trips.

Children come from :mod:`lrspec.testing` (closed-form twins, and combinators one level down).
The live cross-checks against optax are in ``tests/peers/test_optax_combinators.py``.
"""

from __future__ import annotations

import math
import pickle
from bisect import bisect_right

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import lrspec
from lrspec import (
    ChainedScheduler,
    Clip,
    CosineAnnealingLR,
    CyclicLR,
    ExponentialLR,
    Join,
    LinearLR,
    MultiplicativeLR,
    Product,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
    Stretch,
    Warmup,
)
from lrspec import testing as lt
from lrspec.functional import warmup_ramp

EXP = ExponentialLR(gamma=0.9)
STEP = StepLR(step_size=3, gamma=0.5)


def _close(a: float, b: float, rel: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


# --- the defining properties ------------------------------------------------------------------


@given(spec=lt.join(), base_lr=lt.base_lrs(), t=st.integers(0, 400))
def test_join_children_see_their_local_step(spec: Join, base_lr: float, t: int) -> None:
    k = bisect_right(spec.boundaries, t)
    start = spec.boundaries[k - 1] if k else 0
    assert spec.lr(t, base_lr) == spec.schedules[k].lr(t - start, base_lr)


def test_join_has_no_hidden_extra_step() -> None:
    spec = Join(schedules=[STEP, EXP], boundaries=[4])
    assert spec.trace(1.0, 6) == [*STEP.trace(1.0, 3), *EXP.trace(1.0, 2)]


@given(spec=lt.warmup(), base_lr=lt.base_lrs())
def test_warmup_hand_off_is_continuous(spec: Warmup, base_lr: float) -> None:
    steps, inner = spec.steps, spec.inner
    handed = 0 if spec.prefix else steps
    assert spec.lr(steps, base_lr) == inner.lr(handed, base_lr)
    if steps:
        # 1e-12 of the warmup before the hand-off; the 1-sqrt ramp is steep there (its gap
        # is sqrt(1e-12) of the rise), the others are within a few 1e-12
        just_before = spec.lr(steps * (1 - 1e-12), base_lr)
        target = inner.lr(handed, base_lr)
        scale = max(target, spec.start_factor * base_lr)
        gap = 2e-6 if spec.kind == "1-sqrt" else 1e-9
        assert abs(just_before - target) <= gap * scale
        assert spec.lr(0, base_lr) == pytest.approx(spec.start_factor * base_lr, rel=1e-12)


@given(spec=lt.warmup(), base_lr=lt.base_lrs(), after=st.integers(0, 300))
def test_warmup_then_runs_the_inner_schedule(spec: Warmup, base_lr: float, after: int) -> None:
    t = spec.steps + after
    local = after if spec.prefix else t
    assert spec.lr(t, base_lr) == spec.inner.lr(local, base_lr)


@given(inner=lt.combinator_children(), kind=st.sampled_from(["linear", "cosine", "1-sqrt"]))
def test_zero_warmup_steps_is_the_inner_schedule(inner: lrspec.Schedule, kind: str) -> None:
    spec = Warmup(inner=inner, steps=0, start_factor=0.3, kind=kind)
    assert spec.trace(0.1, 40) == [inner.lr(e, 0.1) for e in range(41)]


@pytest.mark.parametrize("kind", ["linear", "cosine", "1-sqrt"])
def test_ramps_reach_both_ends_exactly(kind: str) -> None:
    for start, target in [(0.0, 1.0), (0.1, 0.3), (2.0, 0.7), (1e-3, 1e3)]:
        assert warmup_ramp(0.0, start=start, target=target, kind=kind) == start
        assert warmup_ramp(1.0, start=start, target=target, kind=kind) == target


@given(
    p=st.floats(0, 1),
    start=st.floats(0, 10),
    target=st.floats(0, 10),
    kind=st.sampled_from(["linear", "cosine", "1-sqrt"]),
)
def test_ramps_stay_between_their_ends(p: float, start: float, target: float, kind: str) -> None:
    value = warmup_ramp(p, start=start, target=target, kind=kind)
    low, high = min(start, target), max(start, target)
    assert low * (1 - 1e-15) <= value <= high * (1 + 1e-15)


@given(spec=lt.product(), base_lr=lt.base_lrs(), t=st.integers(0, 400))
def test_product_multiplies_the_factors(spec: Product, base_lr: float, t: int) -> None:
    expected = base_lr
    for child in spec.schedules:
        expected *= child.lr(t, 1.0)
    assert spec.lr(t, base_lr) == expected


@given(inner=lt.combinator_children(scaling=False), base_lr=lt.base_lrs())
def test_stretch_by_one_is_the_inner_schedule(inner: lrspec.Schedule, base_lr: float) -> None:
    spec = Stretch(inner=inner, ratio=1)
    assert spec.trace(base_lr, 60) == [inner.lr(e, base_lr) for e in range(61)]
    curve = np.arange(61.0)
    assert spec.lr(curve, base_lr).tolist() == inner.lr(curve, base_lr).tolist()


@given(spec=lt.stretch(), base_lr=lt.base_lrs(), t=st.integers(0, 400))
def test_stretch_evaluates_the_inner_schedule_at_t_over_ratio(
    spec: Stretch, base_lr: float, t: int
) -> None:
    assert spec.lr(t, base_lr) == spec.inner.lr(t / spec.ratio, base_lr)


@given(spec=lt.clip(), base_lr=lt.base_lrs(), t=st.integers(0, 400))
def test_clip_keeps_the_bounds(spec: Clip, base_lr: float, t: int) -> None:
    value, inner = spec.lr(t, base_lr), spec.inner.lr(t, base_lr)
    low = spec.min_factor * base_lr
    high = math.inf if spec.max_factor is None else spec.max_factor * base_lr
    assert low <= value <= high
    if low <= inner <= high:
        assert value == inner


# --- the catalogue contract -----------------------------------------------------------------


@given(spec=lt.combinators(), base_lr=lt.base_lrs(), n=st.integers(0, 300))
def test_trace_is_the_closed_form(spec: lrspec.Schedule, base_lr: float, n: int) -> None:
    assert spec.trace(base_lr, n) == [spec.lr(e, base_lr) for e in range(n + 1)]
    assert list(spec.iter_trace(base_lr, n)) == spec.trace(base_lr, n)


@given(spec=lt.combinators(), base_lr=lt.base_lrs())
def test_vectorised_equals_scalar(spec: lrspec.Schedule, base_lr: float) -> None:
    epochs = np.concatenate([np.arange(0, 301), np.array([0.5, 7.25, 1000.5])])
    curve = spec.lr(epochs, base_lr)
    assert curve.shape == epochs.shape
    for e, v in zip(epochs.tolist(), curve.tolist(), strict=True):
        assert _close(v, spec.lr(e, base_lr), rel=1e-9), e
    ints = spec.lr(np.arange(0, 301), base_lr)
    assert ints.tolist() == pytest.approx(curve[:301].tolist(), rel=1e-12, abs=1e-300)
    grid = epochs[:300].reshape(10, 30)
    on_grid = spec.lr(grid, base_lr)
    assert on_grid.shape == (10, 30)
    assert on_grid.ravel().tolist() == pytest.approx(curve[:300].tolist(), rel=1e-12, abs=1e-300)


@given(spec=lt.combinators(), base_lr=lt.base_lrs(), k=st.sampled_from([0.5, 3.0]))
def test_scales_with_base_lr_when_the_children_do(
    spec: lrspec.Schedule, base_lr: float, k: float
) -> None:
    if spec.scales_with_base_lr:
        ours, scaled = spec.trace(base_lr, 60), spec.trace(base_lr * k, 60)
        assert all(_close(a * k, b, rel=1e-9) for a, b in zip(ours, scaled, strict=True))


@given(spec=lt.combinators())
def test_round_trips(spec: lrspec.Schedule) -> None:
    data = lrspec.to_dict(spec)
    assert lrspec.from_dict(data) == spec
    assert lrspec.parse(repr(spec)) == spec
    assert pickle.loads(pickle.dumps(spec)) == spec
    assert hash(lrspec.from_dict(data)) == hash(spec)


@given(spec=lt.combinators(), base_lr=lt.base_lrs())
def test_landmarks_are_steps(spec: lrspec.Schedule, base_lr: float) -> None:
    points = spec.landmarks(300)
    assert all(type(p) is int and p >= 0 for p in points)


def test_landmarks_compose() -> None:
    spec = Join(schedules=[Warmup(inner=STEP, steps=2), STEP], boundaries=[8])
    assert spec.landmarks(12) == {2, 5, 8, 11}
    assert Warmup(inner=STEP, steps=2, prefix=False).landmarks(7) == {2, 3, 6}
    assert Stretch(inner=STEP, ratio=1.5).landmarks(9) == {4, 5, 9}
    assert Product(schedules=[STEP, lrspec.MultiStepLR(milestones=[4])]).landmarks(6) == {3, 4, 6}
    assert Clip(inner=STEP).landmarks(6) == {3, 6}


def test_combinators_nest_and_compose_with_twins() -> None:
    warm = Warmup(inner=CosineAnnealingLR(T_max=10), steps=5)
    seq = SequentialLR(schedulers=[StepLR(step_size=2), warm], milestones=[3])
    assert seq.closed_form
    assert seq.trace(1.0, 12)[3:] == pytest.approx(warm.trace(1.0, 9), rel=1e-15)
    joined = Join(
        schedules=[seq, Stretch(inner=Clip(inner=EXP, min_factor=0.5), ratio=2)], boundaries=[6]
    )
    assert joined.lr(10, 1.0) == max(0.9**2, 0.5)


def test_absolute_children_keep_their_lrs_in_join_stretch_and_clip() -> None:
    cyclic = CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=2)
    for spec in [
        Join(schedules=[EXP, cyclic], boundaries=[3]),
        Stretch(inner=cyclic, ratio=2),
        Clip(inner=cyclic, max_factor=100.0),
    ]:
        assert not spec.scales_with_base_lr
    assert Join(schedules=[EXP, cyclic], boundaries=[3]).lr(5, 7.0) == cyclic.lr(2, 7.0)


def test_closed_form_capability() -> None:
    assert EXP.closed_form and STEP.closed_form
    assert not MultiplicativeLR(lr_lambda=lt.factor99).closed_form
    assert not ReduceLROnPlateau().closed_form
    assert ChainedScheduler(schedulers=[STEP, EXP]).closed_form
    assert not ChainedScheduler(schedulers=[STEP, CosineAnnealingLR(T_max=4)]).closed_form
    assert not SequentialLR(
        schedulers=[STEP, MultiplicativeLR(lr_lambda=lt.factor99)], milestones=[2]
    ).closed_form
    assert Warmup(inner=EXP, steps=3).closed_form


# --- doc examples, by hand -----------------------------------------------------------------------


def test_warmup_by_hand() -> None:
    # prefix: ramp 0 -> inner(0) = 1 over 4 steps, then 0.9 ** (t - 4)
    assert Warmup(inner=EXP, steps=4).trace(2.0, 6) == pytest.approx(
        [0.0, 0.5, 1.0, 1.5, 2.0, 1.8, 1.62], rel=1e-15
    )
    # overlay: ramp 0.5 -> inner(2) = 0.81, then inner itself
    overlay = Warmup(inner=EXP, steps=2, start_factor=0.5, prefix=False)
    assert overlay.trace(1.0, 3) == pytest.approx([0.5, 0.655, 0.81, 0.729], rel=1e-15)
    # cosine: halfway is halfway; exponential: geometric
    assert Warmup(inner=EXP, steps=4, kind="cosine").lr(2, 1.0) == pytest.approx(0.5, rel=1e-15)
    expo = Warmup(inner=EXP, steps=2, start_factor=0.25, kind="exponential")
    assert expo.trace(1.0, 2) == [0.25, 0.5, 1.0]
    assert Warmup(inner=EXP, steps=4, kind="1-sqrt").lr(3, 1.0) == 0.5


def test_stretch_and_clip_by_hand() -> None:
    assert Stretch(inner=LinearLR(start_factor=0.5, total_iters=2), ratio=0.5).trace(1.0, 2) == [
        0.5,
        1.0,
        1.0,
    ]
    assert Stretch(inner=STEP, ratio=2.5).lr(7.5, 1.0) == 0.5
    assert Clip(inner=EXP, max_factor=0.85).trace(1.0, 2) == pytest.approx(
        [0.85, 0.85, 0.81], rel=1e-15
    )


@given(spec=lt.combinators(scaling=True), base_lr=lt.base_lrs())
def test_no_nan_far_out(spec: lrspec.Schedule, base_lr: float) -> None:
    assume(all_decaying(spec))  # a twin that grows overflows on its own
    far = np.array([1e6, 1e9, 1e12, 2.0**52])
    values = spec.lr(far, base_lr)
    assert np.isfinite(values).all()
    assert [spec.lr(float(t), base_lr) for t in far] == pytest.approx(values.tolist(), rel=1e-9)


def all_decaying(spec: lrspec.Schedule) -> bool:
    """No child grows without bound (an ExponentialLR with gamma > 1 may overflow to inf)."""
    if isinstance(spec, ExponentialLR | StepLR):
        return spec.gamma <= 1
    return all(all_decaying(child) for child in spec.children)
