"""A corrupted SpecLR checkpoint is refused whole: ValueError, and nothing changed.

Every way of damaging a real state -- a key dropped at any depth, a value of the wrong type,
a list of the wrong length, an extra key -- must raise ValueError (or TypeError) from
``load_state_dict``, leave the scheduler's state, its ``get_last_lr()`` and the optimizer's
param groups exactly as they were, and a run continued afterwards must equal a run that
never saw the bad state.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import torch
from _torch_helpers import make_optimizer

import lrspec
from lrspec_torch import SpecLR

SPECS = [
    lrspec.MultiStepLR(milestones=[2, 5], gamma=0.5),
    lrspec.SequentialLR(
        schedulers=[lrspec.LinearLR(start_factor=0.1, total_iters=3), lrspec.StepLR(step_size=2)],
        milestones=[3],
    ),
    lrspec.OneCycleLR(max_lr=1.0, total_steps=20),
    lrspec.ReduceLROnPlateau(patience=1),
    lrspec.Join(
        schedules=[lrspec.Warmup(inner=lrspec.Constant(), steps=2), lrspec.ReduceLROnPlateau()],
        boundaries=[2],
    ),
    lrspec.warmup_cosine(3, 20),
]


def corruptions(state: Any, path: str = "") -> list[tuple[str, Any]]:
    """(where, damaged state) pairs, each state differing from ``state`` in one place."""
    out: list[tuple[str, Any]] = []
    if isinstance(state, dict):
        for key, value in state.items():
            out.append((f"{path}.{key} dropped", {k: v for k, v in state.items() if k != key}))
            for where, bad in corruptions(value, f"{path}.{key}"):
                out.append((where, {**state, key: bad}))
        out.append((f"{path} +extra", {**state, "extra": 1}))
    elif isinstance(state, list):
        out.append((f"{path} shortened", state[:-1]))
        out.append((f"{path} lengthened", [*state, state[-1] if state else 0]))
        for i, item in enumerate(state):
            for where, bad in corruptions(item, f"{path}[{i}]"):
                out.append((where, [*state[:i], bad, *state[i + 1 :]]))
    elif isinstance(state, bool):
        out.append((f"{path} -> str", "yes"))
    elif isinstance(state, (int, float)):
        out += [(f"{path} -> str", "3"), (f"{path} -> None", None), (f"{path} -> list", [1])]
    return out


def snapshot(sched: SpecLR, opt: torch.optim.Optimizer) -> Any:
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    return repr(sched.state_dict()), repr(sched.get_last_lr()), repr(groups)


def drive(sched: SpecLR, opt: torch.optim.Optimizer, spec: lrspec.Schedule, n: int) -> list:
    out = []
    for i in range(n):
        opt.step()
        if spec.metric_driven:
            sched.step(1.0 + (i % 3 == 0))
        else:
            sched.step()
        out.append(opt.param_groups[0]["lr"])
    return out


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: type(s).__name__)
def test_a_corrupted_state_is_refused_and_changes_nothing(spec: lrspec.Schedule) -> None:
    saved_opt = make_optimizer(groups=2)
    saved = SpecLR(saved_opt, spec)
    drive(saved, saved_opt, spec, 6)
    good = saved.state_dict()

    opt = make_optimizer(groups=2)
    sched = SpecLR(opt, spec)
    drive(sched, opt, spec, 2)
    reference_opt = make_optimizer(groups=2)
    reference = SpecLR(reference_opt, spec)
    drive(reference, reference_opt, spec, 2)
    before = snapshot(sched, opt)

    cases = corruptions(copy.deepcopy(good))
    refused = 0
    for where, bad in cases:
        try:
            sched.load_state_dict(bad)
        except (ValueError, TypeError):
            refused += 1
            assert snapshot(sched, opt) == before, f"changed by a refused state ({where})"
        else:  # a damage that is still a valid state (e.g. a number changed): start over
            opt = make_optimizer(groups=2)
            sched = SpecLR(opt, spec)
            drive(sched, opt, spec, 2)
    assert refused >= len(cases) // 2, (refused, len(cases))
    # refused states left no trace: the run goes on as one that never saw them
    assert drive(sched, opt, spec, 5) == drive(reference, reference_opt, spec, 5)


def test_a_missing_last_lr_is_named_and_applies_no_milestone() -> None:
    spec = lrspec.MultiStepLR(milestones=[2], gamma=0.1)
    opt = make_optimizer(groups=1)
    sched = SpecLR(opt, spec)
    state = sched.state_dict()
    del state["last_lr"]
    lr = opt.param_groups[0]["lr"]
    with pytest.raises(ValueError, match=r"missing \['last_lr'\]"):
        sched.load_state_dict(state)
    assert opt.param_groups[0]["lr"] == lr
