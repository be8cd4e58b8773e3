"""Hypothesis strategies for the catalogue's decay shapes, biased towards their edges.

``total_steps = 1`` (the whole decay in one step), end factors 0 and 1 (no decay) and just
below 1, exponents and powers that are fractional, tiny or large, ``k`` far from 1, rates at
and around 1 (a growth needs its ceiling), staircases of one step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

from lrspec import Constant, Cosine, Exponential, Linear, OneMinusSqrt, Polynomial

T = TypeVar("T")


def _edges_or(edges: Sequence[T], general: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """Explicit edge values half of the time, the general range otherwise."""
    return st.one_of(st.sampled_from(edges), general)


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _total_steps() -> st.SearchStrategy[int]:
    """1, short decays (steps run past the end) and long ones."""
    return st.one_of(st.just(1), st.integers(1, 10), st.integers(1, 250), st.integers(1, 10**6))


def _end_factor() -> st.SearchStrategy[float]:
    """Mostly a floor in [0, 1] (0, 1e-6, 0.1, just below 1, exactly 1)."""
    return _edges_or([0.0, 1e-6, 0.01, 0.1, 0.5, 0.999999, 1.0], _floats(0.0, 1.0))


def _level() -> st.SearchStrategy[float]:
    """A factor >= 0 for either end of a line: 0, 1, tiny, or above 1."""
    return _edges_or([0.0, 1e-6, 0.1, 1 / 3, 1.0, 2.0], _floats(0.0, 10.0))


def _shape_power() -> st.SearchStrategy[float]:
    """A power or exponent > 0: 1, fractional (0.5, 1/3), tiny, large."""
    return _edges_or([1.0, 0.5, 1 / 3, 2.0, 3.0, 1e-3, 10.0], _floats(1e-3, 10.0))


def constant() -> st.SearchStrategy[Constant]:
    """Constant at 1 (the peak), 0, tiny, or above the peak."""
    return st.builds(Constant, factor=_level())


def linear() -> st.SearchStrategy[Linear]:
    """Linear decays, warm-ups (``start < end``) and flat lines (``start == end``)."""
    return st.builds(Linear, total_steps=_total_steps(), start_factor=_level(), end_factor=_level())


def cosine() -> st.SearchStrategy[Cosine]:
    """Cosine with floors 0..1, fractional and large exponents, and ``k`` far from 1."""
    return st.builds(
        Cosine,
        total_steps=_total_steps(),
        end_factor=_end_factor(),
        exponent=_shape_power(),
        k=_shape_power(),
    )


def polynomial() -> st.SearchStrategy[Polynomial]:
    """Polynomial with fractional powers (optax's NaN case), floors and ``k`` far from 1."""
    return st.builds(
        Polynomial,
        total_steps=_total_steps(),
        end_factor=_end_factor(),
        power=_shape_power(),
        k=_shape_power(),
    )


def one_minus_sqrt() -> st.SearchStrategy[OneMinusSqrt]:
    """OneMinusSqrt with floors from 0 to 1."""
    return st.builds(OneMinusSqrt, total_steps=_total_steps(), end_factor=_end_factor())


@st.composite
def _exponential(draw: st.DrawFn) -> Exponential:
    rate = draw(_edges_or([1e-6, 0.1, 0.5, 0.9, 0.99, 0.999999, 1.0, 1.01, 2.0], _floats(1e-6, 3)))
    steps = draw(st.one_of(st.just(1), st.integers(1, 20), st.integers(1, 10**4)))
    staircase = draw(st.booleans())
    if rate > 1:
        end: float | None = draw(_edges_or([1.0, 1.5, 10.0, 1e3], _floats(1.0, 1e3)))
    elif rate == 1:
        end = draw(st.one_of(st.none(), _floats(1.0, 10.0)))
    else:
        end = draw(st.one_of(st.none(), _end_factor()))
    return Exponential(rate=rate, transition_steps=steps, staircase=staircase, end_factor=end)


def exponential() -> st.SearchStrategy[Exponential]:
    """Exponential decays (floors optional) and growths (ceilings required), smooth or stairs."""
    return _exponential()


#: One strategy factory per decay shape, by class name.
SHAPE_STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "Constant": constant,
    "Linear": linear,
    "Cosine": cosine,
    "Polynomial": polynomial,
    "OneMinusSqrt": one_minus_sqrt,
    "Exponential": exponential,
}

__all__ = [
    "SHAPE_STRATEGIES",
    "constant",
    "cosine",
    "exponential",
    "linear",
    "one_minus_sqrt",
    "polynomial",
]
