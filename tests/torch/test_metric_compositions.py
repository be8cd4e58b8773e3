"""ReduceLROnPlateau inside Join / Warmup / Product / Clip, against a hand-written loop.

torch cannot express these (its SequentialLR and ChainedScheduler refuse ReduceLROnPlateau,
pytorch#68978), so the oracle is a plain loop written here, segment by segment, that runs
torch's own ``ReduceLROnPlateau`` on a real SGD optimizer wherever the composition holds a
plateau, and ``spec.lr`` for every part with a closed form:

* ``Join``: child ``i`` starts at its boundary ``b`` as a fresh scheduler (its initial lr),
  then steps with the metrics of steps ``b + 1, ...``;
* ``Warmup``: the ramp towards the inner spec's initial factor, then the inner spec from
  step ``steps`` on, fresh there;
* ``Product``: every child on factors (an optimizer with lr 1.0), multiplied onto the base;
* ``Clip``: the inner lr, bounded.

Compositions are generated (nested, plateaus anywhere); ``trace(base_lr, metrics=...)``,
``iter_trace`` and ``SpecLR.step(metric)`` on a real optimizer must all equal the loop bit
for bit, and a checkpoint taken mid-run resumes exactly, in a fresh process too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import _resume_worker as rw
import pytest
import torch
from _torch_helpers import bits, torch_plateau_lrs
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec.functional import warmup_ramp
from lrspec.testing import metric_compositions as compositions
from lrspec_torch import SpecLR

#: Steps per generated run.
MAX_STEPS = 60


# --- the oracle: a plain loop per combinator, torch's ReduceLROnPlateau live -----------------


def loop(spec: lrspec.Schedule, base: float, metrics: list[float]) -> list[float]:
    """The lrs at steps ``0 .. len(metrics)``; ``metrics[k - 1]`` is the metric of step k."""
    n = len(metrics)
    if isinstance(spec, lrspec.ReduceLROnPlateau):
        return torch_plateau_lrs(spec, base, metrics)
    if not spec.metric_driven:
        return [spec.lr(t, base) for t in range(n + 1)]
    if isinstance(spec, lrspec.Join):
        out: list[float] = []
        starts = (0, *spec.boundaries)
        ends = (*spec.boundaries, None)
        for child, start, end in zip(spec.schedules, starts, ends, strict=True):
            if start > n:
                break
            last = n if end is None else min(end - 1, n)
            # fresh at ``start``; the steps start + 1 .. last bring metrics[start .. last - 1]
            out += loop(child, base, metrics[start:last])
        return out
    if isinstance(spec, lrspec.Warmup):
        assert spec.prefix
        target = loop(spec.inner, 1.0, [])[0]
        w = spec.steps
        ramp = [
            base * warmup_ramp(t / w, start=spec.start_factor, target=target, kind=spec.kind)
            for t in range(min(w, n + 1))
        ]
        return ramp + (loop(spec.inner, base, metrics[w:]) if n >= w else [])
    if isinstance(spec, lrspec.Product):
        columns = [loop(child, 1.0, metrics) for child in spec.schedules]
        out = []
        for t in range(n + 1):
            value = base
            for column in columns:
                value = value * column[t]
            out.append(value)
        return out
    if isinstance(spec, lrspec.Clip):
        high = None if spec.max_factor is None else spec.max_factor * base
        out = []
        for value in loop(spec.inner, base, metrics):
            value = max(value, spec.min_factor * base)
            out.append(value if high is None else min(value, high))
        return out
    raise AssertionError(f"no loop for {spec!r}")


# --- generated compositions (the strategy lives in lrspec.testing) ---------------------------


def metric_streams() -> st.SearchStrategy[list[float]]:
    return st.integers(0, MAX_STEPS).flatmap(lambda n: lt.metric_streams(n, n))


# --- the tests ----------------------------------------------------------------------------


@settings(deadline=None)
@given(spec=compositions(), metrics=metric_streams(), base=lt.base_lrs())
def test_trace_equals_the_hand_written_loop(
    spec: lrspec.Schedule, metrics: list[float], base: float
) -> None:
    assert spec.metric_driven and not spec.closed_form
    expected = loop(spec, base, metrics)
    assert spec.trace(base, metrics=metrics) == expected, spec
    assert list(spec.iter_trace(base, metrics=iter(metrics))) == expected


@settings(deadline=None, max_examples=30)
@given(spec=compositions(), metrics=metric_streams(), base=lt.base_lrs())
def test_speclr_steps_it_on_a_real_optimizer(
    spec: lrspec.Schedule, metrics: list[float], base: float
) -> None:
    opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=base, momentum=0.9)
    sched = SpecLR(opt, spec)
    seen = [sched.get_last_lr()[0]]
    for m in metrics:
        opt.step()
        sched.step(m)
        seen.append(opt.param_groups[0]["lr"])
    assert seen == spec.trace(base, metrics=metrics)


def test_warmup_then_plateau_is_the_loop_users_write_by_hand() -> None:
    """The issue's example, against the loop a torch user writes today."""
    base, w = 0.5, 5
    spec = lrspec.Join(
        schedules=[
            lrspec.Warmup(inner=lrspec.Constant(), steps=w),
            lrspec.ReduceLROnPlateau(patience=2),
        ],
        boundaries=[w],
    )
    metrics = [1.0] * 20
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    warm = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: t / w)
    lrs = [opt.param_groups[0]["lr"]]
    plateau = None
    for step, m in enumerate(metrics, start=1):
        opt.step()
        if step < w:
            warm.step()
        elif step == w:
            opt.param_groups[0]["lr"] = base
            plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2)
        else:
            assert plateau is not None
            plateau.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    assert spec.trace(base, metrics=metrics) == lrs
    assert lrs[w] == base and lrs[w + 3] == base and lrs[w + 4] == pytest.approx(base * 0.1)


