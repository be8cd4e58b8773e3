"""Specs that also write momentum (CyclicLR, OneCycleLR): the momentum API and its set-up.

Torch's cyclic schedulers cycle SGD's ``momentum`` (Adam's ``betas[0]``) against the lr and
keep both momenta in the param group; these are the pieces they share.
"""

from __future__ import annotations

from typing import Any

from lrspec import _xp
from lrspec._base import Schedule
from lrspec._eval_checks import check_steps
from lrspec._units import require_resolved
from lrspec.stepping import Group, set_momentum

#: The param-group keys torch's cyclic schedulers keep their momenta in.
MOMENTUM_KEYS = frozenset({"max_momentum", "base_momentum"})


class MomentumSchedule(Schedule):
    """A spec that also writes momentum (SGD ``momentum`` / Adam ``betas[0]``)."""

    cycle_momentum: bool

    @property
    def moves_momentum(self) -> bool:
        return self.cycle_momentum

    @classmethod
    def group_keys(cls, cycle_momentum: bool = False) -> tuple[frozenset[str], frozenset[str]]:
        return frozenset(), (MOMENTUM_KEYS if cycle_momentum else frozenset())

    def momentum(self, epoch: Any) -> Any:
        """The momentum (or beta1) torch writes into the group at ``epoch``."""
        require_resolved(self)
        self._require_momentum()
        xp = _xp.namespace(epoch)
        return self._momentum(xp, _xp.check_epoch(xp, epoch))

    def trace_momentum(self, steps: int) -> list[float]:
        """The momentum sequence torch writes, bit for bit (``steps + 1`` values)."""
        require_resolved(self)
        self._require_momentum()
        n = check_steps(steps)
        self._check_steps(n)
        group: Group = {"lr": 0.0, "momentum": 0.0}
        twin = self.twin(group)
        out = [group["momentum"]]
        for _ in range(n):
            twin.step()
            out.append(group["momentum"])
        return out

    def _require_momentum(self) -> None:
        if not self.cycle_momentum:
            raise ValueError(
                f"{type(self).__name__} has cycle_momentum=False: it does not schedule momentum"
            )

    def _momentum(self, xp: Any, epoch: Any) -> Any:
        raise NotImplementedError


def start_momentum(spec: MomentumSchedule, group: Group, base: float, high: float) -> None:
    """The cyclic schedulers' constructor: momentum to ``high``, both momenta in the group."""
    if not spec.cycle_momentum:
        return
    if "momentum" not in group and "betas" not in group:
        raise ValueError(
            "cycle_momentum=True needs an optimizer with momentum or betas "
            "(set cycle_momentum=False for optimizers such as Rprop)"
        )
    set_momentum(group, high)
    group["max_momentum"] = high
    group["base_momentum"] = base


__all__ = ["MOMENTUM_KEYS", "MomentumSchedule", "start_momentum"]
