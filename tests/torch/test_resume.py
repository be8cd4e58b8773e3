"""Checkpoint and resume with SpecLR: the resumed run is the uninterrupted run, bit for bit.

A run trains ``n`` steps uninterrupted. A separate run trains ``k`` steps and saves
``{"model", "opt", "sched"}``; a fresh model, optimizer and SpecLR load it -- optimizer state
first, scheduler state first, or SpecLR built only after the optimizer is loaded -- and train
on to ``n``. The param groups after every remaining step (lr, momentum / betas, every key a
scheduler adds), ``get_last_lr()`` and the final weights must equal the uninterrupted run's.
In process for many generated configs (through ``torch.save`` / ``torch.load(weights_only=
True)`` on a buffer), and in a new Python process for every class (the spec travelling as
``repr`` text, read with ``lrspec.parse``). Then torch's own StepLR resume quirk, which
SpecLR does not have, and the checkpoint format's errors.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import _resume_worker as rw
import pytest
import torch
from _torch_helpers import any_spec, make_optimizer
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR, UncheckpointableWarning, to_torch

#: Steps per generated run (each case trains about 2 n steps, at ~1 ms a step).
MAX_STEPS = 30


def spec_text(spec: lrspec.Schedule) -> str:
    text = repr(spec)
    assert lrspec.parse(text) == spec, f"repr does not parse back: {text}"
    return text


@st.composite
def resume_case(
    draw: st.DrawFn, spec: lrspec.Schedule | None = None, order: str | None = None
) -> dict[str, Any]:
    """A plain-data case for :mod:`_resume_worker` (``ckpt`` is added by the caller)."""
    if spec is None:
        spec = draw(any_spec(), label="spec")
    specs = [spec]
    n_groups = draw(st.sampled_from([1, 1, 2]), label="param groups")
    if n_groups == 2 and draw(st.booleans(), label="one spec per group"):
        specs.append(draw(any_spec(metric_driven=spec.metric_driven), label="spec of group 1"))
    cap = MAX_STEPS
    if not spec.metric_driven:
        cap = min(lt.step_limit(s, MAX_STEPS) for s in specs)
    n = draw(st.integers(min(1, cap), cap), label="n")
    k = draw(lt.steps(n, spec=spec), label="k (checkpoint)")
    metrics = None
    if spec.metric_driven and draw(st.booleans(), label="generated metrics (else the loss)"):
        metrics = draw(lt.metric_streams(n, n), label="metrics")
    return {
        "spec": [spec_text(s) for s in specs] if len(specs) > 1 else spec_text(spec),
        "kind": draw(st.sampled_from(["sgd", "adam"]), label="optimizer"),
        "lrs": draw(st.lists(lt.base_lrs(), min_size=n_groups, max_size=n_groups), label="lrs"),
        "momenta": [0.9] * n_groups,
        "tensor_lr": draw(st.booleans(), label="tensor lr"),
        "n": n,
        "k": k,
        "metrics": metrics,
        "order": order or draw(st.sampled_from(rw.ORDERS), label="load order"),
    }


def beta1_below_one(case: dict[str, Any]) -> dict[str, Any]:
    """Adam divides by ``1 - beta1**t``: a cyclic spec writing beta1 = 1 breaks torch's Adam.

    Such cases switch to SGD, where momentum 1 is fine.
    """
    if case["kind"] == "adam" and "momentum=1.0" in str(case["spec"]):
        return {**case, "kind": "sgd"}
    return case


def is_plain(value: Any) -> bool:
    """Only dicts with str keys, lists, str, numbers, bool, None and tensors."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool, torch.Tensor))


# --- in process: many generated configs ---------------------------------------------------


@settings(deadline=None)
@given(case=resume_case().map(beta1_below_one))
def test_resume_in_process_continues_the_uninterrupted_run(case: dict[str, Any]) -> None:
    expected = rw.uninterrupted(case)
    ckpt = rw.checkpoint(case)
    assert is_plain(ckpt["sched"]), ckpt["sched"]
    rw.assert_resumed(case, expected, rw.resume(case, rw.save_load(ckpt)))


