"""The base of the combinators: a catalogue spec composed from its children's closed forms.

Also where a combinator becomes metric-driven: holding a metric-driven child, it steps a
runner tree (:mod:`lrspec._metric`) instead of evaluating a closed form.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from lrspec import _xp
from lrspec._base import metric_trace_args
from lrspec._catalogue import Catalogue
from lrspec._metric import MetricTwin, Runner, driven_path, metric_trace
from lrspec._units import require_resolved
from lrspec.stepping import Group, Stepper

_SCALAR = _xp.SCALAR


class Combinator(Catalogue):
    """A catalogue spec whose lr is composed from its children's closed forms (``_lr``).

    The children may have absolute lrs of their own (Join, Stretch and Clip pass ``base_lr``
    through), so the trace is ``_lr`` itself rather than ``base_lr * _factor``.

    A combinator holding a metric-driven spec (Join, Warmup, Product and Clip may) is itself
    metric-driven: ``lr`` raises, ``trace(base_lr, metrics=[...])`` and the twin step its
    runner (:mod:`lrspec._metric`, built by ``_runner``) one metric at a time.
    """

    @functools.cached_property
    def metric_driven(self) -> bool:  # type: ignore[override]
        """Whether a child (at any depth) is metric-driven: then so is the combinator."""
        return any(child.metric_driven for child in self.children)

    def lr(self, epoch: Any, base_lr: float) -> Any:
        if self.metric_driven:
            raise TypeError(
                f"{type(self).__name__} is metric-driven ({driven_path(self)} reacts to the "
                "metrics seen): it has no lr(epoch); use "
                "trace(base_lr, metrics=[...]) or SpecLR(optimizer, spec).step(metric)"
            )
        return super().lr(epoch, base_lr)

    def trace(
        self,
        base_lr: float,
        steps: int | None = None,
        *,
        metrics: Sequence[float] | None = None,
    ) -> list[float]:
        """The lr sequence: ``steps + 1`` values, or ``len(metrics) + 1`` if metric-driven."""
        if self.metric_driven:
            require_resolved(self)
            base, values = metric_trace_args(self, base_lr, steps, metrics)
            return metric_trace(self, base, values)
        return super().trace(base_lr, steps, metrics=metrics)

    def twin(self, group: Group) -> Stepper:
        return MetricTwin(self, group) if self.metric_driven else super().twin(group)

    def _runner(self, base: float) -> Runner:
        """The step-by-step evaluation of a metric-driven combinator (:mod:`lrspec._metric`)."""
        raise NotImplementedError

    def _factor(self, xp: Any, t: Any) -> Any:
        return self._lr(xp, t, 1.0)

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        raise NotImplementedError

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        lr, scalar = self._lr, _SCALAR
        return [lr(scalar, e, base_lr) for e in range(steps + 1)]

    def _continue(
        self, base_lr: float, lr: float, epoch: int, steps: int, out: list[float]
    ) -> None:
        f, scalar = self._lr, _SCALAR
        out.extend(f(scalar, e, base_lr) for e in range(epoch + 1, epoch + steps + 1))


__all__ = ["Combinator"]
