"""``Schedule.iter_trace``: ``trace`` streamed, bit for bit, in constant memory."""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Iterator
from itertools import islice
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import _base
from lrspec import testing as lt


def _same(fast: list[float], slow: list[float]) -> None:
    assert len(fast) == len(slow)
    for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
        assert lt.same_float(a, b), f"step {i}: {a!r} != {b!r}"


@pytest.mark.parametrize("chunk", [_base._CHUNK, 1, 7])
@given(data=st.data())
def test_iter_trace_equals_trace(chunk: int, data: st.DataObject) -> None:
    spec = data.draw(lt.specs(metric_driven=False), label="spec")
    base_lr = data.draw(lt.base_lrs(), label="base_lr")
    steps = data.draw(lt.steps(spec=spec), label="steps")
    # small chunks put chunk edges on every kind of step (milestones, troughs, restarts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_base, "_CHUNK", chunk)
        stream = spec.iter_trace(base_lr, steps)
        assert isinstance(stream, Iterator)
        values = list(stream)
    _same(values, spec.trace(base_lr, steps))


@given(spec=lt.specs(metric_driven=False), base_lr=lt.base_lrs())
def test_unbounded_streams_run_until_the_schedule_stops(
    spec: lrspec.Schedule, base_lr: float
) -> None:
    limit = lt.step_limit(spec, 400)
    values = list(islice(spec.iter_trace(base_lr), 402))
    if limit < 400:  # a OneCycleLR ends it (also inside a composite)
        _same(values, spec.trace(base_lr, limit))
    else:
        _same(values[:401], spec.trace(base_lr, 400))


def test_one_cycle_stops_at_total_steps() -> None:
    spec = lrspec.OneCycleLR(max_lr=0.1, total_steps=2500)
    _same(list(spec.iter_trace(0.0)), spec.trace(0.0, 2500))
    chained = lrspec.ChainedScheduler(schedulers=[lrspec.ExponentialLR(gamma=0.99), spec])
    _same(list(chained.iter_trace(0.1)), chained.trace(0.1, 2500))


def test_past_the_end_raises_where_trace_raises() -> None:
    one = lrspec.OneCycleLR(max_lr=0.1, total_steps=10)
    with pytest.raises(ValueError, match=r"steps must be <= total_steps \(10\)"):
        one.iter_trace(0.1, 11)  # checked at the call, as trace does
    spec = lrspec.SequentialLR(schedulers=[lrspec.ExponentialLR(gamma=0.9), one], milestones=[5])
    with pytest.raises(ValueError, match="Tried to step") as traced:
        spec.trace(0.1, 16)
    stream = spec.iter_trace(0.1, 16)
    head = list(islice(stream, 16))
    _same(head, spec.trace(0.1, 15))
    with pytest.raises(ValueError) as streamed:
        next(stream)
    assert str(streamed.value) == str(traced.value)


def _fails_at_5(epoch: int) -> float:
    if epoch == 5:
        raise ValueError("user function failed at 5")
    return 1.0


def test_an_unbounded_stream_does_not_swallow_other_errors() -> None:
    spec = lrspec.LambdaLR(lr_lambda=_fails_at_5)
    stream = spec.iter_trace(0.1)
    assert list(islice(stream, 5)) == [0.1] * 5
    with pytest.raises(ValueError, match="user function failed at 5"):
        next(stream)


@pytest.mark.parametrize(
    "spec",
    [
        lrspec.CosineAnnealingLR(T_max=300_000, eta_min=1e-5),
        lrspec.SequentialLR(
            schedulers=[
                lrspec.LinearLR(start_factor=0.01, total_iters=10_000),
                lrspec.CosineAnnealingLR(T_max=990_000),
            ],
            milestones=[10_000],
        ),
        lrspec.LambdaLR(lr_lambda=lt.inverse_time),
    ],
    ids=["cosine", "warmup+cosine", "lambda"],
)
def test_a_million_steps_in_constant_memory(spec: lrspec.Schedule) -> None:
    steps = 1_000_000
    tracemalloc.start()
    try:
        total = 0.0
        count = 0
        for value in spec.iter_trace(0.1, steps):
            total += value
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == steps + 1 and math.isfinite(total)
    # a trace would hold ~32 MB here (a list of 1e6 floats); a stream holds one chunk
    assert peak < 512 * 1024, f"peak {peak} bytes"


def test_cosine_trace_keeps_only_its_output() -> None:
    spec = lrspec.CosineAnnealingLR(T_max=1000)
    steps = 100_000
    tracemalloc.start()
    try:
        values = spec.trace(0.1, steps)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(values) == steps + 1
    # the output list (8 B a slot, ~24 B a float) and no precomputed cosines beside it
    assert peak < 40 * (steps + 1)


# --- metric-driven specs stream their metrics ----------------------------------------------


@given(spec=lt.reduce_lr_on_plateau(), base_lr=lt.base_lrs(), metrics=lt.metric_streams())
def test_plateau_streams_any_iterable_of_metrics(
    spec: lrspec.ReduceLROnPlateau, base_lr: float, metrics: list[float]
) -> None:
    expected = spec.trace(base_lr, metrics=metrics)
    _same(list(spec.iter_trace(base_lr, metrics=iter(metrics))), expected)
    _same(list(spec.iter_trace(base_lr, len(metrics), metrics=metrics)), expected)


def test_plateau_stream_errors() -> None:
    spec = lrspec.ReduceLROnPlateau(patience=1)
    with pytest.raises(TypeError, match=r"metric-driven: call iter_trace\(base_lr, metrics="):
        spec.iter_trace(0.1, 3)
    with pytest.raises(TypeError, match="metrics must be a sequence of numbers"):
        spec.iter_trace(0.1, metrics=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="steps must equal len"):
        spec.iter_trace(0.1, 2, metrics=[1.0, 2.0, 3.0])
    stream = spec.iter_trace(0.1, 5, metrics=iter([1.0, 2.0]))
    assert list(islice(stream, 3)) == [0.1, 0.1, 0.1]
    with pytest.raises(ValueError, match="steps must equal len"):
        next(stream)
    bad = spec.iter_trace(0.1, metrics=iter([1.0, "x"]))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="metrics must contain only numbers, got 'x' at index 1"):
        list(bad)


# --- arguments are checked at the call, with trace's messages ------------------------------

_COSINE = lrspec.CosineAnnealingLR(T_max=10)


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        (("0.1", 3), {}, TypeError),
        ((-1.0, 3), {}, ValueError),
        ((math.nan, 3), {}, ValueError),
        ((0.1, -1), {}, ValueError),
        ((0.1, 2.5), {}, TypeError),
        ((0.1, True), {}, TypeError),
        ((0.1, 3), {"metrics": [1.0]}, TypeError),
    ],
)
def test_arguments_fail_at_the_call_like_trace(
    args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error) as traced:
        _COSINE.trace(*args, **kwargs)
    with pytest.raises(error) as streamed:
        _COSINE.iter_trace(*args, **kwargs)  # no next(): the call itself raises
    assert str(streamed.value) == str(traced.value).replace("trace(", "iter_trace(")
