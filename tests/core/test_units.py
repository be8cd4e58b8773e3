"""Time units: step fields written in epochs or as a fraction of training, and ``resolve``.

The rules (``lrspec/_units.py``): ``Epochs(n)`` is ``n * ceil(steps_per_epoch /
accumulation)`` steps, ``Fraction(x)`` is ``x * total_steps``, both exact on the decimal the
number prints as, rounded *up* in int fields and kept exact in float ones.
"""

from __future__ import annotations

import math
import re
from typing import Any

import attrs
import numpy as np
import pytest
from _field_rules import AWAITING_UNITS, FIELDS, NOT_STEPS, STEP_FIELDS
from hypothesis import assume, given
from hypothesis import strategies as st

import lrspec
from lrspec import (
    CosineAnnealingLR,
    Epochs,
    ExponentialLR,
    Fraction,
    Interpolate,
    Linear,
    MultiStepLR,
    OneCycleLR,
    PiecewiseConstant,
    SequentialLR,
    StepLR,
    resolve,
)
from lrspec._checks import step_field
from lrspec.testing import (
    CURVE_STRATEGIES,
    SHAPE_STRATEGIES,
    combinators,
    specs,
    written_in_units,
)

PUBLIC_SPECS = [
    obj
    for name in lrspec.__all__
    if isinstance(obj := getattr(lrspec, name), type)
    and issubclass(obj, lrspec.Schedule)
    and attrs.has(obj)
]
#: The annotations of fields that hold ints.
INT_TYPES = {"int", "int | None", "tuple[int, ...]"}
#: Every step field that takes units now.
TAKING_UNITS = sorted(STEP_FIELDS - AWAITING_UNITS, key=lambda k: (k[0].__name__, k[1]))


def test_every_int_field_is_a_step_field_or_says_why() -> None:
    assert not STEP_FIELDS & set(NOT_STEPS)
    for cls in PUBLIC_SPECS:
        for field in attrs.fields(cls):
            key = (cls, field.name)
            where = f"{cls.__name__}.{field.name}"
            if step_field(field) is not None:
                assert key in STEP_FIELDS, f"{where} takes units: add it to STEP_FIELDS"
                assert key not in AWAITING_UNITS, f"{where} takes units: drop it from AWAITING"
            elif key in STEP_FIELDS:
                assert key in AWAITING_UNITS, f"{where} is a step field without as_steps"
            elif str(field.type) in INT_TYPES:
                assert key in NOT_STEPS, f"{where} holds an int: a step field, or say why not"


# --- text forms and unit values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("10ep", Epochs(10)),
        ("2.5ep", Epochs(2.5)),
        (" 3 ep ", Epochs(3)),
        ("1e1ep", Epochs(10)),
        ("0.1dur", Fraction(0.1)),
        ("1dur", Fraction(1)),
        ("1.0dur", Fraction(1)),
        (".5dur", Fraction(0.5)),
    ],
)
def test_text_forms_are_read_in_any_step_field(text: str, unit: Any) -> None:
    assert Linear(total_steps=text).total_steps == unit
    assert MultiStepLR(milestones=[text]).milestones == (unit,)
    assert lrspec.from_dict({"type": "Linear", "total_steps": str(unit)}).total_steps == unit


