"""The decay shapes of the catalogue as plain functions of the step: each returns a *factor*.

Re-exported by :mod:`lrspec.functional`. ``t`` (optimizer steps, >= 0) may be a Python
number, a numpy array or a torch tensor; the result is of the same kind (a float for a
number). Multiply by the peak lr (``base_lr``) to get a learning rate. Past ``total_steps``
every finite shape holds its last value: the progress ``p = min(t, T) / T`` stops at 1.

Each finite shape is written ``end + (start - end) * g(p)`` with ``g`` falling from 1 to 0, so
it reaches ``end_factor`` exactly at ``total_steps`` and is monotone in ``t`` bit for bit
(every operation is a monotone function of its input under IEEE rounding).
"""

from __future__ import annotations

import math
from typing import Any

from lrspec import _xp

_PI = math.pi
#: The types that take each formula's plain-number fast path (as in :mod:`lrspec.functional`):
#: the fast paths spell out the ``_xp.SCALAR`` operations inline, in the same order.
_PLAIN = (int, float)
_cos = math.cos
_floor = math.floor


_ns = _xp.with_floats


def constant_factor(t: Any, *, factor: float = 1.0) -> Any:
    """``factor`` at every step.

    >>> constant_factor(7, factor=0.5)
    0.5
    """
    if type(t) in _PLAIN:
        return float(factor)
    xp, e = _ns(t)
    # filled, not computed: an array/tensor of the input's shape and float dtype
    return xp.filled(e, factor)


def linear_decay(
    t: Any, *, total_steps: int, start_factor: float = 1.0, end_factor: float = 0.0
) -> Any:
    """``end + (start - end) * (1 - p)`` with ``p = min(t, total_steps) / total_steps``.

    >>> linear_decay(25, total_steps=100)
    0.75
    """
    if type(t) in _PLAIN:
        return end_factor + (start_factor - end_factor) * (1.0 - min(t, total_steps) / total_steps)
    xp, e = _ns(t)
    p = xp.minimum(e, total_steps) / total_steps
    # in place on the temporary p (``1 - p`` is ``-p + 1`` bit for bit)
    return xp.add_(xp.mul_(xp.add_(xp.mul_(p, -1.0), 1.0), start_factor - end_factor), end_factor)


def cosine_decay(
    t: Any,
    *,
    total_steps: int,
    end_factor: float = 0.0,
    exponent: float = 1.0,
    k: float = 1.0,
) -> Any:
    """``end + (1 - end) * c ** exponent`` with ``c = (1 + cos(pi * p ** k)) / 2``.

    ``p = min(t, total_steps) / total_steps``; ``p ** k`` is timm's ``t**k / T**k``.

    >>> cosine_decay(50, total_steps=100)
    0.5
    """
    if type(t) in _PLAIN:
        p = min(t, total_steps) / total_steps
        if k != 1.0:
            p = p**k
        c = (1.0 + _cos(_PI * p)) / 2
        if exponent != 1.0:
            c = c**exponent
        return end_factor + (1.0 - end_factor) * c
    xp, e = _ns(t)
    p = xp.minimum(e, total_steps) / total_steps
    if k != 1.0:
        p = p**k
    # the same operations in place on the temporary p: a large curve then costs one
    # allocation instead of six (numpy's fresh arrays are most of the time otherwise)
    c = xp.div_(xp.add_(xp.cos_(xp.mul_(p, _PI)), 1.0), 2)
    if exponent != 1.0:
        c = c**exponent
    return xp.add_(xp.mul_(c, 1.0 - end_factor), end_factor)


def polynomial_decay(
    t: Any,
    *,
    total_steps: int,
    end_factor: float = 0.0,
    power: float = 1.0,
    k: float = 1.0,
) -> Any:
    """``end + (1 - end) * (1 - p ** k) ** power`` with ``p = min(t, total_steps) / total_steps``.

    ``1 - p ** k`` is never negative, so a fractional ``power`` stays finite at and past the
    end (jitted optax computes ``1 - T * (1 / T)``, which can be < 0, and gives NaN there).

    >>> polynomial_decay(50, total_steps=100, power=2.0)
    0.25
    """
    if type(t) in _PLAIN:
        p = min(t, total_steps) / total_steps
        if k != 1.0:
            p = p**k
        return end_factor + (1.0 - end_factor) * (1.0 - p) ** power
    xp, e = _ns(t)
    p = xp.minimum(e, total_steps) / total_steps
    if k != 1.0:
        p = p**k
    return end_factor + (1.0 - end_factor) * (1.0 - p) ** power


def one_minus_sqrt_decay(t: Any, *, total_steps: int, end_factor: float = 0.0) -> Any:
    """``end + (1 - end) * (1 - sqrt(p))`` with ``p = min(t, total_steps) / total_steps``.

    The square root is ``p ** 0.5`` on every path, so numbers and arrays agree.

    >>> one_minus_sqrt_decay(25, total_steps=100)
    0.5
    """
    if type(t) in _PLAIN:
        p = min(t, total_steps) / total_steps
        return end_factor + (1.0 - end_factor) * (1.0 - p**0.5)
    xp, e = _ns(t)
    p = xp.minimum(e, total_steps) / total_steps
    root = p**0.5  # in place on this temporary (``1 - r`` is ``-r + 1`` bit for bit)
    return xp.add_(xp.mul_(xp.add_(xp.mul_(root, -1.0), 1.0), 1.0 - end_factor), end_factor)


def exponential_decay(
    t: Any,
    *,
    rate: float,
    transition_steps: int = 1,
    staircase: bool = False,
    end_factor: float | None = None,
) -> Any:
    """``rate ** (t / transition_steps)`` (the exponent floored when ``staircase``), clipped.

    ``end_factor`` is a floor when ``rate < 1`` (``max(value, end)``) and a ceiling when
    ``rate >= 1`` (``min(value, end)``), as optax's ``end_value``. Under a ceiling the
    exponent stops where the ceiling is reached (``log(end) / log(rate)``), so growth never
    overflows to inf (nor raises OverflowError on Python floats).

    >>> exponential_decay(3, rate=0.5)
    0.125
    >>> exponential_decay(3, rate=2.0, end_factor=4.0)
    4.0
    """
    cap = None
    if end_factor is not None and rate > 1.0:
        cap = math.log(end_factor) / math.log(rate)
    if type(t) in _PLAIN:
        p = t / transition_steps
        if staircase:
            p = _floor(p)
        if cap is not None:
            return min(rate ** min(p, cap), end_factor)
        value = rate**p
        if end_factor is None:
            return float(value)
        return -min(-value, -end_factor) if rate < 1.0 else min(value, end_factor)
    xp, e = _ns(t)
    p = e / transition_steps
    if staircase:
        p = xp.floor(p)
    if cap is not None:
        return xp.minimum(rate ** xp.minimum(p, cap), end_factor)
    value = rate**p
    if end_factor is None:
        return value if xp is not _xp.SCALAR else float(value)
    # max(value, end) as -min(-value, -end): the namespaces have ``minimum`` only, and it
    # keeps a float32 tensor float32 (a Python float operand is not promoted).
    return -xp.minimum(-value, -end_factor) if rate < 1.0 else xp.minimum(value, end_factor)


__all__ = [
    "constant_factor",
    "cosine_decay",
    "exponential_decay",
    "linear_decay",
    "one_minus_sqrt_decay",
    "polynomial_decay",
]
