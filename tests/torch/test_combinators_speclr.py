"""SpecLR drives the combinators (Join, Warmup, Product, Stretch, Clip, Cycle) in torch.

In a real training loop (forward, backward, ``opt.step()``, ``sched.step()``) the lr SpecLR
writes is ``spec.trace`` bit for bit, also when the lr is a tensor and when a combinator is a
child of SequentialLR; a checkpoint taken mid-run resumes to the same sequence; and the closed
form evaluates torch tensors as it evaluates numpy arrays; ``lrspec plot`` draws each one.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR, cli

NAMES = sorted(lt.COMBINATOR_STRATEGIES)
any_combinator = st.sampled_from(NAMES).flatmap(lambda name: lt.COMBINATOR_STRATEGIES[name]())


def fit(spec: lrspec.Schedule, base_lr: float, steps: int, *, tensor: bool = False) -> list[float]:
    """Train a small regression under ``spec``: the lr in force after each ``sched.step()``."""
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(24, 4, generator=gen, dtype=torch.float64)
    y = x @ torch.tensor([0.5, -1.0, 2.0, 0.0], dtype=torch.float64)
    model = torch.nn.Linear(4, 1, dtype=torch.float64)
    lr = torch.tensor(base_lr, dtype=torch.float64) if tensor else base_lr
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    sched = SpecLR(opt, spec)
    out = [float(opt.param_groups[0]["lr"])]
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x).squeeze(-1), y).backward()
        opt.step()
        sched.step()
        out.append(float(opt.param_groups[0]["lr"]))
        assert [float(v) for v in sched.get_last_lr()] == [out[-1]]
    return out


@settings(deadline=None)
@given(spec=any_combinator, base_lr=lt.base_lrs(), steps=st.integers(0, 100))
def test_a_training_loop_writes_the_trace_bit_for_bit(
    spec: lrspec.Schedule, base_lr: float, steps: int
) -> None:
    assert fit(spec, base_lr, steps) == spec.trace(base_lr, steps)


@settings(deadline=None, max_examples=20)
@given(spec=any_combinator, steps=st.integers(0, 60))
def test_a_float64_tensor_lr_follows_the_trace(spec: lrspec.Schedule, steps: int) -> None:
    assert fit(spec, 0.25, steps, tensor=True) == spec.trace(0.25, steps)


EXAMPLES = {
    "Join": lrspec.Join(
        schedules=[
            lrspec.LinearLR(start_factor=0.2, total_iters=5),
            lrspec.ExponentialLR(gamma=0.9),
        ],
        boundaries=[8],
    ),
    "Warmup": lrspec.Warmup(inner=lrspec.CosineAnnealingLR(T_max=40), steps=10, kind="cosine"),
    "Product": lrspec.Product(
        schedules=[lrspec.StepLR(step_size=10, gamma=0.5), lrspec.ExponentialLR(gamma=0.99)]
    ),
    "Stretch": lrspec.Stretch(inner=lrspec.StepLR(step_size=4, gamma=0.5), ratio=2.5),
    "Clip": lrspec.Clip(inner=lrspec.ExponentialLR(gamma=0.8), min_factor=0.05, max_factor=0.5),
    "Cycle": lrspec.Cycle(
        inner=lrspec.Cosine(total_steps=10, end_factor=0.1), period=10, period_mul=1.5, decay=0.7
    ),
}


@pytest.mark.parametrize("name", NAMES)
def test_every_combinator_is_driven(name: str) -> None:
    spec = EXAMPLES[name]
    lrs = fit(spec, 0.1, 60)
    assert lrs == spec.trace(0.1, 60)
    assert len(set(lrs)) > 2  # it did move


def test_a_combinator_inside_sequential_lr() -> None:
    warm = lrspec.Warmup(inner=lrspec.ExponentialLR(gamma=0.9), steps=4)
    seq = lrspec.SequentialLR(schedulers=[lrspec.StepLR(step_size=2), warm], milestones=[5])
    assert fit(seq, 0.1, 20) == seq.trace(0.1, 20)
    assert seq.trace(0.1, 20)[5:] == pytest.approx(warm.trace(0.1, 15), rel=1e-15)


@settings(deadline=None, max_examples=25)
@given(spec=any_combinator, cut=st.integers(0, 40))
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
    opt2.load_state_dict(opt_state)
    sched2 = SpecLR(opt2, spec)
    sched2.load_state_dict(state)
    rest = []
    for _ in range(steps - cut):
        opt2.step()
        sched2.step()
        rest.append(opt2.param_groups[0]["lr"])
    assert rest == spec.trace(base_lr, steps)[cut + 1 :]


@settings(deadline=None)
@given(spec=any_combinator, base_lr=lt.base_lrs())
def test_the_closed_form_takes_torch_tensors(spec: lrspec.Schedule, base_lr: float) -> None:
    grid = np.concatenate([np.arange(0.0, 250.0), [0.5, 3.75, 999.5]])
    expected = spec.lr(grid, base_lr)
    got = spec.lr(torch.tensor(grid, dtype=torch.float64), base_lr)
    assert isinstance(got, torch.Tensor)
    assert got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12, atol=1e-300)
    as_ints = spec.lr(torch.arange(0, 250), base_lr)
    np.testing.assert_allclose(as_ints.numpy(), expected[:250], rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
def test_lrspec_plot_draws_it(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    spec = EXAMPLES[name]
    assert cli.main(["plot", repr(spec), "--steps", "30", "--base-lr", "0.1"]) == 0
    out = capsys.readouterr().out
    assert repr(spec) in out
    assert "min" in out


def test_lrspec_plot_draws_the_presets(capsys: pytest.CaptureFixture[str]) -> None:
    for spec in [lrspec.warmup_cosine(5, 30), lrspec.wsd(3, 10, 10, decay="1-sqrt")]:
        assert cli.main(["plot", repr(spec), "--steps", "30"]) == 0
        assert repr(spec) in capsys.readouterr().out
