r"""
Linear: a straight line between two factors, then held
======================================================

A linear decay (``start_factor > end_factor``, HF's ``linear`` after warm-up) or a
linear warm-up (``start_factor < end_factor``). It reaches ``end_factor`` exactly at
``total_steps`` and holds it from there on.

.. math::

   \eta_t = \eta_0 \left(e + (s - e)\left(1 - \frac{\min(t, T)}{T}\right)\right)

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``, the peak), :math:`s` and
:math:`e` are ``start_factor`` and ``end_factor`` and :math:`T` is ``total_steps``. The spec returns
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
spec = lrspec.Linear(total_steps=30, start_factor=1.0, end_factor=0.1)
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
ax.axvline(spec.total_steps, color="gray", ls=":", lw=1)
ax.annotate("total_steps", (spec.total_steps, base_lr), xytext=(4, -12), textcoords="offset points")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``total_steps`` (required): the length of the line, an int >= 1.
# - ``start_factor=1.0``, ``end_factor=0.0``: factors of ``base_lr``, finite numbers >= 0.
#
# Anchors
# -------
# - optax ``linear_schedule(init_value, end_value, transition_steps)``:
#   ``start_factor = init_value / peak``, ``end_factor = end_value / peak``.
# - HF ``linear`` (after its warm-up, ``end_factor=0``); composer ``LinearScheduler``.
# - Torch's ``LinearLR`` draws the same line recursively (a few ulp of drift); this is the
#   closed form, a factor of ``base_lr``.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
assert lrspec.parse(repr(spec)) == spec
