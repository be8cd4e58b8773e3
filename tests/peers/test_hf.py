"""``lrspec.from_hf`` against HF transformers' schedulers, running live on a real torch optimizer.

For each ``transformers.get_scheduler`` name, generated configs (every keyword HF's function
for it takes, each sometimes left at HF's default) are built twice: by HF, stepping
``torch.optim.SGD`` on one parameter with ``lr=base_lr`` (the lr right after construction,
then after each ``optimizer.step(); scheduler.step()``), and by
``lrspec.from_hf(name, ...).trace(base_lr, N)``. Window: steps ``0 .. num_training_steps``;
``num_warmup_steps + num_stable_steps + num_decay_steps`` for ``warmup_stable_decay`` without
``num_training_steps``; a generated horizon (up to 10^4) for ``constant``,
``constant_with_warmup`` and ``inverse_sqrt``, which need no ``num_training_steps``.

Tolerance: relative 1e-12, with an absolute floor of 1e-15 * base_lr -- a few ulps of the peak.
The floor is for values HF reaches by cancellation near 0 (``1 - (D - 1) / D``, a cosine at its
trough): their relative error is that of the operands, not of the result, so they cannot be
compared relatively. Where a cosine has ``num_cycles`` waves, its argument carries
``num_cycles`` times the rounding (``num_cycles * progress`` before ``% 1`` or ``cos``), so the
floor is ``1e-15 * base_lr * max(1, |num_cycles|)`` there. Nothing else is loosened, with one
documented deviation: at an exact restart of ``cosine_with_restarts`` (a step where
``num_cycles * (t - W) / D`` is a whole number), HF's ``(num_cycles * progress) % 1.0`` can
round to just below 1 (first at ``num_cycles = 22``; ``49 * (1 / 49)`` is
``0.9999999999999999``) and HF misses the restart by one step there, giving ~0. ``from_hf``
restarts at the exact step. At those steps (found with exact rational arithmetic and HF's own
float expression) the test asserts exactly that: lrspec at the peak, HF at the trough.

``reduce_lr_on_plateau`` is metric-driven: HF's scheduler (torch's ``ReduceLROnPlateau``) and
``lrspec_torch.SpecLR(optimizer, from_hf(...))`` are stepped with the same generated metric
stream and must write the same lrs, bit for bit (lrspec's twin is torch-exact).

Also: HF's documented quirks inside the window, pinned live on HF (``cosine_warmup_with_min_lr``
starts at ``1 / W``, reaches its floor one step early and swings back up at ``N``;
``cosine_with_restarts`` restarts hard and is 0 at ``N``) and then against ``from_hf``; every
name HF knows is mapped or refused with a ValueError naming it; bad inputs raise naming the
argument.

transformers (with torch) comes from the ``peers`` dependency group. Locally, without it, this
module is skipped with the reason shown; under ``CI=true`` a missing package fails instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from _hf_harness import (
    CURVES,
    Case,
    _sgd,
    _warmups,
    assert_matches_hf,
    hf_missed_restarts,
)
from _peers import hf
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR

# --- strategies -------------------------------------------------------------------------------


@st.composite
def _lengths(draw: st.DrawFn, low: int = 1) -> int:
    """Decay lengths / horizons: mostly 1-300 (``low``..``low+2`` as edges), 1 in 6 long (to 9800).

    Stepping HF's scheduler 10^4 times costs ~0.15 s: a few long examples, many short ones.
    """
    if draw(st.integers(0, 5), label="long") == 5:
        return draw(st.one_of(st.just(9_800), st.integers(1_000, 9_800)))
    return draw(st.one_of(st.sampled_from([low, low + 1, low + 2]), st.integers(low, 300)))


def _fractions() -> st.SearchStrategy[float]:
    """A ratio in [0, 1], with 0, 0.1, 0.5 and 1 as edges."""
    return st.one_of(st.sampled_from([0.0, 0.1, 0.5, 1.0]), st.floats(0.0, 1.0))


def _float_cycles() -> st.SearchStrategy[float]:
    """HF's float ``num_cycles``: 0.5 (the default) and other waves, 0 and negative included."""
    return st.one_of(
        st.sampled_from([0.5, 0.25, 1.0, 1.5, 2.0, 0.0, -0.5]),
        st.floats(0.01, 5.0),
        st.floats(-20.0, 20.0),
    )


