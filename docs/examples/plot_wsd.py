r"""
wsd: warmup, stable, decay (a preset)
=====================================

Warmup-stable-decay (the "trapezoid"): ramp up, hold the peak for most of the run, then
cool down over a short final phase. The stable phase does not depend on the run length, so
a run can be extended, or branched into a cooldown from any checkpoint. ``lrspec.wsd`` is a
plain function that returns a composed spec: a :class:`~lrspec.Warmup` of a
:class:`~lrspec.Join` of a :class:`~lrspec.Constant` and the decay.

.. math::

   \eta_t = \eta_0 \,\mathrm{ramp}\!\left(\tfrac{t}{w}\right) \quad (t < w), \qquad
   \eta_t = \eta_0 \quad (w \le t < w + S), \qquad
   \eta_t = \eta_0 \left(e + (1 - e)\,\mathrm{d}(p)\right) \quad (t \ge w + S)

with :math:`p = \min(t - w - S,\ D) / D`, where :math:`\eta_0` is the peak (``base_lr``),
:math:`w`, :math:`S` and :math:`D` the ``warmup_steps``, ``stable_steps`` and
``decay_steps``, :math:`e` the ``end_factor``, :math:`\mathrm{ramp}` the ``warmup`` kind from
``start_factor`` to 1 (as in :class:`~lrspec.Warmup`) and :math:`\mathrm{d}(p)` the
``decay`` kind: :math:`\tfrac12(1 + \cos \pi p)` (cosine), :math:`1 - p` (linear) or
:math:`1 - \sqrt{p}` (1-sqrt).
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
spec = lrspec.wsd(warmup_steps=10, stable_steps=60, decay_steps=30)
steps = 110
print(repr(spec))  # what the preset is made of
print(spec.describe())  # the same, in one human line
print("total_steps:", spec.total_steps)  # the lr holds from this step on
assert spec == lrspec.Warmup(
    inner=lrspec.Join(
        schedules=[lrspec.Constant(), lrspec.Cosine(total_steps=30)], boundaries=[60]
    ),
    steps=10,
)
ours = spec.trace(base_lr, steps)

opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, spec)
driven = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    driven.append(sched.get_last_lr()[0])
assert driven == ours  # SpecLR writes the closed form, bit for bit
assert set(ours[10:71]) == {base_lr} and ours[100] == ours[steps] == 0.0

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="wsd(10, 60, 30) (spec.trace)")
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
for mark in (10, 70, 100):
    ax.axvline(mark, color="gray", ls=":", lw=1)
for x, text in [(0, "warmup"), (30, "stable"), (78, "decay")]:
    ax.annotate(text, (x, base_lr), xytext=(0, 4), textcoords="offset points")
ax.set_ylim(top=1.15 * base_lr)
ax.set(xlabel="step", ylabel="learning rate", title="lrspec.wsd")
ax.legend(fontsize="small", loc="lower left")
plt.show()

# %%
# Warmup and decay kinds
# ----------------------
# ``warmup`` picks the ramp (``"linear"``, ``"cosine"`` or ``"1-sqrt"``) and ``decay``
# the cooldown (``"cosine"``, ``"linear"`` or ``"1-sqrt"``: :class:`~lrspec.Cosine`,
# :class:`~lrspec.Linear` or :class:`~lrspec.OneMinusSqrt`); ``end_factor`` is the floor
# the decay ends at, and holds. Without a stable phase (``stable_steps=0``) the Join is
# left out.
fig, (left, right) = plt.subplots(1, 2, figsize=(6.4, 3.0), layout="constrained", sharey=True)
for kind in ["linear", "cosine", "1-sqrt"]:
    ramp = lrspec.wsd(30, 30, 40, warmup=kind)
    left.plot(ramp.trace(base_lr, steps), label=f"warmup={kind!r}")
for shape in ["cosine", "linear", "1-sqrt"]:
    tail = lrspec.wsd(10, 30, 60, decay=shape, end_factor=0.1)
    print(f"decay={shape!r}: {tail.inner.schedules[1]!r}")
    right.plot(tail.trace(base_lr, steps), label=f"decay={shape!r}")
    assert tail.lr(100, base_lr) == tail.lr(steps, base_lr) == 0.1 * base_lr
assert lrspec.wsd(10, 0, 30) == lrspec.Warmup(inner=lrspec.Cosine(total_steps=30), steps=10)
left.set(xlabel="step", ylabel="learning rate", title="wsd(30, 30, 40, warmup=...)")
right.set(xlabel="step", title="wsd(10, 30, 60, decay=..., end_factor=0.1)")
for axes in (left, right):
    axes.title.set_fontsize("small")
    axes.legend(fontsize="small")
plt.show()

# %%
# From Hugging Face transformers
# ------------------------------
# HF's ``get_wsd_schedule`` (``get_scheduler("warmup_stable_decay", ...)``) with
# ``num_warmup_steps``, ``num_stable_steps``, ``num_decay_steps``, ``warmup_type``
# (default ``"linear"``), ``decay_type`` (default ``"cosine"``) and ``min_lr_ratio``
# (default 0) is ``wsd(num_warmup_steps, num_stable_steps, num_decay_steps,
# warmup_type, decay_type)`` with ``min_lr_ratio`` as ``end_factor`` -- and as
# ``start_factor`` too: HF's warmup starts at ``min_lr_ratio``, not at 0. Without
# ``num_stable_steps`` the stable phase is what ``num_training_steps`` leaves.
# :func:`lrspec.from_hf` builds it from HF's own arguments, to equal specs, for every
# warmup and decay type:
for kind in ["linear", "cosine", "1-sqrt"]:
    for shape in ["cosine", "linear", "1-sqrt"]:
        hf_spec = lrspec.from_hf(
            "warmup_stable_decay",
            num_warmup_steps=10,
            num_stable_steps=60,
            num_decay_steps=30,
            warmup_type=kind,
            decay_type=shape,
            min_lr_ratio=0.05,
        )
        same = lrspec.wsd(10, 60, 30, kind, shape, start_factor=0.05, end_factor=0.05)
        assert hf_spec == same
from_n = lrspec.from_hf(
    "warmup_stable_decay", num_warmup_steps=10, num_training_steps=100, num_decay_steps=30
)
assert from_n == spec  # the stable phase: 100 - 10 - 30 = 60 steps

# %%
# From optax
# ----------
# optax has no WSD function; it is built with ``join_schedules`` of a
# ``linear_schedule(init_value, peak_value, w)``, a ``constant_schedule(peak_value)`` and
# the decay (``cosine_decay_schedule(peak_value, d, alpha)`` or ``linear_schedule(
# peak_value, end_value, d)``), with boundaries ``[w, w + s]``. That is ``wsd(w, s, d,
# decay="cosine" | "linear", init_value / peak_value, alpha)`` (``end_value / peak_value``
# for the linear decay) with ``base_lr = peak_value``, checked live against optax in
# ``tests/peers/test_optax_combinators.py``. The same blocks exist in lrspec, each one
# converted as its docstring says, and the Join of them traces ``wsd`` up to rounding:
peak_value, init_value, alpha = 3e-4, 3e-5, 0.1
joined = lrspec.Join(
    schedules=[
        lrspec.Linear(total_steps=10, start_factor=init_value / peak_value, end_factor=1.0),
        lrspec.Constant(),
        lrspec.Cosine(total_steps=30, end_factor=alpha),
    ],
    boundaries=[10, 70],
)
preset = lrspec.wsd(10, 60, 30, start_factor=init_value / peak_value, end_factor=alpha)
pairs = zip(joined.trace(peak_value, steps), preset.trace(peak_value, steps), strict=True)
gap = max(abs(a - b) for a, b in pairs)
print(f"max |Join of optax's blocks - wsd| = {gap:.1e}")
assert gap <= 1e-15 * peak_value

# %%
# Parameters
# ----------
# - ``warmup_steps`` (required): the ramp's length, an int >= 0 (0: no warmup).
# - ``stable_steps`` (required): the steps at ``base_lr``, an int >= 0 (0: no stable phase).
# - ``decay_steps`` (required): the cooldown's length, an int >= 1.
# - ``warmup="linear"``: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
# - ``decay="cosine"``: ``"cosine"``, ``"linear"`` or ``"1-sqrt"``.
# - ``start_factor=0.0``: the lr at step 0 as a factor of ``base_lr``.
# - ``end_factor=0.0``: the floor at the end of the decay, held after it.
#
# Anchors and quirks
# ------------------
# - It returns ``Warmup(inner=Join(schedules=[Constant(), <decay>],
#   boundaries=[stable_steps]), steps=warmup_steps, kind=warmup,
#   start_factor=start_factor)``; the run is ``warmup_steps + stable_steps + decay_steps``
#   steps long. See :ref:`Warmup <sphx_glr_auto_examples_plot_warmup.py>`,
#   :ref:`Join <sphx_glr_auto_examples_plot_join.py>` and
#   :ref:`OneMinusSqrt <sphx_glr_auto_examples_plot_one_minus_sqrt.py>`.
# - HF ``get_wsd_schedule``: ``start_factor = end_factor = min_lr_ratio``, as above. HF's
#   ``num_cycles`` other than 0.5 (a cosine decay that swings back up) has no ``wsd``
#   parameter; :func:`lrspec.from_hf` builds that one too.
# - optax: ``join_schedules`` of its linear, constant and decay schedules, as above.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
