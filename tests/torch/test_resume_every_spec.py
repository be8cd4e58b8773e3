"""Every public spec resumes exactly, in a fresh process: the resumed run is the uninterrupted run.

A run trains a small model (``nn.Linear(3, 1)``, SGD with momentum or Adam, one or two param
groups, float or tensor lrs) with ``SpecLR`` for ``n`` steps, uninterrupted. Another run stops
at a generated step ``k`` and writes model + optimizer + scheduler state with ``torch.save``; a
fresh Python process reads it with ``torch.load(weights_only=True)``, builds a fresh model,
optimizer and ``SpecLR`` (the spec travels as its ``repr`` text, read with
:func:`lrspec.parse`), loads the checkpoint in one of three orders and trains on to ``n``.
The param groups after every remaining step (lr, momentum / betas, every key a scheduler
adds), ``get_last_lr()`` and the final weights must equal the uninterrupted run's, bit for
bit.

:data:`RESUME_STRATEGIES` holds one strategy per public spec class (the torch twins, the
catalogue's shapes and curves, the combinators), per preset (``warmup_cosine``, ``wsd``,
``from_hf`` over every HF name), per combinator that can hold a metric-driven child (a
ReduceLROnPlateau inside Join / Warmup / Product / Clip) and per family written in time
units (``Epochs`` / ``Fraction``, resolved by ``SpecLR(steps_per_epoch=..., total_steps=...,
accumulation=...)``). A guard fails when a public spec class or preset has no entry, so a
new spec cannot ship without resume coverage.

Each entry gets a Hypothesis test in process (through ``torch.save`` / ``torch.load`` on a
buffer, shrinking on failure), and generated cases of every entry all go to ONE worker
process (starting Python with torch costs seconds), Hypothesis used as a generator only.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from functools import partial
from typing import Any

import _resume_worker as rw
import attrs
import pytest
from _torch_helpers import any_spec
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt

#: Steps per generated run (each case trains about 2 n steps, at well under 1 ms a step).
MAX_STEPS = 40

#: A spec as written, and the ``SpecLR`` keywords that resolve its units (``{}``: in steps).
Planned = tuple[lrspec.Schedule, dict[str, int]]


# --- the table: one strategy per public spec, preset and unit family ----------------------------


def _in_steps(factory: Callable[[], st.SearchStrategy[Any]]) -> st.SearchStrategy[Planned]:
    return factory().map(lambda spec: (spec, {}))


def _entry(
    factory: Callable[[], st.SearchStrategy[Any]],
) -> Callable[[], st.SearchStrategy[Planned]]:
    """The table entry of a spec written in steps."""
    return lambda: _in_steps(factory)


def _in_units(inner: st.SearchStrategy[lrspec.Schedule]) -> st.SearchStrategy[Planned]:
    """``inner``'s specs with some step fields written as ``Epochs`` / ``Fraction`` (or their
    text forms), with the quantities that resolve them back."""

    def planned(case: tuple[lrspec.Schedule, lrspec.Schedule, dict[str, int]]) -> Planned:
        spec, written, quantities = case
        assert lrspec.resolve(written, **quantities) == spec
        return written, quantities

    return lt.written_in_units(inner).map(planned)


@st.composite
def warmup_cosine_specs(draw: st.DrawFn) -> lrspec.Schedule:
    warmup = draw(st.integers(0, 15))
    return lrspec.warmup_cosine(
        warmup,
        warmup + draw(st.integers(1, 30)),
        start_factor=draw(st.sampled_from([0.0, 0.1, 1.0])),
        end_factor=draw(st.sampled_from([0.0, 0.05, 0.5])),
        exponent=draw(st.sampled_from([1.0, 0.5, 2.0])),
    )


@st.composite
def wsd_specs(draw: st.DrawFn) -> lrspec.Schedule:
    return lrspec.wsd(
        draw(st.integers(0, 12)),
        draw(st.integers(0, 12)),
        draw(st.integers(1, 20)),
        warmup=draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
        decay=draw(st.sampled_from(["cosine", "linear", "1-sqrt"])),
        start_factor=draw(st.sampled_from([0.0, 0.1])),
        end_factor=draw(st.sampled_from([0.0, 0.1])),
    )


@st.composite
def from_hf_specs(draw: st.DrawFn, name: str) -> lrspec.Schedule:
    """``from_hf(name, ...)`` with the keywords HF's function takes for ``name``."""
    warmup = draw(st.integers(0, 12))
    training: int | None = warmup + draw(st.integers(1, 30))
    base_lr = None
    kw: dict[str, Any] = {}
    if name in ("cosine", "cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        kw["num_cycles"] = draw(st.sampled_from([0.5, 0.25, 1.0, 1.5]))
    if name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        kw["min_lr_rate"] = draw(st.sampled_from([0.0, 0.1]))
    if name == "cosine_warmup_with_min_lr" and draw(st.booleans()):
        kw["warmup_lr_rate"] = draw(st.sampled_from([0.0, 0.2]))
    if name == "cosine_with_restarts":
        kw["num_cycles"] = draw(st.sampled_from([1, 2, 3, 1.5]))
    if name == "polynomial":
        base_lr = 0.1  # HF's lr_end is absolute: the spec stores lr_end / base_lr
        kw = {
            "lr_end": draw(st.sampled_from([1e-7, 0.01])),
            "power": draw(st.sampled_from([1.0, 2.0, 0.5])),
        }
    if name == "inverse_sqrt" and draw(st.booleans()):
        kw["timescale"] = draw(st.integers(1, 20))
    if name == "warmup_stable_decay":
        training = None  # with num_stable_steps HF ignores it (and lrspec warns)
        kw = {
            "num_decay_steps": draw(st.integers(0, 15)),
            "num_stable_steps": draw(st.integers(0, 15)),
            "warmup_type": draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
            "decay_type": draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
            "min_lr_ratio": draw(st.sampled_from([0.0, 0.1])),
            "num_cycles": draw(st.sampled_from([0.5, 1.0])),
        }
    if name == "reduce_lr_on_plateau":
        kw = {
            "mode": draw(st.sampled_from(["min", "max"])),
            "factor": draw(st.sampled_from([0.1, 0.5])),
            "patience": draw(st.integers(0, 3)),
            "cooldown": draw(st.integers(0, 2)),
        }
    return lrspec.from_hf(
        name, num_warmup_steps=warmup, num_training_steps=training, base_lr=base_lr, **kw
    )


def _unit(value: int, draw: st.DrawFn, per_epoch: int, total: int) -> Any:
    """``value`` steps as steps, epochs or a fraction of ``total`` (each exact)."""
    options: list[Any] = [value, lrspec.Epochs(value / per_epoch), f"{value / per_epoch!r}ep"]
    if value <= total:
        options.append(lrspec.Fraction(value / total))
    return draw(st.sampled_from(options))


@st.composite
def _presets_in_units(draw: st.DrawFn, preset: str) -> Planned:
    """A preset called with unit-valued step counts (the preset's own unit arithmetic)."""
    per_epoch = draw(st.sampled_from([1, 2, 4, 5, 8, 10]))
    total = draw(st.sampled_from([10, 20, 25, 40, 50]))
    quantities = {"steps_per_epoch": per_epoch, "total_steps": total}
    if preset == "warmup_cosine":  # both counts in one unit, as warmup_cosine requires
        warmup = draw(st.integers(0, total // 2))
        if draw(st.booleans()):
            return lrspec.warmup_cosine(
                lrspec.Fraction(warmup / total), "1dur", end_factor=0.1
            ), quantities
        end = warmup + draw(st.integers(1, 20))
        return lrspec.warmup_cosine(
            lrspec.Epochs(warmup / per_epoch), lrspec.Epochs(end / per_epoch)
        ), quantities
    warm, stable, decay = (
        _unit(draw(st.integers(lo, 12)), draw, per_epoch, total) for lo in (0, 0, 1)
    )
    shape = draw(st.sampled_from(["cosine", "linear", "1-sqrt"]))
    return lrspec.wsd(warm, stable, decay, decay=shape), quantities


def _metric_driven(top: type[lrspec.Schedule]) -> Callable[[], st.SearchStrategy[Planned]]:
    """Compositions holding a ReduceLROnPlateau whose outermost combinator is ``top``."""
    return _entry(lambda: lt.metric_compositions(outer=top))


def _all(*tables: dict[str, Callable[[], st.SearchStrategy[Any]]]) -> st.SearchStrategy[Any]:
    return st.one_of([factory() for table in tables for factory in table.values()])


#: One strategy of ``(spec as written, SpecLR's resolution keywords)`` per public spec class
#: (by class name), per preset (by function name) and per metric-driven and unit-written family.
RESUME_STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Planned]]] = {
    **{name: _entry(factory) for name, factory in lt.TWIN_STRATEGIES.items()},
    **{name: _entry(factory) for name, factory in lt.SHAPE_STRATEGIES.items()},
    **{name: _entry(factory) for name, factory in lt.CURVE_STRATEGIES.items()},
    **{name: _entry(factory) for name, factory in lt.COMBINATOR_STRATEGIES.items()},
    "warmup_cosine": _entry(warmup_cosine_specs),
    "wsd": _entry(wsd_specs),
    **{f"from_hf({name!r})": _entry(partial(from_hf_specs, name)) for name in lrspec.HF_SCHEDULERS},
    "Join(ReduceLROnPlateau)": _metric_driven(lrspec.Join),
    "Warmup(ReduceLROnPlateau)": _metric_driven(lrspec.Warmup),
    "Product(ReduceLROnPlateau)": _metric_driven(lrspec.Product),
    "Clip(ReduceLROnPlateau)": _metric_driven(lrspec.Clip),
    "twins in units": lambda: _in_units(_all(lt.TWIN_STRATEGIES)),
    "shapes and curves in units": lambda: _in_units(_all(lt.SHAPE_STRATEGIES, lt.CURVE_STRATEGIES)),
    "combinators in units": lambda: _in_units(_all(lt.COMBINATOR_STRATEGIES)),
    "metric-driven in units": lambda: _in_units(lt.metric_compositions()),
    "presets in units": lambda: _in_units(st.one_of(warmup_cosine_specs(), wsd_specs())),
    "warmup_cosine(units)": lambda: _presets_in_units("warmup_cosine"),
    "wsd(units)": lambda: _presets_in_units("wsd"),
}

