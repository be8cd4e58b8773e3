"""SpecLR in PyTorch Lightning: the length of the run, read from the ``Trainer``.

A :class:`~lrspec_torch.SpecLR` needs no adapter in Lightning. Return it from
``configure_optimizers`` like any torch scheduler; a metric-driven one (a
:class:`~lrspec_torch.MetricSpecLR`, which is also a torch ``ReduceLROnPlateau``) gets the
metric named by the ``"monitor"`` key. This module adds one thing:
:func:`resolution`, which reads the run's length from the ``Trainer`` so that a spec written
in epochs or as a fraction of training (``"2ep"``, ``"0.5dur"``) resolves to the run it
is in::

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.1)
        spec = lrspec.warmup_cosine("1ep", "1dur")
        sched = SpecLR(opt, spec, **resolution(self.trainer))
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

The module never imports Lightning: it reads the trainer's attributes, so importing it
needs neither Lightning nor torch. Install both with ``pip install "lrspec[lightning]"``. See
:doc:`/guides/lightning`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["resolution"]

_INTERVALS = ("step", "epoch")


def resolution(trainer: Any, interval: str = "step") -> dict[str, int]:
    """The :class:`~lrspec_torch.SpecLR` keywords that size a spec for a Lightning run.

    Call it inside ``configure_optimizers`` and pass the result on:
    ``SpecLR(optimizer, spec, **resolution(self.trainer, interval))``. ``interval`` must be
    the ``"interval"`` of the scheduler config you return. Lightning's default is
    ``"epoch"``, this function's is ``"step"``.

    * ``interval="step"`` (the scheduler steps after every optimizer step):
      ``steps_per_epoch`` is ``trainer.num_training_batches`` (batches per epoch, after
      ``limit_train_batches``), ``total_steps`` is ``trainer.estimated_stepping_batches``
      (the optimizer steps in the run, after ``max_epochs``, ``max_steps`` and gradient
      accumulation), and ``accumulation`` is ``trainer.accumulate_grad_batches``. An epoch
      is then ``ceil(batches / accumulation)`` optimizer steps, the count Lightning steps
      (it also steps on the last, partial accumulation of an epoch).
    * ``interval="epoch"`` (the scheduler steps once per epoch): one step per epoch, so
      ``steps_per_epoch`` and ``accumulation`` are 1 and ``total_steps`` is the number of
      epochs in the run: ``max_epochs``, or fewer when ``max_steps`` ends the run sooner.

    ``estimated_stepping_batches`` is read first. At ``configure_optimizers`` time Lightning
    has not loaded the train dataloader yet, so ``num_training_batches`` is still ``inf``;
    reading ``estimated_stepping_batches`` loads it, as Lightning documents. The scheduler
    config's ``"frequency"`` is assumed to be 1, Lightning's default. ``max_time`` can end a
    run sooner than planned, and the schedule is not shortened for it.

    Raises ValueError naming the trainer attribute, the rule and the value when the run's
    length is unknown. That happens with an unsized train dataloader (``num_training_batches``
    is ``inf``) or an unlimited run (``max_epochs=-1`` with no ``max_steps``). Write the spec
    in steps then, or pass ``total_steps=`` yourself. A bad ``interval`` also raises
    ValueError.

    >>> from types import SimpleNamespace
    >>> trainer = SimpleNamespace(  # (what Trainer(max_epochs=3) holds for 10 batches)
    ...     estimated_stepping_batches=15, num_training_batches=10,
    ...     accumulate_grad_batches=2, max_epochs=3, max_steps=-1)
    >>> resolution(trainer)
    {'steps_per_epoch': 10, 'total_steps': 15, 'accumulation': 2}
    >>> resolution(trainer, "epoch")
    {'steps_per_epoch': 1, 'total_steps': 3, 'accumulation': 1}
    """
    if not isinstance(interval, str) or interval not in _INTERVALS:
        raise ValueError(
            f"interval must be one of {_INTERVALS!r} (the scheduler config's 'interval'), "
            f"got {interval!r}"
        )
    if interval == "epoch" and _max_steps(trainer) == -1:
        epochs = _read(trainer, "max_epochs")
        return {
            "steps_per_epoch": 1,
            "total_steps": _count(
                "max_epochs", epochs, "the epochs in the run: set Trainer(max_epochs=...)"
            ),
            "accumulation": 1,
        }
    # Read first: it loads the train dataloader, which sets num_training_batches.
    steps = _count(
        "estimated_stepping_batches",
        _read(trainer, "estimated_stepping_batches"),
        "the optimizer steps in the run: bound it with max_epochs and a train dataloader "
        "that has a length, or with max_steps; the trainer has "
        f"max_epochs={getattr(trainer, 'max_epochs', None)!r}, "
        f"max_steps={getattr(trainer, 'max_steps', None)!r}",
    )
    batches = _count(
        "num_training_batches",
        _read(trainer, "num_training_batches"),
        "the batches per epoch: give the train dataloader a length, or write the spec in "
        "steps and pass total_steps yourself",
    )
    accumulation = _count(
        "accumulate_grad_batches", _read(trainer, "accumulate_grad_batches"), "an int"
    )
    if interval == "epoch":  # max_steps may end the run within an epoch: count that epoch
        per_epoch = -(-batches // accumulation)
        return {"steps_per_epoch": 1, "total_steps": -(-steps // per_epoch), "accumulation": 1}
    return {"steps_per_epoch": batches, "total_steps": steps, "accumulation": accumulation}


def _read(trainer: Any, name: str) -> Any:
    try:
        return getattr(trainer, name)
    except AttributeError:
        raise TypeError(
            f"trainer must be a Lightning Trainer (it has no {name!r}), got {trainer!r} "
            f"({type(trainer).__name__}); in configure_optimizers pass self.trainer"
        ) from None


def _max_steps(trainer: Any) -> Any:
    value = _read(trainer, "max_steps")
    return -1 if value is None else value


def _count(name: str, value: Any, what: str) -> int:
    """``value`` as an int >= 1, or ValueError naming ``trainer.<name>``, the rule and value."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and number >= 1:
            return int(number)
    raise ValueError(
        f"trainer.{name} must be a finite int >= 1 ({what}) to resolve a spec, got {value!r}"
    )
