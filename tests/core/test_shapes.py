"""The catalogue's decay shapes: known values, properties, round trips (no torch).

Known values are worked out by hand from the formulas in the docstrings; the properties run
over :data:`lrspec.testing.SHAPE_STRATEGIES`.
"""

from __future__ import annotations

import math
import pickle
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from _core_helpers import names, shows
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import _xp
from lrspec.testing import SHAPE_STRATEGIES, base_lrs, same_float

SHAPES = sorted(SHAPE_STRATEGIES)
FINITE = ["Linear", "Cosine", "Polynomial", "OneMinusSqrt"]
R = math.sqrt(0.5)  # cos(pi / 4)


def test_strategies_cover_every_shape() -> None:
    assert set(SHAPES) == {cls.__name__ for cls in _shape_classes()}


def _shape_classes() -> list[type]:
    import lrspec._shapes as shapes

    return [getattr(lrspec, name) for name in shapes.__all__]


# --- known values ---------------------------------------------------------------------------

KNOWN: list[tuple[lrspec.Schedule, float, dict[float, float]]] = [
    (lrspec.Constant(), 0.1, {0: 0.1, 7.5: 0.1, 10**9: 0.1}),
    (lrspec.Constant(factor=0.0), 0.1, {0: 0.0, 3: 0.0}),
    (lrspec.Linear(total_steps=10), 2.0, {0: 2.0, 5: 1.0, 7.5: 0.5, 10: 0.0, 11: 0.0}),
    (
        lrspec.Linear(total_steps=4, start_factor=0.0, end_factor=1.0),
        0.4,
        {0: 0.0, 1: 0.1, 2: 0.2, 4: 0.4, 100: 0.4},
    ),
    (lrspec.Cosine(total_steps=4), 1.0, {0: 1.0, 1: (1 + R) / 2, 2: 0.5, 4: 0.0, 9: 0.0}),
    (lrspec.Cosine(total_steps=4, end_factor=0.5), 2.0, {2: 1.5, 4: 1.0, 40: 1.0}),
    (lrspec.Cosine(total_steps=4, exponent=2.0), 1.0, {2: 0.25}),
    (lrspec.Cosine(total_steps=4, k=0.5), 1.0, {1: 0.5}),  # (1/4) ** 0.5 = 1/2
    (lrspec.Polynomial(total_steps=4), 1.0, {0: 1.0, 1: 0.75, 4: 0.0, 5: 0.0}),
    (lrspec.Polynomial(total_steps=4, power=3.0, end_factor=0.5), 1.0, {2: 0.5625, 6: 0.5}),
    (lrspec.Polynomial(total_steps=4, power=0.5, k=2.0), 1.0, {2: math.sqrt(0.75)}),
    (lrspec.OneMinusSqrt(total_steps=100), 1.0, {0: 1.0, 1: 0.9, 64: 0.2, 100: 0.0, 101: 0.0}),
    (lrspec.OneMinusSqrt(total_steps=4, end_factor=0.5), 1.0, {1: 0.75, 4: 0.5, 8: 0.5}),
    (lrspec.Exponential(rate=0.1), 1.0, {0: 1.0, 1: 0.1, 2: 0.01, 0.5: math.sqrt(0.1)}),
    (lrspec.Exponential(rate=0.5, transition_steps=10), 1.0, {5: R, 10: 0.5, 20: 0.25}),
    (
        lrspec.Exponential(rate=0.5, transition_steps=10, staircase=True),
        1.0,
        {9: 1.0, 10: 0.5, 19.5: 0.5, 20: 0.25},
    ),
    (lrspec.Exponential(rate=0.5, end_factor=0.3), 1.0, {1: 0.5, 2: 0.3, 10**12: 0.3}),
    (lrspec.Exponential(rate=10.0, end_factor=50.0), 0.1, {1: 1.0, 2: 5.0, 10**12: 5.0}),
    (lrspec.Exponential(rate=1.0), 1.0, {0: 1.0, 10**12: 1.0}),
]


@pytest.mark.parametrize(("spec", "base", "values"), KNOWN, ids=repr)
def test_known_values(spec: lrspec.Schedule, base: float, values: dict[float, float]) -> None:
    for t, want in values.items():
        got = spec.lr(t, base)
        assert type(got) is float
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15), t
    ts = np.array(list(values), dtype=np.float64)
    got_array = spec.lr(ts, base)
    assert got_array.dtype == np.float64
    assert got_array.tolist() == pytest.approx(list(values.values()), rel=1e-12, abs=1e-15)


