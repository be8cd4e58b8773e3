"""Combinators on numpy arrays: the per-segment fast path, the general path, and dtypes.

A sorted 1-D array (an ``arange``) is cut at the boundaries and each child runs on its own
slice only; anything else (unsorted, reversed, 2-D) takes the general, masked path. Both must
be the scalar closed form, must agree with each other bit for bit, and must keep float32
float32 (integers become float64, as everywhere in lrspec). Speed is shown by
``benchmarks/bench_catalogue.py``, never timed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import lrspec
from lrspec import Clip, Constant, Cosine, Join, Linear, Product, Stretch, Warmup
from lrspec import testing as lt

DTYPES = (np.float32, np.float64, np.int64)

# --- strategies -------------------------------------------------------------------------------


def _bounds(n: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, 200), min_size=n, max_size=n, unique=True).map(sorted)


@st.composite
def _join_of(draw: st.DrawFn, children: st.SearchStrategy[lrspec.Schedule]) -> Join:
    n = draw(st.integers(1, 4))
    return Join(
        schedules=draw(st.lists(children, min_size=n, max_size=n)), boundaries=draw(_bounds(n - 1))
    )


@st.composite
def _warmup_of(
    draw: st.DrawFn, inner: st.SearchStrategy[lrspec.Schedule], kinds: tuple[str, ...]
) -> Warmup:
    kind = draw(st.sampled_from(kinds))
    low = 1e-3 if kind == "exponential" else 0.0
    return Warmup(
        inner=draw(inner),
        steps=draw(st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, 150))),
        start_factor=draw(st.one_of(st.sampled_from([low, 0.1, 1.0]), st.floats(low, 2.0))),
        kind=kind,
        prefix=draw(st.booleans()),
    )


def _trees(leaves: st.SearchStrategy[Any], kinds: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Join / Warmup / Clip / Product / Stretch of ``leaves``, two levels deep."""

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            _join_of(children),
            _warmup_of(children, kinds),
            st.builds(Clip, inner=children, min_factor=st.sampled_from([0.0, 0.1, 0.5])),
            st.builds(Product, schedules=st.lists(children, min_size=1, max_size=3)),
            st.builds(Stretch, inner=children, ratio=st.sampled_from([1.0, 0.5, 2.0, 1 / 3])),
        )

    return extend(st.one_of(leaves, extend(leaves)))


def _presets() -> st.SearchStrategy[lrspec.Schedule]:
    return st.one_of(
        st.builds(
            lrspec.wsd,
            warmup_steps=st.integers(0, 60),
            stable_steps=st.integers(0, 120),
            decay_steps=st.integers(1, 200),
            warmup=st.sampled_from(["linear", "cosine", "1-sqrt"]),
            decay=st.sampled_from(["cosine", "linear", "1-sqrt"]),
            end_factor=st.sampled_from([0.0, 0.1]),
        ),
        st.builds(
            lambda w, d: lrspec.warmup_cosine(w, w + d),
            st.integers(0, 100),
            st.integers(1, 300),
        ),
    )


#: Shapes, presets and combinators of them: continuous curves that float32 follows closely
#: (a Cosine with ``exponent`` or ``k`` far from 1 magnifies float32's rounding of ``1 + cos``;
#: an exponential ramp's ratio may be below float32's range).
CATALOGUE = st.one_of(
    _presets(),
    _trees(
        st.one_of(
            lt.constant(),
            lt.linear(),
            lt.cosine().map(lambda c: attrs.evolve(c, exponent=1.0, k=1.0)),
            lt.one_minus_sqrt(),
        ),
        ("linear", "cosine", "1-sqrt"),
    ),
)
#: Made of ``+ - * /``, min and comparisons only, so numpy and Python floats agree exactly.
EXACT = _trees(st.one_of(lt.constant(), lt.linear()), ("linear",))
#: Everything: also the closed-form torch twins and Cycle, nested.
ANY = st.one_of(lt.combinators(), CATALOGUE)


