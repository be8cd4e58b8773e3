"""The catalogue's decay shapes: Constant, Linear, Cosine, Polynomial, OneMinusSqrt, Exponential.

Each is a factor of ``base_lr`` (``lr(t, base_lr) == base_lr * f(t)``), holds its last value
past ``total_steps``, and evaluates ``f`` with the formula of the same name in
:mod:`lrspec.functional`. Step counts that divide (``total_steps``, ``transition_steps``) are
ints >= 1: optax logs and silently returns a constant for a count <= 0; we refuse it.
Integral floats (``100.0``) are accepted and stored as ints.

Converting an anchor that takes absolute values: ``factor = value / peak``, where the peak is
the lr you pass as ``base_lr`` (optax's ``init_value``; ``end_value / init_value`` is our
``end_factor``).
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import _shape_formulas as S
from lrspec._catalogue import Catalogue
from lrspec._registry import spec_class


def _ends(spec: Any, horizon: int) -> set[int]:
    return {spec.total_steps} if spec.total_steps <= horizon else set()


@spec_class
@attrs.frozen(kw_only=True)
class Constant(Catalogue):
    """The same factor of ``base_lr`` at every step.

    Formula: ``f(t) = factor``.

    Anchors: optax ``constant_schedule(value)`` (``factor = value / peak``), HF ``constant``,
    composer ``ConstantScheduler(alpha)`` (for its whole ``t_max``). Torch's ``ConstantLR``
    differs: it applies its factor for ``total_iters`` steps only, then returns to ``base_lr``.

    ``factor`` is a finite number >= 0 (above 1 is allowed: the lr is then above ``base_lr``).

    >>> Constant(factor=0.5).trace(0.2, 2)
    [0.1, 0.1, 0.1]
    """

    factor: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(ge=0))

    describe_format = "constant {factor:x}"

    @property
    def total_steps(self) -> int:  # it holds from the start
        return 0

    def _factor(self, xp: Any, t: Any) -> Any:
        return S.constant_factor(t, factor=self.factor)


@spec_class
@attrs.frozen(kw_only=True)
class Linear(Catalogue):
    """A straight line from ``start_factor`` to ``end_factor`` over ``total_steps``, then held.

    Formula: ``f(t) = end + (start - end) * (1 - p)`` with ``p = min(t, total_steps) /
    total_steps``; exactly ``end_factor`` from ``total_steps`` on.

    Anchors: optax ``linear_schedule(init_value, end_value, transition_steps)`` (``start_factor
    = init_value / peak``, ``end_factor = end_value / peak``), HF ``linear`` after its warmup
    (``end_factor=0``), composer ``LinearScheduler(alpha_i, alpha_f, t_max)``. Torch's
    ``LinearLR`` computes the same line recursively (a few ulp of drift); this is the closed
    form. A warm-up is ``start_factor < end_factor``.

    ``total_steps`` is an int >= 1 (it divides); the factors are finite numbers >= 0.

    >>> Linear(total_steps=4).trace(1.0, 5)
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    total_steps: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    start_factor: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(ge=0))
    end_factor: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))

    describe_format = "linear from {start_factor:x} to {end_factor:x} over {total_steps:steps}"

    def landmarks(self, horizon: int) -> set[int]:
        return _ends(self, horizon)

    def _factor(self, xp: Any, t: Any) -> Any:
        return S.linear_decay(
            t,
            total_steps=self.total_steps,
            start_factor=self.start_factor,
            end_factor=self.end_factor,
        )