#: Public functions that return a spec without being a new kind of one: they load or resolve.
NOT_PRESETS = frozenset({"from_dict", "parse", "resolve"})


def public_spec_classes() -> set[str]:
    return {
        name
        for name in lrspec.__all__
        if isinstance(obj := getattr(lrspec, name), type)
        and issubclass(obj, lrspec.Schedule)
        and attrs.has(obj)
    }


def public_presets() -> set[str]:
    """Public functions whose return annotation is a spec (presets, loaders, ``resolve``)."""
    out = set()
    for name in lrspec.__all__:
        obj = getattr(lrspec, name)
        if inspect.isfunction(obj):
            returns = typing.get_type_hints(obj).get("return")
            is_spec = inspect.isclass(returns) and issubclass(returns, lrspec.Schedule)
            if is_spec or isinstance(returns, typing.TypeVar):  # resolve(spec: _S) -> _S
                out.add(name)
    return out


def test_every_public_spec_class_and_preset_has_a_resume_strategy() -> None:
    """A new spec class or preset must come with an entry in RESUME_STRATEGIES."""
    missing = public_spec_classes() - set(RESUME_STRATEGIES)
    assert not missing, f"public specs with no resume strategy: {sorted(missing)}"
    presets = public_presets() - NOT_PRESETS
    assert {"warmup_cosine", "wsd", "from_hf"} <= presets  # the detection finds the known ones
    missing = presets - {name.partition("(")[0] for name in RESUME_STRATEGIES}
    assert not missing, f"public presets with no resume strategy: {sorted(missing)}"
    missing = {f"from_hf({name!r})" for name in lrspec.HF_SCHEDULERS} - set(RESUME_STRATEGIES)
    assert not missing, f"HF names with no resume strategy: {sorted(missing)}"


