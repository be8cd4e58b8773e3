r"""
ExponentialLR: multiply the lr by gamma every epoch
===================================================

The smoothest one-parameter decay: the lr shrinks by the same fraction each epoch. Pick
``gamma`` from the decay you want over the run (``gamma = (final / initial) ** (1 /
epochs)``); ``gamma > 1`` grows the lr, as in an lr range test.

.. math::

   \eta_e = \eta_0 \, \gamma^{e}

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``).
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
spec = lrspec.ExponentialLR(gamma=0.95)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
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
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# ``trace`` vs ``lr``
# -------------------
# Torch multiplies the current lr by ``gamma`` each step; the product of 100 roundings is
# a few ulp away from ``gamma ** 100``. ``trace`` is torch's sequence, bit for bit;
# ``lr(e, base_lr)`` is the O(1) closed form, within 1e-9 relative (and it takes numpy
# arrays).
closed = spec.lr(steps, base_lr)
print(f"trace[{steps}] = {ours[-1]!r}")
print(f"lr({steps})    = {closed!r}  (relative gap {abs(closed - ours[-1]) / closed:.1e})")

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``gamma`` (required): the factor per epoch, a finite number > 0.
#
# Quirks vs torch
# ---------------
# - The drift above, which the spec's ``trace`` reproduces.
# - Torch accepts any ``gamma`` (0 or negative ones too); the spec asks for > 0.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
