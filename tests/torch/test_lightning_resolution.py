"""``lrspec_torch.lightning.resolution``: the run's length as Lightning counts it, and the
clear errors where Lightning cannot count it. The harness is in ``_lightning_harness.py``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import lightning.pytorch as pl
import pytest
import torch
from _lightning_harness import BASE_LR, Regression, X, Y, assert_same, fit
from _lightning_harness import pytestmark as pytestmark  # (the same notices silenced)
from torch.utils.data import DataLoader, IterableDataset

import lrspec
from lrspec_torch import SpecLR
from lrspec_torch.lightning import resolution


class Rows(IterableDataset):  # type: ignore[type-arg]
    """The same rows with no length: Lightning cannot count an epoch's batches."""

    def __iter__(self) -> Any:
        return iter(zip(X, Y, strict=True))


@pytest.mark.parametrize(
    ("epochs", "max_steps", "match"),
    [
        (2, -1, r"estimated_stepping_batches must be .* got -1"),  # Lightning returns max_steps
        (2, 6, r"num_training_batches must be .*length.* got inf"),
        (-1, -1, r"estimated_stepping_batches must be .*max_epochs=-1, max_steps=-1.* got inf"),
    ],
    ids=["unsized", "unsized-max_steps", "unlimited"],
)
def test_resolution_names_the_attribute_lightning_cannot_count(
    tmp_path: Any, epochs: int, max_steps: int, match: str
) -> None:
    def make(opt: torch.optim.Optimizer, trainer: pl.Trainer) -> SpecLR:
        return SpecLR(opt, lrspec.CosineAnnealingLR(T_max="1dur"), **resolution(trainer))

    loader = DataLoader(Rows(), batch_size=4) if epochs != -1 else None
    with pytest.raises(ValueError, match=match):
        fit(Regression(make), tmp_path, epochs=epochs, max_steps=max_steps, loader=loader)


def test_resolution_per_epoch_needs_no_loader_length(tmp_path: Any) -> None:
    spec = lrspec.CosineAnnealingLR(T_max="1dur")

    def make(opt: torch.optim.Optimizer, trainer: pl.Trainer) -> SpecLR:
        return SpecLR(opt, spec, **resolution(trainer, "epoch"))

    run = fit(Regression(make, "epoch"), tmp_path, epochs=3, loader=DataLoader(Rows(), 4))
    assert_same(lrspec.CosineAnnealingLR(T_max=3).trace(BASE_LR, 3), run.lrs)


def _trainer(**changes: Any) -> SimpleNamespace:
    fields = {
        "estimated_stepping_batches": 15,
        "num_training_batches": 5,
        "accumulate_grad_batches": 1,
        "max_epochs": 3,
        "max_steps": -1,
    }
    return SimpleNamespace(**{**fields, **changes})


@pytest.mark.parametrize(
    ("trainer", "interval", "error", "match"),
    [
        (_trainer(), "batch", ValueError, r"interval must be one of \('step', 'epoch'\).*'batch'"),
        (_trainer(), None, ValueError, r"interval must be one of .* got None"),
        (_trainer(max_epochs=-1), "epoch", ValueError, r"trainer\.max_epochs must be .* got -1"),
        (_trainer(max_epochs=None), "epoch", ValueError, r"max_epochs must be .* got None"),
        (_trainer(num_training_batches=0), "step", ValueError, r"num_training_batches .* got 0"),
        (_trainer(accumulate_grad_batches=True), "step", ValueError, r"accumulate_grad_batches"),
        (SimpleNamespace(max_steps=-1), "step", TypeError, r"no 'estimated_stepping_batches'"),
        (None, "step", TypeError, r"trainer must be a Lightning Trainer .* got None"),
    ],
    ids=[
        "interval-batch",
        "interval-None",
        "unlimited-epochs",
        "no-max_epochs",
        "no-batches",
        "accumulation-bool",
        "not-a-trainer",
        "trainer-None",
    ],
)
def test_resolution_refuses_what_it_cannot_use(
    trainer: Any, interval: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        resolution(trainer, interval)


def test_resolution_counts_the_epoch_max_steps_ends_in() -> None:
    trainer = _trainer(estimated_stepping_batches=7, max_steps=7, num_training_batches=5)
    assert resolution(trainer, "epoch")["total_steps"] == 2
    assert resolution(_trainer(num_training_batches=5.0))["steps_per_epoch"] == 5
