r"""
CyclicLR: bounce the lr between two bounds (and momentum the other way)
=======================================================================

Cyclical learning rates (Smith, 2017): the lr ramps linearly from ``base_lr`` up to
``max_lr`` and back, over and over, while momentum moves the opposite way. Use it to
avoid tuning a single lr, or (``"triangular2"``, ``"exp_range"``) as a decay with periodic
boosts. It is usually stepped per *batch*, not per epoch.

With :math:`T = \text{step\_size\_up} + \text{step\_size\_down}`,
:math:`r = \text{step\_size\_up} / T`, :math:`c = \lfloor 1 + e / T \rfloor` and
:math:`x = 1 + e / T - c`:

.. math::

   s = \begin{cases} x / r & x \le r \\ (x - 1) / (r - 1) & x > r \end{cases}
   \qquad
   \eta_e = \eta_{\text{base}} + (\eta_{\max} - \eta_{\text{base}})\, s \cdot
            \text{scale}

   m_e = m_{\max} - (m_{\max} - m_{\text{base}})\, s \cdot \text{scale}

where scale is 1 (``"triangular"``), :math:`1 / 2^{c - 1}` (``"triangular2"``),
:math:`\gamma^{e}` (``"exp_range"``) or ``scale_fn(c)`` (``scale_fn(e)`` with
``scale_mode="iterations"``).
"""

# %%
# The spec and its trace
# ----------------------
# The lr is absolute: the spec's ``base_lr`` is the low bound, and the ``base_lr``
# argument of ``trace`` is ignored (torch overwrites the optimizer's lr too).
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

steps = 80
spec = lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10, mode="triangular2")
print(repr(spec))
ours = spec.trace(spec.base_lr, steps)
ours_momentum = spec.trace_momentum(steps)

# %%
# Torch's own values
# ------------------
# With ``cycle_momentum=True`` torch writes the momentum of SGD (or Adam's ``beta1``) on
# every step, so the momentum is recorded too.
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=spec.base_lr, momentum=0.9)
sched = to_torch(spec, opt)
theirs = [sched.get_last_lr()[0]]
theirs_momentum = [opt.param_groups[0]["momentum"]]
for _ in range(steps):
    opt.step()
    sched.step()
    theirs.append(sched.get_last_lr()[0])
    theirs_momentum.append(opt.param_groups[0]["momentum"])
gap = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
print(f"max |lrspec - torch| = {gap}")
assert ours == theirs
assert ours_momentum == theirs_momentum

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="lrspec trace")
ax.plot(theirs, "o", ms=3.5, mfc="none", label="torch")
ax.set(xlabel="step", ylabel="learning rate", title="CyclicLR, mode='triangular2'")
ax.legend()
plt.show()

# %%
# The momentum panel
# ------------------
# ``trace_momentum(steps)`` is the momentum torch writes, bit for bit: high when the lr is
# low, low when the lr is high.
gap = max(abs(a - b) for a, b in zip(ours_momentum, theirs_momentum, strict=True))
print(f"max |lrspec momentum - torch momentum| = {gap}")

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours_momentum, lw=2, color="C2", label="lrspec trace_momentum")
ax.plot(theirs_momentum, "o", ms=3.5, mfc="none", color="C1", label="torch")
ax.set(xlabel="step", ylabel="momentum", title="momentum, cycled against the lr")
ax.legend()
plt.show()

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``base_lr``, ``max_lr`` (required): the bounds (scalars; one spec per param group).
# - ``step_size_up=2000``, ``step_size_down=None`` (= ``step_size_up``): half-cycle lengths.
# - ``mode="triangular"``: or ``"triangular2"`` (halve the amplitude each cycle) or
#   ``"exp_range"`` (scale by ``gamma ** e``); ``gamma=1.0``.
# - ``scale_fn=None``, ``scale_mode="cycle"``: a custom amplitude scale, of the cycle
#   number or of the step (``"iterations"``).
# - ``cycle_momentum=True``, ``base_momentum=0.8``, ``max_momentum=0.9``.
#
# Quirks vs torch
# ---------------
# - With ``cycle_momentum=True`` torch sets SGD's momentum on every step, so a default
#   ``momentum=0`` silently becomes ``max_momentum`` (0.9).
# - If the optimizer already has an ``initial_lr`` (a second scheduler, a restored
#   optimizer), torch's lr at epoch 0 is that old value.
# - Torch ignores ``mode`` when ``scale_fn`` is given, and treats any ``scale_mode`` other
#   than ``"cycle"`` as iterations; the spec asks for valid names in both.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec


# %%
# A custom ``scale_fn`` is saved by its registered name, like a ``LambdaLR`` function.
def one_over_cycle(cycle):
    """Amplitude 1, 1/2, 1/3, ... per cycle."""
    return 1.0 / cycle


lrspec.register_function("gallery_cyclic_one_over_cycle", one_over_cycle)
custom = lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10, scale_fn=one_over_cycle)
data = lrspec.to_dict(custom)
print(json.dumps(data["scale_fn"]))
assert lrspec.from_dict(data) == custom
