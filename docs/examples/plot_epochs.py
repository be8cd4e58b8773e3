r"""
A spec written in epochs: one schedule for any dataset size
===========================================================

A schedule written in steps is tied to one dataset and one batch size: halve the batch and
the warm-up ends after half an epoch. Write its lengths in epochs (``"1ep"``,
:class:`lrspec.Epochs`) or as a fraction of the run (``"0.9dur"``, :class:`lrspec.Fraction`)
and let :func:`lrspec.resolve` (or :class:`~lrspec_torch.SpecLR`) turn them into steps once
the run's length is known.

.. math::

   \mathrm{steps}(n\,\mathrm{ep}) = \left\lceil n \cdot
   \left\lceil \tfrac{\mathrm{steps\_per\_epoch}}{\mathrm{accumulation}} \right\rceil
   \right\rceil, \qquad
   \mathrm{steps}(x\,\mathrm{dur}) = \lceil x \cdot \mathrm{total\_steps} \rceil

computed exactly on the decimals as written, rounded up where the field holds an int.
"""

# %%
# The spec, written in epochs
# ---------------------------
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import SpecLR

epochs = 10
spec = lrspec.SequentialLR(
    schedulers=[
        lrspec.LinearLR(start_factor=0.01, total_iters="1ep"),
        lrspec.CosineAnnealingLR(T_max="9ep"),
    ],
    milestones=["1ep"],
)
print(repr(spec))

# %%
# Resolved for three data loaders
# -------------------------------
# ``steps_per_epoch`` counts batches; with gradient accumulation an epoch takes
# ``ceil(steps_per_epoch / accumulation)`` optimizer steps. Plotted against the epoch, the
# three resolved schedules lie on one curve.
base_lr = 0.1
runs = [
    {"steps_per_epoch": 50},
    {"steps_per_epoch": 120},
    {"steps_per_epoch": 120, "accumulation": 4},
]
fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
for quantities in runs:
    resolved = lrspec.resolve(spec, **quantities)
    per_epoch = resolved.milestones[0]
    steps = epochs * per_epoch
    trace = resolved.trace(base_lr, steps)
    label = ", ".join(f"{k}={v}" for k, v in quantities.items()) + f": {steps} steps"
    ax.plot([t / per_epoch for t in range(steps + 1)], trace, lw=1.5, label=label)
ax.set(xlabel="epoch", ylabel="learning rate", title="one spec, three dataset sizes")
ax.legend(fontsize="small")
plt.show()

# %%
# SpecLR resolves for you
# -----------------------
# Give it the quantities; it runs the resolved spec, bit for bit, and keeps both forms.
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, spec, steps_per_epoch=50)
driven = [sched.get_last_lr()[0]]
for _ in range(epochs * 50):
    opt.step()
    sched.step()
    driven.append(sched.get_last_lr()[0])
assert driven == lrspec.resolve(spec, steps_per_epoch=50).trace(base_lr, epochs * 50)
print(sched.spec)

# %%
# Evaluating it before it is resolved is an error naming the field
# ----------------------------------------------------------------
try:
    spec.lr(0, base_lr)
except ValueError as error:
    print(error)

# %%
# The spec as JSON
# ----------------
# Units are saved in their text form, so a config can write them by hand.
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
assert lrspec.parse(repr(spec)) == spec
