"""lrspec's torch backend: apply lrspec specs to real ``torch.optim`` optimizers.

>>> import torch, lrspec, lrspec_torch
>>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
>>> sched = lrspec_torch.to_torch(lrspec.StepLR(step_size=2, gamma=0.5), opt)
>>> type(sched).__name__
'StepLR'
"""

from lrspec_torch._convert import to_torch
from lrspec_torch._scheduler import SpecLR

__all__ = ["SpecLR", "to_torch"]
