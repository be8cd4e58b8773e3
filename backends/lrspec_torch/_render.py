"""What the ``lrspec`` command draws: the comparison table, sparklines, previews, figures.

Figures are built on matplotlib's object API with the Agg canvas (pyplot's global state is
never touched); matplotlib is imported only when a figure is asked for. Nothing here
imports torch.
"""

from __future__ import annotations

import math
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lrspec_torch._errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrspec_torch._regression import RegressionResult

PLOT_MISSING = (
    "needs matplotlib, which is not installed; install it with: pip install 'lrspec[plot]'"
)
_SPARKS = "▁▂▃▄▅▆▇█"
_ASCII_SPARKS = "_.-~=+*#"


# --- text ---------------------------------------------------------------------------------------


def _fmt_weights(weight: Sequence[float]) -> str:
    shown = [f"{w:.4f}" for w in weight[:8]]
    if len(weight) > 8:
        shown = [*shown[:6], "..."]
    return "[" + ", ".join(shown) + "]"


def format_table(labels: Sequence[str], results: Sequence[RegressionResult]) -> str:
    """The comparison table: one row per run, floats at full ``repr`` precision."""
    header = ["scheduler", "final lr", "final loss", "weights", "bias", "device"]
    rows = [header] + [
        [
            label,
            repr(r.final_lr),
            repr(r.final_loss),
            _fmt_weights(r.weight),
            repr(r.bias),
            r.device,
        ]
        for label, r in zip(labels, results, strict=True)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def sparkline(values: Sequence[float], width: int = 64) -> str:
    """``values`` as one line of block characters (sampled to at most ``width`` columns).

    Falls back to ASCII (``_.-~=+*#``) when stdout cannot encode the block characters.
    """
    sparks = _SPARKS
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        sparks.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        sparks = _ASCII_SPARKS
    count = min(len(values), width)
    if count <= 1:
        picked = list(values)
    else:
        picked = [values[round(i * (len(values) - 1) / (count - 1))] for i in range(count)]
    finite = [v for v in picked if math.isfinite(v)]
    top = len(sparks) - 1
    if not finite:
        return "".join(sparks[top] if v == math.inf else "?" for v in picked)
    lo, hi = min(finite), max(finite)
    if not hi > lo:
        hi = lo + 1.0  # flat: every finite value in the middle row
        lo -= 1.0
    # inf (an lr that overflowed) reads as the top row, NaN or -inf as "?"
    return "".join(
        sparks[round((v - lo) / (hi - lo) * top)]
        if math.isfinite(v)
        else (sparks[top] if v == math.inf else "?")
        for v in picked
    )


def preview(
    label: str,
    values: Sequence[float],
    base_lr: float,
    rows: int = 11,
    description: str | None = None,
) -> str:
    """A terminal preview of a schedule: a sparkline and a table of values at a few steps.

    ``description`` (the spec's :meth:`~lrspec.Schedule.describe` line) follows the header.
    """
    steps = len(values) - 1
    picks = sorted({round(k * steps / (rows - 1)) for k in range(rows)})
    width = max(len(str(steps)), 4)
    lines = [
        f"{label}  base_lr={base_lr}  steps={steps}",
        *([] if description is None else [description]),
        f"lr  {sparkline(values)}",
        f"    min {min(values)!r}  max {max(values)!r}",
        "",
        f"{'step'.rjust(width)}  lr",
    ]
    lines += [f"{str(k).rjust(width)}  {values[k]!r}" for k in picks]
    return "\n".join(lines)


# --- figures ------------------------------------------------------------------------------------


def figure_format(target: str) -> str:
    """The image format for ``target`` (from its suffix); needs matplotlib.

    Raises UsageError when matplotlib is missing or the suffix is no format it writes.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(f"writing a plot {PLOT_MISSING}") from None
    fmt = Path(target).suffix.lower().removeprefix(".")
    supported = FigureCanvasAgg(Figure()).get_supported_filetypes()
    if fmt not in supported:
        raise UsageError(
            f"cannot write a plot to {target!r}: unknown image format {fmt!r} "
            f"(use .png, or one of {', '.join(sorted(supported))})"
        )
    return fmt


def save_figure(fig: Figure, fmt: str) -> Callable[[Path], None]:
    """A writer for :meth:`PendingFile.write <lrspec_torch._files.PendingFile.write>`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def writer(path: Path) -> None:
        FigureCanvasAgg(fig)  # the Agg backend, without touching pyplot's global state
        fig.savefig(path, format=fmt, dpi=120)

    return writer


def compare_figure(labels: Sequence[str], results: Sequence[RegressionResult]) -> Figure:
    """lr and training-loss curves of every run, side by side."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.5), layout="constrained")
    ax_lr, ax_loss = fig.subplots(1, 2)
    for label, r in zip(labels, results, strict=True):
        ax_lr.plot(range(r.epochs + 1), [r.lr, *r.lrs], label=label)
        ax_loss.plot(range(r.epochs), r.losses, label=label)
    ax_lr.set(title="learning rate", xlabel="epoch", ylabel="lr after the epoch's step")
    ax_loss.set(title="training loss (MSE)", xlabel="epoch", ylabel="loss", yscale="log")
    ax_lr.legend(fontsize="small")
    first = results[0]
    fig.suptitle(
        f"linear regression: n={first.n}, p={first.p}, SGD lr={first.lr}, "
        f"seed {first.seed}, {first.device}"
    )
    return fig


def schedule_figure(
    label: str, values: Sequence[float], base_lr: float, description: str | None = None
) -> Figure:
    """One schedule's lr over its steps, titled with its (wrapped) spec text; the spec's
    ``describe()`` line, when given, is the figure's title above it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(range(len(values)), values)
    if description is not None:
        fig.suptitle("\n".join(textwrap.wrap(description, width=80)), fontsize=10)
    title = "\n".join(textwrap.wrap(label, width=72))  # a full spec repr can be long
    ax.set_title(title, fontsize=9)
    ax.set(xlabel="step", ylabel=f"lr (base_lr={base_lr})")
    ax.grid(alpha=0.3)
    return fig
