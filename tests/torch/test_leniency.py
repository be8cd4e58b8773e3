"""What torch accepts with a well-defined result, lrspec accepts too: checked against torch live.

Integral floats for int fields (``step_size=3.0``, from ``epochs / k`` or YAML), MultiStepLR
milestones in any order or container (torch counts them), and momenta above 1 (torch's own
tests use ``max_momentum=5.0``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch.optim import lr_scheduler as L

import lrspec
import lrspec_torch


def _opt(lr: float = 0.25, momentum: float = 0.5) -> torch.optim.SGD:
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=momentum)


def _native(make: Callable[[torch.optim.Optimizer], Any], steps: int) -> tuple[list, list]:
    opt = _opt()
    sched = make(opt)
    lrs, moms = [sched.get_last_lr()[0]], [opt.param_groups[0]["momentum"]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
        moms.append(opt.param_groups[0]["momentum"])
    return lrs, moms


CASES: list[tuple[str, Callable[[torch.optim.Optimizer], Any], lrspec.Schedule]] = [
    (
        "StepLR-float-step",
        lambda o: L.StepLR(o, step_size=3.0, gamma=0.5),
        lrspec.StepLR(step_size=3.0, gamma=0.5),
    ),
    (
        "Cosine-float-T_max",
        lambda o: L.CosineAnnealingLR(o, T_max=10.0),
        lrspec.CosineAnnealingLR(T_max=10.0),
    ),
    (
        "Linear-float-total",
        lambda o: L.LinearLR(o, total_iters=4.0),
        lrspec.LinearLR(total_iters=4.0),
    ),
    (
        "MultiStep-unsorted",
        lambda o: L.MultiStepLR(o, milestones=[9, 2, 5], gamma=0.5),
        lrspec.MultiStepLR(milestones=[9, 2, 5], gamma=0.5),
    ),
    (
        "MultiStep-set",
        lambda o: L.MultiStepLR(o, milestones={4, 1, 7}, gamma=0.5),
        lrspec.MultiStepLR(milestones={4, 1, 7}, gamma=0.5),
    ),
    (
        "WarmRestarts-float-T_0",
        # torch itself insists on an int T_0; the spec converts 3.0 to the 3 torch needs
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
        lrspec.CosineAnnealingWarmRestarts(T_0=3.0, T_mult=2),
    ),
]


@pytest.mark.parametrize(("make", "spec"), [pytest.param(m, s, id=i) for i, m, s in CASES])
def test_lenient_inputs_equal_torch(make: Callable[[Any], Any], spec: lrspec.Schedule) -> None:
    expected, _ = _native(make, 20)
    assert spec.trace(0.25, 20) == expected


@pytest.mark.parametrize(
    ("make", "spec"),
    [
        pytest.param(
            lambda o: L.CyclicLR(o, 0.1, 1.0, step_size_up=3, base_momentum=4.0, max_momentum=5.0),
            lrspec.CyclicLR(
                base_lr=0.1, max_lr=1.0, step_size_up=3, base_momentum=4.0, max_momentum=5.0
            ),
            id="CyclicLR",
        ),
        pytest.param(
            lambda o: L.OneCycleLR(o, 1.0, total_steps=20, base_momentum=4.0, max_momentum=22.0),
            lrspec.OneCycleLR(max_lr=1.0, total_steps=20, base_momentum=4.0, max_momentum=22.0),
            id="OneCycleLR",
        ),
    ],
)
def test_momentum_above_one_equals_torch(make: Callable[[Any], Any], spec: Any) -> None:
    lrs, moms = _native(make, 20)
    assert spec.trace(0.25, 20) == lrs
    assert spec.trace_momentum(20) == moms
    assert lrspec_torch.to_spec(make(_opt())) == spec
