"""``lrspec_torch.hf`` read against transformers 5.25.0's own computations, and its errors.

- ``test_resolution_is_the_trainers``: ``hf.resolution(args, n)`` gives the batches per
  epoch of the Trainer's train dataloader and the ``max_steps`` that
  ``Trainer.set_initial_training_values`` computes (and passes to ``create_scheduler``),
  over batch sizes, accumulation, ``dataloader_drop_last``, epochs or ``max_steps``; a train
  set without a length too.
- ``test_warmup_is_the_trainers``: the warmup ``from_training_args`` uses is
  ``TrainingArguments.get_warmup_steps`` (steps, truncated; a ratio, rounded up in floats),
  and the rule used for an object without that method gives the same numbers.
- ``test_check_scheduler_*`` and ``test_*_errors``: bad input raises, naming the argument,
  the rule and the value.
- ``test_import_needs_no_transformers``: ``import lrspec_torch.hf`` imports neither
  transformers nor torch.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from transformers import Trainer, TrainingArguments
from transformers.trainer_utils import SchedulerType

import lrspec
from lrspec_torch import SpecLR, hf


def make_args(out: Path, **kwargs: Any) -> TrainingArguments:
    settings: dict[str, Any] = {
        "output_dir": str(out),
        "report_to": "none",
        "use_cpu": True,
        "disable_tqdm": True,
        "learning_rate": 0.1,
    }
    settings.update(kwargs)
    return TrainingArguments(**settings)


class Sized(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"x": torch.zeros(3), "labels": torch.zeros(1)}


class Stream(torch.utils.data.IterableDataset[dict[str, torch.Tensor]]):
    def __iter__(self) -> Any:
        while True:
            yield {"x": torch.zeros(3), "labels": torch.zeros(1)}


def trainers_numbers(args: TrainingArguments, dataset: Any) -> tuple[int | None, int]:
    """(len of the Trainer's train dataloader, the max_steps it would train and schedule)."""
    trainer = Trainer(model=torch.nn.Linear(3, 1), args=args, train_dataset=dataset)
    loader = trainer.get_train_dataloader()
    max_steps = trainer.set_initial_training_values(args, loader)[-1]
    length = len(loader) if isinstance(dataset, Sized) else None
    return length, max_steps


GRID = [
    # (train size, batch size, accumulation, drop_last, {max_steps or num_train_epochs})
    (16, 4, 1, False, {"num_train_epochs": 3}),
    (17, 4, 1, False, {"num_train_epochs": 2.5}),
    (17, 4, 1, True, {"num_train_epochs": 2.5}),
    (17, 4, 3, False, {"num_train_epochs": 3}),  # 5 batches: 2 optimizer steps an epoch
    (17, 4, 3, True, {"num_train_epochs": 1.5}),
    (23, 5, 2, False, {"num_train_epochs": 0.7}),
    (23, 5, 2, False, {"max_steps": 7}),
    (9, 10, 4, False, {"num_train_epochs": 2}),  # one short batch
    (100, 3, 7, True, {"num_train_epochs": 1.1}),
]


@pytest.mark.parametrize(("size", "batch", "accumulation", "drop_last", "length"), GRID)
def test_resolution_is_the_trainers(
    tmp_path: Path, size: int, batch: int, accumulation: int, drop_last: bool, length: Any
) -> None:
    args = make_args(
        tmp_path,
        per_device_train_batch_size=batch,
        gradient_accumulation_steps=accumulation,
        dataloader_drop_last=drop_last,
        **length,
    )
    batches, max_steps = trainers_numbers(args, Sized(size))
    got = hf.resolution(args, size)
    assert got == {
        "steps_per_epoch": batches,
        "total_steps": max_steps,
        "accumulation": accumulation,
    }


def test_resolution_without_a_length(tmp_path: Path) -> None:
    args = make_args(tmp_path, max_steps=10, gradient_accumulation_steps=2)
    _, max_steps = trainers_numbers(args, Stream())
    assert hf.resolution(args, None) == {
        "steps_per_epoch": None,
        "total_steps": max_steps,
        "accumulation": 2,
    }
    spec = lrspec.warmup_cosine("0.2dur", "1dur")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    assert SpecLR(opt, spec, **hf.resolution(args, None)).spec == lrspec.warmup_cosine(2, 10)


@pytest.mark.parametrize("warmup", [0, 1, 2, 2.5, 7, 0.07, 0.1, 0.25, 0.3333, 0.999])
def test_warmup_is_the_trainers(tmp_path: Path, warmup: float) -> None:
    args = make_args(tmp_path, lr_scheduler_type="constant_with_warmup", warmup_steps=warmup)
    plain = SimpleNamespace(
        lr_scheduler_type="constant_with_warmup",
        warmup_steps=warmup,
        lr_scheduler_kwargs=None,
        learning_rate=0.1,
    )
    for n in (1, 7, 13, 30, 100, 1000):
        want = lrspec.from_hf("constant_with_warmup", num_warmup_steps=args.get_warmup_steps(n))
        assert hf.from_training_args(args, n) == want
        assert hf.from_training_args(plain, n) == want  # the rule, without get_warmup_steps
    if warmup == 0.07:  # HF rounds up on the float: 100 * 0.07 is 7.000000000000001
        assert hf.from_training_args(args, 100).steps == 8


def test_from_training_args_reads_every_field(tmp_path: Path) -> None:
    args = make_args(
        tmp_path,
        lr_scheduler_type=SchedulerType.POLYNOMIAL,
        warmup_steps=0.25,
        lr_scheduler_kwargs='{"lr_end": 0.001, "power": 2.0}',  # JSON, as on a command line
        learning_rate=0.01,
    )
    assert args.lr_scheduler_kwargs == {"lr_end": 0.001, "power": 2.0}
    want = lrspec.from_hf(
        "polynomial",
        num_warmup_steps=3,
        num_training_steps=10,
        base_lr=0.01,
        lr_end=0.001,
        power=2.0,
    )
    assert hf.from_training_args(args, 10) == want
    other = hf.from_training_args(args, 10, base_lr=0.002)  # an optimizer at another lr
    assert other.inner.end_factor == pytest.approx(0.5)
    plateau = make_args(
        tmp_path,
        lr_scheduler_type="reduce_lr_on_plateau",
        lr_scheduler_kwargs={"factor": 0.2, "patience": 3},
        eval_strategy="epoch",
        warmup_steps=5,  # HF ignores it here
    )
    assert plateau.metric_for_best_model == "loss"  # TrainingArguments sets it for this name
    spec = hf.from_training_args(plateau, 10)
    assert spec == lrspec.ReduceLROnPlateau(factor=0.2, patience=3)
    assert hf.from_training_args(make_args(tmp_path, lr_scheduler_type="constant"), 5) == (
        lrspec.Constant()
    )


def _ns(**kwargs: Any) -> SimpleNamespace:
    fields: dict[str, Any] = {
        "lr_scheduler_type": "linear",
        "warmup_steps": 0,
        "lr_scheduler_kwargs": None,
        "learning_rate": 0.1,
    }
    fields.update(kwargs)
    return SimpleNamespace(**fields)


FROM_ARGS_ERRORS = [
    (_ns(), 0, ValueError, r"num_training_steps must be >= 1, got 0"),
    (_ns(), 12.0, TypeError, r"num_training_steps must be an int, got 12\.0 \(float\)"),
    (_ns(lr_scheduler_type=3), 10, TypeError, r"args\.lr_scheduler_type must be an HF scheduler"),
    (_ns(lr_scheduler_type="greedy"), 10, ValueError, r"'greedy' is not supported.*GreedyLR"),
    (_ns(lr_scheduler_type="nope"), 10, ValueError, r"name must be one of .*got 'nope'"),
    (_ns(warmup_steps=-1), 10, ValueError, r"args\.warmup_steps must be finite and >= 0.*-1"),
    (_ns(warmup_steps="2"), 10, TypeError, r"args\.warmup_steps must be a real number, got '2'"),
    (_ns(warmup_steps=10), 10, ValueError, r"num_warmup_steps=10, num_training_steps=10\)"),
    (_ns(learning_rate=0), 10, ValueError, r"args\.learning_rate must be finite and > 0, got 0"),
    (_ns(learning_rate="1e-3"), 10, TypeError, r"args\.learning_rate must be a real number"),
    (_ns(lr_scheduler_kwargs="x"), 10, TypeError, r"lr_scheduler_kwargs must be a dict.*'x'"),
    (
        _ns(lr_scheduler_type="cosine", lr_scheduler_kwargs={"num_cycle": 2}),
        10,
        TypeError,
        r"'num_cycle' is not a keyword HF's 'cosine' scheduler takes.*lr_scheduler_type='cosine'",
    ),
    (
        _ns(lr_scheduler_type="constant", lr_scheduler_kwargs={"factor": 2}),
        10,
        TypeError,
        r"lr_scheduler_kwargs must be empty for lr_scheduler_type='constant'.*silently ignores",
    ),
    (
        _ns(lr_scheduler_type="polynomial", lr_scheduler_kwargs={"lr_end": 0.5}),
        10,
        ValueError,
        r"lr_end must be < base_lr \(0\.1\), as HF requires, got 0\.5",
    ),
    (SimpleNamespace(lr_scheduler_type="linear"), 10, TypeError, r"without 'learning_rate'"),
]


@pytest.mark.parametrize(("args", "n", "error", "match"), FROM_ARGS_ERRORS)
def test_from_training_args_errors(args: Any, n: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        hf.from_training_args(args, n)


def _sized(**kwargs: Any) -> SimpleNamespace:
    fields: dict[str, Any] = {
        "per_device_train_batch_size": 4,
        "gradient_accumulation_steps": 1,
        "dataloader_drop_last": False,
        "max_steps": -1,
        "num_train_epochs": 3,
    }
    fields.update(kwargs)
    return SimpleNamespace(**fields)


RESOLUTION_ERRORS = [
    (_sized(world_size=2), 16, ValueError, r"single-process run; args\.world_size is 2"),
    (_sized(auto_find_batch_size=True), 16, ValueError, r"auto_find_batch_size is True"),
    (_sized(train_sampling_strategy="batch_rebalance"), 16, ValueError, r"'batch_rebalance'"),
    (_sized(), None, ValueError, r"args\.max_steps must be > 0 .*train_size=None.*got -1"),
    (_sized(dataloader_drop_last=True), 3, ValueError, r"at least one batch, got 3 examples"),
    (_sized(gradient_accumulation_steps=0), 16, ValueError, r"accumulation_steps must be >= 1"),
    (_sized(), -1, ValueError, r"train_size must be >= 0, got -1"),
    (_sized(), 16.0, TypeError, r"train_size must be an int, got 16\.0"),
    (_sized(num_train_epochs=0), 16, ValueError, r"num_train_epochs must be finite and > 0"),
]


@pytest.mark.parametrize(("args", "size", "error", "match"), RESOLUTION_ERRORS)
def test_resolution_errors(args: Any, size: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        hf.resolution(args, size)


def test_check_scheduler_resolution(tmp_path: Path) -> None:
    args = make_args(tmp_path, gradient_accumulation_steps=2, num_train_epochs=3)
    spec = lrspec.warmup_cosine("1ep", "3ep")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    right = SpecLR(opt, spec, **hf.resolution(args, 17))
    hf.check_scheduler(args, right, train_size=17)
    hf.check_scheduler(args, right)  # without train_size: the resolution is not checked
    forgot = SpecLR(opt, spec, steps_per_epoch=5)  # accumulation left at 1: "1ep" is 5 steps
    with pytest.raises(ValueError, match=r"resolved with .*'accumulation': 1.* to Warmup"):
        hf.check_scheduler(args, forgot, train_size=17)
    in_steps = SpecLR(opt, lrspec.warmup_cosine(3, 9))
    hf.check_scheduler(args, in_steps, train_size=17)  # no units: nothing to check
    # boundaries at steps 2 and 6 for SpecLR, both at step 3 in this run: not a valid spec
    steps = lrspec.Join(
        schedules=[lrspec.Constant(), lrspec.Constant(factor=0.5), lrspec.Constant(factor=0.1)],
        boundaries=["1ep", "0.3dur"],
    )
    elsewhere = SpecLR(opt, steps, steps_per_epoch=2, total_steps=20)
    with pytest.raises(ValueError, match=r"cannot be resolved for this Trainer run: .*boundaries"):
        hf.check_scheduler(args, elsewhere, train_size=17)


def test_check_scheduler_plateau(tmp_path: Path) -> None:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    native = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match=r"eval_strategy must not be 'no' .*ReduceLROnPlateau"):
        hf.check_scheduler(make_args(tmp_path, metric_for_best_model="loss"), native)
    with pytest.raises(ValueError, match=r"metric_for_best_model must be set .*ReduceLROnPlateau"):
        hf.check_scheduler(make_args(tmp_path, eval_strategy="epoch"), native)
    good = make_args(tmp_path, eval_strategy="epoch", metric_for_best_model="eval_loss")
    hf.check_scheduler(good, native)
    hf.check_scheduler(good, SpecLR(opt, lrspec.StepLR(step_size=2)))  # not metric-driven


def test_import_needs_no_transformers() -> None:
    code = (
        "import sys, lrspec_torch.hf\n"
        "assert 'transformers' not in sys.modules and 'accelerate' not in sys.modules\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
