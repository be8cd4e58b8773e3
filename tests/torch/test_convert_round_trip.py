"""``to_spec(to_torch(s, opt))`` is ``s``, and its trace is bit-identical to ``s``'s.

Where torch drops an argument (CyclicLR's step sizes and ignored settings, OneCycleLR's
epochs and recovered factors) the round trip gives ``s``'s canonical form. Composites whose
children share param-group state cannot come back and raise. Native torch schedulers:
test_convert_native; errors: test_convert_errors.
"""

from __future__ import annotations

import decimal
from typing import Any

import attrs
import pytest
from _torch_helpers import assert_bit_equal, make_optimizer, quiet_step_order
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as L

import lrspec
from lrspec import testing as lt
from lrspec_torch import to_spec, to_torch

#: Round-trip traces stop here: long enough to cross the generated periods and phases.
TRACE_STEPS = 120


def digits(x: float) -> int:
    """Significant decimal digits of ``repr(x)``: how "typed by hand" a float looks."""
    return len(decimal.Decimal(repr(x)).normalize().as_tuple().digits)


# Param-group keys: OneCycleLR and SWALR keep their parameters there (and read them back);
# CyclicLR with cycle_momentum writes the momentum keys but reads its own copies.
_LR_KEYS = ("initial_lr", "max_lr", "min_lr")
_MOMENTUM_KEYS = ("max_momentum", "base_momentum")


def _leaves(spec: lrspec.Schedule) -> list[lrspec.Schedule]:
    """The leaf specs in the order to_torch constructs them (depth first)."""
    if isinstance(spec, (lrspec.ChainedScheduler, lrspec.SequentialLR)):
        return [leaf for child in spec.schedulers for leaf in _leaves(child)]
    return [spec]


def _reads(spec: lrspec.Schedule) -> set[str]:
    if isinstance(spec, lrspec.OneCycleLR):
        return {*_LR_KEYS, *(_MOMENTUM_KEYS if spec.cycle_momentum else ())}
    return {"swa_lr"} if isinstance(spec, lrspec.SWALR) else set()


def _writes(spec: lrspec.Schedule) -> set[str]:
    if isinstance(spec, lrspec.CyclicLR) and spec.cycle_momentum:
        return set(_MOMENTUM_KEYS)
    return _reads(spec)


def shares_group_state(spec: lrspec.Schedule) -> bool:
    """Whether one leaf's parameters live in a param-group key another leaf also writes."""
    leaves = list(enumerate(_leaves(spec)))
    return any(_reads(a) & _writes(b) for i, a in leaves for j, b in leaves if i != j)


def canonical(spec: lrspec.Schedule, got: lrspec.Schedule) -> lrspec.Schedule:
    """``spec`` as to_spec returns it: the documented lossy fields in canonical form.

    OneCycleLR's recovered factors are taken from ``got``; the caller checks separately
    that they reproduce exactly what torch stored.
    """
    if isinstance(spec, lrspec.CyclicLR):
        changes: dict[str, Any] = {}
        if spec.step_size_down == spec.step_size_up:
            changes["step_size_down"] = None
        if spec.scale_fn is None:
            changes["scale_mode"] = "cycle"
        if not spec.cycle_momentum:
            changes.update(base_momentum=0.8, max_momentum=0.9)
        return attrs.evolve(spec, **changes)
    if isinstance(spec, lrspec.OneCycleLR):
        assert isinstance(got, lrspec.OneCycleLR)
        changes = {
            "total_steps": spec.total,
            "epochs": None,
            "steps_per_epoch": None,
            "pct_start": got.pct_start,
            "div_factor": got.div_factor,
            "final_div_factor": got.final_div_factor,
        }
        if not spec.cycle_momentum:
            changes.update(base_momentum=0.85, max_momentum=0.95)
        return attrs.evolve(spec, **changes)
    if isinstance(spec, (lrspec.ChainedScheduler, lrspec.SequentialLR)):
        assert type(got) is type(spec)
        children = [
            canonical(child, back)
            for child, back in zip(spec.schedulers, got.schedulers, strict=True)
        ]
        return attrs.evolve(spec, schedulers=children)
    return spec


