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
from _lightning_harness import (
    BASE_LR,
    PLATEAU,
    Regression,
    Spied,
    Validated,
    assert_same,
    fit,
    native,
    short,
    spec_lr,
)
from _lightning_harness import pytestmark as pytestmark  # (the notices silenced)
from lightning.fabric.utilities.exceptions import MisconfigurationException
from lightning.pytorch.callbacks import ModelCheckpoint

import lrspec
from lrspec import testing as lt
from lrspec_torch import MetricSpecLR, SpecLR, UncheckpointableWarning
from lrspec_torch.lightning import resolution

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
