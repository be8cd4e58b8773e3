"""The ``lrspec`` command: ``lrspec compare`` (the tutorial's experiment) and ``lrspec plot``.

torch is imported only inside :func:`main`, which exits with code 2 and a one-line message
naming ``pip install 'lrspec[torch]'`` when it is missing. Every bad input (an unknown
scheduler, a bad value, unparsable spec text, an unwritable path, an unavailable device)
is reported on one line of stderr with exit code 2, before any training, and leaves no
output file behind: files are written to a temporary file in the target's directory,
reserved before the work starts, and renamed into place at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import lrspec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrspec_torch._regression import RegressionResult

PROG = "lrspec"
TORCH_MISSING = (
    f"{PROG}: error: this command needs PyTorch, which is not installed; "
    "install it with: pip install 'lrspec[torch]'"
)
PLOT_MISSING = (
    "needs matplotlib, which is not installed; install it with: pip install 'lrspec[plot]'"
)
#: Show a progress bar (on a terminal) when a comparison holds more work than this
#: (samples x features x epochs, summed over runs): below it, runs finish in a blink.
PROGRESS_WORK = 50_000_000
_SPARKS = "▁▂▃▄▅▆▇█"
_ASCII_SPARKS = "_.-~=+*#"


#: The tutorial's runs, in its order (``tutorial_specs()`` holds the specs).
TUTORIAL_RUNS = (
    "none",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "ReduceLROnPlateau",
    "LambdaLR",
)


class UsageError(Exception):
    """Bad input: printed as one line on stderr, exit code 2."""

    def __init__(self, message: str, prog: str | None = None) -> None:
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """argparse, with every error reported on one line (no usage block)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)", prog=self.prog)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- argument types ----------------------------------------------------------------------------


