r"""
OneCycleLR: one warm-up to max_lr, then a long anneal far below the start
=========================================================================

The 1cycle policy (Smith & Topin, 2018): start at ``max_lr / div_factor``, rise to
``max_lr`` over the first ``pct_start`` of the run, then anneal to
``max_lr / div_factor / final_div_factor``; momentum moves the opposite way. Use it for a
fixed budget of steps, stepped per batch: it often trains fast at high peak lrs.

With :math:`\eta_{\text{init}} = \eta_{\max} / \text{div\_factor}`,
:math:`\eta_{\text{end}} = \eta_{\text{init}} / \text{final\_div\_factor}` and :math:`T`
total steps, the phases end at steps :math:`p_1 = \text{pct\_start}\cdot T - 1` and
:math:`p_2 = T - 1`. Within a phase :math:`[a, b]` going from :math:`u` to :math:`v`
(``anneal_strategy="cos"``):

.. math::

   \eta_e = v + \frac{u - v}{2} \left(\cos\left(\pi \frac{e - a}{b - a}\right) + 1\right)

(``"linear"``: :math:`\eta_e = u + (v - u)\frac{e - a}{b - a}`). The lr goes
:math:`\eta_{\text{init}} \to \eta_{\max} \to \eta_{\text{end}}` and momentum
``max_momentum`` :math:`\to` ``base_momentum`` :math:`\to` ``max_momentum``.
``three_phase=True`` adds a symmetric descent to :math:`\eta_{\text{init}}` before the
final anneal.
"""

# %%
# The spec and its trace
# ----------------------
# The lr is absolute: the ``base_lr`` argument of ``trace`` is ignored (torch overwrites
# ``initial_lr`` with ``max_lr / div_factor``). The schedule spans steps 0 to
# ``total_steps - 1``.
import json

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import to_torch

base_lr = 0.1
spec = lrspec.OneCycleLR(max_lr=0.1, total_steps=100)
steps = spec.total_steps - 1
print(repr(spec))
ours = spec.trace(base_lr, steps)
ours_momentum = spec.trace_momentum(steps)

# %%
# Torch's own values
# ------------------
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
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
ax.set(xlabel="step", ylabel="learning rate", title="OneCycleLR(max_lr=0.1, total_steps=100)")
ax.legend()
plt.show()

# %%
# The momentum panel
# ------------------
gap = max(abs(a - b) for a, b in zip(ours_momentum, theirs_momentum, strict=True))
print(f"max |lrspec momentum - torch momentum| = {gap}")

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours_momentum, lw=2, color="C2", label="lrspec trace_momentum")
ax.plot(theirs_momentum, "o", ms=3.5, mfc="none", color="C1", label="torch")
ax.set(xlabel="step", ylabel="momentum", title="momentum, annealed against the lr")
ax.legend()
plt.show()

# %%
# One step too many
# -----------------
# Torch allows exactly one more step, to ``total_steps``, and then *extrapolates* the last
# phase: the cosine climbs back up (a linear anneal would go negative). The spec
# reproduces it; a further step is an error in both.
extrapolated = spec.trace(base_lr, spec.total_steps)[-1]
print(f"lr at step {steps}: {ours[-1]!r}; at step {spec.total_steps}: {extrapolated!r}")

# %%
# Parameters (torch's defaults)
# -----------------------------
# - ``max_lr`` (required): the peak lr.
# - ``total_steps=None``, or ``epochs=None`` and ``steps_per_epoch=None``: the length.
# - ``pct_start=0.3``: the fraction of the run spent rising.
# - ``anneal_strategy="cos"``: or ``"linear"``.
# - ``cycle_momentum=True``, ``base_momentum=0.85``, ``max_momentum=0.95``.
# - ``div_factor=25.0``, ``final_div_factor=1e4``: the start and end lrs, as divisors.
# - ``three_phase=False``.
#
# Quirks vs torch
# ---------------
# - The extrapolation above.
# - ``pct_start=0`` starts in the middle of the anneal.
# - Torch rejects an int ``pct_start`` and divides by zero when a phase has no length
#   (``pct_start * total_steps == 1``); the spec takes ints and rejects empty phases. It
#   also checks that ``total_steps`` equals ``epochs * steps_per_epoch`` when all are given
#   (torch ignores the latter two).
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
