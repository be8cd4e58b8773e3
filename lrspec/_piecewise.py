"""Catalogue piecewise shapes: PiecewiseConstant (steps) and Interpolate (knots).

Factors of ``base_lr``, evaluated by the closed forms in :mod:`lrspec.functional`; no torch
twin (see :class:`lrspec._catalogue.Catalogue`).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import _curve_formulas as F
from lrspec._catalogue import Catalogue
from lrspec._describe import factor, position, resolved
from lrspec._registry import spec_class


def _as_float_tuple(value: Any) -> Any:
    """A list, tuple or 1-d array of reals as a tuple of Python floats (else unchanged)."""
    if type(value).__name__ == "ndarray" and getattr(value, "ndim", None) == 1:
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(c.as_float(v) for v in value)
    return value


def _reals(attribute: attrs.Attribute[Any], value: Any) -> None:
    """A tuple of finite real numbers (TypeError / ValueError naming the bad item)."""
    if not isinstance(value, tuple):
        raise TypeError(
            f"{attribute.name} must be a list or tuple of numbers, got {value!r} "
            f"({type(value).__name__})"
        )
    for item in value:
        if c._is_int(item):  # an int the converter could not make a float: beyond any float
            raise ValueError(
                f"{attribute.name} must all be finite, got {c.show(item)} in "
                f"[{', '.join(c.show(v) for v in value)}]"
            )
        if type(item) is not float:  # the converter made every real a float
            raise TypeError(
                f"{attribute.name} must contain only real numbers, got {item!r} "
                f"({type(item).__name__}) in {list(value)!r}"
            )
        if not math.isfinite(item):
            raise ValueError(
                f"{attribute.name} must all be finite, got {item!r} in {list(value)!r}"
            )


def _factors(size_of: str, extra: int) -> Any:
    """Finite factors >= 0, as many as ``size_of`` has items plus ``extra``."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _reals(attribute, value)
        for item in value:
            if item < 0:
                raise ValueError(
                    f"{attribute.name} must all be >= 0, got {item!r} in {list(value)!r}"
                )
        want = len(getattr(inst, size_of)) + extra
        if len(value) != want:
            rule = f"len({size_of}) + {extra}" if extra else f"len({size_of})"
            raise ValueError(
                f"{attribute.name} must have {rule} = {want} items, got {len(value)}: "
                f"{list(value)!r}"
            )

    return check


