"""The Cycle combinator: any schedule replayed in cycles (warm restarts), growing and decaying."""

from __future__ import annotations

import math
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import _xp
from lrspec._base import Schedule
from lrspec._combinator_base import Combinator
from lrspec._combinator_checks import _child
from lrspec._describe import duration, factor, number, resolved
from lrspec._registry import spec_class

_SCALAR = _xp.SCALAR
#: A step this close to a computed cycle start (in units of ``period``) starts the new cycle.
_SNAP = 1e-9


@spec_class
@attrs.frozen(kw_only=True)
class Cycle(Combinator):
    """Replay ``inner`` in cycles: restarts that may grow longer and lower.

    Formula: cycle ``i`` (from 0) starts at ``S_i = period * (1 + m + ... + m**(i-1))`` with
    ``m = period_mul`` and lasts ``period * m**i``; at local time ``tau = t - S_i`` the factor
    is ``floor + decay**i * (f(tau / m**i) - floor)``, with ``f`` the inner schedule's factor.
    Cycle 0 is ``inner`` itself over ``[0, period)``. After ``limit`` cycles (None: never) it
    holds the value at the end of the last one, ``floor + decay**(limit-1) *
    (f(period) - floor)``. A step within ``1e-9 * period`` of a computed cycle start counts
    as the new cycle, so restarts land where the anchors put them whatever the float
    rounding of ``S_i`` (HF's hard restarts at ``j * N / k`` included).

    Anchors: SGDR and torch's ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)`` are
    ``Cycle(inner=Cosine(total_steps=T_0, end_factor=eta_min / base_lr), period=T_0,
    period_mul=T_mult)``; Keras ``CosineDecayRestarts(first_decay_steps, t_mul, m_mul,
    alpha)`` is ``Cycle(inner=Cosine(total_steps=first_decay_steps, end_factor=alpha),
    period=first_decay_steps, period_mul=t_mul, decay=m_mul, floor=alpha)`` (``floor`` is
    not decayed, as Keras' ``alpha``); timm's ``cycle_mul`` / ``cycle_decay`` / ``cycle_limit`` are
    ``period_mul`` / ``decay`` / ``limit``. timm decays only the peak, ``lr_min + (decay**i *
    base - lr_min) * c``, which agrees with this when ``lr_min = 0`` or ``cycle_decay = 1``.

    ``inner`` must have a closed form and scale with ``base_lr``; ``period > 0`` (may be
    fractional), ``period_mul >= 1``, ``decay > 0``, ``floor >= 0``, ``limit >= 1`` or None.

    >>> from lrspec import LinearLR
    >>> spec = Cycle(inner=LinearLR(start_factor=1.0, end_factor=0.0, total_iters=2),
    ...              period=2, decay=0.5)
    >>> spec.trace(1.0, 5)
    [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    """

    inner: Schedule = attrs.field(validator=_child(scaling=True))
    period: float = attrs.field(converter=c.as_float_steps, validator=c.float_steps(gt=0))
    period_mul: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(ge=1))
    decay: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(gt=0))
    floor: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))
    limit: int | None = attrs.field(
        default=None, converter=c.as_optional_int, validator=c.optional_integer(ge=1)
    )

    @property
    def children(self) -> tuple[Schedule, ...]:
        return (self.inner,)

    @property
    def total_steps(self) -> int | None:
        """The first step after ``limit`` cycles, from which it holds (None without a limit)."""
        limit: int | None = resolved(self).limit
        if limit is None:
            return None
        try:
            return self._restart(limit)
        except OverflowError:  # the last cycle would end beyond any float: it never ends
            return None

    @property
    def boundaries(self) -> tuple[int, ...] | None:
        """The first step of each cycle after the first, up to ``limit`` (None: no limit)."""
        limit: int | None = resolved(self).limit
        if limit is None:
            return None
        return tuple(self._restart(i) for i in range(1, limit))

    def _restart(self, i: int) -> int:
        """The first integer step of cycle ``i`` (a step within the snap counts, as in ``lr``)."""
        start: float = self._start(i)
        return math.ceil(start - _SNAP * self.period)

    def describe(self) -> str:
        parts = [f"({self.inner.describe()}) in cycles of {duration(self.period)}"]
        if self.period_mul != 1:
            parts.append(f"each {number(self.period_mul)}× longer")
        if self.decay != 1:
            parts.append(f"peak ×{number(self.decay)} per cycle")
        if self.floor:
            parts.append(f"floor {factor(self.floor)}")
        if self.limit is not None:
            parts.append(f"{self.limit} cycles, then held")
        return ", ".join(parts)

    def _start(self, i: Any) -> Any:
        """``S_i``, the step cycle ``i`` starts at (``i`` a number or an array of them)."""
        m = self.period_mul
        if m == 1.0:
            return self.period * i
        return self.period * (m**i - 1) / (m - 1)

    def landmarks(self, horizon: int) -> set[int]:
        points = {p for p in self.inner.landmarks(horizon) if p < self.period}
        i = 1
        while self.limit is None or i <= self.limit:
            start = self._start(i)
            if start > horizon:
                break
            points.update((math.floor(start), math.ceil(start)))
            i += 1
        return points

    def _cycle_index(self, xp: Any, t: Any) -> Any:
        """The cycle each step falls in, snapped to a start within ``1e-9 * period``."""
        m, period, snap = self.period_mul, self.period, _SNAP * self.period
        if m == 1.0:
            i = xp.floor(t / period)
        else:
            i = xp.floor(xp.log(t * ((m - 1) / period) + 1) / math.log(m))
        # the float estimate may be one off either way: compare with the computed starts
        i = xp.where(t >= self._start(i + 1) - snap, i + 1, i)
        i = xp.where((i > 0) & (t < self._start(i) - snap), i - 1, i)
        return i

    def _factor_at(self, xp: Any, t: Any) -> Any:
        i = self._cycle_index(xp, t)
        tau = t - self._start(i)
        limit = self.limit
        if limit is not None:
            done = i >= limit
            i = xp.where(done, limit - 1, i)
            tau = xp.where(done, self.period * self.period_mul ** (limit - 1), tau)
        tau = xp.where(tau < 0, 0.0, tau)  # snapped onto a start just ahead
        scale = self.period_mul**i
        inner = self.inner._lr(xp, tau / scale, 1.0)
        d = self.decay**i
        return d * inner + (1 - d) * self.floor  # = floor + d * (inner - floor), exact at d = 1

    def _scalar_factor(self, t: float) -> float:
        m, period, snap = self.period_mul, self.period, _SNAP * self.period
        if m == 1.0:
            i = math.floor(t / period)
        else:
            i = math.floor(math.log(t * ((m - 1) / period) + 1) / math.log(m))
        if t >= self._start(i + 1) - snap:
            i += 1
        elif i > 0 and t < self._start(i) - snap:
            i -= 1
        tau = t - self._start(i)
        if self.limit is not None and i >= self.limit:
            i = self.limit - 1
            tau = period * m**i
        scale = m**i
        inner = self.inner._lr(_SCALAR, max(tau, 0.0) / scale, 1.0)
        d: float = self.decay**i
        value: float = d * inner + (1 - d) * self.floor
        return value

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        if xp is _SCALAR:
            return base_lr * self._scalar_factor(epoch)
        return base_lr * self._factor_at(xp, epoch)


__all__ = ["Cycle"]
