"""Introspection: what a spec can say about itself (``total_steps``, ``boundaries``, ``describe``).

:class:`lrspec.Schedule` inherits :class:`Introspection`; each spec class states its own
answers (a class variable, or a small override), and this module holds the words they are
built from, written once.

Definitions:

``total_steps``
    A step ``T`` from which the lr **holds**: ``lr(t) == lr(T)`` for every ``t >= T`` at
    which the spec is defined, fractional ``t`` included. It is the end the schedule is
    written for (``Linear(total_steps=100)`` says 100 even when its two factors are equal),
    and never a guess: ``None`` when no such step is known -- unbounded decays (StepLR,
    ExponentialLR, Exponential, InverseTime, InverseSqrt), periodic schedules
    (CosineAnnealingLR, which climbs back up after ``T_max`` as torch's does; CyclicLR,
    CosineAnnealingWarmRestarts, a Cycle without ``limit``), arbitrary functions (LambdaLR,
    MultiplicativeLR) and metric-driven specs, and any composite holding such a child where
    it runs to the end. ``Constant`` (and ``PiecewiseConstant`` without boundaries) holds from
    step 0. OneCycleLR, like torch's, is not defined past its ``total_steps`` (it raises):
    it stops there, and so does a composite holding it, which may then stop before its own
    ``total_steps`` (a OneCycleLR shorter than its SequentialLR segment). Where a spec has a
    field of that name (``Linear``, ``Cosine``, ``Polynomial``, ``OneMinusSqrt``, ``Tanh``,
    ``OneCycleLR``) the field *is* the answer;
    OneCycleLR written with ``epochs`` and ``steps_per_epoch`` keeps torch's keyword
    ``total_steps=None`` (its length is then ``spec.total``).

    Specs still holding a unit (``Epochs`` / ``Fraction``, before :func:`lrspec.resolve`):
    where ``total_steps`` is one step field as written (``Linear.total_steps``,
    ``LinearLR.total_iters``, ``SWALR.anneal_epochs``, ...) it is that value, unit and all
    (``Epochs(10)``); where it is computed from several values (a Join's boundaries plus its
    last child's end, a MultiStepLR's last milestone), it raises the ValueError that
    evaluating the spec raises, naming the field: resolve first.

``boundaries``
    The steps where a composite hands over to its next child (``Join.boundaries``,
    ``SequentialLR.milestones``, as written) or a ``Cycle`` restarts (the first integer step
    of each new cycle); ``()`` for a spec with no segments, ``None`` for a Cycle without
    ``limit`` (it restarts forever).

``describe()``
    One human line built from the fields: shapes by name, factors of ``base_lr`` as ``0.01×``,
    multipliers as ``×0.1``, absolute lrs as ``lr 0.001``, durations as ``500 steps`` /
    ``10 epochs`` / ``10% of training``; composites compose their children's lines
    ("linear warmup 500 steps to 1.0×, then cosine over 9500 steps to 0.01×"). A field
    whose value differs from its default and that the line does not word is appended as
    ``name=value``. Numbers are shortened to 4 significant digits when their ``repr`` is
    long (``repr(spec)`` is the exact form).
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import attrs

from lrspec._registry import function_name
from lrspec._units import Epochs, Fraction, Unit, require_resolved

# --- words ------------------------------------------------------------------------------------


def number(value: float) -> str:
    """A number as a person reads it: its ``repr`` if short, else 4 significant digits.

    >>> number(0.01), number(1.0), number(1 / 3), number(10_000)
    ('0.01', '1.0', '0.3333', '10000')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = repr(value)
    return text if len(text) <= 8 else format(value, ".4g")