def _int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``low``."""
    rule = "an integer > 0" if low == 1 else f"an integer >= {low}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1)
_seed = _int_at_least(0)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


# --- specs from the command line ---------------------------------------------------------------


def resolve_spec(
    text: str, tutorial: dict[str, lrspec.Schedule | None]
) -> tuple[str, lrspec.Schedule | None]:
    """(label, spec) for a tutorial run name, a spec class name, or spec text.

    A tutorial name (``none``, ``StepLR``, ...; any case) gives the tutorial's run; a bare
    class name gives that spec with its defaults; anything else is read by
    :func:`lrspec.parse` (``"CosineAnnealingLR(T_max=50)"``).
    """
    stripped = text.strip()
    by_lower = {name.lower(): name for name in tutorial}
    if stripped.lower() in by_lower:
        name = by_lower[stripped.lower()]
        return name, tutorial[name]
    if stripped.isidentifier():
        known = {cls.__name__ for cls in lrspec.TORCH_TWINS}
        if stripped not in known:
            raise UsageError(
                f"unknown scheduler {text!r}: use a tutorial name ({', '.join(tutorial)}), "
                f"a spec class name or spec text such as 'StepLR(step_size=10)'"
            )
        stripped += "()"
    try:
        spec = lrspec.parse(stripped)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    return repr(spec), spec


# --- output files ------------------------------------------------------------------------------


class PendingFile:
    """An output path reserved now (a temp file beside it) and put in place by :meth:`commit`.

    Reserving checks that the directory exists and is writable before any work is done;
    nothing appears at ``target`` unless :meth:`commit` runs.
    """

    def __init__(self, target: str, what: str) -> None:
        self.target = Path(target)
        self.what = what
        if self.target.is_dir():
            raise UsageError(f"cannot write the {what} to {target!r}: it is a directory")
        parent = self.target.parent
        if not parent.is_dir():
            raise UsageError(
                f"cannot write the {what} to {target!r}: directory {str(parent)!r} does not exist"
            )
        try:
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{self.target.name}.", suffix=".tmp")
        except OSError as exc:
            raise UsageError(f"cannot write the {what} to {target!r}: {exc.strerror}") from None
        os.close(fd)
        self.tmp: Path | None = Path(tmp)

    def write(self, writer: Callable[[Path], object]) -> None:
        assert self.tmp is not None
        try:
            writer(self.tmp)
        except OSError as exc:
            raise UsageError(
                f"cannot write the {self.what} to {str(self.target)!r}: {exc.strerror or exc}"
            ) from None

    def commit(self) -> None:
        assert self.tmp is not None
        umask = os.umask(0)
        os.umask(umask)
        try:
            os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp made it private (0600)
            os.replace(self.tmp, self.target)
        except OSError as exc:
            raise UsageError(
                f"cannot write the {self.what} to {str(self.target)!r}: {exc.strerror or exc}"
            ) from None
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                self.tmp.unlink()
            self.tmp = None


def _figure_format(target: str) -> str:
    """The image format for ``target`` (from its suffix); needs matplotlib."""
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


def _save(fig: Figure, fmt: str) -> Callable[[Path], None]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def writer(path: Path) -> None:
        FigureCanvasAgg(fig)  # the Agg backend, without touching pyplot's global state
        fig.savefig(path, format=fmt, dpi=120)

    return writer


@contextlib.contextmanager
def _pending(outputs: list[PendingFile]) -> Iterator[list[PendingFile]]:
    """Discard every reserved file not committed, whatever happens."""
    try:
        yield outputs
    finally:
        for out in outputs:
            out.discard()


# --- lrspec compare ----------------------------------------------------------------------------


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


def _compare_figure(labels: Sequence[str], results: Sequence[RegressionResult]) -> Figure:
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


def _progress(total_work: int) -> Any:
    """A transient rich progress bar on stderr, or None (not a terminal, small job, no rich)."""
    if total_work < PROGRESS_WORK or not sys.stderr.isatty():
        return None
    try:
        from rich.console import Console
        from rich.progress import Progress
    except ImportError:
        return None
    return Progress(console=Console(stderr=True), transient=True)


def _run_all(
    runs: Sequence[tuple[str, lrspec.Schedule | None]], args: argparse.Namespace
) -> list[RegressionResult]:
    from lrspec_torch._regression import fit_regression

    def fit(spec: lrspec.Schedule | None) -> RegressionResult:
        try:
            return fit_regression(
                spec,
                n=args.n,
                epochs=args.epochs,
                lr=args.lr,
                seed=args.seed,
                device=args.device,
                dtype=args.dtype,
            )
        except (ValueError, TypeError) as exc:
            raise UsageError(str(exc)) from None

    progress = _progress(args.n * 5 * args.epochs * len(runs))
    if progress is None:
        return [fit(spec) for _, spec in runs]
    results = []
    with progress:
        task = progress.add_task("training", total=len(runs))
        for label, spec in runs:
            progress.update(task, description=f"training {label}")
            results.append(fit(spec))
            progress.advance(task)
    return results


def compare(args: argparse.Namespace) -> int:
    """``lrspec compare``: run the tutorial's schedulers on the same regression; print a table."""
    import torch

    from lrspec_torch._regression import resolve_device, tutorial_specs

    tutorial = tutorial_specs()
    runs = [resolve_spec(text, tutorial) for text in args.schedulers]
    try:
        resolve_device(args.device)  # fail before reserving files or training
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    plot_format = _figure_format(args.plot) if args.plot else ""
    with _pending([]) as outputs:
        plot_out = json_out = None
        if args.plot:
            plot_out = PendingFile(args.plot, "plot")
            outputs.append(plot_out)
        if args.json:
            json_out = PendingFile(args.json, "JSON")
            outputs.append(json_out)

        results = _run_all(runs, args)
        labels = [label for label, _ in runs]
        if plot_out is not None:
            plot_out.write(_save(_compare_figure(labels, results), plot_format))
        if json_out is not None:
            data = {
                "lrspec_version": lrspec.__version__,
                "torch_version": torch.__version__,
                "w_true": list(results[0].w_true),
                "runs": [
                    {"label": label, **r.to_dict()}
                    for label, r in zip(labels, results, strict=True)
                ],
            }
            text = json.dumps(data, indent=2, allow_nan=False) + "\n"
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


# --- lrspec plot -------------------------------------------------------------------------------


