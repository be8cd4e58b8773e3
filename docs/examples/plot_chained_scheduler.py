r"""
ChainedScheduler: apply several schedules at once
=================================================

Step several schedulers on the same lr, every epoch, in list order. With multiplicative
schedules (``LinearLR``, ``ExponentialLR``, ``StepLR``, ...) the effects multiply: a
warm-up and a decay that overlap, for example. To run schedules one *after* the other,
use ``SequentialLR`` instead.

.. math::

   \eta_e = \eta_0 \prod_i f_i(e) \qquad \text{(multiplicative children only)}

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``) and :math:`f_i` is child
:math:`i`'s multiplier. With other children there is no formula: each step applies each
child's update to the current lr, in turn.
"""

# %%
# The spec and its trace
# ----------------------
# A composite spec holds specs. Here a 10-epoch warm-up runs at the same time as an
# exponential decay.
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, steps = 0.1, 80
spec = lrspec.ChainedScheduler(
    schedulers=[
        lrspec.LinearLR(start_factor=0.1, total_iters=10),
        lrspec.ExponentialLR(gamma=0.97),
    ]
)
print(repr(spec))
ours = spec.trace(base_lr, steps)


# %%
# Torch's own values
# ------------------
# ``to_torch`` builds each child on the optimizer first, in order, then torch's
# ``ChainedScheduler`` around them, as you would by hand. This page compares two specs,
# so the stepping loop is a function.
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
ax.set(xlabel="step", ylabel="learning rate", title="LinearLR warm-up chained with ExponentialLR")
ax.legend()
plt.show()

# %%
# Quirk: absolute children overwrite
# ----------------------------------
# A child whose lr is absolute (``LambdaLR``, ``CyclicLR``, ``OneCycleLR``,
# ``CosineAnnealingWarmRestarts``, ``SWALR``, and ``CosineAnnealingLR`` on the step after a
# trough) computes its value from ``base_lr`` and writes it over whatever the children
# before it did. Below, the exponential decay has no effect at all: the chain equals
# ``CosineAnnealingWarmRestarts`` alone. Put absolute children first, or not in a chain.
overwritten = lrspec.ChainedScheduler(
    schedulers=[lrspec.ExponentialLR(gamma=0.9), lrspec.CosineAnnealingWarmRestarts(T_0=25)]
)
ours2 = overwritten.trace(base_lr, steps)
theirs2 = torch_trace(overwritten, base_lr, steps)
gap = max(abs(a - b) for a, b in zip(ours2, theirs2, strict=True))
print(f"max |lrspec - torch| = {gap}")
assert ours2 == theirs2
assert ours2 == lrspec.CosineAnnealingWarmRestarts(T_0=25).trace(base_lr, steps)

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours2, lw=2, label="lrspec trace")
ax.plot(theirs2, "o", ms=3.5, mfc="none", label="torch")
ax.plot(lrspec.ExponentialLR(gamma=0.9).trace(base_lr, steps), "k:", label="ExponentialLR alone")
ax.set(xlabel="step", ylabel="learning rate", title="ExponentialLR, then warm restarts")
ax.legend()
plt.show()

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``schedulers`` (required): a non-empty list of specs; none may be metric-driven
#   (``ReduceLROnPlateau``), as in torch. Torch's ``optimizer`` argument is not a
#   parameter of the schedule.
#
# Quirks vs torch
# ---------------
# - The overwrite above. For multiplicative children the order does not matter.
# - The lr at epoch 0 is what the children's constructors left, in order (here the
#   warm-up's ``0.1 * base_lr``).
# - ``spec.lr(e, base_lr)`` is the product of the children's closed forms when all of them
#   are multiplicative; otherwise it replays the chain (O(e)), so it equals ``trace``.
#
# The spec as JSON
# ----------------
# Children nest, each tagged by its class name.
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
