"""SpecLR inside a real ``transformers.Trainer`` (CPU), checked against live references.

Every test trains a tiny ``nn.Module`` (a linear regression whose ``forward`` returns
``{"loss": ...}``) on an in-memory dataset: nothing is downloaded. transformers 5.25.0,
accelerate 1.16.0, torch 2.13.0 (the ``integrations`` dependency group).

What the Trainer does, verified here rather than assumed: after each optimizer step it reads
the lr (``_get_learning_rate()``: ``get_last_lr()[0]``, or the param group's lr for a plateau
scheduler) *before* ``lr_scheduler.step()``, so the ``learning_rate`` it logs at
``global_step`` k is the lr optimizer step k ran with: ``spec.trace(base_lr, N)[k - 1]``.
A torch ``ReduceLROnPlateau`` (a metric-driven SpecLR is one) is not stepped after optimizer
steps but after each evaluation, with ``metrics["eval_" + metric_for_best_model]``.

- ``test_logged_lr_is_the_trace``: ``optimizers=(opt, SpecLR(opt, spec))`` logs exactly
  ``trace[k - 1]`` at step k, which is the lr each optimizer step ran with (a step pre-hook
  records it), for a warmup-cosine preset, OneCycleLR (momentum moving too), StepLR with
  gradient accumulation, and a spec in epochs and fractions resolved by ``hf.resolution``.
- ``test_round_trip_matches_the_trainers_scheduler``: for each scheduler type, the Trainer
  left to build its own scheduler and ``SpecLR(opt, hf.from_training_args(args, N))`` log
  the same lrs (both runs live), with warmup as steps and as a ratio.
- ``test_resume_continues_exactly``: a run stopped at a checkpoint and resumed by a fresh
  Trainer with a fresh model, optimizer and SpecLR logs the uninterrupted run's lrs and ends
  with its weights, bit for bit.
- ``test_metric_driven_*``: a metric-driven SpecLR needs no glue (same lrs as torch's
  ``ReduceLROnPlateau`` passed the same way); a composition counts evaluations as its steps;
  without ``metric_for_best_model`` the Trainer crashes obscurely and ``hf.check_scheduler``
  says what to set.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from _torch_helpers import bits
from torch import nn
from transformers import Trainer, TrainerCallback, TrainingArguments

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR, hf

#: from_hf's tolerance against HF (tests/peers/test_hf.py): relative 1e-12, absolute 1e-15
#: of the peak for values HF reaches by cancellation near 0.
REL, ABS_OF_PEAK = 1e-12, 1e-15


class Regression(nn.Module):
    """A linear regression the Trainer accepts: ``forward(**batch)`` returns the loss."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(3, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": nn.functional.mse_loss(self.linear(x), labels)}


class Pairs(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    """``size`` fixed random examples ``{"x": (3,), "labels": (1,)}``."""

    def __init__(self, size: int, seed: int = 0) -> None:
        gen = torch.Generator().manual_seed(seed)
        self.x = torch.randn(size, 3, generator=gen)
        self.y = torch.randn(size, 1, generator=gen)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"x": self.x[i], "labels": self.y[i]}


def make_args(out: Path, **kwargs: Any) -> TrainingArguments:
    settings: dict[str, Any] = {
        "output_dir": str(out),
        "report_to": "none",
        "use_cpu": True,
        "logging_steps": 1,
        "disable_tqdm": True,
        "save_strategy": "no",
        "seed": 0,
        "per_device_train_batch_size": 4,
        "learning_rate": 0.1,
    }
    settings.update(kwargs)
    return TrainingArguments(**settings)


def sgd(model: nn.Module, args: TrainingArguments) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), lr=args.learning_rate, momentum=0.9)


def train(
    args: TrainingArguments,
    scheduler: Callable[[Any], Any] | None = None,
    *,
    optimizer: Callable[[nn.Module], torch.optim.Optimizer] | None = None,
    size: int = 16,
    resume: str | None = None,
    **trainer_kwargs: Any,
) -> tuple[Trainer, dict[int, float]]:
    """Train a fresh model; ``scheduler(opt)`` builds the scheduler (None: the Trainer's own).

    The optimizer is ``optimizer(model)``, by default SGD with momentum at
    ``args.learning_rate``. Returns the Trainer and the logged ``{global_step: lr}``.
    """
    model = Regression()
    optimizers: Any = (None, None)
    if scheduler is not None:
        opt = optimizer(model) if optimizer is not None else sgd(model, args)
        optimizers = (opt, scheduler(opt))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=Pairs(size),
        optimizers=optimizers,
        **trainer_kwargs,
    )
    trainer.train(resume_from_checkpoint=resume)
    logged = {
        e["step"]: e["learning_rate"] for e in trainer.state.log_history if "learning_rate" in e
    }
    return trainer, logged


