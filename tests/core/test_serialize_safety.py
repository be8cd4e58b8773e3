"""Loading safety: ``from_dict`` and ``parse`` refuse malformed or hostile data.

Bad data raises ValueError/TypeError naming what is wrong, and nothing named in the data is
imported, called or evaluated (checked by side effects: imports, a spy function, output).
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

import lrspec
from lrspec import (
    from_dict,
    parse,
)

# Registry names are global to the process: every name here starts with this module's prefix.


def _warmup(epoch: int) -> float:
    return min(1.0, (epoch + 1) / 5)


lrspec.register_function("test_serialize_safety_warmup", _warmup)


# --- from_dict ----------------------------------------------------------------------------------


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
            {"type": "LambdaLR", "lr_lambda": {"function": "test_serialize_safety_nowhere"}},
            ValueError,
            r"function 'test_serialize_safety_nowhere' is not registered.*register_function",
        ),
        (
            {"type": "LambdaLR", "lr_lambda": {"function": "os.system"}},
            ValueError,
            r"function 'os\.system' is not registered",
        ),
        ({"type": "LambdaLR", "lr_lambda": {"function": 3}}, TypeError, r"name string, got 3"),
        (
            {"type": "LambdaLR", "lr_lambda": {"function": "test_serialize_safety_warmup", "x": 1}},
            ValueError,
            r"data\.lr_lambda: a dict value must be a spec or a function",
        ),
        (
            {"type": "LambdaLR", "lr_lambda": "test_serialize_safety_warmup"},
            TypeError,
            r"^lr_lambda must be callable, got 'test_serialize_safety_warmup'",
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


# --- parse --------------------------------------------------------------------------------------


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
        ("1+2", r"'1\+2' is not allowed"),
        ("StepLR(step_size=1+2)", r"'1\+2' is not allowed"),
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
        (
            "fn('test_serialize_safety_nowhere')",
            r"function 'test_serialize_safety_nowhere' is not registered",
        ),
        ("fn('a', 'b')", r"fn\(\.\.\.\) takes one name string"),
        ("fn(name='test_serialize_safety_warmup')", r"fn\(\.\.\.\) takes one name string"),
        ("fn('test_serialize_safety_warmup')", r"must be a spec call"),
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


lrspec.register_function("test_serialize_safety_spy", _spy)


@pytest.mark.parametrize(
    "text",
    [
        "test_serialize_safety_spy()",
        "test_serialize_safety_spy(epoch=1)",
        "_spy(epoch=1)",
        "StepLR(step_size=test_serialize_safety_spy(epoch=1))",
        "StepLR(step_size=fn('test_serialize_safety_spy')(1))",
        "LambdaLR(lr_lambda=fn('test_serialize_safety_spy').__call__)",
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
    spec = parse("LambdaLR(lr_lambda=fn('test_serialize_safety_spy'))")
    assert spec.lr_lambda is _spy
    assert CALLS == []
    assert spec.trace(1.0, 2) == [1.0, 1.0, 1.0]
    assert CALLS == [0, 1, 2]


def test_parse_refuses_repeated_keywords() -> None:
    with pytest.raises(ValueError, match="step_size"):
        parse("StepLR(step_size=1, step_size=2)")
