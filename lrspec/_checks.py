"""Converters and validators shared by every spec.

Converters only *normalise* good values (numpy scalars to Python numbers, integral floats
such as ``100.0`` to ints, lists to tuples) and pass anything else through untouched, so
that the validator that runs next can reject it with a message naming the argument, the
rule and the value.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from typing import Any, TypeVar, cast

import attrs

from lrspec._units import Unit, read

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]
_T = TypeVar("_T")


def _is_int(value: object) -> bool:
    if type(value) is int:  # the common case, without the ABC
        return True
    import numbers  # on first need only: it adds ~1 ms (~7%) to ``import lrspec``

    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    if type(value) is float or type(value) is int:  # the common cases, without the ABC
        return True
    import numbers

    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# --- converters ---------------------------------------------------------------------------


def as_float(value: float) -> float:
    """Normalise a real number (int, numpy scalar, ...) to a Python float.

    An int too large for a float passes through untouched, for the validator to reject.
    """
    if not _is_real(value):
        return value
    try:
        return float(value)
    except OverflowError:
        return value


def as_int(value: int | float) -> int:
    """Normalise an integral number to a Python int.

    Integers (numpy's too) and *integral* reals (``3.0``, ``np.float64(3.0)``,
    ``Fraction(6, 2)``; common from ``epochs / k`` or YAML) become ints, which torch runs
    identically. Anything else passes through for the validator to reject.
    """
    if _is_int(value):
        return int(value)
    if _is_real(value):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and number == value:
            return int(number)
    return value  # type: ignore[return-value]  # rejected by the validator


def as_optional_int(value: int | float | None) -> int | None:
    """:func:`as_int` for arguments where ``None`` means "not given"."""
    return None if value is None else as_int(value)


def as_str(value: str) -> str:
    """Normalise a str subclass (numpy's ``str_``) to a plain str."""
    return str(value) if isinstance(value, str) else value


def as_bool(value: bool) -> bool:
    """Normalise numpy's ``bool_`` to a Python bool."""
    return bool(value) if type(value).__name__ == "bool_" else value


def as_int_tuple(value: Sequence[int | float]) -> tuple[int, ...]:
    """Normalise a list, tuple or 1-d array of integers to a tuple of Python ints."""
    if type(value).__name__ == "ndarray" and getattr(value, "ndim", None) == 1:
        value = value.tolist()  # type: ignore[attr-defined]
    if isinstance(value, (list, tuple)):
        return tuple(as_int(v) for v in value)
    return value  # type: ignore[return-value]  # rejected by the validator


def as_sorted_int_tuple(value: Iterable[int | float]) -> tuple[int, ...]:
    """Normalise any iterable of integers (a set, a range, an array...) to a sorted tuple.

    Only when every item is an integer does it sort (order is irrelevant where torch counts
    the milestones); anything else passes through, as a tuple when it was iterable, so the
    validator names the bad item.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # rejected by the validator
    if type(value).__name__ == "ndarray" and getattr(value, "ndim", None) != 1:
        return value  # type: ignore[return-value]  # rejected by the validator
    items = tuple(as_int(v) for v in value)
    return tuple(sorted(items)) if all(_is_int(v) for v in items) else items


def as_tuple(value: Sequence[Any]) -> tuple[Any, ...]:
    """Normalise a list or tuple to a tuple."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value  # type: ignore[return-value]  # rejected by the validator


# --- step counts: ints, or unit values resolved later -----------------------------------
#
# A field is a *step field* exactly when its converter is one of the ``as_*steps*``
# functions below (``STEP_CONVERTERS``): that is how :func:`lrspec.resolve` finds the fields
# to resolve, and why a step-count field must use them and nothing else may.


def is_unit(value: object) -> bool:
    """Whether ``value`` is a unit value (``Epochs`` / ``Fraction``) not yet resolved."""
    return isinstance(value, Unit)


def _as_unit(value: Any) -> Any:
    """A unit string ("10ep", "0.1dur") as its unit value; anything else unchanged."""
    if isinstance(value, str):
        try:
            return read(value)
        except (TypeError, ValueError):
            return str(value)  # rejected by the validator, which says why
    return value


def as_steps(value: int | float | str | Unit) -> int:
    """:func:`as_int` for a step count, which may also be a unit value or its text form."""
    if type(value) is int:
        return value
    return as_int(_as_unit(value))  # units pass through as_int, untouched


def as_optional_steps(value: int | float | str | Unit | None) -> int | None:
    """:func:`as_steps` for step counts where ``None`` means "not given"."""
    return None if value is None else as_steps(value)


def as_float_steps(value: float | str | Unit) -> float:
    """:func:`as_float` for a step position that may be fractional, or a unit value."""
    return as_float(_as_unit(value))


def _step_items(value: Any, item: Callable[[Any], Any]) -> Any:
    if type(value).__name__ == "ndarray" and getattr(value, "ndim", None) == 1:
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(item(v) for v in value)
    return value  # rejected by the validator


def as_step_tuple(value: Sequence[int | float | str | Unit]) -> tuple[int, ...]:
    """:func:`as_int_tuple` for step counts (units and their text forms pass)."""
    return _step_items(value, as_steps)  # type: ignore[no-any-return]


def as_float_step_tuple(value: Sequence[float | str | Unit]) -> tuple[float, ...]:
    """A list, tuple or 1-d array of step positions as a tuple of floats and unit values."""
    return _step_items(value, as_float_steps)  # type: ignore[no-any-return]


def as_sorted_step_tuple(value: Iterable[int | float | str | Unit]) -> tuple[int, ...]:
    """:func:`as_sorted_int_tuple` for step counts: ints are sorted, and so are units of one
    kind; a mix stays in order until :func:`lrspec.resolve` makes it ints (then sorted)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # rejected by the validator
    if type(value).__name__ == "ndarray" and getattr(value, "ndim", None) != 1:
        return value  # type: ignore[return-value]  # rejected by the validator
    items = tuple(as_steps(v) for v in value)
    kinds = set(map(type, items))
    if kinds == {int}:
        return tuple(sorted(items))
    if len(kinds) == 1 and is_unit(items[0]):
        return tuple(sorted(items, key=lambda u: u.value))  # type: ignore[attr-defined]
    return items


#: The step converters, and what a resolved value is: (integral, a tuple of them).
STEP_CONVERTERS: dict[Callable[..., Any], tuple[bool, bool]] = {
    as_steps: (True, False),
    as_optional_steps: (True, False),
    as_step_tuple: (True, True),
    as_sorted_step_tuple: (True, True),
    as_float_steps: (False, False),
    as_float_step_tuple: (False, True),
}


def step_field(field: attrs.Attribute[Any]) -> tuple[bool, bool] | None:
    """``(integral, many)`` when ``field`` is a step field (its converter says so), else None."""
    converter: Any = field.converter
    return STEP_CONVERTERS.get(converter)


# --- validators ---------------------------------------------------------------------------


#: The largest step count (and int field) a spec takes: 2**53, the last int a float holds
#: exactly -- lr, trace and torch all compute steps in floats somewhere.
MAX_INT = 2**53


def show(value: object) -> str:
    """``repr(value)``, shortened for ints too long to read (``10**400``)."""
    if _is_int(value):
        number = int(cast(Any, value))
        digits = str(abs(number))
        if len(digits) > 24:
            sign = "-" if number < 0 else ""
            return f"{sign}{digits[:6]}...({len(digits)} digits)"
    return repr(value)


def _fail_type(attribute: attrs.Attribute[Any], what: str, value: object) -> None:
    raise TypeError(f"{attribute.name} must be {what}, got {value!r} ({type(value).__name__})")


def real(
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
) -> Validator:
    """A finite real number within the given bounds."""
    rules = [(gt, "> ", operator.gt), (ge, ">= ", operator.ge), (lt, "< ", operator.lt)]
    rules.append((le, "<= ", operator.le))
    active = [(b, op, fn) for b, op, fn in rules if b is not None]

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not _is_real(value):
            _fail_type(attribute, "a real number", value)
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int beyond any float
            finite = False
        if not finite:
            raise ValueError(f"{attribute.name} must be finite, got {show(value)}")
        for bound, op, fn in active:
            if not fn(value, bound):
                raise ValueError(f"{attribute.name} must be {op}{bound!r}, got {value!r}")

    return check


def integer(*, ge: int | None = None) -> Validator:
    """An integer (bool excluded), optionally with a lower bound."""

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not _is_int(value):
            _fail_type(attribute, "an int", value)
        if ge is not None and value < ge:
            raise ValueError(f"{attribute.name} must be >= {ge}, got {show(value)}")
        if value > MAX_INT:
            raise ValueError(
                f"{attribute.name} must be <= 2**53 (the last int a float holds exactly), "
                f"got {show(value)}"
            )

    return check


def optional_integer(*, ge: int) -> Validator:
    inner = integer(ge=ge)

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            inner(inst, attribute, value)

    return check


def one_of(*choices: str) -> Validator:
    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str):
            _fail_type(attribute, f"one of {choices!r}", value)
        if value not in choices:
            raise ValueError(f"{attribute.name} must be one of {choices!r}, got {value!r}")

    return check


def boolean(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        _fail_type(attribute, "a bool", value)


def function(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not callable(value):
        _fail_type(attribute, "callable", value)


def optional_function(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        function(inst, attribute, value)


def _int_items(attribute: attrs.Attribute[Any], value: Any, ge: int, what: str) -> None:
    if not isinstance(value, tuple):
        _fail_type(attribute, what, value)
    for item in value:
        if not _is_int(item):
            raise TypeError(
                f"{attribute.name} must contain only ints, got {item!r} "
                f"({type(item).__name__}) in {_items(value)}"
            )
        if item < ge:
            raise ValueError(
                f"{attribute.name} must all be >= {ge}, got {show(item)} in {_items(value)}"
            )
        if item > MAX_INT:
            raise ValueError(
                f"{attribute.name} must all be <= 2**53 (the last int a float holds exactly), "
                f"got {show(item)} in {_items(value)}"
            )


def _items(value: tuple[Any, ...]) -> str:
    """A list for an error message, each item shortened (:func:`show`)."""
    return "[" + ", ".join(show(v) for v in value) + "]"


def increasing_ints(*, ge: int) -> Validator:
    """A tuple of strictly increasing integers, each >= ``ge``."""

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _int_items(attribute, value, ge, "a list or tuple of ints")
        for a, b in pairwise(value):
            if not a < b:
                raise ValueError(
                    f"{attribute.name} must be strictly increasing, got {list(value)!r}"
                )

    return check


def distinct_ints(*, ge: int) -> Validator:
    """A (sorted) tuple of distinct integers, each >= ``ge``."""

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _int_items(attribute, value, ge, "an iterable of ints")
        for a, b in pairwise(value):
            if a == b:
                raise ValueError(
                    f"{attribute.name} must not repeat a value (torch would apply the "
                    f"decay that many times at once), got {a!r} twice in {list(value)!r}"
                )

    return check


def _text_unit(attribute: attrs.Attribute[Any], value: str) -> None:
    """Why a string is not a step count (the converter made every good unit string a unit)."""
    try:
        read(value)
    except TypeError as exc:
        raise TypeError(f"{attribute.name} must be an int or a unit: {exc}") from None
    except ValueError as exc:
        raise ValueError(f"{attribute.name}: {value!r} is not a valid unit: {exc}") from None


def _unit_bound(attribute: attrs.Attribute[Any], value: Unit, positive: bool) -> None:
    # Units are rounded up, so only an exact zero can fall below a bound of 1 (or > 0).
    if positive and value.value == 0:
        raise ValueError(f"{attribute.name} must be a positive number of steps, got {value!r}")


def _unit_or(check: Validator, positive: Callable[[Any], bool]) -> Validator:
    """``check``, except that a unit value (or a string naming one) is checked as a unit."""

    def wrapped(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, Unit):
            _unit_bound(attribute, value, positive(value))
        elif isinstance(value, str):
            _text_unit(attribute, value)
        else:
            check(inst, attribute, value)

    return wrapped


def steps(*, ge: int) -> Validator:
    """A step count: an int >= ``ge``, or a unit value (``Epochs`` / ``Fraction``)."""
    return _unit_or(integer(ge=ge), lambda _: ge >= 1)


def optional_steps(*, ge: int) -> Validator:
    """:func:`steps`, or None."""
    inner = steps(ge=ge)

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            inner(inst, attribute, value)

    return check


def float_steps(*, gt: float | None = None, ge: float | None = None) -> Validator:
    """A step position that may be fractional (a finite real in bounds), or a unit value."""
    return _unit_or(real(gt=gt, ge=ge), lambda _: gt is not None and gt >= 0)


def _step_items_check(
    attribute: attrs.Attribute[Any], value: Any, ge: int, what: str, distinct: bool
) -> None:
    """Each item an int >= ``ge`` or a unit; items of one kind in order (distinct: sorted)."""
    if not isinstance(value, tuple):
        _fail_type(attribute, what, value)
    for item in value:
        if isinstance(item, Unit):
            _unit_bound(attribute, item, ge >= 1)
        elif isinstance(item, str):
            _text_unit(attribute, item)
    ints = tuple(v for v in value if not isinstance(v, Unit))
    _int_items(attribute, ints, ge, what)
    for kind in {type(v) for v in value}:
        same = [v.value if isinstance(v, Unit) else v for v in value if type(v) is kind]
        for a, b in pairwise(same):
            if a == b and distinct:
                raise ValueError(
                    f"{attribute.name} must not repeat a value, got {a!r} twice in {list(value)!r}"
                )
            if not a < b and not distinct:
                raise ValueError(
                    f"{attribute.name} must be strictly increasing, got {list(value)!r}"
                )


def increasing_steps(*, ge: int) -> Validator:
    """:func:`increasing_ints` for step counts: units of one kind must increase too (a mix
    is checked again once :func:`lrspec.resolve` has made it ints)."""

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, tuple) and all(type(v) is int for v in value):
            increasing_ints(ge=ge)(_inst, attribute, value)  # the ints' own wording
        _step_items_check(attribute, value, ge, "a list or tuple of step counts", False)

    return check


def distinct_steps(*, ge: int) -> Validator:
    """:func:`distinct_ints` for step counts (sorted by the converter where comparable)."""

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, tuple) and all(type(v) is int for v in value):
            distinct_ints(ge=ge)(_inst, attribute, value)  # the ints' own wording
        _step_items_check(attribute, value, ge, "an iterable of step counts", True)

    return check


class _Argument:
    """Stands in for an ``attrs.Attribute`` when a validator checks a function's argument."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def argument(validator: Validator, name: str, value: _T) -> _T:
    """Check a plain function argument with a spec field's validator; return the value.

    Functions that build specs (presets, :func:`lrspec.from_hf`) word their errors exactly as
    the specs do: the argument, the rule, the value.
    """
    validator(None, _Argument(name), value)  # type: ignore[arg-type]
    return value
