"""SpecLR in the Hugging Face ``Trainer``: the spec it would build, and its run's length.

The ``Trainer`` needs no glue to run a :class:`~lrspec_torch.SpecLR`: pass it with its
optimizer, ``Trainer(..., optimizers=(opt, SpecLR(opt, spec)))``. The Trainer then builds
no scheduler of its own, steps the SpecLR once after each optimizer step, saves and loads
its ``state_dict`` in its checkpoints, and -- for a metric-driven spec, whose SpecLR is a
torch ``ReduceLROnPlateau`` -- calls ``step(metrics["eval_" + metric_for_best_model])``
after each evaluation instead. This module adds three small functions that read a
``TrainingArguments``; transformers is never imported here (they read its attributes), so
``import lrspec_torch.hf`` works without it:

- :func:`from_training_args`: the spec the Trainer would have built from
  ``lr_scheduler_type``, ``warmup_steps``, ``lr_scheduler_kwargs`` and ``learning_rate``
  (through :func:`lrspec.from_hf`), to run as it is or to change as a value;
- :func:`resolution`: SpecLR's ``steps_per_epoch``, ``total_steps`` and ``accumulation`` for
  the run the Trainer will make, for specs written in ``"2ep"`` / ``"0.5dur"``;
- :func:`check_scheduler`: before ``train()``, the mistakes the Trainer reports late or
  never (a metric-driven scheduler without ``metric_for_best_model`` or without
  evaluations; a SpecLR resolved for another run length).

Written against transformers 5.25.0 (and checked live with it in
``tests/torch/test_hf_trainer*.py``); install with ``pip install "lrspec[hf]"``. The guide:
:doc:`/guides/hf-trainer`.

>>> from types import SimpleNamespace
>>> args = SimpleNamespace(  # (a transformers.TrainingArguments in a real run)
...     lr_scheduler_type="cosine", warmup_steps=0.1, lr_scheduler_kwargs=None,
...     learning_rate=3e-4, per_device_train_batch_size=8, gradient_accumulation_steps=2,
...     dataloader_drop_last=False, max_steps=-1, num_train_epochs=2,
... )
>>> resolution(args, train_size=1000)
{'steps_per_epoch': 125, 'total_steps': 126, 'accumulation': 2}
>>> from_training_args(args, num_training_steps=126).steps  # ceil(126 * 0.1)
13
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import lrspec

__all__ = ["check_scheduler", "from_training_args", "resolution"]

#: The HF names whose scheduler the Trainer builds from the optimizer alone (``constant``) or
#: with ``num_warmup_steps`` alone (``constant_with_warmup``): it ignores
#: ``lr_scheduler_kwargs`` for them, where :func:`lrspec.from_hf` refuses any.
_IGNORES_KWARGS = ("constant", "constant_with_warmup")


def from_training_args(
    args: Any, num_training_steps: int, *, base_lr: float | None = None
) -> lrspec.Schedule:
    """The spec of the scheduler the ``Trainer`` would build for ``args``, as a value.

    ``Trainer.create_scheduler`` calls ``get_scheduler(args.lr_scheduler_type, optimizer,
    num_warmup_steps=args.get_warmup_steps(N), num_training_steps=N,
    scheduler_specific_kwargs=args.lr_scheduler_kwargs)`` with ``N`` the run's optimizer
    steps (``resolution(args, len(train_set))["total_steps"]``); this returns
    :func:`lrspec.from_hf` of the same numbers, with ``base_lr=args.learning_rate`` (the lr
    the Trainer's own optimizer gets; HF's absolute ``lr_end`` / ``min_lr`` are divided by
    it). Run it as ``SpecLR(opt, spec)`` with an optimizer at that lr, or pass ``base_lr``
    for another.

    The warmup is ``args.get_warmup_steps(N)`` when ``args`` has that method (it is what
    the Trainer calls); for an object without it, transformers 5.x's rule: ``warmup_steps``
    >= 1 is a number of steps (``int(warmup_steps)``, truncated), below 1 a ratio of ``N``,
    ``math.ceil(N * warmup_steps)`` in floats (so 0.07 of 100 steps is 8). transformers 5 has
    no ``warmup_ratio``. As in HF, ``constant`` ignores the warmup, and
    ``reduce_lr_on_plateau`` ignores both the warmup and ``N``.

    The lrs equal the Trainer's own scheduler's within :func:`lrspec.from_hf`'s tolerance
    (relative 1e-12; bit for bit for several names), with its few documented deviations
    (all past ``N`` or in HF's rounding). Bad input raises naming the field: an
    ``lr_scheduler_kwargs`` key the scheduler does not take is a TypeError -- even for
    ``constant`` and ``constant_with_warmup``, whose kwargs the Trainer silently ignores --
    and ``greedy`` (GreedyLR) has no lrspec twin: ValueError.

    >>> from types import SimpleNamespace
    >>> args = SimpleNamespace(lr_scheduler_type="linear", warmup_steps=2,
    ...                        lr_scheduler_kwargs={}, learning_rate=0.1)
    >>> spec = from_training_args(args, num_training_steps=6)
    >>> spec == lrspec.Warmup(inner=lrspec.Linear(total_steps=4), steps=2)
    True
    """
    n = _int("num_training_steps", num_training_steps, 1)
    name = _field(args, "lr_scheduler_type")
    if not isinstance(name, str):  # HF's SchedulerType is a str enum
        raise TypeError(
            f"args.lr_scheduler_type must be an HF scheduler name (a str), got {name!r} "
            f"({type(name).__name__})"
        )
    key = str(getattr(name, "value", name))
    kwargs = _scheduler_kwargs(args)
    if base_lr is None:
        lr = _real("args.learning_rate", _field(args, "learning_rate"))
    else:
        lr = _real("base_lr", base_lr)
    warmup = _warmup_steps(args, n)
    if key in _IGNORES_KWARGS and kwargs:
        raise TypeError(
            f"args.lr_scheduler_kwargs must be empty for lr_scheduler_type={key!r}, got "
            f"{kwargs!r}: HF's {key!r} scheduler takes none (the Trainer silently ignores "
            "them; lrspec refuses them, so a typo never passes)"
        )
    try:
        return lrspec.from_hf(
            key, num_warmup_steps=warmup, num_training_steps=n, base_lr=lr, **kwargs
        )
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{exc} (from args.lr_scheduler_type={key!r}, lr_scheduler_kwargs={kwargs!r}, "
            f"warmup_steps={_field(args, 'warmup_steps')!r} -> num_warmup_steps={warmup}, "
            f"num_training_steps={n})"
        ) from None


def resolution(args: Any, train_size: int | None) -> dict[str, int | None]:
    """SpecLR's resolution keywords for the run the ``Trainer`` makes with ``args``.

    ``SpecLR(opt, spec, **resolution(args, len(train_set)))`` resolves ``"2ep"`` and
    ``"0.5dur"`` as that run counts them -- the keys are ``SpecLR.resolution``'s:

    - ``steps_per_epoch``: the batches per epoch, ``len(trainer.get_train_dataloader())``:
      ``ceil(train_size / args.train_batch_size)``, or rounded down with
      ``dataloader_drop_last``; None for a train set without a length (``train_size=None``,
      which needs ``max_steps > 0``, as in the Trainer);
    - ``total_steps``: the Trainer's ``max_steps``, its optimizer steps: ``args.max_steps``
      when > 0, else ``ceil(args.num_train_epochs * ceil(batches / accumulation))`` -- the
      last, partial accumulation of an epoch steps the optimizer, as lrspec counts an epoch;
    - ``accumulation``: ``args.gradient_accumulation_steps``.

    It reproduces a single-process run (checked live against transformers 5.25's
    ``Trainer.set_initial_training_values`` and its dataloader). A run whose batch count
    the Trainer decides at run time is refused with ValueError: several processes
    (``args.world_size > 1``: each process's loader is a shard), ``auto_find_batch_size``,
    ``train_sampling_strategy="batch_rebalance"``. There, pass SpecLR the numbers yourself:
    ``steps_per_epoch`` is the length of one process's train dataloader, ``total_steps``
    the Trainer's ``max_steps``.

    >>> from types import SimpleNamespace
    >>> args = SimpleNamespace(per_device_train_batch_size=4, gradient_accumulation_steps=2,
    ...                        dataloader_drop_last=False, max_steps=-1, num_train_epochs=3)
    >>> resolution(args, train_size=17)  # 5 batches, 3 optimizer steps per epoch
    {'steps_per_epoch': 5, 'total_steps': 9, 'accumulation': 2}
    """
    accumulation = _int("args.gradient_accumulation_steps", args.gradient_accumulation_steps, 1)
    world = getattr(args, "world_size", 1)
    if world != 1:
        raise ValueError(
            f"resolution() reproduces a single-process run; args.world_size is {world!r}: pass "
            "SpecLR steps_per_epoch=<batches in one process's train dataloader> and "
            "total_steps=<the Trainer's max_steps> yourself"
        )
    if getattr(args, "auto_find_batch_size", False):
        raise ValueError(
            "resolution() cannot know the batch size: args.auto_find_batch_size is True (the "
            "Trainer shrinks the batch size at run time, which changes the batches per epoch)"
        )
    strategy = getattr(args, "train_sampling_strategy", None)
    if str(getattr(strategy, "value", strategy)) == "batch_rebalance":
        raise ValueError(
            "resolution() cannot count batches for args.train_sampling_strategy="
            "'batch_rebalance' (its sampler decides the batches); pass SpecLR's "
            "steps_per_epoch and total_steps yourself"
        )
    max_steps = _int("args.max_steps", args.max_steps, None)
    if train_size is None:
        if max_steps <= 0:
            raise ValueError(
                "args.max_steps must be > 0 for a train set without a length (train_size=None), "
                f"as the Trainer requires, got {max_steps!r}"
            )
        return {"steps_per_epoch": None, "total_steps": max_steps, "accumulation": accumulation}
    size = _int("train_size", train_size, 0)
    batch_size = getattr(args, "train_batch_size", None)
    if batch_size is None:  # TrainingArguments.train_batch_size: per device, times n_gpu
        batch_size = args.per_device_train_batch_size
    batch = _int("args.train_batch_size", batch_size, 1)
    drop_last = bool(getattr(args, "dataloader_drop_last", False))
    batches = size // batch if drop_last else -(-size // batch)
    if batches == 0:
        raise ValueError(
            f"train_size must give at least one batch, got {size} examples in batches of "
            f"{batch} (dataloader_drop_last={drop_last}): the Trainer would have nothing to "
            "train on"
        )
    updates_per_epoch = -(-batches // accumulation)
    if max_steps > 0:
        total = max_steps
    else:
        epochs = _real("args.num_train_epochs", args.num_train_epochs)
        total = math.ceil(epochs * updates_per_epoch)  # the Trainer's float expression
    return {"steps_per_epoch": batches, "total_steps": total, "accumulation": accumulation}


def check_scheduler(args: Any, scheduler: object, *, train_size: int | None = None) -> None:
    """Raise ValueError for a scheduler the ``Trainer`` would mis-drive with ``args``.

    Call it before ``trainer.train()``. A scheduler the Trainer treats as a plateau
    scheduler (a torch ``ReduceLROnPlateau``, as a metric-driven
    :class:`~lrspec_torch.SpecLR` is) is stepped only after an evaluation, with
    ``metrics["eval_" + args.metric_for_best_model]``; it needs:

    - ``args.metric_for_best_model`` (``"loss"``, or a key your ``compute_metrics``
      returns): transformers 5.25 fails at the first evaluation without it, with
      ``AttributeError: 'NoneType' object has no attribute 'startswith'``;
    - an ``args.eval_strategy`` other than ``"no"``: without evaluations the Trainer never
      steps it, and the lr never changes (silently).

    With ``train_size`` (the train set's length), a :class:`~lrspec_torch.SpecLR` written in
    units is also checked to be resolved as the Trainer's run counts them
    (:func:`resolution`): a SpecLR built without
    ``accumulation=args.gradient_accumulation_steps``, say, turns ``"1ep"`` into batches where
    the run counts optimizer steps.
    """
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    from lrspec_torch._scheduler import SpecLR

    if isinstance(scheduler, ReduceLROnPlateau):
        name = type(scheduler).__name__
        strategy = getattr(args, "eval_strategy", "no")
        if str(getattr(strategy, "value", strategy)) == "no":
            raise ValueError(
                f"args.eval_strategy must not be 'no' for a metric-driven scheduler ({name}): "
                "the Trainer steps it only after an evaluation, so its lr would never change; "
                "set eval_strategy='steps' (with eval_steps) or 'epoch', and an eval_dataset"
            )
        if getattr(args, "metric_for_best_model", None) is None:
            raise ValueError(
                f"args.metric_for_best_model must be set for a metric-driven scheduler ({name}): "
                "the Trainer steps it with metrics['eval_' + metric_for_best_model] after each "
                "evaluation, and fails without one (AttributeError: 'NoneType' object has no "
                "attribute 'startswith'); set metric_for_best_model='loss' (or a key your "
                "compute_metrics returns)"
            )
    if train_size is None or not isinstance(scheduler, SpecLR):
        return
    if scheduler.written_specs == scheduler.specs:
        return  # no units: nothing depends on the run's length
    expected = resolution(args, train_size)
    for written, running in zip(scheduler.written_specs, scheduler.specs, strict=True):
        try:
            wanted = lrspec.resolve(
                written,
                steps_per_epoch=expected["steps_per_epoch"],
                total_steps=expected["total_steps"],
                accumulation=expected["accumulation"] or 1,
            )
        except ValueError as exc:
            raise ValueError(f"the spec cannot be resolved for this Trainer run: {exc}") from None
        if wanted != running:
            raise ValueError(
                f"the SpecLR was resolved with {scheduler.resolution!r} to {running!r}, but this "
                f"Trainer run has {expected!r}, which resolves {written!r} to {wanted!r}: build "
                "it with SpecLR(optimizer, spec, **lrspec_torch.hf.resolution(args, train_size))"
            )


# --- reading TrainingArguments ----------------------------------------------------------------


def _field(args: Any, name: str) -> Any:
    try:
        return getattr(args, name)
    except AttributeError:
        raise TypeError(
            f"args must be a transformers.TrainingArguments (or have its fields), got "
            f"{type(args).__name__} without {name!r}"
        ) from None


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _int(name: str, value: Any, ge: int | None) -> int:
    if not _is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if ge is not None and value < ge:
        raise ValueError(f"{name} must be >= {ge}, got {value!r}")
    return int(value)


def _real(name: str, value: Any) -> float:
    """A finite real number > 0."""
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return float(value)


def _scheduler_kwargs(args: Any) -> dict[str, Any]:
    kwargs = getattr(args, "lr_scheduler_kwargs", None)
    if kwargs is None:
        return {}
    if not isinstance(kwargs, dict):
        raise TypeError(
            f"args.lr_scheduler_kwargs must be a dict (or None), got {kwargs!r} "
            f"({type(kwargs).__name__})"
        )
    return dict(kwargs)


def _warmup_steps(args: Any, n: int) -> int:
    """``args.get_warmup_steps(n)``, or transformers 5.x's rule for it."""
    value = _field(args, "warmup_steps")
    if not _is_real(value):
        raise TypeError(
            f"args.warmup_steps must be a real number, got {value!r} ({type(value).__name__})"
        )
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(
            "args.warmup_steps must be finite and >= 0 (>= 1: steps; below 1: a ratio of "
            f"num_training_steps), got {value!r}"
        )
    method = getattr(args, "get_warmup_steps", None)
    steps = method(n) if callable(method) else (int(value) if value >= 1 else math.ceil(n * value))
    return _int(f"args.get_warmup_steps({n})", steps, 0)
