r"""
SWALR: anneal to a constant lr for stochastic weight averaging
==============================================================

Stochastic weight averaging (Izmailov et al., 2018) averages the weights seen over the
last part of training, at a constant, fairly high lr. ``SWALR`` anneals from the current
lr to that ``swa_lr`` over ``anneal_epochs``, then holds it. Switch to it when the
averaging phase starts (``torch.optim.swa_utils.AveragedModel`` does the averaging).

.. math::

   \eta_e = \eta_{\text{swa}}\, \alpha + \eta_0\, (1 - \alpha), \qquad
   \alpha = f\!\left(\min\left(\frac{e}{\text{anneal\_epochs}}, 1\right)\right)

where :math:`\eta_0` is the lr when SWALR starts (``base_lr``),
:math:`f(t) = (1 - \cos \pi t) / 2` for ``"cos"`` and :math:`f(t) = t` for ``"linear"``;
``anneal_epochs=0`` gives ``swa_lr`` from epoch 0 on.
"""

# %%
# The spec and its trace
# ----------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, steps = 0.1, 40
spec = lrspec.SWALR(swa_lr=0.01, anneal_epochs=20)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
# Torch lives in ``torch.optim.swa_utils``, not ``lr_scheduler``; ``to_torch`` knows.
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

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="lrspec trace")
ax.plot(theirs, "o", ms=3.5, mfc="none", label="torch")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# ``trace`` vs ``lr``
# -------------------
# Torch does not evaluate the blend directly: each step it un-blends the previous lr and
# blends again, which loses a little precision. ``trace`` replays that bit for bit; the
# closed form ``lr`` agrees to rounding.
closed = [spec.lr(e, base_lr) for e in range(steps + 1)]
print(f"max |lr - trace| = {max(abs(a - b) for a, b in zip(closed, ours, strict=True)):.1e}")

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``swa_lr`` (required): the lr to anneal to and hold, a finite number >= 0 (a scalar;
#   one spec per param group).
# - ``anneal_epochs=10``: the length of the anneal, an int >= 0.
# - ``anneal_strategy="cos"``: or ``"linear"``.
#
# Quirks vs torch
# ---------------
# - Torch counts its own steps, not the epoch: ``step(epoch)`` ignores the epoch.
# - A change made to the lr from outside is folded into the next blend instead of being
#   overwritten.
# - In a ``SequentialLR``, SWALR anneals from the lr the previous scheduler left, not from
#   ``base_lr``: usually what you want when the SWA phase follows a decay.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
