r"""
MultiplicativeLR: each step multiplies the lr by a factor you compute
=====================================================================

Like ``ExponentialLR``, but the factor may change with the epoch: a decay that slows down
(or speeds up) as training goes on, or a factor of 1.0 on the epochs you want to skip.

.. math::

   \eta_e = \eta_0 \prod_{k=1}^{e} \lambda(k)

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``) and :math:`\lambda` is
``lr_lambda``. There is no closed form: ``spec.lr(e, base_lr)`` replays the product, in
torch's order, so it equals ``trace`` exactly.
"""

# %%
# The spec and its trace
# ----------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch


def fast_then_slow(epoch):
    """5 % less per epoch up to epoch 30, then only 1 %."""
    return 0.95 if epoch <= 30 else 0.99


lrspec.register_function("gallery_multiplicative_fast_then_slow", fast_then_slow)

base_lr, steps = 0.1, 80
spec = lrspec.MultiplicativeLR(lr_lambda=fast_then_slow)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
sched = to_torch(spec, opt)
theirs = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    theirs.append(sched.get_last_lr()[0])
gap = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
print(f"max |lrspec - torch| = {gap}")
assert ours == theirs
assert spec.lr(steps, base_lr) == ours[-1]  # the replayed "closed form" is exact too

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="lrspec trace")
ax.plot(theirs, "o", ms=3.5, mfc="none", label="torch")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``lr_lambda`` (required): a callable of the epoch returning the factor for that step.
#
# Quirks vs torch
# ---------------
# - The function is first called with epoch 1, not 0: the lr at epoch 0 is ``base_lr``.
# - In a ``SequentialLR``, a ``MultiplicativeLR`` that takes over at a milestone does not
#   restart at ``base_lr``: torch calls ``lr_lambda(0)`` and continues from the lr the
#   previous scheduler left. The spec reproduces this.
# - Torch also takes one callable per param group; a spec holds one (one spec per group).
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
