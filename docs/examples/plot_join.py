r"""
Join: schedules one after another, each on its own local step
=============================================================

Build a schedule out of phases: a warm-up, a plateau, a decay. At each boundary the next
schedule starts at its *own* step 0, so every phase is written as if it ran alone.

.. math::

   \eta_t = \mathrm{schedules}_i\bigl(t - b_{i-1}\bigr)
   \quad\text{for } b_{i-1} \le t < b_i \quad (b_{-1} = 0)

where :math:`b_i` are the ``boundaries`` and each schedule is evaluated with the
optimizer's initial lr as its ``base_lr``.
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
spec = lrspec.Join(
    schedules=[
        lrspec.LinearLR(start_factor=0.1, total_iters=10),
        lrspec.ConstantLR(factor=1.0, total_iters=1),
        lrspec.CosineAnnealingLR(T_max=60),
    ],
    boundaries=[10, 40],
)
steps = 100
print(repr(spec))
print(spec.describe())  # the same, in one human line
print("boundaries:", spec.boundaries, "total_steps:", spec.total_steps)
ours = spec.trace(base_lr, steps)

opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, spec)
driven = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    driven.append(sched.get_last_lr()[0])
assert driven == ours  # SpecLR writes the closed form, bit for bit

# each phase is its own schedule at its local step
assert ours[40:] == [spec.schedules[2].lr(t, base_lr) for t in range(61)]

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="spec.trace")
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
for b in spec.boundaries:
    ax.axvline(b, color="gray", ls=":", lw=1)
ax.set(xlabel="step", ylabel="learning rate", title="Join: warm-up, plateau, cosine")
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``schedules`` (required): one or more specs with a closed form (twins, catalogue
#   shapes, combinators; not MultiplicativeLR, ReduceLROnPlateau or a composite that
#   replays).
# - ``boundaries`` (required): strictly increasing ints >= 1, one fewer than the schedules.
#
# Anchors and quirks
# ------------------
# - optax ``join_schedules(schedules, boundaries)``: the same local step
#   ``t - boundary``; optax schedules return absolute lrs, so an optax schedule of
#   ``value`` is a spec of factor ``value / peak``.
# - torch's ``SequentialLR`` means the same, but its twin reproduces torch's stepping
#   (a composite first child is stepped once more at construction; only the first child may
#   be a composite). ``Join`` has no hidden extra step, and any child may be a composite.
# - A child with absolute lrs of its own (CyclicLR, OneCycleLR, SWALR, a CosineAnnealingLR
#   with ``eta_min > 0``) keeps them; the Join then does not scale with ``base_lr``.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