# --- the logged lr is the spec's trace ---------------------------------------------------------


def _units_spec() -> lrspec.Schedule:
    return lrspec.Warmup(inner=lrspec.Cosine(total_steps="0.75dur"), steps="1ep")


LOGGED = {
    # name: (spec, TrainingArguments, train size)
    "warmup_cosine": (lrspec.warmup_cosine(3, 12, end_factor=0.1), {"max_steps": 12}, 16),
    "OneCycleLR": (lrspec.OneCycleLR(max_lr=0.5, total_steps=10), {"max_steps": 10}, 16),
    "StepLR, accumulation 3": (
        lrspec.StepLR(step_size=2, gamma=0.5),
        {"gradient_accumulation_steps": 3, "num_train_epochs": 3},
        17,  # 5 batches: 2 optimizer steps per epoch, the second of 2 batches
    ),
    "epochs and fractions, accumulation 2": (
        _units_spec(),
        {"gradient_accumulation_steps": 2, "num_train_epochs": 3},
        17,  # 5 batches, 3 optimizer steps per epoch: "1ep" is 3 steps, "0.75dur" of 9 is 7
    ),
}


@pytest.mark.parametrize("name", list(LOGGED))
def test_logged_lr_is_the_trace(tmp_path: Path, name: str) -> None:
    spec, settings, size = LOGGED[name]
    args = make_args(tmp_path, **settings)
    keywords = hf.resolution(args, size)
    used: list[float] = []
    momenta: list[float] = []

    def build(opt: torch.optim.Optimizer) -> SpecLR:
        def record(o: torch.optim.Optimizer, *_: Any) -> None:
            used.append(o.param_groups[0]["lr"])
            momenta.append(o.param_groups[0]["momentum"])

        opt.register_step_pre_hook(record)
        return SpecLR(opt, spec, **keywords)

    trainer, logged = train(args, build, size=size)
    n = trainer.state.max_steps
    assert n == keywords["total_steps"]
    resolved = trainer.lr_scheduler.spec
    lrs = resolved.trace(0.1, n)
    assert sorted(logged) == list(range(1, n + 1))
    for k in range(1, n + 1):  # logged at step k: the lr optimizer step k ran with
        assert lt.same_float(logged[k], lrs[k - 1]), (k, logged[k], lrs[k - 1])
        assert lt.same_float(used[k - 1], lrs[k - 1]), (k, used[k - 1], lrs[k - 1])
    assert trainer.optimizer.param_groups[0]["lr"] == lrs[n]  # stepped once per optimizer step
    if name == "OneCycleLR":
        reference = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        native = torch.optim.lr_scheduler.OneCycleLR(reference, max_lr=0.5, total_steps=10)
        for k in range(n):
            assert momenta[k] == reference.param_groups[0]["momentum"], k
            reference.step()
            native.step()
    if name.startswith("epochs"):
        assert keywords == {"steps_per_epoch": 5, "total_steps": 9, "accumulation": 2}
        assert len(trainer.get_train_dataloader()) == 5
        assert resolved == lrspec.Warmup(inner=lrspec.Cosine(total_steps=7), steps=3)


# --- from_training_args: what the Trainer would have built -----------------------------------

ROUND_TRIPS = [
    # (lr_scheduler_type, warmup_steps, lr_scheduler_kwargs, bit for bit)
    ("linear", 2, None, False),
    ("linear", 0.25, None, False),
    ("cosine", 3, None, True),
    ("cosine", 0.1, {"num_cycles": 0.5}, True),
    ("cosine_with_restarts", 2, {"num_cycles": 3}, False),
    ("polynomial", 0.2, {"lr_end": 1e-3, "power": 2.0}, False),
    ("warmup_stable_decay", 2, {"num_decay_steps": 4}, True),
    (
        "warmup_stable_decay",
        0.15,
        {"num_decay_steps": 5, "decay_type": "linear", "min_lr_ratio": 0.1},
        True,
    ),
    ("cosine_with_min_lr", 0.2, {"min_lr_rate": 0.1}, True),
    ("cosine_with_min_lr", 2, {"min_lr": 1e-3}, True),
    ("cosine_warmup_with_min_lr", 3, {"min_lr": 1e-3}, False),
    ("constant_with_warmup", 3, None, True),
    ("inverse_sqrt", 2, None, False),
    ("constant", 0, None, True),
]


