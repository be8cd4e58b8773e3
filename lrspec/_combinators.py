"""The combinators: specs made of specs (Join, Warmup, Product, Stretch, Clip).

A combinator never re-implements a child's formula: it evaluates the child's closed form
(``child._lr``) at the child's own local time, so any spec with a closed form -- the catalogue
shapes, the torch twins, other combinators -- may be a child. Like the rest of the catalogue,
``trace`` is the closed form at ``0 .. steps`` and :class:`lrspec_torch.SpecLR` steps it as
torch steps a ``LambdaLR``.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import _xp
from lrspec._base import Schedule
from lrspec._combinator_base import Combinator
from lrspec._combinator_checks import (
    _as_max_factor,
    _child,
    _children,
    _join_boundaries,
    _max_factor,
    _warmup_kind,
    _warmup_prefix,
)
from lrspec._combinator_formulas import ramp
from lrspec._describe import (
    ceil_holding,
    duration,
    factor,
    latest_end,
    number,
    resolved,
    segments,
    segments_end,
)
from lrspec._metric import (
    ClipRunner,
    JoinRunner,
    ProductRunner,
    Runner,
    WarmupRunner,
    runner,
)
from lrspec._registry import spec_class
from lrspec._units import Unit

_SCALAR = _xp.SCALAR
_INF = float("inf")


# --- Join -----------------------------------------------------------------------------------


@spec_class
@attrs.frozen(kw_only=True)
class Join(Combinator):
    """Run ``schedules[i]`` from ``boundaries[i-1]`` until ``boundaries[i]``, on its local step.

    Formula: ``lr(t) = schedules[i].lr(t - boundaries[i-1], base_lr)`` for
    ``boundaries[i-1] <= t < boundaries[i]`` (with ``boundaries[-1] = 0``): each child starts
    at its own step 0 at its boundary, and the last one runs on (holding its last value past
    its own end, if it has one).

    Anchor: optax ``join_schedules(schedules, boundaries)`` (the same local step
    ``t - boundary``). torch's ``SequentialLR`` means the same, but its twin reproduces torch's
    restart (a closed form at the milestone, a composite first child stepped once more at
    construction); ``Join`` has no hidden extra step, and any spec with a closed form may be
    any child, composites and other combinators included.

    Children pass ``base_lr`` through, so a child with absolute lrs (CyclicLR, OneCycleLR,
    SWALR, a CosineAnnealingLR with ``eta_min > 0``) keeps them; the Join then scales with
    ``base_lr`` only if every child does. Boundaries are strictly increasing ints >= 1, one
    fewer than the schedules.

    A child may be metric-driven (``ReduceLROnPlateau``, or a combinator holding one): the
    Join is then metric-driven (``trace(base_lr, metrics=[...])``, ``SpecLR.step(metric)``).
    That child starts fresh at its boundary, from ``base_lr``, and sees the metrics of the
    steps after it: warmup then plateau counts the plateau's patience from the hand-off.

    >>> from lrspec import ExponentialLR, LinearLR
    >>> spec = Join(schedules=[LinearLR(start_factor=0.5, total_iters=2),
    ...                        ExponentialLR(gamma=0.5)], boundaries=[2])
    >>> spec.trace(1.0, 4)
    [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    schedules: tuple[Schedule, ...] = attrs.field(
        converter=c.as_tuple, validator=_children(scaling=False, metric=True)
    )
    boundaries: tuple[int, ...] = attrs.field(converter=c.as_step_tuple, validator=_join_boundaries)

    @property
    def children(self) -> tuple[Schedule, ...]:
        return self.schedules

    def _runner(self, base: float) -> Runner:
        return JoinRunner(self, base)

    @property
    def total_steps(self) -> int | None:
        """The last boundary plus the last child's own ``total_steps`` (None if it has none)."""
        return segments_end(resolved(self).schedules, self.boundaries)

    def describe(self) -> str:
        return segments(self.schedules, self.boundaries)

    def landmarks(self, horizon: int) -> set[int]:
        points = set(self.boundaries)
        starts = (0, *self.boundaries)
        ends = (*self.boundaries, None)
        for start, end, child in zip(starts, ends, self.schedules, strict=True):
            for p in child.landmarks(max(horizon - start, 0)):
                if end is None or start + p < end:
                    points.add(start + p)
        return points

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        children, bounds = self.schedules, self.boundaries
        if xp is _SCALAR:
            k = bisect_right(bounds, epoch)
            return children[k]._lr(xp, epoch - bounds[k - 1] if k else epoch, base_lr)
        if not bounds:
            return children[0]._lr(xp, epoch, base_lr)
        starts = (0, *bounds)
        pieces = [
            functools.partial(_shifted, child, xp, start, base_lr)
            for child, start in zip(children, starts, strict=True)
        ]
        value = _xp.piecewise(xp, epoch, bounds, pieces)
        if value is not None:
            return value
        # Each child sees its local step, clamped to its own segment (the values outside it
        # are masked out, and clamping keeps every child within the steps it is defined on).
        value = children[0]._lr(xp, xp.minimum(epoch, bounds[0]), base_lr)
        ends = (*bounds[1:], None)
        for child, start, end in zip(children[1:], bounds, ends, strict=True):
            reached = epoch >= start
            local = xp.where(reached, epoch - start, 0)
            if end is not None:
                local = xp.minimum(local, end - start)
            value = xp.where(reached, child._lr(xp, local, base_lr), value)
        return value


def _shifted(child: Schedule, xp: Any, start: int, base_lr: float, epoch: Any) -> Any:
    """``child`` on its local step, ``epoch - start``, for a segment that starts at ``start``."""
    return child._lr(xp, epoch - start if start else epoch, base_lr)


# --- Warmup ---------------------------------------------------------------------------------


@spec_class
@attrs.frozen(kw_only=True)
class Warmup(Combinator):
    """Ramp from ``start_factor`` to the inner schedule over ``steps`` steps, then run it.

    Formula: with progress ``p = t / steps``, ``s = start_factor`` and ``g`` the inner
    schedule's factor at the hand-off, ``lr(t) = base_lr * ramp(p)`` for ``t < steps``:

    * ``"linear"``: ``s + (g - s) * p``;
    * ``"cosine"``: ``s + (g - s) * (1 - cos(pi * p)) / 2``;
    * ``"exponential"``: ``s * (g / s) ** p`` (needs ``start_factor > 0``);
    * ``"1-sqrt"``: ``s + (g - s) * (1 - sqrt(1 - p))``

    (:func:`lrspec.functional.warmup_ramp`). From ``t = steps`` on it is the inner schedule:
    with ``prefix=True`` (the default) the inner schedule starts at its own step 0 when the
    warmup ends, ``lr(t) = inner.lr(t - steps)`` and ``g = inner(0)``; with ``prefix=False``
    the warmup overlays the inner schedule's first ``steps`` steps, ``lr(t) = inner.lr(t)``
    and ``g = inner(steps)``. ``steps=0`` is the inner schedule itself.

    Anchors: HF's warmups (linear; ``"1-sqrt"`` and ``"cosine"`` from warmup-stable-decay),
    optax's ``warmup_*`` schedules (``linear_schedule`` joined to the decay), composer's
    ``*WithWarmupScheduler`` -- all ``prefix=True``-like: the decay starts after warmup.
    timm's ``warmup_prefix=False`` is the overlay, but timm ramps to ``base_lr`` and then
    jumps to the decay's value; ``Warmup`` is continuous at the hand-off by design (it ramps
    to where the inner schedule is). The ramp reaches ``g`` exactly only in the limit
    ``p -> 1``; at ``t = steps`` the inner schedule itself is evaluated.

    ``inner`` must have a closed form and scale with ``base_lr`` (the ramp is a factor of
    ``base_lr``, and so is its target) -- or be metric-driven, with ``prefix=True``: the
    ramp then goes to the inner spec's initial lr (``base_lr`` for ``ReduceLROnPlateau``),
    which starts fresh at ``steps`` and sees the metrics of the steps after it.

    >>> from lrspec import ExponentialLR
    >>> spec = Warmup(inner=ExponentialLR(gamma=0.5), steps=4)
    >>> spec.trace(1.0, 6)
    [0.0, 0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
    """

    inner: Schedule = attrs.field(validator=_child(scaling=True, metric=True))
    steps: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=0))
    start_factor: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))
    kind: str = attrs.field(default="linear", converter=c.as_str, validator=_warmup_kind)
    prefix: bool = attrs.field(default=True, converter=c.as_bool, validator=_warmup_prefix)

    @property
    def children(self) -> tuple[Schedule, ...]:
        return (self.inner,)

    def _runner(self, base: float) -> Runner:
        return WarmupRunner(self, base)

    @property
    def total_steps(self) -> int | None:
        """The inner schedule's end, after the warmup (``prefix``) or overlaid by it."""
        end: int | None = resolved(self).inner.total_steps
        if end is None:
            return None
        return self.steps + end if self.prefix else max(self.steps, end)

    def describe(self) -> str:
        ramp = f"{self.kind} warmup {duration(self.steps)}"
        if self.start_factor:
            ramp += f" from {factor(self.start_factor)}"
        if self._unresolved is None:  # the hand-off value needs the inner schedule in steps
            ramp += f" to {factor(self._target)}"
        if self.prefix:
            return f"{ramp}, then {self.inner.describe()}"
        return f"({self.inner.describe()}) overlaid with a {ramp}"

    def landmarks(self, horizon: int) -> set[int]:
        steps = self.steps
        shift = steps if self.prefix else 0
        points = {p + shift for p in self.inner.landmarks(max(horizon - shift, 0))}
        if steps:
            points.add(steps)
        return points

    @functools.cached_property
    def _target(self) -> float:
        """The inner schedule's factor at the hand-off (a metric-driven one's initial factor)."""
        if self.inner.metric_driven:
            return float(runner(self.inner, 1.0).lr)
        return float(self.inner._lr(_SCALAR, 0 if self.prefix else self.steps, 1.0))

    def _warming(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        """The ramp, for steps before ``steps``."""
        return base_lr * ramp(xp, epoch / self.steps, self.start_factor, self._target, self.kind)

    def _after(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        """The inner schedule, for steps from ``steps`` on."""
        return self.inner._lr(xp, epoch - self.steps if self.prefix else epoch, base_lr)

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        steps = self.steps
        if not steps:
            return self.inner._lr(xp, epoch, base_lr)
        if xp is _SCALAR:
            return (self._warming if epoch < steps else self._after)(xp, epoch, base_lr)
        pieces = (
            functools.partial(self._warming, xp, base_lr=base_lr),
            functools.partial(self._after, xp, base_lr=base_lr),
        )
        value = _xp.piecewise(xp, epoch, (steps,), pieces)
        if value is not None:
            return value
        # Both branches run on every step; each is clamped to the steps it is defined on.
        warm = epoch < steps
        warming = self._warming(xp, xp.minimum(epoch, steps), base_lr)
        return xp.where(warm, warming, self._after(xp, xp.where(warm, steps, epoch), base_lr))


# --- Product --------------------------------------------------------------------------------


@spec_class
@attrs.frozen(kw_only=True)
class Product(Combinator):
    """Multiply the children's factors: ``lr(t) = base_lr * f_1(t) * f_2(t) * ...``.

    Formula: ``lr(t) = base_lr * prod_i schedules[i].lr(t, 1.0)``, every child on the same
    step ``t``.

    Anchors: composer stacks several schedulers multiplicatively; torch's
    ``ChainedScheduler`` is a product only when every child is multiplicative (its twin
    reproduces torch's stepping), while ``Product`` is the product of closed forms for any
    children that have one.

    Every child must scale with ``base_lr``: a product of factors has no meaning for a
    schedule with absolute lrs of its own (CyclicLR, OneCycleLR, SWALR, a CosineAnnealingLR
    with ``eta_min > 0``), so ``Product`` refuses one, saying so.

    A metric-driven child (``ReduceLROnPlateau``) is stepped with every metric on a base of
    1.0, so it contributes its factor -- ``Product([Cosine(...), ReduceLROnPlateau()])`` is
    the cosine's shape cut at each plateau -- and its ``min_lr`` and ``eps`` are factors of
    ``base_lr`` there.

    >>> from lrspec import ExponentialLR, StepLR
    >>> Product(schedules=[ExponentialLR(gamma=0.5), StepLR(step_size=2, gamma=0.1)]).trace(1.0, 2)
    [1.0, 0.5, 0.025]
    """

    schedules: tuple[Schedule, ...] = attrs.field(
        converter=c.as_tuple, validator=_children(scaling=True, metric=True)
    )

    @property
    def children(self) -> tuple[Schedule, ...]:
        return self.schedules

    def _runner(self, base: float) -> Runner:
        return ProductRunner(self, base)

    @property
    def total_steps(self) -> int | None:
        """Once every factor holds (None if one never does)."""
        return latest_end(resolved(self).schedules)

    def describe(self) -> str:
        return " × ".join(f"({child.describe()})" for child in self.schedules)

    def landmarks(self, horizon: int) -> set[int]:
        return set().union(*(child.landmarks(horizon) for child in self.schedules))

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        value: Any = base_lr
        for child in self.schedules:
            value = value * child._lr(xp, epoch, 1.0)
        return value


# --- Stretch --------------------------------------------------------------------------------


@spec_class
@attrs.frozen(kw_only=True)
class Stretch(Combinator):
    """The inner schedule stretched in time by ``ratio``: ``lr(t) = inner.lr(t / ratio)``.

    Formula: ``lr(t) = inner.lr(t / ratio, base_lr)``; ``ratio > 0`` may be fractional
    (``ratio = 2`` runs the schedule twice as long, ``0.5`` twice as fast).

    Anchor: composer's ``scale_schedule_ratio`` (ssr), ``alpha_ssr(t) = alpha(t / ssr)``;
    composer leaves warmups unstretched by default (``scale_warmup=False``): to do that here,
    stretch the inner schedule of a :class:`Warmup` rather than the Warmup.

    The inner schedule sees fractional steps: twins and shapes evaluate their closed form
    there (a StepLR's ``floor(t / step_size)``); a ``LambdaLR`` calls its function with them.
    Landmarks land on the floor and the ceiling of ``ratio`` times the inner ones.

    >>> from lrspec import StepLR
    >>> Stretch(inner=StepLR(step_size=2, gamma=0.5), ratio=2).trace(1.0, 5)
    [1.0, 1.0, 1.0, 1.0, 0.5, 0.5]
    """

    inner: Schedule = attrs.field(validator=_child(scaling=False))
    ratio: float = attrs.field(converter=c.as_float, validator=c.real(gt=0))

    @property
    def children(self) -> tuple[Schedule, ...]:
        return (self.inner,)

    @property
    def total_steps(self) -> int | None:
        """The first step whose stretched time reaches the inner schedule's end."""
        end: int | None = resolved(self).inner.total_steps
        return None if end is None else ceil_holding(end, self.ratio)

    def describe(self) -> str:
        return f"({self.inner.describe()}) stretched {number(self.ratio)}× in time"

    def landmarks(self, horizon: int) -> set[int]:
        ratio = self.ratio
        points: set[int] = set()
        for p in self.inner.landmarks(math.ceil(horizon / ratio)):
            x = p * ratio
            if math.isfinite(x):
                points.update((math.floor(x), math.ceil(x)))
        return points

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return self.inner._lr(xp, epoch / self.ratio, base_lr)


# --- Clip -----------------------------------------------------------------------------------


@spec_class
@attrs.frozen(kw_only=True)
class Clip(Combinator):
    """The inner schedule kept within ``[min_factor, max_factor]`` times ``base_lr``.

    Formula: ``lr(t) = min(max(inner.lr(t), min_factor * base_lr), max_factor * base_lr)``.

    Anchors: the floors of optax ``exponential_decay(end_value=...)``, HF ``min_lr`` and
    timm ``lr_min``, as a wrapper around any schedule. ``max_factor=None`` (the default) is
    no ceiling; ``float('inf')`` is accepted and stored as None, so ``to_dict`` stays JSON and
    ``repr`` parses. ``min_factor >= 0``; ``max_factor > 0`` and ``>= min_factor``. A
    metric-driven ``inner`` is stepped with the metrics and its lr bounded.

    >>> from lrspec import ExponentialLR
    >>> Clip(inner=ExponentialLR(gamma=0.5), min_factor=0.2).trace(1.0, 4)
    [1.0, 0.5, 0.25, 0.2, 0.2]
    """

    inner: Schedule = attrs.field(validator=_child(scaling=False, metric=True))
    min_factor: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))
    max_factor: float | None = attrs.field(
        default=None, converter=_as_max_factor, validator=_max_factor
    )

    @property
    def children(self) -> tuple[Schedule, ...]:
        return (self.inner,)

    @property
    def total_steps(self) -> int | Unit | None:
        """The inner schedule's (a clipped constant is constant)."""
        return self.inner.total_steps

    def describe(self) -> str:
        inner, low, high = self.inner.describe(), factor(self.min_factor), self.max_factor
        if high is None:
            return f"({inner}) floored at {low}"
        return f"({inner}) clipped to [{low}, {factor(high)}]"

    def landmarks(self, horizon: int) -> set[int]:
        return self.inner.landmarks(horizon)

    def _bounded(self, value: float, base_lr: float) -> float:
        """One lr, kept within the bounds (the scalar formula, shared with the runner)."""
        low, high = self.min_factor * base_lr, self.max_factor
        if value < low:
            value = low
        if high is not None and value > high * base_lr:
            value = high * base_lr
        return value

    def _runner(self, base: float) -> Runner:
        return ClipRunner(self, base)

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        value = self.inner._lr(xp, epoch, base_lr)
        if xp is _SCALAR:
            return self._bounded(value, base_lr)
        low, high = self.min_factor * base_lr, self.max_factor
        if low > 0:
            value = xp.where(value < low, low, value)
        if high is not None:
            value = xp.minimum(value, high * base_lr)
        return value


__all__ = ["Clip", "Join", "Product", "Stretch", "Warmup"]