def _count(value: float) -> str:
    """A step count or position: integral floats without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return number(value)


def _percent(unit: Fraction) -> str:
    exact = unit.exact() * 100
    return f"{exact.numerator}%" if exact.denominator == 1 else f"{number(float(exact))}%"


def _plural(n: float, word: str) -> str:
    return f"{_count(n)} {word}" + ("" if n == 1 else "s")


def duration(value: Any) -> str:
    """A number of steps: ``"500 steps"``, ``"10 epochs"``, ``"10% of training"``.

    >>> duration(1), duration(Epochs(2)), duration(Fraction(0.1))
    ('1 step', '2 epochs', '10% of training')
    """
    if isinstance(value, Epochs):
        return _plural(value.n, "epoch")
    if isinstance(value, Fraction):
        return f"{_percent(value)} of training"
    return _plural(value, "step")


def position(value: Any) -> str:
    """A step position: ``"step 500"``, ``"epoch 10"``, ``"10% of training"``."""
    if isinstance(value, Epochs):
        return f"epoch {_count(value.n)}"
    if isinstance(value, Fraction):
        return f"{_percent(value)} of training"
    return f"step {_count(value)}"


def positions(values: Sequence[Any]) -> str:
    """Several positions: ``"steps 30, 80"`` (or each one worded, when units are among them)."""
    if not values:
        return "no step"
    if all(not isinstance(v, Unit) for v in values):
        return ("step " if len(values) == 1 else "steps ") + ", ".join(map(_count, values))
    return ", ".join(map(position, values))


def factor(value: float) -> str:
    """A factor of ``base_lr``: ``"0.01×"``."""
    return f"{number(value)}×"


def _text(value: Any) -> str:
    """A field value in a ``name=value`` extra, or a template slot without a format."""
    if hasattr(value, "describe"):
        return str(value.describe())
    if isinstance(value, Unit):
        return str(value)
    if isinstance(value, (bool, str)) or value is None:
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(map(_text, value)) + "]"
    if callable(value):
        return function_name(value) or getattr(value, "__name__", None) or repr(value)
    return number(value)


_FORMATS: dict[str, Callable[[Any], str]] = {
    "steps": duration,
    "at": position,
    "ats": positions,
    "x": factor,
    "times": lambda v: f"×{number(v)}",
    "lr": lambda v: f"lr {number(v)}",
    "": _text,
}


class _Words(string.Formatter):
    """``str.format`` whose format specs are the kinds of words above (``{gamma:times}``)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return _FORMATS[format_spec](value)


_WORDS = _Words()


def _is_default(field: attrs.Attribute[Any], value: Any) -> bool:
    default = field.default
    if default is attrs.NOTHING:
        return False
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()  # type: ignore[union-attr]
    try:
        return bool(value == default) and type(value) is type(default)
    except Exception:  # an array-like value: not the default
        return False


def render(spec: Any, template: str, **values: Any) -> str:
    """``template`` filled from ``spec``'s fields (``values`` override some), then
    ``, name=value`` for every field off its default that the template does not word.

    >>> from lrspec import Cosine
    >>> render(Cosine(total_steps=10, exponent=2), "cosine over {total_steps:steps}")
    'cosine over 10 steps, exponent=2.0'
    """
    named = {f.name: getattr(spec, f.name) for f in attrs.fields(type(spec))}
    worded = {name for _, name, _, _ in _WORDS.parse(template) if name}
    line = _WORDS.vformat(template, (), {**named, **values})
    extras = [
        f"{f.name}={_text(named[f.name])}"
        for f in attrs.fields(type(spec))
        if f.name not in worded and not _is_default(f, named[f.name])
    ]
    return ", ".join([line, *extras]) if line else f"{type(spec).__name__}({', '.join(extras)})"


def segments(children: Sequence[Any], boundaries: Sequence[Any]) -> str:
    """Children run one after another, handing over at ``boundaries`` (Join, SequentialLR).

    Each child says how long it runs (``for 300 steps``) unless its own ``total_steps`` is
    exactly its segment; a boundary written in units says where it hands over instead.
    """
    parts = []
    starts = (0, *boundaries)
    for i, child in enumerate(children):
        text = child.describe()
        if i < len(boundaries):
            start, end = starts[i], boundaries[i]
            if isinstance(start, Unit) or isinstance(end, Unit):
                text += f" until {position(end)}"
            elif known_total(child) != end - start:
                text += f" for {duration(end - start)}"
        parts.append(text)
    return ", then ".join(parts)