def test_end_factors_are_reached_exactly() -> None:
    for cls in (lrspec.Cosine, lrspec.Polynomial, lrspec.OneMinusSqrt, lrspec.Linear):
        spec = cls(total_steps=7, end_factor=0.1)
        assert spec.lr(7, 1.0) == 0.1
        assert spec.lr(7.0, 1.0) == 0.1
        assert spec.lr(1e12, 1.0) == 0.1


# --- Exponential.end_factor (its rule depends on rate) ---------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"rate": 1.5}, ValueError, shows("rate", 1.5)),
        ({"rate": 1.5, "end_factor": None}, ValueError, r"^end_factor is required"),
        ({"rate": 1.5, "end_factor": 0.9}, ValueError, names("end_factor", 0.9)),
        ({"rate": 1.0, "end_factor": 0.5}, ValueError, names("end_factor", 0.5)),
        ({"rate": 0.5, "end_factor": 1.5}, ValueError, names("end_factor", 1.5)),
        ({"rate": 0.5, "end_factor": -0.1}, ValueError, names("end_factor", -0.1)),
        ({"rate": 0.5, "end_factor": math.nan}, ValueError, r"^end_factor must be finite"),
        ({"rate": 2.0, "end_factor": math.inf}, ValueError, r"^end_factor must be finite"),
        ({"rate": 0.5, "end_factor": "0.1"}, TypeError, names("end_factor", "0.1")),
        ({"rate": 0.5, "end_factor": True}, TypeError, names("end_factor", True)),
    ],
)
def test_exponential_end_factor_rules(kwargs: dict, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern) as info:
        lrspec.Exponential(**kwargs)
    assert type(info.value) is error
    assert "end_factor" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "stored"),
    [
        ({"rate": 0.5}, None),
        ({"rate": 0.5, "end_factor": 0}, 0.0),
        ({"rate": 0.5, "end_factor": np.float32(0.5)}, 0.5),
        ({"rate": 0.5, "end_factor": 1}, 1.0),
        ({"rate": 1.0}, None),
        ({"rate": 1.0, "end_factor": 1.0}, 1.0),
        ({"rate": 2, "end_factor": 8}, 8.0),
    ],
)
def test_exponential_end_factor_accepted(kwargs: dict, stored: float | None) -> None:
    spec = lrspec.Exponential(**kwargs)
    assert spec.end_factor == stored
    assert type(spec.end_factor) is type(stored)
    assert lrspec.parse(repr(spec)) == spec


# --- properties -----------------------------------------------------------------------------


def _spec(data: Any, name: str) -> Any:
    return data.draw(SHAPE_STRATEGIES[name](), label="spec")


def _times(spec: Any) -> st.SearchStrategy[float]:
    end = spec.total_steps or 1000  # None (unbounded) or 0 (Constant): probe 3000 steps
    return st.one_of(
        st.integers(0, 3 * end),
        st.floats(0, 3 * end, allow_nan=False),
        st.sampled_from([0, end, end - 1, end + 1, 10**12, 2**53 - 1]).filter(lambda t: t >= 0),
    )


@pytest.mark.parametrize("name", FINITE)
@given(data=st.data())
def test_holds_past_the_end(name: str, data: Any) -> None:
    spec = _spec(data, name)
    t = data.draw(st.one_of(st.integers(0, 10**13), st.floats(0, 1e13)), label="t")
    end = spec.lr(spec.total_steps, 1.0)
    assert spec.lr(spec.total_steps + t, 1.0) == end
    assert end == spec.end_factor


