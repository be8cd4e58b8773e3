r"""
Constant: a fixed factor of base_lr
===================================

The simplest schedule: the same lr at every step. Use it as the *stable* phase of a
warmup-stable-decay run, as a child of a combinator, or for a short run where any decay would
only get in the way. ``factor`` scales the optimizer's lr (``base_lr``, the peak).

.. math::

   \eta_t = \eta_0 \cdot \text{factor}

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``, the peak). The spec returns
a factor of it, so ``spec.lr(t, base_lr) == base_lr * f(t)``.
"""

# %%
# The spec and its trace
# ----------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import SpecLR

base_lr, steps = 0.1, 40
spec = lrspec.Constant(factor=0.5)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Driving a torch optimizer
# -------------------------
# ``SpecLR`` steps a real optimizer with the spec (as torch steps a ``LambdaLR`` whose
# lambda is the spec's factor). Its lrs are the trace, bit for bit.
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
sched = SpecLR(opt, spec)
theirs = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    theirs.append(sched.get_last_lr()[0])
assert ours == theirs

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="lrspec trace")
ax.plot(theirs, "o", ms=3.5, mfc="none", label="SGD under SpecLR")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``factor=1.0``: the multiplier of ``base_lr``, a finite number >= 0.
#
# Anchors
# -------
# - optax ``constant_schedule(value)``: ``factor = value / peak``.
# - HF ``get_scheduler("constant")``; composer ``ConstantScheduler(alpha)``.
# - Not torch's ``ConstantLR``, which applies its factor for ``total_iters`` steps only and
#   then returns to ``base_lr``.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
assert lrspec.parse(repr(spec)) == spec
