"""Hypothesis strategies for the combinators (Join, Warmup, Product, Stretch, Clip, Cycle).

Children are drawn from the torch twins that have a closed form (StepLR, MultiStepLR,
ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR) and, one level down,
from the combinators themselves. Where a combinator needs a child that scales with
``base_lr`` (Warmup, Product, Cycle), CosineAnnealingLR gets ``eta_min=0`` and no twin with absolute
lrs of its own is drawn; Join, Stretch and Clip also get CyclicLR and CosineAnnealingLR with
a floor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import strategies as st

from lrspec import Clip, Cycle, Join, Product, Schedule, Stretch, Warmup
from lrspec._combinator_formulas import RAMP_KINDS
from lrspec.testing._strategies import (
    _edges_or,
    _floats,
    constant_lr,
    cosine_annealing_lr,
    cosine_annealing_warm_restarts,
    cyclic_lr,
    exponential_lr,
    linear_lr,
    multistep_lr,
    polynomial_lr,
    step_lr,
)


def _twin_children(*, scaling: bool) -> st.SearchStrategy[Schedule]:
    pool: list[st.SearchStrategy[Any]] = [
        step_lr(),
        multistep_lr(),
        constant_lr(),
        linear_lr(),
        exponential_lr(),
        polynomial_lr(),
        cosine_annealing_lr().map(lambda s: attrs.evolve(s, eta_min=0.0)),
    ]
    if not scaling:
        pool += [cosine_annealing_lr(), cyclic_lr(), cosine_annealing_warm_restarts()]
    return st.one_of(pool)


def combinator_children(*, scaling: bool = True, depth: int = 1) -> st.SearchStrategy[Schedule]:
    """Children for a combinator: closed-form twins, and combinators ``depth`` levels deep."""
    leaves = _twin_children(scaling=scaling)
    if depth <= 0:
        return leaves
    nested = st.deferred(lambda: combinators(depth=depth - 1, scaling=scaling))
    return st.one_of(leaves, leaves, nested)


def _step_counts(high: int) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([1, 2, 3]), st.integers(1, high))


@st.composite
def _join(draw: st.DrawFn, depth: int, scaling: bool) -> Join:
    n = draw(st.integers(1, 4))
    children = draw(
        st.lists(combinator_children(scaling=scaling, depth=depth), min_size=n, max_size=n)
    )
    bounds = draw(st.lists(_step_counts(200), min_size=n - 1, max_size=n - 1, unique=True))
    return Join(schedules=children, boundaries=sorted(bounds))


def join(*, depth: int = 1, scaling: bool = False) -> st.SearchStrategy[Join]:
    """Join of 1-4 children with boundaries in ``[1, 200]``, short segments included."""
    return _join(depth, scaling)


@st.composite
def _warmup(draw: st.DrawFn, depth: int) -> Warmup:
    kind = draw(st.sampled_from(RAMP_KINDS))
    low = 1e-3 if kind == "exponential" else 0.0
    start = draw(_edges_or([low, 0.1, 0.5, 1.0, 2.0], _floats(low, 2.0)))
    return Warmup(
        inner=draw(combinator_children(scaling=True, depth=depth)),
        steps=draw(st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, 150))),
        start_factor=start,
        kind=kind,
        prefix=draw(st.booleans()),
    )


def warmup(*, depth: int = 1) -> st.SearchStrategy[Warmup]:
    """Warmup of every kind and both ``prefix`` modes; ``steps`` 0, 1, 2 or up to 150."""
    return _warmup(depth)


def product(*, depth: int = 1) -> st.SearchStrategy[Product]:
    """Product of 1-3 children that scale with ``base_lr``."""
    children = st.lists(combinator_children(scaling=True, depth=depth), min_size=1, max_size=3)
    return st.builds(Product, schedules=children)


def stretch(*, depth: int = 1, scaling: bool = False) -> st.SearchStrategy[Stretch]:
    """Stretch by ratios 1, 0.5, 2, 1/3, 1.5 or anything in ``[0.05, 20]``."""
    return st.builds(
        Stretch,
        inner=combinator_children(scaling=scaling, depth=depth),
        ratio=_edges_or([1.0, 0.5, 2.0, 1 / 3, 1.5], _floats(0.05, 20.0)),
    )


@st.composite
def _clip(draw: st.DrawFn, depth: int, scaling: bool) -> Clip:
    low = draw(_edges_or([0.0, 0.01, 0.1, 0.5], _floats(0.0, 1.0)))
    high = draw(
        st.one_of(st.none(), _edges_or([max(low, 1e-3), 1.0], _floats(max(low, 1e-3), 5.0)))
    )
    return Clip(
        inner=draw(combinator_children(scaling=scaling, depth=depth)),
        min_factor=low,
        max_factor=high,
    )


def clip(*, depth: int = 1, scaling: bool = False) -> st.SearchStrategy[Clip]:
    """Clip with floors 0 to 1 and ceilings None (no ceiling) or from the floor up to 5."""
    return _clip(depth, scaling)


def cycle(*, depth: int = 1) -> st.SearchStrategy[Cycle]:
    """Cycle with integer and fractional periods, growing, decaying and limited cycles."""
    return st.builds(
        Cycle,
        inner=combinator_children(scaling=True, depth=depth),
        period=_edges_or([1.0, 2.0, 5.0, 10.0, 100 / 3, 2.5], _floats(0.5, 80.0)),
        period_mul=_edges_or([1.0, 2.0, 1.5], _floats(1.0, 3.0)),
        decay=_edges_or([1.0, 0.5, 0.9], _floats(0.1, 1.0)),
        floor=_edges_or([0.0, 0.01], _floats(0.0, 0.5)),
        limit=st.one_of(st.none(), st.integers(1, 6)),
    )


def combinators(*, depth: int = 1, scaling: bool = False) -> st.SearchStrategy[Schedule]:
    """Any combinator, children nested ``depth`` levels (``scaling``: only children that
    scale with ``base_lr``, so the combinator does)."""
    return st.one_of(
        join(depth=depth, scaling=scaling),
        warmup(depth=depth),
        product(depth=depth),
        stretch(depth=depth, scaling=scaling),
        clip(depth=depth, scaling=scaling),
        cycle(depth=depth),
    )


#: One strategy factory per combinator, by class name.
COMBINATOR_STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "Join": join,
    "Warmup": warmup,
    "Product": product,
    "Stretch": stretch,
    "Clip": clip,
    "Cycle": cycle,
}

__all__ = [
    "COMBINATOR_STRATEGIES",
    "clip",
    "combinator_children",
    "combinators",
    "cycle",
    "join",
    "product",
    "stretch",
    "warmup",
]
