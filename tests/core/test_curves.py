"""InverseTime, InverseSqrt, Tanh, PiecewiseConstant and Interpolate (no torch here).

Known values are worked out by hand from the formulas in the docstrings; the properties run
over the generated configs of ``lrspec.testing.CURVE_STRATEGIES``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pytest
from _core_helpers import names
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import Interpolate, InverseSqrt, InverseTime, PiecewiseConstant, Tanh
from lrspec import testing as lt

CURVES = sorted(lt.CURVE_STRATEGIES)
any_curve = st.sampled_from(CURVES).flatmap(lambda name: lt.CURVE_STRATEGIES[name]())
#: cos(pi / 4)
R = math.sqrt(0.5)
T1 = math.tanh(1.0)
#: numpy's and math's tanh may differ by an ulp of 1: where the tanh curve is near its floor
#: ``1 - tanh`` leaves that as an absolute error of the factor (of base_lr, not of the value)
ULP = 4e-16

# --- known values -------------------------------------------------------------------------

KNOWN: list[tuple[lrspec.Schedule, dict[float, float]]] = [
    # 1 / (1 + rate * t / decay_steps)
    (
        InverseTime(decay_steps=10, rate=0.5),
        {0: 1.0, 2.5: 8 / 9, 5: 0.8, 10: 2 / 3, 20: 0.5, 180: 0.1},
    ),
    # ... with floor(t / decay_steps)
    (
        InverseTime(decay_steps=10, rate=0.5, staircase=True),
        {0: 1.0, 9: 1.0, 9.5: 1.0, 10: 2 / 3, 19: 2 / 3, 20: 0.5},
    ),
    (InverseTime(decay_steps=1, rate=0.0), {0: 1.0, 7: 1.0, 1e12: 1.0}),
    # sqrt(timescale / (t + timescale))
    (
        InverseSqrt(timescale=100),
        {0: 1.0, 50.0: math.sqrt(2 / 3), 100: R, 300: 0.5, 2400: 0.2, 9900: 0.1},
    ),
    (InverseSqrt(), {0: 1.0, 30_000: 0.5}),
    # end + (1 - end) * (1 - tanh(lower + (upper - lower) * min(t, T) / T)) / 2
    (
        Tanh(total_steps=10, lower=-1.0, upper=1.0),
        {0: (1 + T1) / 2, 2.5: (1 + math.tanh(0.5)) / 2, 5: 0.5, 10: (1 - T1) / 2},
    ),
    (
        Tanh(total_steps=10, lower=-1.0, upper=1.0, end_factor=0.2),
        {5: 0.6, 10: 0.2 + 0.8 * (1 - T1) / 2, 1000: 0.2 + 0.8 * (1 - T1) / 2},
    ),
    (
        Tanh(total_steps=4),  # timm's lb=-7, ub=3: half way at z = 0, t = 2.8
        {0: (1 + math.tanh(7.0)) / 2, 2.8: 0.5, 4: (1 - math.tanh(3.0)) / 2},
    ),
    # factors[number of boundaries <= t]
    (
        PiecewiseConstant(boundaries=[3, 5], factors=[1.0, 0.5, 0.25]),
        {0: 1.0, 2.999: 1.0, 3: 0.5, 4.5: 0.5, 5: 0.25, 1e12: 0.25},
    ),
    (PiecewiseConstant(boundaries=[0], factors=[9.0, 2.0]), {0: 2.0, 1: 2.0}),
    (PiecewiseConstant(boundaries=[], factors=[0.3]), {0: 0.3, 100: 0.3}),
    (PiecewiseConstant(boundaries=[1, 2], factors=[0.0, 1.0, 0.0]), {0: 0.0, 1: 1.0, 2: 0.0}),
    # knots (0, 0), (10, 1), (20, 0.1): straight lines between, the ends held
    (
        Interpolate(steps=[0, 10, 20], factors=[0.0, 1.0, 0.1]),
        {0: 0.0, 2.5: 0.25, 5: 0.5, 10: 1.0, 15: 0.55, 20: 0.1, 1e12: 0.1},
    ),
    # cosine from 1 at t=2 to 0 at t=6: a + (b - a) * (1 - cos(pi p)) / 2
    (
        Interpolate(steps=[2, 6], factors=[1.0, 0.0], kind="cosine"),
        {0: 1.0, 2: 1.0, 3: (1 + R) / 2, 4: 0.5, 5: (1 - R) / 2, 6: 0.0, 9: 0.0},
    ),
    # a knot before 0 (optax's start): at t = 0 the line is already a quarter of the way
    (Interpolate(steps=[-2, 6], factors=[0.0, 1.0]), {0: 0.25, 2: 0.5, 6: 1.0}),
    (Interpolate(steps=[0.5, 1.5], factors=[2.0, 1.0]), {0: 2.0, 1: 1.5, 1.5: 1.0}),
    (Interpolate(steps=[4], factors=[0.7]), {0: 0.7, 4: 0.7, 10: 0.7}),
]


@pytest.mark.parametrize(("spec", "values"), KNOWN, ids=[repr(s) for s, _ in KNOWN])
def test_known_values(spec: lrspec.Schedule, values: dict[float, float]) -> None:
    for t, want in values.items():
        assert spec.lr(t, 1.0) == pytest.approx(want, rel=1e-12, abs=1e-15), t
        assert spec.lr(t, 0.25) == pytest.approx(0.25 * want, rel=1e-12, abs=1e-15), t
    got = spec.lr(np.array(list(values)), 1.0)
    assert got.tolist() == pytest.approx(list(values.values()), rel=1e-12, abs=1e-15)


def test_every_curve_has_known_values_and_a_strategy() -> None:
    assert {type(s).__name__ for s, _ in KNOWN} == set(CURVES)
    assert set(CURVES) == {"InverseTime", "InverseSqrt", "Tanh", "PiecewiseConstant", "Interpolate"}


# --- properties ---------------------------------------------------------------------------

#: Steps where things happen: fractions, knots' neighbourhoods, and far out.
TIMES = st.one_of(
    st.integers(0, 400),
    st.floats(0, 400, allow_nan=False),
    st.sampled_from([0.0, 0.5, 1e6, 1e9, 1e12, 2.0**53 - 1]),
)


@given(spec=any_curve, ts=st.lists(TIMES, min_size=1, max_size=20))
def test_vectorised_equals_scalar(spec: lrspec.Schedule, ts: list[float]) -> None:
    scalar = [spec.lr(float(t), 0.5) for t in ts]
    vector = spec.lr(np.array(ts, dtype=np.float64), 0.5)
    assert vector.dtype == np.float64
    assert vector.tolist() == pytest.approx(scalar, rel=1e-14, abs=ULP)
    grid = spec.lr(np.array(ts, dtype=np.float64).reshape(1, -1), 0.5)
    assert grid.shape == (1, len(ts))


@given(spec=any_curve, steps=st.integers(0, 300), base_lr=lt.base_lrs())
def test_trace_is_the_closed_form(spec: lrspec.Schedule, steps: int, base_lr: float) -> None:
    trace = spec.trace(base_lr, steps)
    assert trace == [spec.lr(k, base_lr) for k in range(steps + 1)]
    vector = spec.lr(np.arange(steps + 1), base_lr).tolist()
    assert vector == pytest.approx(trace, rel=1e-14, abs=ULP * base_lr)


@given(spec=any_curve)
def test_round_trips(spec: lrspec.Schedule) -> None:
    data = lrspec.to_dict(spec)
    again = lrspec.from_dict(json.loads(json.dumps(data)))
    assert again == spec and hash(again) == hash(spec)
    assert lrspec.parse(repr(spec)) == spec


@given(spec=any_curve)
def test_no_nan_or_inf_up_to_1e12(spec: lrspec.Schedule) -> None:
    t = np.array([0, 1, 1e3, 1e6, 1e9, 1e12, 2.0**53 - 1])
    # overflow and NaN are errors; underflow (a tiny rate times a step) to 0 or a subnormal
    # is the right answer, not one
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        values = spec.lr(t, 1.0)
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    assert all(math.isfinite(spec.lr(float(x), 1.0)) for x in t)


@given(spec=lt.inverse_time_decay() | lt.inverse_sqrt_decay() | lt.tanh_decay())
def test_decays_are_monotone(spec: lrspec.Schedule) -> None:
    t = np.concatenate([np.linspace(0, 1000, 4001), [1e6, 1e12]])
    values = spec.lr(t, 1.0)
    assert np.all(np.diff(values) <= 0)
    assert values[0] <= 1.0


@given(spec=lt.tanh_decay(), extra=st.floats(0, 1e12))
def test_tanh_holds_past_its_end(spec: Tanh, extra: float) -> None:
    end = spec.lr(spec.total_steps, 1.0)
    assert spec.lr(spec.total_steps + extra, 1.0) == end
    assert spec.end_factor <= end <= 1.0


@given(spec=lt.piecewise_constant())
def test_piecewise_constant_changes_exactly_at_each_boundary(spec: PiecewiseConstant) -> None:
    f = spec.factors
    assert spec.lr(0, 1.0) == f[sum(b == 0 for b in spec.boundaries)]
    for i, b in enumerate(spec.boundaries):
        assert spec.lr(b, 1.0) == f[i + 1]
        assert spec.lr(b + 0.5, 1.0) == f[i + 1]
        if b > 0:
            assert spec.lr(b - 1, 1.0) == f[i] or b - 1 in spec.boundaries
            assert spec.lr(math.nextafter(b, 0), 1.0) == f[i]
    assert spec.lr(1e12, 1.0) == f[-1]
    assert set(spec.lr(np.arange(320), 1.0).tolist()) <= set(f)


@given(spec=lt.interpolate(), t=TIMES)
def test_interpolate_holds_outside_its_knots_and_stays_between_them(
    spec: Interpolate, t: float
) -> None:
    s, f = spec.steps, spec.factors
    for i, knot in enumerate(s):
        if knot >= 0:
            assert spec.lr(knot, 1.0) == f[i]
    value = spec.lr(t, 1.0)
    if t < s[0]:
        assert value == f[0]
    elif t >= s[-1]:
        assert value == f[-1]
    else:
        i = max(k for k in range(len(s)) if s[k] <= t)
        low, high = sorted((f[i], f[i + 1]))
        assert low - 1e-15 <= value <= high + 1e-15


@given(spec=lt.interpolate().filter(lambda s: len(s.steps) > 1))
def test_interpolate_is_monotone_between_knots(spec: Interpolate) -> None:
    knots = zip(spec.steps, spec.steps[1:], spec.factors, spec.factors[1:], strict=False)
    for a, b, fa, fb in knots:
        if b < 0:
            continue
        t = np.linspace(max(a, 0.0), b, 50)
        d = np.diff(spec.lr(t, 1.0)) * (1 if fb >= fa else -1)
        assert np.all(d >= -1e-15)


@given(spec=any_curve, horizon=st.integers(0, 300))
def test_landmarks(spec: lrspec.Schedule, horizon: int) -> None:
    points = spec.landmarks(horizon)
    assert all(isinstance(p, int) and p >= 0 for p in points)
    if isinstance(spec, PiecewiseConstant):
        assert points == set(spec.boundaries)


def test_declarations() -> None:
    for name in CURVES:
        cls = getattr(lrspec, name)
        assert cls.torch_name is None and cls.resumable and cls.restarts_cleanly
    assert Tanh(total_steps=3).scales_with_base_lr


# --- validation of the tuple fields and the tanh range (TABLE_FIELDS in test_validation) ---

BAD: list[tuple[type, dict[str, Any], str, object, type[Exception]]] = [
    (PiecewiseConstant, {"factors": [1.0]}, "boundaries", None, TypeError),
    (PiecewiseConstant, {"factors": [1.0]}, "boundaries", "3", TypeError),
    (PiecewiseConstant, {"factors": [1.0, 2.0]}, "boundaries", [1.5], TypeError),
    (PiecewiseConstant, {"factors": [1.0, 2.0]}, "boundaries", [True], TypeError),
    (PiecewiseConstant, {"factors": [1.0, 2.0]}, "boundaries", [-1], ValueError),
    (PiecewiseConstant, {"factors": [1.0, 2.0, 3.0]}, "boundaries", [3, 3], ValueError),
    (PiecewiseConstant, {"factors": [1.0, 2.0, 3.0]}, "boundaries", [5, 3], ValueError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", None, TypeError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", 0.5, TypeError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", [1.0, "0.5"], TypeError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", [1.0, True], TypeError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", [1.0, -0.5], ValueError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", [1.0, math.nan], ValueError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", [1.0, math.inf], ValueError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", [1.0], ValueError),
    (PiecewiseConstant, {"boundaries": [3]}, "factors", [1.0, 1.0, 1.0], ValueError),
    (PiecewiseConstant, {"boundaries": []}, "factors", [], ValueError),
    (Interpolate, {"factors": [1.0]}, "steps", None, TypeError),
    (Interpolate, {"factors": [1.0]}, "steps", 5, TypeError),
    (Interpolate, {"factors": [1.0]}, "steps", ["0"], TypeError),
    (Interpolate, {"factors": []}, "steps", [], ValueError),
    (Interpolate, {"factors": [1.0]}, "steps", [math.nan], ValueError),
    (Interpolate, {"factors": [1.0]}, "steps", [-math.inf], ValueError),
    (Interpolate, {"factors": [1.0, 0.0]}, "steps", [1.0, 1.0], ValueError),
    (Interpolate, {"factors": [1.0, 0.0]}, "steps", [2.0, 1.0], ValueError),
    (Interpolate, {"steps": [0, 1]}, "factors", None, TypeError),
    (Interpolate, {"steps": [0, 1]}, "factors", [1.0, None], TypeError),
    (Interpolate, {"steps": [0, 1]}, "factors", [1.0, -1e-9], ValueError),
    (Interpolate, {"steps": [0, 1]}, "factors", [1.0, math.nan], ValueError),
    (Interpolate, {"steps": [0, 1]}, "factors", [1.0], ValueError),
    (Tanh, {"total_steps": 5}, "lower", "-7", TypeError),
    (Tanh, {"total_steps": 5}, "lower", None, TypeError),
    (Tanh, {"total_steps": 5}, "lower", math.nan, ValueError),
    (Tanh, {"total_steps": 5}, "lower", -math.inf, ValueError),
    (Tanh, {"total_steps": 5}, "lower", 3.0, ValueError),  # -> upper (3.0) must be > lower
    (Tanh, {"total_steps": 5}, "upper", True, TypeError),
    (Tanh, {"total_steps": 5}, "upper", math.inf, ValueError),
    (Tanh, {"total_steps": 5}, "upper", -7.0, ValueError),
    (Tanh, {"total_steps": 5}, "upper", -8.0, ValueError),
]


@pytest.mark.parametrize(
    ("cls", "base", "name", "value", "error"),
    BAD,
    ids=[f"{c.__name__}.{n}={v!r}" for c, _, n, v, _ in BAD],
)
def test_bad_arguments(
    cls: type, base: dict[str, Any], name: str, value: object, error: type[Exception]
) -> None:
    with pytest.raises(error) as info:
        cls(**base, **{name: value})
    assert type(info.value) is error
    message = str(info.value)
    if cls is Tanh and name == "lower" and value == 3.0:
        assert message == "upper must be > lower (3.0), got 3.0"
    elif isinstance(value, list):
        assert message.startswith(f"{name} must"), message
    else:
        assert re.search(names(name, value), message), message


def test_lengths_are_named_in_the_message() -> None:
    with pytest.raises(ValueError, match=r"^factors must have len\(boundaries\) \+ 1 = 2 items"):
        PiecewiseConstant(boundaries=[3], factors=[1.0])
    with pytest.raises(ValueError, match=r"^factors must have len\(steps\) = 2 items, got 1"):
        Interpolate(steps=[0, 1], factors=[1.0])
    with pytest.raises(ValueError, match=r"^boundaries must be strictly increasing, got \[5, 3\]"):
        PiecewiseConstant(boundaries=[5, 3], factors=[1.0, 0.5, 0.1])


def test_good_tuples_are_normalised() -> None:
    array: Any = np.array([3, 10])
    spec = PiecewiseConstant(boundaries=array, factors=np.array([1, 0.5, 0.25]))
    assert spec.boundaries == (3, 10) and spec.factors == (1.0, 0.5, 0.25)
    assert type(spec.boundaries[0]) is int and type(spec.factors[0]) is float
    assert spec == PiecewiseConstant(boundaries=(3.0, 10), factors=[np.float32(1), 0.5, 0.25])
    knots = Interpolate(steps=np.array([-1, 2.5]), factors=(np.int64(1), 0), kind=np.str_("cosine"))
    assert knots.steps == (-1.0, 2.5) and knots.factors == (1.0, 0.0) and knots.kind == "cosine"
    assert type(knots.steps[0]) is float and type(knots.kind) is str
    assert Tanh(total_steps=4, lower=np.float64(-3), upper=2).lower == -3.0
