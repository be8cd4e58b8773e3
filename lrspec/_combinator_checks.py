"""The combinators' validators: what a child must be, boundaries, ramps, bounds.

Each names the argument, the rule and the value, as every spec's validators do.
"""

from __future__ import annotations

from typing import Any

import attrs

from lrspec import _checks as c
from lrspec._base import Schedule
from lrspec._combinator_formulas import RAMP_KINDS

_INF = float("inf")


def check_child(name: str, owner: str, child: Any, *, scaling: bool, metric: bool = False) -> None:
    if not isinstance(child, Schedule):
        raise TypeError(f"{name} must be a spec, got {child!r} ({type(child).__name__})")
    if child.metric_driven:
        if metric:
            return  # stepped with the metrics; a Product runs it on factors (base 1)
        raise ValueError(
            f"{name} must have a closed form: {owner} evaluates it at its own local step, "
            f"and {type(child).__name__} is metric-driven (its lr depends on the metrics "
            f"seen; Join, Warmup, Product and Clip can hold it), got {child!r}"
        )
    if not child.closed_form:
        raise ValueError(
            f"{name} must have a closed form: {owner} evaluates it at its own local step, "
            f"and {type(child).__name__}'s lr replays its trace instead, got {child!r}"
        )
    if scaling and not child.scales_with_base_lr:
        raise ValueError(
            f"{name} must scale with base_lr: {owner} works with factors of base_lr, and "
            f"{type(child).__name__} has absolute lrs of its own, got {child!r}"
        )


def _child(*, scaling: bool, metric: bool = False) -> c.Validator:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        check_child(attribute.name, type(inst).__name__, value, scaling=scaling, metric=metric)

    return check


def _children(*, scaling: bool, metric: bool = False) -> c.Validator:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, tuple):
            raise TypeError(
                f"{attribute.name} must be a list or tuple of specs, got {value!r} "
                f"({type(value).__name__})"
            )
        if not value:
            raise ValueError(f"{attribute.name} must hold at least one spec, got []")
        owner = type(inst).__name__
        for i, child in enumerate(value):
            check_child(f"{attribute.name}[{i}]", owner, child, scaling=scaling, metric=metric)

    return check


def _join_boundaries(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    c.increasing_steps(ge=1)(inst, attribute, value)
    n = len(inst.schedules)
    if len(value) != n - 1:
        raise ValueError(
            f"boundaries must have one entry fewer than schedules ({n - 1}), got {list(value)!r}"
        )


def _warmup_kind(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    c.one_of(*RAMP_KINDS)(inst, attribute, value)
    if value == "exponential" and not inst.start_factor > 0:
        raise ValueError(
            "start_factor must be > 0 for kind='exponential' (the ramp is geometric, "
            f"start_factor * (target / start_factor) ** p), got start_factor={inst.start_factor!r}"
        )


def _warmup_prefix(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    c.boolean(inst, attribute, value)
    if not value and inst.inner.metric_driven:
        raise ValueError(
            "prefix must be True for a metric-driven inner schedule: prefix=False ramps to "
            "the inner lr at `steps`, which depends on metrics not seen yet, got prefix=False "
            f"with inner={inst.inner!r}"
        )


def _as_max_factor(value: Any) -> Any:
    """``inf`` means no ceiling, stored as None (so ``to_dict`` stays JSON and parse reads it)."""
    value = c.as_float(value) if value is not None else None
    return None if value == _INF else value


def _max_factor(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    c.real(gt=0)(inst, attribute, value)
    if value < inst.min_factor:
        raise ValueError(f"max_factor must be >= min_factor ({inst.min_factor!r}), got {value!r}")
