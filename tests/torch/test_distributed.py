"""SpecLR under torch.distributed: DDP with the gloo backend on the CPU, ranks on 127.0.0.1.

The tutorial's regression (``n=1000`` rows, 5 features, SGD at lr 0.25, seed 42), each rank
on its half of the rows (:mod:`lrspec_torch._distributed`), for ``EPOCHS`` epochs. One
``torch.multiprocessing.spawn`` of 2 processes runs every world-size-2 check in turn (a spawn
costs seconds; the training costs milliseconds); rank 0 gathers what every rank saw and
writes it for the test to read:

* every rank sets the same lr at every step, and a step-driven spec issues no collective at
  all: the run's collectives, counted by the torch profiler at the dispatcher (so DDP's own
  C++ all-reduces count too), are exactly those of the same run with no scheduler;
* a ReduceLROnPlateau spec fed the all-reduced mean loss adds one all-reduce per epoch and
  every rank cuts at the same epoch (the one a single process cuts at); fed each rank's own
  loss, the ranks cut at different epochs and their weights drift apart;
* a checkpoint written by rank 0 mid-run resumes with world size 2 (in the spawned ranks)
  and with world size 1 (a one-process gloo group in this process) and continues the lr
  sequence exactly.

Then ``lrspec compare`` with 2 processes (spawned by the command, and under the real
``torchrun --standalone --nproc-per-node 2``), against each other and one process.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import io
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import torch
import torch.distributed as dist
from torch.multiprocessing.spawn import spawn

import lrspec
from lrspec_torch import _distributed as distributed
from lrspec_torch import _regression as regression
from lrspec_torch import cli, fit_regression
from lrspec_torch._compare import compare
from lrspec_torch._errors import UsageError

EPOCHS = 60
#: The epoch after which rank 0 writes the checkpoint (mid-way through a plateau's count).
RESUME_AT = 25
SETTINGS = distributed.Settings(n=1000, p=5, epochs=EPOCHS, lr=0.25, seed=42)
STEP_SPEC = lrspec.SequentialLR(
    schedulers=[
        lrspec.LinearLR(start_factor=0.1, total_iters=5),
        lrspec.CosineAnnealingLR(T_max=EPOCHS - 5),
    ],
    milestones=[5],
)
#: The tutorial's plateau run: on one process it first cuts the lr after epoch 28.
PLATEAU_SPEC = lrspec.ReduceLROnPlateau(mode="min", patience=10, factor=0.1)
TORCHRUN = Path(sys.executable).with_name("torchrun")


# --- what runs in the spawned ranks ------------------------------------------------------------


def _counting(fn: Callable[[], distributed.RankRun]) -> tuple[distributed.RankRun, dict[str, int]]:
    """``fn()`` and the collectives it issued, by kind (``allreduce``, ``broadcast``, ...).

    The profiler records every ``c10d::`` op at the dispatcher: the Python API's and those the
    DDP reducer issues from C++.
    """
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        run = fn()
    counts = collections.Counter(
        event.name.removeprefix("c10d::").rstrip("_")
        for event in prof.events()
        if event.name.startswith("c10d::")
    )
    return run, dict(counts)


def _world_2(rank: int, port: int, tmp: str) -> None:
    """Every world-size-2 job, in turn, on one rank; rank 0 pickles what every rank saw."""
    distributed.set_launcher_env(rank, 2, port)
    step_ckpt, plateau_ckpt = Path(tmp, "step.pt"), Path(tmp, "plateau.pt")
    jobs: dict[str, Callable[[], distributed.RankRun]] = {
        "none": lambda: distributed.fit_rank(None, SETTINGS),
        "step": lambda: distributed.fit_rank(STEP_SPEC, SETTINGS),
        "plateau": lambda: distributed.fit_rank(PLATEAU_SPEC, SETTINGS),
        "plateau_unreduced": lambda: distributed.fit_rank(
            PLATEAU_SPEC, SETTINGS, reduce_metric=False
        ),
        "step_saving": lambda: distributed.fit_rank(
            STEP_SPEC, SETTINGS, checkpoint=step_ckpt, checkpoint_at=RESUME_AT
        ),
        "plateau_saving": lambda: distributed.fit_rank(
            PLATEAU_SPEC, SETTINGS, checkpoint=plateau_ckpt, checkpoint_at=RESUME_AT
        ),
        "step_resumed": lambda: distributed.fit_rank(STEP_SPEC, SETTINGS, resume=step_ckpt),
        "plateau_resumed": lambda: distributed.fit_rank(
            PLATEAU_SPEC, SETTINGS, resume=plateau_ckpt
        ),
    }
    out: dict[str, Any] = {}
    with distributed.process_group():
        for name, job in jobs.items():
            run, counts = _counting(job)
            everyone = distributed.gather(run)
            every_count: list[Any] = [None, None]
            dist.all_gather_object(every_count, counts)
            out[name] = (everyone, every_count)
    if rank == 0:
        Path(tmp, "world2.pkl").write_bytes(pickle.dumps(out))
    distributed.exit_now()  # skip the interpreter shutdown that gloo can abort


def _importable() -> ModuleType:
    """This file as a module the spawned processes can import by name.

    ``spawn`` pickles the worker by its module's name and each new process imports that
    module. pytest's name for this file (``tests.torch.test_distributed``) is not importable
    there; ``test_distributed`` is: this folder is on ``sys.path`` (see ``conftest.py``) and
    spawned processes start with the parent's ``sys.path``.
    """
    return importlib.import_module("test_distributed")


@pytest.fixture(scope="module")
def world_2(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    tmp = tmp_path_factory.mktemp("world2")
    spawn(  # type: ignore[no-untyped-call]
        _importable()._world_2, args=(distributed.free_port(), str(tmp)), nprocs=2
    )
    return pickle.loads((tmp / "world2.pkl").read_bytes()), tmp


@contextlib.contextmanager
def _one_process() -> Iterator[None]:
    """A world of one: a gloo group of this process alone (no port, an in-memory store)."""
    dist.init_process_group(
        "gloo",
        store=dist.HashStore(),  # type: ignore[attr-defined]
        rank=0,
        world_size=1,
    )
    try:
        yield
    finally:
        dist.destroy_process_group()


def _runs(world: tuple[dict[str, Any], Path], name: str) -> list[distributed.RankRun]:
    runs: list[distributed.RankRun] = world[0][name][0]
    assert [r.rank for r in runs] == [0, 1]
    assert {r.world_size for r in runs} == {2}
    return runs


def _counts(world: tuple[dict[str, Any], Path], name: str) -> dict[str, int]:
    """The job's collectives; the same on both ranks."""
    first, second = world[0][name][1]
    assert first == second
    counts: dict[str, int] = first
    return counts