def assert_one_cycle_recovered(spec: lrspec.Schedule, got: lrspec.Schedule) -> None:
    """Recovered OneCycleLR factors reproduce torch's stored values exactly, and are short."""
    for leaf, back in zip(_leaves(spec), _leaves(got), strict=True):
        if not isinstance(leaf, lrspec.OneCycleLR):
            continue
        assert isinstance(back, lrspec.OneCycleLR)
        assert back.phase_ends == leaf.phase_ends
        initial = leaf.max_lr / leaf.div_factor
        assert back.max_lr / back.div_factor == initial
        assert initial / back.final_div_factor == initial / leaf.final_div_factor
        for name in ("pct_start", "div_factor", "final_div_factor"):
            mine, theirs = getattr(back, name), getattr(leaf, name)
            assert digits(mine) <= digits(theirs), f"{name}: {mine!r} longer than {theirs!r}"


def round_trip(spec: lrspec.Schedule, kind: str = "sgd") -> lrspec.Schedule:
    opt = make_optimizer(0.1, kind)
    with quiet_step_order():
        sched = to_torch(spec, opt)
    return to_spec(sched)


# Built once: a strategy object caches its internals across draws.
ROUND_TRIP: dict[str, st.SearchStrategy[lrspec.Schedule]] = {
    name: make() for name, make in lt.TWIN_STRATEGIES.items() if name != "ReduceLROnPlateau"
}


def test_round_trip_covers_every_class() -> None:
    names = {*ROUND_TRIP, "ReduceLROnPlateau"}
    assert names == {cls.__name__ for cls in lrspec.TORCH_TWINS}


@pytest.mark.parametrize("strategy", ROUND_TRIP.values(), ids=ROUND_TRIP.keys())
@settings(deadline=None)
@given(data=st.data())
def test_round_trip_gives_the_spec_and_its_trace(
    strategy: st.SearchStrategy[lrspec.Schedule], data: st.DataObject
) -> None:
    spec = data.draw(strategy, label="spec")
    kind = data.draw(st.sampled_from(["sgd", "adam"]), label="optimizer")
    base = data.draw(lt.base_lrs(), label="base_lr")
    if shares_group_state(spec):
        # Torch kept only the last writer's value in the param group: the other is lost.
        with pytest.raises(ValueError, match="only in the optimizer's param groups"):
            round_trip(spec, kind)
        return
    got = round_trip(spec, kind)
    assert got == canonical(spec, got)
    assert_one_cycle_recovered(spec, got)
    steps = lt.step_limit(spec, TRACE_STEPS)
    assert_bit_equal(repr(spec), spec.trace(base, steps), got.trace(base, steps))
    if isinstance(spec, lrspec.MomentumSchedule) and spec.cycle_momentum:
        assert isinstance(got, lrspec.MomentumSchedule)
        assert_bit_equal("momentum", spec.trace_momentum(steps), got.trace_momentum(steps))


