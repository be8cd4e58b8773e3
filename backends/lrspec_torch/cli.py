"""The ``lrspec`` command: ``lrspec compare`` (the tutorial's experiment) and ``lrspec plot``.

This module parses arguments, dispatches and maps failures to exit codes; the commands live in
:mod:`~lrspec_torch._compare` and :mod:`~lrspec_torch._plot`. Only ``compare`` needs torch:
it is imported when that command runs, and its absence is reported as a one-line error naming
``pip install 'lrspec[torch]'`` (exit code 2). ``plot`` and ``--help`` run on the core alone.

Every bad input (an unknown scheduler, a bad value, unparsable spec text, an unwritable path,
an unavailable device) is reported on one line of stderr with exit code 2, before any
training, and leaves no output file behind (see :mod:`~lrspec_torch._files`).
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import lrspec
from lrspec_torch._errors import UsageError
from lrspec_torch._files import INTERRUPTED
from lrspec_torch._tutorial import EPOCHS, LR, SEED, TUTORIAL_RUNS, N

PROG = "lrspec"
TORCH_MISSING = (
    "this command needs PyTorch, which is not installed; "
    "install it with: pip install 'lrspec[torch]'"
)

__all__ = ["PROG", "TORCH_MISSING", "UsageError", "build_parser", "main", "resolve_spec"]


class _Parser(argparse.ArgumentParser):
    """argparse, with every error reported on one line (no usage block)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)", prog=self.prog)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- argument types ----------------------------------------------------------------------------


