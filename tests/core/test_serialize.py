"""Saving and loading specs: ``to_dict`` / ``from_dict`` / ``parse`` round trips.

Every class through a dict, JSON, its ``repr`` text, pickle and copy, to an equal spec with the
same trace. Functions through the registry: test_serialize_functions; malformed or hostile
data: test_serialize_safety.
"""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import (
    SWALR,
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
    from_dict,
    parse,
    to_dict,
)

# Registry names are global to the process: every name here starts with this module's prefix.


def _warmup(epoch: int) -> float:
    return min(1.0, (epoch + 1) / 5)


def _shrink(epoch: int) -> float:
    return 0.95


def _halving_scale(x: float) -> float:
    return 0.5**x


lrspec.register_function("test_serialize_warmup", _warmup)
lrspec.register_function("test_serialize_shrink", _shrink)
lrspec.register_function("test_serialize_halving_scale", _halving_scale)

EXAMPLES = [
    StepLR(step_size=7, gamma=0.5),
    MultiStepLR(milestones=[3, 8, 20], gamma=0.25),
    ConstantLR(factor=0.5, total_iters=4),
    LinearLR(start_factor=0.1, end_factor=0.9, total_iters=12),
    ExponentialLR(gamma=0.97),
    PolynomialLR(total_iters=30, power=2.5),
    CosineAnnealingLR(T_max=100, eta_min=1e-6),
    LambdaLR(lr_lambda=_warmup),
    MultiplicativeLR(lr_lambda=_shrink),
    ChainedScheduler(schedulers=[ConstantLR(factor=0.25), ExponentialLR(gamma=0.9)]),
    SequentialLR(
        schedulers=[
            ChainedScheduler(schedulers=[LinearLR(total_iters=3), ExponentialLR(gamma=0.99)]),
            CosineAnnealingLR(T_max=50),
            StepLR(step_size=10),
        ],
        milestones=[5, 55],
    ),
    ReduceLROnPlateau(
        mode="max",
        factor=0.5,
        patience=3,
        threshold=0.01,
        threshold_mode="abs",
        cooldown=2,
        min_lr=1e-5,
        eps=0.0,
    ),
    CyclicLR(
        base_lr=0.001,
        max_lr=0.1,
        step_size_up=10,
        step_size_down=5,
        mode="exp_range",
        gamma=0.99,
        cycle_momentum=False,
    ),
    CyclicLR(
        base_lr=0.0,
        max_lr=1.0,
        scale_fn=_halving_scale,
        scale_mode="iterations",
        base_momentum=0.5,
        max_momentum=0.75,
    ),
    OneCycleLR(
        max_lr=0.3,
        epochs=4,
        steps_per_epoch=25,
        pct_start=0.25,
        anneal_strategy="linear",
        three_phase=True,
        div_factor=10.0,
        final_div_factor=100.0,
    ),
    CosineAnnealingWarmRestarts(T_0=10, T_mult=2, eta_min=0.001),
    SWALR(swa_lr=0.05, anneal_epochs=0, anneal_strategy="linear"),
]
IDS = [f"{type(s).__name__}-{i}" for i, s in enumerate(EXAMPLES)]


def _assert_json_native(value: Any) -> None:
    if isinstance(value, dict):
        assert all(type(k) is str for k in value)
        for v in value.values():
            _assert_json_native(v)
    elif isinstance(value, list):
        for v in value:
            _assert_json_native(v)
    else:
        assert value is None or type(value) in (bool, int, float, str), repr(value)


def test_examples_cover_every_class() -> None:
    assert {type(s) for s in EXAMPLES} == set(lrspec.TORCH_TWINS)


@pytest.mark.parametrize("spec", EXAMPLES, ids=IDS)
def test_dict_round_trip(spec: lrspec.Schedule) -> None:
    data = to_dict(spec)
    assert data["type"] == type(spec).__name__
    assert set(data) == {"type"} | {f.name for f in attrs.fields(type(spec))}
    _assert_json_native(data)
    assert from_dict(data) == spec


