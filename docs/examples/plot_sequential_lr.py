r"""
SequentialLR: run schedules one after another
=============================================

Switch from one schedule to the next at given epochs: the usual "linear warm-up, then
cosine decay", or a decay followed by a constant tail. To apply schedules at the same
time, use ``ChainedScheduler`` instead.

.. math::

   \eta_e = \text{schedulers}[k].\text{lr}(e - m_{k-1}, \eta_0)
   \qquad \text{for } m_{k-1} \le e < m_k, \quad m_{-1} = 0

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``) and :math:`m_k` the
``milestones``: each child restarts at its *own* epoch 0 when its turn comes.
"""

# %%
# The spec and its trace
# ----------------------
# A 10-epoch linear warm-up, then a cosine decay over the remaining 90 epochs.
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, steps = 0.1, 100
spec = lrspec.SequentialLR(
    schedulers=[
        lrspec.LinearLR(start_factor=0.1, total_iters=10),
        lrspec.CosineAnnealingLR(T_max=90),
    ],
    milestones=[10],
)
print(repr(spec))
print(spec.describe())  # the same, in one human line
print("boundaries:", spec.boundaries, "total_steps:", spec.total_steps)  # periodic: None
ours = spec.trace(base_lr, steps)


# %%
# Torch's own values
# ------------------
# This page compares two specs, so the stepping loop is a function.
def torch_trace(spec, base_lr, steps):
    """Step torch's own scheduler for ``spec``; return its lr after each step."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
    sched = to_torch(spec, opt)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    return lrs


theirs = torch_trace(spec, base_lr, steps)
gap = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
print(f"max |lrspec - torch| = {gap}")
assert ours == theirs

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="lrspec trace")
ax.plot(theirs, "o", ms=3.5, mfc="none", label="torch")
ax.axvline(10, color="gray", ls=":", lw=1)
ax.set(xlabel="step", ylabel="learning rate", title="LinearLR warm-up, then CosineAnnealingLR")
ax.legend()
plt.show()

# %%
# Quirk: each child restarts from ``base_lr``
# -------------------------------------------
# At a milestone the next child starts at its own epoch 0, computed from ``base_lr``; it
# does not continue from the lr the previous child reached. Below, an exponential decay
# hands over to a ``ConstantLR`` at epoch 20, and the lr jumps *up* to ``0.5 * base_lr``.
# (The warm-up above never shows its last value either: at epoch 10 the cosine's epoch 0
# is shown instead.)
restart = lrspec.SequentialLR(
    schedulers=[lrspec.ExponentialLR(gamma=0.9), lrspec.ConstantLR(factor=0.5, total_iters=100)],
    milestones=[20],
)
ours2 = restart.trace(base_lr, 40)
theirs2 = torch_trace(restart, base_lr, 40)
gap = max(abs(a - b) for a, b in zip(ours2, theirs2, strict=True))
print(f"max |lrspec - torch| = {gap}")
assert ours2 == theirs2

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours2, lw=2, label="lrspec trace")
ax.plot(theirs2, "o", ms=3.5, mfc="none", label="torch")
ax.set(xlabel="step", ylabel="learning rate", title="ExponentialLR, then ConstantLR at 20")
ax.legend()
plt.show()

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``schedulers`` (required): a non-empty list of specs, none metric-driven.
# - ``milestones`` (required): strictly increasing ints >= 1, one fewer than
#   ``schedulers``.
#
# Quirks vs torch
# ---------------
# - The restart above. Exceptions, reproduced: a ``MultiplicativeLR`` or ``SWALR`` child
#   continues from the lr the previous child left instead of restarting.
# - A composite as ``schedulers[0]`` is stepped once more when torch builds the
#   ``SequentialLR`` (its sequence starts one step in); only ``schedulers[0]`` may be a
#   composite (torch raises when a milestone reaches one).
# - Torch accepts unsorted milestones and gives nonsense; the spec rejects them.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
