"""SpecLR drives each decay shape in a real torch training loop, bit-equal to ``spec.trace``.

A catalogue spec has no torch twin: SpecLR steps it as torch steps a ``LambdaLR`` whose lambda
is the spec's factor (``initial_lr * f(step)``). The lr after every step must equal
``spec.trace(base_lr, steps)`` bit for bit, for one or two param groups, SGD or Adam; the
state dict resumes a run exactly; a tensor lr is checked too.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from _torch_helpers import X, Y, assert_bit_equal, make_model
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR

SHAPES = sorted(lt.SHAPE_STRATEGIES)
STEPS = 30


def train(spec: lrspec.Schedule, lrs: list[float], kind: str, steps: int) -> list[list[float]]:
    """Train a small regression under ``spec``; the lr of every group after each step."""
    model = make_model()
    groups: Any = (
        [{"params": [model.weight, model.bias], "lr": lrs[0]}]
        if len(lrs) == 1
        else [{"params": [model.weight], "lr": lrs[0]}, {"params": [model.bias], "lr": lrs[1]}]
    )
    if kind == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(groups)
    else:
        opt = torch.optim.SGD(groups, momentum=0.9)
    sched = SpecLR(opt, spec)
    seen = [[g["lr"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(X), Y).backward()
        opt.step()
        sched.step()
        seen.append(list(sched.get_last_lr()))
        assert seen[-1] == [g["lr"] for g in opt.param_groups]
    return seen


@pytest.mark.parametrize("name", SHAPES)
@given(
    data=st.data(),
    lrs=st.lists(lt.base_lrs(), min_size=1, max_size=2),
    kind=st.sampled_from(["sgd", "adam"]),
)
def test_speclr_lr_is_the_trace(name: str, data: Any, lrs: list[float], kind: str) -> None:
    spec = data.draw(lt.SHAPE_STRATEGIES[name](), label="spec")
    seen = train(spec, lrs, kind, STEPS)
    for i, base in enumerate(lrs):
        assert_bit_equal(repr(spec), spec.trace(base, STEPS), [step[i] for step in seen])


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data(), base=lt.base_lrs(), cut=st.integers(0, STEPS))
def test_speclr_resumes_exactly(name: str, data: Any, base: float, cut: int) -> None:
    spec = data.draw(lt.SHAPE_STRATEGIES[name](), label="spec")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    sched = SpecLR(opt, spec)
    for _ in range(cut):
        opt.step()
        sched.step()
    state = sched.state_dict()
    opt2 = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    opt2.load_state_dict(opt.state_dict())
    resumed = SpecLR(opt2, spec)
    resumed.load_state_dict(state)
    lrs = [resumed.get_last_lr()[0]]
    for _ in range(STEPS - cut):
        opt2.step()
        resumed.step()
        lrs.append(resumed.get_last_lr()[0])
    assert_bit_equal(repr(spec), spec.trace(base, STEPS)[cut:], lrs)


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data(), base=lt.base_lrs())
def test_speclr_tensor_lr(name: str, data: Any, base: float) -> None:
    spec = data.draw(lt.SHAPE_STRATEGIES[name](), label="spec")
    lr = torch.tensor(base, dtype=torch.float64)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = SpecLR(opt, spec)
    values = [float(opt.param_groups[0]["lr"])]
    for _ in range(10):
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] is lr  # updated in place
        values.append(float(lr))
    assert_bit_equal(repr(spec), spec.trace(base, 10), values)
