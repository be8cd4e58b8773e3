"""``to_spec`` reads live torch schedulers back into specs; ``to_torch`` builds them.

(a) Round trip: ``to_spec(to_torch(s, opt))`` is ``s`` -- or, where torch drops the argument
(CyclicLR's step sizes and ignored settings, OneCycleLR's epochs and recovered factors),
``s``'s canonical form -- and its trace is bit-identical to ``s``'s.
(b) Native: schedulers written with torch's own constructors convert to specs whose
``trace`` is torch's ``get_last_lr()`` sequence, bit for bit.
(c) Errors: unknown classes, per-group parameters, values lrspec rejects.
"""

from __future__ import annotations

import contextlib
import decimal
import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as L
from torch.optim import swa_utils

import lrspec
import lrspec_torch
from lrspec import testing as lt
from lrspec_torch import to_spec, to_torch

# SequentialLR re-runs the initial step of a composite first child at construction, which
# steps that child's children before any optimizer step: torch warns about the order.
STEP_ORDER_WARNING = r"Detected call of `lr_scheduler\.step\(\)` before `optimizer\.step\(\)`"

#: Round-trip traces stop here: long enough to cross the generated periods and phases.
TRACE_STEPS = 120


@contextlib.contextmanager
def quiet_step_order() -> Iterator[None]:
    """Silence exactly torch's step-order UserWarning (warnings are errors here)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=STEP_ORDER_WARNING, category=UserWarning)
        yield


def make_optimizer(base_lr: float = 0.1, kind: str = "sgd", groups: int = 1) -> Any:
    params = [{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(groups)]
    if kind == "adam":
        return torch.optim.Adam(params, lr=base_lr)
    return torch.optim.SGD(params, lr=base_lr, momentum=0.9)


def digits(x: float) -> int:
    """Significant decimal digits of ``repr(x)``: how "typed by hand" a float looks."""
    return len(decimal.Decimal(repr(x)).normalize().as_tuple().digits)


def assert_bit_equal(what: str, expected: list[float], actual: list[float]) -> None:
    assert len(expected) == len(actual), f"{what}: {len(expected)} != {len(actual)} values"
    for k, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert lt.same_float(want, got), f"{what}: step {k}: expected {want!r}, got {got!r}"


# --- (a) round trip ----------------------------------------------------------------------

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


# --- (b) natively constructed torch schedulers -------------------------------------------

NATIVE_STEPS = 50


def _sequential(opt: Any) -> Any:
    warmup = L.LinearLR(opt, start_factor=0.01, total_iters=5)
    return L.SequentialLR(opt, [warmup, L.CosineAnnealingLR(opt, T_max=20)], milestones=[5])


def _nested_sequential(opt: Any) -> Any:
    chain = L.ChainedScheduler([L.ConstantLR(opt, 0.5, 4), L.ExponentialLR(opt, 0.9)])
    return L.SequentialLR(opt, [chain, L.StepLR(opt, 7), L.MultiplicativeLR(opt, _halve)], [10, 30])


def _halve(epoch: int) -> float:
    return 0.5


# (id, optimizer kind, base lr, factory); each written as a torch user would.
NATIVE: list[tuple[str, str, float, Callable[[Any], Any]]] = [
    ("LambdaLR", "sgd", 0.1, lambda o: L.LambdaLR(o, lambda e: 0.95**e)),
    ("LambdaLR-warmup", "sgd", 0.3, lambda o: L.LambdaLR(o, lambda e: min(1.0, (e + 1) / 10))),
    ("MultiplicativeLR", "sgd", 0.1, lambda o: L.MultiplicativeLR(o, lambda e: 0.95)),
    ("StepLR", "sgd", 0.1, lambda o: L.StepLR(o, 30)),
    ("StepLR-gamma", "sgd", 0.25, lambda o: L.StepLR(o, step_size=3, gamma=0.5)),
    ("MultiStepLR", "sgd", 0.1, lambda o: L.MultiStepLR(o, milestones=[10, 20, 40])),
    ("MultiStepLR-unsorted", "sgd", 1.0, lambda o: L.MultiStepLR(o, [30, 5], gamma=0.3)),
    ("ConstantLR", "sgd", 0.1, lambda o: L.ConstantLR(o)),
    ("ConstantLR-0.1", "sgd", 0.1, lambda o: L.ConstantLR(o, factor=0.1, total_iters=8)),
    ("LinearLR", "sgd", 0.1, lambda o: L.LinearLR(o)),
    ("LinearLR-decay", "sgd", 0.1, lambda o: L.LinearLR(o, 1.0, 0.0, total_iters=30)),
    ("ExponentialLR", "sgd", 0.1, lambda o: L.ExponentialLR(o, gamma=0.9)),
    ("ExponentialLR-int", "sgd", 1.0, lambda o: L.ExponentialLR(o, gamma=1)),
    ("PolynomialLR", "sgd", 0.1, lambda o: L.PolynomialLR(o)),
    ("PolynomialLR-power", "sgd", 0.1, lambda o: L.PolynomialLR(o, total_iters=40, power=2.0)),
    ("CosineAnnealingLR", "sgd", 0.1, lambda o: L.CosineAnnealingLR(o, T_max=10)),
    ("CosineAnnealingLR-eta", "sgd", 0.1, lambda o: L.CosineAnnealingLR(o, 15, eta_min=1e-3)),
    ("ChainedScheduler", "sgd", 1.0,
     lambda o: L.ChainedScheduler([L.ConstantLR(o, 0.1, 2), L.ExponentialLR(o, 0.9)])),
    ("SequentialLR", "sgd", 0.1, _sequential),
    ("SequentialLR-nested", "sgd", 0.1, _nested_sequential),
    ("CyclicLR", "sgd", 0.1, lambda o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7)),
    ("CyclicLR-triangular2", "sgd", 0.1,
     lambda o: L.CyclicLR(o, 0.001, 0.1, step_size_up=4, step_size_down=9, mode="triangular2")),
    ("CyclicLR-exp-range-adam", "adam", 0.1,
     lambda o: L.CyclicLR(o, 1e-3, 1e-2, 5, mode="exp_range", gamma=0.99)),
    ("CyclicLR-scale-fn", "sgd", 0.1,
     lambda o: L.CyclicLR(o, 0.1, 1.0, 3, scale_fn=lambda x: 0.9**x, scale_mode="iterations")),
    ("CyclicLR-default", "sgd", 0.1, lambda o: L.CyclicLR(o, 0.1, 1.0, cycle_momentum=False)),
    ("OneCycleLR", "sgd", 0.1, lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=100)),
    ("OneCycleLR-epochs", "adam", 0.1,
     lambda o: L.OneCycleLR(o, 0.01, epochs=5, steps_per_epoch=10, anneal_strategy="linear")),
    ("OneCycleLR-three-phase", "sgd", 0.1,
     lambda o: L.OneCycleLR(o, 2.0, 60, pct_start=0.2, three_phase=True, final_div_factor=1e3)),
    ("OneCycleLR-odd", "sgd", 0.1,
     lambda o: L.OneCycleLR(o, 0.7, total_steps=51, pct_start=0.123, div_factor=7.7)),
    ("CosineAnnealingWarmRestarts", "sgd", 0.1, lambda o: L.CosineAnnealingWarmRestarts(o, 10)),
    ("CosineAnnealingWarmRestarts-mult", "sgd", 0.1,
     lambda o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-4)),
    ("SWALR", "sgd", 0.1, lambda o: swa_utils.SWALR(o, swa_lr=0.05)),
    ("SWALR-linear", "sgd", 1.0,
     lambda o: swa_utils.SWALR(o, swa_lr=0.01, anneal_epochs=5, anneal_strategy="linear")),
    ("SWALR-now", "sgd", 0.5, lambda o: swa_utils.SWALR(o, swa_lr=0.05, anneal_epochs=0)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "base_lr", "factory"),
    [case[1:] for case in NATIVE],
    ids=[case[0] for case in NATIVE],
)
def test_native_scheduler_converts_to_its_trace(
    kind: str, base_lr: float, factory: Callable[[Any], Any]
) -> None:
    opt = make_optimizer(base_lr, kind)
    with quiet_step_order():
        sched = factory(opt)
    spec = to_spec(sched)
    lrs = [float(sched.get_last_lr()[0])]
    for _ in range(NATIVE_STEPS):
        opt.step()
        sched.step()
        lrs.append(float(sched.get_last_lr()[0]))
    assert_bit_equal(repr(spec), spec.trace(base_lr, NATIVE_STEPS), lrs)
    # Only parameters are read: the stepped scheduler converts to the same spec.
    assert to_spec(sched) == spec


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"mode": "max", "factor": 0.5, "patience": 2, "threshold_mode": "abs", "cooldown": 3},
        {"patience": 0, "min_lr": 0.01, "eps": 0.0, "threshold": 0.1},
        {"patience": 1, "min_lr": [1e-3]},
    ],
)
def test_native_reduce_lr_on_plateau_converts_to_its_trace(kwargs: dict[str, Any]) -> None:
    opt = make_optimizer(0.25)
    sched = L.ReduceLROnPlateau(opt, **kwargs)
    spec = to_spec(sched)
    metrics = [5.0, 4.0, *([4.0] * 20), 3.0, math.nan, *([3.5] * 30), -1.0, -0.95, -0.9]
    lrs = [float(sched.get_last_lr()[0])]
    for metric in metrics:
        opt.step()
        sched.step(metric)
        lrs.append(float(sched.get_last_lr()[0]))
    assert_bit_equal(repr(spec), spec.trace(0.25, metrics=metrics), lrs)
    assert to_spec(sched) == spec


def test_native_tensor_parameters_convert() -> None:
    opt = make_optimizer(0.1)
    sched = L.CyclicLR(opt, torch.tensor(0.01), torch.tensor(0.5), step_size_up=3)
    spec = to_spec(sched)
    assert spec == lrspec.CyclicLR(
        base_lr=torch.tensor(0.01).item(), max_lr=torch.tensor(0.5).item(), step_size_up=3
    )


def test_equal_per_group_values_convert() -> None:
    opt = make_optimizer(0.1, groups=2)
    sched = L.CyclicLR(opt, [0.01, 0.01], 1.0, step_size_up=4, max_momentum=[0.95, 0.95])
    assert to_spec(sched) == lrspec.CyclicLR(
        base_lr=0.01, max_lr=1.0, step_size_up=4, max_momentum=0.95
    )
    fn = lt.half
    spec = to_spec(L.LambdaLR(make_optimizer(groups=3), [fn, fn, fn]))
    assert spec == lrspec.LambdaLR(lr_lambda=fn)


# --- (c) errors --------------------------------------------------------------------------


class CustomScheduler(L.LRScheduler):
    def get_lr(self) -> list[float | torch.Tensor]:
        return [0.1 for _ in self.optimizer.param_groups]


class MyStepLR(L.StepLR):
    pass


def test_unknown_classes_raise_type_error() -> None:
    with pytest.raises(TypeError, match=r"got .*CustomScheduler") as info:
        to_spec(CustomScheduler(make_optimizer()))
    assert "StepLR" in str(info.value) and "SWALR" in str(info.value)
    with pytest.raises(TypeError, match=r"got .*MyStepLR \(a subclass"):
        to_spec(MyStepLR(make_optimizer(), 3))
    with pytest.raises(TypeError, match=r"got builtins\.str"):
        to_spec("StepLR(step_size=3)")
    with pytest.raises(TypeError, match="lrspec spec"):
        to_spec(lrspec.StepLR(step_size=3))


def test_unknown_child_class_raises_type_error_naming_its_index() -> None:
    opt = make_optimizer()
    chain = L.ChainedScheduler([L.StepLR(opt, 3), MyStepLR(opt, 3)])
    with pytest.raises(TypeError, match=r"ChainedScheduler.*schedulers\[1\].*MyStepLR"):
        to_spec(chain)


def test_to_torch_rejects_non_specs() -> None:
    with pytest.raises(TypeError, match="spec must be an lrspec spec"):
        to_torch(L.StepLR(make_optimizer(), 3), make_optimizer())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="spec must be an lrspec spec"):
        to_torch("StepLR(step_size=3)", make_optimizer())  # type: ignore[arg-type]


PER_GROUP: list[tuple[str, Callable[[Any], Any]]] = [
    ("LambdaLR", lambda o: L.LambdaLR(o, [lt.half, lt.one])),
    ("MultiplicativeLR", lambda o: L.MultiplicativeLR(o, [lt.half, lt.factor99])),
    ("CyclicLR-base_lr", lambda o: L.CyclicLR(o, [0.01, 0.02], 1.0)),
    ("CyclicLR-max_lr", lambda o: L.CyclicLR(o, 0.01, [1.0, 2.0])),
    ("CyclicLR-momentum", lambda o: L.CyclicLR(o, 0.01, 1.0, base_momentum=[0.8, 0.7])),
    ("OneCycleLR-max_lr", lambda o: L.OneCycleLR(o, [1.0, 0.5], total_steps=10)),
    ("OneCycleLR-momentum", lambda o: L.OneCycleLR(o, 1.0, 10, max_momentum=[0.9, 0.95])),
    ("ReduceLROnPlateau", lambda o: L.ReduceLROnPlateau(o, min_lr=[0.0, 1e-3])),
    ("SWALR", lambda o: swa_utils.SWALR(o, swa_lr=[0.05, 0.01])),
    (
        "SequentialLR-child",
        lambda o: L.SequentialLR(o, [L.StepLR(o, 2), L.LambdaLR(o, [lt.half, lt.one])], [3]),
    ),
]


@pytest.mark.parametrize("factory", [c[1] for c in PER_GROUP], ids=[c[0] for c in PER_GROUP])
def test_per_group_parameters_raise_value_error(factory: Callable[[Any], Any]) -> None:
    opt = make_optimizer(0.1, groups=2)
    with quiet_step_order():
        sched = factory(opt)
    with pytest.raises(ValueError, match=r"differs between param groups.*one spec per param"):
        to_spec(sched)


def test_per_group_message_points_at_speclr() -> None:
    with pytest.raises(ValueError, match=r"lrspec_torch\.SpecLR accepts a list of specs"):
        to_spec(L.CyclicLR(make_optimizer(groups=2), [0.01, 0.02], 1.0))


REJECTED: list[tuple[str, type[Exception], Callable[[Any], Any]]] = [
    ("StepLR-0", ValueError, lambda o: L.StepLR(o, 0)),
    ("StepLR-float", TypeError, lambda o: L.StepLR(o, 2.5)),
    ("MultiStepLR-repeated", ValueError, lambda o: L.MultiStepLR(o, [2, 2, 4])),
    ("ExponentialLR-negative", ValueError, lambda o: L.ExponentialLR(o, -0.5)),
    ("LinearLR-0", ValueError, lambda o: L.LinearLR(o, total_iters=0)),
    ("CosineAnnealingLR-0", ValueError, lambda o: L.CosineAnnealingLR(o, 0)),
    ("CyclicLR-float-step", ValueError, lambda o: L.CyclicLR(o, 0.1, 1.0, step_size_up=2.5)),
    ("CyclicLR-mode", ValueError, lambda o: L.CyclicLR(o, 0.1, 1.0, mode="x", scale_fn=lt.one)),
    ("ReduceLROnPlateau", ValueError, lambda o: L.ReduceLROnPlateau(o, factor=-1.0)),
    ("SequentialLR", ValueError, lambda o: L.SequentialLR(o, [L.StepLR(o, 2)] * 2, [0])),
]


@pytest.mark.parametrize(
    ("error", "factory"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED]
)
def test_values_lrspec_rejects_name_the_torch_scheduler(
    error: type[Exception], factory: Callable[[Any], Any]
) -> None:
    opt = make_optimizer(0.1)
    with quiet_step_order():
        sched = factory(opt)
    name = type(sched).__name__
    with pytest.raises(error, match=rf"cannot convert torch {name} to a spec: "):
        to_spec(sched)


def test_child_errors_name_the_composite_and_index() -> None:
    opt = make_optimizer()
    sched = L.SequentialLR(opt, [L.StepLR(opt, 2), L.MultiStepLR(opt, [3, 3])], [4])
    pattern = r"SequentialLR to a spec: schedulers\[1\]: cannot convert torch MultiStepLR"
    with pytest.raises(ValueError, match=pattern):
        to_spec(sched)


def test_speclr_takes_one_spec_per_group_after_the_error() -> None:
    # The remedy the per-group message names: convert per group and apply with SpecLR.
    opt = make_optimizer(0.1, groups=2)
    specs = [lrspec.CyclicLR(base_lr=b, max_lr=1.0, step_size_up=3) for b in (0.01, 0.02)]
    sched = lrspec_torch.SpecLR(opt, specs)
    assert sched.get_last_lr() == [0.01, 0.02]
