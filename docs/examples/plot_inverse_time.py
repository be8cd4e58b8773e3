r"""
InverseTime: Keras' inverse-time decay, smooth or in stairs
===========================================================

A decay slower than exponential: the lr falls like :math:`1/t` for large :math:`t` and never
reaches zero. Use it to port a Keras ``InverseTimeDecay`` recipe, or where an exponential
decay gets too small too soon; ``staircase=True`` holds it flat for ``decay_steps`` at a
time.

.. math::

   f(t) = \frac{1}{1 + r\, t / d}
   \qquad\text{or, with a staircase,}\qquad
   f(t) = \frac{1}{1 + r \lfloor t / d \rfloor}

with :math:`r` the ``rate`` and :math:`d` the ``decay_steps``. The lr is ``base_lr * f(t)``.
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
smooth = lrspec.InverseTime(decay_steps=50, rate=1.0)
stairs = lrspec.InverseTime(decay_steps=50, rate=1.0, staircase=True)
steps = 400
print(repr(smooth))
print(repr(stairs))

opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, stairs)
driven = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    driven.append(sched.get_last_lr()[0])
assert driven == stairs.trace(base_lr, steps)  # SpecLR writes the closed form, bit for bit

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(smooth.trace(base_lr, steps), lw=2, label="staircase=False")
ax.plot(stairs.trace(base_lr, steps), lw=2, label="staircase=True")
ax.plot(range(0, steps + 1, 10), driven[::10], "o", ms=3.5, mfc="none", label="SpecLR in torch")
ax.set(xlabel="step", ylabel="learning rate", title="InverseTime(decay_steps=50, rate=1.0)")
ax.legend()
plt.show()

# %%
# Parameters
# ----------
# - ``decay_steps`` (required): the step count that one unit of ``rate`` is spread over, an
#   int >= 1.
# - ``rate`` (required): how fast it falls, a finite number >= 0: after ``decay_steps``
#   steps the factor is ``1 / (1 + rate)``; ``rate=0`` is a constant.
# - ``staircase=False``: floor ``t / decay_steps``, so the factor drops only at multiples of
#   ``decay_steps``.
#
# Anchors and conversions
# -----------------------
# - Keras ``InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase)``:
#   ``base_lr = initial_learning_rate``, ``rate = decay_rate``, the rest as is. Keras takes
#   any positive ``decay_steps``; the spec wants a whole step count.
# - torch has no twin; ``LambdaLR(lambda t: 1 / (1 + rate * t / decay_steps))`` is the same
#   curve without the serialisable spec.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(stairs)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == stairs
