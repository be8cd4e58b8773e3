"""The combinators' validation: child-spec fields, cross-argument rules, each error naming
the argument, the rule and the value (the per-field rules are in ``test_validation.py``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _core_helpers import names, shows

from lrspec import (
    SWALR,
    ChainedScheduler,
    Clip,
    CosineAnnealingLR,
    Cycle,
    CyclicLR,
    ExponentialLR,
    Join,
    MultiplicativeLR,
    OneCycleLR,
    Product,
    ReduceLROnPlateau,
    StepLR,
    Stretch,
    Warmup,
)
from lrspec import testing as lt
from lrspec.functional import warmup_ramp

EXP = ExponentialLR(gamma=0.9)
STEP = StepLR(step_size=3, gamma=0.5)


# --- validation: the child-spec fields and cross-argument rules ---------------------------------

NOT_CLOSED = [
    MultiplicativeLR(lr_lambda=lt.factor99),
    ReduceLROnPlateau(),
    ChainedScheduler(schedulers=[STEP, CosineAnnealingLR(T_max=4)]),
]
ABSOLUTE = [
    CyclicLR(base_lr=0.1, max_lr=1.0),
    OneCycleLR(max_lr=1.0, total_steps=10),
    SWALR(swa_lr=0.05),
    CosineAnnealingLR(T_max=5, eta_min=0.01),
]

#: The combinators that may hold a metric-driven child (a plateau) and step it with metrics.
METRIC_HOLDERS = (Join, Warmup, Product, Clip)

#: (class, kwargs without the child, the child's field name, whether it is a sequence)
CHILD_FIELDS: list[tuple[type, dict[str, Any], str, bool]] = [
    (Join, {"boundaries": []}, "schedules", True),
    (Warmup, {"steps": 3}, "inner", False),
    (Product, {}, "schedules", True),
    (Stretch, {"ratio": 2.0}, "inner", False),
    (Clip, {}, "inner", False),
    (Cycle, {"period": 5}, "inner", False),
]


@pytest.mark.parametrize(("cls", "kwargs", "name", "many"), CHILD_FIELDS)
def test_a_child_must_be_a_spec(cls: type, kwargs: dict, name: str, many: bool) -> None:
    for bad in [None, 0.5, "StepLR(step_size=2)", {"type": "StepLR", "step_size": 2}, StepLR]:
        value = [bad] if many else bad
        label = f"{name}[0]" if many else name
        with pytest.raises(TypeError, match=names(label, bad)):
            cls(**kwargs, **{name: value})


@pytest.mark.parametrize(("cls", "kwargs", "name", "many"), CHILD_FIELDS)
def test_a_child_must_have_a_closed_form(cls: type, kwargs: dict, name: str, many: bool) -> None:
    for bad in NOT_CLOSED:
        if bad.metric_driven and cls in METRIC_HOLDERS:
            continue  # stepped with the metrics instead: tests/core/test_metric_compositions.py
        value = [bad] if many else bad
        label = f"{name}[0]" if many else name
        with pytest.raises(ValueError, match=names(label, bad)) as info:
            cls(**kwargs, **{name: value})
        assert "closed form" in str(info.value)


@pytest.mark.parametrize(("cls", "many"), [(Warmup, False), (Product, True), (Cycle, False)])
def test_factor_combinators_refuse_absolute_children(cls: type, many: bool) -> None:
    extra = {"period": 4} if cls is Cycle else {"steps": 3}
    name, kwargs = ("schedules", {}) if many else ("inner", extra)
    for bad in ABSOLUTE:
        value = [EXP, bad] if many else bad
        label = f"{name}[1]" if many else name
        with pytest.raises(ValueError, match=names(label, bad)) as info:
            cls(**kwargs, **{name: value})
        assert "scale with base_lr" in str(info.value)
        assert "absolute lrs" in str(info.value)


@pytest.mark.parametrize("cls", [Join, Product])
def test_children_must_be_a_nonempty_list(cls: type) -> None:
    kwargs = {"boundaries": []} if cls is Join else {}
    for bad in [EXP, None, "EXP", {EXP}]:
        with pytest.raises(TypeError, match=names("schedules", bad)):
            cls(schedules=bad, **kwargs)
    with pytest.raises(ValueError, match=r"^schedules must hold at least one spec"):
        cls(schedules=[], **kwargs)


@pytest.mark.parametrize(
    ("boundaries", "error", "pattern"),
    [
        ([3, 3], ValueError, "strictly increasing"),
        ([5, 3], ValueError, "strictly increasing"),
        ([0, 3], ValueError, ">= 1"),
        ([-2, 3], ValueError, ">= 1"),
        ([3], ValueError, "one entry fewer than schedules"),
        ([2, 4, 6], ValueError, "one entry fewer than schedules"),
        ([2.5, 4], TypeError, "only ints"),
        ("24", TypeError, "list or tuple"),
        (None, TypeError, "list or tuple"),
    ],
)
def test_join_boundaries(boundaries: Any, error: type, pattern: str) -> None:
    with pytest.raises(error, match=rf"^boundaries must .*{pattern}") as info:
        Join(schedules=[EXP, STEP, EXP], boundaries=boundaries)
    assert type(info.value) is error


def test_join_boundaries_are_normalised() -> None:
    spec = Join(schedules=[EXP, STEP], boundaries=np.array([np.int64(4)]))
    assert spec.boundaries == (4,)
    assert type(spec.boundaries[0]) is int
    assert spec == Join(schedules=(EXP, STEP), boundaries=(4,))


def test_exponential_warmup_needs_a_positive_start() -> None:
    with pytest.raises(ValueError, match=shows("start_factor", 0.0)) as info:
        Warmup(inner=EXP, steps=3, kind="exponential")
    assert "kind='exponential'" in str(info.value)
    assert Warmup(inner=EXP, steps=3, kind="exponential", start_factor=0.01).lr(0, 1.0) == 0.01


@pytest.mark.parametrize(
    ("value", "error", "pattern"),
    [
        (0.0, ValueError, r"must be > 0"),
        (-1.0, ValueError, r"must be > 0"),
        (float("nan"), ValueError, r"must be finite"),
        (-math.inf, ValueError, r"must be finite"),
        (0.25, ValueError, r"must be >= min_factor \(0.5\)"),
        ("1", TypeError, r"must be a real number"),
        (True, TypeError, r"must be a real number"),
    ],
)
def test_clip_max_factor(value: Any, error: type, pattern: str) -> None:
    with pytest.raises(error, match=rf"^max_factor {pattern}.*{re_repr(value)}") as info:
        Clip(inner=EXP, min_factor=0.5, max_factor=value)
    assert type(info.value) is error


def re_repr(value: Any) -> str:
    import re

    return re.escape(repr(value))


def test_clip_max_factor_infinity_means_no_ceiling() -> None:
    spec = Clip(inner=EXP, max_factor=math.inf)
    assert spec.max_factor is None
    assert spec == Clip(inner=EXP)
    assert Clip(inner=EXP, max_factor=np.float32(2)).max_factor == 2.0
    assert type(Clip(inner=EXP, max_factor=2).max_factor) is float
    assert Clip(inner=EXP, min_factor=0.5, max_factor=0.5).trace(1.0, 2) == [0.5, 0.5, 0.5]


@pytest.mark.parametrize("kind", ["", "Linear", "sqrt", "exp"])
def test_warmup_ramp_rejects_unknown_kinds(kind: str) -> None:
    with pytest.raises(ValueError, match=names("kind", kind)):
        warmup_ramp(0.5, start=0.0, target=1.0, kind=kind)
    with pytest.raises(ValueError, match=shows("start", 0.0).replace("=", " must be > 0.*")):
        warmup_ramp(0.5, start=0.0, target=1.0, kind="exponential")
