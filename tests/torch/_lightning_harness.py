"""The Lightning harness of ``test_lightning*.py``: a tiny module, an in-memory logger, ``fit``.

A Linear on 20 fixed rows, 5 batches an epoch, SGD with momentum; ``configure_optimizers``
returns the scheduler as Lightning users do, with no ``reduce_on_plateau`` key and no glue.
``pytestmark`` silences only Lightning's environment-dependent notices, each by its message
and category; the test modules re-export it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import lightning.pytorch as pl
import pytest
import torch
from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.loggers import Logger
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR, to_torch

_POSSIBLE = "lightning.fabric.utilities.warnings.PossibleUserWarning"
pytestmark = [
    pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)`:FutureWarning"),
    pytest.mark.filterwarnings(rf"ignore:The '\w+' does not have many workers:{_POSSIBLE}"),
    pytest.mark.filterwarnings(rf"ignore:GPU available but not used:{_POSSIBLE}"),
]

_gen = torch.Generator().manual_seed(7)
X = torch.randn(20, 3, generator=_gen)
Y = torch.randn(20, 1, generator=_gen)
del _gen
BASE_LR = 0.1
PLATEAU = lrspec.ReduceLROnPlateau(patience=0, factor=0.5, threshold=0.05)


class MemoryLogger(Logger):
    """Keeps every record as logged: LearningRateMonitor hands over the group's lr as is."""

    name = "memory"
    version = 0

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[int | None, dict[str, Any]]] = []

    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        pass

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        self.records.append((step, dict(metrics)))

    def series(self, key: str) -> list[float]:
        """One value per logged step (an accumulation logs its step once per batch)."""
        by_step: dict[int | None, float] = {}
        for step, metrics in self.records:
            if key in metrics:
                first = by_step.setdefault(step, metrics[key])
                assert lt.same_float(first, metrics[key]), (key, step)
        return [by_step[s] for s in sorted(by_step)]  # type: ignore[type-var]


class Regression(pl.LightningModule):
    """``make(optimizer, trainer)`` builds the scheduler; the config is returned as users do."""

    def __init__(
        self, make: Any, interval: str = "step", monitor: str | None = None, **config: Any
    ) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Linear(3, 1)
        self.make, self.interval, self.monitor, self.config = make, interval, monitor, config
        self.batches = 0
        self.batches_at_configure: float | None = None

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = F.mse_loss(self.net(x), y)
        self.log("train_loss", loss, batch_size=len(x), on_step=True, on_epoch=True)
        self.batches += 1
        return loss

    def configure_optimizers(self) -> Any:
        self.batches_at_configure = self.trainer.num_training_batches
        opt = torch.optim.SGD(self.parameters(), lr=BASE_LR, momentum=0.9)
        self.scheduler = self.make(opt, self.trainer)
        if self.config.pop("top_level_monitor", False):  # {"optimizer", "lr_scheduler", "monitor"}
            return {"optimizer": opt, "lr_scheduler": self.scheduler, "monitor": self.monitor}
        config = {"scheduler": self.scheduler, "interval": self.interval, **self.config}
        if self.monitor is not None:
            config["monitor"] = self.monitor
        return {"optimizer": opt, "lr_scheduler": config}


class Spied(Regression):
    """Records the metric Lightning passes to the scheduler, then lets Lightning's hook step."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics: list[torch.Tensor] = []

    def lr_scheduler_step(self, scheduler: Any, metric: Any) -> None:
        self.metrics.append(metric)
        super().lr_scheduler_step(scheduler, metric)


class Validated(Spied):
    """Validates on 8 of the rows after every epoch and logs ``val_loss``."""

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        self.log("val_loss", F.mse_loss(self.net(x), y), batch_size=len(x))


def fit(
    module: Regression,
    root: Any,
    *,
    epochs: int = 2,
    max_steps: int = -1,
    accumulation: int = 1,
    checkpoints: ModelCheckpoint | None = None,
    ckpt_path: Any = None,
    loader: Any = None,
) -> SimpleNamespace:
    """Fit ``module``; the lrs and momenta logged, each followed by the one in effect at the end."""
    logger = MemoryLogger()
    validate = isinstance(module, Validated)
    trainer = pl.Trainer(
        accelerator="cpu",
        devices=1,
        max_epochs=epochs,
        max_steps=max_steps,
        accumulate_grad_batches=accumulation,
        logger=logger,
        callbacks=[LearningRateMonitor(log_momentum=True), *([checkpoints] if checkpoints else [])],
        enable_checkpointing=checkpoints is not None,
        enable_progress_bar=False,
        enable_model_summary=False,
        log_every_n_steps=1,
        default_root_dir=root,
        limit_val_batches=1.0 if validate else 0,
    )
    train = loader if loader is not None else DataLoader(TensorDataset(X, Y), batch_size=4)
    val = DataLoader(TensorDataset(X[:8], Y[:8]), batch_size=4) if validate else None
    trainer.fit(module, train, val, ckpt_path=ckpt_path, weights_only=True if ckpt_path else None)
    group = trainer.optimizers[0].param_groups[0]
    return SimpleNamespace(
        lrs=[*logger.series("lr-SGD"), group["lr"]],
        momenta=[*logger.series("lr-SGD-momentum"), group["momentum"]],
        trainer=trainer,
        module=module,
    )


def spec_lr(spec: lrspec.Schedule) -> Any:
    return lambda opt, trainer: SpecLR(opt, spec)


def native(spec: lrspec.Schedule) -> Any:
    return lambda opt, trainer: to_torch(spec, opt)


def short(value: object) -> str:
    """A readable test id: a spec's or a class's name, a dict's values."""
    if isinstance(value, lrspec.Schedule):
        return type(value).__name__
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, dict):
        return "/".join(map(str, value.values()))
    return str(value)


def assert_same(expected: list[Any], actual: list[Any]) -> None:
    assert len(expected) == len(actual), (expected, actual)
    assert all(lt.same_float(float(a), float(b)) for a, b in zip(expected, actual, strict=True)), (
        expected,
        actual,
    )
