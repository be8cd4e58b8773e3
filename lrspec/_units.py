"""Time units: step counts written in epochs or as a fraction of training, and ``resolve``.

A step-count field of any spec (``Linear.total_steps``, ``StepLR.step_size``,
``MultiStepLR.milestones``, ...) takes an int number of optimizer steps, or a *unit value*
that :func:`resolve` turns into steps once the run's length is known:

* ``Epochs(n)``, written ``"10ep"``: ``n`` epochs (fractional epochs allowed), needs
  ``steps_per_epoch``;
* ``Fraction(x)``, written ``"0.1dur"``: the fraction ``x`` (in ``[0, 1]``) of the whole run,
  needs ``total_steps``.

How units become steps -- the one place it is decided (:func:`exact_steps`, :func:`to_steps`):

* ``steps_per_epoch`` counts *batches* (``len(loader)``); with gradient ``accumulation`` of
  ``k`` batches, an epoch takes ``ceil(steps_per_epoch / k)`` optimizer steps, because the
  last, partial accumulation of an epoch also steps the optimizer (HF ``Trainer`` and
  Lightning both do). ``total_steps`` counts optimizer steps, the unit every int in a spec
  is in.
* ``Epochs(n)`` is ``n * ceil(steps_per_epoch / accumulation)`` steps; ``Fraction(x)`` is
  ``x * total_steps`` steps. Both are computed exactly, on the decimal the number prints as
  (``0.1`` is one tenth, not the binary float nearest it), so ``"0.1dur"`` of 30 steps is 3.
* A field that holds an int is then **rounded up** (``math.ceil``): a positive quantity never
  becomes 0 steps, and a fraction of training is never shorter than asked (HF rounds
  a warmup ratio up too, ``ceil(num_training_steps * ratio)``, though on the binary float,
  so it makes 0.07 of 100 steps 8, where lrspec's ``"0.07dur"`` of 100 is 7). The only unit
  that resolves to 0 is an exact zero, which a field that must be >= 1 refuses at
  construction.
* A field that holds a float step position (``Cycle.period``, ``Interpolate.steps`` knots)
  keeps the exact value, as the nearest float: nothing is rounded.

Evaluating a spec that still holds a unit (``lr``, ``trace``, ``iter_trace``, a twin) raises
ValueError naming the field path and what :func:`resolve` needs.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction as _Exact
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

if TYPE_CHECKING:
    from lrspec._base import Schedule

_S = TypeVar("_S", bound="Schedule")

__all__ = ["Epochs", "Fraction", "resolve"]


def _as_number(value: Any) -> Any:
    """An int stays an int, an integral real becomes one, another real a float."""
    if type(value) is int:
        return value
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value  # rejected by the validator
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    return int(number) if math.isfinite(number) and number.is_integer() else number


def _in_range(high: float | None) -> Any:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        name = f"{type(inst).__name__}.{attribute.name}"
        if type(value) not in (int, float):
            raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
        if not math.isfinite(value) or value < 0 or (high is not None and value > high):
            rule = ">= 0" if high is None else f"in [0, {high}]"
            raise ValueError(f"{name} must be finite and {rule}, got {value!r}")

    return check


class Unit:
    """Base of the unit values: an exact number of steps once the run's length is known."""

    #: The :func:`resolve` argument it needs.
    needs: ClassVar[str]
    #: Its text suffix ("10ep", "0.1dur").
    suffix: ClassVar[str]

    @property
    def value(self) -> int | float:
        raise NotImplementedError

    def __str__(self) -> str:
        return f"{self.value!r}{self.suffix}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"

    def exact(self) -> _Exact:
        """The number as the decimal it prints as (``0.1`` is exactly one tenth)."""
        return _Exact(repr(self.value))


