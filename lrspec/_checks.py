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
from typing import Any, TypeVar

import attrs

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
    """Normalise a real number (int, numpy scalar, ...) to a Python float."""
    return float(value) if _is_real(value) else value


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


# --- validators ---------------------------------------------------------------------------


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
        if not math.isfinite(value):
            raise ValueError(f"{attribute.name} must be finite, got {value!r}")
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
            raise ValueError(f"{attribute.name} must be >= {ge}, got {value!r}")

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
                f"({type(item).__name__}) in {list(value)!r}"
            )
        if item < ge:
            raise ValueError(
                f"{attribute.name} must all be >= {ge}, got {item!r} in {list(value)!r}"
            )


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


# --- evaluation-time arguments ------------------------------------------------------------


def check_base_lr(base_lr: object) -> float:
    if not _is_real(base_lr):
        raise TypeError(
            f"base_lr must be a real number, got {base_lr!r} ({type(base_lr).__name__})"
        )
    value = float(base_lr)  # type: ignore[arg-type]
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"base_lr must be finite and >= 0, got {base_lr!r}")
    return value


def check_steps(steps: object) -> int:
    if not _is_int(steps):
        raise TypeError(f"steps must be an int, got {steps!r} ({type(steps).__name__})")
    if steps < 0:  # type: ignore[operator]
        raise ValueError(f"steps must be >= 0, got {steps!r}")
    return int(steps)  # type: ignore[call-overload, no-any-return]


_FLOAT_OR_INT = frozenset({float, int})


def check_metrics(metrics: object) -> list[float]:
    """``metrics`` as a new list of Python floats; TypeError naming the index of a non-number."""
    if isinstance(metrics, (str, bytes)) or not hasattr(metrics, "__iter__"):
        raise TypeError(
            f"metrics must be a sequence of numbers, got {metrics!r} ({type(metrics).__name__})"
        )
    kind = type(metrics)
    if kind is list or kind is tuple:
        # The common case at C speed: only Python floats and ints (bool is its own type, so
        # it is not in the set and takes the loop below, which rejects it by index).
        types = set(map(type, metrics))
        if types <= _FLOAT_OR_INT:
            return list(map(float, metrics)) if int in types else list(metrics)
    elif (
        kind.__name__ == "ndarray"
        and getattr(metrics, "ndim", None) == 1
        and metrics.dtype.kind in "fiu"  # type: ignore[attr-defined]
    ):
        return list(map(float, metrics.tolist()))  # type: ignore[attr-defined]
    out = []
    for i, m in enumerate(metrics):
        if isinstance(m, (str, bytes, bool)) or not hasattr(m, "__float__"):
            raise TypeError(f"metrics must contain only numbers, got {m!r} at index {i}")
        out.append(float(m))
    return out