def sparkline(values: Sequence[float], width: int = 64) -> str:
    """``values`` as one line of block characters (sampled to at most ``width`` columns)."""
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
    lo, hi = min(picked), max(picked)
    if not hi > lo:
        return sparks[len(sparks) // 2] * len(picked)
    top = len(sparks) - 1
    return "".join(sparks[round((v - lo) / (hi - lo) * top)] for v in picked)


def preview(label: str, values: Sequence[float], base_lr: float, rows: int = 11) -> str:
    """A terminal preview of a schedule: a sparkline and a table of values at a few steps."""
    steps = len(values) - 1
    picks = sorted({round(k * steps / (rows - 1)) for k in range(rows)})
    width = len(str(steps))
    lines = [
        f"{label}  base_lr={base_lr}  steps={steps}",
        f"lr  {sparkline(values)}",
        f"    min {min(values)!r}  max {max(values)!r}",
        "",
        f"{'step'.rjust(max(width, 4))}  lr",
    ]
    lines += [f"{str(k).rjust(max(width, 4))}  {values[k]!r}" for k in picks]
    return "\n".join(lines)


def _schedule_figure(label: str, values: Sequence[float], base_lr: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(range(len(values)), values)
    title = "\n".join(textwrap.wrap(label, width=72))  # a full spec repr can be long
    ax.set_title(title, fontsize=9)
    ax.set(xlabel="step", ylabel=f"lr (base_lr={base_lr})")
    ax.grid(alpha=0.3)
    return fig


def plot(args: argparse.Namespace) -> int:
    """``lrspec plot``: a schedule as an image, or as a terminal preview."""
    from lrspec_torch._regression import tutorial_specs

    label, spec = resolve_spec(args.spec, tutorial_specs())
    if spec is None:
        values = [args.base_lr] * (args.steps + 1)
    elif spec.metric_driven:
        raise UsageError(
            f"{type(spec).__name__} is metric-driven: its lr depends on the metrics it is "
            "given, so there is no schedule to plot from steps alone (see: lrspec compare "
            f"--schedulers {type(spec).__name__})"
        )
    else:
        try:
            values = spec.trace(args.base_lr, args.steps)
        except (ValueError, TypeError) as exc:
            raise UsageError(str(exc)) from None
    if args.output is None:
        print(preview(label, values, args.base_lr))
        return 0
    fmt = _figure_format(args.output)
    with _pending([PendingFile(args.output, "plot")]) as outputs:
        outputs[0].write(_save(_schedule_figure(label, values, args.base_lr), fmt))
        outputs[0].commit()
    print(f"wrote the plot of {label} ({args.steps} steps) to {args.output}")
    return 0


# --- entry point -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Learning-rate schedules as values: compare and preview them.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {lrspec.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    cmp = commands.add_parser(
        "compare",
        help="train the tutorial's linear regression under each scheduler; print a table",
        description=(
            "Fit the tutorial's linear regression (full-batch SGD, one scheduler step per "
            "epoch) under each scheduler and print the final lr, loss, weights and bias."
        ),
    )
    cmp.add_argument(
        "--schedulers",
        nargs="+",
        metavar="SPEC",
        default=list(TUTORIAL_RUNS),
        help=(
            f"runs to compare: tutorial names ({', '.join(TUTORIAL_RUNS)}), spec class names "
            "or spec text such as 'CosineAnnealingLR(T_max=50)' (default: all tutorial runs)"
        ),
    )
    cmp.add_argument("--epochs", type=_positive_int, default=100, help="default: 100")
    cmp.add_argument("--n", type=_positive_int, default=1000, help="samples (default: 1000)")
    cmp.add_argument("--lr", type=_positive_float, default=0.25, help="SGD lr (default: 0.25)")
    cmp.add_argument("--seed", type=_seed, default=42, help="default: 42")
    cmp.add_argument(
        "--device", default="auto", help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:1, mps"
    )
    cmp.add_argument(
        "--dtype", default="float32", choices=["float32", "float64", "float16", "bfloat16"]
    )
    cmp.add_argument("--plot", metavar="FILE.png", help="write lr and loss curves of every run")
    cmp.add_argument("--json", metavar="FILE", help="write every run's results as JSON")
    cmp.set_defaults(func=compare, parser=cmp)

    plt = commands.add_parser(
        "plot",
        help="plot a schedule (an image, or a terminal preview without -o)",
        description="Plot the lr of SPEC over --steps steps, as torch would set it.",
    )
    plt.add_argument("spec", metavar="SPEC", help="spec text, e.g. 'CosineAnnealingLR(T_max=100)'")
    plt.add_argument("--steps", type=_positive_int, default=100, help="default: 100")
    plt.add_argument("--base-lr", type=_positive_float, default=0.25, help="default: 0.25")
    plt.add_argument("-o", "--output", metavar="FILE.png", help="write an image instead")
    plt.set_defaults(func=plot, parser=plt)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lrspec`` command; returns the exit code (2 for bad input)."""
    try:
        import torch  # noqa: F401  (fail early, with the install hint)
    except ImportError:
        print(TORCH_MISSING, file=sys.stderr)
        return 2
    parser = build_parser()
    prog = PROG
    try:
        args, extra = parser.parse_known_args(argv)
        prog = f"{PROG} {args.command}"
        if extra:
            args.parser.error(f"unrecognized arguments: {' '.join(extra)}")
        code = int(args.func(args))
    except UsageError as exc:
        print(f"{exc.prog or prog}: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `lrspec compare | head -1`: the reader left
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (silence the flush at exit)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
