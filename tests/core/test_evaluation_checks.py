"""Evaluation-time checks: bad ``lr`` / ``trace`` / ``momentum`` arguments, epoch kinds.

Each bad call raises ``TypeError`` (wrong type) or ``ValueError`` (bad value) with a message
that names the argument and shows the offending value's ``repr``.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from _core_helpers import names

import lrspec
from lrspec import (
    SWALR,
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

NAN = float("nan")
INF = float("inf")


# --- evaluation-time checks -----------------------------------------------------------------

EVAL_SPECS = [
    StepLR(step_size=3, gamma=0.5),
    MultiStepLR(milestones=[2, 4]),
    ConstantLR(factor=0.5, total_iters=2),
    LinearLR(start_factor=0.25, total_iters=4),
    ExponentialLR(gamma=0.9),
    PolynomialLR(total_iters=6, power=2.0),
    CosineAnnealingLR(T_max=5, eta_min=0.01),
    LambdaLR(lr_lambda=lambda e: 1 / (e + 1)),
    MultiplicativeLR(lr_lambda=lambda e: 0.9),
    ChainedScheduler(schedulers=[ConstantLR(factor=0.5), ExponentialLR(gamma=0.9)]),
    SequentialLR(schedulers=[LinearLR(total_iters=2), CosineAnnealingLR(T_max=4)], milestones=[2]),
    CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=3),
    OneCycleLR(max_lr=1.0, total_steps=20),
    CosineAnnealingWarmRestarts(T_0=3, T_mult=2),
    SWALR(swa_lr=0.05, anneal_epochs=3),
]
EVAL_IDS = [type(s).__name__ for s in EVAL_SPECS]


def test_eval_specs_cover_every_non_metric_class() -> None:
    covered = {type(s) for s in EVAL_SPECS}
    assert covered == {c for c in lrspec.TORCH_TWINS if not c.metric_driven}


# (call, exception, pattern): each call is made on every spec in EVAL_SPECS
EVAL_CASES = [
    ("lr", (-1, 1.0), ValueError, names("epoch", -1)),
    ("lr", (-0.5, 1.0), ValueError, names("epoch", -0.5)),
    ("lr", (NAN, 1.0), ValueError, names("epoch", NAN)),
    ("lr", (INF, 1.0), ValueError, names("epoch", INF)),
    ("lr", ("3", 1.0), TypeError, names("epoch", "3")),
    ("lr", (True, 1.0), TypeError, names("epoch", True)),
    ("lr", (None, 1.0), TypeError, names("epoch", None)),
    ("lr", ([1, 2], 1.0), TypeError, names("epoch", [1, 2])),
    ("lr", (np.array([0, -1]), 1.0), ValueError, r"^epoch\b.*-1\.0"),
    ("lr", (np.array([0.0, NAN]), 1.0), ValueError, r"^epoch\b.*nan"),
    ("lr", (1, -0.5), ValueError, names("base_lr", -0.5)),
    ("lr", (1, NAN), ValueError, names("base_lr", NAN)),
    ("lr", (1, INF), ValueError, names("base_lr", INF)),
    ("lr", (1, "0.1"), TypeError, names("base_lr", "0.1")),
    ("lr", (1, True), TypeError, names("base_lr", True)),
    ("lr", (1, None), TypeError, names("base_lr", None)),
    ("trace", (1.0, -1), ValueError, names("steps", -1)),
    ("trace", (1.0, 2.0), TypeError, names("steps", 2.0)),
    ("trace", (1.0, True), TypeError, names("steps", True)),
    ("trace", (1.0, "3"), TypeError, names("steps", "3")),
    ("trace", (1.0, None), TypeError, r"needs steps"),
    ("trace", (-1.0, 3), ValueError, names("base_lr", -1.0)),
    ("trace", (NAN, 3), ValueError, names("base_lr", NAN)),
    ("trace", ("1", 3), TypeError, names("base_lr", "1")),
]


@pytest.mark.parametrize("spec", EVAL_SPECS, ids=EVAL_IDS)
@pytest.mark.parametrize(
    ("method", "args", "exc", "pattern"),
    EVAL_CASES,
    ids=[f"{m}{a!r}" for m, a, _, _ in EVAL_CASES],
)
def test_bad_evaluation_argument(
    spec: lrspec.Schedule, method: str, args: tuple, exc: type, pattern: str
) -> None:
    with pytest.raises(exc, match=pattern) as info:
        getattr(spec, method)(*args)
    assert type(info.value) is exc


@pytest.mark.parametrize("spec", EVAL_SPECS, ids=EVAL_IDS)
def test_trace_refuses_metrics_for_a_non_metric_spec(spec: lrspec.Schedule) -> None:
    with pytest.raises(TypeError, match=re.escape("not metric-driven")) as info:
        spec.trace(1.0, 3, metrics=[1.0, 2.0, 3.0])
    assert "metrics=[1.0, 2.0, 3.0]" in str(info.value)


SCALAR_EPOCHS = [3.0, np.int64(3), np.float64(3.0), np.array(3), np.array(3.0)]


def _epoch_kind_cases() -> list[Any]:
    cases = []
    for spec, spec_id in zip(EVAL_SPECS, EVAL_IDS, strict=True):
        for epoch in SCALAR_EPOCHS:
            cases.append(pytest.param(spec, epoch, id=f"{spec_id}-{epoch!r}"))
    return cases


@pytest.mark.parametrize(("spec", "epoch"), _epoch_kind_cases())
def test_lr_accepts_scalar_epochs_of_every_kind(spec: lrspec.Schedule, epoch: Any) -> None:
    got = spec.lr(epoch, np.float64(1.0))
    assert np.shape(got) == ()
    assert float(got) == pytest.approx(spec.lr(3, 1.0), rel=1e-12)


@pytest.mark.parametrize("spec", EVAL_SPECS, ids=EVAL_IDS)
@pytest.mark.parametrize(
    "epochs",
    [
        np.arange(12),
        np.arange(12, dtype=np.int32),
        np.arange(12, dtype=np.uint8),
        np.arange(12, dtype=np.float64),
        np.arange(12, dtype=np.float64).reshape(3, 4),
        np.array([], dtype=np.float64),
    ],
    ids=["int64", "int32", "uint8", "float64", "2-d", "empty"],
)
def test_lr_on_arrays_is_elementwise_and_leaves_the_input_alone(
    spec: lrspec.Schedule, epochs: np.ndarray
) -> None:
    before = epochs.copy()
    got = spec.lr(epochs, 1.0)
    np.testing.assert_array_equal(epochs, before)
    assert epochs.dtype == before.dtype
    assert np.shape(got) == epochs.shape
    expected = [spec.lr(int(e), 1.0) for e in epochs.reshape(-1)]
    np.testing.assert_allclose(np.reshape(got, -1), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("spec", EVAL_SPECS, ids=EVAL_IDS)
def test_lr_accepts_numpy_and_int_base_lr(spec: lrspec.Schedule) -> None:
    assert spec.lr(2, np.float64(0.5)) == spec.lr(2, 0.5) == spec.lr(2, Fraction(1, 2))
    assert spec.trace(np.float32(0.5), np.int64(2)) == spec.trace(0.5, 2)
    assert spec.lr(2, 1) == spec.lr(2, 1.0)


REPLAYED = [  # specs whose lr has no closed form and replays torch's steps
    MultiplicativeLR(lr_lambda=lambda e: 0.5),
    ChainedScheduler(schedulers=[CosineAnnealingLR(T_max=3), ExponentialLR(gamma=0.5)]),
    SequentialLR(schedulers=[StepLR(step_size=1), SWALR(swa_lr=0.1)], milestones=[2]),
]


@pytest.mark.parametrize("spec", REPLAYED, ids=lambda s: type(s).__name__)
def test_replayed_lr_needs_integral_epochs(spec: lrspec.Schedule) -> None:
    with pytest.raises(ValueError, match=r"integer epochs.*1\.5"):
        spec.lr(1.5, 1.0)
    with pytest.raises(ValueError, match="integer epochs"):
        spec.lr(np.array([1.0, 1.5]), 1.0)
    assert spec.lr(2.0, 1.0) == spec.trace(1.0, 2)[-1]


class TestReduceLROnPlateau:
    spec = ReduceLROnPlateau(patience=0)

    def test_lr_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match=r"metric-driven.*trace\(base_lr, metrics="):
            self.spec.lr(3, 1.0)

    @pytest.mark.parametrize("args", [(1.0,), (1.0, 3)], ids=repr)
    def test_trace_without_metrics(self, args: tuple) -> None:
        with pytest.raises(TypeError, match=r"metric-driven.*metrics=\[\.\.\.\]"):
            self.spec.trace(*args)

    def test_trace_with_mismatched_steps(self) -> None:
        with pytest.raises(ValueError, match=r"^steps\b.*steps=2.*3 metrics"):
            self.spec.trace(1.0, 2, metrics=[1.0, 2.0, 3.0])

    @pytest.mark.parametrize(
        ("steps", "exc"), [(-1, ValueError), (2.0, TypeError), (True, TypeError)], ids=repr
    )
    def test_trace_with_bad_steps(self, steps: object, exc: type) -> None:
        with pytest.raises(exc, match=names("steps", steps)):
            self.spec.trace(1.0, steps, metrics=[1.0, 2.0])

    @pytest.mark.parametrize(
        ("metrics", "shown"),
        [("123", "123"), (5, 5), (3.0, 3.0), ([1.0, None], None), ([1.0, "x"], "x")],
        ids=repr,
    )
    def test_trace_with_bad_metrics(self, metrics: object, shown: object) -> None:
        with pytest.raises(TypeError, match=names("metrics", shown)):
            self.spec.trace(1.0, metrics=metrics)

    @pytest.mark.parametrize(
        ("base_lr", "exc"), [(-1.0, ValueError), (NAN, ValueError), ("1", TypeError)], ids=repr
    )
    def test_trace_with_bad_base_lr(self, base_lr: object, exc: type) -> None:
        with pytest.raises(exc, match=names("base_lr", base_lr)):
            self.spec.trace(base_lr, metrics=[1.0])

    def test_good_metrics_are_accepted(self) -> None:
        expected = [1.0, 1.0, 0.1, 0.1]
        assert self.spec.trace(1.0, metrics=[3.0, 4.0, 2.0]) == expected
        assert self.spec.trace(1.0, 3, metrics=[3.0, 4.0, 2.0]) == expected
        assert self.spec.trace(1, metrics=np.array([3, 4, 2])) == expected
        assert self.spec.trace(1.0, metrics=(m for m in [3.0, 4.0, 2.0])) == expected
        assert self.spec.trace(1.0, metrics=[]) == [1.0]

    def test_string_metrics_are_rejected(self) -> None:
        with pytest.raises(TypeError, match=names("metrics", "1.5")):
            self.spec.trace(1.0, metrics=["1.5"])


class TestOneCycleBounds:
    spec = OneCycleLR(max_lr=1.0, total_steps=10)

    def test_trace_up_to_total_steps_is_allowed(self) -> None:
        assert len(self.spec.trace(0.0, 10)) == 11
        assert len(self.spec.trace_momentum(10)) == 11
        assert self.spec.lr(10, 0.0) == pytest.approx(self.spec.trace(0.0, 10)[-1], rel=1e-9)

    def test_trace_beyond_total_steps(self) -> None:
        with pytest.raises(ValueError, match=r"^steps\b.*total_steps \(10\).*11"):
            self.spec.trace(0.0, 11)
        with pytest.raises(ValueError, match=r"^steps\b.*11"):
            self.spec.trace_momentum(11)

    def test_epochs_times_steps_bound_trace(self) -> None:
        spec = OneCycleLR(max_lr=1.0, epochs=2, steps_per_epoch=5)
        with pytest.raises(ValueError, match=r"^steps\b.*\(10\).*11"):
            spec.trace(0.0, 11)

    @pytest.mark.parametrize("epoch", [11, 10.5, np.array([0, 11]), np.int64(11)], ids=repr)
    def test_lr_beyond_total_steps(self, epoch: Any) -> None:
        with pytest.raises(ValueError, match=r"^epoch\b.*total_steps \(10\)"):
            self.spec.lr(epoch, 0.0)
        with pytest.raises(ValueError, match=r"^epoch\b.*total_steps \(10\)"):
            self.spec.momentum(epoch)


MOMENTUM_OFF = [
    CyclicLR(base_lr=0.1, max_lr=1.0, cycle_momentum=False),
    OneCycleLR(max_lr=1.0, total_steps=10, cycle_momentum=False),
]


@pytest.mark.parametrize("spec", MOMENTUM_OFF, ids=lambda s: type(s).__name__)
def test_momentum_needs_cycle_momentum(spec: lrspec.MomentumSchedule) -> None:
    with pytest.raises(ValueError, match=re.escape("cycle_momentum=False")):
        spec.momentum(1)
    with pytest.raises(ValueError, match=re.escape("cycle_momentum=False")):
        spec.trace_momentum(3)
    # the lr itself still works
    assert len(spec.trace(0.1, 3)) == 4


@pytest.mark.parametrize(
    "spec",
    [CyclicLR(base_lr=0.1, max_lr=1.0), OneCycleLR(max_lr=1.0, total_steps=10)],
    ids=lambda s: type(s).__name__,
)
@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda s: s.momentum(-1), ValueError, names("epoch", -1)),
        (lambda s: s.momentum(NAN), ValueError, names("epoch", NAN)),
        (lambda s: s.momentum("1"), TypeError, names("epoch", "1")),
        (lambda s: s.trace_momentum(-1), ValueError, names("steps", -1)),
        (lambda s: s.trace_momentum(1.5), TypeError, names("steps", 1.5)),
        (lambda s: s.trace_momentum(True), TypeError, names("steps", True)),
    ],
    ids=[
        "momentum(-1)",
        "momentum(nan)",
        "momentum('1')",
        "trace(-1)",
        "trace(1.5)",
        "trace(True)",
    ],
)
def test_bad_momentum_argument(
    spec: lrspec.MomentumSchedule, call: Any, exc: type, pattern: str
) -> None:
    with pytest.raises(exc, match=pattern):
        call(spec)


@pytest.mark.parametrize(
    "epoch",
    [
        np.array(["1"]),
        np.array(["a"]),
        np.array([True, False]),
        np.array([1 + 0j]),
        np.array(["2020-01-01"], dtype="datetime64[D]"),
    ],
    ids=lambda e: str(e.dtype),
)
def test_non_numeric_array_epoch_is_a_type_error(epoch: np.ndarray) -> None:
    with pytest.raises(TypeError, match=r"^epoch\b"):
        StepLR(step_size=2).lr(epoch, 1.0)


def test_huge_int_epoch_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^epoch\b"):
        StepLR(step_size=2).lr(10**400, 1.0)


@pytest.mark.parametrize(
    "spec",
    [
        ChainedScheduler(schedulers=[ConstantLR(factor=0.5, total_iters=2), StepLR(step_size=2)]),
        SequentialLR(
            schedulers=[LinearLR(total_iters=2), CosineAnnealingLR(T_max=4)], milestones=[2]
        ),
    ],
    ids=lambda s: type(s).__name__,
)
def test_composites_of_closed_forms_take_fractional_epochs(spec: lrspec.Schedule) -> None:
    assert min(spec.lr(2.0, 1.0), spec.lr(3.0, 1.0)) <= spec.lr(2.5, 1.0)
    assert spec.lr(2.5, 1.0) <= max(spec.lr(2.0, 1.0), spec.lr(3.0, 1.0))
    assert spec.lr(3.0, 1.0) == pytest.approx(spec.trace(1.0, 3)[-1], rel=1e-12)
