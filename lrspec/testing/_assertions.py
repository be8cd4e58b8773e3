"""Equivalence assertions against any scheduler-like object (torch or your own)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from lrspec import (
    Schedule,
)

# --- assertions ---------------------------------------------------------------------------


class SchedulerLike(Protocol):
    """What :func:`assert_trace_matches` drives: torch's scheduler interface."""

    def step(self, *args: Any) -> Any: ...

    def get_last_lr(self) -> Sequence[Any]: ...


Sched = TypeVar("Sched", bound=SchedulerLike)


def same_float(a: float, b: float) -> bool:
    """Bit equality of floats: ``==`` that also tells -0.0 from 0.0 and lets NaN equal NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def assert_trace_matches(
    spec: Schedule,
    make_scheduler: Callable[[float], Sched],
    base_lr: float,
    steps: int | None = None,
    *,
    metrics: Sequence[float] | None = None,
    optimizer_step: Callable[[Sched], object] | None = None,
) -> list[float]:
    """Assert that ``spec.trace`` equals a live scheduler's lr sequence, bit for bit.

    ``make_scheduler(base_lr)`` must build a fresh scheduler on a fresh optimizer whose lr is
    ``base_lr``. Its ``get_last_lr()[0]`` is read right after construction and after each of
    ``steps`` calls to ``step()`` -- or, with ``metrics``, after each ``step(metric)``
    (``steps`` may then be left out). ``optimizer_step(scheduler)``, if given, runs before
    every scheduler step; for torch pass ``lambda s: s.optimizer.step()``, which keeps torch
    from warning that the optimizer never stepped.

    Values are compared with :func:`same_float` (so ``-0.0 != 0.0``). On the first
    difference it raises ``AssertionError`` naming the step and both values' ``repr``.
    Returns the scheduler's sequence (as floats), e.g. to compare it further.

    >>> import lrspec
    >>> class Countdown:
    ...     def __init__(self, lr):
    ...         self.lr, self.e = lr, 0
    ...     def step(self):
    ...         self.e += 1
    ...         self.lr = self.lr * (0.5 if self.e % 2 == 0 else 1.0)
    ...     def get_last_lr(self):
    ...         return [self.lr]
    >>> spec = lrspec.StepLR(step_size=2, gamma=0.5)
    >>> assert_trace_matches(spec, Countdown, 1.0, 4)
    [1.0, 1.0, 0.5, 0.5, 0.25]
    >>> assert_trace_matches(lrspec.StepLR(step_size=3, gamma=0.5), Countdown, 1.0, 4)
    Traceback (most recent call last):
    ...
    AssertionError: StepLR(step_size=3, gamma=0.5) with base_lr=1.0: first difference at step 2: spec.trace gives 1.0, the scheduler gives 0.5
    """  # noqa: E501
    if metrics is not None:
        metric_list = list(metrics)
        if steps is not None and steps != len(metric_list):
            raise ValueError(
                f"steps must equal len(metrics) when both are given, got steps={steps!r} "
                f"and {len(metric_list)} metrics"
            )
        expected = spec.trace(base_lr, metrics=metric_list)
    else:
        if steps is None:
            raise TypeError("assert_trace_matches needs steps (or metrics), got neither")
        metric_list = []
        expected = spec.trace(base_lr, steps)
    n = len(expected) - 1

    scheduler = make_scheduler(base_lr)
    actual = [float(scheduler.get_last_lr()[0])]
    _check_step(spec, base_lr, 0, expected, actual)
    for k in range(1, n + 1):
        if optimizer_step is not None:
            optimizer_step(scheduler)
        if metrics is not None:
            scheduler.step(metric_list[k - 1])
        else:
            scheduler.step()
        actual.append(float(scheduler.get_last_lr()[0]))
        _check_step(spec, base_lr, k, expected, actual)
    return actual


def _check_step(
    spec: Schedule, base_lr: float, k: int, expected: list[float], actual: list[float]
) -> None:
    if not same_float(expected[k], actual[k]):
        raise AssertionError(
            f"{spec!r} with base_lr={base_lr!r}: first difference at step {k}: "
            f"spec.trace gives {expected[k]!r}, the scheduler gives {actual[k]!r}"
        )


def assert_lr_close(
    spec: Schedule,
    values: Sequence[float],
    base_lr: float,
    *,
    rel: float = 1e-9,
    abs: float = 1e-12,
) -> None:
    """Assert ``spec.lr(k, base_lr)`` is close to ``values[k]`` for every k.

    Closeness is :func:`math.isclose` with ``rel_tol=rel`` and ``abs_tol=abs`` -- lrspec's
    promise for closed forms against torch. Raises ``AssertionError`` naming the first epoch
    that is off, both values and their relative gap.

    >>> import lrspec
    >>> assert_lr_close(lrspec.ExponentialLR(gamma=0.5), [1.0, 0.5, 0.25], 1.0)
    >>> assert_lr_close(lrspec.ExponentialLR(gamma=0.5), [1.0, 0.5, 0.2], 1.0)
    Traceback (most recent call last):
    ...
    AssertionError: ExponentialLR(gamma=0.5) with base_lr=1.0: spec.lr(2) = 0.25, expected 0.2 (relative gap 0.25; rel=1e-09, abs=1e-12)
    """  # noqa: E501
    for k, want in enumerate(values):
        got = spec.lr(k, base_lr)
        if not math.isclose(got, want, rel_tol=rel, abs_tol=abs):
            gap = math.fabs(got - want) / math.fabs(want) if want else math.inf
            raise AssertionError(
                f"{spec!r} with base_lr={base_lr!r}: spec.lr({k}) = {got!r}, expected "
                f"{want!r} (relative gap {gap:.3g}; rel={rel!r}, abs={abs!r})"
            )
