"""Saving and loading specs: ``to_dict`` / ``from_dict`` / ``parse`` and the function registry.

Round trips for every class, callables through the registry, and loading safety: malformed or
hostile data is refused with a ValueError/TypeError, and nothing named in it is imported,
called or evaluated.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
import sys
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


# --- callables -------------------------------------------------------------------------------


def test_unregistered_lambda_works_but_cannot_be_saved() -> None:
    spec = LambdaLR(lr_lambda=lambda epoch: 0.5**epoch)
    assert spec.trace(1.0, 3) == [1.0, 0.5, 0.25, 0.125]
    with pytest.raises(ValueError, match=r"LambdaLR\.lr_lambda=.*register_function") as info:
        to_dict(spec)
    assert "not registered" in str(info.value)
    assert "fn(" not in repr(spec)
    with pytest.raises(ValueError, match="cannot parse spec text"):
        parse(repr(spec))


def test_unregistered_scale_fn_names_the_field() -> None:
    spec = CyclicLR(base_lr=0.1, max_lr=1.0, scale_fn=lambda x: 1.0)
    with pytest.raises(ValueError, match=r"CyclicLR\.scale_fn=.*register_function"):
        to_dict(spec)


def test_nested_unregistered_function_is_reported() -> None:
    spec = ChainedScheduler(schedulers=[ExponentialLR(gamma=0.5), LambdaLR(lr_lambda=abs)])
    with pytest.raises(ValueError, match=r"LambdaLR\.lr_lambda=.*register_function"):
        to_dict(spec)


def test_registered_function_round_trips() -> None:
    def cosine_ish(epoch: int) -> float:
        return 1.0 / (1.0 + epoch)

    assert lrspec.register_function("test_serialize_round_trip", cosine_ish) is cosine_ish
    spec = LambdaLR(lr_lambda=cosine_ish)
    data = to_dict(spec)
    assert data == {"type": "LambdaLR", "lr_lambda": {"function": "test_serialize_round_trip"}}
    assert from_dict(json.loads(json.dumps(data))).lr_lambda is cosine_ish
    assert from_dict(data) == spec
    assert repr(spec) == "LambdaLR(lr_lambda=fn('test_serialize_round_trip'))"
    assert parse(repr(spec)) == spec
    assert parse(repr(spec)).trace(1.0, 3) == [1.0, 0.5, 1 / 3, 0.25]


def test_register_same_function_same_name_is_a_no_op() -> None:
    assert lrspec.register_function("test_serialize_warmup", _warmup) is _warmup
    assert to_dict(LambdaLR(lr_lambda=_warmup))["lr_lambda"] == {
        "function": "test_serialize_warmup"
    }


@pytest.mark.parametrize("name", ["not a name", "1abc", "", "a-b", "os.system"], ids=repr)
def test_register_rejects_non_identifier_names(name: str) -> None:
    def fresh(epoch: int) -> float:
        return 1.0

    with pytest.raises(ValueError, match=r"^name\b.*" + re.escape(repr(name))):
        lrspec.register_function(name, fresh)


@pytest.mark.parametrize("fn", [5, "abs", None], ids=repr)
def test_register_rejects_non_callables(fn: object) -> None:
    with pytest.raises(TypeError, match=r"^fn must be callable.*" + re.escape(repr(fn))):
        lrspec.register_function("test_serialize_not_callable", fn)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not registered"):
        from_dict({"type": "LambdaLR", "lr_lambda": {"function": "test_serialize_not_callable"}})


def test_register_rejects_reusing_a_name_for_another_function() -> None:
    def impostor(epoch: int) -> float:
        return 2.0

    with pytest.raises(ValueError, match=r"'test_serialize_warmup' is already registered"):
        lrspec.register_function("test_serialize_warmup", impostor)
    # the first registration stands, the impostor stays unregistered
    assert from_dict(to_dict(LambdaLR(lr_lambda=_warmup))).lr_lambda is _warmup
    with pytest.raises(ValueError, match="register_function"):
        to_dict(LambdaLR(lr_lambda=impostor))


def test_register_rejects_a_second_name_for_the_same_function() -> None:
    with pytest.raises(ValueError, match=r"already registered as 'test_serialize_shrink'"):
        lrspec.register_function("test_serialize_shrink_again", _shrink)
    with pytest.raises(ValueError, match="not registered"):
        parse("MultiplicativeLR(lr_lambda=fn('test_serialize_shrink_again'))")


def test_register_rejects_a_non_string_name_with_type_error() -> None:
    with pytest.raises(TypeError, match=r"^name\b.*123"):
        lrspec.register_function(123, _warmup)  # type: ignore[arg-type]


# --- loading safety: from_dict ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "exc", "pattern"),
    [
        ({"type": "NotASpec"}, ValueError, r"unknown spec type 'NotASpec' \(known: .*StepLR"),
        ({"type": "Schedule"}, ValueError, r"unknown spec type 'Schedule'"),
        ({"type": "MomentumSchedule"}, ValueError, r"unknown spec type 'MomentumSchedule'"),
        ({"type": "os.system"}, ValueError, r"unknown spec type 'os\.system'"),
        ({"type": "lrspec.StepLR", "step_size": 3}, ValueError, r"unknown spec type"),
        ({"type": "steplr", "step_size": 3}, ValueError, r"unknown spec type 'steplr'"),
        ({"type": 123}, ValueError, r"unknown spec type 123"),
        ({"type": None}, ValueError, r"unknown spec type None"),
        ({"type": ["StepLR"]}, ValueError, r"unknown spec type \['StepLR'\]"),
        (
            {"type": "StepLR", "step_size": 3, "optimizer": 1},
            ValueError,
            r"unknown argument\(s\) optimizer for StepLR \(allowed: gamma, step_size\)",
        ),
        (
            {"type": "StepLR", "step_size": 3, "last_epoch": -1, "verbose": False},
            ValueError,
            r"unknown argument\(s\) last_epoch, verbose",
        ),
        ({"type": "StepLR"}, ValueError, r"StepLR needs argument\(s\) step_size"),
        (
            {"type": "CyclicLR", "mode": "triangular"},
            ValueError,
            r"CyclicLR needs argument\(s\) base_lr, max_lr",
        ),
        ({"step_size": 3}, ValueError, r"must have a 'type' key"),
        ({}, ValueError, r"must have a 'type' key"),
        ("StepLR(step_size=3)", TypeError, r"must be a dict, got 'StepLR\(step_size=3\)' \(str\)"),
        (["StepLR", 3], TypeError, r"must be a dict"),
        (None, TypeError, r"must be a dict, got None"),
        (
            {"type": "LambdaLR", "lr_lambda": {"function": "test_serialize_nowhere"}},
            ValueError,
            r"function 'test_serialize_nowhere' is not registered.*register_function",
        ),
        (
            {"type": "LambdaLR", "lr_lambda": {"function": "os.system"}},
            ValueError,
            r"function 'os\.system' is not registered",
        ),
        ({"type": "LambdaLR", "lr_lambda": {"function": 3}}, TypeError, r"name string, got 3"),
        (
            {"type": "LambdaLR", "lr_lambda": {"function": "test_serialize_warmup", "x": 1}},
            ValueError,
            r"data\.lr_lambda: a dict value must be a spec or a function",
        ),
        (
            {"type": "LambdaLR", "lr_lambda": "test_serialize_warmup"},
            TypeError,
            r"^lr_lambda must be callable, got 'test_serialize_warmup'",
        ),
        (
            {"type": "StepLR", "step_size": 3, "gamma": {0.5}},
            TypeError,
            r"data\.gamma: unsupported value \{0\.5\}",
        ),
        (
            {
                "type": "ChainedScheduler",
                "schedulers": [{"type": "StepLR", "step_size": 1}, {"type": "Nope"}],
            },
            ValueError,
            r"data\.schedulers\[1\]: unknown spec type 'Nope'",
        ),
        (
            {"type": "ChainedScheduler", "schedulers": [{"step_size": 1}]},
            ValueError,
            r"data\.schedulers\[0\]: a dict value must be a spec or a function",
        ),
    ],
)
def test_from_dict_refuses_bad_data(data: object, exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern) as info:
        from_dict(data)
    assert type(info.value) is exc


UNIMPORTED = ("this", "tabnanny", "antigravity")


def _assert_unimported() -> None:
    loaded = [name for name in UNIMPORTED if name in sys.modules]
    assert not loaded, f"test precondition: {loaded} already imported"


@pytest.mark.parametrize(
    "data",
    [
        {"type": "this"},
        {"type": "this.s"},
        {"type": "tabnanny.check", "file": "x"},
        {"type": "antigravity.geohash"},
        {"type": "LambdaLR", "lr_lambda": {"function": "this.rot13"}},
        {"type": "LambdaLR", "lr_lambda": {"function": "tabnanny"}},
        {"type": "StepLR", "step_size": 3, "gamma": {"type": "this.s"}},
        {"type": "ChainedScheduler", "schedulers": [{"type": "antigravity.fly"}]},
    ],
    ids=repr,
)
def test_from_dict_never_imports_what_the_data_names(data: dict) -> None:
    _assert_unimported()
    before = set(sys.modules)
    with pytest.raises((ValueError, TypeError)):
        from_dict(data)
    assert set(sys.modules) - before == set()


def test_from_dict_reports_a_bad_value_that_mentions_missing_required() -> None:
    with pytest.raises(TypeError, match=r"^step_size must be an int.*'missing required'"):
        from_dict({"type": "StepLR", "step_size": "missing required"})


def test_from_dict_reports_a_non_string_key() -> None:
    with pytest.raises(ValueError, match=r"argument names must be strings.*\b1\b"):
        from_dict({"type": "StepLR", "step_size": 3, 1: 2})


# --- loading safety: parse -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("__import__('os').system('echo hi')", r"is not allowed"),
        ("os.system('echo hi')", re.escape("\"os.system('echo hi')\" is not allowed")),
        ("os.system", r"'os\.system' is not allowed"),
        ("StepLR(step_size=__import__('os').system('echo hi'))", r"is not allowed"),
        ("lambda: StepLR(step_size=3)", r"is not allowed"),
        ("StepLR(step_size=(lambda: 3)())", r"is not allowed"),
        ("StepLR(3)", r"StepLR\(\.\.\.\) takes keyword arguments only"),
        ("StepLR(*[3])", r"takes keyword arguments only"),
        ("StepLR(**{'step_size': 3})", r"'\*\*' is not allowed"),
        ("print(1)", r"print\(\.\.\.\) takes keyword arguments only"),
        ("print(end='')", r"unknown spec type 'print'"),
        ("eval(source='1')", r"unknown spec type 'eval'"),
        ("Schedule()", r"unknown spec type 'Schedule'"),
        ("lrspec.StepLR(step_size=3)", r"is not allowed"),
        ("StepLR(step_size=3).lr(1, 1.0)", r"is not allowed"),
        ("StepLR(step_size=3)(x=1)", r"is not allowed"),
        ("1+2", r"'1 \+ 2' is not allowed"),
        ("StepLR(step_size=1+2)", r"'1 \+ 2' is not allowed"),
        ("StepLR(step_size=9**9**9)", r"is not allowed"),
        ("StepLR(step_size=-(-3))", r"is not allowed"),
        ("StepLR(step_size=3, gamma=-True)", r"is not allowed"),
        ("StepLR(step_size=3, gamma=0.5 if True else 0.1)", r"is not allowed"),
        ("StepLR(step_size=[3][0])", r"is not allowed"),
        ("StepLR(step_size=x)", r"'x' is not allowed"),
        ("StepLR(step_size=True and 3)", r"is not allowed"),
        ("MultiStepLR(milestones={1, 2})", r"is not allowed"),
        ("StepLR(step_size=3, gamma={'a': 1})", r"is not allowed"),
        ("StepLR(step_size=3, gamma=1j)", r"is not allowed"),
        ("StepLR(step_size=3, gamma=b'1')", r"is not allowed"),
        ("f'{StepLR}'", r"is not allowed"),
        ("fn('test_serialize_nowhere')", r"function 'test_serialize_nowhere' is not registered"),
        ("fn('a', 'b')", r"fn\(\.\.\.\) takes one name string"),
        ("fn(name='test_serialize_warmup')", r"fn\(\.\.\.\) takes one name string"),
        ("fn('test_serialize_warmup')", r"must be a spec call"),
        ("3", r"must be a spec call like 'StepLR\(step_size=10\)', got '3'"),
        ("'StepLR'", r"must be a spec call"),
        ("None", r"must be a spec call"),
        ("[StepLR(step_size=3)]", r"must be a spec call"),
        ("StepLR(step_size=", r"cannot parse spec text"),
        ("StepLR(step_size=3))", r"cannot parse spec text"),
        ("", r"cannot parse spec text"),
        ("import os", r"cannot parse spec text"),
        ("StepLR(step_size=3); import os", r"cannot parse spec text"),
        ("x = StepLR(step_size=3)", r"cannot parse spec text"),
        ("StepLR(step_size=3)\nStepLR(step_size=4)", r"cannot parse spec text"),
    ],
    ids=repr,
)
def test_parse_refuses_anything_but_spec_calls(text: str, pattern: str, capfd: Any) -> None:
    with pytest.raises(ValueError, match=pattern) as info:
        parse(text)
    assert type(info.value) is ValueError
    assert capfd.readouterr() == ("", "")


def test_parse_needs_a_string() -> None:
    with pytest.raises(TypeError, match=r"^text must be a str, got b'StepLR\(step_size=3\)'"):
        parse(b"StepLR(step_size=3)")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "exc", "pattern"),
    [
        ("StepLR()", ValueError, r"StepLR needs argument\(s\) step_size"),
        ("StepLR(step_size=0)", ValueError, r"^step_size must be >= 1, got 0$"),
        ("StepLR(step_size=3.5)", TypeError, r"^step_size must be an int, got 3\.5"),
        ("StepLR(step_size=3, optimizer=None)", ValueError, r"unknown argument\(s\) optimizer"),
        (
            "SequentialLR(schedulers=[StepLR(step_size=1), ReduceLROnPlateau()], milestones=[2])",
            ValueError,
            r"^schedulers\[1\] must not be metric-driven",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and "(" in v else None,
)
def test_parse_validates_like_the_constructor(text: str, exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        parse(text)


CALLS: list[int] = []


def _spy(epoch: int) -> float:
    CALLS.append(epoch)
    return 1.0


lrspec.register_function("test_serialize_spy", _spy)


@pytest.mark.parametrize(
    "text",
    [
        "test_serialize_spy()",
        "test_serialize_spy(epoch=1)",
        "_spy(epoch=1)",
        "StepLR(step_size=test_serialize_spy(epoch=1))",
        "StepLR(step_size=fn('test_serialize_spy')(1))",
        "LambdaLR(lr_lambda=fn('test_serialize_spy').__call__)",
        "__import__('this')",
        "StepLR(step_size=3, gamma=__import__('this').s)",
        "[__import__('tabnanny'), StepLR(step_size=3)]",
        "StepLR(step_size=3, gamma=print('side effect') or 0.5)",
    ],
    ids=repr,
)
def test_parse_evaluates_nothing(text: str, capfd: Any) -> None:
    """Each text has a visible side effect if evaluated: a spy call, an import or output."""
    _assert_unimported()
    before = set(sys.modules)
    CALLS.clear()
    with pytest.raises(ValueError):
        parse(text)
    assert CALLS == []
    assert set(sys.modules) - before == set()
    assert capfd.readouterr() == ("", "")


def test_parse_binds_a_registered_function_without_calling_it() -> None:
    CALLS.clear()
    spec = parse("LambdaLR(lr_lambda=fn('test_serialize_spy'))")
    assert spec.lr_lambda is _spy
    assert CALLS == []
    assert spec.trace(1.0, 2) == [1.0, 1.0, 1.0]
    assert CALLS == [0, 1, 2]


def test_parse_refuses_repeated_keywords() -> None:
    with pytest.raises(ValueError, match="step_size"):
        parse("StepLR(step_size=1, step_size=2)")
