r"""
PolynomialLR: decay to zero along a polynomial
==============================================

Decay the lr to exactly zero at ``total_iters``: ``power=1`` is a straight line to zero,
``power > 1`` drops early and lands softly, ``power < 1`` keeps the lr high for longer.
Common in segmentation ("poly" schedule, ``power=0.9``) and in fixed-budget runs.

.. math::

   \eta_e = \eta_0 \left(1 - \frac{\min(e, T)}{T}\right)^{p}

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``), :math:`T` is
``total_iters`` and :math:`p` is ``power``.
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
spec = lrspec.PolynomialLR(total_iters=80, power=2.0)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
# Plotted past ``total_iters``: the lr stays at exactly 0.0.
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
assert ours[spec.total_iters :] == [0.0] * (steps + 1 - spec.total_iters)

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="lrspec trace")
ax.plot(theirs, "o", ms=3.5, mfc="none", label="torch")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``total_iters=5``: the epoch at which the lr reaches 0, an int >= 1.
# - ``power=1.0``: the exponent, a finite number >= 0.
#
# Quirks vs torch
# ---------------
# - Torch multiplies by the ratio of consecutive factors each step, so values drift a few
#   ulp from the formula (``trace`` reproduces it); at ``total_iters`` the ratio is exactly
#   0, so the end is exact.
# - Torch accepts ``total_iters=0`` (its closed form divides by zero) and a negative
#   ``power`` (which divides by zero at the end); the spec rejects both.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
