"""The presets (warmup_cosine, wsd): what they are made of, their values, their errors.

Live cross-checks against optax: ``tests/peers/test_optax_combinators.py``.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import pytest
from _core_helpers import names
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import Constant, Cosine, Join, Linear, OneMinusSqrt, Warmup, warmup_cosine, wsd


def test_warmup_cosine_is_a_warmup_of_a_cosine() -> None:
    spec = warmup_cosine(10, 100, start_factor=0.1, end_factor=0.01, exponent=2)
    assert spec == Warmup(
        inner=Cosine(total_steps=90, end_factor=0.01, exponent=2.0), steps=10, start_factor=0.1
    )
    assert lrspec.parse(repr(spec)) == spec
    assert lrspec.from_dict(lrspec.to_dict(spec)) == spec


@given(
    warmup=st.integers(0, 50),
    decay=st.integers(1, 100),
    start=st.floats(0, 1),
    end=st.floats(0, 1),
)
def test_warmup_cosine_values(warmup: int, decay: int, start: float, end: float) -> None:
    spec = warmup_cosine(warmup, warmup + decay, start_factor=start, end_factor=end)
    total = warmup + decay
    for t in range(total + 5):
        if t < warmup:
            want = start + (1 - start) * t / warmup
        else:
            local = min(t - warmup, decay)
            want = end + (1 - end) * 0.5 * (1 + math.cos(math.pi * local / decay))
        assert spec.lr(t, 1.0) == pytest.approx(want, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("decay", "shape"), [("cosine", Cosine), ("linear", Linear), ("1-sqrt", OneMinusSqrt)]
)
def test_wsd_is_a_warmup_of_a_stable_phase_and_a_decay(decay: str, shape: type) -> None:
    spec = wsd(5, 20, 10, warmup="cosine", decay=decay, start_factor=0.1, end_factor=0.05)
    tail = shape(total_steps=10, end_factor=0.05)
    assert spec == Warmup(
        inner=Join(schedules=[Constant(), tail], boundaries=[20]),
        steps=5,
        kind="cosine",
        start_factor=0.1,
    )
    assert wsd(5, 0, 10, decay=decay, end_factor=0.05) == Warmup(inner=tail, steps=5)
    assert lrspec.parse(repr(spec)) == spec


@given(
    w=st.integers(0, 30),
    s=st.integers(0, 30),
    d=st.integers(1, 30),
    warmup=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    decay=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    end=st.floats(0, 1),
)
def test_wsd_phases(w: int, s: int, d: int, warmup: str, decay: str, end: float) -> None:
    spec = wsd(w, s, d, warmup=warmup, decay=decay, end_factor=end)
    trace = spec.trace(1.0, w + s + d + 3)
    assert all(v == 1.0 for v in trace[w : w + s + 1])  # stable, and the decay's start
    assert trace[w + s + d :] == pytest.approx([end] * 4, rel=1e-12, abs=1e-15)
    assert all(a >= b for a, b in pairwise(trace[w + s :]))
    if w:
        assert all(a <= b * (1 + 1e-15) for a, b in pairwise(trace[: w + 1]))


@pytest.mark.parametrize(
    ("call", "error", "name", "value"),
    [
        (lambda: warmup_cosine(10, 10), ValueError, "total_steps", 10),
        (lambda: warmup_cosine(10, 5), ValueError, "total_steps", 5),
        (lambda: warmup_cosine(-1, 5), ValueError, "warmup_steps", -1),
        (lambda: warmup_cosine(2.5, 5), TypeError, "warmup_steps", 2.5),
        (lambda: warmup_cosine(2, "5"), TypeError, "total_steps", "5"),
        (lambda: warmup_cosine(2, 0), ValueError, "total_steps", 0),
        (lambda: wsd(-1, 2, 3), ValueError, "warmup_steps", -1),
        (lambda: wsd(1, -2, 3), ValueError, "stable_steps", -2),
        (lambda: wsd(1, 2, 0), ValueError, "decay_steps", 0),
        (lambda: wsd(1, 2, None), TypeError, "decay_steps", None),
        (lambda: wsd(1, 2, 3, warmup="exponential"), ValueError, "warmup", "exponential"),
        (lambda: wsd(1, 2, 3, decay="exp"), ValueError, "decay", "exp"),
        (lambda: wsd(1, 2, 3, decay=1), TypeError, "decay", 1),
    ],
)
def test_preset_errors_name_the_argument(call: Any, error: type, name: str, value: Any) -> None:
    with pytest.raises(error, match=names(name, value)) as info:
        call()
    assert type(info.value) is error


def test_preset_levels_are_checked_by_the_specs() -> None:
    with pytest.raises(ValueError, match=r"^end_factor must be >= 0"):
        warmup_cosine(1, 5, end_factor=-0.1)
    with pytest.raises(ValueError, match=r"^start_factor must be >= 0"):
        wsd(1, 2, 3, start_factor=-1.0)


def test_integral_floats_are_step_counts() -> None:
    assert warmup_cosine(10.0, 100.0) == warmup_cosine(10, 100)
    assert wsd(1.0, 2.0, 3.0) == wsd(1, 2, 3)


# --- step counts in units ---------------------------------------------------------------------


@given(
    warmup=st.integers(0, 50).map(lambda k: k / 100),
    total_steps=st.integers(100, 5000),
    end=st.sampled_from([0.0, 0.1]),
)
def test_warmup_cosine_in_fractions_resolves_to_the_preset_in_steps(
    warmup: float, total_steps: int, end: float
) -> None:
    written = warmup_cosine(lrspec.Fraction(warmup), "1dur", end_factor=end)
    resolved = lrspec.resolve(written, total_steps=total_steps)
    # each count rounds up on its own (the units' one rule): the warmup and the decay
    w = math.ceil(round(warmup * total_steps, 9))
    decay = math.ceil(round((1 - warmup) * total_steps, 9))
    assert resolved == warmup_cosine(w, w + decay, end_factor=end)
    assert total_steps <= w + decay <= total_steps + 1


def test_wsd_in_epochs_resolves_to_the_preset_in_steps() -> None:
    written = wsd("1ep", "0.5dur", lrspec.Fraction(0.2), decay="linear")
    assert lrspec.resolve(written, steps_per_epoch=30, total_steps=200) == wsd(
        30, 100, 40, decay="linear"
    )
    assert wsd(2, lrspec.Fraction(0), 3) == wsd(2, 0, 3)  # no stable phase: no Join


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: warmup_cosine("1ep", "1dur"), "same unit"),
        (lambda: warmup_cosine("0.5dur", "0.5dur"), "total_steps must be > warmup_steps"),
        (lambda: warmup_cosine("abc", 5), "warmup_steps"),
        (lambda: wsd(1, 2, "-1ep"), "decay_steps"),
    ],
)
def test_preset_unit_errors_name_the_argument(call: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        call()
