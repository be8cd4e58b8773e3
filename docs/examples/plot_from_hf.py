r"""
from_hf: Hugging Face transformers' schedulers as specs
=======================================================

``transformers.get_scheduler(name, optimizer, num_warmup_steps, num_training_steps,
scheduler_specific_kwargs)`` wraps an lr function in a ``LambdaLR``.
:func:`lrspec.from_hf` takes the same name and numbers, without importing transformers,
and returns the spec equal in value to it, built from lrspec's public blocks
(:class:`~lrspec.Warmup`, :class:`~lrspec.Join`, :class:`~lrspec.Cycle` and the shapes),
so its ``repr`` says what HF's function computes. Most names are a linear warmup over
:math:`W` steps followed by a decay over the :math:`D = N - W` steps that remain:

.. math::

   \eta_t = \eta_0\,\tfrac{t}{W} \quad (t < W), \qquad
   \eta_t = \eta_0\, g\!\left(\tfrac{t - W}{D}\right) \quad (t \ge W)

where :math:`\eta_0` is the optimizer's lr (``base_lr``), :math:`W` is
``num_warmup_steps``, :math:`N` is ``num_training_steps`` and :math:`g` the name's decay,
from 1 at progress 0 to its floor at progress 1.
"""

# %%
# The spec, driving a torch optimizer
# -----------------------------------
import json
import math

import matplotlib.pyplot as plt
import torch

import lrspec
from lrspec_torch import SpecLR

base_lr, W, N = 0.1, 10, 100
steps = N + 20  # past num_training_steps too
spec = lrspec.from_hf("cosine", num_warmup_steps=W, num_training_steps=N)
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
ax.plot(ours, lw=2, label='from_hf("cosine", ...) (spec.trace)')
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
for mark, text in [(W, "W"), (N, "N")]:
    ax.axvline(mark, color="gray", ls=":", lw=1)
    ax.annotate(text, (mark, base_lr), xytext=(4, 4), textcoords="offset points")
ax.set_ylim(top=1.15 * base_lr)
ax.set(xlabel="step", ylabel="learning rate", title="HF's cosine schedule with warmup")
ax.legend(fontsize="small", loc="lower left")
plt.show()

