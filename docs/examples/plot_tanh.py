r"""
Tanh: timm's tanh decay, a long plateau and a late fall
=======================================================

The lr stays near its peak for most of the run, then falls steeply and flattens out near
``end_factor``: the shape of a sigmoid. ``lower`` and ``upper`` choose which stretch of
:math:`\tanh` the run covers; timm's defaults (-7, 3) keep the peak for about 70% of the run.

.. math::

   f(t) = e + \frac{1 - e}{2}
          \left(1 - \tanh\!\left(l + (u - l)\,\frac{\min(t, T)}{T}\right)\right)

with :math:`T` the ``total_steps``, :math:`l, u` the ``lower`` and ``upper`` bounds and
:math:`e` the ``end_factor``; past :math:`T` it holds its value there. The lr is
``base_lr * f(t)``.
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
spec = lrspec.Tanh(total_steps=300, end_factor=0.01)
steps = 360
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
ax.plot(ours, lw=2, label="spec.trace")
ax.plot(range(0, steps + 1, 10), driven[::10], "o", ms=3.5, mfc="none", label="SpecLR in torch")
wide = lrspec.Tanh(total_steps=300, lower=-3.0, upper=3.0, end_factor=0.01)
ax.plot(wide.trace(base_lr, steps), lw=1.5, ls="--", label="lower=-3, upper=3")
ax.axvline(spec.total_steps, color="gray", ls=":", lw=1)
ax.annotate(
    "total_steps", (spec.total_steps, base_lr), xytext=(-70, -12), textcoords="offset points"
)
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``total_steps`` (required): the length of the decay, an int >= 1; it holds after it.
# - ``lower=-7.0``, ``upper=3.0``: the stretch of ``tanh`` the run covers, finite, with
#   ``upper > lower``. The ends are tanh's, not exactly 1 and ``end_factor``: with the
#   defaults ``f(0) = 0.9999992`` and ``f(total_steps) = end + 0.0025 * (1 - end)``.
# - ``end_factor=0.0``: the floor, a factor of ``base_lr`` >= 0.
#
# Anchors and conversions
# -----------------------
# - timm ``TanhLRScheduler(t_initial=T, lb=l, ub=u, lr_min=m)`` without cycles or warm-up is
#   ``Tanh(total_steps=T, lower=l, upper=u, end_factor=m / base_lr)``. timm computes
#   ``tanh(l * (1 - p) + u * p)``, equal up to rounding.
# - Past ``t_initial`` timm jumps to ``lr_min``; the spec holds the curve's last value
#   instead (every finite catalogue shape does). timm's cycles and warm-up are the
#   ``Cycle`` and ``Warmup`` combinators around it.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
