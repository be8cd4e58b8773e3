"""SpecLR as a child of torch's own SequentialLR and ChainedScheduler, against native children.

Torch drives its children through ``recursive_undo``, ``_initial_step()`` and
``_update_lr(0)``; a SpecLR must behave there exactly as the native scheduler it replaces:
lrs (and momenta) bit for bit, whichever children are SpecLRs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import torch
from _torch_helpers import assert_bit_equal, make_optimizer, quiet_step_order
from hypothesis import given
from hypothesis import strategies as st
from torch.optim import lr_scheduler as L

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR, to_torch

Build = Callable[[torch.optim.Optimizer], Any]


def _run(make: Build, steps: int, base_lr: float = 0.25, kind: str = "sgd") -> tuple[list, list]:
    """Build a scheduler on a fresh optimizer and step it: (lrs, momenta) from the group."""
    opt = make_optimizer(base_lr, kind)
    group = opt.param_groups[0]

    def momentum() -> float:
        return float(group["betas"][0] if "betas" in group else group["momentum"])

    with quiet_step_order():
        sched = make(opt)
        lrs, moms = [sched.get_last_lr()[0]], [momentum()]
        for _ in range(steps):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr()[0])
            moms.append(momentum())
    return lrs, moms


def _children(opt: torch.optim.Optimizer, specs: Sequence[lrspec.Schedule], wrap: Sequence[bool]):
    """The children in order: SpecLR where ``wrap`` says so, the native twin elsewhere."""
    return [SpecLR(opt, s) if w else to_torch(s, opt) for s, w in zip(specs, wrap, strict=True)]


def _sequential(specs: Sequence[lrspec.Schedule], milestones: Sequence[int], wrap: Sequence[bool]):
    return lambda o: L.SequentialLR(o, _children(o, specs, wrap), milestones=list(milestones))


def _chained(specs: Sequence[lrspec.Schedule], wrap: Sequence[bool]) -> Build:
    return lambda o: L.ChainedScheduler(_children(o, specs, wrap), optimizer=o)


LINEAR = lrspec.LinearLR(start_factor=0.1, total_iters=3)
COSINE = lrspec.CosineAnnealingLR(T_max=6)


@pytest.mark.parametrize("wrap", [(False, True), (True, False), (True, True)], ids=str)
def test_warmup_then_cosine_as_in_the_issue(wrap: tuple[bool, bool]) -> None:
    # Before the fix the cosine ran 10x too low, and two SpecLRs overshot to 3x the base lr.
    native, _ = _run(_sequential([LINEAR, COSINE], [3], (False, False)), 12)
    mixed, _ = _run(_sequential([LINEAR, COSINE], [3], wrap), 12)
    assert_bit_equal(f"SequentialLR with SpecLR at {wrap}", native, mixed)
    assert max(mixed) == 0.25


def test_a_composite_spec_as_first_child() -> None:
    first = lrspec.SequentialLR(
        schedulers=[LINEAR, lrspec.ExponentialLR(gamma=0.9)], milestones=[3]
    )
    native, _ = _run(_sequential([first, COSINE], [8], (False, False)), 20)
    mixed, _ = _run(_sequential([first, COSINE], [8], (True, True)), 20)
    assert_bit_equal("composite spec first", native, mixed)


def test_a_composite_spec_cannot_be_restarted_at_a_milestone() -> None:
    chain = lrspec.ChainedScheduler(schedulers=[COSINE, lrspec.ExponentialLR(gamma=0.9)])
    with pytest.raises(NotImplementedError):  # torch raises for its own composites too
        _run(_sequential([LINEAR, chain], [3], (False, False)), 4)
    with pytest.raises(NotImplementedError, match="cannot restart a ChainedScheduler"):
        _run(_sequential([LINEAR, chain], [3], (False, True)), 4)


@pytest.mark.parametrize("where", [0, 1])
def test_a_metric_driven_specLR_is_refused_by_sequential(where: int) -> None:
    # A metric-driven SpecLR is a torch ReduceLROnPlateau: torch's own check refuses it.
    specs = [COSINE, COSINE]
    specs[where] = lrspec.ReduceLROnPlateau()
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        _run(_sequential(specs, [3], (True, True)), 4)
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        _run(_chained(specs, (True, True)), 4)


@st.composite
def _mixed_sequence(draw: st.DrawFn) -> tuple[list, list[int], list[bool]]:
    n = draw(st.integers(1, 3))
    specs = [draw(lt.leaf_specs()) for _ in range(n)]
    gaps = [draw(st.integers(1, 12)) for _ in range(n - 1)]
    milestones = [sum(gaps[: i + 1]) for i in range(n - 1)]
    wrap = [draw(st.booleans()) for _ in range(n)]
    return specs, milestones, wrap


@given(case=_mixed_sequence(), base_lr=lt.base_lrs(), kind=st.sampled_from(["sgd", "adam"]))
def test_sequential_with_any_specLR_children_equals_native(
    case: tuple[list, list[int], list[bool]], base_lr: float, kind: str
) -> None:
    specs, milestones, wrap = case
    steps = lt.step_limit(lrspec.SequentialLR(schedulers=specs, milestones=milestones), 40)
    native = _run(_sequential(specs, milestones, [False] * len(specs)), steps, base_lr, kind)
    mixed = _run(_sequential(specs, milestones, wrap), steps, base_lr, kind)
    assert_bit_equal(f"lrs, SpecLR at {wrap}", native[0], mixed[0])
    assert_bit_equal(f"momenta, SpecLR at {wrap}", native[1], mixed[1])


@given(
    specs=st.lists(lt.leaf_specs(), min_size=1, max_size=3),
    wrap=st.lists(st.booleans(), min_size=3, max_size=3),
    base_lr=lt.base_lrs(),
)
def test_chained_with_any_specLR_children_equals_native(
    specs: list[lrspec.Schedule], wrap: list[bool], base_lr: float
) -> None:
    wrap = wrap[: len(specs)]
    steps = lt.step_limit(lrspec.ChainedScheduler(schedulers=specs), 40)
    native = _run(_chained(specs, [False] * len(specs)), steps, base_lr)
    mixed = _run(_chained(specs, wrap), steps, base_lr)
    assert_bit_equal(f"lrs, SpecLR at {wrap}", native[0], mixed[0])
    assert_bit_equal(f"momenta, SpecLR at {wrap}", native[1], mixed[1])
