"""``lrspec plot``: a schedule as a terminal preview or an image, with the core alone.

Nothing this module imports imports torch: a core-only install (plus matplotlib for ``-o``)
runs it.
"""

from __future__ import annotations

import argparse

import lrspec
from lrspec_torch._errors import UsageError
from lrspec_torch._files import PendingFile, pending
from lrspec_torch._render import figure_format, preview, save_figure, schedule_figure


def _quoted(spec: lrspec.Schedule) -> str:
    """The spec as a shell word: its class name if that is enough, else its repr in "…"."""
    name = type(spec).__name__
    try:
        if lrspec.parse(name + "()") == spec:
            return name
    except (TypeError, ValueError):
        pass
    return f'"{spec!r}"'  # reprs quote strings with '…', so "…" keeps it one shell word


def schedule_values(spec: lrspec.Schedule | None, base_lr: float, steps: int) -> list[float]:
    """The lr torch would set at steps ``0..steps`` (constant when ``spec`` is None)."""
    if spec is None:
        return [base_lr] * (steps + 1)
    if spec.metric_driven:
        name = type(spec).__name__
        raise UsageError(
            f"{name} is metric-driven: its lr depends on the metrics it is given, so there is "
            f"no schedule to plot from steps alone (see: lrspec compare --schedulers "
            f"{_quoted(spec)})"
        )
    try:
        return spec.trace(base_lr, steps)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None


def plot(args: argparse.Namespace) -> int:
    """Preview ``args.spec`` (a ``(label, spec)`` pair), or draw it to ``args.output``; both
    show the spec's ``describe()`` line."""
    label, spec = args.spec
    values = schedule_values(spec, args.base_lr, args.steps)
    line = None if spec is None else spec.describe()
    if args.output is None:
        print(preview(label, values, args.base_lr, description=line))
        return 0
    fmt = figure_format(args.output)
    figure = schedule_figure(label, values, args.base_lr, description=line)
    with pending([PendingFile(args.output, "plot")]) as outputs:
        outputs[0].write(save_figure(figure, fmt))
        outputs[0].commit()
    print(f"wrote the plot of {label} ({args.steps} steps) to {args.output}")
    return 0
