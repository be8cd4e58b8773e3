r"""
StepLR: cut the learning rate by a constant factor every few epochs
===================================================================

The classic staircase. Use it when you know roughly how long training takes and want a
simple, predictable decay: the lr is held for ``step_size`` epochs, then multiplied by
``gamma``, and so on.

.. math::

   \eta_e = \eta_0 \, \gamma^{\lfloor e / s \rfloor}

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``), :math:`s` is
``step_size`` and :math:`e` the epoch (the number of ``scheduler.step()`` calls so far).
"""

# %%
# The spec and its trace
# ----------------------
# A spec is a frozen value: its ``repr`` is everything there is to know about it.
# ``trace(base_lr, steps)`` returns the lr torch would show after 0, 1, ..., ``steps``
# calls to ``step()``.
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, steps = 0.1, 60
spec = lrspec.StepLR(step_size=15, gamma=0.5)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
# Build torch's ``StepLR`` from the spec and step it the usual way (``optimizer.step()``,
# then ``scheduler.step()``). The two sequences are equal bit for bit.
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
# Parameters (torch's defaults)
# -----------------------------
# - ``step_size`` (required): epochs between two cuts; an int >= 1.
# - ``gamma=0.1``: the factor applied at each cut; a finite number > 0.
#
# Quirks vs torch
# ---------------
# - torch accepts ``step_size=0`` (it then divides by zero on the first step) and floats or
#   negatives (which decay at odd epochs); the spec rejects them when it is built.
# - Resuming torch's ``StepLR`` with ``last_epoch`` on a boundary applies the decay twice;
#   a spec holds no state, so it cannot (see the migration guide).
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
