"""Every twin takes its torch class's keywords, in torch's order, with torch's defaults.

``inspect.signature`` of each class in ``torch.optim.lr_scheduler`` (and ``SWALR``), minus
``optimizer``, ``last_epoch`` and ``verbose``, against the spec's attrs fields and its own
signature (keyword-only). Defaults are equal *and* of the same type, so ``1 / 3`` versus
``0.333`` or ``0`` versus ``0.0`` shows. The deliberate differences are listed in
``DEVIATIONS``, each with its reason; a listed difference that no longer exists fails too.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import attrs
import pytest
from torch.optim import lr_scheduler
from torch.optim.swa_utils import SWALR

import lrspec

#: torch's arguments that a spec has no use for (a spec is not bound to an optimizer or run).
DROPPED = ("optimizer", "last_epoch", "verbose")

REQUIRED = "<required>"

#: (class, keyword) -> (torch's default, lrspec's default, why they differ).
DEVIATIONS: dict[tuple[str, str], tuple[Any, Any, str]] = {
    ("ReduceLROnPlateau", "min_lr"): (
        0,
        0.0,
        "real-valued fields are normalised to float; torch only ever compares min_lr with "
        "float lrs (max(lr * factor, min_lr)), so 0 and 0.0 give the same lrs",
    ),
}


def torch_class(name: str) -> type:
    """The torch class a twin names in its ``torch_name`` (which to_torch builds)."""
    module, _, attr = (getattr(lrspec, name).torch_name or "").rpartition(".")
    assert attr == name, f"{name}.torch_name names {attr!r}"
    cls: type = getattr(importlib.import_module(module), attr)
    assert cls is (SWALR if name == "SWALR" else getattr(lr_scheduler, name))
    return cls


def torch_keywords(cls: type) -> dict[str, Any]:
    params = inspect.signature(cls).parameters.values()
    return {
        p.name: REQUIRED if p.default is p.empty else p.default
        for p in params
        if p.name not in DROPPED
    }


def spec_keywords(cls: type) -> dict[str, Any]:
    """The spec's attrs fields (by their ``__init__`` name) and defaults."""
    return {
        f.alias: REQUIRED if f.default is attrs.NOTHING else f.default for f in attrs.fields(cls)
    }


def same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def differences(cls: type) -> dict[tuple[str, str], tuple[Any, Any]]:
    theirs, ours = torch_keywords(torch_class(cls.__name__)), spec_keywords(cls)
    assert list(ours) == list(theirs), "keyword names or their order differ from torch's"
    return {
        (cls.__name__, name): (theirs[name], ours[name])
        for name in theirs
        if not same(theirs[name], ours[name])
    }


TWINS = [pytest.param(cls, id=cls.__name__) for cls in lrspec.TORCH_TWINS]


def test_every_torch_scheduler_has_a_twin() -> None:
    public = {
        name
        for name in lr_scheduler.__all__
        if isinstance(cls := getattr(lr_scheduler, name), type)
        and issubclass(cls, (lr_scheduler.LRScheduler, lr_scheduler.ReduceLROnPlateau))
        and cls is not lr_scheduler.LRScheduler
    }
    assert {cls.__name__ for cls in lrspec.TORCH_TWINS} == public | {"SWALR"}


@pytest.mark.parametrize("cls", TWINS)
def test_keywords_and_defaults_match_torch(cls: type) -> None:
    listed = {key: value[:2] for key, value in DEVIATIONS.items() if key[0] == cls.__name__}
    assert differences(cls) == listed


@pytest.mark.parametrize("cls", TWINS)
def test_the_spec_signature_is_its_fields_keyword_only(cls: type) -> None:
    params = inspect.signature(cls).parameters.values()
    assert all(p.kind is p.KEYWORD_ONLY for p in params)
    assert {p.name: REQUIRED if p.default is p.empty else p.default for p in params} == (
        spec_keywords(cls)
    )


@pytest.mark.parametrize("key", list(DEVIATIONS), ids="-".join)
def test_every_deviation_is_real_and_explained(key: tuple[str, str]) -> None:
    name, keyword = key
    torch_default, our_default, reason = DEVIATIONS[key]
    assert reason.strip()
    assert torch_keywords(torch_class(name))[keyword] == torch_default
    assert same(spec_keywords(getattr(lrspec, name))[keyword], our_default)
    assert not same(torch_default, our_default), "not a deviation: remove it from DEVIATIONS"
