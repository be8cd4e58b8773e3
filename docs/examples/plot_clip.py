r"""
Clip: keep any schedule between a floor and a ceiling
=====================================================

Put a floor under a decay that would otherwise go to (almost) zero, or cap a schedule that
climbs. The bounds are factors of ``base_lr``.

.. math::

   \eta_t = \min\bigl(\max(\mathrm{inner}(t),\, m\,\eta_0),\, M\,\eta_0\bigr)

with :math:`m` the ``min_factor`` and :math:`M` the ``max_factor`` (no ceiling by default).
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
inner = lrspec.ExponentialLR(gamma=0.95)
spec = lrspec.Clip(inner=inner, min_factor=0.1)
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
assert min(ours) == spec.min_factor * base_lr

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(inner.trace(base_lr, steps), lw=1, ls="--", label="inner")
ax.plot(ours, lw=2, label="Clip (spec.trace)")
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
ax.axhline(spec.min_factor * base_lr, color="gray", ls=":", lw=1)
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``inner`` (required): a spec with a closed form.
# - ``min_factor=0.0``: the floor, a factor of ``base_lr`` >= 0.
# - ``max_factor=None``: the ceiling, a factor of ``base_lr`` > 0 and >= ``min_factor``;
#   None is no ceiling (``float("inf")`` is accepted and stored as None, so the spec stays
#   JSON and its ``repr`` parses).
#
# Anchors and quirks
# ------------------
# - optax ``exponential_decay(init, 1, rate, end_value=v)`` is
#   ``Clip(ExponentialLR(gamma=rate), min_factor=v / init)`` for ``rate < 1``.
# - HF's ``min_lr`` and timm's ``lr_min`` are floors built into one schedule; ``Clip`` puts
#   one under any schedule. It clips, it does not rescale: the decay reaches the floor and
#   stays there, rather than decaying *to* the floor (``Cosine(end_factor=...)`` does that).
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