@spec_class
@attrs.frozen(kw_only=True)
class Cosine(Catalogue):
    """Half a cosine from ``base_lr`` down to ``end_factor * base_lr``, then held.

    Formula: ``f(t) = end + (1 - end) * c ** exponent`` with ``c = (1 + cos(pi * p ** k)) / 2``
    and ``p = min(t, total_steps) / total_steps``.

    Anchors: optax ``cosine_decay_schedule(init_value, decay_steps, alpha, exponent)``
    (``end_factor = alpha``), Keras ``CosineDecay(alpha)``, HF ``cosine_with_min_lr``
    (``min_lr_rate``; HF's plain ``cosine`` is ``end_factor=0``), timm ``CosineLRScheduler``
    (``k_decay`` is ``k``; ``end_factor = lr_min / base_lr``). Deviation: past
    ``total_steps`` it holds ``end_factor`` (torch's ``CosineAnnealingLR`` and HF's cosine with
    ``num_cycles > 0.5`` climb back up).

    ``total_steps`` is an int >= 1; ``end_factor`` a finite number >= 0 (above 1 the curve
    rises); ``exponent`` and ``k`` finite numbers > 0 (``exponent`` 0 would never decay).

    >>> Cosine(total_steps=2).trace(1.0, 3)
    [1.0, 0.5, 0.0, 0.0]
    """

    total_steps: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    end_factor: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))
    exponent: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(gt=0))
    k: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(gt=0))

    describe_format = "cosine over {total_steps:steps} to {end_factor:x}"

    def landmarks(self, horizon: int) -> set[int]:
        return _ends(self, horizon)

    def _factor(self, xp: Any, t: Any) -> Any:
        return S.cosine_decay(
            t,
            total_steps=self.total_steps,
            end_factor=self.end_factor,
            exponent=self.exponent,
            k=self.k,
        )


@spec_class
@attrs.frozen(kw_only=True)
class Polynomial(Catalogue):
    """A polynomial decay from ``base_lr`` to ``end_factor * base_lr``, then held.

    Formula: ``f(t) = end + (1 - end) * (1 - p ** k) ** power`` with
    ``p = min(t, total_steps) / total_steps``.

    Anchors: optax ``polynomial_schedule(init_value, end_value, power, transition_steps)``
    (``end_factor = end_value / init_value``), Keras ``PolynomialDecay`` (``cycle=False``),
    HF ``polynomial`` (``end_factor = lr_end / lr``), timm ``PolyLRScheduler`` (``k_decay``
    is ``k``). Quirk avoided: jitted optax returns NaN at and after ``transition_steps`` for a
    fractional ``power`` (its ``1 - T * (1 / T)`` can be slightly negative); here the base is
    never negative. Torch's ``PolynomialLR`` is ``end_factor=0, k=1``.

    ``total_steps`` is an int >= 1; ``end_factor`` a finite number >= 0; ``power`` and ``k``
    finite numbers > 0 (``power`` 0 would never decay: use :class:`Constant`).

    >>> Polynomial(total_steps=2, power=2.0).trace(1.0, 3)
    [1.0, 0.25, 0.0, 0.0]
    """

    total_steps: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    end_factor: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))
    power: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(gt=0))
    k: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(gt=0))

    describe_format = "polynomial (power {power}) over {total_steps:steps} to {end_factor:x}"

    def landmarks(self, horizon: int) -> set[int]:
        return _ends(self, horizon)

    def _factor(self, xp: Any, t: Any) -> Any:
        return S.polynomial_decay(
            t,
            total_steps=self.total_steps,
            end_factor=self.end_factor,
            power=self.power,
            k=self.k,
        )


@spec_class
@attrs.frozen(kw_only=True)
class OneMinusSqrt(Catalogue):
    """The "1-sqrt" cooldown of warmup-stable-decay runs: fast at first, then gentler.

    Formula: ``f(t) = end + (1 - end) * (1 - sqrt(p))`` with
    ``p = min(t, total_steps) / total_steps``.

    Anchors: HF ``warmup_stable_decay`` with ``decay_type="1-sqrt"`` (its decay phase;
    ``end_factor = min_lr_ratio``), the WSD cooldown of Hägele et al. (2024). No optax
    counterpart.

    ``total_steps`` is an int >= 1; ``end_factor`` a finite number >= 0.

    >>> OneMinusSqrt(total_steps=4).trace(1.0, 5)
    [1.0, 0.5, 0.2928932188134524, 0.1339745962155614, 0.0, 0.0]
    """

    total_steps: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    end_factor: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))

    describe_format = "1-sqrt decay over {total_steps:steps} to {end_factor:x}"

    def landmarks(self, horizon: int) -> set[int]:
        return _ends(self, horizon)

    def _factor(self, xp: Any, t: Any) -> Any:
        return S.one_minus_sqrt_decay(t, total_steps=self.total_steps, end_factor=self.end_factor)


