"""Resuming a Lightning run from its own checkpoint (``fit(ckpt_path=...)``) with a SpecLR.

A fresh Trainer and a fresh module resume from the file, loaded with ``weights_only=True``
(SpecLR's state is plain data). The lrs logged before the checkpoint and after the resume
are compared, bit for bit, with those of the run that was never stopped. The harness (module,
logger, ``fit``) is in ``_lightning_harness.py``.
"""

from __future__ import annotations

import shutil
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from _lightning_harness import (
    _POSSIBLE,
    BASE_LR,
    PLATEAU,
    Spied,
    Validated,
    assert_same,
    fit,
    native,
    short,
    spec_lr,
)
from _lightning_harness import pytestmark as pytestmark  # (the same notices silenced)
from lightning.pytorch.callbacks import ModelCheckpoint

import lrspec
from lrspec import testing as lt

NOT_RESUMABLE = rf"ignore:You're resuming from a checkpoint that ended before the epoch:{_POSSIBLE}"


def resume(
    make: Any,
    tmp_path: Any,
    stop: dict[str, int],
    start: str,
    cls: type[Spied] = Spied,
    **kw: Any,
) -> tuple[SimpleNamespace, SimpleNamespace, SimpleNamespace]:
    """The whole run, the one stopped at ``stop``, and a fresh one resumed from ``start``."""
    full = fit(cls(make, **kw.get("module", {})), tmp_path / "a", **kw["fit"])

    def saver() -> ModelCheckpoint:
        every = {"every_n_epochs": 1} if "epochs" in stop else {"every_n_train_steps": 3}
        return ModelCheckpoint(tmp_path / "checkpoints", save_top_k=-1, **every)

    stopped = fit(
        cls(make, **kw.get("module", {})),
        tmp_path / "b",
        checkpoints=saver(),
        **{**kw["fit"], **stop},
    )
    # A new workspace holding only the checkpoint; the same ModelCheckpoint, as Lightning asks.
    (tmp_path / "checkpoints" / start).rename(tmp_path / start)
    shutil.rmtree(tmp_path / "checkpoints")
    resumed = fit(
        cls(make, **kw.get("module", {})),
        tmp_path / "c",
        checkpoints=saver(),
        ckpt_path=tmp_path / start,
        **kw["fit"],
    )
    return full, stopped, resumed


MID_EPOCH = [
    lrspec.CosineAnnealingLR(T_max=9),
    lrspec.OneCycleLR(max_lr=0.1, total_steps=15),
    lrspec.LambdaLR(lr_lambda=lt.decay95),  # a registered function checkpoints
]


@pytest.mark.filterwarnings(NOT_RESUMABLE)  # about the data order: the lr does not depend on it
@pytest.mark.parametrize("spec", MID_EPOCH, ids=short)
def test_resuming_mid_epoch_continues_the_lrs_exactly(tmp_path: Any, spec: lrspec.Schedule) -> None:
    full, stopped, resumed = resume(
        spec_lr(spec), tmp_path, {"max_steps": 8}, "epoch=1-step=6.ckpt", fit={"epochs": 3}
    )
    assert_same(spec.trace(BASE_LR, 15), full.lrs)
    assert resumed.module.batches == 9  # batches 1..4 of epoch 1, then epoch 2
    assert_same(full.lrs, stopped.lrs[:6] + resumed.lrs)
    assert_same(full.momenta, stopped.momenta[:6] + resumed.momenta)


def test_resuming_at_an_epoch_end_continues_the_lrs_exactly(tmp_path: Any) -> None:
    spec = lrspec.CosineAnnealingLR(T_max=5)
    full, stopped, resumed = resume(
        spec_lr(spec),
        tmp_path,
        {"epochs": 2},
        "epoch=1-step=10.ckpt",
        module={"interval": "epoch"},
        fit={"epochs": 5},
    )
    assert_same(spec.trace(BASE_LR, 5), full.lrs)
    assert resumed.module.batches == 15  # epochs 2, 3 and 4
    assert_same(full.lrs, stopped.lrs[:2] + resumed.lrs)


@pytest.mark.parametrize(
    ("cls", "monitor"), [(Validated, "val_loss"), (Spied, "train_loss")], ids=["val", "train"]
)
def test_a_plateau_run_saved_after_fit_returns_resumes_exactly(
    tmp_path: Any, cls: type[Spied], monitor: str
) -> None:
    def run(epochs: int, **kw: Any) -> SimpleNamespace:
        return fit(cls(spec_lr(PLATEAU), "epoch", monitor), tmp_path, epochs=epochs, **kw)

    full, stopped = run(5), run(2)
    stopped.trainer.save_checkpoint(tmp_path / "stopped.ckpt")
    resumed = run(5, ckpt_path=tmp_path / "stopped.ckpt")
    assert_same(full.module.metrics, stopped.module.metrics + resumed.module.metrics)
    assert_same(full.lrs, stopped.lrs[:2] + resumed.lrs)
    assert min(full.lrs) < BASE_LR  # and it did cut


def test_lightning_skips_the_plateau_step_taken_after_a_model_checkpoint_as_for_torchs_own(
    tmp_path: Any,
) -> None:
    """Lightning steps a plateau scheduler after ModelCheckpoint has saved the epoch, and
    does not take that step on resume (Lightning-AI/pytorch-lightning#7877, #14702). torch's
    own ReduceLROnPlateau resumes the same way: this is Lightning's behaviour, not SpecLR's."""
    kw = {"module": {"interval": "epoch", "monitor": "val_loss"}, "fit": {"epochs": 5}}
    start = "epoch=1-step=10.ckpt"
    (full, stopped, ours), (_, _, torchs) = (
        resume(make(PLATEAU), tmp_path / name, {"epochs": 2}, start, Validated, **kw)
        for name, make in [("ours", spec_lr), ("torch", native)]
    )
    saved = torch.load(tmp_path / "ours" / start, weights_only=True)["lr_schedulers"][0]
    assert saved["last_epoch"] == 1  # 2 epochs ran, 1 plateau step is in the checkpoint
    assert_same(torchs.lrs, ours.lrs)
    assert_same(torchs.module.metrics, ours.module.metrics)
    assert stopped.module.scheduler.last_epoch == 2  # the step after the checkpoint ...
    assert ours.module.scheduler.last_epoch == full.module.scheduler.last_epoch - 1  # ... is lost
    assert stopped.lrs[:2] + ours.lrs != full.lrs