def _first_cut(run: distributed.RankRun) -> int:
    """The first epoch (1-based) after which the lr is below the base lr."""
    return next(run.start + k + 1 for k, lr in enumerate(run.lrs) if lr < SETTINGS.lr)


# --- every rank, the same lr, no communication for the schedule --------------------------------


def test_every_rank_sets_the_same_lr_at_every_step_the_spec_s_own(
    world_2: tuple[dict[str, Any], Path],
) -> None:
    expected = STEP_SPEC.trace(SETTINGS.lr, EPOCHS)[1:]
    for run in _runs(world_2, "step"):
        assert list(run.lrs) == expected  # bit for bit, on each rank
    for run in _runs(world_2, "none"):
        assert run.lrs == (SETTINGS.lr,) * EPOCHS
    # DDP keeps the ranks' parameters identical (the same lr applied to the same gradient)
    first, second = _runs(world_2, "step")
    assert (first.weight, first.bias) == (second.weight, second.bias)


def test_a_step_driven_spec_issues_no_collective(world_2: tuple[dict[str, Any], Path]) -> None:
    none = _counts(world_2, "none")
    # DDP: one gradient all-reduce per epoch (one bucket), plus the one all-reduce of the loss
    # record at the end; its constructor's shape check and parameter broadcast, once
    assert none["allreduce"] == EPOCHS + 1
    assert set(none) <= {"allreduce", "allgather", "broadcast"}
    assert _counts(world_2, "step") == none  # SpecLR adds nothing


def test_a_plateau_spec_adds_exactly_one_all_reduce_per_epoch(
    world_2: tuple[dict[str, Any], Path],
) -> None:
    none = _counts(world_2, "none")
    assert _counts(world_2, "plateau") == {**none, "allreduce": none["allreduce"] + EPOCHS}
    assert _counts(world_2, "plateau_unreduced") == none


# --- the plateau rule: all-reduce the metric (mean) first --------------------------------------


