"""The formulas of the combinators: the warmup ramps (public via :mod:`lrspec.functional`).

A ramp goes from ``start`` at progress ``p = 0`` to ``target`` at ``p = 1``. The linear,
cosine and 1-sqrt ramps are written as weights, ``start * (1 - w) + target * w``, so both ends
are exact (``w(0) = 0``, ``w(1) = 1``): a warmup meets the schedule after it without a seam.
"""

from __future__ import annotations

import math
from typing import Any

from lrspec import _xp

#: The warmup ramps, in the order the docs list them.
RAMP_KINDS = ("linear", "cosine", "exponential", "1-sqrt")


def ramp(xp: Any, p: Any, start: float, target: float, kind: str) -> Any:
    """The ramp at progress ``p`` in ``[0, 1]`` (namespace ``xp``); ``kind`` is trusted."""
    if kind == "exponential":
        return start * (target / start) ** p
    if kind == "linear":
        w = p
    elif kind == "cosine":
        w = 0.5 * (1 - xp.cos(math.pi * p))
    else:  # "1-sqrt"
        w = 1 - (1 - p) ** 0.5
    return start * (1 - w) + target * w


def warmup_ramp(p: Any, *, start: float, target: float, kind: str = "linear") -> Any:
    """The warmup ramp from ``start`` (at ``p = 0``) to ``target`` (at ``p = 1``).

    With progress ``p`` in ``[0, 1]`` (a number, a numpy array or a torch tensor; clamped to
    it) and weight ``w``, the ramp is ``start * (1 - w) + target * w`` where

    * ``"linear"``: ``w = p``;
    * ``"cosine"``: ``w = (1 - cos(pi * p)) / 2``;
    * ``"1-sqrt"``: ``w = 1 - sqrt(1 - p)`` (HF's warmup-stable-decay);

    and ``"exponential"`` is geometric, ``start * (target / start) ** p`` (``start > 0``).

    >>> warmup_ramp(0.5, start=0.0, target=1.0, kind="linear")
    0.5
    >>> round(warmup_ramp(0.5, start=0.0, target=1.0, kind="cosine"), 12)
    0.5
    >>> warmup_ramp(1.0, start=0.1, target=0.7, kind="1-sqrt")  # both ends exact
    0.7
    >>> warmup_ramp(0.5, start=0.25, target=1.0, kind="exponential")
    0.5
    """
    if kind not in RAMP_KINDS:
        raise ValueError(f"kind must be one of {RAMP_KINDS!r}, got {kind!r}")
    if kind == "exponential" and not start > 0:
        raise ValueError(f"start must be > 0 for an exponential ramp, got {start!r}")
    xp = _xp.namespace(p)
    if xp is _xp.SCALAR:
        if math.isnan(p):
            raise ValueError(f"p must be a number in [0, 1], got {p!r}")
        q: Any = min(max(p, 0.0), 1.0)
    else:
        q = xp.asfloat(p)
        q = xp.where(q < 0, 0.0, xp.minimum(q, 1.0))
    return ramp(xp, q, float(start), float(target), kind)


__all__ = ["RAMP_KINDS", "ramp", "warmup_ramp"]
