"""The public contract: ``__all__``, the spec class protocol, docstrings, and a torch-free core."""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import lrspec

#: The torch schedulers lrspec mirrors (DESIGN.md, "The public contract"), in that order.
TORCH_NAMES = (
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "SequentialLR",
    "ReduceLROnPlateau",
    "CyclicLR",
    "OneCycleLR",
    "CosineAnnealingWarmRestarts",
    "SWALR",
)


def _decay(epoch: int) -> float:
    return 0.9**epoch


def _other_decay(epoch: int) -> float:
    return 0.8**epoch


def _scale(x: float) -> float:
    return 1.0


#: Per class: constructor keywords, and one field change that gives an unequal spec.
#: Functions here are deliberately unregistered, so repr shows their plain repr.
SAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "LambdaLR": ({"lr_lambda": _decay}, {"lr_lambda": _other_decay}),
    "MultiplicativeLR": ({"lr_lambda": _decay}, {"lr_lambda": _other_decay}),
    "StepLR": ({"step_size": 3, "gamma": 0.5}, {"gamma": 0.25}),
    "MultiStepLR": ({"milestones": [2, 5]}, {"milestones": (2, 6)}),
    "ConstantLR": ({"factor": 0.5}, {"total_iters": 6}),
    "LinearLR": ({"start_factor": 0.1, "total_iters": 3}, {"end_factor": 0.5}),
    "ExponentialLR": ({"gamma": 0.9}, {"gamma": 0.95}),
    "PolynomialLR": ({"total_iters": 8, "power": 2.0}, {"power": 1.0}),
    "CosineAnnealingLR": ({"T_max": 10}, {"eta_min": 0.01}),
    "ChainedScheduler": (
        {"schedulers": [lrspec.ConstantLR(), lrspec.ExponentialLR(gamma=0.9)]},
        {"schedulers": (lrspec.ConstantLR(),)},
    ),
    "SequentialLR": (
        {"schedulers": [lrspec.LinearLR(), lrspec.CosineAnnealingLR(T_max=5)], "milestones": [5]},
        {"milestones": (6,)},
    ),
    "ReduceLROnPlateau": ({"mode": "max", "patience": 2}, {"cooldown": 1}),
    "CyclicLR": ({"base_lr": 0.1, "max_lr": 1.0, "scale_fn": _scale}, {"scale_mode": "iterations"}),
    "OneCycleLR": ({"max_lr": 1.0, "total_steps": 100}, {"three_phase": True}),
    "CosineAnnealingWarmRestarts": ({"T_0": 5, "T_mult": 2}, {"T_mult": 1}),
    "SWALR": ({"swa_lr": 0.05}, {"anneal_strategy": "linear"}),
}

TWINS = [pytest.param(cls, id=cls.__name__) for cls in lrspec.TORCH_TWINS]


def make(cls: type) -> Any:
    return cls(**SAMPLES[cls.__name__][0])


# --- __all__ ----------------------------------------------------------------------------------


def _ruff_order(name: str) -> tuple[int, str]:
    """ruff's RUF022 "isort-style" order: SCREAMING_CASE, then CamelCase, then the rest."""
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)


def test_all_is_sorted_without_duplicates() -> None:
    assert len(set(lrspec.__all__)) == len(lrspec.__all__)
    assert list(lrspec.__all__) == sorted(lrspec.__all__, key=_ruff_order)


