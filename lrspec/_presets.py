"""Presets: plain functions that return composed specs, so ``repr`` shows what they are made of.

No class exists only to name a combination: ``warmup_cosine(...)`` *is* a :class:`Warmup` of a
:class:`Cosine`, and it saves, loads and prints as one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lrspec import _checks as c
from lrspec._base import Schedule
from lrspec._combinators import Join, Warmup
from lrspec._shapes import Constant, Cosine, Linear, OneMinusSqrt
from lrspec._units import Unit

_WARMUPS = ("linear", "cosine", "1-sqrt")
_DECAYS = ("cosine", "linear", "1-sqrt")


def _steps(name: str, value: Any, ge: int) -> int | Unit:
    """A step count: an int >= ``ge``, or a unit value (``Epochs`` / ``Fraction``, ``"10ep"``)."""
    return c.argument(c.steps(ge=ge), name, c.as_steps(value))


def _minus(total: int | Unit, warmup: int | Unit) -> int | Unit:
    """``total - warmup`` in their common unit (exact, on the decimals they print as)."""
    if isinstance(total, int) and isinstance(warmup, int):
        if total <= warmup:
            raise ValueError(
                f"total_steps must be > warmup_steps ({warmup!r}): it includes the warmup, as "
                f"in optax and HF, got {total!r}"
            )
        return total - warmup
    if warmup == 0:
        return total
    if type(total) is not type(warmup):
        raise ValueError(
            "total_steps and warmup_steps must be in the same unit for warmup_cosine to "
            f"subtract them (or resolve the quantities first), got total_steps={total!r} and "
            f"warmup_steps={warmup!r}"
        )
    assert isinstance(total, Unit) and isinstance(warmup, Unit)
    left = Decimal(repr(total.value)) - Decimal(repr(warmup.value))
    if left <= 0:
        raise ValueError(
            f"total_steps must be > warmup_steps ({warmup!r}): it includes the warmup, as in "
            f"optax and HF, got {total!r}"
        )
    unit: Any = type(total)  # Epochs or Fraction: one number each
    return unit(float(left))  # type: ignore[no-any-return]


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        kind = type(value).__name__
        raise TypeError(f"{name} must be one of {choices!r}, got {value!r} ({kind})")
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices!r}, got {value!r}")
    return str(value)


def warmup_cosine(
    warmup_steps: int | str | Unit,
    total_steps: int | str | Unit,
    start_factor: float = 0.0,
    end_factor: float = 0.0,
    exponent: float = 1.0,
) -> Warmup:
    """A linear warmup from ``start_factor`` to 1, then a cosine decay to ``end_factor``.

    Returns ``Warmup(inner=Cosine(total_steps=total_steps - warmup_steps,
    end_factor=end_factor, exponent=exponent), steps=warmup_steps, start_factor=start_factor)``.
    ``total_steps`` includes the warmup, as in optax and HF, so it must exceed
    ``warmup_steps``; the lr holds ``end_factor * base_lr`` after it.

    The step counts may be unit values (``lrspec.Epochs`` / ``lrspec.Fraction``, or
    ``"5ep"`` / ``"0.05dur"``; :func:`lrspec.resolve` turns them into steps). ``total_steps
    - warmup_steps`` is then computed in their common unit (exactly, on the decimals they
    print as), so the two must share a unit unless ``warmup_steps`` is 0:
    ``warmup_cosine("0.05dur", "1dur")`` decays over ``Fraction(0.95)``. Each count then
    rounds up on its own when resolved, so the decay can end one step after ``total_steps``
    (0.01 and 0.99 of 101 steps are 2 and 100); write steps where that step matters.

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
    warmup = _steps("warmup_steps", warmup_steps, 0)
    total = _steps("total_steps", total_steps, 1)
    decay = Cosine(total_steps=_minus(total, warmup), end_factor=end_factor, exponent=exponent)
    return Warmup(inner=decay, steps=warmup, start_factor=start_factor)


def wsd(
    warmup_steps: int | str | Unit,
    stable_steps: int | str | Unit,
    decay_steps: int | str | Unit,
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

    The step counts may be unit values (``lrspec.Epochs`` / ``lrspec.Fraction``, or their
    text forms ``"1ep"`` / ``"0.1dur"``), each in its own unit.

    Anchors: HF ``get_wsd_schedule(num_warmup_steps, num_decay_steps, num_stable_steps,
    warmup_type, decay_type, min_lr_ratio)`` (``min_lr_ratio`` is ``end_factor``; HF's
    "1-sqrt" decay is ``OneMinusSqrt``); optax builds it with ``join_schedules``.

    >>> spec = wsd(2, 2, 2, decay="linear")
    >>> [round(v, 6) for v in spec.trace(1.0, 7)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """
    w = _steps("warmup_steps", warmup_steps, 0)
    s = _steps("stable_steps", stable_steps, 0)
    d = _steps("decay_steps", decay_steps, 1)
    kind = _choice("warmup", warmup, _WARMUPS)
    shape = _choice("decay", decay, _DECAYS)
    tail: Schedule
    if shape == "cosine":
        tail = Cosine(total_steps=d, end_factor=end_factor)
    elif shape == "linear":
        tail = Linear(total_steps=d, end_factor=end_factor)
    else:
        tail = OneMinusSqrt(total_steps=d, end_factor=end_factor)
    stable = not (s == 0 or (isinstance(s, Unit) and s.value == 0))
    inner = Join(schedules=[Constant(), tail], boundaries=[s]) if stable else tail
    return Warmup(inner=inner, steps=w, kind=kind, start_factor=start_factor)


__all__ = ["warmup_cosine", "wsd"]
