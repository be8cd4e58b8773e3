"""SWALR: the stochastic-weight-averaging lr anneal (``torch.optim.swa_utils.SWALR``)."""

from __future__ import annotations

from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import functional as F
from lrspec._base import Group, Schedule, Twin
from lrspec._registry import spec_class

#: Torch keeps ``swa_lr`` only in the param group.
_GROUP_KEYS = frozenset({"swa_lr"})


@spec_class
@attrs.frozen(kw_only=True)
class SWALR(Schedule):
    """Anneal from the current lr to ``swa_lr`` over ``anneal_epochs``, then hold it.

    Formula: ``lr(e) = swa_lr * a + base_lr * (1 - a)`` with
    ``a = f(min(e / anneal_epochs, 1))``, ``f(t) = (1 - cos(pi t)) / 2`` for ``"cos"`` and
    ``f(t) = t`` for ``"linear"``; ``anneal_epochs=0`` gives ``swa_lr`` from epoch 0 on.

    Torch twin: ``torch.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs=10,
    anneal_strategy="cos")``. Torch un-blends the previous step's lr and re-blends each step,
    so it agrees with the formula to rounding (the un-blend loses precision as
    ``1 / (1 - a)`` near the end of a long cosine anneal); ``trace`` replays it bit for bit.
    Quirks, reproduced: the step counter, not the epoch, drives it; an outside change to the
    lr is folded into the blend; in a SequentialLR, SWALR anneals from the lr the previous
    child left rather than from ``base_lr``.

    Deviations: ``swa_lr`` must be a finite number >= 0 (a scalar: use one spec per group).

    >>> SWALR(swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear").trace(1.0, 3)
    [1.0, 0.55, 0.1, 0.1]
    """

    swa_lr: float = attrs.field(converter=c.as_float, validator=c.real(ge=0))
    anneal_epochs: int = attrs.field(default=10, converter=c.as_steps, validator=c.steps(ge=0))
    anneal_strategy: str = attrs.field(
        default="cos", converter=c.as_str, validator=c.one_of("cos", "linear")
    )

    torch_name = "torch.optim.swa_utils.SWALR"
    describe_format = "{anneal_strategy} anneal to {swa_lr:lr} over {anneal_epochs:steps}"
    holds_after = "anneal_epochs"
    scales_with_base_lr = False  # absolute lrs of its own

    @classmethod
    def group_keys(cls, cycle_momentum: bool = False) -> tuple[frozenset[str], frozenset[str]]:
        return _GROUP_KEYS, _GROUP_KEYS

    def landmarks(self, horizon: int) -> set[int]:
        return {self.anneal_epochs}

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.swa_lr(
            epoch,
            base_lr,
            swa_lr=self.swa_lr,
            anneal_epochs=self.anneal_epochs,
            anneal_strategy=self.anneal_strategy,
        )

    def twin(self, group: Group) -> Twin:
        return _SWATwin(self, group)


class _SWATwin(Twin):
    def __init__(self, spec: SWALR, group: Group) -> None:
        group["swa_lr"] = spec.swa_lr
        self.anneal_epochs = spec.anneal_epochs
        self.strategy = spec.anneal_strategy
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        group, n = self.group, self.anneal_epochs
        step = self.step_count - 1
        if n == 0:
            step = max(1, step)
        prev_alpha = F.swa_alpha(max(0, min(1, (step - 1) / max(1, n))), self.strategy)
        swa = group["swa_lr"]
        prev_lr = swa if prev_alpha == 1 else (group["lr"] - prev_alpha * swa) / (1 - prev_alpha)
        alpha = F.swa_alpha(max(0, min(1, step / max(1, n))), self.strategy)
        return swa * alpha + prev_lr * (1 - alpha)
