"""Schedulers written with torch's own constructors convert to specs (``to_spec``).

Each converted spec's ``trace`` is torch's ``get_last_lr()`` sequence, bit for bit, and only
parameters are read (a stepped scheduler converts to the same spec).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
from _torch_helpers import assert_bit_equal, make_optimizer, quiet_step_order
from torch.optim import lr_scheduler as L
from torch.optim import swa_utils

import lrspec
from lrspec import testing as lt
from lrspec_torch import to_spec

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
