r"""
Interpolate: straight or cosine lines through chosen points
===========================================================

Draw any schedule by its corners: knots ``(steps[i], factors[i])`` joined by straight lines
(``kind="linear"``, ignite's ``PiecewiseLinear``) or by half cosines that are flat at every
knot (``kind="cosine"``). Before the first knot the first factor holds, from the last knot
on the last one.

.. math::

   f(t) = a + (b - a)\, w(p), \qquad
   p = \frac{t - s_i}{s_{i+1} - s_i}, \qquad
   w(p) = p \ \text{(linear)} \ \text{or}\ \tfrac12\,(1 - \cos \pi p) \ \text{(cosine)}

between knots :math:`s_i \le t < s_{i+1}` with factors :math:`a, b`. The lr is
``base_lr * f(t)``.
"""

# %%
# The spec, driving a torch optimizer
# -----------------------------------
import json

import matplotlib.pyplot as plt
import numpy as np
import torch

import lrspec
from lrspec_torch import SpecLR

base_lr = 0.1
knots = {"steps": [0, 20, 120, 180], "factors": [0.0, 1.0, 0.3, 0.05]}
linear = lrspec.Interpolate(**knots)
cosine = lrspec.Interpolate(**knots, kind="cosine")
steps = 200
print(repr(cosine))

opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, cosine)
driven = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    driven.append(sched.get_last_lr()[0])
assert driven == cosine.trace(base_lr, steps)  # SpecLR writes the closed form, bit for bit

t = np.linspace(0, steps, 801)  # fractional steps too
fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(t, linear.lr(t, base_lr), lw=2, label='kind="linear"')
ax.plot(t, cosine.lr(t, base_lr), lw=2, label='kind="cosine"')
ax.plot(range(0, steps + 1, 5), driven[::5], "o", ms=3.5, mfc="none", label="SpecLR in torch")
ax.plot(knots["steps"], [base_lr * f for f in knots["factors"]], "k+", ms=10, label="knots")
ax.set(xlabel="step", ylabel="learning rate", title="Interpolate")
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``steps`` (required): the knots' positions, strictly increasing finite numbers
#   (fractional and negative ones too); a single knot is a constant.
# - ``factors`` (required): the factors of ``base_lr`` at the knots, finite and >= 0, one
#   per knot.
# - ``kind="linear"``: ``"linear"`` or ``"cosine"``.
#
# Anchors and conversions
# -----------------------
# - optax ``piecewise_interpolate_schedule(kind, init_value, {b1: s1, b2: s2})`` interpolates
#   between *accumulated* scales, starting at step 0: ``base_lr = init_value``, ``steps =
#   [0, b1, b2]``, ``factors = [1, s1, s1 * s2]`` (a key of 0 replaces the first knot).
#   Its cosine is written ``b + (a - b) (1 + cos(pi p)) / 2``, equal up to rounding.
# - ignite ``PiecewiseLinear(milestones_values=[(s, v), ...])``: ``kind="linear"``, the
#   ``s`` as ``steps`` and ``v / peak`` as ``factors`` with ``base_lr = peak``.
# - torch has no twin (a ``SequentialLR`` of ``LinearLR`` pieces comes close, with torch's
#   hand-off quirks).
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(cosine)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == cosine
