"""The tutorial's experiment: fit a linear regression with full-batch SGD under a schedule.

:func:`fit_regression` runs the same training loop for an lrspec spec (through
:class:`~lrspec_torch.SpecLR`), for a native torch scheduler (through a factory), or for no
scheduler at all, so that runs can be compared value for value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import torch
from torch import nn

import lrspec
from lrspec_torch._scheduler import SpecLR

# The tutorial's runs are defined once, torch-free, in lrspec_torch._tutorial (re-exported).
from lrspec_torch._tutorial import tutorial_lambda as tutorial_lambda
from lrspec_torch._tutorial import tutorial_specs as tutorial_specs

#: A callable building a native torch scheduler on the optimizer it is given.
SchedulerFactory = Callable[[torch.optim.Optimizer], Any]

_DTYPES: dict[str, torch.dtype] = {
    "float16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float": torch.float32,
    "float64": torch.float64,
    "double": torch.float64,
}


def _float_tuple(values: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@attrs.frozen(kw_only=True)
class RegressionResult:
    """What :func:`fit_regression` returns: the run's settings and its per-epoch record.

    ``lrs[k]`` is the lr in effect after epoch ``k``'s scheduler step (so ``lrs[-1]`` is
    torch's ``get_last_lr()[0]`` at the end); ``losses[k]`` is the mean squared error of
    epoch ``k``, computed before that epoch's update (the value back-propagated, as the
    tutorial prints it). ``weight`` and ``bias`` are the fitted parameters. Sequences are
    tuples of Python floats, so a result is immutable, hashable and comparable by value.
    """

    name: str
    spec: lrspec.Schedule | None
    device: str
    dtype: str
    n: int
    p: int
    epochs: int
    lr: float
    seed: int
    noise_std: float
    noise_mean: float
    lrs: tuple[float, ...] = attrs.field(converter=_float_tuple)
    losses: tuple[float, ...] = attrs.field(converter=_float_tuple)
    weight: tuple[float, ...] = attrs.field(converter=_float_tuple)
    bias: float

    @property
    def final_lr(self) -> float:
        """The lr after the last epoch: torch's ``get_last_lr()[0]``."""
        return self.lrs[-1]

    @property
    def final_loss(self) -> float:
        """The loss of the last epoch (computed before its update)."""
        return self.losses[-1]

    @property
    def w_true(self) -> tuple[float, ...]:
        """The weights the data was generated with: ``i / 0.5`` for ``i`` in ``range(p)``."""
        return true_weight(self.p)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (non-finite floats become ``None``; the spec is its text form)."""
        return {
            "name": self.name,
            "spec": None if self.spec is None else repr(self.spec),
            "device": self.device,
            "dtype": self.dtype,
            "n": self.n,
            "p": self.p,
            "epochs": self.epochs,
            "lr": self.lr,
            "seed": self.seed,
            "noise_std": self.noise_std,
            "noise_mean": self.noise_mean,
            "final_lr": _finite(self.final_lr),
            "final_loss": _finite(self.final_loss),
            "weight": [_finite(w) for w in self.weight],
            "bias": _finite(self.bias),
            "w_true": list(self.w_true),
            "lrs": [_finite(v) for v in self.lrs],
            "losses": [_finite(v) for v in self.losses],
        }


def true_weight(p: int) -> tuple[float, ...]:
    """The tutorial's true weights: ``[i / 0.5 for i in range(p)]``."""
    return tuple(i / 0.5 for i in range(p))


# --- argument checks ---------------------------------------------------------------------------