# --- in a new process: every class ------------------------------------------------------


def resume_in_new_process(cases: list[dict[str, Any]], run_python: Callable[..., str]) -> None:
    """Checkpoint every case here, resume them all in one worker process, compare."""
    for case, (want, got) in zip(cases, rw.in_new_process(cases, run_python), strict=True):
        rw.assert_resumed(case, want, got)


@st.composite
def one_case_per_class(draw: st.DrawFn) -> list[dict[str, Any]]:
    cases = []
    for i, name in enumerate(lt.TWIN_STRATEGIES):
        spec = draw(lt.TWIN_STRATEGIES[name](), label=name)
        order = rw.ORDERS[i % len(rw.ORDERS)]
        cases.append(beta1_below_one(draw(resume_case(spec, order), label=f"{name} case")))
    return cases


def generated_cases_for_every_class(batches: int) -> list[dict[str, Any]]:
    """``batches`` generated cases of each class, Hypothesis used as a generator only.

    Starting a Python process with torch takes seconds, so the new-process test ships all its
    cases to one worker; a failure names the case (no shrinking).
    """
    cases: list[dict[str, Any]] = []

    @settings(deadline=None, max_examples=batches, phases=[Phase.generate], database=None)
    @given(batch=one_case_per_class())
    def collect(batch: list[dict[str, Any]]) -> None:
        cases.extend(batch)

    collect()
    return cases


def known_case(spec: lrspec.Schedule | list[lrspec.Schedule], **kw: Any) -> dict[str, Any]:
    specs = spec if isinstance(spec, list) else [spec]
    n_groups = kw.pop("n_groups", len(specs))
    case = {
        "spec": [spec_text(s) for s in specs] if isinstance(spec, list) else spec_text(spec),
        "kind": "sgd",
        "lrs": [0.1, 0.3][:n_groups],
        "momenta": [0.9] * n_groups,
        "tensor_lr": False,
        "n": 12,
        "k": 4,
        "metrics": None,
    }
    return {**case, **kw}


KNOWN_CASES = [
    # torch's StepLR decays twice when resumed with last_epoch at a boundary (k = 4).
    known_case(lrspec.StepLR(step_size=2, gamma=0.5)),
    known_case(lrspec.MultiStepLR(milestones=[4, 6], gamma=0.5), tensor_lr=True),
    known_case(lrspec.OneCycleLR(max_lr=1.0, total_steps=12), kind="adam", k=11),
    known_case(lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=3), kind="adam", k=5),
    known_case(
        lrspec.SequentialLR(
            schedulers=[
                lrspec.LinearLR(start_factor=0.1, total_iters=4),
                lrspec.SWALR(swa_lr=0.05),
            ],
            milestones=[4],
        ),
        n_groups=2,
    ),
    known_case(
        lrspec.ReduceLROnPlateau(patience=1, factor=0.5), metrics=[1.0] * 12, tensor_lr=True
    ),
    known_case(
        [lrspec.LambdaLR(lr_lambda=lt.warmup10), lrspec.CosineAnnealingWarmRestarts(T_0=3)],
        k=0,
    ),
    known_case(
        lrspec.ChainedScheduler(
            schedulers=[
                lrspec.ConstantLR(factor=0.1, total_iters=5),
                lrspec.MultiplicativeLR(lr_lambda=lt.factor99),
            ]
        ),
        k=12,
    ),
]