@settings(deadline=None)
@given(spec=lt.reduce_lr_on_plateau(), metrics=lt.metric_streams(max_size=60))
def test_round_trip_reduce_lr_on_plateau(
    spec: lrspec.ReduceLROnPlateau, metrics: list[float]
) -> None:
    got = round_trip(spec)
    assert got == spec
    assert got.trace(0.1, metrics=metrics) == spec.trace(0.1, metrics=metrics)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"total_steps": 100},
        {"epochs": 10, "steps_per_epoch": 37, "pct_start": 0.25},
        {"total_steps": 7, "pct_start": 0.1, "div_factor": 3.0, "final_div_factor": 1e5},
        {"total_steps": 3, "pct_start": 1e-6, "anneal_strategy": "linear"},
        {"total_steps": 1000, "pct_start": 0.45, "three_phase": True},
        {"total_steps": 50, "pct_start": 0.0, "div_factor": 1.0, "final_div_factor": 1.0},
        {"total_steps": 9, "pct_start": 0.9, "div_factor": 7.0, "final_div_factor": 0.3},
        {"total_steps": 300, "div_factor": 12.345, "final_div_factor": 98765.4321},
    ],
)
@pytest.mark.parametrize("max_lr", [1.0, 0.1, 3e-4, 0.7234518934581234])
def test_one_cycle_hand_typed_factors_come_back_exactly(
    kwargs: dict[str, Any], max_lr: float
) -> None:
    spec = lrspec.OneCycleLR(max_lr=max_lr, **kwargs)
    got = round_trip(spec)
    assert got == attrs.evolve(spec, total_steps=spec.total, epochs=None, steps_per_epoch=None)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=5, step_size_down=5),
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=5),
        ),
        (
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, mode="exp_range", scale_mode="iterations"),
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, mode="exp_range"),
        ),
        (
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, cycle_momentum=False, max_momentum=0.5),
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, cycle_momentum=False),
        ),
        (
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, scale_fn=lt.halving_scale, mode="exp_range"),
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, scale_fn=lt.halving_scale, mode="exp_range"),
        ),
        (
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=3, step_size_down=10**9),
            lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=3, step_size_down=10**9),
        ),
        (
            lrspec.OneCycleLR(max_lr=1.0, epochs=3, steps_per_epoch=4, cycle_momentum=False,
                              base_momentum=0.1),
            lrspec.OneCycleLR(max_lr=1.0, total_steps=12, cycle_momentum=False),
        ),
    ],
)  # fmt: skip
def test_lossy_cases_give_the_canonical_spec(
    spec: lrspec.Schedule, expected: lrspec.Schedule
) -> None:
    got = round_trip(spec)
    assert got == expected
    steps = lt.step_limit(spec, 50)
    assert got.trace(0.1, steps) == spec.trace(0.1, steps)


@pytest.mark.parametrize(
    "children",
    [
        [lrspec.SWALR(swa_lr=0.0, anneal_epochs=0), lrspec.SWALR(swa_lr=1e-6, anneal_epochs=1)],
        [lrspec.OneCycleLR(max_lr=1.0, total_steps=20), lrspec.ExponentialLR(gamma=0.9),
         lrspec.OneCycleLR(max_lr=1.0, total_steps=20)],
        [lrspec.OneCycleLR(max_lr=1.0, total_steps=20),
         lrspec.CyclicLR(base_lr=0.1, max_lr=1.0)],
    ],
)  # fmt: skip
def test_composite_children_sharing_group_state_raise(children: list[lrspec.Schedule]) -> None:
    # In torch the second writer overwrote the first one's parameters in the param group.
    for spec in (
        lrspec.ChainedScheduler(schedulers=children),
        lrspec.SequentialLR(schedulers=children, milestones=list(range(1, len(children)))),
    ):
        with pytest.raises(
            ValueError, match=r"schedulers\[0\] \(OneCycleLR|schedulers\[0\] \(SWALR"
        ):
            round_trip(spec)


def test_composite_children_with_separate_group_state_convert() -> None:
    # CyclicLR keeps its own momenta; OneCycleLR without cycle_momentum reads none.
    children = [
        lrspec.OneCycleLR(max_lr=1.0, total_steps=20, cycle_momentum=False),
        lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=3),
        lrspec.CyclicLR(base_lr=0.2, max_lr=1.0, step_size_up=4, max_momentum=0.99),
        lrspec.SWALR(swa_lr=0.05),
    ]
    spec = lrspec.SequentialLR(schedulers=children, milestones=[10, 20, 30])
    assert round_trip(spec) == spec


def test_one_cycle_overwritten_by_another_scheduler_raises() -> None:
    opt = make_optimizer()
    first = L.OneCycleLR(opt, 1.0, total_steps=10)
    assert to_spec(first) == lrspec.OneCycleLR(max_lr=1.0, total_steps=10)
    L.OneCycleLR(opt, 2.0, total_steps=10)
    with pytest.raises(ValueError, match="overwrote its parameters"):
        to_spec(first)
