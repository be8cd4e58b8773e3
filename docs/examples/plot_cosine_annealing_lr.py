r"""
CosineAnnealingLR: half a cosine from base_lr down to eta_min
=============================================================

The default smooth decay of modern training: the lr stays high for a while, falls
fastest mid-run and flattens out near ``eta_min``. Set ``T_max`` to the length of the run
(in the unit you step in), and stop there.

.. math::

   \eta_e = \eta_{\min} + \frac{\eta_0 - \eta_{\min}}{2}
            \left(1 + \cos\frac{\pi e}{T_{\max}}\right)

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

base_lr = 0.1
spec = lrspec.CosineAnnealingLR(T_max=50, eta_min=0.001)
steps = 2 * spec.T_max
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
# Plotted to ``2 * T_max`` on purpose: past ``T_max`` torch does not stop at ``eta_min``;
# it follows the cosine back up and reaches ``base_lr`` again at ``2 * T_max``. The spec
# reproduces this. Stop stepping at ``T_max`` (or use ``SequentialLR`` to hold ``eta_min``).
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
ax.axvline(spec.T_max, color="gray", ls=":", lw=1)
ax.annotate("T_max", (spec.T_max, base_lr), xytext=(4, -12), textcoords="offset points")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``T_max`` (required): the epochs of the half period, an int >= 1.
# - ``eta_min=0.0``: the lowest lr, a finite number >= 0.
#
# Quirks vs torch
# ---------------
# - It climbs back past ``T_max`` (above), periodic with period ``2 * T_max``.
# - Torch steps a ratio of cosines, except on the step after each trough, where it *adds*
#   ``(base_lr - eta_min) * (1 - cos(pi / T_max)) / 2``. In a ``ChainedScheduler`` that
#   step overwrites the other schedulers' effect; the spec reproduces it.
# - Torch accepts ``T_max=0`` (division by zero) and negative values; the spec rejects them.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
