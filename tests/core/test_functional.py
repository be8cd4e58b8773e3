"""Known values of every public function in :mod:`lrspec.functional`.

Each expected value is worked out by hand from the formula in the function's docstring (cosine
at half its period is half way, step decay is a power of gamma, one-cycle phases end at their
stated values, ...): none is a number our code printed. Every row is checked on Python numbers
(a float comes back) and on one numpy array of all its epochs (a float64 array of the same
shape comes back, integer epochs promoted). ``KNOWN`` must cover ``functional.__all__``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from lrspec import functional

#: cos(pi / 4)
R = math.sqrt(0.5)
#: cos(pi / 8)
COS_PI_8 = math.sqrt(2 + math.sqrt(2)) / 2


@dataclass(frozen=True)
class Row:
    """``fn(epoch, *args, **kwargs) == values[epoch]`` (``anneal`` takes its pct last)."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    values: dict[float, float]
    array_xfail: str | None = None


def cyclic(**kw: Any) -> dict[str, Any]:
    """CyclicLR keywords: lr from 1 to 3, up and down in 2 steps each, unless ``kw`` says."""
    base = {
        "base_lr": 1.0,
        "max_lr": 3.0,
        "step_size_up": 2,
        "step_size_down": None,
        "mode": "triangular",
        "gamma": 1.0,
        "scale_fn": None,
        "scale_mode": "cycle",
    }
    return {**base, **kw}