# %%
# Every name, side by side
# ------------------------
# ``lrspec.HF_SCHEDULERS`` lists the names ``from_hf`` maps. Each one below is built with
# ``num_warmup_steps=10, num_training_steps=100`` and a few of HF's
# ``scheduler_specific_kwargs``, printed as what it is made of, driven through
# ``SpecLR`` (bit for bit its trace again) and plotted up to step 120.
# ``reduce_lr_on_plateau`` is metric-driven and comes further down. ``polynomial`` takes
# HF's absolute ``lr_end``, so it needs ``base_lr`` (see below).
kwargs = {
    "linear": {},
    "cosine": {},
    "cosine_with_restarts": {"num_cycles": 3},
    "polynomial": {"lr_end": 1e-3, "power": 2.0, "base_lr": base_lr},
    "constant": {},
    "constant_with_warmup": {},
    "inverse_sqrt": {},
    "cosine_with_min_lr": {"min_lr_rate": 0.1},
    "cosine_warmup_with_min_lr": {"min_lr_rate": 0.1},
    "warmup_stable_decay": {"num_decay_steps": 30, "min_lr_ratio": 0.1},
}
assert set(kwargs) == set(lrspec.HF_SCHEDULERS) - {"reduce_lr_on_plateau"}
specs = {}
for name, extra in kwargs.items():
    specs[name] = lrspec.from_hf(name, num_warmup_steps=W, num_training_steps=N, **extra)
    print(f"{name}:\n    {specs[name]!r}")

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = SpecLR(opt, specs[name])
    lrs = [sched.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs == specs[name].trace(base_lr, steps), name

fig, axes = plt.subplots(5, 2, figsize=(6.4, 9.0), layout="constrained", sharex=True)
for ax, (name, each) in zip(axes.flat, specs.items(), strict=True):
    ax.plot(each.trace(base_lr, steps), lw=1.5)
    for mark in (W, N):
        ax.axvline(mark, color="gray", ls=":", lw=1)
    ax.set_ylim(-0.005, 0.105)
    ax.set_title(name, fontsize="small")
for ax in axes[-1]:
    ax.set_xlabel("step")
fig.suptitle("from_hf(name, num_warmup_steps=10, num_training_steps=100, ...)", fontsize="small")
plt.show()

# %%
# HF's quirks, reproduced
# -----------------------
# ``from_hf`` reproduces what HF computes inside its window, quirks included:
#
# - ``cosine_warmup_with_min_lr`` runs one step early: its warmup is ``(t + 1) / W``, so
#   it starts at ``base_lr / W``, reaches the peak at ``W - 1``, reaches its floor at
#   ``N - 1`` and swings back up from ``N`` on (a :class:`~lrspec.Join` of an
#   :class:`~lrspec.Interpolate` ramp and a :class:`~lrspec.Cycle` wave).
# - ``cosine_with_restarts`` restarts hard at the peak every ``D / num_cycles`` steps and
#   is 0 from ``N`` on.
# - ``warmup_stable_decay`` starts its warmup at ``min_lr_ratio``, not at 0.
early, plain = specs["cosine_warmup_with_min_lr"], specs["cosine_with_min_lr"]
floor = 0.1 * base_lr
assert math.isclose(early.lr(0, base_lr), base_lr / W)
assert early.lr(W - 1, base_lr) == base_lr and plain.lr(W, base_lr) == base_lr
assert math.isclose(early.lr(N - 1, base_lr), floor) and early.lr(N, base_lr) > floor
assert plain.lr(N, base_lr) == plain.lr(steps, base_lr) == floor  # this one holds
restarts = specs["cosine_with_restarts"]
assert restarts.lr(W + 30, base_lr) == restarts.lr(W + 60, base_lr) == base_lr
assert restarts.lr(N, base_lr) == 0.0
assert specs["warmup_stable_decay"].lr(0, base_lr) == floor

fig, (start, end) = plt.subplots(1, 2, figsize=(6.4, 3.0), layout="constrained")
for name, style in [("cosine_with_min_lr", "-o"), ("cosine_warmup_with_min_lr", "--s")]:
    trace = specs[name].trace(base_lr, steps)
    start.plot(range(0, 14), trace[:14], style, ms=3, label=name)
    end.plot(range(N - 6, N + 8), trace[N - 6 : N + 8], style, ms=3, label=name)
start.axvline(W, color="gray", ls=":", lw=1)
end.axvline(N, color="gray", ls=":", lw=1)
start.set(xlabel="step", ylabel="learning rate", title="the warmup (W = 10)")
end.set(xlabel="step", title="the end (N = 100)")
start.legend(fontsize="x-small")
plt.show()

# %%
# Where HF reads the optimizer's lr: pass ``base_lr``
# ---------------------------------------------------
# A spec stores factors of ``base_lr``; HF's ``polynomial`` (``lr_end``) and the min-lr
# cosines (``min_lr``) take absolute lrs, which HF divides by the optimizer's lr. Pass that
# lr as ``base_lr``: the spec stores ``value / base_lr``, so trace it (or build the
# optimizer) with the same lr. Without it, ``from_hf`` says so:
try:
    lrspec.from_hf("polynomial", num_warmup_steps=W, num_training_steps=N, lr_end=1e-3)
except ValueError as err:
    print(err)
    assert "base_lr" in str(err)
else:
    raise AssertionError("polynomial with lr_end built without base_lr")
poly = specs["polynomial"]
assert math.isclose(poly.inner.end_factor, 1e-3 / base_lr)
assert math.isclose(poly.lr(N, base_lr), 1e-3)
by_lr = lrspec.from_hf(
    "cosine_with_min_lr", num_warmup_steps=W, num_training_steps=N, min_lr=0.01, base_lr=base_lr
)
assert math.isclose(by_lr.inner.end_factor, specs["cosine_with_min_lr"].inner.end_factor)

# %%
# ``reduce_lr_on_plateau``
# ------------------------
# HF's ``reduce_lr_on_plateau`` is torch's ``ReduceLROnPlateau``, and so is the spec: the
# twin, with the same keywords (see
# :ref:`ReduceLROnPlateau <sphx_glr_auto_examples_plot_reduce_lr_on_plateau.py>`). Drive
# it with ``sched.step(metric)``.
plateau = lrspec.from_hf("reduce_lr_on_plateau", factor=0.5, patience=2)
print(repr(plateau))
assert plateau == lrspec.ReduceLROnPlateau(factor=0.5, patience=2)
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, plateau)
for loss in [1.0, 0.9, 0.9, 0.9, 0.9]:
    opt.step()
    sched.step(loss)