@attrs.frozen(repr=False)
class Epochs(Unit):
    """``n`` epochs, written ``"10ep"``: ``n * ceil(steps_per_epoch / accumulation)`` steps.

    ``n`` is a finite number >= 0; fractional epochs are allowed (``Epochs(0.5)``). Integral
    floats are stored as ints, so ``Epochs(10.0) == Epochs(10)``. See :func:`lrspec.resolve`
    for how it becomes steps.

    >>> from lrspec import Epochs, Linear, resolve
    >>> resolve(Linear(total_steps=Epochs(2)), steps_per_epoch=50)
    Linear(total_steps=100, start_factor=1.0, end_factor=0.0)
    >>> str(Epochs(2.5)), Linear(total_steps="3ep").total_steps
    ('2.5ep', Epochs(3))
    """

    n: int | float = attrs.field(converter=_as_number, validator=_in_range(None))

    needs = "steps_per_epoch"
    suffix = "ep"

    @property
    def value(self) -> int | float:
        return self.n


@attrs.frozen(repr=False)
class Fraction(Unit):
    """The fraction ``x`` of the whole run, written ``"0.1dur"``: ``x * total_steps`` steps.

    ``x`` is a finite number in ``[0, 1]``. (Not :class:`fractions.Fraction`: ``x`` is a
    fraction *of training*.) See :func:`lrspec.resolve` for how it becomes steps.

    >>> from lrspec import Cosine, Fraction, resolve
    >>> resolve(Cosine(total_steps=Fraction(0.9)), total_steps=1000).total_steps
    900
    """

    x: int | float = attrs.field(converter=_as_number, validator=_in_range(1))

    needs = "total_steps"
    suffix = "dur"

    @property
    def value(self) -> int | float:
        return self.x


_UNITS: dict[str, type[Epochs] | type[Fraction]] = {"ep": Epochs, "dur": Fraction}
_TEXT = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(ep|dur)\s*")


def read(text: str) -> Epochs | Fraction:
    """The unit value a text form names: ``"10ep"`` -> ``Epochs(10)``, ``"0.1dur"`` ->
    ``Fraction(0.1)``. TypeError when it is not a unit string; ValueError for a bad value."""
    match = _TEXT.fullmatch(text)
    if match is None:
        raise TypeError(
            f"{text!r} is not a step count: write an int, or a unit like '10ep' (epochs) or "
            "'0.1dur' (a fraction of training)"
        )
    number, suffix = match.groups()
    value = float(number) if any(ch in number for ch in ".eE") else int(number)
    return _UNITS[suffix](value)


def exact_steps(unit: Unit, quantities: dict[str, int]) -> _Exact:
    """The exact number of optimizer steps ``unit`` stands for (KeyError if one is missing)."""
    if isinstance(unit, Epochs):
        per_epoch = -(-quantities["steps_per_epoch"] // quantities["accumulation"])  # ceil
        return unit.exact() * per_epoch
    return unit.exact() * quantities["total_steps"]


def to_steps(exact: _Exact, *, integral: bool) -> int | float:
    """THE rounding rule: up to an int for int fields, the nearest float for float ones."""
    return math.ceil(exact) if integral else float(exact)


# --- resolve, and the check that a spec is resolved ----------------------------------------


def _quantity(name: str, value: object, allow_none: bool = True) -> int | None:
    from lrspec import _checks as c

    if value is None and allow_none:
        return None
    number = c.as_int(value)  # type: ignore[arg-type]
    if not c._is_int(number):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if number < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return int(number)


def resolve(
    spec: _S,
    *,
    steps_per_epoch: int | None = None,
    total_steps: int | None = None,
    accumulation: int = 1,
) -> _S:
    """The same spec with every unit value in a step-count field turned into steps.

    ``steps_per_epoch`` counts batches (``len(train_loader)``), ``total_steps`` optimizer
    steps (the whole run), ``accumulation`` the batches per optimizer step. ``Epochs(n)``
    becomes ``n * ceil(steps_per_epoch / accumulation)`` steps and ``Fraction(x)`` becomes
    ``x * total_steps``, computed exactly and rounded *up* where the field holds an int (see
    :mod:`lrspec._units`). Children are resolved too, and a spec without units is returned
    as it is, so ``resolve`` is idempotent.

    Raises ValueError naming the field when a quantity it needs is missing or a resolved
    value breaks the field's rule (two milestones landing on the same step), TypeError /
    ValueError for a bad quantity.

    >>> from lrspec import Epochs, Fraction, Join, Linear, Cosine, resolve
    >>> spec = Join(schedules=[Linear(total_steps="1ep", start_factor=0.0, end_factor=1.0),
    ...                        Cosine(total_steps="0.9dur")], boundaries=[100])
    >>> resolve(spec, steps_per_epoch=100, total_steps=1000).schedules[1].total_steps
    900
    """
    from lrspec._base import Schedule

    if not isinstance(spec, Schedule):
        raise TypeError(f"spec must be an lrspec spec, got {spec!r} ({type(spec).__name__})")
    quantities = {
        "steps_per_epoch": _quantity("steps_per_epoch", steps_per_epoch),
        "total_steps": _quantity("total_steps", total_steps),
        "accumulation": _quantity("accumulation", accumulation, allow_none=False),
    }
    given = {k: v for k, v in quantities.items() if v is not None}
    resolved: _S = _resolve(spec, given, "")
    return resolved


def _resolve(spec: Any, quantities: dict[str, int], path: str) -> Any:
    from lrspec._checks import step_field

    if spec._unresolved is None:
        return spec  # nothing to do (cached per spec): resolve is idempotent and cheap
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(spec)):
        value = getattr(spec, field.name)
        where = f"{path}{field.name}"
        kind = step_field(field)
        if kind is not None:
            new = _resolve_steps(value, kind[0], quantities, where)
        else:
            new = _resolve_children(value, quantities, where)
        if new is not value:
            changes[field.name] = new
    try:
        return attrs.evolve(spec, **changes)
    except (TypeError, ValueError) as exc:
        done = ", ".join(
            f"{path}{k}={getattr(spec, k)!r} -> {v!r}"
            for k, v in changes.items()
            if not _has_spec(v)
        )
        raise ValueError(
            f"resolving {type(spec).__name__} at {path.rstrip('.') or 'the top'} ({done}): {exc}"
        ) from None


