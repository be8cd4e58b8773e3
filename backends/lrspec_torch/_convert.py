"""Conversions between lrspec specs and native torch schedulers."""

from __future__ import annotations

from typing import Any

import attrs
import torch
from torch.optim import lr_scheduler as torch_lr
from torch.optim import swa_utils

import lrspec


def _torch_class(spec: lrspec.Schedule) -> type[Any]:
    name = type(spec).__name__
    if isinstance(spec, lrspec.SWALR):
        return swa_utils.SWALR
    if type(spec) not in lrspec.TORCH_TWINS:
        raise TypeError(f"spec must be one of lrspec's torch twins, got {name}")
    cls: type[Any] = getattr(torch_lr, name)
    return cls


def to_torch(spec: lrspec.Schedule, optimizer: torch.optim.Optimizer) -> Any:
    """Build the native torch scheduler equal to ``spec`` on ``optimizer``.

    Composites build their children first, in order, exactly as a torch user would.
    """
    if not isinstance(spec, lrspec.Schedule):
        raise TypeError(f"spec must be an lrspec spec, got {spec!r} ({type(spec).__name__})")
    cls = _torch_class(spec)
    kwargs = {f.name: getattr(spec, f.name) for f in attrs.fields(type(spec))}
    if isinstance(spec, lrspec.ChainedScheduler):
        children = [to_torch(child, optimizer) for child in spec.schedulers]
        return cls(children, optimizer=optimizer)
    if isinstance(spec, lrspec.SequentialLR):
        children = [to_torch(child, optimizer) for child in spec.schedulers]
        return cls(optimizer, schedulers=children, milestones=list(spec.milestones))
    if isinstance(spec, lrspec.MultiStepLR):
        kwargs["milestones"] = list(spec.milestones)
    return cls(optimizer, **kwargs)
