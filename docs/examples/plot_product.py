r"""
Product: several schedules at once, their factors multiplied
============================================================

Apply two schedules at the same time: a slow exponential decay under step cuts, a cosine
with a periodic dip. Each child is a factor of ``base_lr``; the product multiplies them.

.. math::

   \eta_t = \eta_0 \prod_i f_i(t)

where :math:`f_i(t)` is child :math:`i`'s lr at step :math:`t` for ``base_lr = 1``.
"""

# %%
# The spec, driving a torch optimizer
# -----------------------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import SpecLR

base_lr = 0.1
spec = lrspec.Product(
    schedules=[lrspec.StepLR(step_size=30, gamma=0.5), lrspec.ExponentialLR(gamma=0.99)]
)
steps = 100
print(repr(spec))
ours = spec.trace(base_lr, steps)

opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, spec)
driven = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    driven.append(sched.get_last_lr()[0])
assert driven == ours  # SpecLR writes the closed form, bit for bit

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
for child in spec.schedules:
    ax.plot(child.trace(base_lr, steps), lw=1, ls="--", label=repr(child))
ax.plot(ours, lw=2, label="Product (spec.trace)")
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
ax.set(xlabel="step", ylabel="learning rate", title="Product of StepLR and ExponentialLR")
ax.legend(fontsize="small")
plt.show()

# %%
# Parameters
# ----------
# - ``schedules`` (required): one or more specs with a closed form whose lr scales with
#   ``base_lr``.
#
# Anchors and quirks
# ------------------
# - composer: several schedulers "stack multiplicatively", as here.
# - torch's ``ChainedScheduler`` steps its children on the same lr; that is a product only
#   when every child is multiplicative (its twin reproduces torch, quirks included).
#   ``Product`` is the product of closed forms for any children that have one.
# - A child with absolute lrs of its own (CyclicLR, OneCycleLR, SWALR, a CosineAnnealingLR
#   with ``eta_min > 0``) has no factor to multiply: ``Product`` refuses it and says why.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
