"""Testing helpers: Hypothesis strategies for every spec, and equivalence assertions.

The strategies generate *valid* configurations, biased towards the edges where schedulers
go wrong: step counts that land on milestones and period boundaries, ``T_max = 1``, gammas
and factors near 0 and exactly 1, empty milestone lists, zero-length warm-ups. Functions
held by generated specs (``LambdaLR.lr_lambda``, ``CyclicLR.scale_fn``, ...) come from a
small fixed set of module-level functions registered as ``lrspec_testing_<name>``, so
generated specs pickle and round-trip through :func:`lrspec.to_dict`.

The assertions compare a spec with *any* scheduler object that has ``step()`` and
``get_last_lr()`` -- a torch scheduler, or your own -- without this module importing torch:

>>> import lrspec
>>> from lrspec.testing import assert_trace_matches
>>> class Halving:  # a stand-in for a torch scheduler
...     def __init__(self, lr):
...         self.lr = lr
...     def step(self):
...         self.lr = self.lr * 0.5
...     def get_last_lr(self):
...         return [self.lr]
>>> values = assert_trace_matches(lrspec.ExponentialLR(gamma=0.5), Halving, 1.0, 3)
>>> values
[1.0, 0.5, 0.25, 0.125]

This module needs ``hypothesis`` (a test dependency); importing it never imports torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from hypothesis import assume
from hypothesis import strategies as st

import lrspec
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

T = TypeVar("T")

#: Default upper bound for generated step counts: long enough to cross several periods of
#: the generated schedules, short enough to step a torch scheduler 150 times per test.
MAX_STEPS = 300

# --- named functions for LambdaLR / MultiplicativeLR / CyclicLR.scale_fn --------------------
#
# Module-level (picklable) and registered, so generated specs can be saved. Each takes the
# epoch torch passes (an int) and also works on floats.


def one(epoch: float) -> float:
    """Factor 1: the identity schedule."""
    return 1.0


def half(epoch: float) -> float:
    """A constant 0.5."""
    return 0.5


def inverse_time(epoch: float) -> float:
    """``1 / (epoch + 1)``."""
    return 1.0 / (epoch + 1)


def decay95(epoch: float) -> float:
    """``0.95 ** epoch``."""
    return float(0.95**epoch)


def warmup10(epoch: float) -> float:
    """Linear warm-up over 10 epochs, then 1."""
    return min(1.0, (epoch + 1) / 10)


def halve_every7(epoch: float) -> float:
    """``0.5 ** (epoch // 7)``: a step decay written as a lambda."""
    return float(0.5 ** (epoch // 7))


def zero_after20(epoch: float) -> float:
    """1 until epoch 20, then exactly 0."""
    return 1.0 if epoch < 20 else 0.0


def factor99(epoch: float) -> float:
    """A per-step factor of 0.99."""
    return 0.99


def alternate(epoch: float) -> float:
    """0.9 on odd epochs, 1/0.9 on even ones (a per-step factor that oscillates)."""
    return 0.9 if int(epoch) % 2 else 1 / 0.9


def tiny_factor(epoch: float) -> float:
    """A per-step factor of 1e-6 for the first 3 epochs, then 1 (hits tiny lrs fast)."""
    return 1e-6 if epoch <= 3 else 1.0


def halving_scale(x: float) -> float:
    """CyclicLR scale: ``1 / 2 ** (x - 1)`` (triangular2 written by hand)."""
    return float(1 / (2.0 ** (x - 1)))


def slow_decay_scale(x: float) -> float:
    """CyclicLR scale: ``0.99 ** x``."""
    return float(0.99**x)


#: Functions for ``LambdaLR.lr_lambda`` (absolute factors).
LAMBDA_FUNCTIONS: tuple[Callable[[float], float], ...] = (
    one,
    half,
    inverse_time,
    decay95,
    warmup10,
    halve_every7,
    zero_after20,
)
#: Functions for ``MultiplicativeLR.lr_lambda`` (per-step factors).
MULTIPLICATIVE_FUNCTIONS: tuple[Callable[[float], float], ...] = (
    one,
    half,
    factor99,
    alternate,
    tiny_factor,
)
#: Functions for ``CyclicLR.scale_fn``.
SCALE_FUNCTIONS: tuple[Callable[[float], float], ...] = (one, halving_scale, slow_decay_scale)

for _fn in {*LAMBDA_FUNCTIONS, *MULTIPLICATIVE_FUNCTIONS, *SCALE_FUNCTIONS}:
    lrspec.register_function(f"lrspec_testing_{_fn.__name__}", _fn)
del _fn

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


# --- step counts and metric streams -------------------------------------------------------


def _landmarks(spec: Schedule, horizon: int) -> set[int]:
    """Epochs where ``spec`` changes regime (milestones, period ends, phase ends) up to horizon."""
    if isinstance(spec, StepLR):
        return set(range(spec.step_size, horizon + 1, spec.step_size))
    if isinstance(spec, MultiStepLR):
        return set(spec.milestones)
    if isinstance(spec, (ConstantLR, LinearLR, PolynomialLR)):
        return {spec.total_iters}
    if isinstance(spec, CosineAnnealingLR):
        return set(range(spec.T_max, horizon + 1, spec.T_max))
    if isinstance(spec, CosineAnnealingWarmRestarts):
        points: set[int] = set()
        start, length = 0, spec.T_0
        while start <= horizon:
            points.update((start, start + length // 2))
            start, length = start + length, length * spec.T_mult
        return points
    if isinstance(spec, CyclicLR):
        up = spec.step_size_up
        period = up + (spec.step_size_down or up)
        return {p + q for p in range(0, horizon + 1, period) for q in (0, up)}
    if isinstance(spec, OneCycleLR):
        ends = spec.phase_ends
        return {spec.total, *(math.floor(e) for e in ends), *(math.ceil(e) for e in ends)}
    if isinstance(spec, SWALR):
        return {spec.anneal_epochs}
    if isinstance(spec, ChainedScheduler):
        return set().union(*(_landmarks(child, horizon) for child in spec.schedulers))
    if isinstance(spec, SequentialLR):
        points = set(spec.milestones)
        for start, child in zip((0, *spec.milestones), spec.schedulers, strict=True):
            points.update(start + p for p in _landmarks(child, horizon))
        return points
    return set()


def step_limit(spec: Schedule, max_steps: int = MAX_STEPS) -> int:
    """The largest step count <= ``max_steps`` that ``spec`` (and torch) can trace.

    Only OneCycleLR stops: torch raises once it is stepped past ``total_steps``, also inside
    a composite, where the limit depends on the milestones, so it is found by tracing.
    """
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
    near = sorted({p + d for p in _landmarks(spec, cap) for d in (-1, 0, 1)} & set(range(cap + 1)))
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


# --- assertions ---------------------------------------------------------------------------


class SchedulerLike(Protocol):
    """What :func:`assert_trace_matches` drives: torch's scheduler interface."""

    def step(self, *args: Any) -> Any: ...

    def get_last_lr(self) -> Sequence[Any]: ...


Sched = TypeVar("Sched", bound=SchedulerLike)


def same_float(a: float, b: float) -> bool:
    """Bit equality of floats: ``==`` that also tells -0.0 from 0.0 and lets NaN equal NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def assert_trace_matches(
    spec: Schedule,
    make_scheduler: Callable[[float], Sched],
    base_lr: float,
    steps: int | None = None,
    *,
    metrics: Sequence[float] | None = None,
    optimizer_step: Callable[[Sched], object] | None = None,
) -> list[float]:
    """Assert that ``spec.trace`` equals a live scheduler's lr sequence, bit for bit.

    ``make_scheduler(base_lr)`` must build a fresh scheduler on a fresh optimizer whose lr is
    ``base_lr``. Its ``get_last_lr()[0]`` is read right after construction and after each of
    ``steps`` calls to ``step()`` -- or, with ``metrics``, after each ``step(metric)``
    (``steps`` may then be left out). ``optimizer_step(scheduler)``, if given, runs before
    every scheduler step; for torch pass ``lambda s: s.optimizer.step()``, which keeps torch
    from warning that the optimizer never stepped.

    Values are compared with :func:`same_float` (so ``-0.0 != 0.0``). On the first
    difference it raises ``AssertionError`` naming the step and both values' ``repr``.
    Returns the scheduler's sequence (as floats), e.g. to compare it further.

    >>> import lrspec
    >>> class Countdown:
    ...     def __init__(self, lr):
    ...         self.lr, self.e = lr, 0
    ...     def step(self):
    ...         self.e += 1
    ...         self.lr = self.lr * (0.5 if self.e % 2 == 0 else 1.0)
    ...     def get_last_lr(self):
    ...         return [self.lr]
    >>> spec = lrspec.StepLR(step_size=2, gamma=0.5)
    >>> assert_trace_matches(spec, Countdown, 1.0, 4)
    [1.0, 1.0, 0.5, 0.5, 0.25]
    >>> assert_trace_matches(lrspec.StepLR(step_size=3, gamma=0.5), Countdown, 1.0, 4)
    Traceback (most recent call last):
    ...
    AssertionError: StepLR(step_size=3, gamma=0.5) with base_lr=1.0: first difference at step 2: spec.trace gives 1.0, the scheduler gives 0.5
    """  # noqa: E501
    if metrics is not None:
        metric_list = list(metrics)
        if steps is not None and steps != len(metric_list):
            raise ValueError(
                f"steps must equal len(metrics) when both are given, got steps={steps!r} "
                f"and {len(metric_list)} metrics"
            )
        expected = spec.trace(base_lr, metrics=metric_list)
    else:
        if steps is None:
            raise TypeError("assert_trace_matches needs steps (or metrics), got neither")
        metric_list = []
        expected = spec.trace(base_lr, steps)
    n = len(expected) - 1

    scheduler = make_scheduler(base_lr)
    actual = [float(scheduler.get_last_lr()[0])]
    _check_step(spec, base_lr, 0, expected, actual)
    for k in range(1, n + 1):
        if optimizer_step is not None:
            optimizer_step(scheduler)
        if metrics is not None:
            scheduler.step(metric_list[k - 1])
        else:
            scheduler.step()
        actual.append(float(scheduler.get_last_lr()[0]))
        _check_step(spec, base_lr, k, expected, actual)
    return actual


def _check_step(
    spec: Schedule, base_lr: float, k: int, expected: list[float], actual: list[float]
) -> None:
    if not same_float(expected[k], actual[k]):
        raise AssertionError(
            f"{spec!r} with base_lr={base_lr!r}: first difference at step {k}: "
            f"spec.trace gives {expected[k]!r}, the scheduler gives {actual[k]!r}"
        )


def assert_lr_close(
    spec: Schedule,
    values: Sequence[float],
    base_lr: float,
    *,
    rel: float = 1e-9,
    abs: float = 1e-12,
) -> None:
    """Assert ``spec.lr(k, base_lr)`` is close to ``values[k]`` for every k.

    Closeness is :func:`math.isclose` with ``rel_tol=rel`` and ``abs_tol=abs`` -- lrspec's
    promise for closed forms against torch. Raises ``AssertionError`` naming the first epoch
    that is off, both values and their relative gap.

    >>> import lrspec
    >>> assert_lr_close(lrspec.ExponentialLR(gamma=0.5), [1.0, 0.5, 0.25], 1.0)
    >>> assert_lr_close(lrspec.ExponentialLR(gamma=0.5), [1.0, 0.5, 0.2], 1.0)
    Traceback (most recent call last):
    ...
    AssertionError: ExponentialLR(gamma=0.5) with base_lr=1.0: spec.lr(2) = 0.25, expected 0.2 (relative gap 0.25; rel=1e-09, abs=1e-12)
    """  # noqa: E501
    for k, want in enumerate(values):
        got = spec.lr(k, base_lr)
        if not math.isclose(got, want, rel_tol=rel, abs_tol=abs):
            gap = math.fabs(got - want) / math.fabs(want) if want else math.inf
            raise AssertionError(
                f"{spec!r} with base_lr={base_lr!r}: spec.lr({k}) = {got!r}, expected "
                f"{want!r} (relative gap {gap:.3g}; rel={rel!r}, abs={abs!r})"
            )


__all__ = [
    "LAMBDA_FUNCTIONS",
    "MAX_STEPS",
    "MULTIPLICATIVE_FUNCTIONS",
    "SCALE_FUNCTIONS",
    "SchedulerLike",
    "alternate",
    "assert_lr_close",
    "assert_trace_matches",
    "base_lrs",
    "chained_scheduler",
    "constant_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "decay95",
    "exponential_lr",
    "factor99",
    "half",
    "halve_every7",
    "halving_scale",
    "inverse_time",
    "lambda_lr",
    "leaf_specs",
    "linear_lr",
    "metric_streams",
    "multiplicative_lr",
    "multistep_lr",
    "one",
    "one_cycle_lr",
    "polynomial_lr",
    "reduce_lr_on_plateau",
    "same_float",
    "sequential_lr",
    "slow_decay_scale",
    "specs",
    "step_limit",
    "step_lr",
    "steps",
    "swalr",
    "tiny_factor",
    "warmup10",
    "zero_after20",
]
