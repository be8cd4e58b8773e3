r"""
warmup_cosine: a linear warmup, then a cosine decay (a preset)
==============================================================

The most common schedule for training transformers: ramp the lr up linearly from
``start_factor`` to the peak, then let it fall along half a cosine to ``end_factor`` at
``total_steps``, and hold it there. ``lrspec.warmup_cosine`` is a plain function that
returns a composed spec, a :class:`~lrspec.Warmup` of a :class:`~lrspec.Cosine`, so it saves,
loads and prints as what it is made of.

.. math::

   \eta_t = \eta_0 \left(s + (1 - s)\,\tfrac{t}{w}\right) \quad (t < w), \qquad
   \eta_t = \eta_0 \left(e + (1 - e)\left(\tfrac{1 + \cos \pi p}{2}\right)^{x}\right)
   \quad (t \ge w)

with :math:`p = \min(t - w,\ T - w) / (T - w)`, where :math:`\eta_0` is the peak
(``base_lr``), :math:`w` the ``warmup_steps``, :math:`T` the ``total_steps`` (warmup
included), :math:`s` the ``start_factor``, :math:`e` the ``end_factor`` and :math:`x` the
``exponent``.
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
spec = lrspec.warmup_cosine(warmup_steps=10, total_steps=100)
steps = 120
print(repr(spec))  # what the preset is made of
print(spec.describe())  # the same, in one human line
print("total_steps:", spec.total_steps)  # the lr holds from this step on
assert spec == lrspec.Warmup(inner=lrspec.Cosine(total_steps=90), steps=10)
ours = spec.trace(base_lr, steps)

opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
sched = SpecLR(opt, spec)
driven = [sched.get_last_lr()[0]]
for _ in range(steps):
    opt.step()
    sched.step()
    driven.append(sched.get_last_lr()[0])
assert driven == ours  # SpecLR writes the closed form, bit for bit
assert ours[10] == base_lr and ours[100] == ours[steps] == 0.0  # the peak, then held at 0

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.plot(ours, lw=2, label="warmup_cosine(10, 100) (spec.trace)")
ax.plot(range(0, steps + 1, 4), driven[::4], "o", ms=3.5, mfc="none", label="SpecLR in torch")
for mark, text in [(10, "warmup_steps"), (100, "total_steps")]:
    ax.axvline(mark, color="gray", ls=":", lw=1)
    ax.annotate(text, (mark, base_lr), xytext=(4, 4), textcoords="offset points")
ax.set_ylim(top=1.15 * base_lr)
ax.set(xlabel="step", ylabel="learning rate", title="lrspec.warmup_cosine")
ax.legend(fontsize="small")
plt.show()

# %%
# Varying the parameters
# ----------------------
# ``start_factor`` lifts the start of the ramp, ``end_factor`` is the floor the cosine
# decays to (and holds), and ``exponent`` (optax's) raises the cosine term to a power:
# above 1 it falls sooner, below 1 it stays high for longer. Every variant is still a
# ``Warmup`` of a ``Cosine``.
variants = {
    "defaults": lrspec.warmup_cosine(10, 100),
    "start_factor=0.2": lrspec.warmup_cosine(10, 100, start_factor=0.2),
    "end_factor=0.1": lrspec.warmup_cosine(10, 100, end_factor=0.1),
    "exponent=2.0": lrspec.warmup_cosine(10, 100, exponent=2.0),
    "exponent=0.5": lrspec.warmup_cosine(10, 100, exponent=0.5),
}
for label, variant in variants.items():
    print(f"{label:>16}: {variant!r}")
    assert isinstance(variant, lrspec.Warmup) and isinstance(variant.inner, lrspec.Cosine)
assert variants["end_factor=0.1"].lr(100, base_lr) == 0.1 * base_lr
assert variants["start_factor=0.2"].lr(0, base_lr) == 0.2 * base_lr

fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
for label, variant in variants.items():
    ax.plot(variant.trace(base_lr, steps), lw=2 if label == "defaults" else 1, label=label)
ax.set(xlabel="step", ylabel="learning rate", title="warmup_cosine(10, 100, ...)")
ax.legend(fontsize="small")
plt.show()

# %%
# From optax
# ----------
# optax's ``warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps,
# decay_steps, end_value, exponent)`` returns absolute lrs, and its ``decay_steps`` counts
# the warmup too. It is ``warmup_cosine(warmup_steps, decay_steps, init_value /
# peak_value, end_value / peak_value, exponent)`` traced with ``base_lr = peak_value``.
# The test suite checks this live against optax (``tests/peers/test_optax_combinators.py``);
# here, the anchors of optax's schedule:
init_value, peak_value, end_value = 1e-5, 3e-4, 3e-6
from_optax = lrspec.warmup_cosine(
    10, 100, init_value / peak_value, end_value / peak_value, exponent=1.0
)
print(repr(from_optax))
assert from_optax.lr(0, peak_value) == init_value
assert from_optax.lr(10, peak_value) == peak_value
assert abs(from_optax.lr(100, peak_value) - end_value) < 1e-15 * peak_value

# %%
# From Hugging Face transformers
# ------------------------------
# HF's ``get_cosine_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps)``
# (``get_scheduler("cosine", ...)``) is ``warmup_cosine(num_warmup_steps,
# num_training_steps)``, and ``cosine_with_min_lr`` with ``min_lr_rate`` is the same with
# ``end_factor=min_lr_rate``. :func:`lrspec.from_hf` builds both from HF's own arguments,
# to equal specs (see :ref:`sphx_glr_auto_examples_plot_from_hf.py`):
assert lrspec.from_hf("cosine", num_warmup_steps=10, num_training_steps=100) == spec
hf_min_lr = lrspec.from_hf(
    "cosine_with_min_lr", num_warmup_steps=10, num_training_steps=100, min_lr_rate=0.1
)
assert hf_min_lr == lrspec.warmup_cosine(10, 100, end_factor=0.1)

# %%
# Parameters
# ----------
# - ``warmup_steps`` (required): the length of the linear ramp, an int >= 0 (0: no ramp,
#   the cosine from step 0).
# - ``total_steps`` (required): the whole run, warmup included, an int > ``warmup_steps``;
#   the cosine lasts ``total_steps - warmup_steps`` steps.
# - ``start_factor=0.0``: the lr at step 0 as a factor of ``base_lr``.
# - ``end_factor=0.0``: the floor the cosine reaches at ``total_steps`` (optax's
#   ``end_value / peak_value``, HF's ``min_lr_rate``).
# - ``exponent=1.0``: the power of the cosine term (optax's ``exponent``), > 0.
#
# Anchors and quirks
# ------------------
# - It returns ``Warmup(inner=Cosine(total_steps=total_steps - warmup_steps,
#   end_factor=end_factor, exponent=exponent), steps=warmup_steps,
#   start_factor=start_factor)``: no class exists only to name the combination, so the
#   saved form is the :ref:`Warmup <sphx_glr_auto_examples_plot_warmup.py>` of a
#   :ref:`Cosine <sphx_glr_auto_examples_plot_cosine.py>`.
# - optax ``warmup_cosine_decay_schedule``: as above, with ``base_lr = peak_value``.
# - HF ``cosine`` / ``get_cosine_schedule_with_warmup``: equal within ``[0,
#   num_training_steps]``; past it HF's cosine swings back up, the spec holds its floor.
# - The lr holds ``end_factor * base_lr`` from ``total_steps`` on.
#
# The spec as JSON
# ----------------
data = lrspec.to_dict(spec)
print(json.dumps(data, indent=2))
assert lrspec.from_dict(data) == spec
