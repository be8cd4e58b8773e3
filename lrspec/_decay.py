"""Chainable decays, twins of torch's recursive schedulers.

StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR (CosineAnnealingLR,
the same kind of scheduler, is in :mod:`lrspec._cosine_annealing`).
Torch computes each of these *recursively* from the current lr (``get_lr``); ``trace``
replays that recursion, ``lr`` evaluates the textbook closed form (:mod:`lrspec.functional`).
The two agree to ~1e-13 relative; only ``trace`` is bit-identical to torch.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, repeat
from operator import mul
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import functional as F
from lrspec._base import Group, Schedule, Twin
from lrspec._describe import resolved
from lrspec._registry import spec_class


class _DecayTwin(Twin):
    """The decays' twins: torch has a closed form for each (used at SequentialLR restarts)."""

    has_closed_form = True


@spec_class
@attrs.frozen(kw_only=True)
class StepLR(Schedule):
    """Decay by ``gamma`` every ``step_size`` epochs.

    Formula: ``lr(e) = base_lr * gamma ** (e // step_size)``.

    Torch twin: ``torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma=0.1)``, which
    multiplies the current lr by ``gamma`` whenever ``e % step_size == 0`` (``e > 0``).

    Deviations: ``step_size`` must be an int >= 1 (torch accepts 0, which divides by zero on
    the first step, and floats/negatives, which decay at odd epochs) and ``gamma`` a finite
    number > 0. Quirk: on resume torch re-applies the decay when the resumed epoch is a
    boundary; a spec has no such state.

    >>> StepLR(step_size=2, gamma=0.5).trace(1.0, 5)
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    step_size: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    gamma: float = attrs.field(default=0.1, converter=c.as_float, validator=c.real(gt=0))

    torch_name = "torch.optim.lr_scheduler.StepLR"
    describe_format = "step decay {gamma:times} every {step_size:steps}"
    multiplicative = True
    restarts_cleanly = True
    resumable = True

    def landmarks(self, horizon: int) -> set[int]:
        return set(range(self.step_size, horizon + 1, self.step_size))

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.step_lr(epoch, base_lr, step_size=self.step_size, gamma=self.gamma)

    def twin(self, group: Group) -> Twin:
        return _StepTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        out: list[float] = []
        lr, n, size = base_lr, steps + 1, self.step_size
        while len(out) < n:
            out.extend(repeat(lr, min(size, n - len(out))))
            lr = lr * self.gamma
        return out

    def _factors(self, epoch: int, steps: int) -> list[float]:
        size = self.step_size
        factors = [1.0] * steps
        first = (epoch // size + 1) * size - epoch - 1  # index of the first boundary
        factors[first::size] = repeat(self.gamma, len(range(first, steps, size)))
        return factors


class _StepTwin(_DecayTwin):
    def __init__(self, spec: StepLR, group: Group) -> None:
        self.step_size, self.gamma = spec.step_size, spec.gamma
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        e = self.last_epoch
        if e == 0 or e % self.step_size != 0:
            return self.current()
        return self.group["lr"] * self.gamma


@spec_class
@attrs.frozen(kw_only=True)
class MultiStepLR(Schedule):
    """Decay by ``gamma`` at each milestone epoch.

    Formula: ``lr(e) = base_lr * gamma ** (number of milestones <= e)``.

    Torch twin: ``torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones, gamma=0.1)``,
    which multiplies the current lr by ``gamma`` when ``e`` is a milestone.

    ``milestones`` may be any iterable of ints (a list, a set, a range, a 1-d array, integral
    floats such as ``30.0``): torch counts them, so order is irrelevant and the spec stores
    them sorted. Deviations: a milestone must be >= 1 and appear once (torch silently
    accepts 0, which never fires, and repeats, which apply ``gamma**n`` at once); ``gamma``
    must be a finite number > 0. Quirk: like StepLR, torch decays twice when resumed on a
    milestone.

    >>> MultiStepLR(milestones=[2, 4], gamma=0.1).lr(3, 1.0)
    0.1
    """

    milestones: tuple[int, ...] = attrs.field(
        converter=c.as_sorted_step_tuple, validator=c.distinct_steps(ge=1)
    )
    gamma: float = attrs.field(default=0.1, converter=c.as_float, validator=c.real(gt=0))

    torch_name = "torch.optim.lr_scheduler.MultiStepLR"
    describe_format = "step decay {gamma:times} at {milestones:ats}"
    multiplicative = True
    restarts_cleanly = True
    resumable = True

    @property
    def total_steps(self) -> int:  # the last milestone (0 without any)
        return max(resolved(self).milestones, default=0)

    def landmarks(self, horizon: int) -> set[int]:
        return set(self.milestones)

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.multistep_lr(epoch, base_lr, milestones=self.milestones, gamma=self.gamma)

    def twin(self, group: Group) -> Twin:
        return _MultiStepTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        out: list[float] = []
        lr, n = base_lr, steps + 1
        for m in (*self.milestones, n):
            out.extend(repeat(lr, min(m, n) - len(out)))
            if len(out) >= n:
                break
            lr = lr * self.gamma
        return out

    def _factors(self, epoch: int, steps: int) -> list[float]:
        factors, ms = [1.0] * steps, self.milestones
        for m in ms[bisect_right(ms, epoch) : bisect_right(ms, epoch + steps)]:
            factors[m - epoch - 1] = self.gamma
        return factors


class _MultiStepTwin(_DecayTwin):
    def __init__(self, spec: MultiStepLR, group: Group) -> None:
        self.milestones, self.gamma = spec.milestones, spec.gamma
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        if self.last_epoch not in self.milestones:
            return self.current()
        return self.group["lr"] * self.gamma


@spec_class
@attrs.frozen(kw_only=True)
class ConstantLR(Schedule):
    """Scale the lr by ``factor`` for the first ``total_iters`` epochs.

    Formula: ``lr(e) = base_lr * factor`` for ``e < total_iters``, else ``base_lr``.

    Torch twin: ``torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1/3, total_iters=5)``.

    Quirks: torch undoes the factor by multiplying with ``1.0 / factor``, so after the window
    the lr is not always bit-equal to ``base_lr`` (factor 0.1 gives 0.10000000000000002 for
    base 0.1); ``trace`` reproduces that. Deviations: ``factor`` must be in (0, 1] (torch
    accepts 0, then divides by zero) and ``total_iters`` an int >= 1 (with 0 torch applies the
    factor and never undoes it).

    >>> ConstantLR(factor=0.5, total_iters=2).trace(1.0, 3)
    [0.5, 0.5, 1.0, 1.0]
    """

    factor: float = attrs.field(default=1.0 / 3, converter=c.as_float, validator=c.real(gt=0, le=1))
    total_iters: int = attrs.field(default=5, converter=c.as_steps, validator=c.steps(ge=1))

    torch_name = "torch.optim.lr_scheduler.ConstantLR"
    describe_format = "{factor:x} for {total_iters:steps}, then 1.0×"
    holds_after = "total_iters"
    multiplicative = True
    restarts_cleanly = True
    resumable = True

    def landmarks(self, horizon: int) -> set[int]:
        return {self.total_iters}

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.constant_lr(epoch, base_lr, factor=self.factor, total_iters=self.total_iters)

    def twin(self, group: Group) -> Twin:
        return _ConstantTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        scaled = base_lr * self.factor
        out = list(repeat(scaled, min(self.total_iters, steps + 1)))
        out.extend(repeat(scaled * (1.0 / self.factor), steps + 1 - len(out)))
        return out

    def _factors(self, epoch: int, steps: int) -> list[float]:
        factors = [1.0] * steps
        if epoch < self.total_iters <= epoch + steps:
            factors[self.total_iters - epoch - 1] = 1.0 / self.factor
        return factors


class _ConstantTwin(_DecayTwin):
    def __init__(self, spec: ConstantLR, group: Group) -> None:
        self.factor, self.total_iters = spec.factor, spec.total_iters
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        e = self.last_epoch
        if e == 0:
            return self.group["lr"] * self.factor
        if e != self.total_iters:
            return self.current()
        return self.group["lr"] * (1.0 / self.factor)


@spec_class
@attrs.frozen(kw_only=True)
class LinearLR(Schedule):
    """Interpolate the multiplier linearly from ``start_factor`` to ``end_factor``.

    Formula: ``lr(e) = base_lr * (start + (end - start) * min(e, total_iters) / total_iters)``.

    Torch twin: ``torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1/3,
    end_factor=1.0, total_iters=5)``. Torch applies a per-step ratio to the current lr, so the
    plateau value drifts by a few ulp from ``base_lr * end_factor`` (a 0.001 -> 1.0 warm-up
    over 1000 steps ends at 0.10000000000000057 for base 0.1); ``trace`` reproduces it.

    Deviations: ``total_iters`` must be an int >= 1 (torch accepts 0: its recursion then never
    moves and its closed form divides by zero). Factor ranges are torch's: ``start_factor`` in
    (0, 1], ``end_factor`` in [0, 1].

    >>> LinearLR(start_factor=0.5, total_iters=2).trace(1.0, 3)
    [0.5, 0.75, 1.0, 1.0]
    """

    start_factor: float = attrs.field(
        default=1.0 / 3, converter=c.as_float, validator=c.real(gt=0, le=1)
    )
    end_factor: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(ge=0, le=1))
    total_iters: int = attrs.field(default=5, converter=c.as_steps, validator=c.steps(ge=1))

    torch_name = "torch.optim.lr_scheduler.LinearLR"
    describe_format = "linear from {start_factor:x} to {end_factor:x} over {total_iters:steps}"
    holds_after = "total_iters"
    multiplicative = True
    restarts_cleanly = True
    resumable = True

    def landmarks(self, horizon: int) -> set[int]:
        return {self.total_iters}

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.linear_lr(
            epoch,
            base_lr,
            start_factor=self.start_factor,
            end_factor=self.end_factor,
            total_iters=self.total_iters,
        )

    def twin(self, group: Group) -> Twin:
        return _LinearTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        start, total = self.start_factor, self.total_iters
        span = self.end_factor - start
        lr = base_lr * start
        out = [lr]
        for e in range(1, min(total, steps) + 1):
            lr = lr * (1.0 + span / (total * start + (e - 1) * span))
            out.append(lr)
        out.extend(repeat(lr, steps + 1 - len(out)))
        return out

    def _factors(self, epoch: int, steps: int) -> list[float]:
        start, total, stop = self.start_factor, self.total_iters, epoch + steps
        span = self.end_factor - start
        last = max(epoch, min(total, stop))
        factors = [
            1.0 + span / (total * start + (e - 1) * span) for e in range(epoch + 1, last + 1)
        ]
        factors.extend(repeat(1.0, stop - last))
        return factors


class _LinearTwin(_DecayTwin):
    def __init__(self, spec: LinearLR, group: Group) -> None:
        self.start, self.end, self.total = spec.start_factor, spec.end_factor, spec.total_iters
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        e = self.last_epoch
        if e == 0:
            return self.group["lr"] * self.start
        if self.is_initial or e > self.total:
            return self.current()
        span = self.end - self.start
        return self.group["lr"] * (1.0 + span / (self.total * self.start + (e - 1) * span))


@spec_class
@attrs.frozen(kw_only=True)
class ExponentialLR(Schedule):
    """Multiply the lr by ``gamma`` every epoch.

    Formula: ``lr(e) = base_lr * gamma ** e``.

    Torch twin: ``torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)``, which multiplies
    the current lr by ``gamma`` each step; after many steps that product drifts a few ulp from
    ``gamma ** e`` (``trace`` follows torch).

    Deviations: ``gamma`` must be a finite number > 0 (torch accepts anything; gamma > 1,
    growth, is allowed here too, e.g. for lr range tests).

    >>> ExponentialLR(gamma=0.5).trace(1.0, 3)
    [1.0, 0.5, 0.25, 0.125]
    """

    gamma: float = attrs.field(converter=c.as_float, validator=c.real(gt=0))

    torch_name = "torch.optim.lr_scheduler.ExponentialLR"
    describe_format = "exponential {gamma:times} per step"
    multiplicative = True
    restarts_cleanly = True
    resumable = True

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.exponential_lr(epoch, base_lr, gamma=self.gamma)

    def twin(self, group: Group) -> Twin:
        return _ExponentialTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        return list(accumulate(repeat(self.gamma, steps), mul, initial=base_lr))

    def _factors(self, epoch: int, steps: int) -> list[float]:
        return [self.gamma] * steps


class _ExponentialTwin(_DecayTwin):
    def __init__(self, spec: ExponentialLR, group: Group) -> None:
        self.gamma = spec.gamma
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        if self.is_initial:
            return self.current()
        return self.group["lr"] * self.gamma


@spec_class
@attrs.frozen(kw_only=True)
class PolynomialLR(Schedule):
    """Polynomial decay to zero over ``total_iters`` epochs, then zero.

    Formula: ``lr(e) = base_lr * (1 - min(e, total_iters) / total_iters) ** power``.

    Torch twin: ``torch.optim.lr_scheduler.PolynomialLR(optimizer, total_iters=5,
    power=1.0)``, which multiplies by the ratio of consecutive factors each step and reaches
    exactly 0.0 at ``total_iters``.

    Deviations: ``total_iters`` must be an int >= 1 (0 divides by zero in torch's closed form)
    and ``power`` a finite number >= 0 (a negative power divides by zero at the end).

    >>> PolynomialLR(total_iters=4, power=1.0).trace(1.0, 5)
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    total_iters: int = attrs.field(default=5, converter=c.as_steps, validator=c.steps(ge=1))
    power: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(ge=0))

    torch_name = "torch.optim.lr_scheduler.PolynomialLR"
    describe_format = "polynomial (power {power}) over {total_iters:steps} to 0.0×"
    holds_after = "total_iters"
    multiplicative = True
    restarts_cleanly = True
    resumable = True

    def landmarks(self, horizon: int) -> set[int]:
        return {self.total_iters}

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.polynomial_lr(epoch, base_lr, total_iters=self.total_iters, power=self.power)

    def twin(self, group: Group) -> Twin:
        return _PolynomialTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        total, power = self.total_iters, self.power
        lr = base_lr
        out = [lr]
        for e in range(1, min(total, steps) + 1):
            lr = lr * ((1.0 - e / total) / (1.0 - (e - 1) / total)) ** power
            out.append(lr)
        out.extend(repeat(lr, steps + 1 - len(out)))
        return out

    def _factors(self, epoch: int, steps: int) -> list[float]:
        total, power, stop = self.total_iters, self.power, epoch + steps
        last = max(epoch, min(total, stop))
        factors = [
            ((1.0 - e / total) / (1.0 - (e - 1) / total)) ** power
            for e in range(epoch + 1, last + 1)
        ]
        factors.extend(repeat(1.0, stop - last))
        return factors


class _PolynomialTwin(_DecayTwin):
    def __init__(self, spec: PolynomialLR, group: Group) -> None:
        self.total, self.power = spec.total_iters, spec.power
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        e = self.last_epoch
        if self.is_initial or e > self.total:
            return self.current()
        ratio = (1.0 - e / self.total) / (1.0 - (e - 1) / self.total)
        return self.group["lr"] * ratio**self.power