def segments_end(children: Sequence[Any], boundaries: Sequence[int]) -> int | None:
    """Where children run one after another: the last boundary plus the last child's end."""
    end = children[-1].total_steps
    return None if end is None else (boundaries[-1] if boundaries else 0) + end


def latest_end(children: Sequence[Any]) -> int | None:
    """Where children run side by side (Product, ChainedScheduler): once all of them hold."""
    ends = [child.total_steps for child in children]
    return None if None in ends else max(ends)


def known_total(spec: Any) -> Any:
    """``spec.total_steps``, or None where it cannot be known before :func:`lrspec.resolve`."""
    try:
        return spec.total_steps
    except ValueError:
        return None


def resolved(spec: Any) -> Any:
    """``spec``, once checked to hold no unit: computed ``total_steps`` need steps."""
    require_resolved(spec)
    return spec


def ceil_holding(end: float, ratio: float) -> int:
    """The first int step ``t`` with ``t / ratio >= end`` (Stretch's end), found exactly:
    float division is monotonic, so from there on ``t / ratio`` stays at or past ``end``."""
    t = max(math.ceil(end * ratio), 0)
    while t / ratio < end:
        t += 1
    while t > 0 and (t - 1) / ratio >= end:
        t -= 1
    return t


# --- the protocol -----------------------------------------------------------------------------


class Introspection:
    """What a spec says about itself; :class:`lrspec.Schedule` inherits it.

    A spec class declares ``describe_format`` (a template over its fields) or overrides
    :meth:`describe`, and declares its end with ``holds_after`` (the step field it holds
    from) or by overriding :attr:`total_steps`.
    """

    #: ``describe()``'s line as a ``str.format`` template over the fields; the format spec
    #: says how a value is worded: ``steps``, ``at``, ``x`` (factor), ``times``, ``lr``.
    describe_format: ClassVar[str] = ""
    #: The step field from which the lr holds (its ``total_steps``); None: see the property.
    holds_after: ClassVar[str | None] = None

    @property
    def total_steps(self) -> int | Unit | None:
        """A step from which the lr holds (``lr(t) == lr(total_steps)`` for all later ``t``,
        fractional ones too, where the spec is defined), or None when no such step is known:
        unbounded, periodic (CosineAnnealingLR climbs back after ``T_max``, as torch's does)
        and metric-driven specs, and composites that end on one.

        It is the end the schedule is written for; a field named ``total_steps`` is the
        answer (OneCycleLR written with ``epochs`` keeps torch's ``None``; it stops, rather
        than holds, at its end). ``Constant`` holds from 0. Before :func:`lrspec.resolve`, a
        spec whose end is one step field gives that field as written (``Epochs(10)``); an
        end computed from several values raises the error evaluating it raises.

        >>> from lrspec import Cosine, Linear, SequentialLR, StepLR
        >>> Linear(total_steps=100).total_steps, StepLR(step_size=10).total_steps
        (100, None)
        >>> SequentialLR(schedulers=[Linear(total_steps=500), Cosine(total_steps=9500)],
        ...              milestones=[500]).total_steps
        10000
        """
        return None if self.holds_after is None else getattr(self, self.holds_after)

    @property
    def boundaries(self) -> tuple[Any, ...] | None:
        """The steps where it hands over to its next child or restarts a cycle (``()``: none;
        None: infinitely many)."""
        return ()

    def describe(self) -> str:
        """One human line saying what the schedule does.

        >>> from lrspec import Cosine, LinearLR, SequentialLR, StepLR
        >>> StepLR(step_size=30).describe()
        'step decay ×0.1 every 30 steps'
        >>> SequentialLR(schedulers=[LinearLR(start_factor=0.01, total_iters=500),
        ...                          Cosine(total_steps=9500, end_factor=0.01)],
        ...              milestones=[500]).describe()
        'linear from 0.01× to 1.0× over 500 steps, then cosine over 9500 steps to 0.01×'
        """
        return render(self, self.describe_format)


__all__ = [
    "Introspection",
    "ceil_holding",
    "duration",
    "factor",
    "known_total",
    "latest_end",
    "number",
    "position",
    "positions",
    "render",
    "resolved",
    "segments",
    "segments_end",
]
