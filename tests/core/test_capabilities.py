"""What a spec class declares about itself holds for the schedules it builds (no torch).

Composites, the backend and the strategies trust these declarations instead of testing
types, so each is checked against behaviour over generated specs.
"""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


@given(spec=lt.specs(metric_driven=False), base_lr=lt.base_lrs(), k=st.sampled_from([0.5, 3.0]))
def test_scales_with_base_lr_means_the_trace_scales(
    spec: lrspec.Schedule, base_lr: float, k: float
) -> None:
    steps = min(lt.step_limit(spec, 60), 60)
    if spec.scales_with_base_lr:
        ours, scaled = spec.trace(base_lr, steps), spec.trace(base_lr * k, steps)
        assert all(_close(a * k, b) for a, b in zip(ours, scaled, strict=True))


def test_the_absolute_schedules_say_so() -> None:
    absolute = [
        lrspec.CyclicLR(base_lr=0.1, max_lr=1.0),
        lrspec.OneCycleLR(max_lr=1.0, total_steps=10),
        lrspec.SWALR(swa_lr=0.05),
    ]
    for spec in absolute:
        assert not spec.scales_with_base_lr
        # and indeed: a different base_lr does not scale the lr
        assert spec.trace(0.1, 5) != [2 * v for v in spec.trace(0.05, 5)]
    seq = lrspec.SequentialLR(schedulers=[lrspec.StepLR(step_size=2), absolute[2]], milestones=[3])
    assert not seq.scales_with_base_lr


@given(spec=lt.chained_scheduler(), base_lr=lt.base_lrs())
def test_multiplicative_children_make_the_chain_a_product(
    spec: lrspec.ChainedScheduler, base_lr: float
) -> None:
    if all(child.multiplicative for child in spec.schedulers):
        steps = min(lt.step_limit(spec, 60), 60)
        trace = spec.trace(base_lr, steps)
        for e in range(steps + 1):
            product = base_lr
            for child in spec.schedulers:
                product *= child.lr(e, 1.0)
            assert math.isclose(trace[e], product, rel_tol=1e-9, abs_tol=1e-12)


@given(spec=lt.specs(metric_driven=False), horizon=st.integers(0, 200))
def test_landmarks_are_epochs(spec: lrspec.Schedule, horizon: int) -> None:
    points = spec.landmarks(horizon)
    assert all(isinstance(p, int) and p >= 0 for p in points)


@given(spec=lt.specs(metric_driven=False))
def test_moves_momentum_matches_the_leaves(spec: lrspec.Schedule) -> None:
    def leaves(s: lrspec.Schedule) -> list[lrspec.Schedule]:
        return [leaf for c in s.children for leaf in leaves(c)] if s.children else [s]

    cycling = any(getattr(leaf, "cycle_momentum", False) for leaf in leaves(spec))
    assert spec.moves_momentum == cycling
