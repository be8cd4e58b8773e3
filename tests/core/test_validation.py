"""Every validation rule of every spec, at construction (evaluation: test_evaluation_checks).

A bad argument must raise ``TypeError`` (wrong type) or ``ValueError`` (bad value) with a
message that names the argument and shows the offending value's ``repr``. Good values must be
accepted and normalised (numpy scalars to Python numbers, lists to tuples).

The per-field rules are declared once in ``FIELDS``; the bad and good cases are generated from
them, so adding a field to a spec without a rule here fails ``test_every_field_has_a_rule``.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pytest
from _core_helpers import names
from _field_rules import (
    FIELDS,
    TABLE_FIELDS,
    Int,
    Real,
    Rule,
    _base,
)

import lrspec
from lrspec import (
    SWALR,
    ChainedScheduler,
    CyclicLR,
    ExponentialLR,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)


def _field_cases(kind: str) -> Iterator[Any]:
    for cls, (_, rules) in FIELDS.items():
        for name, rule in rules.items():
            values = {
                "type": rule.bad_types(),
                "value": rule.bad_values(),
                "good": rule.good_values(),
            }[kind]
            for value in values:
                kwargs = {**_base(cls, name), name: value}
                yield pytest.param(
                    cls, name, rule, value, kwargs, id=f"{cls.__name__}.{name}={value!r}"
                )


#: Every public spec class: the torch twins and lrspec's own catalogue and combinators.
PUBLIC_SPECS = [
    obj
    for name in lrspec.__all__
    if isinstance(obj := getattr(lrspec, name), type)
    and issubclass(obj, lrspec.Schedule)
    and attrs.has(obj)
]


def test_every_field_has_a_rule() -> None:
    assert set(lrspec.TORCH_TWINS) <= set(PUBLIC_SPECS)
    for cls in PUBLIC_SPECS:
        fields = {f.name for f in attrs.fields(cls)}
        covered = set(FIELDS.get(cls, ({}, {}))[1]) | {n for c, n in TABLE_FIELDS if c is cls}
        assert fields == covered, cls.__name__


ARGS = ("cls", "name", "rule", "value", "kwargs")


@pytest.mark.parametrize(ARGS, list(_field_cases("type")))
def test_wrong_type_raises_type_error(
    cls: type, name: str, rule: Rule, value: object, kwargs: dict
) -> None:
    with pytest.raises(TypeError, match=names(name, value)) as info:
        cls(**kwargs)
    assert type(info.value) is TypeError


@pytest.mark.parametrize(ARGS, list(_field_cases("value")))
def test_bad_value_raises_value_error(
    cls: type, name: str, rule: Rule, value: object, kwargs: dict
) -> None:
    with pytest.raises(ValueError, match=names(name, value)) as info:
        cls(**kwargs)
    assert type(info.value) is ValueError


@pytest.mark.parametrize(ARGS, list(_field_cases("good")))
def test_good_value_is_accepted(
    cls: type, name: str, rule: Rule, value: object, kwargs: dict
) -> None:
    stored = getattr(cls(**kwargs), name)
    expected = float(value) if isinstance(rule, Real) else value  # type: ignore[arg-type]
    assert stored == expected
    assert type(stored) is type(expected)


def _integral_cases() -> Iterator[Any]:
    for cls, (_, rules) in FIELDS.items():
        for name, rule in rules.items():
            if isinstance(rule, Int):
                for value in rule.integral_values():
                    kwargs = {**_base(cls, name), name: value}
                    yield pytest.param(
                        cls, name, value, kwargs, id=f"{cls.__name__}.{name}={value!r}"
                    )


@pytest.mark.parametrize(("cls", "name", "value", "kwargs"), list(_integral_cases()))
def test_integral_reals_become_ints(cls: type, name: str, value: Any, kwargs: dict) -> None:
    spec = cls(**kwargs)
    stored = getattr(spec, name)
    assert type(stored) is int
    assert stored == value
    as_int = cls(**{**kwargs, name: int(value)})
    assert spec == as_int
    assert repr(spec) == repr(as_int)


def test_large_momentum_is_accepted() -> None:
    # torch's own tests run CyclicLR/OneCycleLR with max_momentum=5.0 and 22.0
    assert CyclicLR(base_lr=0.1, max_lr=1.0, max_momentum=22.0).max_momentum == 22.0
    spec = OneCycleLR(max_lr=1.0, total_steps=10, base_momentum=4.0, max_momentum=5.0)
    assert spec.trace_momentum(2)[0] == 5.0


# --- normalisation --------------------------------------------------------------------------


def test_numpy_step_size_equals_python_step_size() -> None:
    spec = StepLR(step_size=np.int64(3))
    assert spec == StepLR(step_size=3)
    assert hash(spec) == hash(StepLR(step_size=3))
    assert type(spec.step_size) is int
    assert repr(spec) == "StepLR(step_size=3, gamma=0.1)"


def _numpy_cases() -> Iterator[Any]:
    for cls, (_, rules) in FIELDS.items():
        for name, rule in rules.items():
            value = rule.numpy_value()
            if value is not None:
                kwargs = {**_base(cls, name), name: value}
                yield pytest.param(cls, name, value, kwargs, id=f"{cls.__name__}.{name}")


@pytest.mark.parametrize(("cls", "name", "value", "kwargs"), list(_numpy_cases()))
def test_numpy_scalars_become_python_numbers(
    cls: type, name: str, value: Any, kwargs: dict
) -> None:
    spec = cls(**kwargs)
    python = value.item()
    assert type(getattr(spec, name)) is type(python)
    assert spec == cls(**{**kwargs, name: python})
    assert hash(spec) == hash(cls(**{**kwargs, name: python}))
    assert "np." not in repr(spec)
    assert "numpy" not in repr(spec)


@pytest.mark.parametrize(
    ("cls", "kwargs", "name", "expected"),
    [
        (StepLR, {"step_size": 3, "gamma": 1}, "gamma", 1.0),
        (StepLR, {"step_size": 3, "gamma": Fraction(1, 2)}, "gamma", 0.5),
        (StepLR, {"step_size": 3, "gamma": np.float32(0.5)}, "gamma", 0.5),
        (CyclicLR, {"base_lr": 0, "max_lr": 1}, "max_lr", 1.0),
        (OneCycleLR, {"max_lr": 2, "total_steps": np.int32(50)}, "total_steps", 50),
        (SWALR, {"swa_lr": np.float16(0.5), "anneal_epochs": np.uint8(3)}, "swa_lr", 0.5),
        (SWALR, {"swa_lr": 1, "anneal_epochs": np.uint8(3)}, "anneal_epochs", 3),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_numbers_are_normalised(cls: type, kwargs: dict, name: str, expected: object) -> None:
    value = getattr(cls(**kwargs), name)
    assert value == expected
    assert type(value) is type(expected)


def test_lists_become_tuples() -> None:
    assert MultiStepLR(milestones=[2, np.int64(5)]).milestones == (2, 5)
    assert all(type(m) is int for m in MultiStepLR(milestones=[np.int64(2)]).milestones)
    STEP, EXP = StepLR(step_size=2), ExponentialLR(gamma=0.9)
    chain = ChainedScheduler(schedulers=[STEP, EXP])
    assert chain.schedulers == (STEP, EXP)
    seq = SequentialLR(schedulers=[STEP, EXP], milestones=[np.int16(3)])
    assert seq.schedulers == (STEP, EXP)
    assert seq.milestones == (3,)
    assert type(seq.milestones[0]) is int
    assert seq == SequentialLR(schedulers=(STEP, EXP), milestones=(3,))
    assert hash(seq) == hash(SequentialLR(schedulers=(STEP, EXP), milestones=(3,)))


def test_numpy_strings_become_python_strings() -> None:
    spec = ReduceLROnPlateau(mode=np.str_("max"))
    assert type(spec.mode) is str
    assert lrspec.parse(repr(spec)) == spec
