r"""
Cycle: any schedule with warm restarts, growing and decaying
============================================================

Replay a schedule again and again: SGDR's cosine restarts, but over any shape. Each cycle
may last ``period_mul`` times longer than the one before and peak ``decay`` times lower,
and after ``limit`` cycles the lr holds.

.. math::

   \eta_t = \eta_0 \left(m_f + d^{\,i}\,\bigl(f(\tau / p_m^{\,i}) - m_f\bigr)\right)

in cycle :math:`i`, which starts at :math:`S_i = P\,(1 + p_m + \dots + p_m^{\,i-1})` and
lasts :math:`P\,p_m^{\,i}`; :math:`\tau = t - S_i` is the local step, :math:`f` the inner
schedule's factor, :math:`P` the ``period``, :math:`p_m` the ``period_mul``, :math:`d` the
``decay`` and :math:`m_f` the ``floor``.
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
spec = lrspec.Cycle(
    inner=lrspec.Cosine(total_steps=20, end_factor=0.05), period=20, period_mul=2, decay=0.7
)
steps = 140
print(repr(spec))
print(spec.describe())  # the same, in one human line
print("boundaries:", spec.boundaries)  # None: no limit, it restarts forever
ours = spec.trace(base_lr, steps)

opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, spec)
driven = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    driven.append(sched.get_last_lr()[0])
assert driven == ours  # SpecLR writes the closed form, bit for bit

# without growth or decay, a cosine cycle is torch's CosineAnnealingWarmRestarts
sgdr = lrspec.Cycle(inner=lrspec.Cosine(total_steps=20), period=20, period_mul=2)
torch_twin = lrspec.CosineAnnealingWarmRestarts(T_0=20, T_mult=2)
pairs = zip(sgdr.trace(base_lr, steps), torch_twin.trace(base_lr, steps), strict=True)
gap = max(abs(a - b) for a, b in pairs)
print(f"max |Cycle - CosineAnnealingWarmRestarts| = {gap:.1e}")
assert gap < 1e-12

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(sgdr.trace(base_lr, steps), lw=1, ls="--", label="period_mul=2 (SGDR)")
ax.plot(ours, lw=2, label="period_mul=2, decay=0.7 (spec.trace)")
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
for start in sorted(spec.landmarks(steps)):
    ax.axvline(start, color="gray", ls=":", lw=1)
ax.set(xlabel="step", ylabel="learning rate", title="Cycle(Cosine(total_steps=20))")
ax.legend(fontsize="small")
plt.show()

# %%
# Parameters
# ----------
# - ``inner`` (required): a spec with a closed form whose lr scales with ``base_lr``; cycle
#   0 replays it over ``[0, period)``.
# - ``period`` (required): the first cycle's length, a number > 0 (fractional allowed).
# - ``period_mul=1.0``: each cycle's length over the one before, >= 1.
# - ``decay=1.0``: each cycle's height over the one before (above ``floor``), > 0.
# - ``floor=0.0``: the factor the decay leaves alone, >= 0.
# - ``limit=None``: the number of cycles, after which the lr holds the end of the last one.
#
# Anchors and quirks
# ------------------
# - torch ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)``: ``Cycle(inner=Cosine(
#   total_steps=T_0, end_factor=eta_min / base_lr), period=T_0, period_mul=T_mult)``.
# - Keras ``CosineDecayRestarts(first, t_mul, m_mul, alpha)``: ``Cycle(inner=Cosine(
#   total_steps=first, end_factor=alpha), period=first, period_mul=t_mul, decay=m_mul,
#   floor=alpha)``; ``floor`` is not decayed, like Keras' ``alpha``.
# - timm's ``cycle_mul``, ``cycle_decay``, ``cycle_limit``: ``period_mul``, ``decay``,
#   ``limit``. timm decays only the peak (``lr_min + (decay**i * base - lr_min) * c``),
#   which agrees when ``lr_min = 0`` or ``cycle_decay = 1``.
# - A step within ``1e-9 * period`` of a computed cycle start counts as the new cycle, so a
#   fractional period (HF's hard restarts every ``N / k`` steps) restarts where it should.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
