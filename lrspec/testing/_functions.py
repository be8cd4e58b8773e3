"""Named, registered functions held by generated specs (picklable, saveable)."""

from __future__ import annotations

from collections.abc import Callable

import lrspec

# --- named functions for LambdaLR / MultiplicativeLR / CyclicLR.scale_fn --------------------
#
# Module-level (picklable) and registered, so generated specs can be saved. Each takes the
# epoch torch passes (an int) and also works on floats.


def one(epoch: float) -> float:
    """Factor 1: the identity schedule."""
    return 1.0


def half(epoch: float) -> float:
    """A constant 0.5."""
    return 0.5


def inverse_time(epoch: float) -> float:
    """``1 / (epoch + 1)``."""
    return 1.0 / (epoch + 1)


def decay95(epoch: float) -> float:
    """``0.95 ** epoch``."""
    return float(0.95**epoch)


def warmup10(epoch: float) -> float:
    """Linear warm-up over 10 epochs, then 1."""
    return min(1.0, (epoch + 1) / 10)


def halve_every7(epoch: float) -> float:
    """``0.5 ** (epoch // 7)``: a step decay written as a lambda."""
    return float(0.5 ** (epoch // 7))


def zero_after20(epoch: float) -> float:
    """1 until epoch 20, then exactly 0."""
    return 1.0 if epoch < 20 else 0.0


def factor99(epoch: float) -> float:
    """A per-step factor of 0.99."""
    return 0.99


def alternate(epoch: float) -> float:
    """0.9 on odd epochs, 1/0.9 on even ones (a per-step factor that oscillates)."""
    return 0.9 if int(epoch) % 2 else 1 / 0.9


def tiny_factor(epoch: float) -> float:
    """A per-step factor of 1e-6 for the first 3 epochs, then 1 (hits tiny lrs fast)."""
    return 1e-6 if epoch <= 3 else 1.0


def halving_scale(x: float) -> float:
    """CyclicLR scale: ``1 / 2 ** (x - 1)`` (triangular2 written by hand)."""
    return float(0.5 ** (x - 1))  # = 1 / 2.0**(x - 1), underflowing to 0 far out (no overflow)


def slow_decay_scale(x: float) -> float:
    """CyclicLR scale: ``0.99 ** x``."""
    return float(0.99**x)


#: Functions for ``LambdaLR.lr_lambda`` (absolute factors).
LAMBDA_FUNCTIONS: tuple[Callable[[float], float], ...] = (
    one,
    half,
    inverse_time,
    decay95,
    warmup10,
    halve_every7,
    zero_after20,
)
#: Functions for ``MultiplicativeLR.lr_lambda`` (per-step factors).
MULTIPLICATIVE_FUNCTIONS: tuple[Callable[[float], float], ...] = (
    one,
    half,
    factor99,
    alternate,
    tiny_factor,
)
#: Functions for ``CyclicLR.scale_fn``.
SCALE_FUNCTIONS: tuple[Callable[[float], float], ...] = (one, halving_scale, slow_decay_scale)

for _fn in {*LAMBDA_FUNCTIONS, *MULTIPLICATIVE_FUNCTIONS, *SCALE_FUNCTIONS}:
    lrspec.register_function(f"lrspec_testing_{_fn.__name__}", _fn)
del _fn
