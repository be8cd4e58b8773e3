"""The harness of the HF cross-checks: a from_hf case, HF's lrs for it, and the comparison.

Shared by ``test_hf.py`` (values against live HF) and ``test_hf_names.py`` (names, keywords
and bad input); the tolerance is explained in ``test_hf.py``'s docstring.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pytest
import torch
from _peers import hf
from hypothesis import strategies as st

import lrspec

REL = 1e-12
ABS_OF_PEAK = 1e-15

#: The names from_hf maps (every HF name but ``greedy``), without the metric-driven one.
CURVES = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
    "cosine_with_min_lr",
    "cosine_warmup_with_min_lr",
    "warmup_stable_decay",
)
#: The HF names that decay between num_warmup_steps and num_training_steps.
DECAYING = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "cosine_with_min_lr",
    "cosine_warmup_with_min_lr",
)
HF_WSD_BOTH = "Both num_training_steps and num_stable_steps are specified"


@dataclass(frozen=True)
class Case:
    """One HF call: ``get_scheduler(name, SGD(lr=base_lr), W, N, kwargs)`` over ``window`` steps."""

    name: str
    base_lr: float
    window: int
    num_warmup_steps: int | None = None
    num_training_steps: int | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    pass_base_lr: bool = False  # from_hf gets base_lr= (it must where HF reads the lr)

    def hf(self) -> list[float]:
        """HF's lrs at steps ``0 .. window``, stepping a real optimizer."""
        opt = _sgd(self.base_lr)
        with warnings.catch_warnings():
            # HF warns when num_training_steps and num_stable_steps are both given (and uses
            # num_stable_steps); lrspec warns likewise, checked in spec()
            warnings.filterwarnings("ignore", re.escape(HF_WSD_BOTH), UserWarning)
            sched = hf.get_scheduler(
                self.name,
                opt,
                num_warmup_steps=self.num_warmup_steps,
                num_training_steps=self.num_training_steps,
                scheduler_specific_kwargs=dict(self.kwargs),
            )
        out = [opt.param_groups[0]["lr"]]
        for _ in range(self.window):
            opt.step()
            sched.step()
            out.append(opt.param_groups[0]["lr"])
        return out

    def spec(self) -> lrspec.Schedule:
        def build() -> lrspec.Schedule:
            return lrspec.from_hf(
                self.name,
                num_warmup_steps=self.num_warmup_steps,
                num_training_steps=self.num_training_steps,
                base_lr=self.base_lr if self.pass_base_lr else None,
                **self.kwargs,
            )

        if "num_stable_steps" in self.kwargs and self.num_training_steps is not None:
            with pytest.warns(UserWarning, match="num_stable_steps is used"):
                return build()
        return build()


def _sgd(lr: float) -> torch.optim.SGD:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def hf_missed_restarts(case: Case) -> set[int]:
    """Steps where ``from_hf`` restarts a ``cosine_with_restarts`` cycle and HF does not.

    ``from_hf``'s Cycle restarts at a step within 1e-9 of a cycle's start (in cycles:
    ``|num_cycles * (t - W) / D - j| <= 1e-9`` for a whole ``j >= 1``, computed exactly on
    the numbers given); HF computes ``(num_cycles * progress) % 1.0`` in floats, which there
    can round to just below 1 (an exact restart, ``49 * (1 / 49)``) or be just below 1 (a
    ``num_cycles`` a hair below a whole number): it restarts one step later. Just above 0 is
    HF's peak too, within the tolerance.
    """
    if case.name != "cosine_with_restarts":
        return set()
    warmup, total = case.num_warmup_steps or 0, case.num_training_steps or 0
    decay = max(1, total - warmup)
    cycles = case.kwargs.get("num_cycles", 1)
    missed = set()
    for t in range(warmup + 1, min(total, case.window + 1)):
        exact = Fraction(cycles) * Fraction(t - warmup, decay)
        whole = round(exact)
        progress = float(t - warmup) / float(decay)
        near = whole >= 1 and abs(exact - whole) <= Fraction(1, 10**9)
        if near and (float(cycles) * progress) % 1.0 > 0.5:
            missed.add(t)
    return missed


def assert_matches_hf(case: Case) -> None:
    """``from_hf(...).trace(base_lr, window)`` is HF's lr sequence (rel 1e-12, abs 1e-15 peak)."""
    want = case.hf()
    got = case.spec().trace(case.base_lr, case.window)
    assert len(got) == len(want) == case.window + 1
    # HF's cosine argument carries num_cycles ulps of rounding: so does the floor
    floor = ABS_OF_PEAK * case.base_lr * max(1.0, abs(case.kwargs.get("num_cycles", 1.0)))
    missed = hf_missed_restarts(case)
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        if k in missed:  # the documented deviation: lrspec restarts where HF's rounding misses
            assert g == case.base_lr and w <= 1e-9 * case.base_lr, (case, k, g, w)
            continue
        if not abs(g - w) <= max(REL * abs(w), floor):
            gap = abs(g - w) / abs(w) if w else math.inf
            raise AssertionError(
                f"{case}: step {k}: from_hf {g!r}, HF {w!r} (relative gap {gap:.3g}; "
                f"rel={REL}, abs={floor:.3g})"
            )


def _warmups() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, 200))
