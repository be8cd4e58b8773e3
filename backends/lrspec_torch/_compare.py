"""``lrspec compare``: the tutorial's regression trained under each run; a table, JSON, a plot.

Imports torch: :mod:`lrspec_torch.cli` loads this module only after checking torch is there.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

import torch

import lrspec
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


def _json_text(labels: Sequence[str], results: Sequence[RegressionResult]) -> str:
    data = {
        "lrspec_version": lrspec.__version__,
        "torch_version": torch.__version__,
        "w_true": list(results[0].w_true),
        "runs": [{"label": label, **r.to_dict()} for label, r in zip(labels, results, strict=True)],
    }
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def compare(args: argparse.Namespace) -> int:
    """Train every run of ``args.schedulers`` (``(label, spec)`` pairs); print a table."""
    runs: list[Run] = args.schedulers
    try:
        regression.resolve_device(args.device)  # fail before reserving files or training
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    plot_format = figure_format(args.plot) if args.plot else ""
    with pending([]) as outputs:
        plot_out = json_out = None
        if args.plot:
            plot_out = PendingFile(args.plot, "plot")
            outputs.append(plot_out)
        if args.json:
            json_out = PendingFile(args.json, "JSON")
            outputs.append(json_out)

        results = run_all(runs, args)
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
