r"""
ReduceLROnPlateau: cut the lr when the validation loss stops improving
======================================================================

The one schedule driven by a metric, not by the epoch: when the monitored value has not
improved for ``patience`` steps, multiply the lr by ``factor``. Use it when you cannot
predict how long training takes, and you evaluate a validation metric every epoch.

A value :math:`a` is *better* than the best so far when (``mode="min"``,
``threshold_mode="rel"``)

.. math::

   a < \text{best} \cdot (1 - \text{threshold})

(``"abs"``: :math:`a < \text{best} - \text{threshold}`; ``mode="max"`` flips the
comparisons). After more than ``patience`` steps in a row without a better value,

.. math::

   \eta \leftarrow \max(\eta \cdot \text{factor},\ \text{min\_lr})
   \quad \text{if that lowers } \eta \text{ by more than eps},

and the next ``cooldown`` steps are not counted.
"""

# %%
# A made-up validation loss
# -------------------------
# A loss that drops quickly, then plateaus at a floor that depends on the lr (the noise
# of SGD: a smaller lr settles lower), plus some measurement noise. Each epoch evaluates
# the loss at the current lr and hands it to torch's scheduler.
import json
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, epochs = 0.1, 80
spec = lrspec.ReduceLROnPlateau(factor=0.5, patience=5)
print(repr(spec))
noise = np.random.default_rng(0).normal(0.0, 0.006, epochs)


def validation_loss(epoch, lr):
    return 0.1 + 2.0 * lr + 0.6 * math.exp(-epoch / 8) + float(noise[epoch])


opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
sched = to_torch(spec, opt)
theirs, losses = [sched.get_last_lr()[0]], []
for epoch in range(epochs):
    losses.append(validation_loss(epoch, opt.param_groups[0]["lr"]))
    opt.step()
    sched.step(losses[-1])
    theirs.append(sched.get_last_lr()[0])

# %%
# The spec's trace on the same metrics
# ------------------------------------
# A metric-driven spec has no ``lr(epoch)``; ``trace(base_lr, metrics=[...])`` gives the lr
# after each metric, bit for bit as torch.
ours = spec.trace(base_lr, metrics=losses)
gap = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
print(f"max |lrspec - torch| = {gap}")
assert ours == theirs
cuts = [k for k in range(1, epochs + 1) if ours[k] < ours[k - 1]]
print("the lr was cut at steps", cuts)

fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 4.8), sharex=True, layout="constrained")
top.plot(losses, color="C2", label="validation loss")
top.set(ylabel="loss")
top.legend()
bottom.plot(ours, lw=2, label="lrspec trace")
bottom.plot(theirs, "o", ms=3.5, mfc="none", label="torch")
bottom.set(xlabel="step", ylabel="learning rate", yscale="log")
bottom.legend()
for k in cuts:  # the metric that triggered each cut is the one at step k - 1
    top.axvline(k - 1, color="gray", ls=":", lw=1)
top.set_title("ReduceLROnPlateau(factor=0.5, patience=5)")
plt.show()

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``mode="min"``: ``"min"`` for a loss, ``"max"`` for an accuracy.
# - ``factor=0.1``: the cut, in (0, 1).
# - ``patience=10``: how many non-better steps to tolerate, an int >= 0.
# - ``threshold=1e-4`` and ``threshold_mode="rel"``: how much better counts as better.
# - ``cooldown=0``: steps to wait after a cut before counting again.
# - ``min_lr=0``: the floor (a scalar; one spec per param group).
# - ``eps=1e-8``: cuts smaller than this are skipped.
#
# Quirks vs torch
# ---------------
# - With a constant metric the first cut comes on the ``patience + 2``-th step: the first
#   step only sets ``best``.
# - NaN is never better, so every NaN step counts against the patience.
# - In ``"rel"`` mode a *negative* metric that got worse can count as better.
# - ``eps`` ends the cuts once they are tiny (lr 0.25 with factor 0.1 stalls at
#   2.5000000000000013e-09).
# - Torch accepts ``factor <= 0``; the spec asks for (0, 1).
#
# ``lr(epoch)`` has no meaning here, and says so:
try:
    spec.lr(10, base_lr)
except TypeError as err:
    print(f"TypeError: {err}")

# %%
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
