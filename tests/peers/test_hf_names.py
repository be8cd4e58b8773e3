"""from_hf's names, keywords and bad input, against live HF where HF has an opinion.

Every name HF knows is mapped or refused with a ValueError naming it; every keyword HF's
function for a name does not take is refused naming it; bad step counts, missing or
contradictory floors, and a missing ``base_lr`` where HF reads the optimizer's lr raise
errors naming the argument.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import torch
from _hf_harness import CURVES, DECAYING, _sgd, _warmups
from _peers import hf
from hypothesis import given
from hypothesis import strategies as st

import lrspec

# --- the names ----------------------------------------------------------------------------------

#: A minimal valid from_hf call per mapped name.
MINIMAL: dict[str, dict[str, Any]] = {
    "linear": {"num_warmup_steps": 1, "num_training_steps": 10},
    "cosine": {"num_warmup_steps": 1, "num_training_steps": 10},
    "cosine_with_restarts": {"num_warmup_steps": 1, "num_training_steps": 10},
    "polynomial": {"num_warmup_steps": 1, "num_training_steps": 10, "base_lr": 0.1},
    "constant": {},
    "constant_with_warmup": {"num_warmup_steps": 1},
    "inverse_sqrt": {"num_warmup_steps": 1},
    "reduce_lr_on_plateau": {},
    "cosine_with_min_lr": {"num_warmup_steps": 1, "num_training_steps": 10, "min_lr_rate": 0.1},
    "cosine_warmup_with_min_lr": {
        "num_warmup_steps": 1,
        "num_training_steps": 10,
        "min_lr_rate": 0.1,
    },
    "warmup_stable_decay": {"num_warmup_steps": 1, "num_training_steps": 10, "num_decay_steps": 3},
}


@pytest.mark.parametrize("name", sorted(t.value for t in hf.SchedulerType))
def test_every_hf_name_is_mapped_or_refused_by_name(name: str) -> None:
    for given_name in (name, hf.SchedulerType(name)):  # Trainer passes the str enum
        if name in MINIMAL:
            assert isinstance(lrspec.from_hf(given_name, **MINIMAL[name]), lrspec.Schedule)
        else:
            with pytest.raises(ValueError, match=rf"'{re.escape(name)}' is not supported"):
                lrspec.from_hf(given_name, num_warmup_steps=1, num_training_steps=10, base_lr=0.1)


def test_the_mapped_names_are_hf_names() -> None:
    assert set(MINIMAL) == {*CURVES, "reduce_lr_on_plateau"}
    assert set(lrspec.HF_SCHEDULERS) == set(MINIMAL)


# --- bad inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["linearr", "Cosine", "", "cosine-with-restarts"])
def test_unknown_name_is_a_value_error_naming_it(name: str) -> None:
    with pytest.raises(ValueError, match=rf"name .*{re.escape(repr(name))}"):
        lrspec.from_hf(name, num_warmup_steps=1, num_training_steps=10)


@pytest.mark.parametrize("name", DECAYING)
@given(warmup=_warmups(), short=st.integers(0, 200))
def test_training_steps_not_past_warmup_is_a_value_error(
    name: str, warmup: int, short: int
) -> None:
    kwargs = dict(MINIMAL[name], num_warmup_steps=warmup, num_training_steps=min(short, warmup))
    with pytest.raises(ValueError, match="num_training_steps"):
        lrspec.from_hf(name, **kwargs)
    kwargs["num_training_steps"] = None
    with pytest.raises(ValueError, match="num_training_steps"):
        lrspec.from_hf(name, **kwargs)


@pytest.mark.parametrize("name", [*DECAYING, "constant_with_warmup", "inverse_sqrt"])
def test_missing_warmup_is_a_value_error(name: str) -> None:
    kwargs = dict(MINIMAL[name], num_warmup_steps=None)
    with pytest.raises(ValueError, match="num_warmup_steps"):
        lrspec.from_hf(name, **kwargs)


@given(warmup=_warmups(), decay=st.integers(1, 300), short=st.integers(1, 300))
def test_wsd_training_steps_shorter_than_warmup_and_decay_is_a_value_error(
    warmup: int, decay: int, short: int
) -> None:
    training = max(0, warmup + decay - short)
    with pytest.raises(ValueError, match="num_training_steps"):
        lrspec.from_hf(
            "warmup_stable_decay",
            num_warmup_steps=warmup,
            num_training_steps=training,
            num_decay_steps=decay,
        )


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("polynomial", {"lr_end": 1e-4}),
        ("polynomial", {}),  # HF's default lr_end=1e-7 is absolute too
        ("cosine_with_min_lr", {"min_lr": 1e-4}),
        ("cosine_warmup_with_min_lr", {"min_lr": 1e-4}),
        ("cosine_warmup_with_min_lr", {"min_lr": 0.0, "warmup_lr_rate": 0.1}),
    ],
)
def test_absolute_lr_without_base_lr_is_a_value_error(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="base_lr"):
        lrspec.from_hf(name, num_warmup_steps=2, num_training_steps=10, **kwargs)


@pytest.mark.parametrize("name", ["cosine_with_min_lr", "cosine_warmup_with_min_lr"])
def test_min_lr_with_min_lr_rate_or_neither_is_a_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="min_lr_rate"):
        lrspec.from_hf(
            name,
            num_warmup_steps=2,
            num_training_steps=10,
            base_lr=0.1,
            min_lr=0.0,
            min_lr_rate=0.1,
        )
    with pytest.raises(ValueError, match="min_lr"):
        lrspec.from_hf(name, num_warmup_steps=2, num_training_steps=10, base_lr=0.1)


def test_lr_end_not_below_base_lr_is_a_value_error_as_in_hf() -> None:
    with pytest.raises(ValueError, match="lr_end"):
        hf.get_scheduler("polynomial", _sgd(0.1), 2, 10, scheduler_specific_kwargs={"lr_end": 0.1})
    with pytest.raises(ValueError, match="lr_end"):
        lrspec.from_hf(
            "polynomial", num_warmup_steps=2, num_training_steps=10, base_lr=0.1, lr_end=0.1
        )


#: Every keyword some HF scheduler takes; each is unknown to the names whose function lacks it.
ALL_KEYWORDS = {
    "num_cycles": 2,
    "lr_end": 1e-5,
    "power": 2.0,
    "timescale": 10,
    "min_lr": 1e-5,
    "min_lr_rate": 0.1,
    "warmup_lr_rate": 0.1,
    "num_decay_steps": 3,
    "num_stable_steps": 3,
    "warmup_type": "linear",
    "decay_type": "linear",
    "min_lr_ratio": 0.1,
    "patience": 3,
    "no_such_keyword": 1,
}


@pytest.mark.parametrize("name", sorted(MINIMAL))
@given(data=st.data())
def test_unknown_keyword_for_a_name_is_refused_naming_it(name: str, data: st.DataObject) -> None:
    accepted = _hf_keywords(name)
    unknown = sorted(set(ALL_KEYWORDS) - accepted)
    key = data.draw(st.sampled_from(unknown), label="keyword")
    with pytest.raises((TypeError, ValueError), match=re.escape(key)):
        lrspec.from_hf(name, **MINIMAL[name], **{key: ALL_KEYWORDS[key]})


def _hf_keywords(name: str) -> set[str]:
    """The keywords HF's scheduler function for ``name`` takes besides the step counts."""
    import inspect

    func = hf.TYPE_TO_SCHEDULER_FUNCTION[hf.SchedulerType(name)]
    if name == "reduce_lr_on_plateau":
        func = torch.optim.lr_scheduler.ReduceLROnPlateau
    params = set(inspect.signature(func).parameters)
    return params - {"optimizer", "num_warmup_steps", "num_training_steps", "last_epoch", "kwargs"}


@pytest.mark.parametrize("name", sorted(MINIMAL))
@pytest.mark.parametrize("key", ["num_warmup_steps", "num_training_steps"])
@given(value=st.integers(-10_000, -1))
def test_negative_steps_are_a_value_error_naming_them(name: str, key: str, value: int) -> None:
    kwargs = dict(MINIMAL[name], **{key: value})
    with pytest.raises(ValueError, match=key):
        lrspec.from_hf(name, **kwargs)


@pytest.mark.parametrize("key", ["num_decay_steps", "num_stable_steps"])
@given(value=st.integers(-10_000, -1))
def test_negative_wsd_phases_are_a_value_error_naming_them(key: str, value: int) -> None:
    kwargs = dict(MINIMAL["warmup_stable_decay"], num_training_steps=None, num_stable_steps=2)
    kwargs[key] = value
    with pytest.raises(ValueError, match=key):
        lrspec.from_hf("warmup_stable_decay", **kwargs)
