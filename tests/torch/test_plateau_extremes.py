"""ReduceLROnPlateau fed NaN, inf and -inf metrics: lrspec does exactly what torch does, live.

torch compares metrics with ``<`` / ``>`` against a threshold computed from the best so far
(NaN is never better; infinities give infinite thresholds): whatever it decides, in all four
mode / threshold-mode combinations, with and without patience and cooldown,
``trace(metrics=...)`` and ``SpecLR.step(metric)`` must decide the same, bit for bit.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from _torch_helpers import torch_plateau_lrs
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec_torch import SpecLR

EXTREMES = [math.nan, math.inf, -math.inf, 0.0, -0.0, 1e308, -1e308, 5e-324, 1.0, -1.0]


SPECS = [
    lrspec.ReduceLROnPlateau(mode=mode, threshold_mode=tm, patience=p, cooldown=c)
    for mode, tm, p, c in itertools.product(["min", "max"], ["rel", "abs"], [0, 2], [0, 1])
]


@pytest.mark.parametrize("spec", SPECS, ids=repr)
@given(metrics=st.lists(st.sampled_from(EXTREMES), max_size=30))
def test_extreme_metrics_decide_as_torch(spec: lrspec.ReduceLROnPlateau, metrics: list) -> None:
    expected = torch_plateau_lrs(spec, 0.5, metrics)
    assert spec.trace(0.5, metrics=metrics) == expected
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    sched = SpecLR(opt, spec)
    seen = [opt.param_groups[0]["lr"]]
    for m in metrics:
        opt.step()
        sched.step(m)
        seen.append(opt.param_groups[0]["lr"])
    assert seen == expected