KNOWN: dict[str, list[Row]] = {
    # base_lr * gamma ** floor(epoch / step_size)
    "step_lr": [
        Row(
            (1.0,),
            {"step_size": 3, "gamma": 0.5},
            {0: 1.0, 2: 1.0, 2.5: 1.0, 3: 0.5, 5: 0.5, 6: 0.25, 9: 0.125},
        ),
        Row((0.8,), {"step_size": 1, "gamma": 0.1}, {0: 0.8, 1: 0.08, 2: 0.008}),
    ],
    # base_lr * gamma ** (number of milestones <= epoch); a repeated milestone counts twice
    "multistep_lr": [
        Row(
            (1.0,),
            {"milestones": (2, 5), "gamma": 0.1},
            {0: 1.0, 1: 1.0, 2: 0.1, 4: 0.1, 5: 0.01, 100: 0.01},
        ),
        Row((1.0,), {"milestones": (3, 3), "gamma": 0.5}, {2: 1.0, 3: 0.25, 10: 0.25}),
    ],
    # base_lr * factor while epoch < total_iters, then base_lr
    "constant_lr": [
        Row((2.0,), {"factor": 0.25, "total_iters": 3}, {0: 0.5, 2: 0.5, 3: 2.0, 10: 2.0}),
        Row((2.0,), {"factor": 0.25, "total_iters": 0}, {0: 2.0, 1: 2.0}),
    ],
    # base_lr * (start + (end - start) * min(epoch, total_iters) / total_iters)
    "linear_lr": [
        Row(
            (1.0,),
            {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4},
            {0: 0.25, 1: 0.4375, 2: 0.625, 3: 0.8125, 4: 1.0, 6: 1.0},
        ),
        Row(
            (2.0,),
            {"start_factor": 1.0, "end_factor": 0.5, "total_iters": 2},
            {0: 2.0, 1: 1.5, 2: 1.0, 5: 1.0},
        ),
    ],
    # base_lr * gamma ** epoch
    "exponential_lr": [
        Row((3.0,), {"gamma": 0.5}, {0: 3.0, 0.5: 3 * R, 1: 1.5, 2: 0.75, 4: 0.1875}),
    ],
    # base_lr * (1 - min(epoch, total_iters) / total_iters) ** power
    "polynomial_lr": [
        Row(
            (1.0,),
            {"total_iters": 4, "power": 2.0},
            {0: 1.0, 1: 0.5625, 2: 0.25, 4: 0.0, 6: 0.0},
        ),
        Row((2.0,), {"total_iters": 4, "power": 1.0}, {1: 1.5, 3: 0.5}),
    ],
    # eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, periodic
    "cosine_annealing_lr": [
        Row(
            (1.0,),
            {"T_max": 10, "eta_min": 0.0},
            {0: 1.0, 5: 0.5, 10: 0.0, 15: 0.5, 20: 1.0},
        ),
        Row(
            (1.1,),
            {"T_max": 4, "eta_min": 0.1},
            {0: 1.1, 1: 0.1 + (1 + R) / 2, 2: 0.6, 3: 0.1 + (1 - R) / 2, 4: 0.1},
        ),
        Row((2.0,), {"T_max": 3, "eta_min": 0.0}, {1: 1.5, 2: 0.5, 3: 0.0}),
    ],
    # cosine over cycles of T_0 * T_mult**i epochs, restarting at base_lr
    "cosine_annealing_warm_restarts_lr": [
        Row(
            (1.0,),
            {"T_0": 4, "T_mult": 1, "eta_min": 0.0},
            {0: 1.0, 2: 0.5, 3: (1 - R) / 2, 4: 1.0, 5: (1 + R) / 2, 6: 0.5, 8: 1.0},
        ),
        # cycles of 4, 8, 16 epochs start at 0, 4, 12, 28
        Row(
            (1.0,),
            {"T_0": 4, "T_mult": 2, "eta_min": 0.0},
            {0: 1.0, 2: 0.5, 4: 1.0, 8: 0.5, 11: (1 - COS_PI_8) / 2, 12: 1.0, 20: 0.5, 28: 1.0},
        ),
        # cycles of 1, 3, 9, 27 epochs start at 0, 1, 4, 13, 40
        Row(
            (1.5,),
            {"T_0": 1, "T_mult": 3, "eta_min": 0.5},
            {0: 1.5, 1: 1.5, 2.5: 1.0, 4: 1.5, 8.5: 1.0, 13: 1.5, 40: 1.5},
        ),
    ],
    # base_lr + (max_lr - base_lr) * rise-or-fall fraction * scale
    "cyclic_lr": [
        Row((), cyclic(), {0: 1.0, 1: 2.0, 2: 3.0, 3: 2.0, 4: 1.0, 5: 2.0, 6: 3.0}),
        # the amplitude halves every cycle
        Row((), cyclic(mode="triangular2"), {2: 3.0, 4: 1.0, 6: 2.0, 10: 1.5}),
        # the amplitude is gamma ** epoch
        Row(
            (),
            cyclic(mode="exp_range", gamma=0.5, scale_mode="iterations"),
            {0: 1.0, 1: 1.5, 2: 1.5, 3: 1.125},
        ),
        # up in 1 step, down in 3
        Row((), cyclic(step_size_up=1, step_size_down=3), {0: 1.0, 1: 3.0, 2: 7 / 3, 3: 5 / 3}),
        # a custom scale of the cycle number
        Row((), cyclic(scale_fn=lambda c: 1 / c), {2: 3.0, 6: 2.0, 10: 5 / 3}),
        # momentum runs the other way, from max (0.9) down to base (0.8) at the lr's peak
        Row(
            (),
            cyclic(base_lr=0.8, max_lr=0.9, momentum=True),
            {0: 0.9, 1: 0.85, 2: 0.8, 3: 0.85, 4: 0.9},
        ),
    ],
    # anneal(strategy, start, end, pct): cos: end + (start - end) / 2 * (1 + cos(pi * pct))
    "anneal": [
        Row(
            ("cos", 1.0, 0.0),
            {},
            {0: 1.0, 0.25: (1 + R) / 2, 0.5: 0.5, 1: 0.0},
        ),
        Row(("linear", 4.0, 2.0), {}, {0: 4.0, 0.25: 3.5, 0.5: 3.0, 1: 2.0}),
    ],
    # phase i anneals values[i] -> values[i + 1] up to ends[i]; past the end, the last phase
    "one_cycle_lr": [
        Row(
            (),
            {"values": (0.1, 1.0, 0.001), "ends": (3.0, 9.0), "anneal_strategy": "linear"},
            {0: 0.1, 1.5: 0.55, 3: 1.0, 6: 0.5005, 9: 0.001, 12: -0.4985},
        ),
        Row(
            (),
            {"values": (0.1, 1.0, 0.001), "ends": (3.0, 9.0), "anneal_strategy": "cos"},
            {0: 0.1, 1.5: 0.55, 3: 1.0, 4.5: 0.001 + 0.999 * (1 + R) / 2, 6: 0.5005, 9: 0.001},
        ),
        Row(
            (),
            {
                "values": (1.0, 10.0, 1.0, 0.01),
                "ends": (4.0, 8.0, 12.0),
                "anneal_strategy": "linear",
            },
            {0: 1.0, 2: 5.5, 4: 10.0, 6: 5.5, 8: 1.0, 10: 0.505, 12: 0.01},
        ),
    ],
    # swa_lr * a + base_lr * (1 - a), a = f(min(epoch / anneal_epochs, 1))
    "swa_lr": [
        Row(
            (1.0,),
            {"swa_lr": 0.2, "anneal_epochs": 4, "anneal_strategy": "linear"},
            {0: 1.0, 1: 0.8, 2: 0.6, 4: 0.2, 10: 0.2},
        ),
        Row(
            (1.0,),
            {"swa_lr": 0.2, "anneal_epochs": 4, "anneal_strategy": "cos"},
            {0: 1.0, 1: 1 - 0.8 * (1 - R) / 2, 2: 0.6, 4: 0.2, 7: 0.2},
        ),
        Row(
            (1.0,),
            {"swa_lr": 0.2, "anneal_epochs": 0, "anneal_strategy": "cos"},
            {0: 0.2, 5: 0.2},
        ),
    ],
    # 1 / (1 + rate * t / decay_steps), the ratio floored with staircase
    "inverse_time": [
        Row(
            (),
            {"decay_steps": 10, "rate": 0.5, "staircase": False},
            {0: 1.0, 2.5: 8 / 9, 10: 2 / 3, 20: 0.5},
        ),
        Row((), {"decay_steps": 10, "rate": 0.5, "staircase": True}, {9: 1.0, 10: 2 / 3, 25: 0.5}),
    ],
    # sqrt(timescale / (t + timescale))
    "inverse_sqrt": [Row((), {"timescale": 100}, {0: 1.0, 100: R, 300: 0.5, 2400: 0.2})],
    # end + (1 - end) * (1 - tanh(lower + (upper - lower) * min(t, T) / T)) / 2
    "tanh_decay": [
        Row(
            (),
            {"total_steps": 10, "lower": -1.0, "upper": 1.0, "end_factor": 0.2},
            {0: 0.2 + 0.4 * (1 + math.tanh(1.0)), 5: 0.6, 10: 0.2 + 0.4 * (1 - math.tanh(1.0))},
        ),
    ],
    # factors[number of boundaries <= t]: it changes at the boundary
    "piecewise_constant": [
        Row(
            (),
            {"boundaries": (3, 5), "factors": (1.0, 0.5, 0.25)},
            {0: 1.0, 2.5: 1.0, 3: 0.5, 5: 0.25, 100: 0.25},
        ),
        Row((), {"boundaries": (), "factors": (0.3,)}, {0: 0.3, 7: 0.3}),
    ],
    # through the knots, the ends held: linear, or cosine (a + (b - a) * (1 - cos(pi p)) / 2)
    "interpolate": [
        Row(
            (),
            {"steps": (0.0, 10.0, 20.0), "factors": (0.0, 1.0, 0.1), "kind": "linear"},
            {0: 0.0, 5: 0.5, 10: 1.0, 15: 0.55, 20: 0.1, 30: 0.1},
        ),
        Row(
            (),
            {"steps": (2.0, 6.0), "factors": (1.0, 0.0), "kind": "cosine"},
            {0: 1.0, 3: (1 + R) / 2, 4: 0.5, 6: 0.0, 9: 0.0},
        ),
    ],
    # SWALR's blend weight: (1 - cos(pi * t)) / 2, or t itself
    "swa_alpha": [
        Row(("cos",), {}, {0.0: 0.0, 0.25: (1 - R) / 2, 0.5: 0.5, 1.0: 1.0}),
        Row(("linear",), {}, {0.0: 0.0, 0.25: 0.25, 1.0: 1.0}),
    ],
    # start * (1 - w) + target * w at progress p in [0, 1] (clamped); w = p, (1 - cos(pi p)) / 2,
    # 1 - sqrt(1 - p); exponential: start * (target / start) ** p
    "warmup_ramp": [
        Row(
            (),
            {"start": 0.5, "target": 1.5},
            {0.0: 0.5, 0.25: 0.75, 0.5: 1.0, 1.0: 1.5, 2.0: 1.5},
        ),
        Row(
            (),
            {"start": 0.0, "target": 2.0, "kind": "cosine"},
            {0.0: 0.0, 0.25: 1 - R, 0.5: 1.0, 1.0: 2.0},
        ),
        Row(
            (),
            {"start": 0.25, "target": 4.0, "kind": "exponential"},
            {0.0: 0.25, 0.25: 0.5, 0.5: 1.0, 1.0: 4.0},
        ),
        Row(
            (),
            {"start": 0.0, "target": 1.0, "kind": "1-sqrt"},
            {0.0: 0.0, 0.75: 0.5, 0.84: 0.6, 1.0: 1.0},
        ),
    ],
    # base_lr * lr_lambda(epoch)
    "lambda_lr": [
        Row((2.0,), {"lr_lambda": lambda e: 1 / (e + 1)}, {0: 2.0, 1: 1.0, 3: 0.5}),
        Row((2.0,), {"lr_lambda": lambda e: e * e}, {0: 0.0, 2: 8.0, 3: 18.0}),
    ],
    # the catalogue's decay shapes (factors of base_lr); p = min(t, T) / T holds past T
    # factor, everywhere
    "constant_factor": [
        Row((), {"factor": 0.5}, {0: 0.5, 3.5: 0.5, 1e6: 0.5}),
        Row((), {}, {0: 1.0, 10: 1.0}),
    ],
    # end + (start - end) * (1 - p)
    "linear_decay": [
        Row((), {"total_steps": 4}, {0: 1.0, 1: 0.75, 2: 0.5, 3: 0.25, 4: 0.0, 10: 0.0}),
        Row(
            (),
            {"total_steps": 10, "start_factor": 0.0, "end_factor": 1.0},
            {0: 0.0, 2.5: 0.25, 5: 0.5, 10: 1.0, 20: 1.0},
        ),
        Row((), {"total_steps": 2, "end_factor": 0.5}, {1: 0.75, 2: 0.5, 3: 0.5}),
    ],
    # end + (1 - end) * c ** exponent, c = (1 + cos(pi * p ** k)) / 2; cos(pi / 4) = R
    "cosine_decay": [
        Row((), {"total_steps": 100}, {0: 1.0, 50: 0.5, 100: 0.0, 200: 0.0}),
        Row(
            (),
            {"total_steps": 100, "end_factor": 0.2},
            {25: 0.2 + 0.8 * (1 + R) / 2, 50: 0.6, 100: 0.2, 1000: 0.2},
        ),
        Row((), {"total_steps": 100, "exponent": 2.0}, {25: ((1 + R) / 2) ** 2, 50: 0.25}),
        # k = 2: at t = 50, p ** k = 1/4
        Row((), {"total_steps": 100, "k": 2.0}, {50: (1 + R) / 2, 100: 0.0}),
    ],
    # end + (1 - end) * (1 - p ** k) ** power
    "polynomial_decay": [
        Row((), {"total_steps": 100, "power": 2.0}, {0: 1.0, 50: 0.25, 100: 0.0, 150: 0.0}),
        Row(
            (),
            {"total_steps": 100, "power": 0.5, "end_factor": 0.1},
            {75: 0.55, 100: 0.1, 200: 0.1},
        ),
        Row((), {"total_steps": 10, "k": 2.0}, {5: 0.75, 10: 0.0}),
    ],
    # end + (1 - end) * (1 - sqrt(p))
    "one_minus_sqrt_decay": [
        Row((), {"total_steps": 100}, {0: 1.0, 25: 0.5, 100: 0.0, 1000: 0.0}),
        Row((), {"total_steps": 16, "end_factor": 0.2}, {4: 0.6, 9: 0.4, 16: 0.2}),
    ],
    # rate ** (t / transition_steps) (floored exponent with staircase), clipped at end_factor
    "exponential_decay": [
        Row((), {"rate": 0.5}, {0: 1.0, 0.5: R, 1: 0.5, 3: 0.125}),
        Row(
            (),
            {"rate": 0.5, "transition_steps": 2, "staircase": True},
            {0: 1.0, 1: 1.0, 2: 0.5, 3: 0.5, 4: 0.25},
        ),
        Row((), {"rate": 0.5, "end_factor": 0.2}, {1: 0.5, 2: 0.25, 3: 0.2, 100: 0.2}),
        Row((), {"rate": 2.0, "end_factor": 5.0}, {0: 1.0, 2: 4.0, 3: 5.0, 10**12: 5.0}),
    ],
}

