r"""
ConstantLR: a lower lr for the first few epochs, then the full one
==================================================================

A cautious start: train at ``factor * base_lr`` for ``total_iters`` epochs, then jump to
``base_lr``. Alone it is a crude warm-up; it is more often one piece of a
``SequentialLR`` or ``ChainedScheduler``.

.. math::

   \eta_e = \begin{cases}
      \eta_0 \cdot \text{factor} & e < \text{total\_iters} \\
      \eta_0 & e \ge \text{total\_iters}
   \end{cases}

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``).
"""

# %%
# The spec and its trace
# ----------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr, steps = 0.1, 30
spec = lrspec.ConstantLR(factor=0.1, total_iters=10)
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

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="lrspec trace")
ax.plot(theirs, "o", ms=3.5, mfc="none", label="torch")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# The reciprocal undo
# -------------------
# Torch ends the window by multiplying the lr by ``1.0 / factor``, which is not always the
# exact inverse of multiplying by ``factor``: after the window the lr is not bit-equal to
# ``base_lr``. ``trace`` reproduces torch; the closed form ``lr`` gives the textbook value.
print(f"trace after the window: {ours[-1]!r}")
print(f"spec.lr({steps}, {base_lr}):  {spec.lr(steps, base_lr)!r}")

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``factor=1/3``: the multiplier during the window, in (0, 1].
# - ``total_iters=5``: the length of the window in epochs, an int >= 1.
#
# Quirks vs torch
# ---------------
# - The reciprocal undo above (factor 0.1, 0.7, 0.9 or 1/7 leave an ulp; 1/3 and 0.3 not).
# - Torch accepts ``factor=0`` (then divides by zero when the window ends) and
#   ``total_iters=0`` (then applies the factor and never undoes it); the spec rejects both.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