def _direction(spec: Any) -> int:
    """+1 non-decreasing, -1 non-increasing, 0 flat."""
    if isinstance(spec, lrspec.Constant):
        return 0
    if isinstance(spec, lrspec.Exponential):
        return (spec.rate > 1) - (spec.rate < 1)
    start = getattr(spec, "start_factor", 1.0)
    return (spec.end_factor > start) - (spec.end_factor < start)


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data())
def test_monotone(name: str, data: Any) -> None:
    spec = _spec(data, name)
    ts = sorted(data.draw(st.lists(_times(spec), min_size=2, max_size=30), label="ts"))
    values = [spec.lr(t, 1.0) for t in ts]
    sign = _direction(spec)
    pairs = list(pairwise(values))
    if sign > 0:
        assert all(a <= b for a, b in pairs), values
    elif sign < 0:
        assert all(a >= b for a, b in pairs), values
    else:
        assert len(set(values)) == 1, values


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data(), base=base_lrs())
def test_vectorised_equals_scalar(name: str, data: Any, base: float) -> None:
    spec = _spec(data, name)
    ts = data.draw(st.lists(_times(spec), min_size=1, max_size=20), label="ts")
    scalar = [spec.lr(t, base) for t in ts]
    for array in (np.array(ts, dtype=np.float64), np.array(ts, dtype=np.float64).reshape(1, -1)):
        got = spec.lr(array, base)
        assert got.dtype == np.float64 and got.shape == array.shape
        np.testing.assert_allclose(got.ravel(), scalar, rtol=1e-12, atol=1e-12 * base)
    if all(float(t).is_integer() for t in ts):
        ints = spec.lr(np.array([int(t) for t in ts], dtype=np.int64), base)
        np.testing.assert_allclose(ints, scalar, rtol=1e-12, atol=1e-12 * base)


class Int(int):
    """An int that is not ``int``: the formulas take their general (namespace) path."""


class Float(float):
    """A float that is not ``float``: the formulas take their general (namespace) path."""


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data(), base=base_lrs())
def test_scalar_fast_path_equals_the_namespace_path(name: str, data: Any, base: float) -> None:
    spec = _spec(data, name)
    t = data.draw(_times(spec), label="t")
    general = Int(t) if type(t) is int else Float(t)
    assert same_float(spec.lr(t, base), spec._lr(_xp.SCALAR, general, base))


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data(), base=base_lrs(), steps=st.integers(0, 300))
def test_trace_is_the_closed_form(name: str, data: Any, base: float, steps: int) -> None:
    spec = _spec(data, name)
    trace = spec.trace(base, steps)
    assert trace == [spec.lr(t, base) for t in range(steps + 1)]
    assert list(spec.iter_trace(base, steps)) == trace


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data())
def test_round_trips(name: str, data: Any) -> None:
    spec = _spec(data, name)
    assert lrspec.from_dict(lrspec.to_dict(spec)) == spec
    assert lrspec.parse(repr(spec)) == spec
    assert pickle.loads(pickle.dumps(spec)) == spec
    assert hash(lrspec.parse(repr(spec))) == hash(spec)
    assert lrspec.to_dict(spec)["type"] == name


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data(), base=base_lrs())
def test_finite_up_to_1e12(name: str, data: Any, base: float) -> None:
    spec = _spec(data, name)
    ts = [0, 1, 10**6, 10**9, 10**12, 2**53 - 1, 1e12 + 0.5]
    values = [spec.lr(t, base) for t in ts]
    assert all(math.isfinite(v) and v >= 0 for v in values), values
    array = spec.lr(np.array(ts, dtype=np.float64), base)
    assert np.isfinite(array).all() and (array >= 0).all()


@pytest.mark.parametrize("name", SHAPES)
@given(data=st.data(), base=base_lrs())
def test_scales_with_base_lr(name: str, data: Any, base: float) -> None:
    spec = _spec(data, name)
    t = data.draw(_times(spec))
    assert spec.scales_with_base_lr
    assert spec.lr(t, base) == base * spec.lr(t, 1.0)


@pytest.mark.parametrize("name", FINITE)
@given(data=st.data())
def test_landmarks_are_the_end(name: str, data: Any) -> None:
    spec = _spec(data, name)
    assert spec.landmarks(spec.total_steps) == {spec.total_steps}
    assert spec.landmarks(spec.total_steps - 1) == set()


def test_exponential_landmarks() -> None:
    stairs = lrspec.Exponential(rate=0.5, transition_steps=3, staircase=True)
    assert stairs.landmarks(10) == {3, 6, 9}
    floor = lrspec.Exponential(rate=0.5, end_factor=0.25)  # reached at t = 2
    assert floor.landmarks(10) == {2}
    assert floor.landmarks(1) == set()
    assert lrspec.Constant().landmarks(100) == set()


def test_functional_is_the_spec_formula() -> None:
    from lrspec import functional as F

    spec = lrspec.Cosine(total_steps=10, end_factor=0.1, exponent=2.0, k=0.5)
    kwargs = {"total_steps": 10, "end_factor": 0.1, "exponent": 2.0, "k": 0.5}
    assert spec.lr(3, 0.5) == 0.5 * F.cosine_decay(3, **kwargs)