def test_units_print_read_and_compare_as_values() -> None:
    assert str(Epochs(10)) == "10ep" and str(Fraction(0.1)) == "0.1dur"
    assert repr(Epochs(2.5)) == "Epochs(2.5)" and repr(Fraction(1.0)) == "Fraction(1)"
    assert Epochs(10.0) == Epochs(np.int64(10)) == Epochs(10)
    assert type(Epochs(np.float64(2.5)).n) is float
    assert hash(Epochs(10)) == hash(Epochs(10.0))
    assert Epochs(1) != Fraction(1) and Epochs(1) != 1


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Epochs(-1), ValueError, "Epochs.n must be finite and >= 0, got -1"),
        (lambda: Epochs(math.inf), ValueError, "Epochs.n must be finite"),
        (lambda: Epochs(math.nan), ValueError, "Epochs.n must be finite"),
        (lambda: Epochs("10"), TypeError, "Epochs.n must be a real number, got '10'"),
        (lambda: Epochs(True), TypeError, "Epochs.n must be a real number"),
        (lambda: Fraction(1.5), ValueError, r"Fraction.x must be finite and in \[0, 1\]"),
        (lambda: Fraction(-0.1), ValueError, "Fraction.x must be"),
        (lambda: Linear(total_steps="1.5dur"), ValueError, "total_steps: '1.5dur'.*in \\[0, 1\\]"),
        (lambda: Linear(total_steps="-2ep"), ValueError, "total_steps: '-2ep' .*>= 0"),
        (lambda: Linear(total_steps="10"), TypeError, "total_steps must be an int or a unit"),
        (lambda: Linear(total_steps="10 epochs"), TypeError, "total_steps must be an int or"),
        (lambda: Linear(total_steps=Epochs(0)), ValueError, "total_steps must be a positive"),
        (lambda: Linear(total_steps="0dur"), ValueError, "total_steps must be a positive"),
        (
            lambda: MultiStepLR(milestones=["2ep", "1ep", "1ep"]),
            ValueError,
            "milestones must not repeat a value",
        ),
        (
            lambda: PiecewiseConstant(boundaries=["2ep", "1ep"], factors=[1, 1, 1]),
            ValueError,
            "boundaries must be strictly increasing",
        ),
        (
            lambda: OneCycleLR(max_lr=1.0, total_steps="1dur", epochs=2, steps_per_epoch=5),
            ValueError,
            "epochs and steps_per_epoch must be None when total_steps is a unit",
        ),
    ],
)
def test_bad_units_name_the_field_or_argument(make: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_a_zero_unit_is_fine_where_zero_steps_are() -> None:
    assert resolve(lrspec.SWALR(swa_lr=0.1, anneal_epochs="0ep"), steps_per_epoch=3) == (
        lrspec.SWALR(swa_lr=0.1, anneal_epochs=0)
    )


# --- every step field takes units ---------------------------------------------------------------

#: Tuple-valued step fields: (base kwargs, written, resolved at steps_per_epoch=10,
#: total_steps=100).
TUPLES: dict[tuple[type, str], tuple[dict[str, Any], tuple[Any, ...], tuple[Any, ...]]] = {
    (MultiStepLR, "milestones"): ({}, ("0.5dur", "1ep"), (10, 50)),
    (SequentialLR, "milestones"): (
        {"schedulers": [ExponentialLR(gamma=0.9), StepLR(step_size=2)]},
        ("1ep",),
        (10,),
    ),
    (lrspec.Join, "boundaries"): (
        {"schedules": [ExponentialLR(gamma=0.9), StepLR(step_size=2)]},
        ("1ep",),
        (10,),
    ),
    (PiecewiseConstant, "boundaries"): ({"factors": [1.0, 0.5, 0.1]}, ("1ep", "0.5dur"), (10, 50)),
    (Interpolate, "steps"): (
        {"factors": [1.0, 0.5, 0.1]},
        (0, "1.25ep", Fraction(0.505)),
        (0.0, 12.5, 50.5),
    ),
}


def _unit_case(cls: type, name: str) -> tuple[dict[str, Any], Any, Any]:
    if (cls, name) in TUPLES:
        return TUPLES[cls, name]
    return FIELDS[cls][0], "2ep", 20


@pytest.mark.parametrize(("cls", "name"), TAKING_UNITS, ids=lambda v: getattr(v, "__name__", v))
def test_every_step_field_takes_units_round_trips_and_resolves(cls: type, name: str) -> None:
    base, written, steps = _unit_case(cls, name)
    spec = cls(**{**base, name: written})
    assert lrspec.to_dict(spec)[name] == (
        [
            str(u) if isinstance(u, lrspec.Epochs | lrspec.Fraction) else u
            for u in getattr(spec, name)
        ]
        if isinstance(steps, tuple)
        else "2ep"
    )
    assert lrspec.from_dict(lrspec.to_dict(spec)) == spec
    assert lrspec.parse(repr(spec)) == spec
    resolved = resolve(spec, steps_per_epoch=10, total_steps=100)
    assert resolved == cls(**{**base, name: steps})
    with pytest.raises(ValueError, match=rf"{cls.__name__} is not resolved: {name}"):
        spec.lr(0, 1.0)
    with pytest.raises(ValueError, match=rf"^{name}(\[\d\])? is .*needs"):
        resolve(spec, accumulation=2)


def test_parse_reads_unit_calls_and_text() -> None:
    spec = Linear(total_steps=Epochs(2))
    assert repr(spec) == "Linear(total_steps=Epochs(2), start_factor=1.0, end_factor=0.0)"
    assert lrspec.parse("Linear(total_steps=Epochs(2))") == spec
    assert lrspec.parse("Linear(total_steps='2ep')") == spec
    assert lrspec.parse("Linear(total_steps=Fraction(0.25))").total_steps == Fraction(0.25)
    for text in ("Linear(total_steps=Epochs(2, 3))", "Linear(total_steps=Epochs(n=2))"):
        with pytest.raises(ValueError, match=re.escape("Epochs(...) takes one number")):
            lrspec.parse(text)
    with pytest.raises(ValueError, match=r"Fraction\.x must be"):
        lrspec.parse("Linear(total_steps=Fraction(2))")


# --- how units become steps: the one rounding rule ------------------------------------------------


@pytest.mark.parametrize(
    ("written", "quantities", "steps"),
    [
        ("0.1dur", {"total_steps": 30}, 3),  # exact decimal: HF's float ceil(30 * 0.1) is 4
        ("0.15dur", {"total_steps": 10}, 2),  # 1.5 rounds up
        ("0.001dur", {"total_steps": 100}, 1),  # a positive quantity is never 0 steps
        ("1dur", {"total_steps": 7}, 7),
        (Fraction(1 / 3), {"total_steps": 300}, 100),  # 99.99999999999999 rounds up
        ("0.5ep", {"steps_per_epoch": 5}, 3),  # 2.5 rounds up
        ("1ep", {"steps_per_epoch": 105, "accumulation": 4}, 27),  # ceil(105 / 4) per epoch
        ("2ep", {"steps_per_epoch": 104, "accumulation": 4}, 52),
        ("1.5ep", {"steps_per_epoch": 105, "accumulation": 4}, 41),  # 1.5 * 27 = 40.5
    ],
)
def test_int_fields_round_up_exactly(written: Any, quantities: dict, steps: int) -> None:
    assert resolve(Linear(total_steps=written), **quantities).total_steps == steps


def test_float_step_positions_are_not_rounded() -> None:
    spec = Interpolate(steps=[0, "0.5dur", "1ep"], factors=[1.0, 0.5, 0.0])
    resolved = resolve(spec, total_steps=7, steps_per_epoch=17, accumulation=2)
    assert resolved.steps == (0.0, 3.5, 9.0)


def test_resolve_returns_a_spec_without_units_as_it_is() -> None:
    spec = SequentialLR(
        schedulers=[StepLR(step_size=3), CosineAnnealingLR(T_max=9)], milestones=[4]
    )
    assert resolve(spec) is spec
    assert resolve(spec, steps_per_epoch=10, total_steps=5) is spec


def test_resolve_walks_into_children_and_keeps_what_has_no_units() -> None:
    plain = StepLR(step_size=3)
    spec = SequentialLR(schedulers=[plain, CosineAnnealingLR(T_max="0.5dur")], milestones=["1ep"])
    resolved = resolve(spec, steps_per_epoch=8, total_steps=50)
    assert resolved == SequentialLR(schedulers=[plain, CosineAnnealingLR(T_max=25)], milestones=[8])
    assert resolved.schedulers[0] is plain


# --- errors name the field and what is missing ----------------------------------------------------


def test_a_missing_quantity_names_the_field_path() -> None:
    spec = SequentialLR(
        schedulers=[StepLR(step_size="1ep"), CosineAnnealingLR(T_max="0.9dur")], milestones=[10]
    )
    message = r"^schedulers\[1\]\.T_max is Fraction\(0\.9\), which needs total_steps: call "
    with pytest.raises(ValueError, match=message + re.escape("resolve(spec, total_steps=...)")):
        resolve(spec, steps_per_epoch=10)
    with pytest.raises(ValueError, match=r"^schedulers\[0\]\.step_size is Epochs\(1\)"):
        resolve(spec, total_steps=10)


def test_a_resolved_value_that_breaks_a_rule_names_the_field() -> None:
    spec = MultiStepLR(milestones=["1ep", 10])
    with pytest.raises(ValueError, match=r"milestones=\(Epochs\(1\), 10\) -> \(10, 10\).*repeat"):
        resolve(spec, steps_per_epoch=10)
    nested = SequentialLR(schedulers=[ExponentialLR(gamma=0.5), spec], milestones=[5])
    with pytest.raises(ValueError, match=r"at schedulers\[1\] \(schedulers\[1\]\.milestones="):
        resolve(nested, steps_per_epoch=10)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"steps_per_epoch": 0}, ValueError, "steps_per_epoch must be >= 1, got 0"),
        ({"total_steps": -5}, ValueError, "total_steps must be >= 1, got -5"),
        ({"accumulation": 0}, ValueError, "accumulation must be >= 1, got 0"),
        ({"accumulation": None}, TypeError, "accumulation must be an int, got None"),
        ({"total_steps": 1.5}, TypeError, "total_steps must be an int, got 1.5"),
        ({"steps_per_epoch": "10"}, TypeError, "steps_per_epoch must be an int, got '10'"),
        ({"steps_per_epoch": True}, TypeError, "steps_per_epoch must be an int, got True"),
    ],
)
def test_bad_quantities_are_refused(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        resolve(Linear(total_steps=10), **kwargs)


def test_resolve_takes_a_spec() -> None:
    with pytest.raises(TypeError, match="spec must be an lrspec spec, got '10ep'"):
        resolve("10ep", steps_per_epoch=3)  # type: ignore[arg-type]


def test_integral_quantities_are_accepted() -> None:
    spec = Linear(total_steps="1dur")
    assert resolve(spec, total_steps=np.int64(12)).total_steps == 12
    assert resolve(spec, total_steps=12.0).total_steps == 12


UNRESOLVED = SequentialLR(
    schedulers=[ExponentialLR(gamma=0.5), CosineAnnealingLR(T_max="0.9dur")], milestones=[3]
)
WHY = r"SequentialLR is not resolved: schedulers\[1\]\.T_max is Fraction\(0\.9\): resolve\(spec, "


@pytest.mark.parametrize(
    "evaluate",
    [
        lambda s: s.lr(0, 1.0),
        lambda s: s.lr(np.arange(3), 1.0),
        lambda s: s.lr(0.5, 1),
        lambda s: s.trace(1.0, 3),
        lambda s: s.iter_trace(1.0),
        lambda s: s.twin({"lr": 1.0}),
    ],
    ids=["lr", "lr-array", "lr-slow", "trace", "iter_trace", "twin"],
)
def test_evaluating_an_unresolved_spec_names_the_field(evaluate: Any) -> None:
    with pytest.raises(ValueError, match=WHY + re.escape("total_steps=...) first")):
        evaluate(UNRESOLVED)


def test_momentum_of_an_unresolved_spec_names_the_field() -> None:
    spec = OneCycleLR(max_lr=1.0, total_steps="1dur")
    for evaluate in (lambda: spec.momentum(0), lambda: spec.trace_momentum(3)):
        with pytest.raises(ValueError, match=r"OneCycleLR is not resolved: total_steps is"):
            evaluate()
    assert resolve(spec, total_steps=10).momentum(0) == OneCycleLR(
        max_lr=1, total_steps=10
    ).momentum(0)


# --- properties --------------------------------------------------------------------------------


def _any_spec() -> st.SearchStrategy[lrspec.Schedule]:
    return st.one_of(
        specs(metric_driven=False),
        combinators(),
        *(make() for make in SHAPE_STRATEGIES.values()),
        *(make() for make in CURVE_STRATEGIES.values()),
    )


@given(written_in_units(_any_spec()))
def test_resolve_equals_the_spec_written_in_steps_and_is_idempotent(case: Any) -> None:
    spec, written, quantities = case
    resolved = resolve(written, **quantities)
    assert resolved == spec
    assert resolve(resolved, **quantities) is resolved
    assert resolve(resolved, steps_per_epoch=3, total_steps=7) is resolved
    assert resolve(resolve(written, **quantities), **quantities) == resolved
    assert lrspec.from_dict(lrspec.to_dict(written)) == written
    assert lrspec.parse(repr(written)) == written


def _first_unit(spec: Any, path: str = "") -> tuple[str, Any] | None:
    """The path of the first unit value in ``spec`` (fields in order, depth first)."""
    for field in attrs.fields(type(spec)):
        value = getattr(spec, field.name)
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items):
            where = f"{path}{field.name}" + (f"[{i}]" if isinstance(value, tuple) else "")
            if isinstance(item, Epochs | Fraction):
                return where, item
            if isinstance(item, lrspec.Schedule) and (found := _first_unit(item, f"{where}.")):
                return found
    return None


