r"""
CosineAnnealingWarmRestarts: cosine decays that restart, each cycle longer
==========================================================================

SGDR (Loshchilov & Hutter, 2017): anneal along a cosine for ``T_0`` epochs, jump back to
``base_lr``, and do it again, each cycle ``T_mult`` times longer. Use it to get several
good snapshots from one run, or when you want to keep training without choosing an end.

.. math::

   \eta_e = \eta_{\min} + \frac{\eta_0 - \eta_{\min}}{2}
            \left(1 + \cos\frac{\pi\, T_{\text{cur}}}{T_i}\right)

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``), cycle :math:`i` lasts
:math:`T_i = T_0 \cdot T_{\text{mult}}^{\,i}` epochs and :math:`T_{\text{cur}}` counts
the epochs since the last restart.
"""

# %%
# The spec and its trace
# ----------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, steps = 0.1, 70
spec = lrspec.CosineAnnealingWarmRestarts(T_0=10, T_mult=2, eta_min=0.001)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
# Cycles of 10, 20 and 40 epochs: restarts at epochs 10, 30 and 70.
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
# Quirk: torch's ``step(epoch)`` can miss a restart
# -------------------------------------------------
# Called with an explicit epoch, torch finds the cycle with ``math.log``, which rounds one
# cycle short at some restart epochs. With ``T_0=1, T_mult=10``, epoch 111 is a restart
# (1 + 10 + 100), but ``step(111)`` gives ``eta_min``. Stepping 111 times gives
# ``base_lr``, and so do the spec's ``lr`` and ``trace``.
quirky = lrspec.CosineAnnealingWarmRestarts(T_0=1, T_mult=10)
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
sched = to_torch(quirky, opt)
opt.step()
sched.step(111)
print(f"torch step(111): {sched.get_last_lr()[0]!r}")
print(f"spec.lr(111):    {quirky.lr(111, base_lr)!r}")
print(f"spec.trace:      {quirky.trace(base_lr, 111)[-1]!r}")

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``T_0`` (required): the length of the first cycle, an int >= 1.
# - ``T_mult=1``: the growth of each cycle, an int >= 1.
# - ``eta_min=0.0``: the floor, a finite number >= 0.
#
# Quirks vs torch
# ---------------
# - ``eta_min`` itself is never reached by whole steps (``T_cur < T_i``).
# - The lr is absolute in ``base_lr``: in a ``ChainedScheduler`` it overwrites the
#   children before it (see that page).
# - The ``step(epoch)`` rounding above.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