def test_resume_in_a_new_process(run_python: Callable[..., str]) -> None:
    """Known cases in all three load orders, then generated cases of every class."""
    known = [{**case, "order": order} for case in KNOWN_CASES for order in rw.ORDERS]
    generated = generated_cases_for_every_class(6)
    first_specs = [c["spec"][0] if isinstance(c["spec"], list) else c["spec"] for c in generated]
    assert {type(lrspec.parse(text)).__name__ for text in first_specs} == set(lt.TWIN_STRATEGIES)
    resume_in_new_process(known + generated, run_python)


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        (
            lrspec.ChainedScheduler(
                schedulers=[lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=3)]
            ),
            "sgd",
        ),
        (
            lrspec.SequentialLR(
                schedulers=[
                    lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=3),
                    lrspec.StepLR(step_size=2),
                ],
                milestones=[8],
            ),
            "adam",
        ),
        (
            lrspec.ChainedScheduler(schedulers=[lrspec.OneCycleLR(max_lr=0.1, total_steps=12)]),
            "sgd",
        ),
    ],
    ids=["Chained(Cyclic)-sgd", "Sequential(Cyclic,Step)-adam", "Chained(OneCycle)-sgd"],
)
def test_resume_restores_momentum_cycled_inside_a_composite(
    spec: lrspec.Schedule, kind: str
) -> None:
    """SpecLR built after ``optimizer.load_state_dict()`` resets momentum (the cyclic
    constructor's side effect); ``load_state_dict`` must restore it at any nesting depth, or
    the first resumed optimizer step uses the wrong momentum.
    """
    case = known_case(spec, kind=kind, k=5, order="scheduler_built_after_load")
    rw.assert_resumed(
        case, rw.uninterrupted(case), rw.resume(case, rw.save_load(rw.checkpoint(case)))
    )


# --- torch's StepLR resume quirk ----------------------------------------------------------


def test_torch_steplr_decays_twice_on_resume_but_speclr_does_not() -> None:
    """torch-semantics.md §0: ``StepLR(..., last_epoch=3)`` on a restored optimizer re-applies
    the decay at epoch 4. SpecLR restored from its state_dict continues exactly.
    """
    spec = lrspec.StepLR(step_size=2, gamma=0.5)
    expected = spec.trace(0.1, 8)  # 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, ...

    def trained(make: Callable[[torch.optim.Optimizer], Any]) -> tuple[Any, Any]:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        sched = make(opt)
        for _ in range(4):
            opt.step()
            sched.step()
        return opt, sched

    # torch, live: uninterrupted it is at 0.025 after 4 steps ...
    opt, sched = trained(lambda o: to_torch(spec, o))
    assert sched.get_last_lr() == [expected[4]] == [0.025]
    # ... resumed with last_epoch (the constructor's own resume path) it is at 0.0125.
    opt2 = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    opt2.load_state_dict(rw.save_load(opt.state_dict()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch may warn about resuming with last_epoch
        resumed = torch.optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5, last_epoch=3)
    assert resumed.get_last_lr() == [0.0125] != [expected[4]]
    assert opt2.param_groups[0]["lr"] == 0.0125

    # SpecLR, same protocol: optimizer restored, scheduler built, its state loaded.
    opt, sched = trained(lambda o: SpecLR(o, spec))
    state = rw.save_load({"opt": opt.state_dict(), "sched": sched.state_dict()})
    opt3 = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    opt3.load_state_dict(state["opt"])
    ours = SpecLR(opt3, spec)
    ours.load_state_dict(state["sched"])
    seen = [ours.get_last_lr()[0]]
    for _ in range(4):
        opt3.step()
        ours.step()
        seen.append(ours.get_last_lr()[0])
    assert seen == expected[4:]
    assert ours.last_epoch == 8


# --- the checkpoint format -----------------------------------------------------------------


def unregistered(epoch: float) -> float:
    return 0.5


@pytest.mark.parametrize(
    "spec",
    [
        lrspec.LambdaLR(lr_lambda=lambda epoch: 0.5),
        lrspec.MultiplicativeLR(lr_lambda=unregistered),
        lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, scale_fn=unregistered),
        lrspec.SequentialLR(
            schedulers=[lrspec.StepLR(step_size=1), lrspec.LambdaLR(lr_lambda=unregistered)],
            milestones=[2],
        ),
    ],
    ids=["lambda", "function", "scale_fn", "nested"],
)
def test_state_dict_with_an_unregistered_function_is_a_value_error(spec: lrspec.Schedule) -> None:
    opt = make_optimizer()
    # Told when the scheduler is built, not only at the first checkpoint hours later.
    with pytest.warns(UncheckpointableWarning, match=r"cannot be checkpointed.*register_function"):
        sched = SpecLR(opt, spec)
    opt.step()
    sched.step()  # such a spec runs; only saving it fails
    with pytest.raises(ValueError, match=r"not registered.*register_function"):
        sched.state_dict()


