"""Hypothesis strategies: valid configs of every spec, step counts, metric streams."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import assume
from hypothesis import strategies as st

from lrspec import (
    SWALR,
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    Schedule,
    SequentialLR,
    StepLR,
)
from lrspec.testing._functions import LAMBDA_FUNCTIONS, MULTIPLICATIVE_FUNCTIONS, SCALE_FUNCTIONS

T = TypeVar("T")

#: Default upper bound for generated step counts: long enough to cross several periods of
#: the generated schedules, short enough to step a torch scheduler 150 times per test.
MAX_STEPS = 300

# --- scalar building blocks ---------------------------------------------------------------


def _edges_or(edges: Sequence[T], general: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """Explicit edge values half of the time, the general range otherwise."""
    return st.one_of(st.sampled_from(edges), general)


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _factor_in_0_1() -> st.SearchStrategy[float]:
    """A factor in (0, 1], with 1/3, 0.3 (undo is exact) and 0.1, 0.7, 1/7 (it is not)."""
    return _edges_or([1e-6, 0.1, 0.3, 1 / 3, 0.5, 0.7, 0.9, 1 / 7, 0.999999, 1.0], _floats(1e-6, 1))


def _decay_gamma() -> st.SearchStrategy[float]:
    return _edges_or([1e-6, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999999, 1.0, 1.01], _floats(1e-6, 1.02))


def _eta_min() -> st.SearchStrategy[float]:
    return _edges_or([0.0, 1e-6, 0.01], _floats(0.0, 1.0))


def _momentum() -> st.SearchStrategy[float]:
    return _edges_or([0.0, 0.8, 0.85, 0.9, 0.95, 1.0], _floats(0.0, 1.0))


def base_lrs() -> st.SearchStrategy[float]:
    """Initial learning rates in [1e-6, 10], with 1e-6, 0.1, 0.25, 1 and 10 as edges."""
    return _edges_or([1e-6, 1e-3, 0.1, 0.25, 1.0, 10.0], _floats(1e-6, 10.0))


# --- leaf specs ---------------------------------------------------------------------------


def step_lr() -> st.SearchStrategy[StepLR]:
    """StepLR with ``step_size`` 1, small or large, and gamma near 0, near 1 or above 1."""
    size = st.one_of(st.just(1), st.integers(1, 10), st.integers(1, 200))
    return st.builds(StepLR, step_size=size, gamma=_decay_gamma())


def multistep_lr() -> st.SearchStrategy[MultiStepLR]:
    """MultiStepLR with 0-6 strictly increasing milestones in [1, 250] (1 and 2 as edges)."""
    milestones = st.one_of(
        st.sampled_from([(), (1,), (1, 2), (2, 4)]),
        st.lists(st.integers(1, 250), max_size=6, unique=True).map(lambda m: tuple(sorted(m))),
    )
    return st.builds(MultiStepLR, milestones=milestones, gamma=_decay_gamma())


def constant_lr() -> st.SearchStrategy[ConstantLR]:
    """ConstantLR with factors near 0, exactly 1 and both kinds of reciprocal (0.1, 1/3)."""
    total = st.one_of(st.just(1), st.integers(1, 60))
    return st.builds(ConstantLR, factor=_factor_in_0_1(), total_iters=total)


def linear_lr() -> st.SearchStrategy[LinearLR]:
    """LinearLR warm-ups and decays (``end_factor`` 0 reaches exactly 0.0)."""
    return st.builds(
        LinearLR,
        start_factor=_factor_in_0_1(),
        end_factor=_edges_or([0.0, 1e-6, 0.5, 1.0], _floats(0.0, 1.0)),
        total_iters=st.one_of(st.just(1), st.integers(1, 120)),
    )


def exponential_lr() -> st.SearchStrategy[ExponentialLR]:
    """ExponentialLR with gamma near 0, near 1, exactly 1 and slightly above 1."""
    return st.builds(ExponentialLR, gamma=_decay_gamma())


def polynomial_lr() -> st.SearchStrategy[PolynomialLR]:
    """PolynomialLR with powers 0 (constant until the end), fractional and > 1."""
    return st.builds(
        PolynomialLR,
        total_iters=st.one_of(st.just(1), st.integers(1, 120)),
        power=_edges_or([0.0, 0.5, 1.0, 2.0, 3.0], _floats(0.0, 5.0)),
    )


def cosine_annealing_lr() -> st.SearchStrategy[CosineAnnealingLR]:
    """CosineAnnealingLR with ``T_max`` 1 and short periods (steps run past ``2 * T_max``)."""
    return st.builds(
        CosineAnnealingLR,
        T_max=st.one_of(st.just(1), st.integers(1, 10), st.integers(1, 150)),
        eta_min=_eta_min(),
    )


def lambda_lr() -> st.SearchStrategy[LambdaLR]:
    """LambdaLR over :data:`LAMBDA_FUNCTIONS` (registered, picklable)."""
    return st.builds(LambdaLR, lr_lambda=st.sampled_from(LAMBDA_FUNCTIONS))


def multiplicative_lr() -> st.SearchStrategy[MultiplicativeLR]:
    """MultiplicativeLR over :data:`MULTIPLICATIVE_FUNCTIONS` (registered, picklable)."""
    return st.builds(MultiplicativeLR, lr_lambda=st.sampled_from(MULTIPLICATIVE_FUNCTIONS))


def cyclic_lr() -> st.SearchStrategy[CyclicLR]:
    """CyclicLR in every mode, with or without a ``scale_fn``, rising or (max < base) inverted."""
    return st.builds(
        CyclicLR,
        base_lr=_edges_or([1e-6, 0.001, 0.1], _floats(1e-6, 1.0)),
        max_lr=_edges_or([0.1, 1.0, 6.0], _floats(1e-6, 10.0)),
        step_size_up=st.one_of(st.just(1), st.integers(1, 20), st.integers(1, 150)),
        step_size_down=st.one_of(st.none(), st.just(1), st.integers(1, 150)),
        mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
        gamma=_edges_or([1e-6, 0.99, 0.999999, 1.0], _floats(0.9, 1.0)),
        scale_fn=st.one_of(st.none(), st.none(), st.sampled_from(SCALE_FUNCTIONS)),
        scale_mode=st.sampled_from(["cycle", "iterations"]),
        cycle_momentum=st.booleans(),
        base_momentum=_momentum(),
        max_momentum=_momentum(),
    )


@st.composite
def _one_cycle_lr(draw: st.DrawFn) -> OneCycleLR:
    total = draw(st.one_of(st.sampled_from([1, 2, 3, 10, 100]), st.integers(1, MAX_STEPS)))
    if draw(st.booleans()):
        sizes: dict[str, int | None] = {"total_steps": total}
    else:
        per_epoch = draw(st.sampled_from([d for d in range(1, total + 1) if total % d == 0]))
        sizes = {"epochs": total // per_epoch, "steps_per_epoch": per_epoch}
    # Valid phases: pct_start * total != 1, and for three phases 1 < pct_start * total <
    # (total + 1) / 2 (the middle phase ends at 2 * pct * total - 2, before total - 1).
    three_phase = total > 1 and draw(st.booleans())
    if three_phase:
        low, high = 1 / total, (total + 1) / (2 * total)
        inside = [p for p in (0.25, 0.3, 0.5) if low < p < high]
        window = st.floats(low, high, exclude_min=True, exclude_max=True)
        pct = draw(_edges_or(inside, window) if inside else window)
    else:
        pct = draw(_edges_or([0.0, 0.1, 0.25, 0.3, 0.5], _floats(0.0, 0.999)))
    kwargs: dict[str, Any] = {
        **sizes,
        "three_phase": three_phase,
        "pct_start": pct,
        "max_lr": draw(base_lrs()),
        "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
        "cycle_momentum": draw(st.booleans()),
        "base_momentum": draw(_momentum()),
        "max_momentum": draw(_momentum()),
        "div_factor": draw(_edges_or([1.0, 25.0], _floats(1.0, 1e4))),
        "final_div_factor": draw(_edges_or([1.0, 1e4], _floats(1.0, 1e5))),
    }
    try:
        return OneCycleLR(**kwargs)
    except ValueError:
        # A zero-length or out-of-order phase (pct_start * total_steps == 1, ...), which
        # torch would divide by zero on: not a valid config.
        assume(False)
        raise  # unreachable: assume(False) aborts the example


def one_cycle_lr() -> st.SearchStrategy[OneCycleLR]:
    """OneCycleLR that constructs: two or three phases, cos or linear, ``pct_start`` 0 too."""
    return _one_cycle_lr()


def cosine_annealing_warm_restarts() -> st.SearchStrategy[CosineAnnealingWarmRestarts]:
    """SGDR with ``T_0`` 1 and short cycles, ``T_mult`` 1, 2, 3 and 10 (torch's log trouble)."""
    return st.builds(
        CosineAnnealingWarmRestarts,
        T_0=st.one_of(st.just(1), st.integers(1, 10), st.integers(1, 60)),
        T_mult=_edges_or([1, 2, 3, 10], st.integers(1, 4)),
        eta_min=_eta_min(),
    )


def swalr() -> st.SearchStrategy[SWALR]:
    """SWALR with ``anneal_epochs`` 0 (swa_lr at once), 1 and longer anneals."""
    return st.builds(
        SWALR,
        swa_lr=_edges_or([0.0, 1e-6, 0.05, 1.0], _floats(0.0, 10.0)),
        anneal_epochs=st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, 120)),
        anneal_strategy=st.sampled_from(["cos", "linear"]),
    )