def _as_optional_float(value: float | None) -> float | None:
    return None if value is None else c.as_float(value)


def _check_end_factor(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A floor in [0, 1] when ``rate < 1``; a ceiling >= 1 (and required) when ``rate > 1``."""
    rate = inst.rate
    if value is None:
        if rate > 1:
            raise ValueError(
                f"end_factor is required when rate > 1 (a ceiling, so the lr stays finite), "
                f"got end_factor=None with rate={rate!r}"
            )
        return
    c.real(ge=0)(inst, attribute, value)
    if rate < 1 and value > 1:
        raise ValueError(
            f"end_factor must be <= 1 when rate < 1 (a floor below the start), "
            f"got {value!r} with rate={rate!r}"
        )
    if rate >= 1 and value < 1:
        raise ValueError(
            f"end_factor must be >= 1 when rate >= 1 (a ceiling above the start), "
            f"got {value!r} with rate={rate!r}"
        )


@spec_class
@attrs.frozen(kw_only=True)
class Exponential(Catalogue):
    """Multiply by ``rate`` every ``transition_steps`` steps, smoothly or in stairs.

    Formula: ``f(t) = rate ** (t / transition_steps)`` (the exponent floored when
    ``staircase``), then clipped at ``end_factor``: ``max(f, end_factor)`` when ``rate < 1``
    (a floor), ``min(f, end_factor)`` when ``rate >= 1`` (a ceiling).

    Anchors: optax ``exponential_decay(init_value, transition_steps, decay_rate,
    staircase=staircase, end_value=...)`` with ``end_factor = end_value / init_value``
    (optax's ``transition_begin`` is a :class:`Constant` joined before it); Keras
    ``ExponentialDecay(decay_steps, decay_rate, staircase)``; torch's ``ExponentialLR`` is
    ``transition_steps=1`` without a floor. It never ends: the only hold is at the clip.

    Validation: ``rate`` a finite number > 0; ``transition_steps`` an int >= 1;
    ``staircase`` a bool; ``end_factor`` None or a finite number, <= 1 when ``rate < 1`` and
    >= 1 when ``rate >= 1``, and **required** when ``rate > 1`` so that no valid spec grows to
    inf (optax accepts unbounded growth). Under the ceiling the exponent stops where the
    ceiling is reached, so no step overflows, however large.

    >>> Exponential(rate=0.5, transition_steps=2).trace(1.0, 4)
    [1.0, 0.7071067811865476, 0.5, 0.3535533905932738, 0.25]
    >>> Exponential(rate=0.5, staircase=True, transition_steps=2, end_factor=0.3).trace(1.0, 4)
    [1.0, 1.0, 0.5, 0.5, 0.3]
    """

    rate: float = attrs.field(converter=c.as_float, validator=c.real(gt=0))
    transition_steps: int = attrs.field(default=1, converter=c.as_steps, validator=c.steps(ge=1))
    staircase: bool = attrs.field(default=False, converter=c.as_bool, validator=c.boolean)
    end_factor: float | None = attrs.field(
        default=None, converter=_as_optional_float, validator=_check_end_factor
    )

    describe_format = "exponential {rate:times} every {transition_steps:steps}"

    def landmarks(self, horizon: int) -> set[int]:
        n = self.transition_steps
        out = set(range(n, horizon + 1, n)) if self.staircase else set()
        end, rate = self.end_factor, self.rate
        if end is not None and rate != 1.0 and end not in (0.0, 1.0):
            clip = math.log(end) / math.log(rate) * n  # the step where the clip starts
            if clip <= horizon:
                out.add(math.ceil(clip))
        return out

    def _factor(self, xp: Any, t: Any) -> Any:
        return S.exponential_decay(
            t,
            rate=self.rate,
            transition_steps=self.transition_steps,
            staircase=self.staircase,
            end_factor=self.end_factor,
        )


__all__ = ["Constant", "Cosine", "Exponential", "Linear", "OneMinusSqrt", "Polynomial"]