@pytest.mark.parametrize("tensor_lr", [False, True], ids=["float_lr", "tensor_lr"])
@pytest.mark.parametrize(
    "spec",
    [
        lrspec.LambdaLR(lr_lambda=lt.decay95),
        lrspec.OneCycleLR(max_lr=1.0, total_steps=10, three_phase=True),
        lrspec.SequentialLR(
            schedulers=[
                lrspec.ChainedScheduler(
                    schedulers=[lrspec.ExponentialLR(gamma=0.9), lrspec.ConstantLR()]
                ),
                lrspec.CosineAnnealingWarmRestarts(T_0=2, T_mult=2),
            ],
            milestones=[3],
        ),
        lrspec.ReduceLROnPlateau(patience=0),
    ],
    ids=["LambdaLR", "OneCycleLR", "Sequential(Chained)", "ReduceLROnPlateau"],
)
def test_state_dict_is_plain_data_and_survives_weights_only_load(
    spec: lrspec.Schedule, tensor_lr: bool
) -> None:
    opt = make_optimizer(torch.tensor(0.1) if tensor_lr else 0.1, groups=2)
    sched = SpecLR(opt, spec)

    def step() -> None:
        if spec.metric_driven:
            sched.step(1.0)
        else:
            sched.step()

    for _ in range(5):
        opt.step()
        step()
    state = sched.state_dict()
    assert is_plain(state), state
    loaded = rw.save_load(state)
    assert rw.canon(loaded) == rw.canon(state)
    # The saved state is a copy: stepping on does not change it.
    opt.step()
    step()
    assert rw.canon(state) == rw.canon(loaded)
    # Loading it back rewinds the scheduler to where it was saved.
    sched.load_state_dict(loaded)
    assert rw.canon(sched.state_dict()) == rw.canon(state)


@pytest.mark.parametrize(
    ("saved", "loading"),
    [
        (lrspec.StepLR(step_size=3), lrspec.StepLR(step_size=2)),
        (lrspec.StepLR(step_size=2), lrspec.ExponentialLR(gamma=0.5)),
        (lrspec.ReduceLROnPlateau(), lrspec.ReduceLROnPlateau(patience=3)),
        ([lrspec.StepLR(step_size=2)] * 2, [lrspec.StepLR(step_size=2), lrspec.ConstantLR()]),
    ],
    ids=["argument", "class", "plateau", "per-group"],
)
def test_loading_a_state_saved_for_another_spec_is_a_value_error(saved: Any, loading: Any) -> None:
    n_groups = len(saved) if isinstance(saved, list) else 1
    state = rw.save_load(SpecLR(make_optimizer(groups=n_groups), saved).state_dict())
    sched = SpecLR(make_optimizer(groups=n_groups), loading)
    with pytest.raises(ValueError, match="saved for specs"):
        sched.load_state_dict(state)


def test_loading_a_state_saved_for_another_number_of_groups_is_a_value_error() -> None:
    state = SpecLR(make_optimizer(groups=2), lrspec.StepLR(step_size=2)).state_dict()
    with pytest.raises(ValueError, match=r"one entry per param group \(1\)"):
        SpecLR(make_optimizer(groups=1), lrspec.StepLR(step_size=2)).load_state_dict(state)


@pytest.mark.parametrize(
    "state",
    [
        torch.optim.lr_scheduler.StepLR(make_optimizer(), step_size=2).state_dict(),
        {},
        {"version": 99},
        None,
    ],
    ids=["torch StepLR state", "empty", "future version", "None"],
)
def test_loading_something_else_is_a_value_error(state: Any) -> None:
    with pytest.raises(ValueError, match="SpecLR state"):
        SpecLR(make_optimizer(), lrspec.StepLR(step_size=2)).load_state_dict(state)
