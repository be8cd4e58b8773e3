"""SpecLR drives each decay shape in a real torch training loop, bit-equal to ``spec.trace``.

A catalogue spec has no torch twin: SpecLR steps it as torch steps a ``LambdaLR`` whose lambda
is the spec's factor (``initial_lr * f(step)``). The lr after every step must equal
``spec.trace(base_lr, steps)`` bit for bit, for one or two param groups, SGD or Adam; the
state dict resumes a run exactly; a tensor lr is checked too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from _torch_helpers import X, Y, assert_bit_equal, make_model
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR, cli

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


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data(), base=lt.base_lrs())
def test_lr_on_tensors_equals_numpy(name: str, data: Any, base: float) -> None:
    spec = data.draw(lt.SHAPE_STRATEGIES[name](), label="spec")
    ts = data.draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=20), label="ts")
    want = spec.lr(np.asarray(ts, dtype=np.float64), base)
    for tensor in (torch.tensor(ts), torch.tensor(ts, dtype=torch.float64)):
        got = spec.lr(tensor, base)
        assert got.dtype == torch.float64 and got.shape == tensor.shape
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12 * base)
    # A float32 tensor stays float32 (computed in float32: ``rate`` itself rounds, so
    # 0.999999 ** 83538 is off by 1e-3 relative; pass float64 for agreement, as _xp says).
    single = spec.lr(torch.tensor(ts, dtype=torch.float32), base)
    assert single.dtype == torch.float32
    assert bool(torch.isfinite(single).all()) and bool((single >= 0).all())


@pytest.mark.parametrize(
    "spec",
    [
        lrspec.Constant(factor=0.5),
        lrspec.Linear(total_steps=10, start_factor=0.0, end_factor=1.0),
        lrspec.Cosine(total_steps=10, end_factor=0.1, exponent=2.0, k=0.5),
        lrspec.Polynomial(total_steps=10, power=0.5),
        lrspec.OneMinusSqrt(total_steps=10),
        lrspec.Exponential(rate=1.5, staircase=True, end_factor=4.0),
    ],
    ids=lambda s: type(s).__name__,
)
def test_lrspec_plot_draws_it(spec: lrspec.Schedule, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plot", repr(spec), "--steps", "20", "--base-lr", "0.1"]) == 0
    assert repr(spec) in capsys.readouterr().out
