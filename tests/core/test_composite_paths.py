"""The composites' fast paths equal the generic ones, bit for bit (no torch needed).

* ``Schedule._advance`` (a twin stepped in bulk: the resumable decays' inlined loops, the
  SequentialLR runs between milestones, the ChainedScheduler running product) equals calling
  ``twin.step()`` as many times, from any state the twin reaches.
* SequentialLR's vectorised ``lr`` on a sorted 1-d array (each child on its own slice) equals
  the masked evaluation every child over the whole array did, values and dtype.

``tests/core/test_fast_traces.py`` pins the composites' ``trace`` to the twin replay too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import _xp
from lrspec import testing as lt
from lrspec._base import Schedule

RESUMABLE = [cls for cls in lrspec.TORCH_TWINS if cls.resumable]


def _stepped(spec: Schedule, base_lr: float, steps: int) -> tuple[Any, list[float]]:
    """A fresh twin stepped ``steps`` times, and the lrs it wrote."""
    group: dict[str, Any] = {"lr": base_lr, "momentum": 0.0}
    twin = spec.twin(group)
    out = [group["lr"]]
    for _ in range(steps):
        twin.step()
        out.append(group["lr"])
    return twin, out


def _assert_same(fast: list[float], slow: list[float]) -> None:
    assert len(fast) == len(slow)
    for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
        assert lt.same_float(a, b), f"step {i}: {a!r} != {b!r}"


def test_the_decays_are_resumable() -> None:
    names = {cls.__name__ for cls in RESUMABLE}
    assert names == {
        "StepLR",
        "MultiStepLR",
        "ConstantLR",
        "LinearLR",
        "ExponentialLR",
        "PolynomialLR",
        "CosineAnnealingLR",
        "LambdaLR",
    }
    assert all(cls.resumable for cls in lrspec.TORCH_TWINS if cls.multiplicative)


@pytest.mark.parametrize(
    "make",
    [
        *(lt.TWIN_STRATEGIES[cls.__name__] for cls in RESUMABLE),
        lt.chained_scheduler,
        lt.sequential_lr,
    ],
    ids=[*(cls.__name__ for cls in RESUMABLE), "ChainedScheduler", "SequentialLR"],
)
@given(data=st.data())
def test_advance_equals_stepping_from_any_state(make: Any, data: st.DataObject) -> None:
    spec = data.draw(make(), label="spec")
    base_lr = data.draw(lt.base_lrs(), label="base_lr")
    total = data.draw(lt.steps(spec=spec), label="total")
    done = data.draw(st.integers(0, total), label="stepped first")
    twin, _ = _stepped(spec, base_lr, done)
    fast: list[float] = []
    spec._advance(twin, total - done, fast)
    _, slow = _stepped(spec, base_lr, total)
    _assert_same(fast, slow[done + 1 :])
    # the twin was left where stepping leaves it: one step more agrees too
    if total < lt.step_limit(spec, total + 1):
        twin.step()
        _assert_same([twin.group["lr"]], spec.trace(base_lr, total + 1)[-1:])


def _multiplicative() -> st.SearchStrategy[Schedule]:
    return st.one_of(
        *(lt.TWIN_STRATEGIES[cls.__name__]() for cls in RESUMABLE if cls.multiplicative)
    )


@given(
    children=st.lists(_multiplicative(), min_size=1, max_size=4),
    base_lr=lt.base_lrs(),
    steps=lt.steps(),
)
def test_chained_running_product_equals_stepping(
    children: list[Schedule], base_lr: float, steps: int
) -> None:
    spec = lrspec.ChainedScheduler(schedulers=children)
    _assert_same(spec.trace(base_lr, steps), _stepped(spec, base_lr, steps)[1])


#: The configurations the brief names: a composite first, children that do not restart
#: cleanly, CyclicLR first, milestones beyond the steps.
AWKWARD = [
    lrspec.SequentialLR(
        schedulers=[
            lrspec.ChainedScheduler(
                schedulers=[
                    lrspec.ConstantLR(factor=0.5, total_iters=3),
                    lrspec.ExponentialLR(gamma=0.9),
                ]
            ),
            lrspec.CosineAnnealingLR(T_max=7, eta_min=0.01),
        ],
        milestones=[5],
    ),
    lrspec.SequentialLR(
        schedulers=[
            lrspec.SequentialLR(
                schedulers=[lrspec.LinearLR(total_iters=4), lrspec.StepLR(step_size=2)],
                milestones=[3],
            ),
            lrspec.PolynomialLR(total_iters=6, power=2.0),
        ],
        milestones=[6],
    ),
    lrspec.SequentialLR(
        schedulers=[
            lrspec.ExponentialLR(gamma=0.5),
            lrspec.MultiplicativeLR(lr_lambda=lt.half),
            lrspec.SWALR(swa_lr=0.01, anneal_epochs=3),
            lrspec.CosineAnnealingLR(T_max=4),
        ],
        milestones=[3, 6, 10],
    ),
    lrspec.SequentialLR(
        schedulers=[
            lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=3, cycle_momentum=False),
            lrspec.LinearLR(start_factor=0.1, total_iters=5),
            lrspec.OneCycleLR(max_lr=0.2, total_steps=50, cycle_momentum=False),
        ],
        milestones=[4, 9],
    ),
    lrspec.SequentialLR(
        schedulers=[lrspec.CosineAnnealingLR(T_max=3), lrspec.StepLR(step_size=1, gamma=0.5)],
        milestones=[1000],
    ),
]


@pytest.mark.parametrize("spec", AWKWARD, ids=range(len(AWKWARD)))
@pytest.mark.parametrize("base_lr", [0.0, 0.1, 0.3])
def test_awkward_sequences_equal_stepping(spec: lrspec.SequentialLR, base_lr: float) -> None:
    steps = lt.step_limit(spec, 80)
    _assert_same(spec.trace(base_lr, steps), _stepped(spec, base_lr, steps)[1])


# --- vectorised lr: each child on its own slice --------------------------------------------


def _masked(spec: lrspec.SequentialLR, epoch: Any, base_lr: float) -> Any:
    """The evaluation before slices: every child over the whole array, then ``where``."""
    xp = _xp.namespace(epoch)
    epoch = _xp.check_epoch(xp, epoch)
    value = spec.schedulers[0]._lr(xp, epoch, base_lr)
    for child, start in zip(spec.schedulers[1:], spec.milestones, strict=True):
        reached = epoch >= start
        local = xp.where(reached, epoch - start, 0)
        value = xp.where(reached, child._lr(xp, local, base_lr), value)
    return value


@given(
    spec=lt.sequential_lr().filter(lambda s: s._closed is not None),
    base_lr=lt.base_lrs(),
    kind=st.sampled_from(["int64", "float64", "float32", "fractional"]),
    size=st.integers(0, 400),
    high=st.sampled_from([5, 250, 2000]),
    seed=st.integers(0, 2**32 - 1),
)
def test_sorted_arrays_take_slices_with_the_same_values(
    spec: lrspec.SequentialLR, base_lr: float, kind: str, size: int, high: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    epoch: Any = rng.random(size) * high if kind == "fractional" else rng.integers(0, high, size)
    epoch = np.sort(epoch).astype(np.float64 if kind == "fractional" else kind)
    try:
        old = _masked(spec, epoch, base_lr)
    except (OverflowError, ZeroDivisionError):  # a generated scale function past its range
        return
    new = spec.lr(epoch, base_lr)
    assert type(new) is np.ndarray and new.dtype == old.dtype and new.shape == old.shape
    np.testing.assert_array_equal(new, old, strict=True)


def test_unsorted_and_nd_arrays_keep_the_masked_path() -> None:
    spec = lrspec.SequentialLR(
        schedulers=[lrspec.LinearLR(total_iters=3), lrspec.CosineAnnealingLR(T_max=5)],
        milestones=[4],
    )
    rng = np.random.default_rng(0)
    for epoch in (rng.integers(0, 20, 50), rng.random((4, 5)) * 20, np.float64(7.0)):
        np.testing.assert_array_equal(spec.lr(epoch, 0.1), _masked(spec, epoch, 0.1))
    values = np.arange(20.0)
    assert spec.lr(values, 0.1).tolist() == [spec.lr(float(e), 0.1) for e in values]


def test_scalar_lr_is_the_child_at_its_local_epoch() -> None:
    children = [
        lrspec.LinearLR(total_iters=3),
        lrspec.CosineAnnealingLR(T_max=5),
        lrspec.StepLR(step_size=2),
    ]
    spec = lrspec.SequentialLR(schedulers=children, milestones=[4, 9])
    for e in range(20):
        k, start = (0, 0) if e < 4 else (1, 4) if e < 9 else (2, 9)
        assert spec.lr(e, 0.1) == children[k].lr(e - start, 0.1)
        assert spec.lr(e + 0.5, 0.1) == children[k].lr(e + 0.5 - start, 0.1)
