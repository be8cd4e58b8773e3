"""The tutorial's regression, data-parallel under ``torch.distributed`` (DDP, gloo, CPU).

One function, :func:`fit_rank`, is what every rank runs. It needs an initialised default
process group and nothing else, so the same code runs however the processes were started:

* by ``torchrun`` (``torchrun --nnodes N --nproc-per-node M ...``), which sets ``RANK``,
  ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``: :func:`init_from_env` joins the group
  with ``init_method="env://"``; ``lrspec compare`` does this when it finds those variables;
* by :func:`spawn_compare` (``lrspec compare --nproc N``): ``torch.multiprocessing.spawn``
  starts ``N`` processes on one machine, each sets the same four variables for itself (a free
  port on 127.0.0.1) and joins through the same ``env://`` path.

Data: every rank generates the tutorial's full data set from the seed
(:func:`~lrspec_torch._regression.make_data`) and keeps its own rows,
``torch.tensor_split(rows, world_size)[rank]`` (contiguous, sizes differing by at most one).
DDP averages the gradients over ranks, so when ``world_size`` divides ``n`` each step is the
full-batch step of :func:`~lrspec_torch.fit_regression`, up to float rounding.

The schedule needs no communication: :class:`~lrspec_torch.SpecLR` computes the lr from the
step count, and every rank steps its scheduler once per epoch, so every rank sets the same lr
at every step. The one exception is a metric-driven spec (ReduceLROnPlateau): its decision
depends on the metric, and each rank's loss is the loss of its own shard. The rule: all-reduce
the metric (sum, then divide by the world size: the mean; gloo has no ``AVG``) and pass the
result to ``step`` on every rank, so every rank sees the same number and takes the same
decision. Without it (``reduce_metric=False``) the ranks can cut the lr at different epochs,
and their weights then drift apart, silently (DDP averages gradients, not weights).
"""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import attrs
import torch
import torch.distributed as dist
from torch import nn
from torch.multiprocessing.spawn import spawn
from torch.nn.parallel import DistributedDataParallel

import lrspec
from lrspec_torch import _regression as regression
from lrspec_torch._regression import RegressionResult
from lrspec_torch._scheduler import SpecLR

#: The variables a torch launcher (``torchrun``) sets, read by ``init_method="env://"``.
LAUNCHER_ENV = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")

#: The checkpoint's keys: epochs done, the model (not the DDP wrapper), optimizer, scheduler.
CHECKPOINT_KEYS = ("epoch", "model", "optimizer", "scheduler")


def launched() -> bool:
    """Whether this process was started by a torch launcher (all of :data:`LAUNCHER_ENV` set)."""
    return all(key in os.environ for key in LAUNCHER_ENV)


def init_from_env() -> None:
    """Join the default process group as the launcher said: gloo, ``init_method="env://"``."""
    dist.init_process_group("gloo", init_method="env://")


@contextlib.contextmanager
def process_group() -> Iterator[None]:
    """Join the group from the environment (:func:`init_from_env`) and leave it on exit.

    On exit, garbage is collected before the group is destroyed: a DDP module that is no
    longer used may still hold the group in a reference cycle, and a gloo group that outlives
    ``destroy_process_group`` is torn down during interpreter shutdown, where its worker
    threads can abort the process (SIGABRT, "terminate called without an active exception").
    """
    init_from_env()
    try:
        yield
    finally:
        gc.collect()
        dist.destroy_process_group()


def exit_now(code: int = 0) -> NoReturn:
    """End this rank's process now, its work done and its output flushed.

    Interpreter shutdown after a gloo process group can abort the process ("terminate called
    without an active exception", from gloo's threads; pytorch PR #179291) even after
    ``destroy_process_group``: a finished rank skips that shutdown, so the launcher sees its
    real exit code.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for ``MASTER_PORT``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def set_launcher_env(rank: int, world_size: int, port: int) -> None:
    """Set :data:`LAUNCHER_ENV` (and ``LOCAL_RANK``) as torchrun would on one machine."""
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world_size),
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
    )


def shard(
    x: torch.Tensor, y: torch.Tensor, rank: int, world_size: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rank ``rank``'s rows of ``x`` and ``y``: block ``rank`` of ``world_size`` contiguous ones."""
    return torch.tensor_split(x, world_size)[rank], torch.tensor_split(y, world_size)[rank]


def all_reduce_mean(value: torch.Tensor) -> torch.Tensor:
    """The mean of ``value`` over all ranks (a new tensor; the same on every rank).

    This is the rule for a metric-driven spec under data parallelism: reduce the metric first,
    then ``step`` it on every rank.
    """
    total = value.detach().clone()
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return total / dist.get_world_size()


