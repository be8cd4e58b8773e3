"""One pure function per learning-rate formula (the closed forms).

Every function takes ``epoch`` (a Python number, a numpy array or a torch tensor) and
returns the same kind: a float for a number, an array/tensor for an array/tensor. Integer
arrays are promoted to float64. The spec classes in :mod:`lrspec` bind the parameters and call
these; each formula is written once, here.

>>> from lrspec.functional import cosine_annealing_lr
>>> cosine_annealing_lr(50, 0.1, T_max=100, eta_min=0.0)
0.05
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Any

from lrspec import _xp
from lrspec._combinator_formulas import warmup_ramp
from lrspec._curve_formulas import (
    interpolate,
    inverse_sqrt,
    inverse_time,
    piecewise_constant,
    tanh_decay,
)
from lrspec._shape_formulas import (
    constant_factor,
    cosine_decay,
    exponential_decay,
    linear_decay,
    one_minus_sqrt_decay,
    polynomial_decay,
)

_PI = math.pi
#: The types that take each formula's plain-number fast path: Python ints and floats (not
#: bool, not numpy scalars). The fast paths spell out the ``_xp.SCALAR`` operations inline
#: (math.cos for ``cos``/``cos_``, ``/`` for ``div_``, ``min``, ``bisect_right``, identity
#: for ``cast``), in the same order, so they give the same floats bit for bit.
_PLAIN = (int, float)
_INF = float("inf")
_cos = math.cos
_floor = math.floor
_bisect_right = bisect.bisect_right


_ns = _xp.with_floats


def step_lr(epoch: Any, base_lr: float, *, step_size: int, gamma: float) -> Any:
    """``base_lr * gamma ** floor(epoch / step_size)``."""
    if type(epoch) in _PLAIN:
        try:
            return base_lr * gamma ** (epoch // step_size)
        except OverflowError:  # Python's pow raises where arrays give inf: give inf too
            return base_lr * _INF
    _, e = _ns(epoch)
    try:
        return base_lr * gamma ** (e // step_size)
    except OverflowError:  # a number of a subclass (arrays give inf)
        return base_lr * _INF


def multistep_lr(epoch: Any, base_lr: float, *, milestones: tuple[int, ...], gamma: float) -> Any:
    """``base_lr * gamma ** (number of milestones <= epoch)``."""
    if type(epoch) in _PLAIN:
        try:
            return base_lr * gamma ** _bisect_right(milestones, epoch)
        except OverflowError:
            return base_lr * _INF
    xp, e = _ns(epoch)
    try:
        return base_lr * gamma ** xp.cast(xp.count_le(milestones, e), e)
    except OverflowError:
        return base_lr * _INF


def constant_lr(epoch: Any, base_lr: float, *, factor: float, total_iters: int) -> Any:
    """``base_lr * factor`` while ``epoch < total_iters``, then ``base_lr``."""
    if type(epoch) in _PLAIN:
        return base_lr * (factor + (epoch >= total_iters) * (1 - factor))
    xp, e = _ns(epoch)
    return base_lr * (factor + xp.cast(e >= total_iters, e) * (1 - factor))


def linear_lr(
    epoch: Any,
    base_lr: float,
    *,
    start_factor: float,
    end_factor: float,
    total_iters: int,
) -> Any:
    """``base_lr * (start + (end - start) * min(epoch, total_iters) / total_iters)``."""
    if type(epoch) in _PLAIN:
        return base_lr * (
            start_factor + (end_factor - start_factor) * min(epoch, total_iters) / total_iters
        )
    xp, e = _ns(epoch)
    span = end_factor - start_factor
    return base_lr * (start_factor + span * xp.minimum(e, total_iters) / total_iters)


def exponential_lr(epoch: Any, base_lr: float, *, gamma: float) -> Any:
    """``base_lr * gamma ** epoch``."""
    if type(epoch) in _PLAIN:
        try:
            return base_lr * gamma**epoch
        except OverflowError:
            return base_lr * _INF
    _, e = _ns(epoch)
    try:
        return base_lr * gamma**e
    except OverflowError:
        return base_lr * _INF


def polynomial_lr(epoch: Any, base_lr: float, *, total_iters: int, power: float) -> Any:
    """``base_lr * (1 - min(epoch, total_iters) / total_iters) ** power``."""
    if type(epoch) in _PLAIN:
        return base_lr * (1.0 - min(epoch, total_iters) / total_iters) ** power
    xp, e = _ns(epoch)
    return base_lr * (1.0 - xp.minimum(e, total_iters) / total_iters) ** power


def cosine_annealing_lr(epoch: Any, base_lr: float, *, T_max: int, eta_min: float) -> Any:
    """``eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2`` (periodic)."""
    if type(epoch) in _PLAIN:
        return eta_min + (base_lr - eta_min) * (1 + _cos(_PI * epoch / T_max)) / 2
    xp, e = _ns(epoch)
    # cos_/div_ work in place on the temporary ``_PI * e`` (numpy then reuses the
    # temporaries of the outer expression too), which keeps a 1e6-step curve near bare numpy.
    return eta_min + (base_lr - eta_min) * (1 + xp.cos_(xp.div_(_PI * e, T_max))) / 2


def cosine_annealing_warm_restarts_lr(
    epoch: Any, base_lr: float, *, T_0: int, T_mult: int, eta_min: float
) -> Any:
    """Cosine from ``base_lr`` to ``eta_min`` over cycles of length ``T_0 * T_mult**i``.

    With ``T_cur`` the epochs since the last restart and ``T_i`` the current cycle length:
    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``.
    """
    if type(epoch) in _PLAIN:
        if T_mult == 1:
            t_cur, t_len = epoch % T_0, T_0
        else:  # the array path below, with Python's if for xp.where
            k = _floor(math.log(epoch * (T_mult - 1) / T_0 + 1) / math.log(T_mult))
            if epoch < T_0 * (T_mult**k - 1) / (T_mult - 1):
                k = k - 1
            if epoch >= T_0 * (T_mult ** (k + 1) - 1) / (T_mult - 1):
                k = k + 1
            t_cur = epoch - T_0 * (T_mult**k - 1) / (T_mult - 1)
            t_len = T_0 * T_mult**k
        return eta_min + (base_lr - eta_min) * (1 + _cos(_PI * t_cur / t_len)) / 2
    xp, e = _ns(epoch)
    if T_mult == 1:
        t_cur = e % T_0
        t_i: Any = T_0
    else:
        # The cycle index n satisfies start(n) <= e < start(n + 1), where
        # start(n) = T_0 * (T_mult**n - 1) / (T_mult - 1). The log gives n up to rounding;
        # the two corrections below make it exact (torch's step(epoch) skips them, see
        # CosineAnnealingWarmRestarts).
        n = xp.floor(xp.log(e * (T_mult - 1) / T_0 + 1) / math.log(T_mult))

        def start(k: Any) -> Any:
            return T_0 * (T_mult**k - 1) / (T_mult - 1)

        n = xp.where(e < start(n), n - 1, n)
        n = xp.where(e >= start(n + 1), n + 1, n)
        t_cur = e - start(n)
        t_i = T_0 * T_mult**n
    return eta_min + (base_lr - eta_min) * (1 + xp.cos(_PI * t_cur / t_i)) / 2


def cyclic_scale(mode: str, gamma: float, xp: Any, x: Any) -> Any:
    """The built-in CyclicLR amplitude scalings."""
    if mode == "triangular":
        return 1.0
    if mode == "triangular2":
        if xp is None or xp is _xp.SCALAR:  # plain numbers
            try:
                return 1 / (2.0 ** (x - 1))  # torch's expression
            except OverflowError:  # past 1024 cycles, where torch raises: the limit, as arrays
                return 0.0
        # the same powers of two on arrays, underflowing to 0 instead of overflowing
        return 0.5 ** (x - 1)
    if xp is None or xp is _xp.SCALAR:
        try:
            return gamma**x  # exp_range
        except OverflowError:
            return _INF
    return gamma**x


def cyclic_lr(
    epoch: Any,
    *,
    base_lr: float,
    max_lr: float,
    step_size_up: int,
    step_size_down: int | None,
    mode: str,
    gamma: float,
    scale_fn: Callable[[Any], float] | None,
    scale_mode: str,
    momentum: bool = False,
) -> Any:
    """Triangular cycles between ``base_lr`` and ``max_lr`` (torch's CyclicLR formula).

    ``cycle = floor(1 + e / total)``, ``x = 1 + e / total - cycle``, the rise/fall fraction
    ``s = x / ratio`` on the way up and ``(x - 1) / (ratio - 1)`` on the way down, and
    ``lr = base_lr + (max_lr - base_lr) * s * scale(cycle or e)``. With ``momentum=True``,
    ``base_lr``/``max_lr`` are read as base/max momentum and the cycle runs the other way:
    ``max_momentum - (max_momentum - base_momentum) * s * scale``.
    """
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total = up + down
    ratio = up / total
    if type(epoch) in _PLAIN:
        cycle = _floor(1 + epoch / total)
        x = 1.0 + epoch / total - cycle
        factor = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        if scale_fn is None and mode == "triangular":
            scale: Any = 1.0
        else:
            arg = cycle if scale_mode == "cycle" else epoch
            scale = scale_fn(arg) if scale_fn is not None else cyclic_scale(mode, gamma, None, arg)
        height = (max_lr - base_lr) * factor
        return max_lr - height * scale if momentum else base_lr + height * scale
    xp, e = _ns(epoch)
    cycle = xp.floor(1 + e / total)
    x = 1.0 + e / total - cycle
    if xp is _xp.SCALAR:
        factor = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    else:
        factor = xp.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    arg = cycle if scale_mode == "cycle" else e
    scale = cyclic_scale(mode, gamma, xp, arg) if scale_fn is None else xp.apply(scale_fn, arg)
    height = (max_lr - base_lr) * factor
    if momentum:
        return max_lr - height * scale
    return base_lr + height * scale


def anneal(strategy: str, start: Any, end: Any, pct: Any, xp: Any = None) -> Any:
    """OneCycleLR's interpolation from ``start`` to ``end`` at fraction ``pct``.

    ``pct`` may be a number, a numpy array or a torch tensor (``xp``, the array namespace,
    is found from it when not given).
    """
    if xp is None:
        xp = _xp.SCALAR if type(pct) is float else _xp.namespace(pct)
    if strategy == "cos":
        cos_out = xp.cos(_PI * pct) + 1
        return end + (start - end) / 2.0 * cos_out
    return (end - start) * pct + start


def one_cycle_phases(total_steps: int, pct_start: float, three_phase: bool) -> tuple[float, ...]:
    """The (float) last step of each OneCycleLR phase, as torch computes them."""
    if three_phase:
        return (
            float(pct_start * total_steps) - 1,
            float(2 * pct_start * total_steps) - 2,
            total_steps - 1,
        )
    return (float(pct_start * total_steps) - 1, total_steps - 1)


def one_cycle_lr(
    epoch: Any,
    *,
    values: tuple[float, ...],
    ends: tuple[float, ...],
    anneal_strategy: str,
) -> Any:
    """Piecewise annealing through ``values`` (one more than ``ends``), torch's OneCycleLR.

    Phase i runs from ``values[i]`` to ``values[i + 1]`` between ``ends[i - 1]`` (0 for the
    first) and ``ends[i]``; the first phase whose end is >= epoch is used, else the last.
    """
    last = len(ends) - 1
    if type(epoch) in _PLAIN:  # the scalar loop below, with ``anneal`` inlined
        i = 0
        while i < last and epoch > ends[i]:
            i += 1
        start_step = ends[i - 1] if i else 0.0
        pct = (epoch - start_step) / (ends[i] - start_step)
        start, end = values[i], values[i + 1]
        if anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (_cos(_PI * pct) + 1)
        return (end - start) * pct + start
    xp, e = _ns(epoch)
    if xp is _xp.SCALAR:
        start_step = 0.0
        for i, end_step in enumerate(ends):
            if e <= end_step or i == last:
                pct = (e - start_step) / (end_step - start_step)
                return anneal(anneal_strategy, values[i], values[i + 1], pct)
            start_step = end_step
    starts = (0.0, *ends[:-1])
    result = None
    for i in range(last, -1, -1):
        pct = (e - starts[i]) / (ends[i] - starts[i])
        value = anneal(anneal_strategy, values[i], values[i + 1], pct, xp)
        result = value if result is None else xp.where(e <= ends[i], value, result)
    return result


def swa_lr(
    epoch: Any, base_lr: float, *, swa_lr: float, anneal_epochs: int, anneal_strategy: str
) -> Any:
    """Blend from ``base_lr`` to ``swa_lr``: ``swa_lr * a + base_lr * (1 - a)``.

    ``a = f(clip(epoch / max(1, anneal_epochs), 0, 1))`` with ``f(t) = (1 - cos(pi t)) / 2``
    (``"cos"``) or ``f(t) = t`` (``"linear"``); with ``anneal_epochs == 0`` it is ``swa_lr``.
    """
    if type(epoch) in _PLAIN:
        if anneal_epochs == 0:
            return float(swa_lr)
        alpha = swa_alpha(min(epoch / anneal_epochs, 1.0), anneal_strategy)
        return swa_lr * alpha + base_lr * (1 - alpha)
    xp, e = _ns(epoch)
    if anneal_epochs == 0:
        return swa_lr + 0.0 * e if xp is not _xp.SCALAR else float(swa_lr)
    alpha = swa_alpha(xp.minimum(e / anneal_epochs, 1.0), anneal_strategy, xp)
    return swa_lr * alpha + base_lr * (1 - alpha)


def swa_alpha(t: Any, anneal_strategy: str, xp: Any = None) -> Any:
    """SWALR's blend weight at fraction ``t``: ``(1 - cos(pi t)) / 2`` (``"cos"``) or ``t``.

    ``t`` may be a number, a numpy array or a torch tensor (``xp`` is found from it).
    """
    if anneal_strategy == "cos":
        if xp is None:
            xp = _xp.SCALAR if type(t) is float else _xp.namespace(t)
        return (1 - xp.cos(_PI * t)) / 2
    return t


def lambda_lr(epoch: Any, base_lr: float, *, lr_lambda: Callable[[int], float]) -> Any:
    """``base_lr * lr_lambda(epoch)``; arrays are evaluated element by element."""
    if type(epoch) in _PLAIN:
        return base_lr * lr_lambda(epoch)
    xp, e = _ns(epoch)
    return base_lr * xp.apply(lr_lambda, e)


__all__ = [
    "anneal",
    "constant_factor",
    "constant_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts_lr",
    "cosine_decay",
    "cyclic_lr",
    "exponential_decay",
    "exponential_lr",
    "interpolate",
    "inverse_sqrt",
    "inverse_time",
    "lambda_lr",
    "linear_decay",
    "linear_lr",
    "multistep_lr",
    "one_cycle_lr",
    "one_minus_sqrt_decay",
    "piecewise_constant",
    "polynomial_decay",
    "polynomial_lr",
    "step_lr",
    "swa_alpha",
    "swa_lr",
    "tanh_decay",
    "warmup_ramp",
]
