"""lrspec's torch backend: apply lrspec specs to real ``torch.optim`` optimizers.

>>> import torch, lrspec, lrspec_torch
>>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
>>> sched = lrspec_torch.to_torch(lrspec.StepLR(step_size=2, gamma=0.5), opt)
>>> type(sched).__name__
'StepLR'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrspec_torch._convert import to_spec, to_torch
    from lrspec_torch._regression import RegressionResult, fit_regression
    from lrspec_torch._scheduler import MetricSpecLR, SpecLR, UncheckpointableWarning

# Names load (and import torch) on first use, so that `lrspec_torch.cli` -- the console
# script -- can start without torch and tell the user how to install it.
_MODULE = {
    "RegressionResult": "lrspec_torch._regression",
    "MetricSpecLR": "lrspec_torch._scheduler",
    "SpecLR": "lrspec_torch._scheduler",
    "UncheckpointableWarning": "lrspec_torch._scheduler",
    "fit_regression": "lrspec_torch._regression",
    "to_spec": "lrspec_torch._convert",
    "to_torch": "lrspec_torch._convert",
}

__all__ = [
    "MetricSpecLR",
    "RegressionResult",
    "SpecLR",
    "UncheckpointableWarning",
    "fit_regression",
    "to_spec",
    "to_torch",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE:
        raise AttributeError(f"module 'lrspec_torch' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
