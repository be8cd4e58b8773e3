"""The combinators (Join, Warmup, Product, Stretch, Clip): properties, round trips, errors.

Children come from :mod:`lrspec.testing` (closed-form twins, and combinators one level down).
The live cross-checks against optax are in ``tests/peers/test_optax_combinators.py``.
"""

from __future__ import annotations

import math
import pickle
from bisect import bisect_right
from typing import Any

import numpy as np
import pytest
from _core_helpers import names, shows
from hypothesis import assume, given
from hypothesis import strategies as st

import lrspec
from lrspec import (
    SWALR,
    ChainedScheduler,
    Clip,
    Cosine,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    Cycle,
    CyclicLR,
    ExponentialLR,
    Join,
    LinearLR,
    MultiplicativeLR,
    OneCycleLR,
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


# --- validation: the child-spec fields and cross-argument rules ---------------------------------

NOT_CLOSED = [
    MultiplicativeLR(lr_lambda=lt.factor99),
    ReduceLROnPlateau(),
    ChainedScheduler(schedulers=[STEP, CosineAnnealingLR(T_max=4)]),
]
ABSOLUTE = [
    CyclicLR(base_lr=0.1, max_lr=1.0),
    OneCycleLR(max_lr=1.0, total_steps=10),
    SWALR(swa_lr=0.05),
    CosineAnnealingLR(T_max=5, eta_min=0.01),
]

#: The combinators that may hold a metric-driven child (a plateau) and step it with metrics.
METRIC_HOLDERS = (Join, Warmup, Product, Clip)

#: (class, kwargs without the child, the child's field name, whether it is a sequence)
CHILD_FIELDS: list[tuple[type, dict[str, Any], str, bool]] = [
    (Join, {"boundaries": []}, "schedules", True),
    (Warmup, {"steps": 3}, "inner", False),
    (Product, {}, "schedules", True),
    (Stretch, {"ratio": 2.0}, "inner", False),
    (Clip, {}, "inner", False),
    (Cycle, {"period": 5}, "inner", False),
]


@pytest.mark.parametrize(("cls", "kwargs", "name", "many"), CHILD_FIELDS)
def test_a_child_must_be_a_spec(cls: type, kwargs: dict, name: str, many: bool) -> None:
    for bad in [None, 0.5, "StepLR(step_size=2)", {"type": "StepLR", "step_size": 2}, StepLR]:
        value = [bad] if many else bad
        label = f"{name}[0]" if many else name
        with pytest.raises(TypeError, match=names(label, bad)):
            cls(**kwargs, **{name: value})


@pytest.mark.parametrize(("cls", "kwargs", "name", "many"), CHILD_FIELDS)
def test_a_child_must_have_a_closed_form(cls: type, kwargs: dict, name: str, many: bool) -> None:
    for bad in NOT_CLOSED:
        if bad.metric_driven and cls in METRIC_HOLDERS:
            continue  # stepped with the metrics instead: tests/core/test_metric_compositions.py
        value = [bad] if many else bad
        label = f"{name}[0]" if many else name
        with pytest.raises(ValueError, match=names(label, bad)) as info:
            cls(**kwargs, **{name: value})
        assert "closed form" in str(info.value)


@pytest.mark.parametrize(("cls", "many"), [(Warmup, False), (Product, True), (Cycle, False)])
def test_factor_combinators_refuse_absolute_children(cls: type, many: bool) -> None:
    extra = {"period": 4} if cls is Cycle else {"steps": 3}
    name, kwargs = ("schedules", {}) if many else ("inner", extra)
    for bad in ABSOLUTE:
        value = [EXP, bad] if many else bad
        label = f"{name}[1]" if many else name
        with pytest.raises(ValueError, match=names(label, bad)) as info:
            cls(**kwargs, **{name: value})
        assert "scale with base_lr" in str(info.value)
        assert "absolute lrs" in str(info.value)


@pytest.mark.parametrize("cls", [Join, Product])
def test_children_must_be_a_nonempty_list(cls: type) -> None:
    kwargs = {"boundaries": []} if cls is Join else {}
    for bad in [EXP, None, "EXP", {EXP}]:
        with pytest.raises(TypeError, match=names("schedules", bad)):
            cls(schedules=bad, **kwargs)
    with pytest.raises(ValueError, match=r"^schedules must hold at least one spec"):
        cls(schedules=[], **kwargs)


@pytest.mark.parametrize(
    ("boundaries", "error", "pattern"),
    [
        ([3, 3], ValueError, "strictly increasing"),
        ([5, 3], ValueError, "strictly increasing"),
        ([0, 3], ValueError, ">= 1"),
        ([-2, 3], ValueError, ">= 1"),
        ([3], ValueError, "one entry fewer than schedules"),
        ([2, 4, 6], ValueError, "one entry fewer than schedules"),
        ([2.5, 4], TypeError, "only ints"),
        ("24", TypeError, "list or tuple"),
        (None, TypeError, "list or tuple"),
    ],
)
def test_join_boundaries(boundaries: Any, error: type, pattern: str) -> None:
    with pytest.raises(error, match=rf"^boundaries must .*{pattern}") as info:
        Join(schedules=[EXP, STEP, EXP], boundaries=boundaries)
    assert type(info.value) is error


def test_join_boundaries_are_normalised() -> None:
    spec = Join(schedules=[EXP, STEP], boundaries=np.array([np.int64(4)]))
    assert spec.boundaries == (4,)
    assert type(spec.boundaries[0]) is int
    assert spec == Join(schedules=(EXP, STEP), boundaries=(4,))


def test_exponential_warmup_needs_a_positive_start() -> None:
    with pytest.raises(ValueError, match=shows("start_factor", 0.0)) as info:
        Warmup(inner=EXP, steps=3, kind="exponential")
    assert "kind='exponential'" in str(info.value)
    assert Warmup(inner=EXP, steps=3, kind="exponential", start_factor=0.01).lr(0, 1.0) == 0.01


@pytest.mark.parametrize(
    ("value", "error", "pattern"),
    [
        (0.0, ValueError, r"must be > 0"),
        (-1.0, ValueError, r"must be > 0"),
        (float("nan"), ValueError, r"must be finite"),
        (-math.inf, ValueError, r"must be finite"),
        (0.25, ValueError, r"must be >= min_factor \(0.5\)"),
        ("1", TypeError, r"must be a real number"),
        (True, TypeError, r"must be a real number"),
    ],
)
def test_clip_max_factor(value: Any, error: type, pattern: str) -> None:
    with pytest.raises(error, match=rf"^max_factor {pattern}.*{re_repr(value)}") as info:
        Clip(inner=EXP, min_factor=0.5, max_factor=value)
    assert type(info.value) is error


def re_repr(value: Any) -> str:
    import re

    return re.escape(repr(value))


def test_clip_max_factor_infinity_means_no_ceiling() -> None:
    spec = Clip(inner=EXP, max_factor=math.inf)
    assert spec.max_factor is None
    assert spec == Clip(inner=EXP)
    assert Clip(inner=EXP, max_factor=np.float32(2)).max_factor == 2.0
    assert type(Clip(inner=EXP, max_factor=2).max_factor) is float
    assert Clip(inner=EXP, min_factor=0.5, max_factor=0.5).trace(1.0, 2) == [0.5, 0.5, 0.5]


@pytest.mark.parametrize("kind", ["", "Linear", "sqrt", "exp"])
def test_warmup_ramp_rejects_unknown_kinds(kind: str) -> None:
    with pytest.raises(ValueError, match=names("kind", kind)):
        warmup_ramp(0.5, start=0.0, target=1.0, kind=kind)
    with pytest.raises(ValueError, match=shows("start", 0.0).replace("=", " must be > 0.*")):
        warmup_ramp(0.5, start=0.0, target=1.0, kind="exponential")


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