def test_all_names_are_importable() -> None:
    for name in lrspec.__all__:
        assert hasattr(lrspec, name), name
    namespace: dict[str, Any] = {}
    exec("from lrspec import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(lrspec.__all__)


def test_all_is_exactly_the_public_surface(tmp_path: Path, run_python: Callable[..., str]) -> None:
    # a fresh interpreter, since importing lrspec.testing here would add an attribute
    code = "import json, lrspec; print(json.dumps(sorted(vars(lrspec))))"
    fresh = json.loads(run_python("-I", "-c", code, cwd=tmp_path))
    public = {n for n in fresh if not n.startswith("_")}
    assert public == {n for n in lrspec.__all__ if not n.startswith("_")}
    assert "__version__" in lrspec.__all__


def test_every_spec_class_is_exported() -> None:
    spec_classes = {
        name
        for name, value in vars(lrspec).items()
        if isinstance(value, type) and issubclass(value, lrspec.Schedule)
    }
    assert spec_classes <= set(lrspec.__all__)
    # the twins are the specs with a torch class; the catalogue's own specs have none
    twins = {name for name in spec_classes if getattr(lrspec, name).torch_name is not None}
    assert twins == set(TORCH_NAMES)


def test_version_matches_the_installed_distribution() -> None:
    assert lrspec.__version__ == importlib.metadata.version("lrspec")


def test_torch_twins_are_the_sixteen_torch_schedulers() -> None:
    assert isinstance(lrspec.TORCH_TWINS, tuple)
    assert tuple(cls.__name__ for cls in lrspec.TORCH_TWINS) == TORCH_NAMES
    for cls in lrspec.TORCH_TWINS:
        assert getattr(lrspec, cls.__name__) is cls
        assert issubclass(cls, lrspec.Schedule)


def test_metric_driven_and_momentum_specs() -> None:
    assert [c.__name__ for c in lrspec.TORCH_TWINS if c.metric_driven] == ["ReduceLROnPlateau"]
    momentum = [c.__name__ for c in lrspec.TORCH_TWINS if issubclass(c, lrspec.MomentumSchedule)]
    assert momentum == ["CyclicLR", "OneCycleLR"]


def test_samples_cover_every_twin() -> None:
    assert set(SAMPLES) == set(TORCH_NAMES)


# --- the spec class protocol ------------------------------------------------------------------


@pytest.mark.parametrize("cls", TWINS)
def test_frozen(cls: type) -> None:
    spec = make(cls)
    for field in attrs.fields(cls):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(spec, field.name, getattr(spec, field.name))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            delattr(spec, field.name)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spec.extra = 1
    assert spec == make(cls)


@pytest.mark.parametrize("cls", TWINS)
def test_keyword_only(cls: type) -> None:
    kwargs = SAMPLES[cls.__name__][0]
    first = next(iter(kwargs.values()))
    with pytest.raises(TypeError, match="positional"):
        cls(first)
    with pytest.raises(TypeError, match="positional"):
        cls(*kwargs.values())


@pytest.mark.parametrize("cls", TWINS)
def test_equal_and_hashable_by_value(cls: type) -> None:
    a, b = make(cls), make(cls)
    assert a is not b
    assert a == b
    assert not a != b  # noqa: SIM202 -- __ne__ must agree with __eq__
    assert hash(a) == hash(b)
    assert {a: "value"}[b] == "value"
    assert len({a, b}) == 1

    changed = attrs.evolve(a, **SAMPLES[cls.__name__][1])
    assert changed != a
    assert len({a, changed}) == 2
    assert a != repr(a)


def test_equal_fields_of_different_classes_are_not_equal() -> None:
    class MyStep(lrspec.StepLR):
        pass

    assert MyStep(step_size=3) != lrspec.StepLR(step_size=3)


@pytest.mark.parametrize("cls", TWINS)
def test_repr_shows_every_keyword(cls: type) -> None:
    spec = make(cls)
    pairs = ", ".join(f"{f.name}={getattr(spec, f.name)!r}" for f in attrs.fields(cls))
    assert repr(spec) == f"{cls.__name__}({pairs})"


def test_repr_example() -> None:
    assert repr(lrspec.StepLR(step_size=30)) == "StepLR(step_size=30, gamma=0.1)"


# --- docstrings -------------------------------------------------------------------------------


def _torch_path(name: str) -> str:
    module = "swa_utils" if name == "SWALR" else "lr_scheduler"
    return f"torch.optim.{module}.{name}"


@pytest.mark.parametrize("cls", TWINS)
def test_docstring_has_formula_twin_and_example(cls: type) -> None:
    doc = cls.__doc__ or ""
    lines = [line.strip() for line in doc.splitlines()]
    assert _torch_path(cls.__name__) in doc
    rule = "Rule:" if cls.metric_driven else "Formula:"
    assert any(line.startswith(rule) for line in lines), f"no line starting with {rule!r}"
    examples = [line for line in lines if line.startswith((">>>", "..."))]
    assert any(f"{cls.__name__}(" in line for line in examples), "no >>> example using the class"


# --- the core never imports torch --------------------------------------------------------------


LEAKS = """
import importlib, json, sys
importlib.import_module({module!r})
print(json.dumps(sorted(
    m for m in sys.modules
    if m.split(".")[0] in {{"torch", "lrspec_torch", "yaml", "omegaconf", "hydra", "antlr4",
                           "lightning", "pytorch_lightning", "transformers", "accelerate"}}
)))
"""


# (lrspec.configs imports PyYAML / OmegaConf / Hydra only when a function needs them)
@pytest.mark.parametrize(
    "module", ["lrspec", "lrspec.functional", "lrspec.testing", "lrspec.configs"]
)
def test_import_leaves_torch_out(
    module: str, tmp_path: Path, run_python: Callable[..., str]
) -> None:
    code = LEAKS.format(module=module)
    leaked = json.loads(run_python("-I", "-c", code, cwd=tmp_path))
    assert leaked == []


WITHOUT_NUMPY_OR_TORCH = """
import sys
sys.modules["numpy"] = None  # any import of numpy now raises ImportError
sys.modules["torch"] = None
import lrspec
from lrspec.functional import cosine_annealing_lr

spec = lrspec.SequentialLR(
    schedulers=[lrspec.LinearLR(total_iters=2), lrspec.CosineAnnealingLR(T_max=4)],
    milestones=[2],
)
assert len(spec.trace(0.1, 10)) == 11
assert spec.lr(5, 0.1) == spec.trace(0.1, 5)[-1]
assert lrspec.StepLR(step_size=2).lr(4.0, 1.0) == 0.010000000000000002
assert lrspec.from_dict(lrspec.to_dict(spec)) == spec == lrspec.parse(repr(spec))
assert cosine_annealing_lr(50, 0.1, T_max=100, eta_min=0.0) == 0.05
print("ok")
"""


def test_core_works_without_numpy_or_torch(tmp_path: Path, run_python: Callable[..., str]) -> None:
    # numpy is a test dependency only; the core must run on Python numbers without it
    assert run_python("-I", "-c", WITHOUT_NUMPY_OR_TORCH, cwd=tmp_path).strip() == "ok"