#: Functions whose varying input is their last positional argument, not their first.
PCT_LAST = {"anneal"}


def call(name: str, row: Row, x: Any) -> Any:
    fn: Callable[..., Any] = getattr(functional, name)
    if name in PCT_LAST:
        return fn(*row.args, x, **row.kwargs)
    return fn(x, *row.args, **row.kwargs)


def close(expected: Any) -> Any:
    return pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_every_public_function_has_known_values() -> None:
    assert set(KNOWN) == set(functional.__all__)
    assert all(KNOWN.values()), "a function without rows"


SCALAR_CASES = [
    pytest.param(name, row, epoch, want, id=f"{name}-{i}-{epoch}")
    for name, rows in KNOWN.items()
    for i, row in enumerate(rows)
    for epoch, want in row.values.items()
]


@pytest.mark.parametrize(("name", "row", "epoch", "expected"), SCALAR_CASES)
def test_known_value_on_a_number(name: str, row: Row, epoch: float, expected: float) -> None:
    got = call(name, row, epoch)
    assert type(got) is float
    assert got == close(expected)


def _array_case(name: str, i: int, row: Row) -> Any:
    marks = [pytest.mark.xfail(raises=TypeError, reason=row.array_xfail)] if row.array_xfail else []
    return pytest.param(name, row, id=f"{name}-{i}", marks=marks)


ARRAY_CASES = [
    _array_case(name, i, row) for name, rows in KNOWN.items() for i, row in enumerate(rows)
]


@pytest.mark.parametrize(("name", "row"), ARRAY_CASES)
def test_known_values_on_a_numpy_array(name: str, row: Row) -> None:
    epochs = list(row.values)
    as_ints = all(float(e).is_integer() for e in epochs)
    x = np.array([int(e) for e in epochs] if as_ints else epochs)
    expected = np.array(list(row.values.values()))
    for shape in [(len(epochs),), (1, len(epochs))]:
        got = call(name, row, x.reshape(shape))
        assert isinstance(got, np.ndarray)
        assert got.dtype == np.float64
        assert got.shape == shape
        assert got.ravel().tolist() == close(expected.tolist())
