"""Every spec against its torch twin running live.

For generated configs of each of the 16 classes: ``trace`` equals torch's
``get_last_lr()[0]`` bit for bit, ``lr(k)`` is within 1e-9 relative (1e-12 absolute) of it,
and CyclicLR/OneCycleLR write the same momentum (SGD ``momentum``, Adam ``betas[0]``).
Then torch 2.13's known values, its documented quirks, and vectorised ``lr``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import pytest
import torch
from _torch_helpers import assert_bit_equal, make_optimizer, quiet_step_order
from hypothesis import given, settings
from hypothesis import strategies as st

import lrspec
import lrspec_torch
from lrspec import testing as lt


def torch_lrs(
    spec: lrspec.Schedule,
    base_lr: float,
    steps: int | None = None,
    *,
    metrics: Sequence[float] | None = None,
    optimizer: str = "sgd",
) -> list[float]:
    """Step the native twin of ``spec``, asserting ``spec.trace`` matches it bit for bit."""

    def make_scheduler(lr: float) -> Any:
        return lrspec_torch.to_torch(spec, make_optimizer(lr, optimizer))

    with quiet_step_order():
        return lt.assert_trace_matches(
            spec,
            make_scheduler,
            base_lr,
            steps,
            metrics=metrics,
            optimizer_step=lambda sched: sched.optimizer.step(),
        )


def beta1(group: dict[str, Any]) -> float:
    return float(group["betas"][0] if "betas" in group else group["momentum"])


def torch_momenta(spec: lrspec.MomentumSchedule, steps: int, optimizer: str) -> list[float]:
    """The momentum (or Adam beta1) torch writes into the group after each step."""
    opt = make_optimizer(0.1, optimizer)
    with quiet_step_order():
        sched = lrspec_torch.to_torch(spec, opt)
        out = [beta1(opt.param_groups[0])]
        for _ in range(steps):
            opt.step()
            sched.step()
            out.append(beta1(opt.param_groups[0]))
    return out


# --- (a) + (b): every non-metric class, generated configs -------------------------------

NON_METRIC = {k: v for k, v in lt.TWIN_STRATEGIES.items() if k != "ReduceLROnPlateau"}


@pytest.mark.parametrize("strategy", NON_METRIC.values(), ids=NON_METRIC.keys())
@settings(deadline=None)
@given(data=st.data())
def test_trace_is_torch_bit_for_bit_and_lr_is_close(
    strategy: Callable[[], st.SearchStrategy[lrspec.Schedule]], data: st.DataObject
) -> None:
    spec = data.draw(strategy(), label="spec")
    base_lr = data.draw(lt.base_lrs(), label="base_lr")
    steps = data.draw(lt.steps(spec=spec), label="steps")
    values = torch_lrs(spec, base_lr, steps)
    lt.assert_lr_close(spec, values, base_lr, rel=1e-9, abs=1e-12)


@settings(deadline=None)
@given(spec=lt.reduce_lr_on_plateau(), base_lr=lt.base_lrs(), metrics=lt.metric_streams())
def test_reduce_lr_on_plateau_trace_is_torch_bit_for_bit(
    spec: lrspec.ReduceLROnPlateau, base_lr: float, metrics: list[float]
) -> None:
    torch_lrs(spec, base_lr, metrics=metrics)
    with pytest.raises(TypeError, match="metric-driven"):
        spec.lr(0, base_lr)


# --- (c): momentum of CyclicLR and OneCycleLR, with SGD and Adam ------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize(
    "strategy", [lt.cyclic_lr, lt.one_cycle_lr], ids=["CyclicLR", "OneCycleLR"]
)
@settings(deadline=None)
@given(data=st.data())
def test_momentum_is_torch_bit_for_bit(
    strategy: Callable[[], st.SearchStrategy[lrspec.MomentumSchedule]],
    optimizer: str,
    data: st.DataObject,
) -> None:
    spec = attrs.evolve(data.draw(strategy(), label="spec"), cycle_momentum=True)
    base_lr = data.draw(lt.base_lrs(), label="base_lr")
    steps = data.draw(lt.steps(spec=spec), label="steps")
    torch_lrs(spec, base_lr, steps, optimizer=optimizer)
    momenta = torch_momenta(spec, steps, optimizer)
    assert_bit_equal(f"{spec!r}.trace_momentum", spec.trace_momentum(steps), momenta)
    for k, want in enumerate(momenta):
        got = spec.momentum(k)
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (k, got, want)


@settings(deadline=None)
@given(spec=lt.one_cycle_lr(), base_lr=lt.base_lrs())
def test_one_cycle_past_total_steps_raises_like_torch(
    spec: lrspec.OneCycleLR, base_lr: float
) -> None:
    torch_lrs(spec, base_lr, spec.total)  # stepping to exactly total_steps is allowed
    opt = make_optimizer(base_lr)
    sched = lrspec_torch.to_torch(spec, opt)
    for _ in range(spec.total):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step"):
        sched.step()
    with pytest.raises(ValueError, match="total_steps"):
        spec.trace(base_lr, spec.total + 1)


# --- known values, measured from torch 2.13 ---------------------------------------------

KNOWN_AFTER_100_STEPS_FROM_025 = [
    pytest.param(lrspec.StepLR(step_size=1, gamma=0.9), 6.640349721896886e-06, id="StepLR"),
    pytest.param(lrspec.CosineAnnealingLR(T_max=100), 0.0, id="CosineAnnealingLR"),
    pytest.param(lrspec.ExponentialLR(gamma=0.95), 0.0014801323050834992, id="ExponentialLR"),
]


@pytest.mark.parametrize(("spec", "expected"), KNOWN_AFTER_100_STEPS_FROM_025)
def test_known_value_after_100_steps(spec: lrspec.Schedule, expected: float) -> None:
    assert torch_lrs(spec, 0.25, 100)[-1] == expected
    assert spec.trace(0.25, 100)[-1] == expected


def test_known_value_reduce_lr_on_plateau_constant_metric() -> None:
    spec = lrspec.ReduceLROnPlateau(patience=10, factor=0.1)
    metrics = [1.0] * 78
    assert torch_lrs(spec, 0.25, metrics=metrics)[-1] == 2.5000000000000012e-08
    trace = spec.trace(0.25, metrics=metrics)
    assert trace[-1] == 2.5000000000000012e-08
    assert trace[-2] != trace[-1]  # the 7th cut lands exactly on step 78


# --- documented quirks, checked against torch -------------------------------------------


def test_sequential_restarts_child_at_its_own_epoch_0() -> None:
    spec = lrspec.SequentialLR(
        schedulers=[lrspec.ExponentialLR(gamma=0.5), lrspec.StepLR(step_size=1, gamma=0.5)],
        milestones=[3],
    )
    assert torch_lrs(spec, 1.0, 5) == [1.0, 0.5, 0.25, 1.0, 0.5, 0.25]


def test_sequential_multiplicative_child_continues_from_previous_lr() -> None:
    spec = lrspec.SequentialLR(
        schedulers=[lrspec.ExponentialLR(gamma=0.5), lrspec.MultiplicativeLR(lr_lambda=lt.half)],
        milestones=[3],
    )
    # At the milestone torch calls lr_lambda(0) on the current lr 0.25: no restart at 1.0.
    assert torch_lrs(spec, 1.0, 5) == [1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125]


@pytest.mark.parametrize(
    "absolute",
    [
        pytest.param(lrspec.LambdaLR(lr_lambda=lt.inverse_time), id="LambdaLR"),
        pytest.param(lrspec.CosineAnnealingWarmRestarts(T_0=4, T_mult=2), id="CAWR"),
    ],
)
def test_chained_absolute_child_overwrites_the_ones_before(absolute: lrspec.Schedule) -> None:
    spec = lrspec.ChainedScheduler(
        schedulers=[lrspec.ExponentialLR(gamma=0.5), lrspec.StepLR(step_size=2), absolute]
    )
    values = torch_lrs(spec, 0.3, 20)
    # The decays before the absolute child leave no trace at all.
    assert values == absolute.trace(0.3, 20)


def test_chained_absolute_child_first_is_decayed_by_the_next() -> None:
    spec = lrspec.ChainedScheduler(
        schedulers=[lrspec.LambdaLR(lr_lambda=lt.half), lrspec.ExponentialLR(gamma=0.5)]
    )
    # LambdaLR resets to 0.5 * base each step, then ExponentialLR halves it once.
    assert torch_lrs(spec, 1.0, 4) == [0.5, 0.25, 0.25, 0.25, 0.25]


def test_cosine_annealing_past_t_max_climbs_back() -> None:
    spec = lrspec.CosineAnnealingLR(T_max=4)
    values = torch_lrs(spec, 1.0, 16)
    assert values[4] == values[12] == 0.0  # exactly eta_min at T_max + 2k T_max
    assert math.isclose(values[8], 1.0, rel_tol=1e-12)  # back at base at 2 T_max
    assert values[5] > values[4] and values[9] < values[8]
    lt.assert_lr_close(spec, values, 1.0)


@pytest.mark.parametrize(
    ("factor", "undo_is_exact"),
    [(0.1, False), (0.7, False), (0.9, False), (1 / 7, False), (1 / 3, True), (0.3, True)],
)
def test_constant_lr_reciprocal_undo(factor: float, undo_is_exact: bool) -> None:
    spec = lrspec.ConstantLR(factor=factor, total_iters=3)
    values = torch_lrs(spec, 0.1, 5)
    assert (values[3] == 0.1) is undo_is_exact, values[3]
    assert values[3] == values[5]
    assert math.isclose(values[3], 0.1, rel_tol=1e-15)


def test_constant_lr_undo_for_factor_tenth_is_one_ulp_off() -> None:
    spec = lrspec.ConstantLR(factor=0.1, total_iters=3)
    assert torch_lrs(spec, 0.1, 3)[-1] == 0.10000000000000002


# --- vectorised lr ----------------------------------------------------------------------

ARRAY_CASES = [
    pytest.param(strategy, kind, id=f"{name}-{kind}")
    for name, strategy in NON_METRIC.items()
    for kind in ("numpy", "torch")
]


def as_array(kind: str, n: int) -> Any:
    return np.arange(n) if kind == "numpy" else torch.arange(n, dtype=torch.float64)


@pytest.mark.parametrize(("strategy", "kind"), ARRAY_CASES)
@settings(deadline=None)
@given(data=st.data())
def test_lr_on_arrays_equals_scalar_lr(
    strategy: Callable[[], st.SearchStrategy[lrspec.Schedule]], kind: str, data: st.DataObject
) -> None:
    spec = data.draw(strategy(), label="spec")
    base_lr = data.draw(lt.base_lrs(), label="base_lr")
    steps = data.draw(lt.steps(120, spec=spec), label="steps")
    scalars = [spec.lr(k, base_lr) for k in range(steps + 1)]
    result = spec.lr(as_array(kind, steps + 1), base_lr)
    array_type = np.ndarray if kind == "numpy" else torch.Tensor
    assert isinstance(result, array_type)
    assert tuple(result.shape) == (steps + 1,)
    assert str(result.dtype).endswith("float64"), result.dtype
    values = result.tolist()
    for k, (got, want) in enumerate(zip(values, scalars, strict=True)):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=0.0), (k, got, want)


# --- the strategies themselves ----------------------------------------------------------


@settings(deadline=None)
@given(spec=lt.specs())
def test_generated_specs_round_trip_through_to_dict(spec: lrspec.Schedule) -> None:
    assert lrspec.from_dict(lrspec.to_dict(spec)) == spec
