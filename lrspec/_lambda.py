"""User-function schedules: LambdaLR (absolute factor) and MultiplicativeLR (per-step factor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import functional as F
from lrspec._base import Group, Schedule, Twin
from lrspec._registry import fn_repr, spec_class


@spec_class
@attrs.frozen(kw_only=True)
class LambdaLR(Schedule):
    """The lr is ``base_lr`` times a function of the epoch.

    Formula: ``lr(e) = base_lr * lr_lambda(e)``.

    Torch twin: ``torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)``. Torch's value is
    absolute in ``base_lr``, so inside a ChainedScheduler it overwrites the children before
    it. ``lr_lambda`` is one callable (torch also takes a list, one per param group: use one
    spec per group instead). ``lr`` on an array calls ``lr_lambda`` once per element, with
    Python ints for integral epochs, as torch does.

    Saving: ``to_dict`` needs the function registered with :func:`lrspec.register_function`.

    >>> LambdaLR(lr_lambda=lambda e: 1 / (e + 1)).trace(1.0, 3)
    [1.0, 0.5, 0.3333333333333333, 0.25]
    """

    lr_lambda: Callable[[int], float] = attrs.field(validator=c.function, repr=fn_repr)

    torch_name = "torch.optim.lr_scheduler.LambdaLR"
    describe_format = "base_lr × {lr_lambda}(step)"
    restarts_cleanly = True
    resumable = True

    def _continue(
        self, base_lr: float, lr: float, epoch: int, steps: int, out: list[float]
    ) -> None:
        # torch's get_lr is absolute: base * lr_lambda(epoch), whatever the lr was
        # (appending as it goes: on an error from lr_lambda, out holds the steps before)
        fn, append = self.lr_lambda, out.append
        for e in range(epoch + 1, epoch + steps + 1):
            append(base_lr * fn(e))

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.lambda_lr(epoch, base_lr, lr_lambda=self.lr_lambda)

    def twin(self, group: Group) -> Twin:
        return _LambdaTwin(self, group)


class _LambdaTwin(Twin):
    def __init__(self, spec: LambdaLR, group: Group) -> None:
        self.fn = spec.lr_lambda
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        return self.base * self.fn(self.last_epoch)


@spec_class
@attrs.frozen(kw_only=True)
class MultiplicativeLR(Schedule):
    """Each step multiplies the lr by ``lr_lambda(epoch)``.

    Formula: ``lr(e) = base_lr * lr_lambda(1) * lr_lambda(2) * ... * lr_lambda(e)``.

    Torch twin: ``torch.optim.lr_scheduler.MultiplicativeLR(optimizer, lr_lambda)``. The
    function is first called with epoch 1 (not 0). Quirk, reproduced: when SequentialLR
    switches to a MultiplicativeLR at a milestone, torch calls ``lr_lambda(0)`` and continues
    from the previous child's lr instead of restarting at ``base_lr``.

    There is no closed form: ``lr(e)`` replays the product (O(e)), and ``lr_lambda`` is
    evaluated in the same order as torch, so ``lr`` equals ``trace`` exactly.

    >>> MultiplicativeLR(lr_lambda=lambda e: 0.5).trace(1.0, 3)
    [1.0, 0.5, 0.25, 0.125]
    """

    lr_lambda: Callable[[int], float] = attrs.field(validator=c.function, repr=fn_repr)

    torch_name = "torch.optim.lr_scheduler.MultiplicativeLR"
    describe_format = "× {lr_lambda}(step) at each step, compounded"
    closed_form = False  # lr replays the trace: each step multiplies the lr before it

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return self._replay_lr(xp, epoch, base_lr)

    def twin(self, group: Group) -> Twin:
        return _MultiplicativeTwin(self, group)


class _MultiplicativeTwin(Twin):
    def __init__(self, spec: MultiplicativeLR, group: Group) -> None:
        self.fn = spec.lr_lambda
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        if self.is_initial:
            return self.current()
        return self.group["lr"] * self.fn(self.last_epoch)