@given(written_in_units(_any_spec()))
def test_unit_errors_name_the_field(case: Any) -> None:
    _, written, _ = case
    found = _first_unit(written)
    assume(found is not None)
    where, unit = found  # type: ignore[misc]
    prefix = re.escape(f"{type(written).__name__} is not resolved: {where} is {unit!r}")
    with pytest.raises(ValueError, match=prefix):
        written.lr(0, 1.0)
    with pytest.raises(ValueError, match=prefix):
        written.trace(1.0, 1)
    other = "total_steps" if unit.needs == "steps_per_epoch" else "steps_per_epoch"
    with pytest.raises(ValueError, match=re.escape(f"is {unit!r}, which needs {unit.needs}")):
        resolve(written, **{other: 10})


#: Shapes whose length is their only step field: ``Fraction(x)`` of ``k * T`` steps.
STRETCHABLE = [
    lambda n: lrspec.Linear(total_steps=n, start_factor=0.9, end_factor=0.1),
    lambda n: lrspec.Cosine(total_steps=n, end_factor=0.05),
    lambda n: lrspec.Polynomial(total_steps=n, power=2.0),
    lambda n: lrspec.OneMinusSqrt(total_steps=n),
    lambda n: lrspec.Tanh(total_steps=n),
    lambda n: lrspec.CosineAnnealingLR(T_max=n),
    lambda n: lrspec.StepLR(step_size=n, gamma=0.5),
    lambda n: lrspec.PiecewiseConstant(boundaries=[n], factors=[1.0, 0.3]),
    lambda n: lrspec.Interpolate(steps=[0, n], factors=[0.2, 1.0], kind="cosine"),
]


