"""``to_spec`` / ``to_torch`` errors: unknown classes, per-group parameters, values lrspec rejects.

Each error names the torch scheduler (and, inside a composite, the child's index).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
from _torch_helpers import make_optimizer, quiet_step_order
from torch.optim import lr_scheduler as L
from torch.optim import swa_utils

import lrspec
import lrspec_torch
from lrspec import testing as lt
from lrspec_torch import to_spec, to_torch


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
