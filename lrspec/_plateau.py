"""ReduceLROnPlateau: the one metric-driven torch scheduler."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import neg
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec._base import Schedule, load_keys, metric_trace_args
from lrspec._metric import Driven
from lrspec._registry import spec_class
from lrspec.stepping import Group, Stepper, write


@spec_class
@attrs.frozen(kw_only=True)
class ReduceLROnPlateau(Schedule):
    """Multiply the lr by ``factor`` when the metric stops improving for ``patience`` steps.

    Rule: a metric is *better* than the best so far when ``a < best * (1 - threshold)``
    (``mode="min"``, ``threshold_mode="rel"``), ``a < best - threshold`` (min/abs),
    ``a > best * (1 + threshold)`` (max/rel) or ``a > best + threshold`` (max/abs). After more
    than ``patience`` consecutive non-better steps the lr becomes ``max(lr * factor, min_lr)``
    -- only if that lowers it by more than ``eps`` -- and ``cooldown`` steps are ignored.

    Torch twin: ``torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min",
    factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0,
    eps=1e-8)``. It is driven by metrics, so :meth:`lr` raises; use
    ``trace(base_lr, metrics=[...])``. Quirks, reproduced: with a constant metric the first
    cut comes on the ``patience + 2``-th step (the first sets ``best``); NaN is never better;
    in ``"rel"`` mode a *negative* metric that got worse can count as better; ``eps`` stops
    cuts once they are tiny (lr 0.25, factor 0.1 stalls at 2.5000000000000013e-09).

    Deviations: ``factor`` must be in (0, 1) (torch accepts <= 0); ``patience``/``cooldown``
    are ints >= 0; ``threshold``, ``min_lr`` and ``eps`` finite numbers >= 0; ``min_lr`` is a
    scalar (use one spec per group).

    >>> ReduceLROnPlateau(patience=1).trace(1.0, metrics=[3, 3, 3, 3])
    [1.0, 1.0, 1.0, 0.1, 0.1]
    """

    metric_driven = True
    torch_name = "torch.optim.lr_scheduler.ReduceLROnPlateau"
    scales_with_base_lr = False  # min_lr and eps are absolute lrs

    mode: str = attrs.field(default="min", converter=c.as_str, validator=c.one_of("min", "max"))
    factor: float = attrs.field(default=0.1, converter=c.as_float, validator=c.real(gt=0, lt=1))
    patience: int = attrs.field(default=10, converter=c.as_int, validator=c.integer(ge=0))
    threshold: float = attrs.field(default=1e-4, converter=c.as_float, validator=c.real(ge=0))
    threshold_mode: str = attrs.field(
        default="rel", converter=c.as_str, validator=c.one_of("rel", "abs")
    )
    cooldown: int = attrs.field(default=0, converter=c.as_int, validator=c.integer(ge=0))
    min_lr: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))
    eps: float = attrs.field(default=1e-8, converter=c.as_float, validator=c.real(ge=0))

    def lr(self, epoch: Any, base_lr: float) -> Any:
        raise TypeError(
            "ReduceLROnPlateau is metric-driven and has no lr(epoch); "
            "use trace(base_lr, metrics=[...])"
        )

    def trace(
        self,
        base_lr: float,
        steps: int | None = None,
        *,
        metrics: Sequence[float] | None = None,
    ) -> list[float]:
        """The lr after each metric, bit for bit: ``len(metrics) + 1`` values."""
        base, values = metric_trace_args(self, base_lr, steps, metrics)
        # PlateauTwin.step on locals, with the same float operations, in two or three tests
        # a step. ``bar`` is torch's threshold (``best * rel`` or ``best - threshold``),
        # recomputed only when ``best`` changes. Mode "max" runs as "min" on negated
        # metrics: ``a > best * r`` iff ``-a < -best * r`` and ``a > best + t`` iff
        # ``-a < -best - t``, exactly (IEEE rounding is sign-symmetric; NaN compares false
        # either way). A cooldown of c steps left is ``bad == -c``: torch zeroes its bad
        # count on each of those steps, so it reaches 0 as the cooldown ends, as ours does.
        _, term = _better(self)
        relative = self.threshold_mode == "rel"
        stream = values if self.mode == "min" else map(neg, values)
        patience, cooldown = self.patience, self.cooldown
        factor, min_lr, eps = self.factor, self.min_lr, self.eps
        lr = base
        bar = math.inf * term if relative else math.inf - term  # best starts at (-)inf
        bad = 0
        out = [lr]
        for current in stream:
            if current < bar:  # better: best = current
                bar = current * term if relative else current - term
                bad = bad + 1 if bad < 0 else 0
            elif bad < patience:
                bad += 1
            else:  # bad + 1 > patience (never in a cooldown): cut, then cool down
                new = max(lr * factor, min_lr)
                if lr - new > eps:
                    lr = new
                bad = -cooldown
            out.append(lr)  # (specialised by CPython: faster than a cached bound method)
        return out

    def twin(self, group: Group) -> Stepper:
        return PlateauTwin(self, group)

    def _runner(self, base: float) -> Driven:
        """Inside a composition: the twin on a private group holding this spec's own lr."""
        return Driven(self, base)

    def describe(self) -> str:
        from lrspec._describe import render

        return render(self, "{factor:times} on plateau ({mode}, patience {patience})")


