"""The training loop of the resume tests, and the worker that resumes it in a fresh process.

The resume tests import this file as a module (tests/torch is on ``sys.path``), so the
parent and the worker run the very same code; :func:`in_new_process` is the parent's side.
As a script -- ``python _resume_worker.py JOBS RESULTS`` -- it reads a list of cases from
``JOBS`` (``torch.save``'d plain data, read with ``weights_only=True``). Each case
names a checkpoint file, written by the parent after ``k`` steps; the worker builds a fresh
model, optimizer and ``SpecLR`` from the case (the spec travels as ``repr`` text and is read
back with :func:`lrspec.parse`), loads the checkpoint in the case's order, trains on to step
``n`` and saves what it saw to ``RESULTS``.

A case is a dict: ``spec`` (repr text, or a list of them: one spec per param group), ``kind``
("sgd" or "adam"), ``lrs`` and ``momenta`` (one per param group), ``tensor_lr``, ``n``, ``k``,
``metrics`` (None: a metric-driven spec is stepped with the loss), ``order`` (one of
:data:`ORDERS`), optionally ``resolution`` (``SpecLR``'s ``steps_per_epoch`` /
``total_steps`` / ``accumulation`` keywords, for specs written in ``Epochs`` / ``Fraction``),
and, for the worker, ``ckpt`` (the checkpoint's path).
"""

from __future__ import annotations

import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from _torch_helpers import X, Y, bits, make_model  # this folder: sys.path[0] as a script
from torch import nn

import lrspec
import lrspec.testing  # registers the lrspec_testing_* functions specs may hold
from lrspec_torch import SpecLR

#: How a run is restored from a checkpoint:
#: build optimizer and SpecLR, load the optimizer state then the scheduler state;
#: build both, load the scheduler state then the optimizer state;
#: build the optimizer, load it, only then build SpecLR (torch's usual recipe) and load it.
ORDERS = ("optimizer_first", "scheduler_first", "scheduler_built_after_load")


def make_optimizer(model: nn.Linear, case: dict[str, Any]) -> torch.optim.Optimizer:
    lrs = case["lrs"]
    params = [[model.weight, model.bias]] if len(lrs) == 1 else [[model.weight], [model.bias]]
    groups: list[dict[str, Any]] = []
    for p, lr, momentum in zip(params, lrs, case["momenta"], strict=True):
        group = {"params": p, "lr": torch.tensor(lr) if case["tensor_lr"] else lr}
        if case["kind"] == "sgd":
            group["momentum"] = momentum
        groups.append(group)
    if case["kind"] == "adam":
        return torch.optim.Adam(groups, lr=0.1)
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


def specs_of(case: dict[str, Any]) -> lrspec.Schedule | list[lrspec.Schedule]:
    text = case["spec"]
    return [lrspec.parse(t) for t in text] if isinstance(text, list) else lrspec.parse(text)


def make_scheduler(opt: torch.optim.Optimizer, case: dict[str, Any]) -> SpecLR:
    """SpecLR for the case's specs, resolved with the case's quantities (if any)."""
    return SpecLR(opt, specs_of(case), **case.get("resolution", {}))


def canon(value: Any) -> Any:
    """A bit-exact, plain-data form of a value (floats by ``float.hex``, tensors by element)."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().reshape(-1).tolist()
        return ["tensor", str(value.dtype), [float(v).hex() for v in flat]]
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [canon(v) for v in value]]
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    return value


def snapshot(opt: torch.optim.Optimizer, sched: SpecLR) -> dict[str, Any]:
    """What a step left: every param-group key but the params, ``get_last_lr()`` and the
    scheduler's step counter (``last_epoch``, which loggers and trainers read)."""
    return {
        "groups": [
            {key: canon(v) for key, v in g.items() if key != "params"} for g in opt.param_groups
        ],
        "last_lr": [canon(lr) for lr in sched.get_last_lr()],
        "last_epoch": sched.last_epoch,
    }


def train(
    model: nn.Linear,
    opt: torch.optim.Optimizer,
    sched: SpecLR,
    case: dict[str, Any],
    start: int,
    stop: int,
) -> list[dict[str, Any]]:
    """Training steps ``start`` .. ``stop - 1``; returns the snapshot after each."""
    metrics = case["metrics"]
    out = []
    for k in range(start, stop):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), Y)
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        if sched.metric_driven:
            sched.step(loss.item() if metrics is None else metrics[k])
        else:
            sched.step()
        out.append(snapshot(opt, sched))
    return out


