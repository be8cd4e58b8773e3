r"""
Exponential: multiply by rate every transition_steps
====================================================

Multiply the lr by ``rate`` every ``transition_steps`` steps, smoothly or in stairs
(``staircase=True``), optionally clipped at ``end_factor``: a floor when ``rate < 1``, a
ceiling when ``rate > 1`` (required then, so the lr never grows to infinity).

.. math::

   \eta_t = \eta_0 \cdot \operatorname{clip}\left(r^{\,t / n}\right)

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``, the peak), :math:`r` is
``rate``, :math:`n` is ``transition_steps`` (the exponent floored when ``staircase``) and the
clip is at ``end_factor``. The spec returns
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

base_lr, steps = 0.1, 50
spec = lrspec.Exponential(rate=0.5, transition_steps=10, end_factor=0.1)
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
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Stairs and growth
# -----------------
fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
for variant in (
    lrspec.Exponential(rate=0.5, transition_steps=10, staircase=True),
    lrspec.Exponential(rate=1.1, end_factor=2.0),
):
    ax.plot(variant.trace(base_lr, steps), label=repr(variant).replace("Exponential", ""))
ax.set(xlabel="step", ylabel="learning rate")
ax.legend(fontsize=7)
plt.show()

# %%
# Parameters
# ----------
# - ``rate`` (required): the factor per ``transition_steps``, a finite number > 0.
# - ``transition_steps=1``: an int >= 1.
# - ``staircase=False``: floor the exponent (decay in steps).
# - ``end_factor=None``: the floor (``rate < 1``, in [0, 1]) or ceiling (``rate >= 1``,
#   >= 1; required when ``rate > 1``).
#
# Anchors
# -------
# - optax ``exponential_decay(init_value, transition_steps, decay_rate, staircase=...,
#   end_value=...)``: ``end_factor = end_value / init_value``; optax's ``transition_begin``
#   is a :class:`~lrspec.Constant` joined before it.
# - Keras ``ExponentialDecay``; torch's ``ExponentialLR`` is ``transition_steps=1``.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
assert lrspec.parse(repr(spec)) == spec