# --- the case: plain data for _resume_worker.py ---------------------------------------------------


def spec_text(spec: lrspec.Schedule) -> str:
    text = repr(spec)
    assert lrspec.parse(text) == spec, f"repr does not parse back: {text}"
    return text


def middle_out(low: int, high: int) -> st.SearchStrategy[int]:
    """Integers in ``[low, high]``, the middle one the simplest: Hypothesis starts from the
    simplest value and keeps coming back to it, and a resume mid-run is the one that matters
    (``integers`` would favour ``low``: a resume at step 0, before any training)."""
    mid = (low + high) // 2
    return st.sampled_from(sorted(range(low, high + 1), key=lambda v: (abs(v - mid), v)))


@st.composite
def resume_case(draw: st.DrawFn, planned: Planned, order: str | None = None) -> dict[str, Any]:
    """A plain-data case for ``_resume_worker.py`` (``ckpt`` is added by the caller)."""
    written, resolution = planned
    spec = lrspec.resolve(written, **resolution)
    written_specs, specs = [written], [spec]
    n_groups = draw(st.sampled_from([1, 1, 2]), label="param groups")
    if n_groups == 2 and draw(st.booleans(), label="one spec per group"):
        second = draw(any_spec(metric_driven=spec.metric_driven), label="spec of group 1")
        written_specs.append(second)
        specs.append(second)
    cap = MAX_STEPS
    if not spec.metric_driven:
        cap = min(lt.step_limit(s, MAX_STEPS) for s in specs)
    n = draw(middle_out(min(1, cap), cap), label="n")
    k = draw(st.one_of(middle_out(0, n), lt.steps(n, spec=spec)), label="k (checkpoint)")
    metrics = None
    if spec.metric_driven and draw(st.booleans(), label="generated metrics (else the loss)"):
        metrics = draw(lt.metric_streams(n, n), label="metrics")
    texts = [spec_text(s) for s in written_specs]
    kind = draw(st.sampled_from(["sgd", "adam"]), label="optimizer")
    if kind == "adam" and any("momentum=1.0" in t for t in texts):
        kind = "sgd"  # Adam divides by 1 - beta1**t: a cyclic spec writing beta1 = 1 breaks it
    return {
        "spec": texts if len(texts) > 1 else texts[0],
        "resolution": resolution,
        "kind": kind,
        "lrs": draw(st.lists(lt.base_lrs(), min_size=n_groups, max_size=n_groups), label="lrs"),
        "momenta": [0.9] * n_groups,
        "tensor_lr": draw(st.booleans(), label="tensor lr"),
        "n": n,
        "k": k,
        "metrics": metrics,
        "order": order or draw(st.sampled_from(rw.ORDERS), label="load order"),
    }


