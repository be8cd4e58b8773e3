"""Hypothesis strategies for specs written in time units (``Epochs`` / ``Fraction``).

:func:`written_in_units` draws a spec in steps from any strategy and writes some of its
step fields as units chosen so that :func:`lrspec.resolve` gives back *exactly* that spec:
``Epochs(v / per_epoch)`` and ``Fraction(v / total_steps)`` with ``per_epoch`` and
``total_steps`` of the form ``2**a * 5**b``, so every quotient is a short decimal that prints
exactly (and so resolves without rounding).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import strategies as st

from lrspec import Epochs, Fraction, Schedule
from lrspec._checks import step_field

#: Optimizer steps per epoch: each divides a power of ten, so ``v / per_epoch`` is a short
#: decimal, which the float prints as exactly (a long one, such as ``139 / 2**21``, prints
#: rounded to 16 digits and so resolves one step more).
PER_EPOCH = (1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 40, 50)
_TOTALS = tuple(sorted({10**k for k in range(10)} | {2**k for k in range(11)}))

Choose = Callable[[Any, bool], Any]


def step_values(spec: Schedule) -> list[int | float]:
    """Every number in a step field of ``spec`` and of its children."""
    out: list[int | float] = []

    def visit(node: Any) -> None:
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            items = value if isinstance(value, tuple) else (value,)
            if step_field(field) is not None:
                out.extend(v for v in items if isinstance(v, (int, float)))
            for item in items:
                if isinstance(item, Schedule):
                    visit(item)

    visit(spec)
    return out


def rewrite(spec: Any, choose: Choose) -> Any:
    """``spec`` with each step value ``v`` of it and its children replaced by
    ``choose(v, integral)``; a node whose rewritten form is refused stays as it was."""
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(spec)):
        value = getattr(spec, field.name)
        kind = step_field(field)
        if kind is not None:
            if isinstance(value, tuple):
                new: Any = tuple(choose(v, kind[0]) for v in value)
            else:
                new = value if value is None else choose(value, kind[0])
        elif isinstance(value, Schedule):
            new = rewrite(value, choose)
        elif isinstance(value, tuple) and any(isinstance(v, Schedule) for v in value):
            new = tuple(rewrite(v, choose) if isinstance(v, Schedule) else v for v in value)
        else:
            continue
        changes[field.name] = new
    try:
        return attrs.evolve(spec, **changes)
    except (TypeError, ValueError):  # e.g. OneCycleLR with epochs: its total must stay an int
        return spec


def _drawer(
    inner: st.SearchStrategy[Schedule],
) -> Callable[[st.DrawFn], tuple[Schedule, Schedule, dict[str, int]]]:
    def draw_case(draw: st.DrawFn) -> tuple[Schedule, Schedule, dict[str, int]]:
        spec = draw(inner)
        per_epoch = draw(st.sampled_from(PER_EPOCH))
        accumulation = draw(st.integers(1, 4))
        # ceil(steps_per_epoch / accumulation) == per_epoch: a partial last accumulation counts
        steps_per_epoch = per_epoch * accumulation - draw(st.integers(0, accumulation - 1))
        biggest = max([1, *(abs(v) for v in step_values(spec))])
        total = draw(st.sampled_from([t for t in _TOTALS if t >= biggest] or [10**9]))

        def choose(value: Any, integral: bool) -> Any:
            if value < 0 or value != int(value):
                return value
            options: list[Any] = [value, Epochs(value / per_epoch)]
            if value <= total:
                options.append(Fraction(value / total))
            options.append(str(Epochs(value / per_epoch)))  # the text form, as a config has it
            return draw(st.sampled_from(options))

        quantities = {
            "steps_per_epoch": steps_per_epoch,
            "total_steps": total,
            "accumulation": accumulation,
        }
        return spec, rewrite(spec, choose), quantities

    return draw_case


def written_in_units(
    inner: st.SearchStrategy[Schedule],
) -> st.SearchStrategy[tuple[Schedule, Schedule, dict[str, int]]]:
    """``(spec, written, quantities)``: ``spec`` drawn from ``inner``; ``written``, the same
    spec with some step fields as ``Epochs`` / ``Fraction`` (or their text forms); and the
    :func:`lrspec.resolve` keywords under which ``written`` resolves to exactly ``spec``.

    >>> from hypothesis import given
    >>> import lrspec
    >>> from lrspec.testing import linear, written_in_units
    >>> @given(written_in_units(linear()))
    ... def test(case):
    ...     spec, written, quantities = case
    ...     assert lrspec.resolve(written, **quantities) == spec
    >>> test()
    """
    # A closure, not an argument: the strategy's repr stays short (``inner``'s can be huge).
    return st.composite(_drawer(inner))()