def _check_int(name: str, value: object, *, ge: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < ge:
        raise ValueError(f"{name} must be >= {ge}, got {value!r}")
    return value


def _check_real(
    name: str, value: object, *, gt: float | None = None, ge: float | None = None
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if gt is not None and not out > gt:
        raise ValueError(f"{name} must be > {gt}, got {value!r}")
    if ge is not None and not out >= ge:
        raise ValueError(f"{name} must be >= {ge}, got {value!r}")
    return out


def resolve_dtype(dtype: object) -> torch.dtype:
    """A floating torch dtype from a ``torch.dtype`` or its name (``"float64"``, ``"half"``)."""
    if isinstance(dtype, str):
        try:
            return _DTYPES[dtype.removeprefix("torch.")]
        except KeyError:
            raise ValueError(
                f"dtype must be a floating dtype, got {dtype!r} (known: {', '.join(_DTYPES)})"
            ) from None
    if not isinstance(dtype, torch.dtype):
        raise TypeError(
            f"dtype must be a torch.dtype or its name, got {dtype!r} ({type(dtype).__name__})"
        )
    if not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating dtype, got {dtype}")
    return dtype


def available_devices() -> list[str]:
    """The devices this process can train on: ``cpu``, each ``cuda:i``, ``mps``."""
    out = ["cpu"]
    if torch.cuda.is_available():
        out += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        out.append("mps")
    return out


def resolve_device(device: object) -> torch.device:
    """``"auto"`` → cuda, else mps, else cpu; a named device must be available here.

    Raises ValueError naming the device and the available ones when it is unknown or absent.
    """
    if isinstance(device, str) and device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(
            f"device must be 'auto', a device name or a torch.device, got {device!r} "
            f"({type(device).__name__})"
        )
    available = available_devices()
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"device {str(device)!r} is not a device name (available here: "
            f"{', '.join(available)}, or 'auto')"
        ) from None
    ok = (
        dev.type == "cpu"
        or (
            dev.type == "cuda"
            and torch.cuda.is_available()
            and (dev.index is None or dev.index < torch.cuda.device_count())
        )
        or (dev.type == "mps" and torch.backends.mps.is_available() and not dev.index)
    )
    if not ok:
        raise ValueError(
            f"device {str(device)!r} is not available here (available: "
            f"{', '.join(available)}, or 'auto')"
        )
    return dev


# --- the experiment ----------------------------------------------------------------------------


def make_data(
    n: int,
    p: int,
    *,
    noise_std: float,
    noise_mean: float,
    seed: int,
    device: torch.device,
    dtype: torch.dtype,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The tutorial's data ``x`` (n, p) and ``y = x @ w_true + noise`` (n, 1), on ``device``.

    ``x`` and the noise are drawn in float32 on the CPU from a ``torch.Generator`` seeded
    with ``seed`` (``x`` first), then moved to ``device`` and cast to ``dtype``: every device
    and dtype sees the same draws, and the global RNG is left alone.
    """
    gen = torch.Generator().manual_seed(seed)
    x_cpu = torch.randn(n, p, generator=gen)
    noise_cpu = torch.randn(n, generator=gen)
    x = x_cpu.to(device=device, dtype=dtype)
    noise = noise_cpu.to(device=device, dtype=dtype)
    w_true = torch.tensor(true_weight(p), dtype=dtype, device=device)
    y = (x @ w_true + noise_std * noise + noise_mean).reshape(-1, 1)
    return x, y


def make_model(p: int, *, seed: int, device: torch.device, dtype: torch.dtype) -> nn.Linear:
    """``nn.Linear(p, 1)`` initialised as after ``torch.manual_seed(seed)`` on the CPU.

    torch's own initialisation runs inside ``torch.random.fork_rng``, so the caller's global
    RNG state is unchanged; the parameters are then moved to ``device`` and cast to ``dtype``.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = nn.Linear(p, 1)
    return model.to(device=device, dtype=dtype)


def _scheduler(
    spec: lrspec.Schedule | SchedulerFactory | None, optimizer: torch.optim.Optimizer
) -> tuple[str, Any, bool]:
    """(name, scheduler or None, metric-driven) for ``spec``."""
    if spec is None:
        return "none", None, False
    if isinstance(spec, lrspec.Schedule):
        return type(spec).__name__, SpecLR(optimizer, spec), spec.metric_driven
    sched = spec(optimizer)
    if not callable(getattr(sched, "step", None)):
        raise TypeError(
            f"spec factory must return a scheduler (with a step method), got {sched!r} "
            f"({type(sched).__name__})"
        )
    if isinstance(sched, SpecLR):
        return type(sched.specs[0]).__name__, sched, sched.metric_driven
    metric = isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau)
    return type(sched).__name__, sched, metric


def fit_regression(
    spec: lrspec.Schedule | SchedulerFactory | None = None,
    *,
    n: int = 1000,
    p: int = 5,
    epochs: int = 100,
    lr: float = 0.25,
    noise_std: float = 0.2,
    noise_mean: float = 0.0,
    seed: int = 42,
    device: str | torch.device = "auto",
    dtype: torch.dtype | str = torch.float32,
) -> RegressionResult:
    """Fit the tutorial's linear regression with full-batch SGD, stepping ``spec`` per epoch.

    Data: ``x ~ N(0, 1)`` of shape ``(n, p)``, ``w_true = [i / 0.5 for i in range(p)]``,
    ``y = x @ w_true + noise_std * N(0, 1) + noise_mean``, shape ``(n, 1)``. Model:
    ``nn.Linear(p, 1)``; loss: mean squared error; optimizer: ``torch.optim.SGD`` at ``lr``
    (no momentum). Each epoch: forward, ``zero_grad(set_to_none=True)``, backward,
    ``optimizer.step()``, then one scheduler step -- ``step(loss)`` for a metric-driven spec
    (ReduceLROnPlateau gets the epoch's training loss), ``step()`` otherwise.

    ``spec`` is an lrspec spec (applied through :class:`~lrspec_torch.SpecLR`), a factory
    ``optimizer -> torch scheduler`` (so the native twin runs in the very same loop), or
    ``None`` for a constant lr.

    Seeds: the data is drawn from a CPU ``torch.Generator`` seeded with ``seed`` and moved to
    the device; the model is initialised as after ``torch.manual_seed(seed)`` on the CPU
    (inside ``fork_rng``: the global RNG state is left as it was). The same seed gives the
    same data and initial weights on every device, and, on the CPU, identical results.

    ``device="auto"`` picks cuda, then mps, then cpu; a named device that is not available
    raises ValueError. Data and model live on the device for the whole run.

    Speed: nothing is copied to the host during training except what a metric-driven spec
    needs (the loss value, once per epoch, as torch's ReduceLROnPlateau reads it). Losses stay
    on the device until the end; lrs are read from the param group, where schedulers keep
    Python floats.

    >>> import lrspec
    >>> result = fit_regression(lrspec.StepLR(step_size=1, gamma=0.9), device="cpu")
    >>> result.final_lr
    6.640349721896886e-06
    >>> [round(w) for w in result.weight]
    [0, 2, 4, 6, 8]
    """
    n = _check_int("n", n, ge=1)
    p = _check_int("p", p, ge=1)
    epochs = _check_int("epochs", epochs, ge=1)
    seed = _check_int("seed", seed, ge=0)
    lr = _check_real("lr", lr, gt=0.0)
    noise_std = _check_real("noise_std", noise_std, ge=0.0)
    noise_mean = _check_real("noise_mean", noise_mean)
    if spec is not None and not isinstance(spec, lrspec.Schedule) and not callable(spec):
        raise TypeError(
            f"spec must be an lrspec spec, a callable optimizer -> torch scheduler, or None; "
            f"got {spec!r} ({type(spec).__name__})"
        )
    torch_dtype = resolve_dtype(dtype)
    dev = resolve_device(device)
    if dev.type == "mps" and torch_dtype == torch.float64:
        raise ValueError("dtype float64 is not supported on mps; use float32")

    x, y = make_data(
        n, p, noise_std=noise_std, noise_mean=noise_mean, seed=seed, device=dev, dtype=torch_dtype
    )
    model = make_model(p, seed=seed, device=dev, dtype=torch_dtype)
    loss_fn = nn.MSELoss(reduction="mean")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    name, sched, metric_driven = _scheduler(spec, optimizer)
    group = optimizer.param_groups[0]

    losses: list[torch.Tensor] = []
    lrs: list[float] = []
    for _ in range(epochs):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if sched is not None:
            if metric_driven:
                sched.step(loss.detach())
            else:
                sched.step()
        losses.append(loss.detach())
        lrs.append(float(group["lr"]))

    # The single host synchronisation of the run (for a step-driven spec).
    loss_values = torch.stack(losses).double().cpu().tolist()
    weight = model.weight.detach()[0].double().cpu().tolist()
    bias = float(model.bias.detach()[0].double().cpu())
    return RegressionResult(
        name=name,
        spec=spec if isinstance(spec, lrspec.Schedule) else None,
        device=str(x.device),
        dtype=str(torch_dtype).removeprefix("torch."),
        n=n,
        p=p,
        epochs=epochs,
        lr=lr,
        seed=seed,
        noise_std=noise_std,
        noise_mean=noise_mean,
        lrs=lrs,
        losses=loss_values,
        weight=weight,
        bias=bias,
    )
