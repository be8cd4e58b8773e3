r"""
LambdaLR: the lr is base_lr times any function of the epoch
===========================================================

The escape hatch: when no built-in schedule has the shape you want, write the multiplier
as a plain Python function of the epoch. Common uses are a warm-up followed by a decay,
or the inverse-square-root schedule of transformer training.

.. math::

   \eta_e = \eta_0 \, \lambda(e)

where :math:`\eta_0` is the optimizer's initial lr (``base_lr``) and :math:`\lambda` is
``lr_lambda``. The value is absolute: it never depends on the lr of the previous step.
"""

# %%
# The spec and its trace
# ----------------------
# A spec that holds a function can be saved only when the function has a name:
# :func:`lrspec.register_function` gives it one (and makes the ``repr`` readable).
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch


def warmup_then_decay(epoch):
    """Linear warm-up over 10 epochs, then 5 % less each epoch."""
    return min(1.0, (epoch + 1) / 10) * 0.95 ** max(0, epoch - 9)


lrspec.register_function("gallery_lambda_warmup_decay", warmup_then_decay)

base_lr, steps = 0.1, 60
spec = lrspec.LambdaLR(lr_lambda=warmup_then_decay)
print(repr(spec))
ours = spec.trace(base_lr, steps)

# %%
# Torch's own values
# ------------------
# Torch's ``LambdaLR`` built from the spec, stepped the usual way: the sequences are equal
# bit for bit.
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
# Parameters (torch's defaults)
# -----------------------------
# - ``lr_lambda`` (required): a callable of the epoch (an int) returning the multiplier.
#
# Quirks vs torch
# ---------------
# - Torch applies ``lr_lambda(0)`` already when the scheduler is built, so the first lr
#   is ``base_lr * lr_lambda(0)`` (here 0.01, not 0.1).
# - The value is absolute in ``base_lr``: inside a ``ChainedScheduler`` it overwrites
#   whatever the schedulers before it did.
# - Torch also takes a list of callables, one per param group; a spec holds one callable
#   (give each group its own spec).
#
# The spec as JSON
# ----------------
# The function is stored by its registered name; loading looks the name up in the
# registry and never imports or evaluates anything.
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
