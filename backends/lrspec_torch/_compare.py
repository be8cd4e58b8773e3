"""``lrspec compare``: the tutorial's regression trained under each run; a table, JSON, a plot.

Imports torch: :mod:`lrspec_torch.cli` loads this module only after checking torch is there.

Data-parallel (:mod:`lrspec_torch._distributed`): with ``--nproc N`` (N > 1) the runs train
under DDP on N processes that this command starts with ``torch.multiprocessing.spawn``;
started by ``torchrun`` (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT`` set),
this process is one rank and trains its share: every rank runs the same code, and rank 0
alone writes the files and prints. The output has the format of a single-process run.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence

import torch

import lrspec
from lrspec_torch import _distributed as distributed
from lrspec_torch import _regression as regression
from lrspec_torch._errors import UsageError
from lrspec_torch._files import PendingFile, pending
from lrspec_torch._progress import ProgressBar
from lrspec_torch._regression import RegressionResult
from lrspec_torch._render import compare_figure, figure_format, format_table, save_figure
from lrspec_torch._tutorial import FEATURES

Run = tuple[str, lrspec.Schedule | None]


def run_all(runs: Sequence[Run], args: argparse.Namespace) -> list[RegressionResult]:
    """Fit every run; a progress bar on a terminal when the work is large."""

    def fit(spec: lrspec.Schedule | None) -> RegressionResult:
        try:
            return regression.fit_regression(
                spec,
                n=args.n,
                p=FEATURES,
                epochs=args.epochs,
                lr=args.lr,
                seed=args.seed,
                device=args.device,
                dtype=args.dtype,
            )
        except (ValueError, TypeError) as exc:
            raise UsageError(str(exc)) from None

    work = args.n * FEATURES * args.epochs * len(runs)
    results = []
    with ProgressBar.for_work(work, len(runs)) as bar:
        for label, spec in runs:
            bar.show(f"training {label}")
            results.append(fit(spec))
            bar.advance()
        bar.show("done")
    return results


def _settings(args: argparse.Namespace) -> distributed.Settings:
    try:
        return distributed.Settings(
            n=args.n, p=FEATURES, epochs=args.epochs, lr=args.lr, seed=args.seed, dtype=args.dtype
        )
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None


def _check_data_parallel(args: argparse.Namespace, world_size: int, how: str) -> None:
    """What a data-parallel run refuses, before any file is reserved or process started."""
    if args.device not in ("auto", "cpu"):
        raise UsageError(
            f"{how} trains on the CPU (DDP with the gloo backend); got --device {args.device!r} "
            f"(use --device cpu or leave it out)"
        )
    if args.n < world_size:
        raise UsageError(
            f"{how} needs --n >= the number of processes ({world_size}) so that every rank has "
            f"a row; got --n {args.n}"
        )


def run_data_parallel(runs: Sequence[Run], args: argparse.Namespace) -> list[RegressionResult]:
    """Fit every run on ``args.nproc`` processes started here (DDP, gloo, 127.0.0.1)."""
    bar = ProgressBar.for_work(args.n * FEATURES * args.epochs * len(runs), 1)
    with bar:
        bar.show(f"training {len(runs)} runs on {args.nproc} processes")
        results = distributed.spawn_compare([spec for _, spec in runs], _settings(args), args.nproc)
        bar.advance()
        bar.show("done")
    return results


def _json_text(labels: Sequence[str], results: Sequence[RegressionResult]) -> str:
    data = {
        "lrspec_version": lrspec.__version__,
        "torch_version": torch.__version__,
        "w_true": list(results[0].w_true),
        "runs": [{"label": label, **r.to_dict()} for label, r in zip(labels, results, strict=True)],
    }
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def compare(args: argparse.Namespace) -> int:
    """Train every run of ``args.schedulers`` (``(label, spec)`` pairs); print a table.

    ``args.nproc`` > 1 trains data-parallel on that many processes started here; under
    ``torchrun`` this process is one rank (see the module docstring).
    """
    runs: list[Run] = args.schedulers
    nproc: int = getattr(args, "nproc", 1)
    try:
        regression.resolve_device(args.device)  # fail before reserving files or training
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    if distributed.launched():
        if nproc != 1:
            raise UsageError(
                "--nproc starts processes itself; under torchrun (RANK and WORLD_SIZE set) "
                "leave it out and set torchrun's --nproc-per-node instead"
            )
        _check_data_parallel(args, int(os.environ["WORLD_SIZE"]), "a torchrun run")
        settings = _settings(args)
        specs = [spec for _, spec in runs]
        if int(os.environ["RANK"]) != 0:  # train quietly; rank 0 writes and prints
            with distributed.process_group():
                distributed.fit_all(specs, settings)
            distributed.exit_now(0)

        def as_rank_0() -> list[RegressionResult]:
            with distributed.process_group():
                results = distributed.fit_all(specs, settings)
            assert results is not None  # rank 0 holds every rank's results
            return results

        distributed.exit_now(_report(runs, args, as_rank_0))
    if nproc > 1:
        _check_data_parallel(args, nproc, "--nproc")
        return _report(runs, args, lambda: run_data_parallel(runs, args))
    return _report(runs, args, lambda: run_all(runs, args))


def _report(
    runs: Sequence[Run], args: argparse.Namespace, train: Callable[[], list[RegressionResult]]
) -> int:
    """Reserve the output files, ``train()``, write the files, print the table."""
    plot_format = figure_format(args.plot) if args.plot else ""
    with pending([]) as outputs:
        plot_out = json_out = None
        if args.plot:
            plot_out = PendingFile(args.plot, "plot")
            outputs.append(plot_out)
        if args.json:
            json_out = PendingFile(args.json, "JSON")
            outputs.append(json_out)

        results = train()
        labels = [label for label, _ in runs]
        if plot_out is not None:
            plot_out.write(save_figure(compare_figure(labels, results), plot_format))
        if json_out is not None:
            text = _json_text(labels, results)
            json_out.write(lambda path: path.write_text(text, encoding="utf-8"))
        for out in outputs:
            out.commit()

    first = results[0]
    print(
        f"linear regression: n={first.n}, p={first.p}, {first.epochs} epochs of SGD at "
        f"lr={first.lr}, seed {first.seed}, {first.dtype} on {first.device}; "
        f"w_true = {list(first.w_true)}"
    )
    print()
    print(format_table(labels, results))
    for path, what in ((args.plot, "plot"), (args.json, "results")):
        if path:
            print(f"wrote the {what} to {path}")
    return 0
