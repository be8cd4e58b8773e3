r"""
Stretch: the same schedule, longer or shorter
=============================================

Reuse a schedule tuned for one run length on another: ``ratio = 2`` plays it twice as
slowly, ``ratio = 0.5`` twice as fast. Milestones, periods and warm-ups all move with it.

.. math::

   \eta_t = \mathrm{inner}\!\left(\frac{t}{r}\right)

with :math:`r` the ``ratio`` (any number > 0, fractional included).
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
inner = lrspec.MultiStepLR(milestones=[20, 35], gamma=0.3)
spec = lrspec.Stretch(inner=inner, ratio=2)
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
assert sorted(spec.landmarks(steps)) == [40, 70]

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(inner.trace(base_lr, steps), lw=1, ls="--", label="inner")
ax.plot(lrspec.Stretch(inner=inner, ratio=0.5).trace(base_lr, steps), lw=1, label="ratio=0.5")
ax.plot(ours, lw=2, label="ratio=2 (spec.trace)")
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
ax.set(xlabel="step", ylabel="learning rate", title="Stretch(MultiStepLR([20, 35]))")
ax.legend(fontsize="small")
plt.show()

# %%
# Parameters
# ----------
# - ``inner`` (required): a spec with a closed form.
# - ``ratio`` (required): the stretch, a finite number > 0.
#
# Anchors and quirks
# ------------------
# - composer's ``scale_schedule_ratio`` (ssr): :math:`\alpha_{ssr}(t) = \alpha(t / ssr)`.
#   composer leaves warm-ups unstretched by default (``scale_warmup=False``): here, stretch
#   the inner schedule of a ``Warmup`` rather than the ``Warmup``.
# - The inner schedule sees fractional steps, where it evaluates its closed form (a step
#   decay changes at ``ceil(ratio * milestone)``); a ``LambdaLR`` calls its function with
#   them.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