def uninterrupted(case: dict[str, Any]) -> tuple[list[dict[str, Any]], list[torch.Tensor]]:
    """Snapshots after construction and each of ``n`` steps, and the final weights."""
    model = make_model()
    opt = make_optimizer(model, case)
    sched = make_scheduler(opt, case)
    seen = [snapshot(opt, sched), *train(model, opt, sched, case, 0, case["n"])]
    return seen, [p.detach().clone() for p in model.parameters()]


def checkpoint(case: dict[str, Any]) -> dict[str, Any]:
    """Train a separate run to step ``k`` and return the checkpoint to save."""
    model = make_model()
    opt = make_optimizer(model, case)
    sched = make_scheduler(opt, case)
    train(model, opt, sched, case, 0, case["k"])
    return {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}


def resume(
    case: dict[str, Any], ckpt: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[torch.Tensor]]:
    """Restore a fresh run from ``ckpt`` in ``case["order"]`` and train on to step ``n``.

    Returns the snapshot right after loading (step ``k``) and after each later step, and the
    final weights.
    """
    model = make_model()
    model.load_state_dict(ckpt["model"])
    opt = make_optimizer(model, case)
    order = case["order"]
    if order == "scheduler_built_after_load":
        opt.load_state_dict(ckpt["opt"])
        sched = make_scheduler(opt, case)
        sched.load_state_dict(ckpt["sched"])
    elif order == "optimizer_first":
        sched = make_scheduler(opt, case)
        opt.load_state_dict(ckpt["opt"])
        sched.load_state_dict(ckpt["sched"])
    elif order == "scheduler_first":
        sched = make_scheduler(opt, case)
        sched.load_state_dict(ckpt["sched"])
        opt.load_state_dict(ckpt["opt"])
    else:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    seen = [snapshot(opt, sched), *train(model, opt, sched, case, case["k"], case["n"])]
    return seen, [p.detach().clone() for p in model.parameters()]


Run = tuple[list[dict[str, Any]], list[torch.Tensor]]  # (what was seen, final weights)


def in_new_process(cases: list[dict[str, Any]], run_python: Callable[..., str]) -> list[Run]:
    """Checkpoint every case here, resume them all in one fresh worker process.

    Returns ``(uninterrupted, resumed)`` pairs, one per case: the run that never stopped, as
    :func:`uninterrupted` gives it, and what the worker saw from step ``k`` on.
    """
    with tempfile.TemporaryDirectory() as tmp:
        jobs, expected = [], []
        for i, case in enumerate(cases):
            path = Path(tmp, f"ckpt{i}.pt")
            torch.save(checkpoint(case), path)
            jobs.append({**case, "ckpt": str(path)})
            expected.append(uninterrupted(case))
        torch.save(jobs, Path(tmp, "jobs.pt"))
        run_python(__file__, str(Path(tmp, "jobs.pt")), str(Path(tmp, "out.pt")))
        results = torch.load(Path(tmp, "out.pt"), weights_only=True)
    assert len(results) == len(cases), (len(results), len(cases))
    return [
        (want, (got["seen"], got["weights"])) for want, got in zip(expected, results, strict=True)
    ]


def save_load(obj: Any) -> Any:
    """``obj`` through ``torch.save`` and ``torch.load(weights_only=True)``, in memory."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def assert_resumed(case: dict[str, Any], expected: Run, resumed: Run) -> None:
    """The resumed run saw, from step ``k`` on, exactly what the uninterrupted run saw."""
    seen, weights = expected
    got, got_weights = resumed
    k = case["k"]
    assert len(got) == len(seen) - k, case
    for i, (want, have) in enumerate(zip(seen[k:], got, strict=True)):
        assert have == want, f"after step {k + i} (resumed at step {k}): {case}"
    for a, b in zip(weights, got_weights, strict=True):
        assert torch.equal(bits(a), bits(b)), f"final weights differ: {a} vs {b}: {case}"


def main(argv: list[str]) -> int:
    jobs_path, results_path = argv
    results = []
    for case in torch.load(jobs_path, weights_only=True):
        seen, weights = resume(case, torch.load(case["ckpt"], weights_only=True))
        results.append({"seen": seen, "weights": weights})
    torch.save(results, results_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
