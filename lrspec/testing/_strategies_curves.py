"""Hypothesis strategies for the catalogue's curves and piecewise shapes.

Valid configs biased towards the edges: ``decay_steps``/``total_steps``/``timescale`` of 1,
rate 0, staircases, saturated and barely-moving tanh ranges, a boundary at 0, empty boundary
lists, a single knot, knots at negative and fractional positions or 1e-6 apart, zero and
repeated factors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from lrspec import Interpolate, InverseSqrt, InverseTime, PiecewiseConstant, Tanh


def _edges_or(edges: list[Any], general: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(edges), general)


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _counts(high: int = 500) -> st.SearchStrategy[int]:
    return _edges_or([1, 2, 3, 10, 100], st.integers(1, high))


def _factor() -> st.SearchStrategy[float]:
    """A factor in [0, 2]: 0, 1, tiny and above-peak ones included."""
    return _edges_or([0.0, 1e-6, 0.1, 0.5, 1.0, 2.0], _floats(0.0, 2.0))


def inverse_time_decay() -> st.SearchStrategy[InverseTime]:
    """:class:`lrspec.InverseTime` configs (``rate`` in [0, 100], a staircase half the time)."""
    return st.builds(
        InverseTime,
        decay_steps=_counts(),
        rate=_edges_or([0.0, 1e-6, 0.5, 1.0, 100.0], _floats(0.0, 100.0)),
        staircase=st.booleans(),
    )


def inverse_sqrt_decay() -> st.SearchStrategy[InverseSqrt]:
    """:class:`lrspec.InverseSqrt` configs (``timescale`` from 1 to 10 000)."""
    return st.builds(InverseSqrt, timescale=_edges_or([1, 2, 10, 10_000], st.integers(1, 10_000)))


@st.composite
def _tanh(draw: st.DrawFn) -> Tanh:
    lower = draw(_edges_or([-7.0, -20.0, -1.0, 0.0], _floats(-20.0, 20.0)))
    gap = draw(_edges_or([1e-6, 1.0, 10.0, 40.0], _floats(1e-6, 40.0)))
    return Tanh(
        total_steps=draw(_counts()),
        lower=lower,
        upper=lower + gap if lower + gap > lower else lower + 1.0,
        end_factor=draw(_edges_or([0.0, 1e-6, 0.1, 1.0], _floats(0.0, 1.0))),
    )


def tanh_decay() -> st.SearchStrategy[Tanh]:
    """:class:`lrspec.Tanh` configs: timm's defaults, saturated and nearly flat ranges."""
    return _tanh()


@st.composite
def _piecewise_constant(draw: st.DrawFn) -> PiecewiseConstant:
    points = draw(st.sets(_edges_or([0, 1, 2], st.integers(0, 300)), max_size=6))
    boundaries = sorted(points)
    factors = draw(st.lists(_factor(), min_size=len(boundaries) + 1, max_size=len(boundaries) + 1))
    return PiecewiseConstant(boundaries=boundaries, factors=factors)


def piecewise_constant() -> st.SearchStrategy[PiecewiseConstant]:
    """:class:`lrspec.PiecewiseConstant` configs: up to 6 boundaries (0 and none included)."""
    return _piecewise_constant()


@st.composite
def _interpolate(draw: st.DrawFn) -> Interpolate:
    start = draw(_edges_or([0.0, -1.0, 0.5, 10.0], _floats(-50.0, 300.0)))
    gaps = draw(st.lists(_edges_or([1e-6, 0.5, 1.0, 7.0], _floats(1e-6, 100.0)), max_size=5))
    steps = [start]
    for gap in gaps:
        if steps[-1] + gap > steps[-1]:
            steps.append(steps[-1] + gap)
    factors = draw(st.lists(_factor(), min_size=len(steps), max_size=len(steps)))
    kind = draw(st.sampled_from(["linear", "cosine"]))
    return Interpolate(steps=steps, factors=factors, kind=kind)


def interpolate() -> st.SearchStrategy[Interpolate]:
    """:class:`lrspec.Interpolate` configs: 1 to 6 knots, negative, fractional and close ones."""
    return _interpolate()


#: The strategy of each curve and piecewise spec, by class name.
CURVE_STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "InverseTime": inverse_time_decay,
    "InverseSqrt": inverse_sqrt_decay,
    "Tanh": tanh_decay,
    "PiecewiseConstant": piecewise_constant,
    "Interpolate": interpolate,
}

__all__ = [
    "CURVE_STRATEGIES",
    "interpolate",
    "inverse_sqrt_decay",
    "inverse_time_decay",
    "piecewise_constant",
    "tanh_decay",
]
