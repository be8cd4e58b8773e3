"""Hypothesis strategies for metric-driven compositions: ReduceLROnPlateau inside combinators.

A plateau may sit inside :class:`lrspec.Join`, :class:`lrspec.Warmup` (as a prefix),
:class:`lrspec.Product` and :class:`lrspec.Clip` at any depth, beside closed-form parts
(``Stretch`` and ``Cycle`` refuse one, so they only appear inside the closed-form parts).
Plateaus are short-fused (patience <= 3, cooldown <= 2), so they cut within a short run.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
from hypothesis import strategies as st

from lrspec import Clip, Join, Product, ReduceLROnPlateau, Schedule, Warmup
from lrspec.testing._strategies import reduce_lr_on_plateau
from lrspec.testing._strategies_combinators import combinator_children


def _plateau() -> st.SearchStrategy[ReduceLROnPlateau]:
    """Plateaus that cut within a short run: patience <= 3, cooldown <= 2."""
    return reduce_lr_on_plateau().map(
        lambda s: attrs.evolve(s, patience=min(s.patience, 3), cooldown=min(s.cooldown, 2))
    )


def _children(metric: st.SearchStrategy[Schedule], *, scaling: bool) -> Any:
    closed = combinator_children(scaling=scaling, depth=0)
    return st.one_of(metric, closed)


def metric_compositions(
    depth: int = 2, *, outer: type[Schedule] | None = None
) -> st.SearchStrategy[Schedule]:
    """A metric-driven composition: plateaus at any depth up to ``depth``, closed-form parts
    around them (``depth=0``: a bare ReduceLROnPlateau). With ``outer`` (``Join``,
    ``Warmup``, ``Product`` or ``Clip``), only compositions whose outermost combinator is
    that class (drawn directly, nothing filtered).

    Join of 1-3 children with boundaries in ``[1, 40]``, at least one of them metric-driven;
    Warmup (linear, cosine, exponential, 1-sqrt ramps of 0-20 steps) of a metric-driven
    inner spec; Product of 1-3 scaling children and a metric-driven one, in any order; Clip
    of a metric-driven spec with floors 0, 0.05, 0.3 and ceilings None, 0.8, 2.

    >>> from hypothesis import given
    >>> from lrspec.testing import metric_compositions
    >>> @given(metric_compositions())
    ... def test(spec):
    ...     assert spec.metric_driven
    >>> test()
    """
    if depth == 0:
        if outer is not None:
            raise ValueError(f"outer needs depth >= 1, got depth={depth!r}")
        return _plateau()
    kinds = _outermost(depth)
    if outer is None:
        return st.one_of(list(kinds.values()))
    if outer not in kinds:
        names = [k.__name__ for k in kinds]
        raise ValueError(f"outer must be one of {names}, got {outer!r}")
    return kinds[outer]


@functools.cache
def _outermost(depth: int) -> dict[type[Schedule], st.SearchStrategy[Schedule]]:
    """One strategy per outermost combinator, its metric-driven child ``depth - 1`` deep
    (built once per depth: building the nested strategies costs more than drawing)."""
    inner = st.deferred(lambda: metric_compositions(depth - 1))
    any_kids, scaling_kids = _children(inner, scaling=False), _children(inner, scaling=True)

    @st.composite
    def join(draw: st.DrawFn) -> Join:
        n = draw(st.integers(1, 3))
        kids = draw(st.lists(any_kids, min_size=n, max_size=n))
        if not any(k.metric_driven for k in kids):
            kids[draw(st.integers(0, n - 1))] = draw(inner)
        bounds = sorted(
            draw(st.lists(st.integers(1, 40), min_size=n - 1, max_size=n - 1, unique=True))
        )
        return Join(schedules=kids, boundaries=bounds)

    @st.composite
    def warmup(draw: st.DrawFn) -> Warmup:
        kind = draw(st.sampled_from(["linear", "cosine", "exponential", "1-sqrt"]))
        start = draw(st.sampled_from([0.0, 0.01, 0.5]))
        if kind == "exponential" and start == 0.0:
            start = 0.1
        return Warmup(
            inner=draw(inner), steps=draw(st.integers(0, 20)), start_factor=start, kind=kind
        )

    @st.composite
    def product(draw: st.DrawFn) -> Product:
        kids = draw(st.lists(scaling_kids, min_size=1, max_size=3))
        kids.append(draw(inner))
        return Product(schedules=draw(st.permutations(kids)))

    @st.composite
    def clip(draw: st.DrawFn) -> Clip:
        low = draw(st.sampled_from([0.0, 0.05, 0.3]))
        high = draw(st.sampled_from([None, 0.8, 2.0]))
        return Clip(inner=draw(inner), min_factor=low, max_factor=high)

    return {Join: join(), Warmup: warmup(), Product: product(), Clip: clip()}


__all__ = ["metric_compositions"]
