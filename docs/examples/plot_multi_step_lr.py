r"""
MultiStepLR: cut the learning rate at chosen epochs
===================================================

The schedule of the classic ImageNet ResNet recipes: hold the lr, and multiply it by
``gamma`` at each milestone. Use it when you know at which epochs training stalls, or to
reproduce a paper that used it.

.. math::

   \eta_e = \eta_0 \, \gamma^{\,|\{m \in M \,:\, m \le e\}|}

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``) and :math:`M` the set of
``milestones``.
"""

# %%
# The spec and its trace
# ----------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, steps = 0.1, 100
spec = lrspec.MultiStepLR(milestones=[30, 60, 80], gamma=0.1)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
# Three cuts by 10x span three decades, so the lr axis is logarithmic here.
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
sched = to_torch(spec, opt)
theirs = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    theirs.append(sched.get_last_lr()[0])
gap = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
print(f"max |lrspec - torch| = {gap}")
assert ours == theirs

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="lrspec trace")
ax.plot(theirs, "o", ms=3.5, mfc="none", label="torch")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec), yscale="log")
ax.legend()
plt.show()

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``milestones`` (required): the epochs at which to cut, any iterable of ints >= 1; the
#   spec stores them sorted, as a tuple.
# - ``gamma=0.1``: the factor applied at each milestone; a finite number > 0.
#
# Quirks vs torch
# ---------------
# - Torch counts milestones, so it accepts repeats (``[30, 30]`` applies ``gamma**2`` at
#   once) and 0 (which never fires). The spec asks for distinct milestones >= 1.
# - Like ``StepLR``, torch decays twice when resumed with ``last_epoch`` on a milestone;
#   a spec has no such state (see the migration guide).
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