def _has_spec(value: Any) -> bool:
    from lrspec._base import Schedule

    items = value if isinstance(value, tuple) else (value,)
    return any(isinstance(v, Schedule) for v in items)


def _resolve_steps(value: Any, integral: bool, quantities: dict[str, int], where: str) -> Any:
    if isinstance(value, tuple):
        items = [
            _resolve_steps(v, integral, quantities, f"{where}[{i}]") for i, v in enumerate(value)
        ]
        changed = any(a is not b for a, b in zip(items, value, strict=True))
        return tuple(items) if changed else value
    if not isinstance(value, Unit):
        return value
    try:
        exact = exact_steps(value, quantities)
    except KeyError:
        raise ValueError(
            f"{where} is {value!r}, which needs {value.needs}: "
            f"call resolve(spec, {value.needs}=...)"
        ) from None
    return to_steps(exact, integral=integral)


def _resolve_children(value: Any, quantities: dict[str, int], where: str) -> Any:
    from lrspec._base import Schedule

    if isinstance(value, Schedule):
        return _resolve(value, quantities, f"{where}.")
    if isinstance(value, tuple) and any(isinstance(v, Schedule) for v in value):
        items = [
            _resolve(v, quantities, f"{where}[{i}].") if isinstance(v, Schedule) else v
            for i, v in enumerate(value)
        ]
        return tuple(items) if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _missing(where: str, unit: Unit) -> str:
    return f"{where} is {unit!r}: resolve(spec, {unit.needs}=...) first"


def unresolved(spec: Any) -> str | None:
    """Why ``spec`` cannot be evaluated yet (the first unit left in it), or None.

    Walks every field generically: step fields holding a unit, and child specs (a field
    holding a spec or a tuple of them) through their own cached answer.
    """
    from lrspec._base import Schedule

    for field in attrs.fields(type(spec)):
        value = getattr(spec, field.name)
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items):
            where = f"{field.name}[{i}]" if isinstance(value, tuple) else field.name
            if isinstance(item, Unit):
                return _missing(where, item)
            if isinstance(item, Schedule) and item._unresolved is not None:
                return f"{where}.{item._unresolved}"
    return None


def require_resolved(spec: Any) -> None:
    """Raise ValueError naming the first unit ``spec`` still holds (the evaluation hook)."""
    reason = spec._unresolved
    if reason is not None:
        raise ValueError(f"{type(spec).__name__} is not resolved: {reason}")
