"""The Hugging Face bridge: :func:`from_hf` maps ``transformers.get_scheduler`` names to specs.

It maps names and numbers only -- transformers is never imported -- and builds every schedule
from the public blocks (:class:`Warmup`, :class:`Join`, :class:`Cycle`, the shapes), so the
``repr`` of the result says what HF's lambda computes.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

from lrspec import _checks as c
from lrspec._base import Schedule
from lrspec._combinators import Join, Warmup
from lrspec._curves import InverseSqrt
from lrspec._piecewise import Interpolate
from lrspec._plateau import ReduceLROnPlateau
from lrspec._restarts import Cycle
from lrspec._shapes import Constant, Cosine, Linear, OneMinusSqrt, Polynomial

_RAMPS = ("linear", "cosine", "1-sqrt")
_NOT_SUPPORTED = {
    "greedy": "HF's GreedyLR also raises the lr on sustained improvement; lrspec has no twin "
    "of it (use 'reduce_lr_on_plateau', or drive GreedyLR from transformers itself)",
}


class _Args:
    """The numbers one HF name needs, checked once, worded as the specs word their errors."""

    def __init__(
        self,
        name: str,
        warmup: Any,
        training: Any,
        base_lr: Any,
        kwargs: dict[str, Any],
    ) -> None:
        self.name = name
        self.kwargs = kwargs
        self.warmup = self._steps("num_warmup_steps", warmup)
        self.training = self._steps("num_training_steps", training)
        self.base_lr: float | None = (
            None if base_lr is None else c.argument(c.real(gt=0), "base_lr", c.as_float(base_lr))
        )

    def _steps(self, label: str, value: Any) -> int | None:
        return None if value is None else c.argument(c.integer(ge=0), label, c.as_int(value))

    def need_warmup(self) -> int:
        if self.warmup is None:
            raise ValueError(f"from_hf({self.name!r}) requires num_warmup_steps, as HF does")
        return self.warmup

    def need_decay(self) -> int:
        """``num_training_steps - num_warmup_steps`` (HF's decay length), which must be >= 1."""
        warmup = self.need_warmup()
        if self.training is None:
            raise ValueError(f"from_hf({self.name!r}) requires num_training_steps, as HF does")
        if self.training <= warmup:
            raise ValueError(
                f"num_training_steps must be > num_warmup_steps ({warmup!r}) for "
                f"{self.name!r}: HF decays over the steps between them, got {self.training!r}"
            )
        return self.training - warmup

    def need_base_lr(self, why: str) -> float:
        if self.base_lr is None:
            raise ValueError(
                f"base_lr is required for {self.name!r} with {why}: HF reads the optimizer's lr "
                "there; pass base_lr=<the optimizer's lr>"
            )
        return self.base_lr

    def real(self, key: str, default: Any, **bounds: float) -> float:
        return c.argument(c.real(**bounds), key, c.as_float(self.kwargs.get(key, default)))

    def min_rate(self) -> float:
        """The cosine's floor as a factor: ``min_lr_rate``, or ``min_lr / base_lr``."""
        min_lr, rate = self.kwargs.get("min_lr"), self.kwargs.get("min_lr_rate")
        if min_lr is not None and rate is not None:
            raise ValueError(
                f"min_lr and min_lr_rate are exclusive (HF: only one of them), got "
                f"min_lr={min_lr!r}, min_lr_rate={rate!r}"
            )
        if min_lr is not None:
            floor = self.real("min_lr", None, ge=0)
            return floor / self.need_base_lr("min_lr (an absolute lr)")
        if rate is None:
            raise ValueError(f"{self.name!r} requires min_lr or min_lr_rate, as HF does")
        return self.real("min_lr_rate", None, ge=0)

    def cycles(self, default: float) -> float:
        """``num_cycles`` (any finite real: the wave is ``cos(2 pi num_cycles p)``, even in it)."""
        return abs(self.real("num_cycles", default))


def _warm(inner: Schedule, steps: int) -> Schedule:
    """HF's warmup, ``t / num_warmup_steps`` from 0, then ``inner`` from its step 0."""
    return Warmup(inner=inner, steps=steps) if steps else inner


def _wave(decay: int, cycles: float, floor: float, shift: int = 0) -> Schedule:
    """HF's cosine ``floor + (1 - floor) (1 + cos(2 pi cycles (tau + shift) / decay)) / 2``.

    Half a cycle without a shift is a :class:`Cosine` (which then holds its floor). Any other
    wave is a :class:`Cycle` of one period ``decay / cycles`` of cosine interpolation between
    the peaks (1) and the troughs (``floor``), its knots moved ``shift`` steps earlier.
    """
    if cycles == 0:
        return Constant()
    if cycles == 0.5 and not shift:
        return Cosine(total_steps=decay, end_factor=floor)
    period = decay / cycles
    if not math.isfinite(period):  # a subnormal num_cycles: HF's cosine is exactly 1
        return Constant()
    half = period / 2
    count = math.ceil((period + shift) / half) + 1
    knots = [j * half - shift for j in range(count)]
    levels = [floor if j % 2 else 1.0 for j in range(count)]
    return Cycle(inner=Interpolate(steps=knots, factors=levels, kind="cosine"), period=period)


def _cosine_piece(period: float, floor: float = 0.0) -> Schedule:
    """One cosine from 1 down to ``floor`` over ``period`` steps (fractional allowed)."""
    if float(period).is_integer():
        return Cosine(total_steps=int(period), end_factor=floor)
    return Interpolate(steps=[0.0, period], factors=[1.0, floor], kind="cosine")


# --- one builder per HF name ------------------------------------------------------------------


def _constant(a: _Args) -> Schedule:
    return Constant()


def _constant_with_warmup(a: _Args) -> Schedule:
    return _warm(Constant(), a.need_warmup())


def _linear(a: _Args) -> Schedule:
    decay = a.need_decay()
    return _warm(Linear(total_steps=decay), a.warmup or 0)


def _cosine(a: _Args) -> Schedule:
    decay = a.need_decay()
    return _warm(_wave(decay, a.cycles(0.5), 0.0), a.warmup or 0)


def _cosine_with_min_lr(a: _Args) -> Schedule:
    decay = a.need_decay()
    return _warm(_wave(decay, a.cycles(0.5), a.min_rate()), a.warmup or 0)


def _cosine_with_restarts(a: _Args) -> Schedule:
    decay = a.need_decay()
    cycles = a.real("num_cycles", 1, gt=0)
    period = decay / cycles
    body: Schedule
    if not math.isfinite(period):  # a subnormal num_cycles: 1, then 0 from N on
        body = Join(schedules=[Constant(), Constant(factor=0.0)], boundaries=[decay])
    elif cycles == 1:
        body = _cosine_piece(period)
    elif cycles.is_integer():
        body = Cycle(inner=_cosine_piece(period), period=period, limit=int(cycles))
    else:  # the last cycle is cut short: HF is 0 from num_training_steps on
        body = Join(
            schedules=[Cycle(inner=_cosine_piece(period), period=period), Constant(factor=0.0)],
            boundaries=[decay],
        )
    return _warm(body, a.warmup or 0)


def _polynomial(a: _Args) -> Schedule:
    decay = a.need_decay()
    base_lr = a.need_base_lr("lr_end (an absolute lr)")
    lr_end = a.real("lr_end", 1e-7, ge=0)
    if not base_lr > lr_end:
        raise ValueError(f"lr_end must be < base_lr ({base_lr!r}), as HF requires, got {lr_end!r}")
    power = a.real("power", 1.0, gt=0)
    return _warm(
        Polynomial(total_steps=decay, end_factor=lr_end / base_lr, power=power), a.warmup or 0
    )


def _inverse_sqrt(a: _Args) -> Schedule:
    warmup = a.need_warmup()
    timescale = a.kwargs.get("timescale")
    if timescale is None:
        timescale = warmup or 10_000
    timescale = c.argument(c.integer(ge=1), "timescale", c.as_int(timescale))
    return _warm(InverseSqrt(timescale=timescale), warmup)


def _cosine_warmup_with_min_lr(a: _Args) -> Schedule:
    """HF's ``cosine_warmup_with_min_lr``: everything one step early, as HF computes it."""
    decay = a.need_decay()
    warmup = a.warmup or 0
    wave = _wave(decay, a.cycles(0.5), a.min_rate(), shift=1)
    if not warmup:
        return wave
    rate = a.kwargs.get("warmup_lr_rate")
    if rate is None:  # (t + 1) / warmup: from 1 / warmup at step 0, 1 at step warmup - 1
        ramp = Interpolate(steps=[-1.0, warmup - 1.0], factors=[0.0, 1.0])
    else:  # rate + (1 - rate) t / (warmup - 1)
        rate = a.real("warmup_lr_rate", None, ge=0)
        ramp = Interpolate(steps=[0.0, max(1.0, warmup - 1.0)], factors=[rate, 1.0])
    return Join(schedules=[ramp, wave], boundaries=[warmup])


def _warmup_stable_decay(a: _Args) -> Schedule:
    warmup = a.need_warmup()
    if "num_decay_steps" not in a.kwargs:
        raise ValueError("'warmup_stable_decay' requires num_decay_steps, as HF does")
    decay = c.argument(c.integer(ge=0), "num_decay_steps", c.as_int(a.kwargs["num_decay_steps"]))
    stable = a.kwargs.get("num_stable_steps")
    if stable is None:
        if a.training is None:
            raise ValueError(
                "'warmup_stable_decay' requires num_training_steps or num_stable_steps, as HF does"
            )
        stable = a.training - warmup - decay
        if stable < 0:
            raise ValueError(
                f"num_training_steps must be >= num_warmup_steps + num_decay_steps "
                f"({warmup + decay!r}) for 'warmup_stable_decay' (the stable phase is what "
                f"remains), got {a.training!r}"
            )
    else:
        stable = c.argument(c.integer(ge=0), "num_stable_steps", c.as_int(stable))
        if a.training is not None:
            warnings.warn(
                "from_hf('warmup_stable_decay'): both num_training_steps and num_stable_steps "
                "are given; num_stable_steps is used, as HF does",
                UserWarning,
                stacklevel=4,
            )
    warm_kind = c.argument(c.one_of(*_RAMPS), "warmup_type", a.kwargs.get("warmup_type", "linear"))
    shape = c.argument(c.one_of(*_RAMPS), "decay_type", a.kwargs.get("decay_type", "cosine"))
    floor = a.real("min_lr_ratio", 0.0, ge=0)
    cycles = a.cycles(0.5)
    pieces: list[Schedule] = [Constant()] if stable else []
    if decay:
        if shape == "linear":
            pieces.append(Linear(total_steps=decay, end_factor=floor))
        elif shape == "1-sqrt":
            pieces.append(OneMinusSqrt(total_steps=decay, end_factor=floor))
        else:
            pieces.append(_wave(decay, cycles, floor))
    if not decay or (shape == "cosine" and cycles != 0.5):
        pieces.append(Constant(factor=floor))  # HF: min_lr_ratio from the end of the decay
    ends = [stable, stable + decay][: len(pieces) - 1] if stable else [decay]
    body = pieces[0] if len(pieces) == 1 else Join(schedules=pieces, boundaries=ends)
    if not warmup:
        return body
    if not (stable or decay):  # HF ramps to 1, then drops to min_lr_ratio at once
        ramp = Warmup(inner=Constant(), steps=warmup, start_factor=floor, kind=warm_kind)
        return Join(schedules=[ramp, body], boundaries=[warmup])
    return Warmup(inner=body, steps=warmup, start_factor=floor, kind=warm_kind)


def _reduce_lr_on_plateau(a: _Args) -> Schedule:
    return ReduceLROnPlateau(**a.kwargs)


#: name -> (builder, the scheduler_specific_kwargs HF's function for it accepts)
_BUILDERS: dict[str, tuple[Callable[[_Args], Schedule], tuple[str, ...]]] = {
    "linear": (_linear, ()),
    "cosine": (_cosine, ("num_cycles",)),
    "cosine_with_restarts": (_cosine_with_restarts, ("num_cycles",)),
    "polynomial": (_polynomial, ("lr_end", "power")),
    "constant": (_constant, ()),
    "constant_with_warmup": (_constant_with_warmup, ()),
    "inverse_sqrt": (_inverse_sqrt, ("timescale",)),
    "reduce_lr_on_plateau": (
        _reduce_lr_on_plateau,
        ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"),
    ),
    "cosine_with_min_lr": (_cosine_with_min_lr, ("num_cycles", "min_lr", "min_lr_rate")),
    "cosine_warmup_with_min_lr": (
        _cosine_warmup_with_min_lr,
        ("num_cycles", "min_lr", "min_lr_rate", "warmup_lr_rate"),
    ),
    "warmup_stable_decay": (
        _warmup_stable_decay,
        (
            "num_decay_steps",
            "num_stable_steps",
            "warmup_type",
            "decay_type",
            "min_lr_ratio",
            "num_cycles",
        ),
    ),
}

#: The ``transformers.get_scheduler`` names :func:`from_hf` maps.
HF_SCHEDULERS: tuple[str, ...] = tuple(_BUILDERS)


def from_hf(
    name: str,
    *,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    base_lr: float | None = None,
    **scheduler_specific_kwargs: Any,
) -> Schedule:
    """The spec equal in value to ``transformers.get_scheduler(name, ...)``, without transformers.

    ``from_hf(name, num_warmup_steps=W, num_training_steps=N, **kwargs).trace(lr, N)`` gives
    the lrs HF's scheduler gives an optimizer with ``lr`` over steps ``0 .. N`` (checked live
    against transformers in ``tests/peers/test_hf.py``: relative 1e-12, or 1e-15 of the peak
    where a value is ~0 after cancellation). Every keyword HF's function takes for the name is
    accepted, as ``get_scheduler``'s ``scheduler_specific_kwargs``; an unknown one is a
    TypeError (HF silently ignores keywords for ``constant`` and ``constant_with_warmup``;
    lrspec refuses them, so a typo never passes). Where HF reads the optimizer's lr (an
    absolute ``lr_end`` or ``min_lr``), pass it as ``base_lr``: the spec stores the factor
    ``value / base_lr``, so trace it with that same ``base_lr``.

    With ``W`` warmup steps and ``D = N - W`` (names that decay need ``N > W``):

    - ``linear``: ``Warmup(Linear(total_steps=D), steps=W)``.
    - ``cosine``: ``Warmup(Cosine(total_steps=D), steps=W)``; a ``num_cycles`` other than 0.5
      is HF's wave ``(1 + cos(2 pi num_cycles p)) / 2``, a :class:`Cycle` of
      :class:`Interpolate` (``kind="cosine"``) between its peaks and troughs.
    - ``cosine_with_restarts``: ``num_cycles`` hard restarts every ``D / num_cycles`` steps,
      a :class:`Cycle` (``limit=num_cycles``); 0 from ``N`` on, as in HF.
    - ``polynomial``: ``Polynomial(total_steps=D, end_factor=lr_end / base_lr, power=power)``
      after the warmup; needs ``base_lr`` (HF's ``lr_end`` is absolute, default 1e-7).
    - ``constant``: ``Constant()``; ``constant_with_warmup``: ``Warmup(Constant(), steps=W)``.
    - ``inverse_sqrt``: ``Warmup(InverseSqrt(timescale), steps=W)``, ``timescale``
      defaulting to ``W or 10_000`` as in HF.
    - ``cosine_with_min_lr``: ``cosine`` with ``end_factor = min_lr_rate`` (or ``min_lr /
      base_lr``).
    - ``cosine_warmup_with_min_lr``: HF's one-step-early variant, reproduced as HF computes
      it: the warmup is ``(t + 1) / W`` (or ``warmup_lr_rate + (1 - warmup_lr_rate) t / (W -
      1)``), the cosine reaches its floor at ``N - 1`` and swings back up at ``N``.
    - ``warmup_stable_decay``: ``Warmup(Join([Constant(), <decay>], [stable]), steps=W,
      kind=warmup_type, start_factor=min_lr_ratio)``; the stable phase defaults to ``N - W -
      num_decay_steps``; ``N`` together with ``num_stable_steps`` warns and uses the latter,
      as HF does.
    - ``reduce_lr_on_plateau``: :class:`ReduceLROnPlateau` with HF's (torch's) keywords.

    Deviations, all outside HF's window or in HF's rounding: past ``N`` the ``cosine`` and
    ``cosine_with_min_lr`` specs with ``num_cycles=0.5`` hold their floor (lrspec's rule for
    finite schedules), where HF's cosine swings back up; every other wave continues as HF's
    does. ``cosine_with_restarts`` restarts at the exact steps ``j * D / num_cycles``; from
    ``num_cycles = 22`` on, HF's ``(num_cycles * progress) % 1`` rounds to just below a whole
    number at some of those steps and misses the restart by one step there; likewise, with
    a ``num_cycles`` within 1e-9 of a whole number, lrspec restarts at the step within 1e-9
    of the cycle's start (:class:`Cycle`'s rule) where HF restarts one step later. A negative
    ``num_cycles`` is its absolute value (the cosine is even). ``name`` may be HF's
    ``SchedulerType`` (a str enum). ``greedy`` (GreedyLR) has no lrspec twin: ValueError.

    >>> from_hf("cosine", num_warmup_steps=2, num_training_steps=6)
    Warmup(inner=Cosine(total_steps=4, end_factor=0.0, exponent=1.0, k=1.0), steps=2, \
start_factor=0.0, kind='linear', prefix=True)
    >>> [round(v, 4) for v in from_hf("linear", num_warmup_steps=2, num_training_steps=6)
    ...  .trace(1.0, 6)]
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    if not isinstance(name, str):
        kind = type(name).__name__
        raise TypeError(f"name must be an HF scheduler name (a str), got {name!r} ({kind})")
    key = str(getattr(name, "value", name))
    if key in _NOT_SUPPORTED:
        raise ValueError(f"name {key!r} is not supported: {_NOT_SUPPORTED[key]}")
    if key not in _BUILDERS:
        raise ValueError(f"name must be one of {HF_SCHEDULERS!r}, got {key!r}")
    build, accepted = _BUILDERS[key]
    unknown = sorted(set(scheduler_specific_kwargs) - set(accepted))
    if unknown:
        bad = unknown[0]
        raise TypeError(
            f"{bad!r} is not a keyword HF's {key!r} scheduler takes (it takes "
            f"{list(accepted)!r}), got {bad}={scheduler_specific_kwargs[bad]!r}"
        )
    args = _Args(key, num_warmup_steps, num_training_steps, base_lr, scheduler_specific_kwargs)
    return build(args)


__all__ = ["HF_SCHEDULERS", "from_hf"]
