"""PiecewiseConstant and Interpolate against optax, running live on CPU, over generated configs.

optax's piecewise schedules take ``init_value`` and ``{boundary: scale}`` and *multiply the
scales up*; a catalogue spec takes the factors themselves. The conversion under test (the one
the docstrings document), with ``b`` the sorted boundaries and ``s`` their scales:

* ``piecewise_constant_schedule(init, {b: s})`` --
  ``PiecewiseConstant(boundaries=b, factors=(1, s1, s1*s2, ...))``, ``base_lr = init``;
* ``piecewise_interpolate_schedule(kind, init, {b: s})`` --
  ``Interpolate(steps=(0, b1, b2, ...), factors=(1, s1, s1*s2, ...), kind=kind)``, a key of
  0 replacing the first knot.

Tolerance: piecewise constant values are products of the scales, so float32 holds rel 1e-6
(scales are 0 or >= 1e-3, at most 5 of them, so nothing goes subnormal). Interpolation
subtracts neighbouring levels, and float32 cancellation exceeds 1e-6 there, so it runs under
``jax.enable_x64`` at rel 1e-9 (with an absolute floor of 1e-14 of the largest level, for
values that interpolate down to 0). Steps are integers and half-integers (fractional steps),
around every boundary and past the last. InverseTime, InverseSqrt and Tanh have no optax
counterpart.

optax and jax come from the ``peers`` dependency group. Locally, without them, this module is
skipped with the reason shown; under ``CI=true`` a missing package fails instead.
"""

from __future__ import annotations

from itertools import accumulate
from operator import mul
from typing import Any

import numpy as np
import pytest
from _peers import jax, jnp, optax
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec.testing import base_lrs

#: Scales optax accepts (>= 0), kept clear of float32's subnormals.
SCALES = st.one_of(
    st.sampled_from([0.0, 1e-3, 0.1, 0.5, 1.0, 2.0]),
    st.floats(1e-3, 3.0, allow_nan=False, allow_infinity=False),
)


@st.composite
def boundaries_and_scales(draw: st.DrawFn) -> dict[int, float]:
    """optax's ``{boundary: scale}``: up to 5 boundaries in [0, 300], 0 and neighbours often."""
    keys = draw(st.sets(st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, 300)), max_size=5))
    return {key: draw(SCALES) for key in sorted(keys)}


def _levels(scales: list[float]) -> tuple[float, ...]:
    """``(1, s1, s1*s2, ...)``: optax's accumulated scales, as factors of ``init_value``."""
    return tuple(accumulate(scales, mul, initial=1.0))


def _times(table: dict[int, float]) -> np.ndarray:
    """Every step to the last boundary + 3, the half steps, and each boundary - 0.5."""
    last = max(table, default=0) + 3
    whole = np.arange(last + 1, dtype=np.float64)
    return np.concatenate([whole, whole + 0.5, [max(b - 0.5, 0.0) for b in table]])


def _optax(schedule: Any, t: np.ndarray) -> np.ndarray:
    values = jax.jit(jax.vmap(schedule))(jnp.asarray(t))
    return np.asarray(values, dtype=np.float64)


@given(table=boundaries_and_scales(), init=base_lrs())
def test_piecewise_constant_schedule(table: dict[int, float], init: float) -> None:
    spec = lrspec.PiecewiseConstant(boundaries=list(table), factors=_levels(list(table.values())))
    t = _times(table)
    theirs = _optax(optax.piecewise_constant_schedule(init, table), t)
    ours = spec.lr(t, init)
    np.testing.assert_allclose(theirs, ours, rtol=1e-6, atol=0)
    # at a boundary the value has already changed, in both
    for i, b in enumerate(table):
        assert spec.lr(b, 1.0) == spec.factors[i + 1]


def interpolate_spec(kind: str, table: dict[int, float]) -> lrspec.Interpolate:
    """The conversion from optax's arguments (see the module docstring)."""
    levels = _levels(list(table.values()))
    steps = [0, *table]
    if table and min(table) == 0:  # optax's empty [0, 0) interval: the key's level wins
        steps, levels = steps[1:], levels[1:]
    return lrspec.Interpolate(steps=steps, factors=levels, kind=kind)


@given(
    table=boundaries_and_scales(),
    init=base_lrs(),
    kind=st.sampled_from(["linear", "cosine"]),
)
def test_piecewise_interpolate_schedule(table: dict[int, float], init: float, kind: str) -> None:
    spec = interpolate_spec(kind, table)
    t = _times(table)
    with jax.enable_x64(True):
        theirs = _optax(optax.piecewise_interpolate_schedule(kind, init, table), t)
    ours = spec.lr(t, init)
    floor = 1e-14 * init * max(spec.factors)
    np.testing.assert_allclose(theirs, ours, rtol=1e-9, atol=floor)


def test_the_docstring_example_of_optax() -> None:
    # optax's own example: init 1.0, {4: 0.1, 8: 0.01}, linear; values by hand from the knots
    # (0, 1), (4, 0.1), (8, 0.001)
    spec = interpolate_spec("linear", {4: 0.1, 8: 0.01})
    assert spec == lrspec.Interpolate(steps=[0, 4, 8], factors=[1.0, 0.1, 0.1 * 0.01])
    want = [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]
    assert spec.lr(np.arange(0, 11, 2), 1.0).tolist() == pytest.approx(want, rel=1e-12)
    with jax.enable_x64(True):
        sched = optax.piecewise_interpolate_schedule("linear", 1.0, {4: 0.1, 8: 0.01})
        theirs = [float(sched(k)) for k in range(0, 11, 2)]
    assert theirs == pytest.approx(want, rel=1e-12)
