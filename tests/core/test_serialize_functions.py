"""Specs holding functions (``lr_lambda``, ``scale_fn``) and ``lrspec.register_function``.

An unregistered function works but cannot be saved, and the error names the field; a
registered one saves by name and loads back as the very same object. Registration rules.
"""

from __future__ import annotations

import json
import re

import pytest

import lrspec
from lrspec import (
    ChainedScheduler,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    from_dict,
    parse,
    to_dict,
)

# Registry names are global to the process: every name here starts with this module's prefix.


def _warmup(epoch: int) -> float:
    return min(1.0, (epoch + 1) / 5)


def _shrink(epoch: int) -> float:
    return 0.95


lrspec.register_function("test_serialize_functions_warmup", _warmup)
lrspec.register_function("test_serialize_functions_shrink", _shrink)


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

    assert lrspec.register_function("test_serialize_functions_round_trip", cosine_ish) is cosine_ish
    spec = LambdaLR(lr_lambda=cosine_ish)
    data = to_dict(spec)
    assert data == {
        "type": "LambdaLR",
        "lr_lambda": {"function": "test_serialize_functions_round_trip"},
    }
    assert from_dict(json.loads(json.dumps(data))).lr_lambda is cosine_ish
    assert from_dict(data) == spec
    assert repr(spec) == "LambdaLR(lr_lambda=fn('test_serialize_functions_round_trip'))"
    assert parse(repr(spec)) == spec
    assert parse(repr(spec)).trace(1.0, 3) == [1.0, 0.5, 1 / 3, 0.25]


def test_register_same_function_same_name_is_a_no_op() -> None:
    assert lrspec.register_function("test_serialize_functions_warmup", _warmup) is _warmup
    assert to_dict(LambdaLR(lr_lambda=_warmup))["lr_lambda"] == {
        "function": "test_serialize_functions_warmup"
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
        lrspec.register_function("test_serialize_functions_not_callable", fn)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not registered"):
        from_dict(
            {"type": "LambdaLR", "lr_lambda": {"function": "test_serialize_functions_not_callable"}}
        )


def test_register_rejects_reusing_a_name_for_another_function() -> None:
    def impostor(epoch: int) -> float:
        return 2.0

    with pytest.raises(
        ValueError, match=r"'test_serialize_functions_warmup' is already registered"
    ):
        lrspec.register_function("test_serialize_functions_warmup", impostor)
    # the first registration stands, the impostor stays unregistered
    assert from_dict(to_dict(LambdaLR(lr_lambda=_warmup))).lr_lambda is _warmup
    with pytest.raises(ValueError, match="register_function"):
        to_dict(LambdaLR(lr_lambda=impostor))


def test_register_rejects_a_second_name_for_the_same_function() -> None:
    with pytest.raises(
        ValueError, match=r"already registered as 'test_serialize_functions_shrink'"
    ):
        lrspec.register_function("test_serialize_functions_shrink_again", _shrink)
    with pytest.raises(ValueError, match="not registered"):
        parse("MultiplicativeLR(lr_lambda=fn('test_serialize_functions_shrink_again'))")


def test_register_rejects_a_non_string_name_with_type_error() -> None:
    with pytest.raises(TypeError, match=r"^name\b.*123"):
        lrspec.register_function(123, _warmup)  # type: ignore[arg-type]
