r"""
Warmup: ramp up to any schedule, continuous at the hand-off
===========================================================

Start with a small lr and ramp it to where the inner schedule begins, then run it. The
ramp may be linear, cosine, exponential or 1-sqrt, and it always meets the inner schedule
exactly, so there is no jump at the hand-off.

.. math::

   \eta_t = \eta_0 \,\mathrm{ramp}\!\left(\tfrac{t}{w}\right) \quad (t < w), \qquad
   \mathrm{ramp}(p) = s\,(1 - w(p)) + g\,w(p)

with :math:`w` the warm-up ``steps``, :math:`s` the ``start_factor``, :math:`g` the inner
schedule's factor at the hand-off and the weight :math:`w(p) = p` (linear),
:math:`\tfrac12(1 - \cos\pi p)` (cosine) or :math:`1 - \sqrt{1 - p}` (1-sqrt); the
exponential ramp is :math:`s\,(g/s)^p`. From :math:`t = w` on it is the inner schedule.
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
inner = lrspec.CosineAnnealingLR(T_max=80)
spec = lrspec.Warmup(inner=inner, steps=20, kind="linear")
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
for kind in ["cosine", "exponential", "1-sqrt"]:
    other = lrspec.Warmup(inner=inner, steps=20, kind=kind, start_factor=0.01)
    ax.plot(other.trace(base_lr, steps), lw=1, label=f"kind={kind!r}")
ax.plot(ours, lw=2, label="kind='linear' (spec.trace)")
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
ax.axvline(spec.steps, color="gray", ls=":", lw=1)
ax.annotate("steps", (spec.steps, base_lr), xytext=(4, -12), textcoords="offset points")
ax.set(xlabel="step", ylabel="learning rate", title="Warmup(CosineAnnealingLR(T_max=80))")
ax.legend(fontsize="small")
plt.show()

# %%
# Prefix or overlay
# -----------------
# With ``prefix=True`` (the default) the inner schedule starts at its own step 0 when the
# warm-up ends: the run is ``steps`` longer than the inner schedule. With ``prefix=False``
# the warm-up covers the inner schedule's first ``steps`` steps and ramps to where the inner
# schedule is at ``steps``.
overlay = lrspec.Warmup(inner=inner, steps=20, prefix=False)
assert overlay.lr(20, base_lr) == inner.lr(20, base_lr)
assert spec.lr(20, base_lr) == inner.lr(0, base_lr)

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="prefix=True")
ax.plot(overlay.trace(base_lr, steps), lw=2, ls="--", label="prefix=False")
ax.set(xlabel="step", ylabel="learning rate", title="the two hand-offs")
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``inner`` (required): a spec with a closed form whose lr scales with ``base_lr``.
# - ``steps`` (required): the warm-up length, an int >= 0 (0 is the inner schedule itself).
# - ``start_factor=0.0``: the lr at step 0 as a factor of ``base_lr`` (> 0 for
#   ``kind="exponential"``).
# - ``kind="linear"``: ``"linear"``, ``"cosine"``, ``"exponential"`` or ``"1-sqrt"``.
# - ``prefix=True``: the inner schedule starts after the warm-up (see above).
#
# Anchors and quirks
# ------------------
# - HF's schedules warm up linearly from 0, then start their decay at its own step 0
#   (``prefix=True``); HF's warmup-stable-decay also offers the ``"cosine"`` and
#   ``"1-sqrt"`` ramps.
# - optax's ``warmup_*`` schedules join a ``linear_schedule`` to the decay, as here with
#   ``prefix=True``.
# - timm's ``warmup_prefix=False`` is the overlay, but timm ramps to ``base_lr`` and then
#   jumps to the decay's current value; ``Warmup`` is continuous by design: it ramps to
#   where the inner schedule is.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