def test_reduced_metric_every_rank_cuts_at_the_epoch_one_process_cuts_at(
    world_2: tuple[dict[str, Any], Path],
) -> None:
    first, second = _runs(world_2, "plateau")
    assert first.lrs == second.lrs
    assert first.metrics == second.metrics  # the very number each rank stepped with
    assert first.losses != second.losses  # while their own losses differ
    assert (first.weight, first.bias) == (second.weight, second.bias)
    single = fit_regression(PLATEAU_SPEC, epochs=EPOCHS, device="cpu")
    assert first.lrs == single.lrs
    assert _first_cut(first) == 28
    # the metric is the mean of the ranks' losses, as all_reduce_mean computes it in float32
    for metric, a, b in zip(first.metrics, first.losses, second.losses, strict=True):
        assert metric == float((torch.tensor(a) + torch.tensor(b)) / 2)


def test_without_the_reduction_the_ranks_diverge(world_2: tuple[dict[str, Any], Path]) -> None:
    first, second = _runs(world_2, "plateau_unreduced")
    # each rank fed its own shard's loss: rank 1's stops improving first
    assert (_first_cut(first), _first_cut(second)) == (32, 24)
    assert first.metrics == first.losses
    assert second.metrics == second.losses
    differ = [k for k, (a, b) in enumerate(zip(first.lrs, second.lrs, strict=True)) if a != b]
    assert differ and differ[0] == 23
    # DDP averages gradients, not weights: with different lrs the models drift apart silently
    assert first.weight != second.weight
    with pytest.raises(RuntimeError, match="ranks 0 and 1 applied different lrs at epoch 23"):
        distributed.to_result("ReduceLROnPlateau", PLATEAU_SPEC, SETTINGS, [first, second])


# --- checkpoint from rank 0, resume with world size 2 and 1 -------------------------------------


@pytest.mark.parametrize("name, spec", [("step", STEP_SPEC), ("plateau", PLATEAU_SPEC)])
def test_a_rank_0_checkpoint_resumes_with_world_size_2_and_1(
    world_2: tuple[dict[str, Any], Path], name: str, spec: lrspec.Schedule
) -> None:
    uninterrupted = _runs(world_2, name)[0]
    saving = _runs(world_2, f"{name}_saving")
    assert [r.lrs for r in saving] == [uninterrupted.lrs] * 2  # saving changes nothing
    ckpt = world_2[1] / f"{name}.pt"
    state = torch.load(ckpt, weights_only=True)
    assert sorted(state) == sorted(distributed.CHECKPOINT_KEYS)
    assert state["epoch"] == RESUME_AT
    assert state["scheduler"]["last_epoch"] == RESUME_AT
    assert not ckpt.with_name(ckpt.name + ".tmp").exists()

    # world size 2: the same computation, so everything continues bit for bit
    for run in _runs(world_2, f"{name}_resumed"):
        assert run.start == RESUME_AT
        assert run.lrs == uninterrupted.lrs[RESUME_AT:]
        assert run.losses == saving[run.rank].losses[RESUME_AT:]
        assert (run.weight, run.bias) == (uninterrupted.weight, uninterrupted.bias)

    # world size 1: the lrs continue exactly; the gradient is one 1000-row mean instead of the
    # mean of two 500-row means, so losses and weights agree to float32 rounding only
    with _one_process():
        alone = distributed.fit_rank(spec, SETTINGS, resume=ckpt)
    assert (alone.rank, alone.world_size, alone.start) == (0, 1, RESUME_AT)
    assert alone.lrs == uninterrupted.lrs[RESUME_AT:]
    assert alone.weight == pytest.approx(uninterrupted.weight, rel=1e-5, abs=1e-6)
    assert alone.bias == pytest.approx(uninterrupted.bias, rel=1e-4, abs=1e-6)
    assert alone.mean_losses == pytest.approx(uninterrupted.mean_losses[RESUME_AT:], rel=1e-5)


# --- lrspec compare: spawned by the command, and under torchrun ---------------------------------

COMPARE_ARGV = ["--schedulers", "StepLR", "ReduceLROnPlateau", "LambdaLR", "--epochs", "30"]


def _compare_args(*argv: str, nproc: int) -> Any:
    # (set after parsing: the parser's --nproc flag lands with cli.py's next change)
    args = cli.build_parser().parse_args(["compare", *argv])
    args.nproc = nproc
    return args


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[str, dict[str, Any]]]:
    """``compare`` with 1 process and with 2 spawned ones: (stdout, JSON) for each."""
    tmp = tmp_path_factory.mktemp("compare")
    out: dict[int, tuple[str, dict[str, Any]]] = {}
    for nproc in (1, 2):
        path = tmp / f"nproc{nproc}.json"
        with contextlib.redirect_stdout(io.StringIO()) as text:
            assert compare(_compare_args(*COMPARE_ARGV, "--json", str(path), nproc=nproc)) == 0
        out[nproc] = (text.getvalue(), json.loads(path.read_text()))
    return out


