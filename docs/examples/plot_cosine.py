r"""
Cosine: half a cosine down to a floor, then held
================================================

The default decay of modern training when the run length is known: high for a while,
fastest mid-run, flat near the floor. ``exponent`` (optax) sharpens or softens the curve;
``k`` (timm's k-decay) moves the steepest part later (``k > 1``) or earlier (``k < 1``).
Unlike torch's ``CosineAnnealingLR`` it does not climb back up after ``total_steps``.

.. math::

   \eta_t = \eta_0 \left(e + (1 - e)\, c^{\,x}\right),\quad
   c = \tfrac12\left(1 + \cos\left(\pi \left(\tfrac{\min(t, T)}{T}\right)^{k}\right)\right)

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``, the peak), :math:`e` is
``end_factor``, :math:`x` is ``exponent`` and :math:`T` is ``total_steps``. The spec returns
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
spec = lrspec.Cosine(total_steps=30, end_factor=0.05)
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
# ``exponent`` and ``k``
# ----------------------
fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
for variant in (
    spec,
    lrspec.Cosine(total_steps=30, end_factor=0.05, exponent=2.0),
    lrspec.Cosine(total_steps=30, end_factor=0.05, k=2.0),
):
    ax.plot(variant.trace(base_lr, steps), label=repr(variant).replace("Cosine", ""))
ax.set(xlabel="step", ylabel="learning rate")
ax.legend(fontsize=7)
plt.show()

# %%
# Parameters
# ----------
# - ``total_steps`` (required): the length of the decay, an int >= 1.
# - ``end_factor=0.0``: the floor, a factor of ``base_lr`` (finite, >= 0).
# - ``exponent=1.0``: the power of the cosine (optax), a finite number > 0.
# - ``k=1.0``: timm's ``k_decay``, a finite number > 0.
#
# Anchors
# -------
# - optax ``cosine_decay_schedule(init_value, decay_steps, alpha, exponent)``:
#   ``end_factor = alpha``.
# - Keras ``CosineDecay(alpha)``; HF ``cosine`` (``end_factor=0``) and ``cosine_with_min_lr``
#   (``min_lr_rate``); timm ``CosineLRScheduler`` (``lr_min / base_lr``, ``k_decay``).
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
assert lrspec.parse(repr(spec)) == spec
