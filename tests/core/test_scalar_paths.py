"""Fast paths equal the general code they shortcut, bit for bit (no torch needed).

* Each formula in :mod:`lrspec.functional` has a plain-number fast path (``int``/``float``
  epochs) that spells out the ``_xp.SCALAR`` namespace operations inline. An ``int`` or
  ``float`` *subclass* skips the fast path but is still a Python number, so it runs the
  general namespace code on :mod:`math`: the two must give the same float.
* ``ReduceLROnPlateau.trace`` inlines its twin's ``step``; it must equal stepping the twin.
* ``check_metrics`` has C-speed paths for lists/tuples of floats and ints and 1-d numeric
  arrays; they must give what the element-by-element loop gives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import _xp
from lrspec import functional as F
from lrspec._eval_checks import check_metrics
from lrspec.testing import TWIN_STRATEGIES, base_lrs, metric_streams, same_float

CLOSED_FORMS = [
    name
    for name, cls in ((c.__name__, c) for c in lrspec.TORCH_TWINS)
    # composites have no formula of their own; MultiplicativeLR's lr replays its trace
    if not cls.metric_driven
    and name not in ("SequentialLR", "ChainedScheduler", "MultiplicativeLR")
]


class Int(int):
    """An int that is not ``int``: the formulas take their general (namespace) path."""


class Float(float):
    """A float that is not ``float``: the formulas take their general (namespace) path."""


def general(epoch: int | float) -> Any:
    return Int(epoch) if type(epoch) is int else Float(epoch)


def outcome(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` as a float, or the type of the exception it raises.

    Both paths must fail alike too (neither raises OverflowError any more: a power too large
    for a float is inf, and CyclicLR's ``triangular2`` scale past 1024 cycles is 0, on numbers
    as on arrays).
    """
    try:
        return float(fn(*args))
    except ArithmeticError as exc:
        return type(exc)


def same(a: Any, b: Any) -> bool:
    return a is b if isinstance(a, type) else isinstance(b, float) and same_float(a, b)


def epochs(spec: lrspec.Schedule) -> st.SearchStrategy[int | float]:
    limit = getattr(spec, "total", 10_000)  # OneCycleLR stops at total_steps
    return st.one_of(
        st.integers(0, limit),
        st.floats(0, limit, allow_nan=False).filter(lambda e: e <= limit),
    )


@pytest.mark.parametrize("name", CLOSED_FORMS)
@given(data=st.data(), base=base_lrs())
def test_scalar_fast_path_equals_the_namespace_path(name: str, data: Any, base: float) -> None:
    spec = data.draw(TWIN_STRATEGIES[name](), label="spec")
    epoch = data.draw(epochs(spec), label="epoch")
    fast, slow = outcome(spec.lr, epoch, base), outcome(spec._lr, _xp.SCALAR, general(epoch), base)
    if not isinstance(fast, type):  # a Python number gives a Python float
        assert type(spec.lr(epoch, base)) is float
    assert same(fast, slow), (fast, slow)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@given(data=st.data())
def test_momentum_fast_path_equals_the_namespace_path(strategy: str, data: Any) -> None:
    spec = data.draw(TWIN_STRATEGIES[data.draw(st.sampled_from(["CyclicLR", "OneCycleLR"]))]())
    if not spec.cycle_momentum:
        return
    epoch = data.draw(epochs(spec))
    fast = outcome(spec.momentum, epoch)
    assert same(fast, outcome(spec._momentum, _xp.SCALAR, general(epoch))), fast


@pytest.mark.parametrize("epoch", [0, 3, 3.5, -2, -0.5])
def test_functional_called_directly(epoch: Any) -> None:
    """Direct callers may pass anything numeric: the fast path changes no result."""
    kwargs = {"T_0": 3, "T_mult": 2, "eta_min": 0.01}
    fast = F.cosine_annealing_warm_restarts_lr(epoch, 0.5, **kwargs)
    slow = F.cosine_annealing_warm_restarts_lr(general(epoch), 0.5, **kwargs)
    assert same_float(fast, slow) or (math.isnan(fast) and math.isnan(slow))
    assert F.swa_lr(epoch, 0.5, swa_lr=0.1, anneal_epochs=0, anneal_strategy="cos") == 0.1


@given(spec=TWIN_STRATEGIES["ReduceLROnPlateau"](), base=base_lrs(), metrics=metric_streams())
def test_plateau_trace_equals_stepping_its_twin(
    spec: lrspec.ReduceLROnPlateau, base: float, metrics: list[float]
) -> None:
    group = {"lr": base}
    twin = spec.twin(group)
    expected = [base]
    for m in metrics:
        twin.step(m)
        expected.append(group["lr"])
    assert spec.trace(base, metrics=metrics) == expected


def loop_metrics(metrics: Any) -> list[float]:
    """check_metrics' general loop: what the fast paths must reproduce."""
    return check_metrics(iter(list(metrics)))


@given(st.lists(st.one_of(st.floats(), st.integers(-(2**60), 2**60))))
def test_metrics_fast_paths(values: list[float]) -> None:
    expected = loop_metrics(values)
    for given_as in (values, tuple(values)):
        got = check_metrics(given_as)
        assert got is not given_as
        assert len(got) == len(expected)
        assert all(
            type(v) is float and same_float(v, w) for v, w in zip(got, expected, strict=True)
        )


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "uint8"])
def test_metrics_from_arrays(dtype: str) -> None:
    array = (
        np.array([3, 0.5, -1, 200], dtype=dtype)
        if "int" not in dtype
        else np.arange(4, dtype=dtype)
    )
    got = check_metrics(array)
    assert got == loop_metrics(array)
    assert all(type(v) is float for v in got)


@pytest.mark.parametrize(
    ("metrics", "shown"),
    [
        ([1.0, True], "True at index 1"),
        ((1.0, 2, "3"), "'3' at index 2"),
        ([np.float64(1.0), None], "None at index 1"),
        (np.array(["a"]), "np.str_('a') at index 0"),
    ],
    ids=repr,
)
def test_metrics_errors_name_the_index(metrics: Any, shown: str) -> None:
    with pytest.raises(TypeError, match=r"^metrics must contain only numbers, got ") as info:
        check_metrics(metrics)
    assert str(info.value).endswith(shown)
