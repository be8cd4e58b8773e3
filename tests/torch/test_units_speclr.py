"""SpecLR with specs written in time units: it resolves them, saves what it resolved, and on a
resume with other quantities continues at the saved step on the new resolution (warning)."""

from __future__ import annotations

import pytest
import torch
from _torch_helpers import make_optimizer
from hypothesis import given, settings
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR

WRITTEN = lrspec.SequentialLR(
    schedulers=[
        lrspec.LinearLR(start_factor=0.1, total_iters="1ep"),
        lrspec.CosineAnnealingLR(T_max="0.75dur"),
    ],
    milestones=["1ep"],
)


def _run(sched: SpecLR, opt: torch.optim.Optimizer, steps: int) -> list[float]:
    out = []
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr()[0])
    return out


def test_speclr_resolves_and_equals_the_resolved_spec_bit_for_bit() -> None:
    opt = make_optimizer(0.1)
    sched = SpecLR(opt, WRITTEN, steps_per_epoch=42, accumulation=2, total_steps=84)
    resolved = lrspec.resolve(WRITTEN, steps_per_epoch=42, accumulation=2, total_steps=84)
    assert sched.spec == resolved and sched.written_specs == [WRITTEN]
    assert resolved.milestones == (21,) and resolved.schedulers[1].T_max == 63
    assert [0.1 * 0.1, *_run(sched, opt, 90)] == resolved.trace(0.1, 90)


def test_speclr_without_the_quantities_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"schedulers\[1\]\.T_max is Fraction\(0\.75\)"):
        SpecLR(make_optimizer(), WRITTEN, steps_per_epoch=10)
    with pytest.raises(ValueError, match=r"SpecLR\(optimizer, spec, steps_per_epoch=\.\.\."):
        SpecLR(make_optimizer(), WRITTEN)


def test_the_state_holds_the_written_spec_the_resolved_one_and_the_quantities() -> None:
    sched = SpecLR(make_optimizer(), WRITTEN, steps_per_epoch=10, total_steps=40)
    state = sched.state_dict()
    assert state["specs"] == [lrspec.to_dict(WRITTEN)]
    assert state["specs"][0]["milestones"] == ["1ep"]
    assert lrspec.from_dict(state["resolved"][0]) == sched.spec
    assert state["resolution"] == {"steps_per_epoch": 10, "total_steps": 40, "accumulation": 1}


def _checkpoint(total: int, steps: int) -> tuple[dict, dict]:
    opt = make_optimizer(0.1)
    sched = SpecLR(opt, WRITTEN, steps_per_epoch=10, total_steps=total)
    _run(sched, opt, steps)
    return opt.state_dict(), sched.state_dict()


def test_resume_with_the_same_quantities_is_exact_and_silent() -> None:
    opt_state, state = _checkpoint(40, 17)
    opt = make_optimizer(0.1)
    sched = SpecLR(opt, WRITTEN, steps_per_epoch=10, total_steps=40)
    opt.load_state_dict(opt_state)
    sched.load_state_dict(state)  # warnings are errors: none is raised
    spec = lrspec.resolve(WRITTEN, steps_per_epoch=10, total_steps=40)
    assert _run(sched, opt, 10) == spec.trace(0.1, 27)[18:]


@pytest.mark.parametrize("new_total", [80, 24])
def test_resume_with_a_new_total_continues_the_new_schedule_at_the_same_step(
    new_total: int,
) -> None:
    """The documented policy: the lr at the resumed step n is the new resolution's lr at n."""
    opt_state, state = _checkpoint(40, 17)
    opt = make_optimizer(0.1)
    sched = SpecLR(opt, WRITTEN, steps_per_epoch=10, total_steps=new_total)
    opt.load_state_dict(opt_state)
    message = rf"resumes at step 17 on a new resolution \(total_steps 40 -> {new_total}\)"
    with pytest.warns(UserWarning, match=message):
        sched.load_state_dict(state)
    new = lrspec.resolve(WRITTEN, steps_per_epoch=10, total_steps=new_total)
    expected = new.trace(0.1, 30)
    assert sched.last_epoch == 17
    assert sched.get_last_lr() == [expected[17]] == [opt.param_groups[0]["lr"]]
    assert _run(sched, opt, 13) == expected[18:]


def test_resume_when_only_an_unused_quantity_changed_is_exact_and_silent() -> None:
    spec = lrspec.Cosine(total_steps="0.5dur")
    opt = make_optimizer(0.1)
    sched = SpecLR(opt, spec, steps_per_epoch=10, total_steps=40)
    _run(sched, opt, 5)
    state = sched.state_dict()
    again = SpecLR(make_optimizer(0.1), spec, steps_per_epoch=99, total_steps=40)
    again.load_state_dict(state)
    assert again.last_epoch == 5 and again.get_last_lr() == sched.get_last_lr()


def test_a_state_saved_before_units_existed_loads() -> None:
    spec = lrspec.StepLR(step_size=3, gamma=0.5)
    opt = make_optimizer(0.1)
    sched = SpecLR(opt, spec)
    _run(sched, opt, 4)
    state = sched.state_dict()
    del state["resolved"], state["resolution"]
    again = SpecLR(make_optimizer(0.1), spec)
    again.load_state_dict(state)
    assert again.get_last_lr() == sched.get_last_lr()


def test_a_different_written_spec_is_still_refused() -> None:
    _, state = _checkpoint(40, 3)
    other = lrspec.Cosine(total_steps="1dur")
    with pytest.raises(ValueError, match="state_dict was saved for specs"):
        SpecLR(make_optimizer(), other, total_steps=40).load_state_dict(state)


@settings(deadline=None)
@given(
    case=lt.written_in_units(st.one_of(lt.cosine(), lt.linear(), lt.join(), lt.multistep_lr())),
    base_lr=lt.base_lrs(),
)
def test_speclr_on_a_written_spec_equals_the_spec_in_steps(case: tuple, base_lr: float) -> None:
    spec, written, quantities = case
    opt = make_optimizer(base_lr)
    sched = SpecLR(opt, written, **quantities)
    assert sched.spec == spec
    assert [opt.param_groups[0]["lr"], *_run(sched, opt, 20)] == spec.trace(base_lr, 20)
