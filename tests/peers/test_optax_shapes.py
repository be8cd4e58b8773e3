"""The decay shapes against optax's schedules, running live on CPU, over generated configs.

optax returns absolute values; a catalogue spec returns a factor of the peak ``base_lr``. Each
optax schedule is built from the spec with absolute levels ``value = factor * peak`` and its
values are compared as ``factor = value / peak``:

* ``Constant(factor)``            -- ``constant_schedule(factor * peak)``
* ``Linear(T, start, end)``       -- ``linear_schedule(start * peak, end * peak, T)``
* ``Cosine(T, end, exponent)``    -- ``cosine_decay_schedule(peak, T, alpha=end, exponent)``
* ``Polynomial(T, end, power)``   -- ``polynomial_schedule(peak, end * peak, power, T)``
* ``Exponential(rate, n, stairs, end)`` -- ``exponential_decay(peak, n, rate, staircase=stairs,
  end_value=end * peak)``

``k`` (timm's k-decay) has no optax counterpart, so these configs use ``k=1``. Tolerance: rel
1e-6 (with an absolute floor of 1e-6 of the peak, where a value decays towards 0) in float32;
exponential decay and fractional exponents/powers run under ``jax.enable_x64``, because float32
cancellation exceeds 1e-6 there. Jitted optax ``polynomial_schedule`` with a fractional power
returns NaN at and after ``transition_steps`` (it computes ``1 - T * (1 / T)``, which can be
< 0), so at those steps it is evaluated eagerly. XLA turns optax's ``count / n`` into
``count * (1 / n)`` (eagerly too), so a staircase ``exponential_decay`` can switch one step late
at an exact multiple of ``n``; only there is optax's late stair accepted.

optax and jax come from the ``peers`` dependency group. Locally, without them, this module is
skipped with the reason shown; under ``CI=true`` a missing package fails instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import numpy as np
import pytest
from _peers import jax, jnp, optax
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec.testing import SHAPE_STRATEGIES, base_lrs

#: Per optax function: the spec shape it anchors.
PAIRS = {
    "constant_schedule": "Constant",
    "linear_schedule": "Linear",
    "cosine_decay_schedule": "Cosine",
    "polynomial_schedule": "Polynomial",
    "exponential_decay": "Exponential",
}


def _is_fractional(x: float) -> bool:
    return not float(x).is_integer()


def optax_twin(spec: Any, peak: float) -> tuple[Callable[[Any], Any], bool]:
    """The optax schedule equal to ``peak * spec``, and whether it needs float64."""
    if isinstance(spec, lrspec.Constant):
        return optax.constant_schedule(spec.factor * peak), False
    if isinstance(spec, lrspec.Linear):
        schedule = optax.linear_schedule(
            spec.start_factor * peak, spec.end_factor * peak, spec.total_steps
        )
        return schedule, False
    if isinstance(spec, lrspec.Cosine):
        schedule = optax.cosine_decay_schedule(
            peak, spec.total_steps, alpha=spec.end_factor, exponent=spec.exponent
        )
        return schedule, _is_fractional(spec.exponent)
    if isinstance(spec, lrspec.Polynomial):
        schedule = optax.polynomial_schedule(
            peak, spec.end_factor * peak, spec.power, spec.total_steps
        )
        return schedule, _is_fractional(spec.power)
    end = None if spec.end_factor is None else spec.end_factor * peak
    schedule = optax.exponential_decay(
        peak, spec.transition_steps, spec.rate, staircase=spec.staircase, end_value=end
    )
    return schedule, True


@contextlib.contextmanager
def precision(x64: bool) -> Iterator[None]:
    if x64:
        with jax.enable_x64(True):
            yield
    else:
        yield


def _steps(spec: Any, data: Any) -> list[int]:
    """Steps 0.. past the end, the end itself and its neighbours, and generated ones."""
    end = getattr(spec, "total_steps", None) or 10 * getattr(spec, "transition_steps", 1)
    edges = [0, 1, end - 1, end, end + 1, 2 * end]
    more = data.draw(st.lists(st.integers(0, min(3 * end, 2**24)), max_size=20), label="steps")
    return sorted({s for s in edges + more if 0 <= s <= 2**24})


def _k1(spec: Any) -> Any:
    """The spec with timm's ``k`` set to 1, which optax does not have."""
    return attrs.evolve(spec, k=1.0) if hasattr(spec, "k") else spec


@pytest.mark.parametrize("function", sorted(PAIRS))
@given(data=st.data(), peak=base_lrs())
def test_shape_equals_optax(function: str, data: Any, peak: float) -> None:
    spec = data.draw(SHAPE_STRATEGIES[PAIRS[function]]().map(_k1), label="spec")
    steps = _steps(spec, data)
    schedule, x64 = optax_twin(spec, peak)
    with precision(x64):
        counts = jnp.asarray(steps)
        theirs = np.broadcast_to(np.asarray(jax.jit(schedule)(counts)), (len(steps),)).copy()
        if isinstance(spec, lrspec.Polynomial):
            after = np.asarray(steps) >= spec.total_steps
            eager = [float(schedule(jnp.asarray(s))) for s in np.asarray(steps)[after]]
            theirs[after] = eager
        dtype = np.float64 if x64 else np.float32
        assert theirs.dtype == dtype
    ours = spec.lr(np.asarray(steps, dtype=np.float64), peak)
    if isinstance(spec, lrspec.Exponential) and spec.staircase:
        # XLA computes optax's ``count / n`` as ``count * (1 / n)``, which can round just below
        # the integer at a stair (2490 * (1 / 249) < 10): there optax is one stair late. We
        # floor the exact quotient; accept optax's late stair at exact multiples only.
        stairs = np.asarray(steps) % spec.transition_steps == 0
        late = spec.lr(np.maximum(np.asarray(steps, dtype=np.float64) - 1, 0), peak)
        use_late = stairs & ~np.isclose(theirs, ours, rtol=1e-6, atol=0)
        ours = np.where(use_late, late, ours)
    theirs_factor, ours_factor = theirs / peak, ours / peak  # factor = value / peak
    scale = max(1.0, float(np.max(ours_factor)))
    np.testing.assert_allclose(theirs_factor, ours_factor, rtol=1e-6, atol=1e-6 * scale)
