"""Inputs a hostile (or unlucky) user sends: each gets a clear error, never a crash of another kind.

* ints too large for a float, in float and int fields, directly, through JSON and through
  a hex literal in spec text: ValueError naming the field, at construction;
* nesting deeper than the documented limit (``MAX_DEPTH``), and spec text longer than
  ``MAX_TEXT``: ValueError saying which limit, never RecursionError / MemoryError;
* a power too large for a float is ``inf`` on numbers as on arrays (Python's ``**`` raises
  OverflowError where numpy gives inf);
* numpy objects that are not arrays: TypeError;
* generated JSON-like data and text: ``from_dict`` / ``parse`` raise only TypeError or
  ValueError (lrspec's documented errors), whatever they are fed.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrspec
from lrspec._serialize import MAX_DEPTH, MAX_TEXT

HUGE = 10**400


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda v: lrspec.StepLR(step_size=3, gamma=v), "gamma"),
        (lambda v: lrspec.from_dict({"type": "StepLR", "step_size": 3, "gamma": v}), "gamma"),
        (
            lambda v: lrspec.from_dict(json.loads(f'{{"type": "ExponentialLR", "gamma": {v}}}')),
            "gamma",
        ),
        (lambda v: lrspec.parse(f"StepLR(step_size=3, gamma={hex(v)})"), "gamma"),
        (lambda v: lrspec.Clip(inner=lrspec.Constant(), max_factor=v), "max_factor"),
        (lambda v: lrspec.Cycle(inner=lrspec.Constant(), period=v), "period"),
        (lambda v: lrspec.CosineAnnealingLR(T_max=v), "T_max"),
        (lambda v: lrspec.Linear(total_steps=v), "total_steps"),
        (lambda v: lrspec.MultiStepLR(milestones=[5, v]), "milestones"),
        (lambda v: lrspec.PiecewiseConstant(boundaries=[v], factors=[1, 0]), "boundaries"),
        (
            lambda v: lrspec.Join(schedules=[lrspec.Constant()] * 2, boundaries=[v]),
            "boundaries",
        ),
        (lambda v: lrspec.parse(f"CosineAnnealingLR(T_max={hex(v)})"), "T_max"),
    ],
)
def test_an_int_too_large_is_refused_at_construction_naming_the_field(
    build: Any, field: str
) -> None:
    with pytest.raises(ValueError, match=rf"{field} (must|must all) be") as info:
        build(HUGE)
    assert "digits" in str(info.value)  # the value, shortened: not 400 digits of it
    assert len(str(info.value)) < 400


def test_int_fields_stop_at_two_to_the_53() -> None:
    assert lrspec.StepLR(step_size=2**53).step_size == 2**53
    with pytest.raises(ValueError, match=r"step_size must be <= 2\*\*53 .*9007199254740993"):
        lrspec.StepLR(step_size=2**53 + 1)


# --- nesting and size limits ----------------------------------------------------------------


def chain(depth: int) -> lrspec.Schedule:
    spec: lrspec.Schedule = lrspec.StepLR(step_size=1)
    for _ in range(depth):
        spec = lrspec.ChainedScheduler(schedulers=[spec])
    return spec


def test_specs_nested_within_the_limit_round_trip() -> None:
    spec = chain(MAX_DEPTH // 2 - 1)  # each level is a spec and a list
    assert lrspec.from_dict(json.loads(json.dumps(lrspec.to_dict(spec)))) == spec
    assert lrspec.parse(repr(spec)) == spec


def test_deeper_nesting_is_a_value_error_naming_the_limit() -> None:
    spec = chain(200)
    with pytest.raises(ValueError, match=rf"limit of {MAX_DEPTH} levels"):
        lrspec.to_dict(spec)
    data: dict[str, Any] = {"type": "StepLR", "step_size": 1}
    for _ in range(200):
        data = {"type": "ChainedScheduler", "schedulers": [data]}
    with pytest.raises(ValueError, match=rf"limit of {MAX_DEPTH} levels"):
        lrspec.from_dict(data)
    with pytest.raises(ValueError, match=rf"limit of {MAX_DEPTH} levels"):
        lrspec.parse("ChainedScheduler(schedulers=[" * 60 + "StepLR(step_size=1)" + "])" * 60)


@pytest.mark.parametrize(
    "text",
    [
        "-" * 5000 + "1",
        "not " * 2000 + "1",
        "1+" * 3000 + "1",
        "[" * 300 + "]" * 300,
        "(" * 1000 + ")" * 1000,
    ],
    ids=lambda t: f"{t[:8]}...({len(t)})",
)
def test_pathological_text_is_a_short_value_error(text: str) -> None:
    with pytest.raises(ValueError) as info:
        lrspec.parse(text)
    assert len(str(info.value)) < 600


def test_text_longer_than_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(ValueError, match=rf"at most {MAX_TEXT} characters"):
        lrspec.parse("StepLR(step_size=1)" + " " * MAX_TEXT)


def test_spec_text_never_leaks_a_syntax_warning() -> None:
    # pytest turns warnings into errors here: a leaked SyntaxWarning would fail this test
    with pytest.raises(ValueError, match="not allowed"):
        lrspec.parse("StepLR(step_size=1 is 1)")
    with pytest.raises(ValueError, match="not allowed"):
        lrspec.parse("StepLR(step_size='\\d')" + "[0]")


# --- numbers and arrays agree past a float's range ------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        lrspec.ExponentialLR(gamma=2.0),
        lrspec.StepLR(step_size=1, gamma=3.0),
        lrspec.MultiStepLR(milestones=list(range(1, 2000)), gamma=2.0),
    ],
    ids=repr,
)
def test_a_power_beyond_a_float_is_inf_on_numbers_as_on_arrays(spec: lrspec.Schedule) -> None:
    assert spec.lr(2000, 1.0) == float("inf")
    with np.errstate(over="ignore"):
        assert spec.lr(np.array([2000]), 1.0)[0] == float("inf")
    assert spec.trace(1.0, 2000)[-1] == float("inf")


def test_triangular2_past_1024_cycles_is_its_limit_on_numbers_as_on_arrays() -> None:
    spec = lrspec.CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=1, mode="triangular2")
    epochs = [3000, 3001, 10**6 + 1]
    assert [spec.lr(e, 1.0) for e in epochs] == spec.lr(np.array(epochs), 1.0).tolist()
    assert spec.lr(3001, 1.0) == 0.1  # the scale 1 / 2**(cycle - 1) is 0: base_lr


@pytest.mark.parametrize(
    "epoch",
    [np.dtype("f8"), np.random.default_rng(0), np.float64, np.array([1], dtype=object)],
    ids=lambda e: type(e).__name__,
)
def test_numpy_objects_that_are_not_arrays_are_type_errors(epoch: Any) -> None:
    with pytest.raises(TypeError, match="epoch must"):
        lrspec.StepLR(step_size=2).lr(epoch, 1.0)


# --- untrusted configs -----------------------------------------------------------------------

NAMES = st.sampled_from(
    [
        "StepLR",
        "Join",
        "ChainedScheduler",
        "LambdaLR",
        "os.system",
        "__import__",
        "Warmup",
        "builtins.eval",
        "ReduceLROnPlateau",
        "Cosine",
        "sys",
        "ℝ",
        "",
        "type",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**400), 10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["10ep", "0.1dur", "-1ep", "2dur", "nanep", "1e999ep", "__class__"]),
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "type",
            "function",
            "step_size",
            "gamma",
            "schedules",
            "boundaries",
            "inner",
            "milestones",
            "steps",
            "__class__",
            "__init__",
            "lr_lambda",
        ]
    ),
    st.text(max_size=8),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(KEYS, inner, max_size=5),
        st.builds(
            lambda name, rest: {"type": name, **rest},
            NAMES,
            st.dictionaries(KEYS, inner, max_size=4),
        ),
    ),
    max_leaves=40,
)


@settings(max_examples=300)
@given(data=JSONISH)
def test_from_dict_of_anything_raises_only_documented_errors(data: Any) -> None:
    try:
        spec = lrspec.from_dict(data)
    except (TypeError, ValueError):
        return
    assert isinstance(spec, lrspec.Schedule)
    assert lrspec.from_dict(lrspec.to_dict(spec)) == spec


TOKENS = st.sampled_from(
    [
        "StepLR",
        "Join",
        "(",
        ")",
        "[",
        "]",
        "=",
        ",",
        "step_size",
        "gamma",
        "schedules",
        "1",
        "0.5",
        "-",
        "not ",
        "+",
        "'10ep'",
        "Epochs",
        "fn",
        "'x'",
        "__import__",
        ".",
        "lambda",
        " ",
        "**",
        "1e999",
        "0x" + "f" * 300,
        "boundaries",
        "Constant()",
        "None",
        "True",
    ]
)


@settings(max_examples=300)
@given(text=st.one_of(st.text(max_size=60), st.lists(TOKENS, max_size=40).map("".join)))
def test_parse_of_anything_raises_only_documented_errors(text: str) -> None:
    try:
        spec = lrspec.parse(text)
    except (TypeError, ValueError):
        return
    assert lrspec.parse(repr(spec)) == spec


# --- every number field, with an int beyond a float --------------------------------------------


def _number_fields() -> list[Any]:
    from _field_rules import FIELDS, Int, Real, _base

    out = []
    for cls, (_, rules) in FIELDS.items():
        for name, rule in rules.items():
            if isinstance(rule, (Int, Real)):
                out.append(pytest.param(cls, name, _base(cls, name), id=f"{cls.__name__}.{name}"))
    return out


@pytest.mark.parametrize(("cls", "name", "kwargs"), _number_fields())
@pytest.mark.parametrize("huge", [HUGE, -HUGE], ids=["10**400", "-10**400"])
def test_every_number_field_refuses_an_int_beyond_a_float(
    cls: type, name: str, kwargs: dict, huge: int
) -> None:
    with pytest.raises(ValueError, match=rf"^{name} must .*\(401 digits\)"):
        cls(**{**kwargs, name: huge})