def _maybe(
    draw: st.DrawFn, kwargs: dict[str, Any], key: str, values: st.SearchStrategy[Any]
) -> None:
    """Set ``kwargs[key]`` to a drawn value, or leave it out (HF's default)."""
    if draw(st.booleans()):
        kwargs[key] = draw(values, label=key)


@st.composite
def _decaying(draw: st.DrawFn, name: str) -> Case:
    """linear / cosine / cosine_with_restarts / polynomial / cosine_*min_lr, N > W."""
    base_lr = draw(lt.base_lrs(), label="base_lr")
    warmup = draw(_warmups(), label="num_warmup_steps")
    decay = draw(_lengths(), label="decay")
    kwargs: dict[str, Any] = {}
    pass_base_lr = draw(st.booleans(), label="pass_base_lr")
    if name in ("cosine", "cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        _maybe(draw, kwargs, "num_cycles", _float_cycles())
    if name == "cosine_with_restarts":
        cycles = st.one_of(st.sampled_from([1, 2, 3]), st.integers(1, 60), st.floats(0.3, 8.0))
        _maybe(draw, kwargs, "num_cycles", cycles)
        if draw(st.booleans(), label="restarts on whole steps"):
            c = kwargs.get("num_cycles", 1)
            if isinstance(c, int):
                decay = c * max(1, decay // c)  # restarts at whole steps j * decay / c
    if name == "polynomial":
        pass_base_lr = True  # lr_end (default 1e-7) is an absolute lr
        if draw(st.booleans()):
            kwargs["lr_end"] = (
                draw(st.one_of(st.just(0.0), st.floats(0.0, 0.999)), label="lr_end/base_lr")
                * base_lr
            )
        powers = st.one_of(st.sampled_from([1.0, 2.0, 0.5, 3.0]), st.floats(0.01, 20.0))
        _maybe(draw, kwargs, "power", powers)
    if name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        if draw(st.booleans(), label="absolute min_lr"):
            kwargs["min_lr"] = draw(_fractions(), label="min_lr/base_lr") * base_lr
            pass_base_lr = True
        else:
            kwargs["min_lr_rate"] = draw(
                st.one_of(_fractions(), st.floats(0.0, 5.0)), label="min_lr_rate"
            )
    if name == "cosine_warmup_with_min_lr":
        _maybe(draw, kwargs, "warmup_lr_rate", _fractions())
    return Case(name, base_lr, warmup + decay, warmup, warmup + decay, kwargs, pass_base_lr)


@st.composite
def _flat(draw: st.DrawFn, name: str) -> Case:
    """constant / constant_with_warmup / inverse_sqrt, over a generated horizon.

    HF (and its Trainer) may pass num_training_steps to these; HF ignores it, so does lrspec.
    """
    base_lr = draw(lt.base_lrs(), label="base_lr")
    kwargs: dict[str, Any] = {}
    warmup = draw(st.one_of(st.none(), _warmups()) if name == "constant" else _warmups())
    horizon = (warmup or 0) + draw(_lengths(low=0), label="horizon")
    training = draw(st.one_of(st.none(), st.integers((warmup or 0) + 1, 10_000)))
    if name == "inverse_sqrt":
        _maybe(
            draw,
            kwargs,
            "timescale",
            st.one_of(st.sampled_from([1, 10_000, 10**9]), st.integers(1, 20_000)),
        )
    pass_base_lr = draw(st.booleans(), label="pass_base_lr")
    return Case(name, base_lr, horizon, warmup, training, kwargs, pass_base_lr)


@st.composite
def _wsd(draw: st.DrawFn) -> Case:
    """warmup_stable_decay: the stable phase from num_training_steps, given, or both."""
    base_lr = draw(lt.base_lrs(), label="base_lr")
    warmup = draw(_warmups(), label="num_warmup_steps")
    decay = draw(st.one_of(st.sampled_from([0, 1, 2]), _lengths()), label="num_decay_steps")
    stable = draw(st.one_of(st.sampled_from([0, 1]), st.integers(0, 300)), label="stable")
    kwargs: dict[str, Any] = {"num_decay_steps": decay}
    for key in ("warmup_type", "decay_type"):
        _maybe(draw, kwargs, key, st.sampled_from(["linear", "cosine", "1-sqrt"]))
    _maybe(draw, kwargs, "min_lr_ratio", _fractions())
    _maybe(draw, kwargs, "num_cycles", _float_cycles())
    how = draw(st.sampled_from(["training", "stable", "both"]), label="phases from")
    training: int | None = warmup + stable + decay
    window = warmup + stable + decay
    if how != "training":
        kwargs["num_stable_steps"] = stable
        training = None
    if how == "both":  # HF uses num_stable_steps; the window is num_training_steps
        training = draw(st.integers(warmup + 1, window + 300), label="num_training_steps")
        window = training
    if window == 0:  # nothing to trace: look a few steps past the (empty) schedule
        window = draw(st.integers(1, 5), label="window")
    pass_base_lr = draw(st.booleans(), label="pass_base_lr")
    return Case("warmup_stable_decay", base_lr, window, warmup, training, kwargs, pass_base_lr)


CASES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    "linear": lambda: _decaying("linear"),
    "cosine": lambda: _decaying("cosine"),
    "cosine_with_restarts": lambda: _decaying("cosine_with_restarts"),
    "polynomial": lambda: _decaying("polynomial"),
    "constant": lambda: _flat("constant"),
    "constant_with_warmup": lambda: _flat("constant_with_warmup"),
    "inverse_sqrt": lambda: _flat("inverse_sqrt"),
    "cosine_with_min_lr": lambda: _decaying("cosine_with_min_lr"),
    "cosine_warmup_with_min_lr": lambda: _decaying("cosine_warmup_with_min_lr"),
    "warmup_stable_decay": _wsd,
}


# --- HF itself: the harness and the quirks from_hf must reproduce -------------------------------


def test_the_harness_reads_hf_lrs_from_the_optimizer() -> None:
    # a known config, so a harness reading the wrong lr cannot pass vacuously
    lrs = Case("linear", 2.0, 7, 2, 6).hf()
    assert lrs == [0.0, 1.0, 2.0, 1.5, 1.0, 0.5, 0.0, 0.0]


def test_hf_names_are_the_scheduler_functions() -> None:
    names = {t.value for t in hf.SchedulerType}
    assert names == {t.value for t in hf.TYPE_TO_SCHEDULER_FUNCTION}
    assert {*CURVES, "reduce_lr_on_plateau"} <= names


def test_hf_cosine_warmup_with_min_lr_quirks() -> None:
    # (t + 1) / W from step 0; the floor at N - 1, not N; back up at N
    lrs = Case("cosine_warmup_with_min_lr", 1.0, 20, 4, 20, {"min_lr_rate": 0.1}).hf()
    assert lrs[:4] == [0.25, 0.5, 0.75, 1.0]
    assert lrs[19] == pytest.approx(0.1, abs=1e-15)
    assert lrs[19] < lrs[18]
    assert lrs[20] > lrs[19] + 1e-3


def test_hf_cosine_with_restarts_quirks() -> None:
    # hard restarts at j * D / num_cycles (back to the peak), exactly 0 at N
    lrs = Case("cosine_with_restarts", 1.0, 103, 3, 103, {"num_cycles": 4}).hf()
    assert [lrs[3 + 25 * j] for j in range(4)] == [1.0] * 4
    assert all(lrs[2 + 25 * j] < 0.01 for j in range(1, 4))
    assert lrs[103] == 0.0


def test_hf_cosine_with_restarts_rounding_at_a_restart() -> None:
    # D = num_cycles = 49: every step is a restart (period 1), but HF's
    # (num_cycles * progress) % 1.0 is 49 * (1 / 49) % 1.0 = 0.9999999999999999 at step 1 (and
    # just below 1 at steps 2 and 4), where HF's cosine gives 0.0 instead of the peak
    lrs = Case("cosine_with_restarts", 1.0, 49, 0, 49, {"num_cycles": 49}).hf()
    assert 49 * (1 / 49) % 1.0 == 0.9999999999999999
    assert lrs[:6] == [1.0, 0.0, 0.0, 1.0, 0.0, 1.0]


# --- from_hf against HF -------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
@given(data=st.data())
def test_from_hf_trace_is_hf(name: str, data: st.DataObject) -> None:
    assert_matches_hf(data.draw(CASES[name](), label="case"))


@pytest.mark.parametrize(
    "case",
    [
        Case("cosine_warmup_with_min_lr", 1.0, 20, 4, 20, {"min_lr_rate": 0.1}),
        Case("cosine_warmup_with_min_lr", 0.3, 50, 0, 50, {"min_lr": 0.01}, pass_base_lr=True),
        Case("cosine_warmup_with_min_lr", 1.0, 30, 5, 30, {"min_lr_rate": 0.0, "num_cycles": 1.5}),
        Case(
            "cosine_warmup_with_min_lr", 2.0, 40, 6, 40, {"min_lr_rate": 0.2, "warmup_lr_rate": 0.3}
        ),
        Case(
            "cosine_warmup_with_min_lr", 1.0, 12, 1, 12, {"min_lr_rate": 0.5, "warmup_lr_rate": 0.0}
        ),
        Case("cosine_with_restarts", 1.0, 103, 3, 103, {"num_cycles": 4}),
        Case("cosine_with_restarts", 0.5, 110, 10, 110, {"num_cycles": 3}),  # D / 3 not whole
        Case("cosine_with_restarts", 1.0, 17, 0, 17, {"num_cycles": 2.5}),
    ],
    ids=repr,
)
def test_from_hf_reproduces_hf_quirks(case: Case) -> None:
    assert_matches_hf(case)


@pytest.mark.parametrize(
    "case",
    [
        Case("cosine_with_restarts", 1.0, 49, 0, 49, {"num_cycles": 49}),
        Case("cosine_with_restarts", 1.0, 22, 0, 22, {"num_cycles": 22}),
        Case("cosine_with_restarts", 1.0, 117, 7, 117, {"num_cycles": 22}),  # step 82
    ],
    ids=repr,
)
def test_from_hf_cosine_with_restarts_at_hf_rounded_restarts(case: Case) -> None:
    # where HF's % 1.0 rounds an exact restart to just below 1 (HF's own values pinned in
    # test_hf_cosine_with_restarts_rounding_at_a_restart), lrspec restarts at the exact step
    # (documented in from_hf); every other step is HF's
    assert hf_missed_restarts(case)
    assert_matches_hf(case)


@given(
    spec=lt.reduce_lr_on_plateau(),
    keep=st.sets(st.sampled_from([f.name for f in attrs.fields(lrspec.ReduceLROnPlateau)])),
    base_lr=lt.base_lrs(),
    metrics=lt.metric_streams(max_size=120),
    trainer_style=st.booleans(),
)
def test_reduce_lr_on_plateau_steps_like_hf(
    spec: lrspec.ReduceLROnPlateau,
    keep: set[str],
    base_lr: float,
    metrics: list[float],
    trainer_style: bool,
) -> None:
    kwargs = {k: v for k, v in attrs.asdict(spec).items() if k in keep}  # the rest: defaults
    steps = {"num_warmup_steps": 3, "num_training_steps": 50} if trainer_style else {}
    ours = lrspec.from_hf("reduce_lr_on_plateau", **steps, **kwargs)
    assert ours == lrspec.ReduceLROnPlateau(**kwargs)
    opt, opt2 = _sgd(base_lr), _sgd(base_lr)
    theirs = hf.get_scheduler(
        "reduce_lr_on_plateau", opt, scheduler_specific_kwargs=kwargs, **steps
    )
    mine = SpecLR(opt2, ours)
    want, got = [opt.param_groups[0]["lr"]], [opt2.param_groups[0]["lr"]]
    for metric in metrics:
        opt.step()
        theirs.step(metric)
        opt2.step()
        mine.step(metric)
        want.append(opt.param_groups[0]["lr"])
        got.append(opt2.param_groups[0]["lr"])
    assert all(lt.same_float(g, w) for g, w in zip(got, want, strict=True)), (kwargs, got, want)
    assert ours.trace(base_lr, metrics=metrics) == got
