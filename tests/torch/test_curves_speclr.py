"""SpecLR drives InverseTime, InverseSqrt, Tanh, PiecewiseConstant and Interpolate in torch.

A real training loop (forward, backward, ``opt.step()``, ``sched.step()``) writes exactly
``spec.trace``; a checkpoint taken mid-run resumes to the same sequence; and the closed form
accepts torch tensors (float64 and float32) as it accepts numpy arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR

CURVES = sorted(lt.CURVE_STRATEGIES)
any_curve = st.sampled_from(CURVES).flatmap(lambda name: lt.CURVE_STRATEGIES[name]())


def _train(spec: lrspec.Schedule, base_lr: float, steps: int) -> list[float]:
    """Fit a tiny linear regression under ``spec``; the lr in force at each step."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(32, 3, generator=gen, dtype=torch.float64)
    y = x @ torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    model = torch.nn.Linear(3, 1, dtype=torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=base_lr, momentum=0.9)
    sched = SpecLR(opt, spec)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x).squeeze(-1), y)
        loss.backward()
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        assert sched.get_last_lr() == [lrs[-1]]
    return lrs


@settings(deadline=None)
@given(spec=any_curve, base_lr=lt.base_lrs(), steps=st.integers(0, 120))
def test_a_training_loop_writes_the_trace_bit_for_bit(
    spec: lrspec.Schedule, base_lr: float, steps: int
) -> None:
    assert _train(spec, base_lr, steps) == spec.trace(base_lr, steps)


@pytest.mark.parametrize("name", CURVES)
def test_every_curve_is_driven(name: str) -> None:
    spec = {
        "InverseTime": lrspec.InverseTime(decay_steps=7, rate=0.5, staircase=True),
        "InverseSqrt": lrspec.InverseSqrt(timescale=5),
        "Tanh": lrspec.Tanh(total_steps=30, end_factor=0.1),
        "PiecewiseConstant": lrspec.PiecewiseConstant(boundaries=[5, 9], factors=[1, 0.3, 0.1]),
        "Interpolate": lrspec.Interpolate(steps=[0, 10, 30], factors=[0, 1, 0.2], kind="cosine"),
    }[name]
    lrs = _train(spec, 0.25, 60)
    assert lrs == spec.trace(0.25, 60)
    assert len(set(lrs)) > 2  # it did move


@settings(deadline=None)
@given(spec=any_curve, cut=st.integers(0, 40))
def test_resuming_from_a_checkpoint_continues_the_trace(spec: lrspec.Schedule, cut: int) -> None:
    steps, base_lr = 50, 0.1
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=base_lr)
    sched = SpecLR(opt, spec)
    for _ in range(cut):
        opt.step()
        sched.step()
    state, opt_state = sched.state_dict(), opt.state_dict()
    param2 = torch.zeros(1, requires_grad=True)
    opt2 = torch.optim.SGD([param2], lr=base_lr)
    sched2 = SpecLR(opt2, spec)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(state)
    lrs = [opt2.param_groups[0]["lr"]]
    for _ in range(steps - cut):
        opt2.step()
        sched2.step()
        lrs.append(opt2.param_groups[0]["lr"])
    assert lrs == spec.trace(base_lr, steps)[cut:]


@given(spec=any_curve)
def test_tensors_give_the_numpy_values(spec: lrspec.Schedule) -> None:
    t = np.array([0, 0.5, 1, 2.5, 7, 10, 33.3, 100, 1e4, 1e12])
    want = spec.lr(t, 0.5)
    got = spec.lr(torch.tensor(t, dtype=torch.float64), 0.5)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float64
    assert got.tolist() == pytest.approx(want.tolist(), rel=1e-14, abs=1e-16)
    single = spec.lr(torch.tensor(t, dtype=torch.float32), 0.5)
    assert single.dtype == torch.float32 and torch.isfinite(single).all()
    ints = spec.lr(torch.arange(20), 0.5)
    assert ints.tolist() == pytest.approx(spec.lr(np.arange(20), 0.5).tolist(), rel=1e-14)