@pytest.mark.parametrize(
    ("kind", "warmup", "kwargs", "exact"),
    ROUND_TRIPS,
    ids=[f"{k}-{w}-{sorted(a or {})}" for k, w, a, _ in ROUND_TRIPS],
)
def test_round_trip_matches_the_trainers_scheduler(
    tmp_path: Path, kind: str, warmup: float, kwargs: dict[str, Any] | None, exact: bool
) -> None:
    # 20 examples in batches of 4, 2.5 epochs: the Trainer computes N = ceil(2.5 * 5) = 13
    settings: dict[str, Any] = {"lr_scheduler_type": kind, "warmup_steps": warmup}
    if kwargs is not None:
        settings["lr_scheduler_kwargs"] = kwargs
    args = make_args(tmp_path, num_train_epochs=2.5, **settings)
    n = hf.resolution(args, 20)["total_steps"]
    assert n == 13
    own, want = train(args, size=20)  # the Trainer builds its optimizer and scheduler
    assert type(own.lr_scheduler) is torch.optim.lr_scheduler.LambdaLR
    assert own.state.max_steps == n

    spec = hf.from_training_args(args, n)
    ours, got = train(
        args,
        lambda opt: SpecLR(opt, spec),
        optimizer=lambda model: torch.optim.AdamW(model.parameters(), lr=args.learning_rate),
        size=20,
    )
    assert isinstance(ours.lr_scheduler, SpecLR)
    assert sorted(got) == sorted(want) == list(range(1, n + 1))
    same = [lt.same_float(got[k], want[k]) for k in want]
    assert all(same) is exact, (got, want)  # bit for bit where lrspec computes as HF does
    for k in want:
        assert math.isclose(got[k], want[k], rel_tol=REL, abs_tol=ABS_OF_PEAK * 0.1), k


# --- resuming from the Trainer's checkpoint ---------------------------------------------------


