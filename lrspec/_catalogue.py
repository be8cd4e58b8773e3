"""The base of lrspec's own schedules (the catalogue): no torch twin, no torch quirks.

A catalogue spec is a *factor* of ``base_lr``: ``spec.lr(t, base_lr) == base_lr * f(t)``, so
``base_lr`` is the peak and levels are ``*_factor`` fields. ``t`` counts optimizer steps and
may be fractional, a numpy array or a torch tensor. A finite schedule holds its last value
past its end. ``trace(base_lr, steps)`` is the closed form at ``0 .. steps``.

Applied to an optimizer (``lrspec_torch.SpecLR``), a catalogue spec behaves like torch's
``LambdaLR`` with ``lr_lambda = f``: each step writes ``initial_lr * f(step)``, and torch's
``SequentialLR`` restarts it at its own step 0.
"""

from __future__ import annotations

from typing import Any

from lrspec import _xp
from lrspec._base import Schedule, Twin
from lrspec.stepping import Group, Stepper


class Catalogue(Schedule):
    """Base class of the catalogue specs: implement :meth:`_factor` (vectorised ``f(t)``)."""

    restarts_cleanly = True
    resumable = True

    def _factor(self, xp: Any, t: Any) -> Any:
        """``f(t)``, the multiplier of ``base_lr``, for ``t`` of namespace ``xp``."""
        raise NotImplementedError

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return base_lr * self._factor(xp, epoch)

    def twin(self, group: Group) -> Stepper:
        return _FactorTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        factor, scalar = self._factor, _xp.SCALAR
        return [base_lr * factor(scalar, e) for e in range(steps + 1)]

    def _continue(
        self, base_lr: float, lr: float, epoch: int, steps: int, out: list[float]
    ) -> None:
        factor, scalar, append = self._factor, _xp.SCALAR, out.append
        for e in range(epoch + 1, epoch + steps + 1):
            append(base_lr * factor(scalar, e))


class _FactorTwin(Twin):
    """Steps a catalogue spec as torch steps a ``LambdaLR``: ``initial_lr * f(epoch)``."""

    has_closed_form = True

    def get_lr(self) -> Any:
        return self.closed_form()


__all__ = ["Catalogue"]