@pytest.mark.parametrize("spec", EXAMPLES, ids=IDS)
def test_json_round_trip(spec: lrspec.Schedule) -> None:
    text = json.dumps(to_dict(spec))
    assert json.loads(text) == to_dict(spec)
    loaded = from_dict(json.loads(text))
    assert loaded == spec
    assert hash(loaded) == hash(spec)


@pytest.mark.parametrize("spec", EXAMPLES, ids=IDS)
def test_repr_round_trip(spec: lrspec.Schedule) -> None:
    assert parse(repr(spec)) == spec
    assert repr(parse(repr(spec))) == repr(spec)


@pytest.mark.parametrize(
    "spec", [s for s in EXAMPLES if not s.metric_driven], ids=lambda s: type(s).__name__
)
def test_loaded_spec_gives_the_same_trace(spec: lrspec.Schedule) -> None:
    assert from_dict(json.loads(json.dumps(to_dict(spec)))).trace(0.1, 30) == spec.trace(0.1, 30)
    assert parse(repr(spec)).trace(0.1, 30) == spec.trace(0.1, 30)


@pytest.mark.parametrize("spec", EXAMPLES, ids=IDS)
def test_pickle_and_copy_round_trip(spec: lrspec.Schedule) -> None:
    assert pickle.loads(pickle.dumps(spec)) == spec
    assert copy.deepcopy(spec) == spec
    assert copy.copy(spec) == spec


@given(st.data())
def test_every_generated_spec_round_trips(data: st.DataObject) -> None:
    from lrspec.testing import specs  # imported here so a broken module fails only this test

    spec = data.draw(specs())
    assert from_dict(json.loads(json.dumps(to_dict(spec)))) == spec
    assert parse(repr(spec)) == spec
    assert pickle.loads(pickle.dumps(spec)) == spec


def test_nested_composites_become_nested_dicts() -> None:
    seq = next(s for s in EXAMPLES if isinstance(s, SequentialLR))
    data = to_dict(seq)
    assert data["milestones"] == [5, 55]
    chain = data["schedulers"][0]
    assert chain["type"] == "ChainedScheduler"
    assert [child["type"] for child in chain["schedulers"]] == ["LinearLR", "ExponentialLR"]
    assert data["schedulers"][1] == {"type": "CosineAnnealingLR", "T_max": 50, "eta_min": 0.0}


def test_from_dict_fills_defaults() -> None:
    assert from_dict({"type": "StepLR", "step_size": 30}) == StepLR(step_size=30)
    assert from_dict({"type": "ReduceLROnPlateau"}) == ReduceLROnPlateau()


def test_from_dict_validates_like_the_constructor() -> None:
    with pytest.raises(ValueError, match=r"^step_size must be >= 1, got 0$"):
        from_dict({"type": "StepLR", "step_size": 0})
    with pytest.raises(TypeError, match=r"^gamma\b.*'0\.5'"):
        from_dict({"type": "StepLR", "step_size": 3, "gamma": "0.5"})
    with pytest.raises(ValueError, match=r"^milestones\b.*\[3, 2\]"):
        exp = {"type": "ExponentialLR", "gamma": 0.5}
        from_dict({"type": "SequentialLR", "schedulers": [exp] * 3, "milestones": [3, 2]})


@pytest.mark.parametrize(
    "text",
    [
        "StepLR(\n    step_size=3,\n    gamma=0.5,\n)",
        "  StepLR( step_size = 3 , gamma = 5e-1 )  ",
        "StepLR(gamma=+0.5, step_size=3)",
    ],
    ids=["multiline", "spaces", "reordered"],
)
def test_parse_accepts_formatted_text(text: str) -> None:
    assert parse(text) == StepLR(step_size=3, gamma=0.5)


def test_parse_reads_negative_zero_and_lists_or_tuples() -> None:
    spec = parse("CosineAnnealingLR(T_max=4, eta_min=-0.0)")
    assert spec == CosineAnnealingLR(T_max=4)
    assert parse("MultiStepLR(milestones=(2, 4))") == parse("MultiStepLR(milestones=[2, 4])")