def reduce_lr_on_plateau() -> st.SearchStrategy[ReduceLROnPlateau]:
    """ReduceLROnPlateau in both modes, with patience 0, cooldown and eps/min_lr edges."""
    return st.builds(
        ReduceLROnPlateau,
        mode=st.sampled_from(["min", "max"]),
        factor=_edges_or([1e-6, 0.1, 0.5, 0.999999], _floats(1e-6, 0.999999)),
        patience=st.one_of(st.sampled_from([0, 1, 10]), st.integers(0, 20)),
        threshold=_edges_or([0.0, 1e-4, 0.1], _floats(0.0, 1.0)),
        threshold_mode=st.sampled_from(["rel", "abs"]),
        cooldown=st.one_of(st.just(0), st.integers(0, 10)),
        min_lr=_edges_or([0.0, 1e-6, 0.01], _floats(0.0, 0.1)),
        eps=_edges_or([0.0, 1e-8, 1e-3], _floats(0.0, 1e-2)),
    )


# --- composites and unions ----------------------------------------------------------------


@functools.cache
def leaf_specs() -> st.SearchStrategy[Schedule]:
    """Any non-composite, non-metric spec: the children composites are built from."""
    return st.one_of(
        step_lr(),
        multistep_lr(),
        constant_lr(),
        linear_lr(),
        exponential_lr(),
        polynomial_lr(),
        cosine_annealing_lr(),
        lambda_lr(),
        multiplicative_lr(),
        cyclic_lr(),
        one_cycle_lr(),
        cosine_annealing_warm_restarts(),
        swalr(),
    )