# --- resume ---------------------------------------------------------------------------------


@st.composite
def resume_case(draw: st.DrawFn) -> dict[str, Any]:
    """A plain-data case for ``_resume_worker.py`` (``ckpt`` is added by the caller)."""
    spec = draw(compositions(depth=1), label="spec")
    n = draw(st.integers(1, 30), label="n")
    text = repr(spec)
    assert lrspec.parse(text) == spec
    return {
        "spec": text,
        "kind": draw(st.sampled_from(["sgd", "adam"]), label="optimizer"),
        "lrs": [draw(lt.base_lrs(), label="lr")],
        "momenta": [0.9],
        "tensor_lr": draw(st.booleans(), label="tensor lr"),
        "n": n,
        "k": draw(st.integers(0, n), label="k (checkpoint)"),
        "metrics": draw(st.one_of(st.none(), lt.metric_streams(n, n)), label="metrics"),
        "order": draw(st.sampled_from(rw.ORDERS), label="load order"),
    }


def generated_cases(count: int) -> list[dict[str, Any]]:
    """``count`` generated cases, Hypothesis used as a generator only (one worker process)."""
    cases: list[dict[str, Any]] = []

    @settings(deadline=None, max_examples=count, phases=[Phase.generate], database=None)
    @given(case=resume_case())
    def collect(case: dict[str, Any]) -> None:
        cases.append(case)

    collect()
    return cases


@settings(deadline=None, max_examples=25)
@given(case=resume_case())
def test_resume_in_process_is_exact(case: dict[str, Any]) -> None:
    seen, weights = rw.uninterrupted(case)
    got, got_weights = rw.resume(case, rw.save_load(rw.checkpoint(case)))
    assert got == seen[case["k"] :], case
    for a, b in zip(weights, got_weights, strict=True):
        assert torch.equal(bits(a), bits(b)), case


def test_resume_mid_plateau_in_a_new_process_is_exact(run_python: Callable[..., str]) -> None:
    cases = generated_cases(12)
    for case, ((seen, weights), (got, got_weights)) in zip(
        cases, rw.in_new_process(cases, run_python), strict=True
    ):
        assert got == seen[case["k"] :], case
        for a, b in zip(weights, got_weights, strict=True):
            assert torch.equal(bits(a), bits(b)), case