def scaled(divisor: int, least: int) -> int:
    """A share of the Hypothesis profile's ``max_examples`` (dev 60, ci 150, thorough 2000)."""
    return max(least, settings().max_examples // divisor)


# --- in process: one Hypothesis test per entry, shrinking on failure ------------------------------


@pytest.mark.parametrize("name", list(RESUME_STRATEGIES))
def test_resume_in_process(name: str) -> None:
    strategy = RESUME_STRATEGIES[name]()

    @settings(max_examples=scaled(20, 3), deadline=None)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        planned = data.draw(strategy, label=name)
        case = data.draw(resume_case(planned), label="case")
        expected = rw.uninterrupted(case)
        rw.assert_resumed(case, expected, rw.resume(case, rw.save_load(rw.checkpoint(case))))

    check()


# --- in a fresh process: generated cases of every entry, one worker -------------------------------


def generated_cases(name: str, count: int) -> list[dict[str, Any]]:
    """``count`` generated cases of entry ``name``, Hypothesis used as a generator only.

    The load order rotates through ``ORDERS``, so each entry meets all three.
    """
    cases: list[dict[str, Any]] = []
    strategy = RESUME_STRATEGIES[name]()  # built once: building one costs more than a draw

    @settings(deadline=None, max_examples=count, phases=[Phase.generate], database=None)
    @given(data=st.data())
    def collect(data: st.DataObject) -> None:
        order = rw.ORDERS[len(cases) % len(rw.ORDERS)]
        planned = data.draw(strategy, label=name)
        cases.append({**data.draw(resume_case(planned, order), label="case"), "entry": name})

    collect()
    return cases


def test_resume_every_spec_in_a_fresh_process(run_python: Callable[..., str]) -> None:
    cases = [case for name in RESUME_STRATEGIES for case in generated_cases(name, scaled(6, 5))]
    assert {c["entry"] for c in cases} == set(RESUME_STRATEGIES)
    for case, (want, got) in zip(cases, rw.in_new_process(cases, run_python), strict=True):
        rw.assert_resumed(case, want, got)