def _knots(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """At least one finite real, strictly increasing; unit values (``"0.5dur"``) are checked
    by kind, and against the reals once :func:`lrspec.resolve` has made them floats."""
    reals = value
    if isinstance(value, tuple) and any(c.is_unit(v) or isinstance(v, str) for v in value):
        c.increasing_steps(ge=0)(inst, attribute, tuple(v for v in value if type(v) is not float))
        reals = tuple(v for v in value if type(v) is float)
    _reals(attribute, reals)
    if not value:
        raise ValueError(f"{attribute.name} must have at least one knot, got {list(value)!r}")
    for a, b in pairwise(reals):
        if not a < b:
            raise ValueError(f"{attribute.name} must be strictly increasing, got {list(value)!r}")


@spec_class
@attrs.frozen(kw_only=True)
class PiecewiseConstant(Catalogue):
    """Constant factors between boundaries: ``factors[i]`` after ``i`` boundaries.

    Formula: ``f(t) = factors[i]`` with ``i`` the number of boundaries ``<= t``, so the value
    changes **at** a boundary (as ``MultiStepLR`` and optax do): ``factors[0]`` on
    ``[0, boundaries[0])``, ``factors[1]`` from ``boundaries[0]``, ..., ``factors[-1]`` from
    the last boundary on. ``len(factors) == len(boundaries) + 1``; no boundaries is a
    constant. Boundaries are strictly increasing ints >= 0 (a boundary at 0 leaves
    ``factors[0]`` unused, as in optax); factors are finite and >= 0, in any order.

    Anchors and conversions:

    - optax ``piecewise_constant_schedule(init_value, {b: s, ...})`` multiplies the scales
      up: ``base_lr = init_value``, ``boundaries`` its sorted keys, ``factors = (1, s1,
      s1*s2, ...)``.
    - Keras ``PiecewiseConstantDecay(boundaries, values)`` keeps ``values[i]`` *through*
      step ``boundaries[i]`` and changes one step later: use ``boundaries = [b + 1 for b in
      keras_boundaries]`` and ``factors = [v / peak for v in values]`` with ``base_lr =
      peak``.
    - torch ``MultiStepLR(milestones, gamma)`` is ``boundaries = milestones`` and ``factors =
      (1, gamma, gamma**2, ...)`` (as closed forms; torch's own trace multiplies).

    >>> spec = PiecewiseConstant(boundaries=[3, 5], factors=[1.0, 0.5, 0.25])
    >>> spec.trace(1.0, 6)
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    boundaries: tuple[int, ...] = attrs.field(
        converter=c.as_step_tuple, validator=c.increasing_steps(ge=0)
    )
    factors: tuple[float, ...] = attrs.field(
        converter=_as_float_tuple, validator=_factors("boundaries", 1)
    )

    @property
    def total_steps(self) -> int:  # the last boundary (0 without any)
        return max(resolved(self).boundaries, default=0)

    def describe(self) -> str:
        factors = [factor(f) for f in self.factors]
        steps = [
            f"{f} from {position(b)}" for f, b in zip(factors[1:], self.boundaries, strict=True)
        ]
        return "piecewise constant " + ", ".join([factors[0], *steps])

    def landmarks(self, horizon: int) -> set[int]:
        return set(self.boundaries)

    def _factor(self, xp: Any, t: Any) -> Any:
        return F.piecewise_constant(t, boundaries=self.boundaries, factors=self.factors)


@spec_class
@attrs.frozen(kw_only=True)
class Interpolate(Catalogue):
    """Linear or cosine interpolation through knots ``(steps[i], factors[i])``.

    Formula: between knots ``steps[i] <= t < steps[i+1]``, with ``p = (t - steps[i]) /
    (steps[i+1] - steps[i])``, ``a = factors[i]`` and ``b = factors[i+1]``:
    ``f(t) = a + (b - a) * p`` (``kind="linear"``) or ``a + (b - a) * (1 - cos(pi p)) / 2``
    (``kind="cosine"``: flat at every knot). ``factors[0]`` holds before the first knot and
    ``factors[-1]`` from the last one on. Knots are strictly increasing finite reals
    (fractional and negative positions too); one knot is a constant; factors are finite and
    >= 0, as many as knots.

    Anchors and conversions:

    - optax ``piecewise_interpolate_schedule(kind, init_value, {b: s, ...})`` interpolates
      between *accumulated* scales from step 0: ``base_lr = init_value``, ``steps = (0, b1,
      b2, ...)``, ``factors = (1, s1, s1*s2, ...)`` (a key of 0 replaces the first knot).
      optax writes the cosine as ``b + (a - b) (1 + cos(pi p)) / 2``, equal up to rounding.
    - ignite ``PiecewiseLinear(milestones_values=[(s, v), ...])`` is ``kind="linear"`` with
      ``steps`` and ``factors = v / peak``, ``base_lr = peak``.

    >>> spec = Interpolate(steps=[0, 10, 20], factors=[0.0, 1.0, 0.1])
    >>> spec.lr(5, 1.0), spec.lr(15, 1.0), spec.lr(99, 1.0)
    (0.5, 0.55, 0.1)
    """

    steps: tuple[float, ...] = attrs.field(converter=c.as_float_step_tuple, validator=_knots)
    factors: tuple[float, ...] = attrs.field(
        converter=_as_float_tuple, validator=_factors("steps", 0)
    )
    kind: str = attrs.field(
        default="linear", converter=c.as_str, validator=c.one_of("linear", "cosine")
    )

    @property
    def total_steps(self) -> int:  # the first step at or after the last knot
        return max(math.ceil(float(resolved(self).steps[-1])), 0)

    def describe(self) -> str:
        knots = [
            f"{factor(f)} at {position(s)}" for s, f in zip(self.steps, self.factors, strict=True)
        ]
        return f"{self.kind} interpolation through " + ", ".join(knots)

    def landmarks(self, horizon: int) -> set[int]:
        return {n for s in self.steps if s >= 0 for n in (math.floor(s), math.ceil(s))}

    def _factor(self, xp: Any, t: Any) -> Any:
        return F.interpolate(t, steps=self.steps, factors=self.factors, kind=self.kind)


__all__ = ["Interpolate", "PiecewiseConstant"]