def _int_at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer >= ``low`` (and <= ``high``, a bound on the work asked)."""
    rule = "an integer > 0" if low == 1 else f"an integer >= {low}"
    if high is not None:
        rule = f"an integer in [{low}, {high}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text[:40]!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text[:40]!r}")
        return value

    return parse


_positive_int = _int_at_least(1)
_seed = _int_at_least(0, 2**63 - 1)
#: Bounds on the work a flag may ask for: past them a run would exhaust memory or time.
MAX_STEPS = 10_000_000
MAX_SAMPLES = 10_000_000
MAX_EPOCHS = 1_000_000
MAX_NPROC = 64


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def resolve_spec(text: str) -> tuple[str, lrspec.Schedule | None]:
    """(label, spec) for a tutorial run name, a spec class name, or spec text.

    A tutorial name (``none``, ``StepLR``, ...; any case) gives the tutorial's run; a bare
    class name gives that spec with its defaults; anything else is read by
    :func:`lrspec.parse` (``"CosineAnnealingLR(T_max=50)"``). An argparse type: bad text
    raises ``argparse.ArgumentTypeError``.

    >>> resolve_spec("steplr")
    ('StepLR', StepLR(step_size=1, gamma=0.9))
    >>> resolve_spec("CosineAnnealingLR(T_max=50)")[0]
    'CosineAnnealingLR(T_max=50, eta_min=0.0)'
    """
    stripped = text.strip()
    by_lower = {name.lower(): name for name in TUTORIAL_RUNS}
    if stripped.lower() in by_lower:
        name = by_lower[stripped.lower()]
        return name, TUTORIAL_RUNS[name]
    if stripped.isidentifier():
        known = {cls.__name__ for cls in lrspec.TORCH_TWINS}
        if stripped not in known:
            raise argparse.ArgumentTypeError(
                f"unknown scheduler {text!r}: use a tutorial name ({', '.join(TUTORIAL_RUNS)}), "
                f"a spec class name or spec text such as 'StepLR(step_size=10)'"
            )
        stripped += "()"
    try:
        spec = lrspec.parse(stripped)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return repr(spec), spec


# --- commands ----------------------------------------------------------------------------------


def _compare(args: argparse.Namespace) -> int:
    try:
        import torch  # noqa: F401  (the one command that needs it)
    except ImportError:
        raise UsageError(TORCH_MISSING) from None
    from lrspec_torch._compare import compare

    return compare(args)


def _plot(args: argparse.Namespace) -> int:
    from lrspec_torch._plot import plot

    return plot(args)


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
            "epoch) under each scheduler and print the final lr, loss, weights and bias. "
            "Needs PyTorch."
        ),
    )
    cmp.add_argument(
        "--schedulers",
        nargs="+",
        type=resolve_spec,
        metavar="SPEC",
        default=list(TUTORIAL_RUNS.items()),
        help=(
            f"runs to compare: tutorial names ({', '.join(TUTORIAL_RUNS)}), spec class names "
            "or spec text such as 'CosineAnnealingLR(T_max=50)' (default: all tutorial runs)"
        ),
    )
    cmp.add_argument(
        "--epochs",
        type=_int_at_least(1, MAX_EPOCHS),
        default=EPOCHS,
        help=f"default: {EPOCHS} (at most {MAX_EPOCHS:,})",
    )
    cmp.add_argument(
        "--n",
        type=_int_at_least(1, MAX_SAMPLES),
        default=N,
        help=f"samples (default: {N}; at most {MAX_SAMPLES:,})",
    )
    cmp.add_argument("--lr", type=_positive_float, default=LR, help=f"SGD lr (default: {LR})")
    cmp.add_argument("--seed", type=_seed, default=SEED, help=f"default: {SEED}")
    cmp.add_argument(
        "--device", default="auto", help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:1, mps"
    )
    cmp.add_argument(
        "--dtype", default="float32", choices=["float32", "float64", "float16", "bfloat16"]
    )
    cmp.add_argument(
        "--nproc",
        type=_int_at_least(1, MAX_NPROC),
        default=1,
        metavar="N",
        help=(
            "train data-parallel on N processes started here (DDP, gloo backend, CPU; "
            "default: 1); under torchrun leave it out: each process is then one rank"
        ),
    )
    cmp.add_argument("--plot", metavar="FILE.png", help="write lr and loss curves of every run")
    cmp.add_argument("--json", metavar="FILE", help="write every run's results as JSON")
    cmp.set_defaults(func=_compare, parser=cmp)

    plt = commands.add_parser(
        "plot",
        help="plot a schedule (an image, or a terminal preview without -o)",
        description="Plot the lr of SPEC over --steps steps, as torch would set it.",
    )
    plt.add_argument(
        "spec",
        type=resolve_spec,
        metavar="SPEC",
        help="spec text, e.g. 'CosineAnnealingLR(T_max=100)', or a tutorial run name",
    )
    plt.add_argument(
        "--steps",
        type=_int_at_least(1, MAX_STEPS),
        default=100,
        help=f"default: 100 (at most {MAX_STEPS:,})",
    )
    plt.add_argument("--base-lr", type=_positive_float, default=0.25, help="default: 0.25")
    plt.add_argument("-o", "--output", metavar="FILE.png", help="write an image instead")
    plt.set_defaults(func=_plot, parser=plt)
    return parser


# --- entry point -------------------------------------------------------------------------------


def _interrupt(signum: int, frame: Any) -> None:
    """SIGINT and SIGTERM: outputs in progress are removed, none half-written.

    The flag outlives the KeyboardInterrupt, which Python may swallow (see ``INTERRUPTED``).
    """
    INTERRUPTED.set()
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lrspec`` command; returns the exit code (2 for bad input).

    SIGINT and SIGTERM stop a run cleanly: files being written are removed (outputs are
    written to a temporary file and renamed into place only when complete), exit code 130.
    """
    INTERRUPTED.clear()
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)  # signal handlers can only be set on the main thread
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _main(argv)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(argv: Sequence[str] | None) -> int:
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
    except (OverflowError, RecursionError, MemoryError) as exc:  # input that asks too much
        what = type(exc).__name__
        print(f"{prog}: error: {what}: {_one_line(str(exc))[:300]}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `lrspec compare | head -1`: the reader left
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (silence the flush at exit)
        return 1
    if INTERRUPTED.is_set():  # the KeyboardInterrupt was swallowed on the way
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
