"""SpecLR inside real PyTorch Lightning runs (lightning 2.6.6, CPU).

Each test fits a tiny LightningModule (a Linear on 20 fixed rows, 5 batches an epoch, SGD with
momentum) with a ``LearningRateMonitor`` and an in-memory logger. It compares the logged lrs,
bit for bit, with ``spec.trace`` and with the same run driven by torch's own scheduler
(``to_torch(spec)``). The module's ``configure_optimizers`` returns the scheduler as
Lightning users do, with no ``reduce_on_plateau`` key and no glue.

Only Lightning's environment-dependent notices are silenced, each by its message and category
(every other warning is an error): the ``LeafSpec`` FutureWarning that lightning 2.6.6 raises
on torch 2.13, and the few-workers and unused-GPU hints that depend on the machine.

A fit takes tens of milliseconds here: the three ``test_lightning*.py`` files run in about
7 s on 2 CPU cores, some 5 s of it importing Lightning.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import lightning.pytorch as pl
import pytest
import torch
from lightning.fabric.utilities.exceptions import MisconfigurationException
from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.loggers import Logger
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

import lrspec
from lrspec import testing as lt
from lrspec_torch import MetricSpecLR, SpecLR, UncheckpointableWarning, to_torch
from lrspec_torch.lightning import resolution

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


# --- time-based specs: step and epoch interval ---------------------------------------------------

TIME_BASED = [
    # (spec, interval, epochs, accumulation, torch twin?)
    (lrspec.CosineAnnealingLR(T_max=7), "step", 2, 1, True),
    (lrspec.CosineAnnealingLR(T_max=4), "step", 2, 2, True),  # 3 optimizer steps an epoch
    (lrspec.OneCycleLR(max_lr=0.1, total_steps=10), "step", 2, 1, True),  # moves momentum
    (lrspec.warmup_cosine(2, 9, start_factor=0.1), "step", 2, 1, False),
    (lrspec.CosineAnnealingLR(T_max=3), "epoch", 4, 1, True),
    (lrspec.StepLR(step_size=2, gamma=0.5), "epoch", 4, 2, True),
]


@pytest.mark.parametrize(
    ("spec", "interval", "epochs", "accumulation", "twin"), TIME_BASED, ids=short
)
def test_the_logged_lrs_are_the_trace_and_torchs_own(
    tmp_path: Any, spec: lrspec.Schedule, interval: str, epochs: int, accumulation: int, twin: bool
) -> None:
    run = fit(
        Regression(spec_lr(spec), interval), tmp_path, epochs=epochs, accumulation=accumulation
    )
    steps = epochs * (1 if interval == "epoch" else math.ceil(5 / accumulation))
    assert type(run.module.scheduler) is SpecLR
    assert_same(spec.trace(BASE_LR, steps), run.lrs)
    if twin:  # the same Lightning run with torch's scheduler: lrs and momenta, bit for bit
        ref = fit(
            Regression(native(spec), interval), tmp_path, epochs=epochs, accumulation=accumulation
        )
        assert_same(ref.lrs, run.lrs)
        assert_same(ref.momenta, run.momenta)
    moves = spec.moves_momentum
    assert moves == (len(set(run.momenta)) > 1), run.momenta


# --- units resolved from the Trainer -------------------------------------------------------------

UNITS = [
    lrspec.wsd("1ep", "0.2dur", "0.5dur"),
    lrspec.OneCycleLR(max_lr=0.1, total_steps="1dur"),  # must end exactly at the run's end
]
LENGTHS = [
    # (interval, accumulation, max_steps, what resolution() must give for 3 epochs of 5 batches)
    ("step", 1, -1, {"steps_per_epoch": 5, "total_steps": 15, "accumulation": 1}),
    ("step", 2, -1, {"steps_per_epoch": 5, "total_steps": 9, "accumulation": 2}),
    ("step", 1, 12, {"steps_per_epoch": 5, "total_steps": 12, "accumulation": 1}),
    ("epoch", 1, -1, {"steps_per_epoch": 1, "total_steps": 3, "accumulation": 1}),
    ("epoch", 1, 7, {"steps_per_epoch": 1, "total_steps": 2, "accumulation": 1}),  # ends in ep 2
]


@pytest.mark.parametrize("spec", UNITS, ids=short)
@pytest.mark.parametrize(("interval", "accumulation", "max_steps", "expected"), LENGTHS, ids=short)
def test_a_spec_in_units_resolves_from_the_trainer(
    tmp_path: Any,
    spec: lrspec.Schedule,
    interval: str,
    accumulation: int,
    max_steps: int,
    expected: dict[str, int],
) -> None:
    seen: list[dict[str, int]] = []

    def make(opt: torch.optim.Optimizer, trainer: pl.Trainer) -> SpecLR:
        seen.append(resolution(trainer, interval))
        return SpecLR(opt, spec, **seen[-1])

    module = Regression(make, interval)
    run = fit(module, tmp_path, epochs=3, max_steps=max_steps, accumulation=accumulation)
    assert seen == [expected]
    # why resolution() reads estimated_stepping_batches first: the loader is not loaded yet
    assert module.batches_at_configure == math.inf
    trace = lrspec.resolve(spec, **expected).trace(BASE_LR, expected["total_steps"])
    logged, final, steps = run.lrs[:-1], run.lrs[-1], run.module.scheduler.last_epoch
    assert_same(trace[: len(logged)], logged)
    assert lt.same_float(trace[steps], final)
    # a step-interval run takes exactly the planned steps; a per-epoch one steps at epoch ends
    assert steps == (expected["total_steps"] if interval == "step" else 3 if max_steps < 0 else 1)


# --- metric-driven specs: Lightning's "monitor" key, no glue ------------------------------------

METRIC_RUNS = [
    # (interval, monitor, module, top-level monitor key)
    ("epoch", "val_loss", Validated, False),
    ("epoch", "train_loss", Spied, False),
    ("step", "train_loss", Spied, False),
    ("epoch", "val_loss", Validated, True),  # {"optimizer", "lr_scheduler": sched, "monitor"}
]


@pytest.mark.parametrize(
    ("interval", "monitor", "cls", "top"),
    METRIC_RUNS,
    ids=short,
)
def test_a_plateau_spec_gets_the_monitored_metric_as_torchs_does(
    tmp_path: Any, interval: str, monitor: str, cls: type[Spied], top: bool
) -> None:
    def run(make: Any) -> SimpleNamespace:
        return fit(cls(make, interval, monitor, top_level_monitor=top), tmp_path, epochs=5)

    ours, torchs = run(spec_lr(PLATEAU)), run(native(PLATEAU))
    assert isinstance(ours.module.scheduler, MetricSpecLR)
    assert ours.trainer.lr_scheduler_configs[0].reduce_on_plateau is True  # by isinstance
    assert_same(torchs.module.metrics, ours.module.metrics)
    assert_same(torchs.lrs, ours.lrs)
    assert_same(PLATEAU.trace(BASE_LR, metrics=ours.module.metrics), ours.lrs)
    assert min(ours.lrs) < BASE_LR  # the plateau did cut


def test_a_composition_holding_a_plateau_gets_the_metric_too(tmp_path: Any) -> None:
    spec = lrspec.Warmup(inner=PLATEAU, steps=3)
    run = fit(Spied(spec_lr(spec), "step", "train_loss"), tmp_path)
    assert isinstance(run.module.scheduler, MetricSpecLR) and len(run.module.metrics) == 10
    assert_same(spec.trace(BASE_LR, metrics=run.module.metrics), run.lrs)
    assert run.lrs[0] == 0.0 and min(run.lrs[4:]) < BASE_LR


@pytest.mark.parametrize("top", [False, True], ids=["nested", "top-level"])
def test_no_monitor_is_lightnings_own_error(tmp_path: Any, top: bool) -> None:
    module = Regression(spec_lr(PLATEAU), "epoch", top_level_monitor=top)
    with pytest.raises(MisconfigurationException, match="must include a monitor"):
        fit(module, tmp_path)
    assert module.batches == 0


def test_reduce_on_plateau_false_is_our_error_naming_the_fix(tmp_path: Any) -> None:
    module = Regression(spec_lr(PLATEAU), "epoch", "train_loss", reduce_on_plateau=False)
    fix = r"'monitor'.*do not set 'reduce_on_plateau': False"
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau is metric-driven.*" + fix):
        fit(module, tmp_path)
    assert module.batches == 5  # Lightning steps it at the end of the first epoch


# --- a spec that cannot be checkpointed --------------------------------------------------------

UNREGISTERED = lrspec.LambdaLR(lr_lambda=lambda epoch: 0.9**epoch)


def test_an_unregistered_function_is_reported_when_configure_optimizers_builds_it(
    tmp_path: Any,
) -> None:
    module = Regression(spec_lr(UNREGISTERED))
    with pytest.raises(UncheckpointableWarning, match=r"register_function"):  # warnings are errors
        fit(module, tmp_path)
    assert module.batches == 0  # before any training step


def test_then_lightnings_first_checkpoint_fails(tmp_path: Any) -> None:
    module = Regression(spec_lr(UNREGISTERED))
    every_3 = ModelCheckpoint(tmp_path / "ckpt", every_n_train_steps=3, save_top_k=-1)
    with (
        pytest.warns(UncheckpointableWarning, match="Lightning's ModelCheckpoint"),
        pytest.raises(ValueError, match=r"cannot save LambdaLR\.lr_lambda.*not registered"),
    ):
        fit(module, tmp_path, checkpoints=every_3)
    assert module.batches == 3
    assert not list((tmp_path / "ckpt").glob("*.ckpt"))