def chained_scheduler() -> st.SearchStrategy[ChainedScheduler]:
    """ChainedScheduler of 1-3 leaf specs (absolute children overwrite the ones before)."""
    return st.builds(ChainedScheduler, schedulers=st.lists(leaf_specs(), min_size=1, max_size=3))


@st.composite
def _sequential_lr(draw: st.DrawFn, *, nested: bool) -> SequentialLR:
    first: st.SearchStrategy[Schedule] = leaf_specs()
    if nested:
        # Only schedulers[0] may be a composite; weight leaves 2:1:1 against the composites.
        first = st.one_of(first, first, chained_scheduler(), _sequential_lr(nested=False))
    children = [draw(first), *draw(st.lists(leaf_specs(), max_size=3))]
    milestones = draw(_milestones(len(children) - 1))
    return SequentialLR(schedulers=children, milestones=milestones)


def _milestones(n: int) -> st.SearchStrategy[tuple[int, ...]]:
    """``n`` strictly increasing milestones >= 1: consecutive (1, 2, 3), or spread out."""
    spread = st.lists(st.integers(1, 200), min_size=n, max_size=n, unique=True)
    return st.one_of(st.just(tuple(range(1, n + 1))), spread.map(lambda m: tuple(sorted(m))))


def sequential_lr() -> st.SearchStrategy[SequentialLR]:
    """SequentialLR of 1-4 children; only ``schedulers[0]`` may be a composite."""
    return _sequential_lr(nested=True)