@attrs.frozen(kw_only=True)
class Settings:
    """The regression's settings (those of :func:`~lrspec_torch.fit_regression`), checked."""

    n: int
    p: int
    epochs: int
    lr: float
    seed: int
    dtype: str = "float32"
    noise_std: float = 0.2
    noise_mean: float = 0.0

    def __attrs_post_init__(self) -> None:
        regression._check_int("n", self.n, ge=1)
        regression._check_int("p", self.p, ge=1)
        regression._check_int("epochs", self.epochs, ge=1)
        regression._check_int("seed", self.seed, ge=0)
        regression._check_real("lr", self.lr, gt=0.0)
        regression._check_real("noise_std", self.noise_std, ge=0.0)
        regression._check_real("noise_mean", self.noise_mean)
        regression.resolve_dtype(self.dtype)

    def check_world_size(self, world_size: int) -> None:
        """Every rank needs at least one row: ``n >= world_size``."""
        if world_size > self.n:
            raise ValueError(
                f"n must be >= the number of processes ({world_size}) so that every rank "
                f"has a row, got {self.n!r}"
            )


def _floats(values: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


@attrs.frozen(kw_only=True)
class RankRun:
    """What one rank saw in :func:`fit_rank`.

    ``lrs[k]`` is this rank's lr after the scheduler step of epoch ``start + k`` (read from
    its optimizer's param group); ``losses[k]`` is the loss of this rank's shard in that
    epoch, before the update; ``mean_losses[k]`` is the mean of ``losses[k]`` over the
    ranks; ``metrics[k]`` is what a metric-driven spec was given (empty otherwise);
    ``weight`` and ``bias`` are this rank's parameters at the end.
    """

    rank: int
    world_size: int
    start: int
    lrs: tuple[float, ...] = attrs.field(converter=_floats)
    losses: tuple[float, ...] = attrs.field(converter=_floats)
    mean_losses: tuple[float, ...] = attrs.field(converter=_floats)
    metrics: tuple[float, ...] = attrs.field(converter=_floats)
    weight: tuple[float, ...] = attrs.field(converter=_floats)
    bias: float


def _save(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` to ``path`` atomically (a reader never sees a partial file)."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def fit_rank(
    spec: lrspec.Schedule | None,
    settings: Settings,
    *,
    reduce_metric: bool = True,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_at: int | None = None,
    resume: str | os.PathLike[str] | None = None,
) -> RankRun:
    """Train this rank's share of the tutorial's regression; call it on every rank.

    Needs an initialised default process group (gloo, on the CPU). Each epoch: forward on this
    rank's rows, ``zero_grad``, ``backward`` (DDP all-reduces the gradients here),
    ``optimizer.step()``, then one :class:`~lrspec_torch.SpecLR` step: ``step()`` for a
    step-driven spec (no communication), ``step(all_reduce_mean(loss))`` for a metric-driven
    one (``step(loss)`` with ``reduce_metric=False``: the divergence the rule prevents).

    ``checkpoint`` and ``checkpoint_at``: after epoch ``checkpoint_at``, rank 0 writes
    ``{"epoch", "model", "optimizer", "scheduler"}`` with ``torch.save`` (atomically), then
    every rank waits at a barrier, and training goes on to the end. ``resume``: every rank
    loads such a file (``weights_only=True``) and trains from its epoch to ``epochs``; the
    world size may differ from the one that wrote it.
    """
    if not dist.is_initialized():
        raise RuntimeError("fit_rank needs an initialised process group (init_from_env())")
    rank, world_size = dist.get_rank(), dist.get_world_size()
    settings.check_world_size(world_size)
    if (checkpoint is None) != (checkpoint_at is None):
        raise ValueError("checkpoint and checkpoint_at go together")
    if checkpoint_at is not None:
        regression._check_int("checkpoint_at", checkpoint_at, ge=1)
    dtype = regression.resolve_dtype(settings.dtype)
    cpu = torch.device("cpu")

    x, y = regression.make_data(
        settings.n,
        settings.p,
        noise_std=settings.noise_std,
        noise_mean=settings.noise_mean,
        seed=settings.seed,
        device=cpu,
        dtype=dtype,
    )
    x, y = shard(x, y, rank, world_size)
    model = regression.make_model(settings.p, seed=settings.seed, device=cpu, dtype=dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=settings.lr)
    sched = None if spec is None else SpecLR(optimizer, spec)
    start = 0
    if resume is not None:
        state = torch.load(resume, map_location=cpu, weights_only=True)
        start = int(state["epoch"])
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if sched is not None:
            sched.load_state_dict(state["scheduler"])
    ddp = DistributedDataParallel(model)  # broadcasts rank 0's parameters
    loss_fn = nn.MSELoss(reduction="mean")
    group = optimizer.param_groups[0]
    metric_driven = sched is not None and sched.metric_driven

    losses: list[torch.Tensor] = []
    lrs: list[float] = []
    metrics: list[float] = []
    for epoch in range(start, settings.epochs):
        loss = loss_fn(ddp(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if sched is not None:
            if metric_driven:
                metric = all_reduce_mean(loss) if reduce_metric else loss.detach()
                sched.step(metric)
                metrics.append(float(metric))
            else:
                sched.step()
        losses.append(loss.detach())
        lrs.append(float(group["lr"]))
        if checkpoint is not None and epoch + 1 == checkpoint_at:
            if rank == 0:
                payload = {
                    "epoch": epoch + 1,
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": None if sched is None else sched.state_dict(),
                }
                _save(Path(checkpoint), payload)
            dist.barrier()  # no rank goes on (and may read the file) before it is complete

    stacked = torch.stack(losses) if losses else torch.zeros(0, dtype=dtype)
    mean_losses = all_reduce_mean(stacked)  # one collective for the whole record
    return RankRun(
        rank=rank,
        world_size=world_size,
        start=start,
        lrs=lrs,
        losses=stacked.double().tolist(),
        mean_losses=mean_losses.double().tolist(),
        metrics=metrics,
        weight=model.weight.detach()[0].double().tolist(),
        bias=float(model.bias.detach()[0].double()),
    )


def gather(run: RankRun) -> list[RankRun] | None:
    """Every rank's run, in rank order, on rank 0 (``None`` on the others)."""
    out: list[Any] | None = [None] * dist.get_world_size() if dist.get_rank() == 0 else None
    dist.gather_object(run, out, dst=0)
    return None if out is None else [r for r in out if isinstance(r, RankRun)]


def to_result(
    name: str, spec: lrspec.Schedule | None, settings: Settings, runs: Sequence[RankRun]
) -> RegressionResult:
    """A :class:`~lrspec_torch.RegressionResult` from every rank's run (rank 0's parameters).

    ``losses`` are the per-epoch means over ranks (the full-batch loss, up to float
    rounding, when the world size divides ``n``). Raises RuntimeError if two ranks applied a
    different lr at some epoch, which this module's rule makes impossible.
    """
    first = runs[0]
    for other in runs[1:]:
        if other.lrs != first.lrs:
            epoch = next(
                k for k, (a, b) in enumerate(zip(first.lrs, other.lrs, strict=True)) if a != b
            )
            raise RuntimeError(
                f"ranks 0 and {other.rank} applied different lrs at epoch {first.start + epoch}"
            )
    return RegressionResult(
        name=name,
        spec=spec,
        device="cpu",
        dtype=settings.dtype,
        n=settings.n,
        p=settings.p,
        epochs=settings.epochs,
        lr=settings.lr,
        seed=settings.seed,
        noise_std=settings.noise_std,
        noise_mean=settings.noise_mean,
        lrs=first.lrs,
        losses=first.mean_losses,
        weight=first.weight,
        bias=first.bias,
    )


def _name(spec: lrspec.Schedule | None) -> str:
    return "none" if spec is None else type(spec).__name__


def fit_all(
    specs: Sequence[lrspec.Schedule | None], settings: Settings
) -> list[RegressionResult] | None:
    """Every spec's run on every rank of the current group; the results on rank 0."""
    results = []
    for spec in specs:
        runs = gather(fit_rank(spec, settings))
        if runs is not None:
            results.append(to_result(_name(spec), spec, settings, runs))
    return results if dist.get_rank() == 0 else None


def _result_data(result: RegressionResult) -> dict[str, Any]:
    """Plain data of ``result`` (no spec): what a spawned rank 0 hands back through a file."""
    return {k: v for k, v in attrs.asdict(result, recurse=False).items() if k != "spec"}


def _spawned(
    rank: int,
    world_size: int,
    port: int,
    specs: Sequence[lrspec.Schedule | None],
    settings: Settings,
    out: str,
) -> None:
    set_launcher_env(rank, world_size, port)
    with process_group():
        results = fit_all(specs, settings)
    if results is not None:
        _save(Path(out), {"results": [_result_data(r) for r in results]})
    exit_now()  # (an exception above propagates to spawn as usual)


def spawn_compare(
    specs: Sequence[lrspec.Schedule | None], settings: Settings, nproc: int
) -> list[RegressionResult]:
    """Fit every spec data-parallel on ``nproc`` processes started here; rank 0's results.

    ``torch.multiprocessing.spawn`` starts the processes (start method "spawn"); they meet on
    a free port of 127.0.0.1 through ``env://``, exactly as under ``torchrun``, and run
    :func:`fit_all`. Rank 0 writes the results to a private temporary file, read back here.
    """
    regression._check_int("nproc", nproc, ge=1)
    settings.check_world_size(nproc)
    with tempfile.TemporaryDirectory(prefix="lrspec-") as tmp:
        out = str(Path(tmp) / "results.pt")
        spawn(  # type: ignore[no-untyped-call]
            _spawned,
            args=(nproc, free_port(), list(specs), settings, out),
            nprocs=nproc,
            join=True,
        )
        data = torch.load(out, weights_only=True)
    return [
        RegressionResult(spec=spec, **fields)
        for spec, fields in zip(specs, data["results"], strict=True)
    ]
