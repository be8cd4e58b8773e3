"""Metric-driven compositions without torch: what they are, what they refuse, their state.

The values are checked against torch's own ReduceLROnPlateau in a hand-written loop in
``tests/torch/test_metric_compositions.py``; here: the capability flags, the errors that say
why, serialisation, the stepper state (plain data, validated before anything changes), and
that streaming, tracing and stepping agree.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec.stepping import Stepper

PLATEAU = lrspec.ReduceLROnPlateau(patience=1, factor=0.5)
WARM_THEN_PLATEAU = lrspec.Join(
    schedules=[lrspec.Warmup(inner=lrspec.Constant(), steps=3), PLATEAU], boundaries=[3]
)
COSINE_CUT = lrspec.Product(schedules=[lrspec.Cosine(total_steps=20), PLATEAU])
EXAMPLES = [
    WARM_THEN_PLATEAU,
    COSINE_CUT,
    lrspec.Warmup(inner=PLATEAU, steps=4, kind="cosine"),
    lrspec.Clip(inner=COSINE_CUT, min_factor=0.2),
    lrspec.Join(schedules=[PLATEAU, lrspec.Linear(total_steps=5)], boundaries=[6]),
]


@pytest.mark.parametrize("spec", EXAMPLES, ids=repr)
def test_a_composition_holding_a_plateau_is_metric_driven(spec: lrspec.Schedule) -> None:
    assert spec.metric_driven
    assert not spec.closed_form
    with pytest.raises(TypeError, match=r"metric-driven.*ReduceLROnPlateau.*trace\(base_lr, "):
        spec.lr(3, 0.1)
    with pytest.raises(TypeError, match="metric-driven"):
        spec.trace(0.1, 5)
    text = repr(spec)
    assert lrspec.parse(text) == spec
    assert lrspec.from_dict(json.loads(json.dumps(lrspec.to_dict(spec)))) == spec


def test_the_closed_form_compositions_are_not_metric_driven() -> None:
    spec = lrspec.Join(schedules=[lrspec.Constant(), lrspec.Cosine(total_steps=4)], boundaries=[2])
    assert not spec.metric_driven and spec.closed_form


def test_warmup_then_plateau_counts_patience_from_the_hand_off() -> None:
    lrs = WARM_THEN_PLATEAU.trace(1.0, metrics=[5.0] * 9)
    # ramp 0, 1/3, 2/3; the plateau starts at step 3 from 1.0; steps 4 (best), 5 (bad 1),
    # 6 (bad 2 > patience 1: cut), 7, 8 (cut again two bad steps later)
    assert lrs[:4] == [0.0, 1 / 3, 2 / 3, 1.0]
    assert lrs[4:] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25][: len(lrs) - 4]


def test_product_is_the_cosine_cut_by_each_plateau() -> None:
    metrics = [1.0] * 10
    lrs = COSINE_CUT.trace(2.0, metrics=metrics)
    plateau = PLATEAU.trace(1.0, metrics=metrics)
    cosine = lrspec.Cosine(total_steps=20)
    assert lrs == [2.0 * cosine.lr(t, 1.0) * plateau[t] for t in range(11)]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: lrspec.Warmup(inner=PLATEAU, steps=3, prefix=False), "prefix=False"),
        (lambda: lrspec.Stretch(inner=PLATEAU, ratio=2), "inner must have a closed form"),
        (lambda: lrspec.Cycle(inner=PLATEAU, period=4), "inner must have a closed form"),
        (
            lambda: lrspec.SequentialLR(schedulers=[WARM_THEN_PLATEAU], milestones=[]),
            "metric-driven",
        ),
    ],
)
def test_what_cannot_hold_a_plateau_says_why(build: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        build()


@given(spec=st.sampled_from(EXAMPLES), metrics=lt.metric_streams(0, 25), cut=st.integers(0, 25))
def test_twin_state_round_trips_and_resumes_exactly(
    spec: lrspec.Schedule, metrics: list[float], cut: int
) -> None:
    cut = min(cut, len(metrics))
    group: dict[str, Any] = {"lr": 0.3}
    twin = spec.twin(group)
    assert isinstance(twin, Stepper)
    for m in metrics[:cut]:
        twin.step(m)
    state = json.loads(json.dumps(twin.state_dict()))  # plain data
    resumed_group: dict[str, Any] = {"lr": group["lr"], "initial_lr": 0.3}
    resumed = spec.twin(resumed_group)
    resumed.load_state_dict(state)
    resumed_group["lr"] = group["lr"]  # SpecLR restores the group's lr itself
    rest = []
    for m in metrics[cut:]:
        resumed.step(m)
        rest.append(resumed_group["lr"])
    assert rest == spec.trace(0.3, metrics=metrics)[cut + 1 :]


def _corrupt(state: Any) -> list[Any]:
    """States that differ from ``state`` in one place: a key gone, a wrong type."""
    out: list[Any] = []
    if isinstance(state, dict):
        for key, value in state.items():
            out.append({k: v for k, v in state.items() if k != key})
            for bad in _corrupt(value):
                out.append({**state, key: bad})
        out.append({**state, "extra": 1})
    elif isinstance(state, list):
        out.append(state[:-1])
    elif type(state) is int:
        out += [-1, 1.5, "3"]
    elif type(state) is float:
        out.append("x")
    return out


@pytest.mark.parametrize("spec", EXAMPLES, ids=repr)
def test_a_corrupted_state_is_refused_and_changes_nothing(spec: lrspec.Schedule) -> None:
    group: dict[str, Any] = {"lr": 0.3}
    twin = spec.twin(group)
    for m in [1.0, 1.0, 2.0, 2.0, 2.0]:
        twin.step(m)
    good = copy.deepcopy(twin.state_dict())
    refused = 0
    for bad in _corrupt(copy.deepcopy(good)):
        try:
            twin.load_state_dict(bad)
        except (ValueError, TypeError):
            refused += 1
            assert twin.state_dict() == good, bad
        else:  # accepted (a value of the right shape): put the good state back
            twin.load_state_dict(copy.deepcopy(good))
    assert refused >= 3


def test_stepping_without_a_metric_is_a_type_error() -> None:
    twin = WARM_THEN_PLATEAU.twin({"lr": 1.0})
    with pytest.raises(TypeError, match="step\\(metric\\)"):
        twin.step()
    for hook in (twin.undo, twin.initial_step, lambda: twin.restart(0)):
        with pytest.raises(TypeError, match="SequentialLR"):
            hook()