@st.composite
def sorted_epochs(draw: st.DrawFn, dtype: Any) -> np.ndarray:
    """An arange (possibly not from 0), or sorted steps with repeats, fractions and far ones."""
    if draw(st.booleans()):
        start = draw(st.integers(0, 50))
        return np.arange(start, start + draw(st.integers(1, 400)), dtype=dtype)
    ints = st.one_of(st.integers(0, 400), st.integers(0, 10**6))
    points: list[float] = draw(st.lists(ints, min_size=1, max_size=200))
    if np.dtype(dtype).kind == "f":
        points += draw(st.lists(st.floats(0, 400, allow_subnormal=False), max_size=20))
    return np.sort(np.array(points, dtype=dtype))


# --- helpers ----------------------------------------------------------------------------------


def lr(spec: lrspec.Schedule, epochs: np.ndarray, base_lr: float) -> np.ndarray:
    # A twin that grows (ExponentialLR with gamma > 1) may overflow, earlier in float32:
    # agreement between the paths is the point here, not the warning.
    with np.errstate(over="ignore", invalid="ignore"):
        value = spec.lr(epochs, base_lr)
    assert isinstance(value, np.ndarray)
    assert value.shape == epochs.shape
    return value


def leaves(spec: lrspec.Schedule) -> Iterator[lrspec.Schedule]:
    if not spec.children:
        yield spec
    for child in spec.children:
        yield from leaves(child)


def grows(spec: lrspec.Schedule) -> bool:
    """A twin with ``gamma > 1`` overflows far out (Python floats raise OverflowError)."""
    return any(getattr(leaf, "gamma", 1.0) > 1 for leaf in leaves(spec))


def keeps_float32(spec: lrspec.Schedule) -> bool:
    """Every leaf keeps float32 on its own (MultiStepLR and ConstantLR compute in float64)."""
    probe = np.arange(3, dtype=np.float32)
    return all(lr(leaf, probe, 1.0).dtype == np.float32 for leaf in leaves(spec))


def expected_dtype(spec: lrspec.Schedule, dtype: Any) -> Any:
    if dtype is np.float32 and not keeps_float32(spec):
        return None  # float64 from a leaf, or float32 where its segment is empty: both fine
    return np.float32 if dtype is np.float32 else np.float64


# --- the fast path is the general path --------------------------------------------------------


@given(spec=ANY, base_lr=lt.base_lrs(), data=st.data(), dtype=st.sampled_from(DTYPES))
def test_sorted_segments_equal_the_general_path(
    spec: lrspec.Schedule, base_lr: float, data: st.DataObject, dtype: Any
) -> None:
    epochs = data.draw(sorted_epochs(dtype))
    fast = lr(spec, epochs, base_lr)
    order = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).permutation(epochs.size)
    np.testing.assert_array_equal(lr(spec, epochs[order], base_lr), fast[order], strict=True)
    # a contiguous copy: numpy's pow differs by an ulp between contiguous and strided input
    backwards = epochs[::-1].copy()
    np.testing.assert_array_equal(lr(spec, backwards, base_lr), fast[::-1], strict=True)
    if epochs.size % 2 == 0:
        grid = lr(spec, epochs.reshape(2, -1), base_lr)
        np.testing.assert_array_equal(grid.ravel(), fast, strict=True)


@given(spec=ANY, base_lr=lt.base_lrs(), data=st.data(), dtype=st.sampled_from(DTYPES))
def test_float32_stays_float32(
    spec: lrspec.Schedule, base_lr: float, data: st.DataObject, dtype: Any
) -> None:
    epochs = data.draw(sorted_epochs(dtype))
    expected = expected_dtype(spec, dtype)
    for value in (
        lr(spec, epochs, base_lr),
        lr(spec, epochs[::-1].copy(), base_lr),
        lr(spec, epochs[None, :], base_lr),
    ):
        assert value.dtype.kind == "f"
        if expected is not None:
            assert value.dtype == expected, (value.dtype, spec)


# --- the fast path is the scalar closed form --------------------------------------------------


@given(spec=EXACT, base_lr=lt.base_lrs(), data=st.data())
def test_exact_formulas_are_the_scalar_closed_form_bit_for_bit(
    spec: lrspec.Schedule, base_lr: float, data: st.DataObject
) -> None:
    epochs = data.draw(sorted_epochs(np.float64))
    curve = lr(spec, epochs, base_lr)
    assert curve.tolist() == [spec.lr(e, base_lr) for e in epochs.tolist()]


