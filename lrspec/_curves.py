"""Catalogue curves: InverseTime (Keras), InverseSqrt (HF), Tanh (timm).

Factors of ``base_lr``, evaluated by the closed forms in :mod:`lrspec.functional`; no torch
twin (see :class:`lrspec._catalogue.Catalogue`).
"""

from __future__ import annotations

from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import _curve_formulas as F
from lrspec._catalogue import Catalogue
from lrspec._registry import spec_class


@spec_class
@attrs.frozen(kw_only=True)
class InverseTime(Catalogue):
    """Inverse-time decay: the factor falls as ``1 / (1 + rate * t / decay_steps)``.

    Formula: ``f(t) = 1 / (1 + rate * t / decay_steps)``; with ``staircase=True`` the ratio
    is ``floor(t / decay_steps)``, so the factor drops at each multiple of ``decay_steps``.
    It reaches ``1 / (1 + rate)`` after ``decay_steps`` steps and never reaches 0.

    Anchor: Keras ``InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate,
    staircase)`` is ``base_lr = initial_learning_rate``, ``rate = decay_rate``.
    Deviations: ``decay_steps`` is an int >= 1 (Keras takes any positive number) and
    ``rate`` a finite number >= 0 (a negative rate would cross zero and diverge). No torch
    twin: torch users write it as ``LambdaLR(lambda t: 1 / (1 + rate * t / decay_steps))``.

    >>> InverseTime(decay_steps=10, rate=1.0).trace(1.0, 2)
    [1.0, 0.9090909090909091, 0.8333333333333334]
    >>> InverseTime(decay_steps=10, rate=1.0, staircase=True).lr(15, 1.0)
    0.5
    """

    decay_steps: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    rate: float = attrs.field(converter=c.as_float, validator=c.real(ge=0))
    staircase: bool = attrs.field(default=False, converter=c.as_bool, validator=c.boolean)

    describe_format = "inverse time decay, rate {rate} per {decay_steps:steps}"

    def landmarks(self, horizon: int) -> set[int]:
        if not self.staircase:
            return set()
        return set(range(self.decay_steps, horizon + 1, self.decay_steps))

    def _factor(self, xp: Any, t: Any) -> Any:
        return F.inverse_time(
            t, decay_steps=self.decay_steps, rate=self.rate, staircase=self.staircase
        )


@spec_class
@attrs.frozen(kw_only=True)
class InverseSqrt(Catalogue):
    """Inverse square-root decay: ``sqrt(timescale / (t + timescale))``.

    Formula: ``f(t) = sqrt(timescale / (t + timescale))``: 1 at ``t = 0``, ``1/sqrt(2)`` at
    ``t = timescale``, 1/2 at ``3 * timescale``; it decays forever (no end to hold).

    Anchor: HF ``get_scheduler("inverse_sqrt", num_warmup_steps=w, timescale=s)`` is
    ``Warmup(InverseSqrt(timescale=s), steps=w)`` (HF's ``timescale`` defaults to ``w`` or
    10 000 without warmup): after the warmup HF computes ``1 / sqrt((step - w + s) / s)``,
    which is this factor at the local step ``step - w``. The Transformer paper's
    ``d**-0.5 * min(step**-0.5, step * w**-1.5)`` is, after its warmup, this shape with
    ``timescale = w`` and ``base_lr`` its value at ``w``. Deviation: ``timescale`` is an
    int >= 1 (HF accepts 0, which divides by zero).

    >>> InverseSqrt(timescale=10).lr(30, 0.2)
    0.1
    """

    timescale: int = attrs.field(default=10_000, converter=c.as_steps, validator=c.steps(ge=1))

    describe_format = "inverse sqrt decay, timescale {timescale:steps}"

    def _factor(self, xp: Any, t: Any) -> Any:
        return F.inverse_sqrt(t, timescale=self.timescale)


def _above_lower(inst: Tanh, attribute: attrs.Attribute[Any], value: Any) -> None:
    c.real()(inst, attribute, value)
    if not inst.lower < value:
        raise ValueError(f"upper must be > lower ({inst.lower!r}), got {value!r}")


@spec_class
@attrs.frozen(kw_only=True)
class Tanh(Catalogue):
    """Tanh decay: a sigmoid-like fall from ~1 to ~``end_factor`` over ``total_steps``.

    Formula, with ``p = min(t, total_steps) / total_steps`` and ``end = end_factor``:
    ``f(t) = end + (1 - end) * (1 - tanh(lower + (upper - lower) * p)) / 2``. It holds its
    value at ``total_steps`` from then on. The ends are those of tanh, not exactly 1 and
    ``end``: with the defaults ``f(0) = 0.9999992`` and ``f(total_steps) = end + 0.0025 *
    (1 - end)``; wider bounds (``lower=-10``, ``upper=10``) meet both within 3e-9.

    Anchor: timm ``TanhLRScheduler(t_initial=T, lb=lower, ub=upper, lr_min=m)`` without
    cycles or warmup is ``Tanh(total_steps=T, lower=lb, upper=ub, end_factor=m / base_lr)``
    (timm computes ``tanh(lb * (1 - p) + ub * p)``, equal up to rounding). Deviation: past
    ``t_initial`` timm jumps to ``lr_min``; the spec holds the curve's last value (the
    catalogue's convention). timm's cycles and warmup are ``Cycle`` and ``Warmup`` around
    it. ``upper`` must be > ``lower`` (a reversed range would make it rise).

    >>> spec = Tanh(total_steps=10, lower=-1.0, upper=1.0)
    >>> spec.lr(5, 0.2)
    0.1
    >>> spec.lr(10, 1.0) == spec.lr(1000, 1.0)
    True
    """

    total_steps: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    lower: float = attrs.field(default=-7.0, converter=c.as_float, validator=c.real())
    upper: float = attrs.field(default=3.0, converter=c.as_float, validator=_above_lower)
    end_factor: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))

    describe_format = "tanh decay over {total_steps:steps} to {end_factor:x}"

    def landmarks(self, horizon: int) -> set[int]:
        return {self.total_steps}

    def _factor(self, xp: Any, t: Any) -> Any:
        return F.tanh_decay(
            t,
            total_steps=self.total_steps,
            lower=self.lower,
            upper=self.upper,
            end_factor=self.end_factor,
        )


__all__ = ["InverseSqrt", "InverseTime", "Tanh"]
