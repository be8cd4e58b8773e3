"""Validation of milestones, composites and cross-argument rules (per-field rules:
test_validation).

A bad argument must raise ``TypeError`` (wrong type) or ``ValueError`` (bad value) with a
message that names the argument and shows the offending value's ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from _core_helpers import names, shows

from lrspec import (
    ChainedScheduler,
    ExponentialLR,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

# --- milestones, composites and cross-argument rules -----------------------------------------

STEP = StepLR(step_size=2)
EXP = ExponentialLR(gamma=0.9)
PLATEAU = ReduceLROnPlateau()
CHAIN = ChainedScheduler(schedulers=[STEP, EXP])
SEQ = SequentialLR(schedulers=[STEP, EXP], milestones=[3])


def _milestone_cases(cls: type, base: dict[str, Any]) -> list[Any]:
    def case(value: object, exc: type, pattern: str, id: str) -> Any:
        kwargs = {**base, "milestones": value}
        return pytest.param(cls, kwargs, exc, pattern, id=f"{cls.__name__}.milestones-{id}")

    common = [
        case(3, TypeError, names("milestones", 3), "int"),
        case("1,2", TypeError, names("milestones", "1,2"), "str"),
        case(None, TypeError, names("milestones", None), "None"),
        case([1.5], TypeError, names("milestones", 1.5), "float"),
        case([True], TypeError, names("milestones", True), "bool"),
        case(["2"], TypeError, names("milestones", "2"), "str-item"),
        case([np.float64(2.5)], TypeError, names("milestones", np.float64(2.5)), "np-float"),
        case([0], ValueError, names("milestones", [0]), "zero"),
        case([-3], ValueError, names("milestones", [-3]), "negative"),
        case([2, 2], ValueError, names("milestones", [2, 2]), "duplicate"),
    ]
    if cls is MultiStepLR:  # torch counts milestones: any order, any iterable (sorted here)
        return [*common, case([5, 2, 5], ValueError, names("milestones", [2, 5, 5]), "dup-sorted")]
    # SequentialLR bisects its milestones: they must come in order
    return [
        *common,
        case({1, 2}, TypeError, names("milestones", {1, 2}), "set"),
        case([3, 2], ValueError, names("milestones", [3, 2]), "unsorted"),
        case([1, 5, 4], ValueError, names("milestones", [1, 5, 4]), "unsorted-tail"),
    ]


def _composite_case(cls: type, extra: dict[str, Any]) -> Any:
    def case(schedulers: object, exc: type, pattern: str, id: str) -> Any:
        kwargs = {"schedulers": schedulers, **extra}
        return pytest.param(cls, kwargs, exc, pattern, id=f"{cls.__name__}-{id}")

    return case


def _composite_cases() -> Iterator[Any]:
    for cls, extra in ((ChainedScheduler, {}), (SequentialLR, {"milestones": []})):
        case = _composite_case(cls, extra)
        yield case([], ValueError, names("schedulers", []), "empty")
        yield case(None, TypeError, names("schedulers", None), "None")
        yield case(STEP, TypeError, names("schedulers", STEP), "bare-spec")
        yield case("StepLR", TypeError, names("schedulers", "StepLR"), "str")
        yield case([5], TypeError, names("schedulers[0]", 5), "int-child")
        yield case(
            [{"type": "StepLR"}], TypeError, names("schedulers[0]", {"type": "StepLR"}), "dict"
        )
        yield case([StepLR], TypeError, names("schedulers[0]", StepLR), "class-child")
        yield case([PLATEAU], ValueError, names("schedulers[0]", PLATEAU), "plateau-first")
    yield pytest.param(
        ChainedScheduler,
        {"schedulers": [STEP, PLATEAU]},
        ValueError,
        names("schedulers[1]", PLATEAU),
        id="ChainedScheduler-plateau-second",
    )
    yield pytest.param(
        ChainedScheduler,
        {"schedulers": [STEP, None]},
        TypeError,
        names("schedulers[1]", None),
        id="ChainedScheduler-None-child",
    )


def _sequential_cases() -> Iterator[Any]:
    def case(kwargs: dict[str, Any], exc: type, pattern: str, id: str) -> Any:
        return pytest.param(SequentialLR, kwargs, exc, pattern, id=f"SequentialLR-{id}")

    two = [STEP, EXP]
    yield case(
        {"schedulers": [STEP, PLATEAU], "milestones": [3]},
        ValueError,
        names("schedulers[1]", PLATEAU),
        "plateau-second",
    )
    yield case(
        {"schedulers": [STEP, CHAIN], "milestones": [3]},
        ValueError,
        names("schedulers[1]", CHAIN),
        "chain-second",
    )
    yield case(
        {"schedulers": [STEP, EXP, SEQ], "milestones": [3, 6]},
        ValueError,
        names("schedulers[2]", SEQ),
        "sequential-third",
    )
    yield case(
        {"schedulers": two, "milestones": []},
        ValueError,
        names("milestones", []),
        "too-few-milestones",
    )
    yield case(
        {"schedulers": two, "milestones": [3, 6]},
        ValueError,
        names("milestones", [3, 6]),
        "too-many-milestones",
    )
    yield case(
        {"schedulers": [STEP], "milestones": [3]},
        ValueError,
        names("milestones", [3]),
        "milestone-for-one-child",
    )
    yield case(
        {"schedulers": two, "milestones": 3}, TypeError, names("milestones", 3), "int-milestones"
    )


def _one_cycle_cases() -> Iterator[Any]:
    def case(kwargs: dict[str, Any], pattern: str, id: str) -> Any:
        return pytest.param(OneCycleLR, {"max_lr": 1.0, **kwargs}, ValueError, pattern, id=id)

    yield case({}, shows("total_steps", None), "OneCycleLR-no-length")
    yield case({"epochs": 4}, shows("steps_per_epoch", None), "OneCycleLR-epochs-only")
    yield case({"steps_per_epoch": 4}, shows("epochs", None), "OneCycleLR-steps-per-epoch-only")
    yield case(
        {"total_steps": 10, "epochs": 2, "steps_per_epoch": 4},
        shows("total_steps", 10),
        "OneCycleLR-inconsistent-total",
    )
    yield case(
        {"total_steps": 10, "epochs": 5},
        shows("steps_per_epoch", None),
        "OneCycleLR-total-and-epochs-only",
    )
    # pct_start * total_steps == 1 makes the warm-up phase zero steps long (torch divides by 0)
    yield case(
        {"total_steps": 10, "pct_start": 0.1},
        shows("pct_start", 0.1),
        "OneCycleLR-pct-times-total-is-1",
    )
    yield case(
        {"epochs": 2, "steps_per_epoch": 5, "pct_start": 0.1},
        shows("pct_start", 0.1),
        "OneCycleLR-pct-times-epochs-is-1",
    )
    yield case(
        {"total_steps": 10, "pct_start": 1.0},
        shows("pct_start", 1.0),
        "OneCycleLR-pct-1-empty-anneal",
    )
    # three phases: 2 * pct * total - 2 must come before total - 1
    yield case(
        {"total_steps": 10, "pct_start": 0.6, "three_phase": True},
        shows("pct_start", 0.6),
        "OneCycleLR-three-phase-overlap",
    )
    yield case(
        {"total_steps": 10, "pct_start": 0.55, "three_phase": True},
        shows("pct_start", 0.55),
        "OneCycleLR-three-phase-touch",
    )


TABLE_CASES = [
    *_milestone_cases(MultiStepLR, {}),
    *_milestone_cases(SequentialLR, {"schedulers": [STEP, EXP, EXP]}),
    *_composite_cases(),
    *_sequential_cases(),
    *_one_cycle_cases(),
]


@pytest.mark.parametrize(("cls", "kwargs", "exc", "pattern"), TABLE_CASES)
def test_table_rule(cls: type, kwargs: dict, exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern) as info:
        cls(**kwargs)
    assert type(info.value) is exc


@pytest.mark.parametrize(
    "kwargs",
    [
        {"total_steps": 1},
        {"total_steps": 10, "pct_start": 0.0},
        {"total_steps": 10, "pct_start": 0.5, "three_phase": True},
        {"epochs": 3, "steps_per_epoch": 7},
        {"total_steps": 21, "epochs": 3, "steps_per_epoch": 7},
    ],
    ids=repr,
)
def test_one_cycle_accepts_consistent_lengths(kwargs: dict) -> None:
    spec = OneCycleLR(max_lr=1.0, **kwargs)
    steps = spec.total
    assert len(spec.trace(0.0, steps)) == steps + 1


def test_sequential_accepts_composite_first_and_single_child() -> None:
    assert SequentialLR(schedulers=[CHAIN, EXP], milestones=[4]).schedulers[0] is CHAIN
    assert SequentialLR(schedulers=[STEP], milestones=[]).milestones == ()


def test_multistep_accepts_no_milestones() -> None:
    assert MultiStepLR(milestones=[]).trace(1.0, 3) == [1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    "milestones",
    [[5, 2, 9], (9, 5, 2), {2, 5, 9}, frozenset({9, 2, 5}), [2.0, 5.0, 9.0], np.array([9, 2, 5])],
    ids=repr,
)
def test_multistep_accepts_any_iterable_of_ints_and_sorts(milestones: Any) -> None:
    spec = MultiStepLR(milestones=milestones, gamma=0.5)
    assert spec.milestones == (2, 5, 9)
    assert all(type(m) is int for m in spec.milestones)
    assert spec == MultiStepLR(milestones=[2, 5, 9], gamma=0.5)
    assert spec.trace(1.0, 10) == MultiStepLR(milestones=[2, 5, 9], gamma=0.5).trace(1.0, 10)


def test_multistep_accepts_range_and_generator() -> None:
    assert MultiStepLR(milestones=range(30, 91, 30)).milestones == (30, 60, 90)
    assert MultiStepLR(milestones=(3 * k for k in (3, 1, 2))).milestones == (3, 6, 9)


def test_sequential_accepts_integral_float_milestones() -> None:
    assert SequentialLR(schedulers=[STEP, EXP], milestones=[np.float64(3.0)]).milestones == (3,)
