"""CosineAnnealingLR: torch's recursive cosine, periodic past ``T_max`` (a chainable decay).

Kept apart from :mod:`lrspec._decay` for size only: it is one of torch's recursive schedulers,
replayed by a ``_DecayTwin`` like the others there.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import functional as F
from lrspec._base import Group, Schedule, Twin
from lrspec._decay import _DecayTwin
from lrspec._registry import spec_class


@spec_class
@attrs.frozen(kw_only=True)
class CosineAnnealingLR(Schedule):
    """Cosine annealing from ``base_lr`` to ``eta_min`` over ``T_max`` epochs.

    Formula: ``lr(e) = eta_min + (base_lr - eta_min) * (1 + cos(pi * e / T_max)) / 2``.

    Torch twin: ``torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max,
    eta_min=0.0)``. Quirks, reproduced: past ``T_max`` the lr does **not** stay at
    ``eta_min`` -- it climbs back along the cosine and reaches ``base_lr`` again at
    ``2 * T_max`` (the formula is periodic). Torch's recursion multiplies ``lr - eta_min`` by a
    ratio of cosines, except on the step after each trough, where it *adds*
    ``(base_lr - eta_min) * (1 - cos(pi / T_max)) / 2``; in a ChainedScheduler that step
    overwrites the other children's effect.

    Deviations: ``T_max`` must be an int >= 1 (torch divides by zero for 0 and runs negative
    values) and ``eta_min`` a finite number >= 0.

    >>> CosineAnnealingLR(T_max=2).trace(1.0, 4)
    [1.0, 0.5, 0.0, 0.49999999999999994, 1.0]
    """

    T_max: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    eta_min: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))

    torch_name = "torch.optim.lr_scheduler.CosineAnnealingLR"
    describe_format = "cosine annealing over {T_max:steps} to {eta_min:lr}, periodic"
    restarts_cleanly = True
    resumable = True

    @property
    def scales_with_base_lr(self) -> bool:
        return self.eta_min == 0.0  # eta_min is an absolute lr

    def landmarks(self, horizon: int) -> set[int]:
        return set(range(self.T_max, horizon + 1, self.T_max))

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.cosine_annealing_lr(epoch, base_lr, T_max=self.T_max, eta_min=self.eta_min)

    def twin(self, group: Group) -> Twin:
        return _CosineTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        out = [base_lr]
        self._continue(base_lr, base_lr, 0, steps, out)
        return out

    def _continue(
        self, base_lr: float, lr: float, epoch: int, steps: int, out: list[float]
    ) -> None:
        # The twin's recursion, inlined: this is the hot loop of a cosine trace. torch's
        # cos(pi * (e - 1) / T) is the previous step's cos(pi * e / T): carried, not recomputed.
        t, eta, cos, pi = self.T_max, self.eta_min, math.cos, math.pi
        bump = (base_lr - eta) * (1 - cos(pi / t)) / 2
        append = out.append
        stop, first = epoch + steps, epoch + 1
        prev = cos(pi * epoch / t)
        # torch adds ``bump`` on the step after each trough (e = T + 1, 3T + 1, ...).
        trough = first + (t + 1 - first) % (2 * t)
        while first <= stop:
            for e in range(first, min(trough, stop + 1)):
                c = cos(pi * e / t)
                lr = (1 + c) / (1 + prev) * (lr - eta) + eta
                append(lr)
                prev = c
            if trough <= stop:
                lr = lr + bump
                append(lr)
                prev = cos(pi * trough / t)
            first, trough = trough + 1, trough + 2 * t


class _CosineTwin(_DecayTwin):
    def __init__(self, spec: CosineAnnealingLR, group: Group) -> None:
        self.T_max, self.eta_min = spec.T_max, spec.eta_min
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        e, t, eta = self.last_epoch, self.T_max, self.eta_min
        lr = self.group["lr"]
        if self.is_initial:
            return self.current()
        # torch has a closed-form branch for ``_step_count == 1 and e > 0`` here; stepping
        # can never reach it (the constructor's own step makes the count 1 before any user
        # step), so it is omitted.
        if (e - 1 - t) % (2 * t) == 0:
            return lr + (self.base - eta) * (1 - math.cos(math.pi / t)) / 2
        return (1 + math.cos(math.pi * e / t)) / (1 + math.cos(math.pi * (e - 1) / t)) * (
            lr - eta
        ) + eta
