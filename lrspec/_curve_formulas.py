"""Closed forms of the catalogue's curves and piecewise shapes, as factors of ``base_lr``.

Each function takes ``t`` (a Python number, a numpy array or a torch tensor; optimizer steps,
possibly fractional) and returns the factor ``f(t)`` of the same kind; the spec classes in
``lrspec._curves`` and ``lrspec._piecewise`` multiply it by ``base_lr``. Plain numbers take a
fast path written with :mod:`math` and :mod:`bisect`, in the same operation order as the
array path. Re-exported by :mod:`lrspec.functional`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Any

from lrspec import _xp

_PI = math.pi
_PLAIN = (int, float)
_tanh = math.tanh
_sqrt = math.sqrt
_cos = math.cos


_ns = _xp.with_floats


def inverse_time(t: Any, *, decay_steps: int, rate: float, staircase: bool) -> Any:
    """``1 / (1 + rate * t / decay_steps)``; with ``staircase``, ``floor(t / decay_steps)``.

    >>> inverse_time(20, decay_steps=10, rate=0.5, staircase=False)
    0.5
    """
    if type(t) in _PLAIN:
        return 1.0 / (1.0 + rate * (t // decay_steps if staircase else t / decay_steps))
    _, e = _ns(t)
    return 1.0 / (1.0 + rate * (e // decay_steps if staircase else e / decay_steps))


def inverse_sqrt(t: Any, *, timescale: int) -> Any:
    """``sqrt(timescale / (t + timescale))``: 1 at ``t = 0``, 1/2 at ``t = 3 * timescale``.

    >>> inverse_sqrt(30, timescale=10)
    0.5
    """
    if type(t) in _PLAIN:
        return _sqrt(timescale / (t + timescale))
    _, e = _ns(t)
    return (timescale / (e + timescale)) ** 0.5


def tanh_decay(t: Any, *, total_steps: int, lower: float, upper: float, end_factor: float) -> Any:
    """``end + (1 - end) * (1 - tanh(lower + (upper - lower) * min(t, T) / T)) / 2``.

    ``T`` is ``total_steps`` and ``end`` is ``end_factor``; the value holds past ``T``.

    >>> tanh_decay(5, total_steps=10, lower=-1.0, upper=1.0, end_factor=0.0)
    0.5
    """
    span = upper - lower
    if type(t) in _PLAIN:
        z = lower + span * min(t, total_steps) / total_steps
        return end_factor + (1.0 - end_factor) * (1.0 - _tanh(z)) / 2
    xp, e = _ns(t)
    z = lower + span * xp.minimum(e, total_steps) / total_steps
    return end_factor + (1.0 - end_factor) * (1.0 - xp.tanh(z)) / 2


def piecewise_constant(t: Any, *, boundaries: tuple[int, ...], factors: tuple[float, ...]) -> Any:
    """``factors[i]`` where ``i`` is the number of boundaries ``<= t``.

    The value changes *at* a boundary: ``factors[1]`` from ``t = boundaries[0]`` on.

    >>> piecewise_constant(10, boundaries=(10, 20), factors=(1.0, 0.1, 0.01))
    0.1
    """
    if type(t) in _PLAIN:
        return factors[bisect_right(boundaries, t)]
    xp, e = _ns(t)
    # A chain of selections (not sums of jumps), so every value is one of ``factors``
    # exactly; a float64 result is cast back to a float tensor's own dtype.
    out = xp.where(e < 0, factors[0], factors[0])
    for boundary, factor in zip(boundaries, factors[1:], strict=True):
        out = xp.where(e >= boundary, factor, out)
    return xp.cast(out, e)


def interpolate(t: Any, *, steps: tuple[float, ...], factors: tuple[float, ...], kind: str) -> Any:
    """Interpolate between knots ``(steps[i], factors[i])``, holding the ends outside them.

    Between knots ``a <= t < b`` with ``p = (t - a) / (b - a)`` and factors ``fa``, ``fb``:
    ``fa + (fb - fa) * p`` (``kind="linear"``) or ``fa + (fb - fa) * (1 - cos(pi p)) / 2``
    (``kind="cosine"``). ``factors[0]`` before ``steps[0]``, ``factors[-1]`` from
    ``steps[-1]`` on; every knot value is hit exactly.

    >>> interpolate(5, steps=(0.0, 10.0), factors=(1.0, 0.0), kind="linear")
    0.5
    """
    cosine = kind == "cosine"
    if type(t) in _PLAIN:
        i = bisect_right(steps, t)
        if i == 0:
            return factors[0]
        if i == len(steps):
            return factors[-1]
        a, b, fa, fb = steps[i - 1], steps[i], factors[i - 1], factors[i]
        p = (t - a) / (b - a)
        return fa + (fb - fa) * ((1.0 - _cos(_PI * p)) / 2 if cosine else p)
    xp, e = _ns(t)
    out = xp.where(e < steps[-1], factors[0], factors[-1])
    for a, b, fa, fb in zip(steps, steps[1:], factors, factors[1:], strict=False):
        # clamp t into [a, b] first: outside it the ratio could overflow on a short span
        p = (-xp.minimum(-xp.minimum(e, b), -a) - a) / (b - a)
        shape = (1.0 - xp.cos(_PI * p)) / 2 if cosine else p
        out = xp.where((e >= a) & (e < b), fa + (fb - fa) * shape, out)
    return xp.cast(out, e)


__all__ = ["interpolate", "inverse_sqrt", "inverse_time", "piecewise_constant", "tanh_decay"]