assert sched.get_last_lr() == [0.05]  # no improvement for more than 2 epochs: halved

# %%
# Checked against transformers
# ----------------------------
# This page does not import transformers. ``tests/peers/test_hf.py`` does: for every name
# in ``lrspec.HF_SCHEDULERS`` it builds ``transformers.get_scheduler(name, ...)`` on a real
# torch optimizer over generated configs (every keyword HF takes for the name) and
# compares it with ``from_hf(name, ...).trace(base_lr, N)`` over steps ``0 .. N``
# (relative 1e-12); ``reduce_lr_on_plateau`` is stepped with the same metrics and must
# write the same lrs, bit for bit. It also pins the quirks above on HF itself.
#
# Parameters
# ----------
# - ``name`` (required): one of ``lrspec.HF_SCHEDULERS`` (or HF's ``SchedulerType``).
#   ``"greedy"`` (HF's GreedyLR) has no lrspec twin: ValueError.
# - ``num_warmup_steps=None``, ``num_training_steps=None``: as in ``get_scheduler``; a
#   name that needs one and lacks it is a ValueError, and the names that decay need
#   ``num_training_steps > num_warmup_steps``.
# - ``base_lr=None``: the optimizer's lr, needed where HF reads it (``lr_end``,
#   ``min_lr``).
# - ``**scheduler_specific_kwargs``: every keyword HF's function for the name takes; an
#   unknown one is a TypeError (HF silently ignores extra keywords for ``constant`` and
#   ``constant_with_warmup``).
#
# Anchors and quirks
# ------------------
# - ``linear``, ``cosine``, ``cosine_with_min_lr``: ``Warmup`` of ``Linear`` / ``Cosine``;
#   ``cosine`` is :ref:`warmup_cosine <sphx_glr_auto_examples_plot_warmup_cosine.py>`
#   ``(W, N)``, ``warmup_stable_decay`` is :ref:`wsd <sphx_glr_auto_examples_plot_wsd.py>`.
# - Past ``N``, ``cosine`` and ``cosine_with_min_lr`` with ``num_cycles=0.5`` hold their
#   floor where HF's cosine swings back up (lrspec's rule for finite schedules); every
#   other wave continues as HF's does. Inside ``[0, N]`` they are equal.
# - ``cosine_with_restarts`` restarts at the exact steps ``j * D / num_cycles``; from
#   ``num_cycles = 22`` on, HF's rounding misses some of those restarts by one step.
# - A ``num_cycles`` other than 0.5 is HF's wave, a ``Cycle`` of a cosine
#   ``Interpolate``; a negative one is its absolute value (the cosine is even).
#
# The spec as JSON
# ----------------
# Every spec ``from_hf`` returns saves and loads like any other; here the most composite.
for each in specs.values():
    assert lrspec.from_dict(lrspec.to_dict(each)) == each
data = lrspec.to_dict(specs["cosine_warmup_with_min_lr"])
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == specs["cosine_warmup_with_min_lr"]
