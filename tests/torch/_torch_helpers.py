"""Helpers shared by the torch tests (importable through this folder's ``conftest.py``)."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from hypothesis import strategies as st
from torch import nn

import lrspec
from lrspec import testing as lt

# SequentialLR re-runs the initial step of a composite first child at construction, which
# steps that child's children before any optimizer step: torch warns about the order (a torch
# quirk, not lrspec's).
STEP_ORDER_WARNING = r"Detected call of `lr_scheduler\.step\(\)` before `optimizer\.step\(\)`"


@contextlib.contextmanager
def quiet_step_order() -> Iterator[None]:
    """Silence exactly torch's step-order UserWarning (warnings are errors here)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=STEP_ORDER_WARNING, category=UserWarning)
        yield


def make_optimizer(base_lr: Any = 0.1, kind: str = "sgd", groups: int = 1) -> Any:
    """SGD (momentum 0.9) or Adam over ``groups`` param groups of one dummy parameter each."""
    params = [{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(groups)]
    if kind == "adam":
        return torch.optim.Adam(params, lr=base_lr)
    return torch.optim.SGD(params, lr=base_lr, momentum=0.9)


def assert_bit_equal(what: str, expected: Sequence[float], actual: Sequence[float]) -> None:
    assert len(expected) == len(actual), f"{what}: {len(expected)} != {len(actual)} values"
    for k, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert lt.same_float(want, got), f"{what}: step {k}: expected {want!r}, got {got!r}"


def any_spec(*, metric_driven: bool | None = None) -> st.SearchStrategy[lrspec.Schedule]:
    """A spec of any of the 16 torch twins (or only the metric-driven / other ones).

    The class is drawn uniformly first, then its spec.
    """
    names = [
        n
        for n in lt.TWIN_STRATEGIES
        if metric_driven is None or (n == "ReduceLROnPlateau") == metric_driven
    ]
    return st.sampled_from(names).flatmap(lambda name: lt.TWIN_STRATEGIES[name]())


def bits(t: torch.Tensor) -> torch.Tensor:
    """The raw bits of a float tensor: equality is bit equality, NaN included."""
    return t.detach().contiguous().view(torch.int32 if t.dtype == torch.float32 else torch.int64)


# --- the small regression the training-loop tests run -----------------------------------------

_gen = torch.Generator().manual_seed(1234)
X = torch.randn(16, 3, generator=_gen)
Y = torch.randn(16, 1, generator=_gen)
del _gen


def make_model() -> nn.Linear:
    torch.manual_seed(0)
    return nn.Linear(3, 1)


def torch_plateau_lrs(
    spec: lrspec.ReduceLROnPlateau, base: float, metrics: Sequence[float]
) -> list[float]:
    """torch's own ReduceLROnPlateau, built field by field from ``spec`` (not through
    ``to_torch``), stepped with ``metrics`` on a real SGD: the lr before and after each."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    fields = {k: getattr(spec, k) for k in ("mode", "factor", "patience", "threshold")}
    fields |= {k: getattr(spec, k) for k in ("threshold_mode", "cooldown", "min_lr", "eps")}
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **fields)
    out = [opt.param_groups[0]["lr"]]
    for m in metrics:
        opt.step()
        sched.step(m)
        out.append(opt.param_groups[0]["lr"])
    return out
