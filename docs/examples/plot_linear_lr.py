r"""
LinearLR: a linear ramp of the multiplier, the usual warm-up
============================================================

Ramp the lr linearly from ``start_factor * base_lr`` to ``end_factor * base_lr`` over
``total_iters`` epochs, then hold it. With ``start_factor < end_factor`` it is the standard
linear warm-up (large batches, Adam, transformers); with ``end_factor < start_factor`` it
is a linear decay.

.. math::

   \eta_e = \eta_0 \left(s + (f - s)\,\frac{\min(e, T)}{T}\right)

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``), :math:`s` and
:math:`f` are ``start_factor`` and ``end_factor`` and :math:`T` is ``total_iters``.
"""

# %%
# The spec and its trace
# ----------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, steps = 0.1, 40
spec = lrspec.LinearLR(start_factor=0.1, end_factor=1.0, total_iters=20)
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
# Drift
# -----
# Torch does not evaluate the formula: each step multiplies the current lr by the ratio
# of two consecutive multipliers. The rounding errors add up, so the plateau is a few ulp
# off ``base_lr * end_factor``, and stays there. ``trace`` follows torch; ``lr`` is the
# formula.
print(f"trace on the plateau: {ours[-1]!r}")
print(f"spec.lr({steps}, {base_lr}): {spec.lr(steps, base_lr)!r}")

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``start_factor=1/3``: the multiplier at epoch 0, in (0, 1].
# - ``end_factor=1.0``: the multiplier from ``total_iters`` on, in [0, 1].
# - ``total_iters=5``: the length of the ramp in epochs, an int >= 1.
#
# Quirks vs torch
# ---------------
# - The drift above. A decay to ``end_factor=0`` does reach exactly 0.0.
# - Torch accepts ``total_iters=0``: its recursion then never moves and its closed form
#   divides by zero. The spec rejects it.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
