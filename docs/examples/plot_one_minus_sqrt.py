r"""
OneMinusSqrt: the 1-sqrt cooldown of WSD runs
=============================================

The cooldown of warmup-stable-decay (WSD) training: a steep first drop that then
gentles out, ``1 - sqrt(p)``. Use it as the final phase after a long constant stretch.

.. math::

   \eta_t = \eta_0 \left(e + (1 - e)\left(1 - \sqrt{\tfrac{\min(t, T)}{T}}\right)\right)

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``, the peak), :math:`e` is
``end_factor`` and :math:`T` is ``total_steps``. The spec returns
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
spec = lrspec.OneMinusSqrt(total_steps=30)
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
# - ``total_steps`` (required): the length of the cooldown, an int >= 1.
# - ``end_factor=0.0``: the floor, a factor of ``base_lr`` (finite, >= 0).
#
# Anchors
# -------
# - HF ``warmup_stable_decay`` with ``decay_type="1-sqrt"`` (its decay phase;
#   ``end_factor = min_lr_ratio``). No optax counterpart.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
assert lrspec.parse(repr(spec)) == spec
