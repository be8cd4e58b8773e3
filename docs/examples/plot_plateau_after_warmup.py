r"""
Plateau after warmup: ReduceLROnPlateau inside a composition
============================================================

Warm up for a few epochs, then cut the lr whenever the validation loss stops improving.
torch cannot say this: its ``SequentialLR`` refuses ``ReduceLROnPlateau`` (pytorch#68978),
so users hand-write the switch. In lrspec a metric-driven spec is a child like any other of
:class:`~lrspec.Join`, :class:`~lrspec.Warmup`, :class:`~lrspec.Product` and
:class:`~lrspec.Clip`; the composition is then metric-driven itself.

With the warmup over ``w`` steps and the plateau starting at step ``w``:

.. math::

   \eta_t = \eta_0 \tfrac{t}{w} \quad (t < w), \qquad
   \eta_w = \eta_0, \qquad
   \eta_{t+1} = \mathrm{plateau}(\eta_t, m_{t+1}) \quad (t \ge w)

where :math:`m_{t}` is the metric passed with step :math:`t`. The plateau child starts at
its own step 0 at the hand-off (from the lr there) and counts its patience from then on:
the metric of the step that reaches ``w`` goes to no one, as for a ``ReduceLROnPlateau``
created at step ``w`` in a hand-written loop.
"""

# %%
# The spec, driven by the validation loss
# ---------------------------------------
import json
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import lrspec
from lrspec_torch import SpecLR

base_lr, epochs, w = 0.1, 80, 10
spec = lrspec.Join(
    schedules=[
        lrspec.Warmup(inner=lrspec.Constant(), steps=w),
        lrspec.ReduceLROnPlateau(factor=0.5, patience=5),
    ],
    boundaries=[w],
)
print(repr(spec))
assert spec.metric_driven and not spec.closed_form
noise = np.random.default_rng(0).normal(0.0, 0.006, epochs)


def validation_loss(epoch, lr):
    """A made-up loss: it drops, then settles at a floor that a smaller lr lowers."""
    return 0.1 + 2.0 * lr + 0.6 * math.exp(-epoch / 8) + float(noise[epoch])


opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
sched = SpecLR(opt, spec)
lrs, losses = [sched.get_last_lr()[0]], []
for epoch in range(epochs):
    losses.append(validation_loss(epoch, opt.param_groups[0]["lr"]))
    opt.step()
    sched.step(losses[-1])
    lrs.append(sched.get_last_lr()[0])

# the same lrs from the spec alone, given the same metrics
assert spec.trace(base_lr, metrics=losses) == lrs
assert lrs[:w] == [base_lr * (t / w) for t in range(w)] and lrs[w] == base_lr

# %%
# The loop users write by hand today
# ----------------------------------
# A ``LambdaLR`` warmup, then, at step ``w``, the lr reset and a ``ReduceLROnPlateau``
# built from there: the lrs are the spec's, bit for bit.
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=0.9)
warm = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: t / w)
by_hand, plateau = [opt.param_groups[0]["lr"]], None
for step, loss in enumerate(losses, start=1):
    opt.step()
    if step < w:
        warm.step()
    elif step == w:
        opt.param_groups[0]["lr"] = base_lr
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=5)
    else:
        plateau.step(loss)
    by_hand.append(opt.param_groups[0]["lr"])
assert by_hand == lrs

fig, (ax, bx) = plt.subplots(2, 1, figsize=(6.4, 4.8), sharex=True, layout="constrained")
ax.plot(lrs, lw=2, label="Join(Warmup, ReduceLROnPlateau)")
ax.plot(range(0, epochs + 1, 3), by_hand[::3], "o", ms=3.5, mfc="none", label="hand-written loop")
ax.axvline(w, color="gray", ls=":", lw=1)
ax.set(ylabel="learning rate", title="warmup, then reduce on plateau")
ax.legend(fontsize="small")
bx.plot(range(1, epochs + 1), losses, lw=1.5, color="C2")
bx.set(xlabel="epoch", ylabel="validation loss")
plt.show()

# %%
# Cosine cut by each plateau
# --------------------------
# Inside a :class:`~lrspec.Product` every child is a factor of ``base_lr`` (it runs on a
# base of 1.0), so the lr is the cosine's shape, halved at each plateau. (The plateau's
# ``min_lr`` and ``eps`` are then factors of ``base_lr`` too.)
cut = lrspec.Product(
    schedules=[lrspec.Cosine(total_steps=epochs), lrspec.ReduceLROnPlateau(factor=0.5, patience=5)]
)
flat_losses = [0.3] * epochs  # a loss that never improves: a cut every 7 steps
cut_lrs = cut.trace(base_lr, metrics=flat_losses)
plateau_alone = lrspec.ReduceLROnPlateau(factor=0.5, patience=5).trace(1.0, metrics=flat_losses)
cosine = lrspec.Cosine(total_steps=epochs)
assert cut_lrs == [base_lr * cosine.lr(t, 1.0) * plateau_alone[t] for t in range(epochs + 1)]

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(cosine.trace(base_lr, epochs), lw=1, ls="--", label="Cosine alone")
ax.plot(cut_lrs, lw=2, label="Product(Cosine, ReduceLROnPlateau)")
ax.set(xlabel="step", ylabel="learning rate", title="a flat loss: cut every patience + 2 steps")
ax.legend(fontsize="small")
plt.show()

# %%
# What it cannot do, and why
# --------------------------
# A metric-driven composition has no closed form: ``lr(t)`` raises, saying where the
# metric-driven part is; ``trace`` needs the metrics. ``Stretch`` and ``Cycle`` evaluate a
# child at steps of their own choosing, and ``Warmup(prefix=False)`` would ramp to an lr
# that depends on metrics not seen yet: they refuse a metric-driven child.
try:
    spec.lr(20, base_lr)
except TypeError as exc:
    print(exc)
try:
    lrspec.Warmup(inner=lrspec.ReduceLROnPlateau(), steps=5, prefix=False)
except ValueError as exc:
    print(exc)

# %%
# Checkpoints
# -----------
# ``SpecLR.state_dict()`` holds the plateau's state (best, bad epochs, cooldown) and the
# step of every part, as plain numbers: it loads with ``torch.load(weights_only=True)`` and
# the resumed run continues exactly (``tests/torch/test_metric_compositions.py`` resumes
# generated compositions in a fresh process).
state = sched.state_dict()
print(json.dumps(state["twins"][0], indent=1))
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
