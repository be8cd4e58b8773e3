"""fit_regression: the tutorial's figures, spec == native torch twin, seeds, devices, checks."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest
import torch
from torch.optim import lr_scheduler as torch_lr

import lrspec
import lrspec_torch
from lrspec_torch import RegressionResult, SpecLR, fit_regression
from lrspec_torch._regression import make_data, resolve_device, tutorial_lambda, tutorial_specs

W_TRUE = [0.0, 2.0, 4.0, 6.0, 8.0]

# The tutorial's printed learning rates after 100 epochs at lr 0.25 (torch 2.13).
KNOWN_FINAL_LR = [
    (lrspec.StepLR(step_size=1, gamma=0.9), 6.640349721896886e-06),
    (lrspec.CosineAnnealingLR(T_max=100), 0.0),
    (lrspec.ExponentialLR(gamma=0.95), 0.0014801323050834992),
    (lrspec.ReduceLROnPlateau(mode="min", patience=10, factor=0.1), 2.5000000000000012e-08),
]

# The native torch scheduler of each tutorial run, written out by hand.
NATIVE: dict[str, Callable[[torch.optim.Optimizer], Any]] = {
    "StepLR": lambda opt: torch_lr.StepLR(opt, step_size=1, gamma=0.9),
    "MultiStepLR": lambda opt: torch_lr.MultiStepLR(opt, milestones=[30, 80], gamma=0.1),
    "ExponentialLR": lambda opt: torch_lr.ExponentialLR(opt, gamma=0.95),
    "CosineAnnealingLR": lambda opt: torch_lr.CosineAnnealingLR(opt, T_max=100),
    "ReduceLROnPlateau": lambda opt: torch_lr.ReduceLROnPlateau(
        opt, mode="min", patience=10, factor=0.1
    ),
    "LambdaLR": lambda opt: torch_lr.LambdaLR(opt, lr_lambda=tutorial_lambda),
}


def _cpu(spec: Any = None, **kwargs: Any) -> RegressionResult:
    return fit_regression(spec, device="cpu", **kwargs)


def _cpu_data(
    n: int, d: int, *, seed: int, noise_std: float = 0.0, noise_mean: float = 0.0, **kw: Any
) -> tuple[torch.Tensor, torch.Tensor]:
    kw.setdefault("dtype", torch.float32)
    return make_data(
        n,
        d,
        noise_std=noise_std,
        noise_mean=noise_mean,
        seed=seed,
        device=torch.device("cpu"),
        **kw,
    )


def _record(r: RegressionResult) -> tuple[Any, ...]:
    return (r.lrs, r.losses, r.weight, r.bias)


@pytest.mark.parametrize(("spec", "final_lr"), KNOWN_FINAL_LR, ids=lambda v: type(v).__name__)
def test_tutorial_final_lr_and_weights(spec: lrspec.Schedule, final_lr: float) -> None:
    result = _cpu(spec)
    assert result.final_lr == final_lr
    assert result.lrs[-1] == final_lr
    assert len(result.lrs) == len(result.losses) == 100
    assert result.weight == pytest.approx(W_TRUE, abs=0.1)
    assert abs(result.bias) < 0.1
    assert result.final_loss == pytest.approx(0.04, abs=0.01)  # noise_std**2
    assert result.name == type(spec).__name__
    assert result.spec == spec


@pytest.mark.parametrize("name", list(NATIVE))
def test_spec_equals_native_torch_scheduler(name: str) -> None:
    spec = tutorial_specs()[name]
    ours = _cpu(spec)
    native = _cpu(NATIVE[name])
    assert _record(ours) == _record(native)
    assert native.name == ours.name == name
    assert native.spec is None


def test_spec_lr_factory_is_the_same_run() -> None:
    spec = lrspec.ExponentialLR(gamma=0.95)
    via_factory = _cpu(lambda opt: SpecLR(opt, spec))
    assert _record(via_factory) == _record(_cpu(spec))
    assert via_factory.name == "ExponentialLR"


def test_to_torch_factory_is_the_same_run() -> None:
    spec = lrspec.MultiStepLR(milestones=[30, 80], gamma=0.1)
    assert _record(_cpu(lambda opt: lrspec_torch.to_torch(spec, opt))) == _record(_cpu(spec))


def test_no_scheduler_keeps_lr_constant() -> None:
    result = _cpu(None, lr=0.1, epochs=20)
    assert result.lrs == (0.1,) * 20
    assert result.name == "none"
    assert result.spec is None
    assert result.losses[-1] < result.losses[0]


def test_metric_driven_spec_sees_the_training_loss() -> None:
    # With patience 0 the lr is cut as soon as the loss stops improving by 1e-4 (rel).
    result = _cpu(lrspec.ReduceLROnPlateau(patience=0), epochs=60)
    expected = lrspec.ReduceLROnPlateau(patience=0).trace(0.25, metrics=list(result.losses))
    assert list(result.lrs) == expected[1:]


def test_same_seed_same_result_different_seed_different_data() -> None:
    spec = lrspec.CosineAnnealingLR(T_max=100)
    a, b = _cpu(spec, seed=7), _cpu(spec, seed=7)
    assert a == b
    assert _record(a) == _record(b)
    c = _cpu(spec, seed=8)
    assert c.losses != a.losses
    assert c.weight != a.weight
    x7, y7 = _cpu_data(10, 5, seed=7, noise_std=0.2)
    x8, _ = _cpu_data(10, 5, seed=8, noise_std=0.2)
    assert not torch.equal(x7, x8)
    assert x7.shape == (10, 5)
    assert y7.shape == (10, 1)


def test_seed_is_torch_manual_seed_and_global_rng_untouched() -> None:
    before = torch.get_rng_state()
    x, _ = _cpu_data(4, 3, seed=42)
    _cpu(None, epochs=2)
    assert torch.equal(torch.get_rng_state(), before)
    torch.manual_seed(42)
    assert torch.equal(x, torch.randn(4, 3))
    torch.set_rng_state(before)


def test_noise_mean_and_std_shape_the_data() -> None:
    _, y = _cpu_data(2000, 5, seed=1, noise_mean=3.0, dtype=torch.float64)
    result = _cpu(None, noise_std=0.0, noise_mean=3.0, dtype=torch.float64, epochs=200)
    assert result.bias == pytest.approx(3.0, abs=1e-6)
    assert result.final_loss < 1e-10
    assert y.dtype == torch.float64


def test_device_auto() -> None:
    result = fit_regression(None, epochs=1, n=8)
    if torch.cuda.is_available():
        assert result.device.startswith("cuda")
    elif torch.backends.mps.is_available():
        assert result.device.startswith("mps")
    else:
        assert result.device == "cpu"
    assert resolve_device("auto").type == result.device.split(":")[0]


def test_device_cpu_by_name_and_object() -> None:
    assert fit_regression(None, epochs=1, n=8, device=torch.device("cpu")).device == "cpu"
    assert fit_regression(None, epochs=1, n=8, device="cpu").device == "cpu"


UNAVAILABLE = [
    *([] if torch.cuda.is_available() else ["cuda", "cuda:0"]),
    *([] if torch.backends.mps.is_available() else ["mps"]),
    f"cuda:{torch.cuda.device_count() + 3}",
]


@pytest.mark.parametrize("device", UNAVAILABLE)
def test_unavailable_device_is_a_value_error(device: str) -> None:
    with pytest.raises(ValueError, match=rf"device '{device}' is not available.*available: cpu"):
        _ = fit_regression(None, epochs=1, device=device)


@pytest.mark.parametrize("device", ["tpu", "gpu", ""])
def test_unknown_device_name_is_a_value_error(device: str) -> None:
    with pytest.raises(ValueError, match=r"not a device name.*available here: cpu"):
        _ = fit_regression(None, epochs=1, device=device)


def test_dtypes() -> None:
    r64 = _cpu(lrspec.StepLR(step_size=10), dtype="float64", epochs=30)
    assert r64.dtype == "float64"
    assert r64.weight == pytest.approx(W_TRUE, abs=0.1)
    assert _cpu(None, dtype=torch.float64, epochs=30) == _cpu(None, dtype="double", epochs=30)
    assert _cpu(None, dtype=torch.bfloat16, epochs=3).dtype == "bfloat16"


BAD_ARGS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"n": 0}, ValueError, "n must be >= 1, got 0"),
    ({"n": -5}, ValueError, "n must be >= 1"),
    ({"n": 10.0}, TypeError, "n must be an int"),
    ({"n": True}, TypeError, "n must be an int"),
    ({"p": 0}, ValueError, "p must be >= 1, got 0"),
    ({"epochs": 0}, ValueError, "epochs must be >= 1, got 0"),
    ({"epochs": -1}, ValueError, "epochs must be >= 1"),
    ({"noise_std": -0.1}, ValueError, "noise_std must be >= 0.0, got -0.1"),
    ({"noise_std": float("nan")}, ValueError, "noise_std must be finite"),
    ({"noise_mean": float("inf")}, ValueError, "noise_mean must be finite"),
    ({"lr": 0.0}, ValueError, "lr must be > 0.0, got 0.0"),
    ({"lr": "0.1"}, TypeError, "lr must be a real number"),
    ({"seed": -1}, ValueError, "seed must be >= 0, got -1"),
    ({"dtype": "float128"}, ValueError, "dtype must be a floating dtype, got 'float128'"),
    ({"dtype": torch.int64}, ValueError, "dtype must be a floating dtype, got torch.int64"),
    ({"dtype": float}, TypeError, "dtype must be a torch.dtype or its name"),
    ({"device": 0}, TypeError, "device must be 'auto', a device name or a torch.device"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), BAD_ARGS, ids=lambda v: repr(v)[:30])
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        _ = fit_regression(None, **kwargs)


def test_bad_spec() -> None:
    with pytest.raises(TypeError, match="spec must be an lrspec spec, a callable"):
        _ = fit_regression("StepLR(step_size=1)", device="cpu")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="spec factory must return a scheduler"):
        _ = fit_regression(lambda opt: 0.1, device="cpu", epochs=1)


def test_result_is_frozen_hashable_and_json_safe() -> None:
    result = _cpu(tutorial_specs()["LambdaLR"], epochs=5)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.bias = 0.0  # type: ignore[misc]
    assert hash(result) == hash(_cpu(tutorial_specs()["LambdaLR"], epochs=5))
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["spec"] == "LambdaLR(lr_lambda=fn('tutorial_lambda'))"
    assert lrspec.parse(data["spec"]) == result.spec
    assert data["lrs"] == list(result.lrs)
    assert data["final_lr"] == result.final_lr
    assert data["w_true"] == W_TRUE
    assert data["device"] == "cpu"
    assert isinstance(result.weight, tuple)
    assert all(type(w) is float for w in result.weight)


def test_diverging_run_is_still_json_safe() -> None:
    result = _cpu(None, lr=5.0, epochs=100)  # far past 2 / (largest curvature): blows up
    assert not math.isfinite(result.losses[-1])
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["final_loss"] is None


def test_tutorial_specs_have_text_forms() -> None:
    specs = tutorial_specs()
    assert list(specs) == [
        "none",
        "StepLR",
        "MultiStepLR",
        "ExponentialLR",
        "CosineAnnealingLR",
        "ReduceLROnPlateau",
        "LambdaLR",
    ]
    for spec in specs.values():
        if spec is not None:
            assert lrspec.parse(repr(spec)) == spec
            assert lrspec.from_dict(lrspec.to_dict(spec)) == spec
