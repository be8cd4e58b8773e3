"""Numerical extremes for every public spec: huge steps, tiny and huge base lrs, underflow.

* ``lr`` at steps up to 1e12 (and 2**53 - 1) with base lrs from 1e-300 to 1e200 is finite
  and not negative (beyond one rounding error, as torch's own closed forms) for every spec
  that does not grow without bound (a ``gamma`` above 1 overflows to inf, by design, and a
  product of such an overflow with an underflow is NaN);
* a decay that underflows reaches exactly 0.0 -- on numbers, arrays and the trace alike
  (no NaN, no negative zero games), as torch's float arithmetic does.

(``trace`` cannot run to 1e12 steps; its values at the steps it reaches are the twins' and
are pinned to torch elsewhere.) Metric-driven specs have no ``lr``: their extremes (NaN and
inf metrics) are checked against torch live in ``tests/torch``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt

STRATEGIES = {
    **lt.TWIN_STRATEGIES,
    **lt.SHAPE_STRATEGIES,
    **lt.CURVE_STRATEGIES,
    **lt.COMBINATOR_STRATEGIES,
}
CLOSED = sorted(name for name in STRATEGIES if name != "ReduceLROnPlateau")
STEPS = [0, 1, 10**6, 10**9, 10**12, 2**53 - 1]
#: torch's closed forms can land one rounding error below 0 where they reach 0
#: (LinearLR: ``start + (0 - start) * T / T``); nothing lower than that.
ROUNDING = 1e-15
BASES = [1e-300, 1e-8, 1.0, 1e200]


def test_every_public_spec_has_a_strategy_here() -> None:
    public = {
        name
        for name in lrspec.__all__
        if isinstance(getattr(lrspec, name), type)
        and issubclass(getattr(lrspec, name), lrspec.Schedule)
        and name not in ("Schedule", "MomentumSchedule")
    }
    assert public <= set(STRATEGIES), public - set(STRATEGIES)


def leaves(spec: lrspec.Schedule) -> list[lrspec.Schedule]:
    if not spec.children:
        return [spec]
    return [leaf for child in spec.children for leaf in leaves(child)]


def grows(spec: lrspec.Schedule) -> bool:
    """A leaf that multiplies the lr by more than 1 without a ceiling."""
    return any(getattr(leaf, "gamma", 1.0) > 1 for leaf in leaves(spec))


def last_step(spec: lrspec.Schedule) -> float:
    """OneCycleLR (also inside a composite) runs ``total`` steps; at step ``total`` torch
    extrapolates its last phase (to a negative lr when it is one step long: the twin's
    documented quirk), so the steps checked stop before it."""
    ends = [getattr(leaf, "total", None) for leaf in leaves(spec)]
    ends = [e for e in ends if isinstance(e, int)]
    return min(ends) - 1 if ends else math.inf


@pytest.mark.parametrize("name", CLOSED)
@given(data=st.data())
def test_lr_at_huge_steps_and_extreme_bases(name: str, data: Any) -> None:
    spec = data.draw(STRATEGIES[name](), label="spec")
    if not spec.closed_form:
        return  # MultiplicativeLR and composites that replay: lr(1e12) would replay 1e12 steps
    end = last_step(spec)
    steps = [t for t in STEPS if t <= end]
    if grows(spec):
        return  # past a float's range: inf, and 0 * inf = NaN in a product (documented)
    for base in BASES:
        for t in steps:
            value = spec.lr(t, base)
            assert math.isfinite(value), (spec, t, base, value)
            assert value >= -ROUNDING * base, (spec, t, base, value)
        values = spec.lr(np.array(steps, dtype=np.float64), base)
        assert np.isfinite(values).all(), (spec, base)


@pytest.mark.parametrize(
    ("spec", "step"),
    [
        (lrspec.ExponentialLR(gamma=0.5), 1100),
        (lrspec.StepLR(step_size=1, gamma=1e-300), 2),
        (lrspec.MultiStepLR(milestones=list(range(1, 400)), gamma=0.1), 399),
        (lrspec.Exponential(rate=0.5), 1100),
        (lrspec.Product(schedules=[lrspec.ExponentialLR(gamma=1e-200)] * 2), 1),
    ],
    ids=repr,
)
def test_a_decay_underflows_to_exactly_zero(spec: lrspec.Schedule, step: int) -> None:
    assert spec.lr(step, 1.0) == 0.0
    assert spec.lr(np.array([float(step)]), 1.0).tolist() == [0.0]
    trace = spec.trace(1.0, step)
    assert trace[-1] == 0.0 and all(v >= 0 for v in trace)