@given(spec=ANY, base_lr=lt.base_lrs(), data=st.data())
def test_float64_is_the_scalar_closed_form(
    spec: lrspec.Schedule, base_lr: float, data: st.DataObject
) -> None:
    assume(not grows(spec))
    epochs = data.draw(sorted_epochs(np.float64))
    curve = lr(spec, epochs, base_lr)
    scalar = [spec.lr(e, base_lr) for e in epochs.tolist()]
    np.testing.assert_allclose(curve, scalar, rtol=1e-9, atol=1e-300)


@given(spec=CATALOGUE, data=st.data())
def test_float32_is_close_to_the_scalar_closed_form(
    spec: lrspec.Schedule, data: st.DataObject
) -> None:
    epochs = data.draw(sorted_epochs(np.float32))
    curve = lr(spec, epochs, 1.0)
    assert curve.dtype == np.float32
    scalar = np.array([spec.lr(e, 1.0) for e in epochs.tolist()])
    scale = max(1.0, float(np.abs(scalar).max()))
    np.testing.assert_allclose(curve, scalar, rtol=1e-4, atol=1e-6 * scale)


# --- examples ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "spec",
    [
        lrspec.warmup_cosine(warmup_steps=100, total_steps=10_000),
        lrspec.wsd(warmup_steps=100, stable_steps=7_900, decay_steps=2_000),
        lrspec.wsd(100, 7_900, 2_000, warmup="cosine", decay="1-sqrt", end_factor=0.1),
    ],
    ids=["warmup_cosine", "wsd", "wsd-1-sqrt"],
)
def test_presets_on_a_long_arange(spec: lrspec.Schedule, dtype: Any) -> None:
    epochs = np.arange(12_000, dtype=dtype)
    curve = lr(spec, epochs, 0.5)
    assert curve.dtype == dtype
    backwards = epochs[::-1].copy()
    np.testing.assert_array_equal(lr(spec, backwards, 0.5)[::-1], curve, strict=True)
    every = epochs[::997].tolist()
    scalar = [spec.lr(e, 0.5) for e in every]
    # float32 cancels in 1 + cos near the end of the decay: absolute error about 1e-8
    tolerance = {"rtol": 1e-5, "atol": 1e-7} if dtype is np.float32 else {"rtol": 1e-12}
    np.testing.assert_allclose(curve[::997], scalar, **tolerance)


def test_segments_cut_where_the_scalar_path_does_beyond_float32_ints() -> None:
    # 2**24 + 1 is no float32: the cut is the first float32 >= it, as Python compares
    spec = Join(schedules=[Constant(), Constant(factor=0.5)], boundaries=[2**24 + 1])
    epochs = np.array([2**24, 2**24 + 2], dtype=np.float32)
    assert lr(spec, epochs, 1.0).tolist() == [spec.lr(float(e), 1.0) for e in epochs] == [1.0, 0.5]


def test_small_integer_arrays_are_cut_at_boundaries_they_cannot_hold() -> None:
    spec = Join(schedules=[Linear(total_steps=200), Constant(factor=0.5)], boundaries=[200])
    epochs = np.arange(0, 256, dtype=np.uint8)
    curve = lr(spec, epochs, 1.0)
    assert curve.dtype == np.float64
    assert curve.tolist() == [spec.lr(e, 1.0) for e in range(256)]


def test_constant_children_fill_in_the_input_float_dtype() -> None:
    spec = Join(schedules=[Constant(factor=0.25), Cosine(total_steps=4)], boundaries=[3])
    for dtype, expected in (
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int32, np.float64),
    ):
        curve = lr(spec, np.arange(6, dtype=dtype), 2.0)
        assert curve.dtype == expected
        assert curve[:4].tolist() == [0.5, 0.5, 0.5, 2.0]  # filled, then cos(0) exactly
        assert curve[4:].tolist() == pytest.approx([2 * 0.8535533905932737, 1.0], rel=1e-6)
    assert Constant(factor=0.25).lr(np.float32(3.0), 1.0).dtype == np.float32


def test_one_child_covering_the_whole_array() -> None:
    spec = Warmup(inner=Cosine(total_steps=10), steps=100)
    epochs = np.arange(50, dtype=np.float32)
    curve = lr(spec, epochs, 1.0)
    assert curve.dtype == np.float32
    np.testing.assert_array_equal(curve, (epochs / np.float32(100)).astype(np.float32))