class PlateauTwin:
    """Mirror of torch's ReduceLROnPlateau state machine on one param group."""

    state_keys = ("last_epoch", "best", "cooldown_counter", "num_bad_epochs")

    def __init__(self, spec: ReduceLROnPlateau, group: Group) -> None:
        self.spec = spec
        self.group = group
        self.last_epoch = 0
        self.best = math.inf if spec.mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        # torch's _is_better, with its threshold term computed once (the same float)
        self.better, self.term = _better(spec)

    def step(self, metric: Any = None) -> None:
        if metric is None:
            raise TypeError("ReduceLROnPlateau is metric-driven: step(metric) needs the metric")
        spec = self.spec
        current = float(metric)
        self.last_epoch += 1
        if self.better(current, self.best, self.term):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > spec.patience:
            old = float(self.group["lr"])
            new = max(old * spec.factor, spec.min_lr)
            if old - new > spec.eps:
                write(self.group, "lr", new)
            self.cooldown_counter = spec.cooldown
            self.num_bad_epochs = 0

    def bind(self, group: Group) -> None:
        self.group = group

    def _not_sequential(self) -> None:
        raise TypeError(
            "ReduceLROnPlateau is metric-driven: torch's SequentialLR cannot drive it "
            "(torch refuses its own ReduceLROnPlateau there too)"
        )

    def undo(self) -> None:
        self._not_sequential()

    def initial_step(self) -> None:
        self._not_sequential()

    def restart(self, epoch: int) -> None:
        self._not_sequential()

    def state_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.state_keys}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_keys(self, state, self.state_keys)


def _below(a: float, best: float, rel: float) -> bool:
    return a < best * rel


def _below_minus(a: float, best: float, threshold: float) -> bool:
    return a < best - threshold


def _above(a: float, best: float, rel: float) -> bool:
    return a > best * rel


def _above_plus(a: float, best: float, threshold: float) -> bool:
    return a > best + threshold


def _better(spec: ReduceLROnPlateau) -> tuple[Callable[[float, float, float], bool], float]:
    """torch's ``_is_better`` for ``spec``: the comparison and its threshold term."""
    if spec.mode == "min":
        if spec.threshold_mode == "rel":
            return _below, 1.0 - spec.threshold
        return _below_minus, spec.threshold
    if spec.threshold_mode == "rel":
        return _above, spec.threshold + 1.0
    return _above_plus, spec.threshold