def test_compare_nproc_2_prints_what_one_process_prints(
    compared: dict[int, tuple[str, dict[str, Any]]],
) -> None:
    (one_text, one), (two_text, two) = compared[1], compared[2]
    one_lines, two_lines = one_text.splitlines(), two_text.splitlines()
    assert two_lines[0] == one_lines[0]  # the settings line
    assert two_lines[2] == one_lines[2]  # the table's header
    assert len(two_lines) == len(one_lines)
    for a, b in zip(one_lines[3:-1], two_lines[3:-1], strict=True):  # a row per run
        assert a.split()[:2] == b.split()[:2]  # scheduler and final lr, exactly
        assert a.split()[-1] == b.split()[-1] == "cpu"
    assert [r["label"] for r in two["runs"]] == ["StepLR", "ReduceLROnPlateau", "LambdaLR"]
    for a, b in zip(one["runs"], two["runs"], strict=True):
        assert set(a) == set(b)
        assert a["lrs"] == b["lrs"]  # every epoch's lr, exactly
        assert b["losses"] == pytest.approx(a["losses"], rel=1e-5)
        assert b["weight"] == pytest.approx(a["weight"], rel=1e-5, abs=1e-6)


def test_the_same_code_runs_under_torchrun(
    compared: dict[int, tuple[str, dict[str, Any]]], tmp_path: Path
) -> None:
    assert TORCHRUN.exists()
    env = {k: v for k, v in os.environ.items() if k not in distributed.LAUNCHER_ENV}
    proc = subprocess.run(
        [
            str(TORCHRUN),
            "--standalone",
            "--nproc-per-node",
            "2",
            "-m",
            "lrspec_torch.cli",
            "compare",
            *COMPARE_ARGV,
            "--json",
            "out.json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == compared[2][0].replace(str(_json_path(compared)), "out.json")
    runs = json.loads((tmp_path / "out.json").read_text())["runs"]
    assert runs == compared[2][1]["runs"]  # world size 2 both ways: identical, bit for bit


def _json_path(compared: dict[int, tuple[str, dict[str, Any]]]) -> str:
    last = compared[2][0].splitlines()[-1]
    return last.removeprefix("wrote the results to ")


# --- what a data-parallel run refuses -----------------------------------------------------------


@pytest.mark.parametrize(
    "argv, nproc, message",
    [
        (["--device", "cuda"], 2, "--nproc trains on the CPU"),
        (["--n", "1"], 2, r"--nproc needs --n >= the number of processes \(2\)"),
    ],
)
def test_compare_nproc_refuses_before_starting_anything(
    argv: list[str], nproc: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (as on a machine with a GPU: the device exists, yet a data-parallel run refuses it)
    monkeypatch.setattr(regression, "resolve_device", lambda device: torch.device("cpu"))
    json_path = tmp_path / "out.json"
    with pytest.raises(UsageError, match=message):
        compare(_compare_args(*argv, "--json", str(json_path), nproc=nproc))
    assert list(tmp_path.iterdir()) == []


def test_under_a_launcher_nproc_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in zip(distributed.LAUNCHER_ENV, ["0", "2", "127.0.0.1", "1"], strict=True):
        monkeypatch.setenv(key, value)
    assert distributed.launched()
    with pytest.raises(UsageError, match="--nproc starts processes itself"):
        compare(_compare_args(nproc=2))


def test_settings_and_fit_rank_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="epochs must be >= 1, got 0"):
        distributed.Settings(n=10, p=5, epochs=0, lr=0.1, seed=0)
    with pytest.raises(TypeError, match="lr must be a real number"):
        distributed.Settings(n=10, p=5, epochs=1, lr="0.1", seed=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"n must be >= the number of processes \(4\)"):
        distributed.Settings(n=3, p=5, epochs=1, lr=0.1, seed=0).check_world_size(4)
    with pytest.raises(RuntimeError, match="needs an initialised process group"):
        distributed.fit_rank(None, SETTINGS)
    with _one_process(), pytest.raises(ValueError, match="checkpoint and checkpoint_at"):
        distributed.fit_rank(None, SETTINGS, checkpoint_at=3)
