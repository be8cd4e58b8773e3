r"""
InverseSqrt: the inverse square-root decay, for runs of unknown length
======================================================================

The decay of the original Transformer and of HF's ``inverse_sqrt`` schedule: the lr falls
fast at first, then ever more slowly, and never reaches zero, so it needs no run length.
Use it after a warm-up (``Warmup(InverseSqrt(...), steps=...)``) when you may keep training.

.. math::

   f(t) = \sqrt{\frac{\tau}{t + \tau}}

with :math:`\tau` the ``timescale``: the factor is 1 at :math:`t = 0`, :math:`1/\sqrt 2`
at :math:`t = \tau` and 1/2 at :math:`t = 3\tau`. The lr is ``base_lr * f(t)``.
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
spec = lrspec.InverseSqrt(timescale=100)
steps = 1000
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
ax.plot(ours, lw=2, label="spec.trace")
ax.plot(range(0, steps + 1, 25), driven[::25], "o", ms=3.5, mfc="none", label="SpecLR in torch")
for k in (1, 3):
    ax.axvline(k * spec.timescale, color="gray", ls=":", lw=1)
ax.annotate("timescale", (spec.timescale, base_lr), xytext=(4, -12), textcoords="offset points")
ax.set(xlabel="step", ylabel="learning rate", title=repr(spec))
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``timescale=10_000``: the step count at which the factor is ``1/sqrt(2)``, an int >= 1.
#
# Anchors and conversions
# -----------------------
# - HF ``get_scheduler("inverse_sqrt", num_warmup_steps=w, timescale=s)`` is
#   ``Warmup(InverseSqrt(timescale=s), steps=w)``: after its warm-up HF computes
#   ``1 / sqrt((step - w + s) / s)``, this factor at the local step ``step - w``. HF's
#   ``timescale`` defaults to ``w`` (or 10 000 without warm-up).
# - The Transformer paper's ``d ** -0.5 * min(step ** -0.5, step * w ** -1.5)`` is, after
#   its warm-up, this curve with ``timescale = w`` and ``base_lr`` its value at ``w``.
# - torch has no twin; ``LambdaLR(lambda t: (s / (t + s)) ** 0.5)`` is the same curve
#   without the serialisable spec.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
