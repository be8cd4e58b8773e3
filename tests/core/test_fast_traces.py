"""Every fast ``_trace`` equals the generic twin replay, bit for bit (no torch needed).

Specs may override ``Schedule._trace`` with an inlined loop (see ``lrspec/_base.py``); the
generic replay steps the twin, which mirrors torch line by line. Which classes have a fast
path is found by inspection, so a new one is pinned here without editing this file.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrspec
from lrspec import Schedule
from lrspec import testing as lt

FAST = [
    cls for cls in lrspec.TORCH_TWINS if cls._trace is not Schedule._trace and not cls.metric_driven
]


class _Replay:
    """The generic twin replay as a scheduler-like object, for assert_trace_matches."""

    def __init__(self, spec: Schedule, base_lr: float) -> None:
        self.group: dict[str, Any] = {"lr": base_lr, "momentum": 0.0}
        self.twin = spec.twin(self.group)

    def step(self) -> None:
        self.twin.step()

    def get_last_lr(self) -> list[float]:
        return [self.group["lr"]]


def test_the_known_fast_paths_are_found() -> None:
    names = {cls.__name__ for cls in FAST}
    assert {"StepLR", "ExponentialLR", "CosineAnnealingLR", "OneCycleLR"} <= names


@pytest.mark.parametrize("cls", FAST, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_fast_trace_equals_the_twin_replay(cls: type[Schedule], data: st.DataObject) -> None:
    spec = data.draw(lt.TWIN_STRATEGIES[cls.__name__](), label="spec")
    base_lr = data.draw(lt.base_lrs(), label="base_lr")
    steps = data.draw(lt.steps(spec=spec), label="steps")
    fast = spec.trace(base_lr, steps)
    assert len(fast) == steps + 1
    replayed = lt.assert_trace_matches(spec, lambda lr: _Replay(spec, lr), base_lr, steps)
    assert replayed == fast


def test_a_wrong_fast_path_would_be_caught() -> None:
    spec = lrspec.ExponentialLR(gamma=0.5)
    with pytest.raises(AssertionError, match="step 2"):
        lt.assert_trace_matches(spec, lambda lr: _Off(spec, lr), 1.0, 3)


class _Off(_Replay):
    """A replay that goes wrong at step 2: the oracle must say so."""

    def __init__(self, spec: Schedule, base_lr: float) -> None:
        super().__init__(spec, base_lr)
        self.n = 0

    def step(self) -> None:
        super().step()
        self.n += 1
        if self.n == 2:
            self.group["lr"] *= 1.0 + 2**-40
