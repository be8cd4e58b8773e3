r"""
PiecewiseConstant: chosen factors between chosen steps
======================================================

Hold the lr at ``base_lr * factors[0]``, then switch to ``factors[1]`` at ``boundaries[0]``,
and so on: a step decay with any factors, in any order (a short low-lr phase first, a
fine-tuning bump later). The value changes *at* a boundary, as torch's ``MultiStepLR`` and
optax do.

.. math::

   f(t) = \text{factors}[i], \qquad i = \#\{\, b \in \text{boundaries} : b \le t \,\}

with ``len(factors) == len(boundaries) + 1``. The lr is ``base_lr * f(t)``.
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
spec = lrspec.PiecewiseConstant(boundaries=[10, 100, 150], factors=[0.1, 1.0, 0.1, 0.01])
steps = 200
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
assert ours[9] == base_lr * 0.1 and ours[10] == base_lr  # it changes at the boundary

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, drawstyle="steps-post", label="spec.trace")
ax.plot(range(0, steps + 1, 5), driven[::5], "o", ms=3.5, mfc="none", label="SpecLR in torch")
for b in spec.boundaries:
    ax.axvline(b, color="gray", ls=":", lw=1)
ax.set(xlabel="step", ylabel="learning rate", yscale="log", title="PiecewiseConstant")
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``boundaries`` (required): strictly increasing ints >= 0 (a boundary at 0 leaves
#   ``factors[0]`` unused); none at all is a constant.
# - ``factors`` (required): finite factors of ``base_lr``, >= 0, one more than the
#   boundaries.
#
# Anchors and conversions
# -----------------------
# - optax ``piecewise_constant_schedule(init_value, {b1: s1, b2: s2})`` multiplies its scales
#   up: ``base_lr = init_value``, ``boundaries = [b1, b2]``, ``factors = [1, s1, s1 * s2]``.
#   It also switches at the boundary.
# - Keras ``PiecewiseConstantDecay(boundaries, values)`` keeps ``values[i]`` *through* step
#   ``boundaries[i]``, one step longer: use ``boundaries = [b + 1 for b in keras_boundaries]``
#   and ``factors = [v / peak for v in values]`` with ``base_lr = peak``.
# - torch ``MultiStepLR(milestones, gamma)``: ``boundaries = milestones``, ``factors = [1,
#   gamma, gamma**2, ...]`` (equal closed forms; torch's own trace multiplies step by step).
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