def specs(*, metric_driven: bool = True) -> st.SearchStrategy[Schedule]:
    """Any spec; ``metric_driven=False`` leaves out ReduceLROnPlateau."""
    choices: list[st.SearchStrategy[Schedule]] = [
        leaf_specs(),
        chained_scheduler(),
        sequential_lr(),
    ]
    if metric_driven:
        choices.append(reduce_lr_on_plateau())
    return st.one_of(choices)


#: One strategy factory per torch twin, by torch's class name (``lrspec.TORCH_TWINS`` order).
TWIN_STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "LambdaLR": lambda_lr,
    "MultiplicativeLR": multiplicative_lr,
    "StepLR": step_lr,
    "MultiStepLR": multistep_lr,
    "ConstantLR": constant_lr,
    "LinearLR": linear_lr,
    "ExponentialLR": exponential_lr,
    "PolynomialLR": polynomial_lr,
    "CosineAnnealingLR": cosine_annealing_lr,
    "ChainedScheduler": chained_scheduler,
    "SequentialLR": sequential_lr,
    "ReduceLROnPlateau": reduce_lr_on_plateau,
    "CyclicLR": cyclic_lr,
    "OneCycleLR": one_cycle_lr,
    "CosineAnnealingWarmRestarts": cosine_annealing_warm_restarts,
    "SWALR": swalr,
}


# --- step counts and metric streams -------------------------------------------------------


def step_limit(spec: Schedule, max_steps: int = MAX_STEPS) -> int:
    """The largest step count <= ``max_steps`` that ``spec`` (and torch) can trace.

    Only OneCycleLR stops: torch raises once it is stepped past ``total_steps``, also inside
    a composite, where the limit depends on the milestones, so it is found by tracing.
    """
    if spec.metric_driven:
        return max_steps  # driven by metrics, it never stops
    try:
        spec.trace(1.0, max_steps)
    except ValueError:
        pass
    else:
        return max_steps
    low, high = 0, max_steps  # trace(low) works, trace(high) raises
    while high - low > 1:
        mid = (low + high) // 2
        try:
            spec.trace(1.0, mid)
        except ValueError:
            high = mid
        else:
            low = mid
    return low


def steps(max_steps: int = MAX_STEPS, *, spec: Schedule | None = None) -> st.SearchStrategy[int]:
    """Step counts in ``[0, max_steps]``.

    With ``spec``, counts are capped to what the spec can trace (:func:`step_limit`) and half
    of them land on, or one either side of, the spec's landmarks: milestones, multiples of
    ``step_size`` and ``T_max``, ``total_iters``, restart epochs, phase ends.
    """
    if spec is None or spec.metric_driven:
        return st.integers(0, max_steps)
    cap = step_limit(spec, max_steps)
    near = sorted({p + d for p in spec.landmarks(cap) for d in (-1, 0, 1)} & set(range(cap + 1)))
    general = st.integers(0, cap)
    return st.one_of(st.sampled_from(near), general) if near else general


@st.composite
def _metric_streams(draw: st.DrawFn, min_size: int, max_size: int) -> list[float]:
    out: list[float] = []
    target = draw(st.integers(min_size, max_size))
    value = draw(st.floats(-100.0, 100.0))
    while len(out) < target:
        kind = draw(st.sampled_from(["plateau", "plateau", "down", "up", "noise", "nan", "jump"]))
        length = draw(st.integers(1, 30))
        if kind == "plateau":
            out.extend([value] * length)
        elif kind in ("down", "up"):
            delta = draw(_edges_or([1e-6, 1e-3, 0.5], _floats(1e-9, 10.0)))
            sign = -1.0 if kind == "down" else 1.0
            for _ in range(length):
                value += sign * delta
                out.append(value)
        elif kind == "noise":
            out.extend(draw(st.lists(_floats(-1e3, 1e3), min_size=1, max_size=length)))
        elif kind == "nan":
            out.append(math.nan)
        else:
            value = draw(_edges_or([0.0, -1.0, 1.0, -value], _floats(-1e3, 1e3)))
            out.append(value)
    return out[:target]


def metric_streams(min_size: int = 0, max_size: int = MAX_STEPS) -> st.SearchStrategy[list[float]]:
    """Metric sequences for ReduceLROnPlateau: plateaus, trends, noise, negatives, NaN."""
    return _metric_streams(min_size, max_size)