@given(
    make=st.sampled_from(STRETCHABLE),
    numerator=st.integers(1, 16),
    exponent=st.integers(0, 5),
    scale=st.integers(1, 40),
    k=st.integers(1, 6),
)
def test_fraction_specs_scale_with_total_steps(
    make: Any, numerator: int, exponent: int, scale: int, k: int
) -> None:
    """``resolve(spec, total_steps=k*T) == Stretch(resolve(spec, total_steps=T), k)`` at every
    step, up to the float rounding of ``t / k``, whenever ``x * T`` is a whole number of
    steps (no rounding then): ``x = numerator / 2**exponent``, ``T = scale * 2**exponent``.
    (Where ``x * T`` is not whole, rounding up at ``T`` and at ``k * T`` differ by up to
    ``k`` steps, and so may the two schedules.)"""
    x = numerator / 2**exponent
    assume(x <= 1)
    total = scale * 2**exponent
    written = make(Fraction(x))
    short = resolve(written, total_steps=total)
    long = resolve(written, total_steps=k * total)
    assert long == make(k * numerator * scale)
    stretched = lrspec.Stretch(inner=short, ratio=k)
    t = np.arange(k * total + 3 * k)
    np.testing.assert_allclose(long.lr(t, 1.0), stretched.lr(t, 1.0), rtol=1e-12, atol=1e-12)
    for step in (0, k * numerator * scale, k * total - 1):
        value, expected = long.lr(step, 1.0), stretched.lr(step, 1.0)
        assert math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-12)