class StopAt(TrainerCallback):
    """Interrupt the run after ``step`` optimizer steps (the checkpoint is saved first)."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if state.global_step == self.step:
            control.should_save = True
            control.should_training_stop = True
        return control


RESUMES = {
    "OneCycleLR": (lrspec.OneCycleLR(max_lr=0.5, total_steps=12), {"max_steps": 12}),
    "units, accumulation 2": (
        lrspec.warmup_cosine("1ep", "3ep", end_factor=0.05),
        {"gradient_accumulation_steps": 2, "num_train_epochs": 3},
    ),
}


@pytest.mark.parametrize("name", list(RESUMES))
def test_resume_continues_exactly(tmp_path: Path, name: str) -> None:
    spec, settings = RESUMES[name]
    args = make_args(tmp_path / "full", **settings)
    keywords = hf.resolution(args, 17)

    def build(opt: torch.optim.Optimizer) -> SpecLR:
        return SpecLR(opt, spec, **keywords)

    full, want = train(args, build, size=17)
    n = full.state.max_steps
    stop = 5  # mid-epoch: the resumed Trainer skips the epoch's first batches
    interrupted = make_args(tmp_path / "run", save_strategy="steps", save_steps=1000, **settings)
    first, _ = train(interrupted, build, size=17, callbacks=[StopAt(stop)])
    assert first.state.global_step == stop
    checkpoint = tmp_path / "run" / f"checkpoint-{stop}"
    saved = torch.load(checkpoint / "scheduler.pt", weights_only=True)  # plain data
    assert saved["last_epoch"] == stop

    resumed_args = make_args(tmp_path / "resumed", **settings)
    resumed, got = train(resumed_args, build, size=17, resume=str(checkpoint))
    assert resumed.state.global_step == n
    assert sorted(got) == list(range(1, n + 1))  # steps 1..stop come from the checkpoint
    for k in range(1, n + 1):
        assert lt.same_float(got[k], want[k]), (k, got[k], want[k])
    for key, value in full.model.state_dict().items():
        assert torch.equal(bits(resumed.model.state_dict()[key]), bits(value)), key
    assert resumed.optimizer.param_groups[0]["lr"] == full.optimizer.param_groups[0]["lr"]


# --- metric-driven specs ----------------------------------------------------------------------

EVAL = {"eval_strategy": "steps", "eval_steps": 2, "max_steps": 12}
#: mode="max" on a falling eval loss: no improvement, so it reduces every patience + 1 evals
PLATEAU = {"mode": "max", "patience": 1, "factor": 0.5}


def test_metric_driven_spec_needs_no_glue(tmp_path: Path) -> None:
    args = make_args(tmp_path, metric_for_best_model="loss", **EVAL)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau
    extra = {"eval_dataset": Pairs(8, seed=1)}
    _, want = train(args, lambda opt: plateau(opt, **PLATEAU), **extra)
    spec_run, got = train(
        args, lambda opt: SpecLR(opt, lrspec.ReduceLROnPlateau(**PLATEAU)), **extra
    )
    assert type(spec_run.lr_scheduler).__name__ == "MetricSpecLR"
    hf.check_scheduler(args, spec_run.lr_scheduler)  # all set: no error
    assert len(set(want.values())) > 2  # it did reduce, more than once
    assert sorted(got) == sorted(want) == list(range(1, 13))
    for k in want:
        assert lt.same_float(got[k], want[k]), (k, got[k], want[k])


def test_metric_driven_composition_counts_evaluations(tmp_path: Path) -> None:
    """``Warmup(inner=ReduceLROnPlateau(...), steps=3)``: a step is an evaluation here."""
    args = make_args(tmp_path, metric_for_best_model="loss", **EVAL)
    plateau = lrspec.ReduceLROnPlateau(mode="max", patience=0, factor=0.5)
    spec = lrspec.Warmup(inner=plateau, steps=3, start_factor=0.1)
    trainer, got = train(args, lambda opt: SpecLR(opt, spec), eval_dataset=Pairs(8, seed=1))
    evals = [(e["step"], e["eval_loss"]) for e in trainer.state.log_history if "eval_loss" in e]
    assert [step for step, _ in evals] == list(range(2, 13, 2))
    # replay the eval losses the Trainer passed into a fresh SpecLR
    replay = SpecLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), spec)
    want, lr, metric_after = {}, replay.get_last_lr()[0], dict(evals)
    for k in range(1, 13):
        want[k] = lr  # the lr of optimizer step k: the evaluations after steps < k have run
        if k in metric_after:
            replay.optimizer.step()
            replay.step(metric_after[k])
            lr = replay.get_last_lr()[0]
    assert got == want
    # warmed up over 3 evaluations (after steps 2, 4, 6), then reduced by the 5th (step 10)
    assert want[1] == pytest.approx(0.01) and want[6] == pytest.approx(0.07)
    assert want[7] == want[10] == 0.1 and want[11] == want[12] == 0.05


def test_metric_driven_without_metric_for_best_model(tmp_path: Path) -> None:
    args = make_args(tmp_path, **EVAL)
    assert args.metric_for_best_model is None  # only lr_scheduler_type="reduce_lr_on_plateau"
    opt = sgd(Regression(), args)  # or load_best_model_at_end sets it
    sched = SpecLR(opt, lrspec.ReduceLROnPlateau(**PLATEAU))
    with pytest.raises(ValueError, match=r"args\.metric_for_best_model must be set .*'loss'"):
        hf.check_scheduler(args, sched)

    # what transformers 5.25 does at the first evaluation without the check
    def build(opt: torch.optim.Optimizer) -> SpecLR:
        return SpecLR(opt, lrspec.ReduceLROnPlateau())

    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'startswith'"):
        train(args, build, eval_dataset=Pairs(8, seed=1))

    quiet = make_args(tmp_path, metric_for_best_model="loss", max_steps=6)
    with pytest.raises(ValueError, match=r"args\.eval_strategy must not be 'no'"):
        hf.check_scheduler(quiet, sched)
    _, logged = train(quiet, build)  # without evaluations: never stepped, the lr never moves
    assert set(logged.values()) == {0.1}
