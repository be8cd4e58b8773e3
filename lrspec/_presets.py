"""Presets: plain functions that return composed specs, so ``repr`` shows what they are made of.

No class exists only to name a combination: ``warmup_cosine(...)`` *is* a :class:`Warmup` of a
:class:`Cosine`, and it saves, loads and prints as one.
"""

from __future__ import annotations

from typing import Any

from lrspec import _checks as c
from lrspec._base import Schedule
from lrspec._combinators import Join, Warmup
from lrspec._shapes import Constant, Cosine, Linear, OneMinusSqrt

_WARMUPS = ("linear", "cosine", "1-sqrt")
_DECAYS = ("cosine", "linear", "1-sqrt")


def _int(name: str, value: Any, ge: int) -> int:
    number = c.as_int(value)
    if not c._is_int(number):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if number < ge:
        raise ValueError(f"{name} must be >= {ge}, got {value!r}")
    return number


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        kind = type(value).__name__
        raise TypeError(f"{name} must be one of {choices!r}, got {value!r} ({kind})")
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices!r}, got {value!r}")
    return str(value)


def warmup_cosine(
    warmup_steps: int,
    total_steps: int,
    start_factor: float = 0.0,
    end_factor: float = 0.0,
    exponent: float = 1.0,
) -> Warmup:
    """A linear warmup from ``start_factor`` to 1, then a cosine decay to ``end_factor``.

    Returns ``Warmup(inner=Cosine(total_steps=total_steps - warmup_steps,
    end_factor=end_factor, exponent=exponent), steps=warmup_steps, start_factor=start_factor)``.
    ``total_steps`` includes the warmup, as in optax and HF, so it must exceed
    ``warmup_steps``; the lr holds ``end_factor * base_lr`` after it.

    Anchors: optax ``warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps,
    decay_steps, end_value, exponent)`` is ``warmup_cosine(warmup_steps, decay_steps,
    init_value / peak_value, end_value / peak_value, exponent)`` with ``base_lr =
    peak_value``; HF ``get_cosine_schedule_with_warmup(num_warmup_steps,
    num_training_steps)`` is ``warmup_cosine(num_warmup_steps, num_training_steps)``
    within ``[0, num_training_steps]`` (HF's cosine swings back up after it; this holds).

    >>> spec = warmup_cosine(2, 6)
    >>> spec.inner, spec.steps
    (Cosine(total_steps=4, end_factor=0.0, exponent=1.0, k=1.0), 2)
    >>> [round(v, 6) for v in spec.trace(1.0, 7)]
    [0.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 0.0, 0.0]
    """
    warmup = _int("warmup_steps", warmup_steps, 0)
    total = _int("total_steps", total_steps, 1)
    if total <= warmup:
        raise ValueError(
            f"total_steps must be > warmup_steps ({warmup!r}): it includes the warmup, as in "
            f"optax and HF, got {total_steps!r}"
        )
    decay = Cosine(total_steps=total - warmup, end_factor=end_factor, exponent=exponent)
    return Warmup(inner=decay, steps=warmup, start_factor=start_factor)


def wsd(
    warmup_steps: int,
    stable_steps: int,
    decay_steps: int,
    warmup: str = "linear",
    decay: str = "cosine",
    start_factor: float = 0.0,
    end_factor: float = 0.0,
) -> Schedule:
    """Warmup-stable-decay: ramp up, hold ``base_lr``, then decay to ``end_factor``.

    Returns ``Warmup(inner=Join(schedules=[Constant(), <decay>], boundaries=[stable_steps]),
    steps=warmup_steps, kind=warmup, start_factor=start_factor)``, where ``<decay>`` is
    ``Cosine``, ``Linear`` or ``OneMinusSqrt`` over ``decay_steps`` to ``end_factor``
    (without a stable phase, ``stable_steps=0``, the Join is left out; without a warmup,
    ``warmup_steps=0``, the Warmup is the inner schedule itself). The run is ``warmup_steps
    + stable_steps + decay_steps`` steps; the lr holds ``end_factor * base_lr`` after it.

    Anchors: HF ``get_wsd_schedule(num_warmup_steps, num_decay_steps, num_stable_steps,
    warmup_type, decay_type, min_lr_ratio)`` (``min_lr_ratio`` is ``end_factor``; HF's
    "1-sqrt" decay is ``OneMinusSqrt``); optax builds it with ``join_schedules``.

    >>> spec = wsd(2, 2, 2, decay="linear")
    >>> [round(v, 6) for v in spec.trace(1.0, 7)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """
    w = _int("warmup_steps", warmup_steps, 0)
    s = _int("stable_steps", stable_steps, 0)
    d = _int("decay_steps", decay_steps, 1)
    kind = _choice("warmup", warmup, _WARMUPS)
    shape = _choice("decay", decay, _DECAYS)
    tail: Schedule
    if shape == "cosine":
        tail = Cosine(total_steps=d, end_factor=end_factor)
    elif shape == "linear":
        tail = Linear(total_steps=d, end_factor=end_factor)
    else:
        tail = OneMinusSqrt(total_steps=d, end_factor=end_factor)
    inner = Join(schedules=[Constant(), tail], boundaries=[s]) if s else tail
    return Warmup(inner=inner, steps=w, kind=kind, start_factor=start_factor)


__all__ = ["warmup_cosine", "wsd"]
