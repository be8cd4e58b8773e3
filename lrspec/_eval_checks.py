"""The arguments of an evaluation (``lr``, ``trace``): base lr, step count, metric stream.

Checked at every call, so the common cases are tested first and cheaply; each error names
the argument, the rule and the value, as the spec validators in :mod:`lrspec._checks` do.
"""

from __future__ import annotations

import math

from lrspec._checks import _is_int, _is_real


def check_base_lr(base_lr: object) -> float:
    if not _is_real(base_lr):
        raise TypeError(
            f"base_lr must be a real number, got {base_lr!r} ({type(base_lr).__name__})"
        )
    value = float(base_lr)  # type: ignore[arg-type]
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"base_lr must be finite and >= 0, got {base_lr!r}")
    return value


def check_steps(steps: object) -> int:
    if not _is_int(steps):
        raise TypeError(f"steps must be an int, got {steps!r} ({type(steps).__name__})")
    if steps < 0:  # type: ignore[operator]
        raise ValueError(f"steps must be >= 0, got {steps!r}")
    return int(steps)  # type: ignore[call-overload, no-any-return]


_FLOAT_OR_INT = frozenset({float, int})


def check_metrics(metrics: object) -> list[float]:
    """``metrics`` as a new list of Python floats; TypeError naming the index of a non-number."""
    if isinstance(metrics, (str, bytes)) or not hasattr(metrics, "__iter__"):
        raise TypeError(
            f"metrics must be a sequence of numbers, got {metrics!r} ({type(metrics).__name__})"
        )
    kind = type(metrics)
    if kind is list or kind is tuple:
        # The common case at C speed: only Python floats and ints (bool is its own type, so
        # it is not in the set and takes the loop below, which rejects it by index).
        types = set(map(type, metrics))
        if types <= _FLOAT_OR_INT:
            return list(map(float, metrics)) if int in types else list(metrics)
    elif (
        kind.__name__ == "ndarray"
        and getattr(metrics, "ndim", None) == 1
        and metrics.dtype.kind in "fiu"  # type: ignore[attr-defined]
    ):
        return list(map(float, metrics.tolist()))  # type: ignore[attr-defined]
    out = []
    for i, m in enumerate(metrics):
        if isinstance(m, (str, bytes, bool)) or not hasattr(m, "__float__"):
            raise TypeError(f"metrics must contain only numbers, got {m!r} at index {i}")
        out.append(float(m))
    return out
