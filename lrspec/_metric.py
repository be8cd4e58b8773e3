"""Metric-driven specs inside compositions: runners, stepped one metric at a time.

A composition holding a metric-driven spec (a :class:`ReduceLROnPlateau` inside a
:class:`Join`, :class:`Warmup`, :class:`Product` or :class:`Clip`, at any depth) has no
closed form: its lr depends on the metrics seen so far. It is evaluated by a tree of
*runners*, one per spec, each at its own local step and base:

* a spec with a closed form runs as itself: ``spec._lr(t, base)`` at its local step ``t``;
* a metric-driven leaf runs its torch twin on a private param group (its own lr), stepped
  with each metric it sees;
* a combinator runs its children as its formula says (each combinator's ``_runner``).

A child sees the metrics of the steps after its own start: a child that starts at step
``b`` (a :class:`Join` segment, the inner schedule of a :class:`Warmup`) is constructed at
``b`` -- its lr there is its initial lr -- and the metric passed with the step that reaches
``b`` goes to no one, just as a ``ReduceLROnPlateau`` created at ``b`` in a hand-written loop
first sees the metric of step ``b + 1``.

The state of a runner is plain data (ints, floats, nested dicts), so a composition's
checkpoint loads with ``torch.load(weights_only=True)``; loading validates it into fresh
runners first and only then swaps them in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from lrspec import _xp
from lrspec.stepping import Group, clone, write

if TYPE_CHECKING:
    from lrspec._base import Schedule


class Runner(Protocol):
    """One spec evaluated step by step: ``lr`` now, ``step(metric)`` to the next step."""

    lr: float

    def step(self, metric: float) -> None: ...

    def state(self) -> dict[str, Any]: ...

    def load(self, state: Any) -> None: ...


def runner(spec: Schedule, base: float) -> Runner:
    """The runner of ``spec`` at its local step 0 with initial lr ``base``."""
    if spec.metric_driven:
        return spec._runner(base)  # type: ignore[attr-defined, no-any-return]
    return Closed(spec, base)


def driven_path(spec: Schedule) -> str:
    """Where a composition's metric-driven leaf is: ``"schedules[1] (ReduceLROnPlateau)"``."""
    import attrs  # the specs are attrs classes; only the error path needs their fields

    for field in attrs.fields(cast(Any, type(spec))):
        value = getattr(spec, field.name)
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items):
            if getattr(item, "metric_driven", False) is True:
                here = f"{field.name}[{i}]" if isinstance(value, tuple) else field.name
                if not item.children:
                    return f"{here} ({type(item).__name__})"
                return f"{here}.{driven_path(item)}"
    return type(spec).__name__


def _keys(state: Any, keys: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(state, dict) or set(state) != set(keys):
        got = sorted(state) if isinstance(state, dict) else state
        raise ValueError(f"state of {what} must be a dict with keys {sorted(keys)}, got {got!r}")
    return state


def _count(state: dict[str, Any], key: str, what: str) -> int:
    value = state[key]
    if type(value) is not int or value < 0:
        raise ValueError(f"state of {what}: {key} must be an int >= 0, got {value!r}")
    return value


class Closed:
    """A spec with a closed form, at its own local step ``t``: ``lr = spec._lr(t, base)``."""

    def __init__(self, spec: Schedule, base: float) -> None:
        self.spec, self.base, self.t = spec, base, 0
        self.lr = spec._lr(_xp.SCALAR, 0, base)

    def step(self, metric: float) -> None:
        self.t += 1
        self.lr = self.spec._lr(_xp.SCALAR, self.t, self.base)

    def state(self) -> dict[str, Any]:
        return {"t": self.t}

    def load(self, state: Any) -> None:
        what = type(self.spec).__name__
        self.t = _count(_keys(state, ("t",), what), "t", what)
        self.lr = self.spec._lr(_xp.SCALAR, self.t, self.base)


class Driven:
    """A metric-driven leaf: its torch twin on a private param group holding its own lr."""

    def __init__(self, spec: Schedule, base: float) -> None:
        self.spec = spec
        self.group: Group = {"lr": base}
        self.twin = spec.twin(self.group)
        self.lr = self.group["lr"]

    def step(self, metric: float) -> None:
        self.twin.step(metric)
        self.lr = self.group["lr"]

    def state(self) -> dict[str, Any]:
        return {"lr": self.lr, "twin": self.twin.state_dict()}

    def load(self, state: Any) -> None:
        what = type(self.spec).__name__
        _keys(state, ("lr", "twin"), what)
        lr = state["lr"]
        if type(lr) is not float:
            raise ValueError(f"state of {what}: lr must be a float, got {lr!r}")
        self.twin.load_state_dict(state["twin"])
        self.group["lr"] = self.lr = lr


class MetricTwin:
    """The :class:`~lrspec.stepping.Stepper` of a metric-driven composition on a real group.

    Like torch's schedulers it records the group's ``initial_lr`` (the base), then writes the
    root runner's lr into the group after every ``step(metric)``.
    """

    def __init__(self, spec: Schedule, group: Group) -> None:
        if "initial_lr" not in group:
            group["initial_lr"] = clone(group["lr"])
        self.spec = spec
        self.group = group
        self.base = float(group["initial_lr"])
        self.last_epoch = 0
        self.root = runner(spec, self.base)
        write(group, "lr", self.root.lr)

    def step(self, metric: Any = None) -> None:
        if metric is None:
            raise TypeError(
                f"{type(self.spec).__name__} holds a metric-driven spec: step(metric) needs "
                "the metric"
            )
        self.root.step(float(metric))
        self.last_epoch += 1
        write(self.group, "lr", self.root.lr)

    def bind(self, group: Group) -> None:
        self.group = group

    def state_dict(self) -> dict[str, Any]:
        return {"last_epoch": self.last_epoch, "runner": self.root.state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        what = type(self.spec).__name__
        _keys(state, ("last_epoch", "runner"), what)
        epoch = _count(state, "last_epoch", what)
        fresh = runner(self.spec, self.base)
        fresh.load(state["runner"])  # validates the whole tree before anything changes
        self.root, self.last_epoch = fresh, epoch

    def _not_sequential(self) -> None:
        raise TypeError(
            f"{type(self.spec).__name__} holds a metric-driven spec: torch's SequentialLR "
            "cannot drive it (use lrspec.Join, which can)"
        )

    def undo(self) -> None:
        self._not_sequential()

    def initial_step(self) -> None:
        self._not_sequential()

    def restart(self, epoch: int) -> None:
        self._not_sequential()


class JoinRunner:
    """:class:`Join`: the segment's child from its own step 0, a new child at each boundary."""

    def __init__(self, spec: Any, base: float) -> None:
        self.spec, self.base = spec, base
        self.t = self.k = 0
        self.child = runner(spec.schedules[0], base)
        self.lr = self.child.lr

    def step(self, metric: float) -> None:
        self.t += 1
        bounds = self.spec.boundaries
        if self.k < len(bounds) and self.t >= bounds[self.k]:
            self.k += 1  # the next child starts here, at its step 0: no metric yet
            self.child = runner(self.spec.schedules[self.k], self.base)
        else:
            self.child.step(metric)
        self.lr = self.child.lr

    def state(self) -> dict[str, Any]:
        return {"t": self.t, "segment": self.k, "child": self.child.state()}

    def load(self, state: Any) -> None:
        _keys(state, ("t", "segment", "child"), "Join")
        t, k = _count(state, "t", "Join"), _count(state, "segment", "Join")
        starts = (0, *self.spec.boundaries)
        if k >= len(starts) or t < starts[k] or (k + 1 < len(starts) and t >= starts[k + 1]):
            raise ValueError(f"state of Join: step {t} is not in segment {k}")
        child = runner(self.spec.schedules[k], self.base)
        child.load(state["child"])
        self.t, self.k, self.child, self.lr = t, k, child, child.lr


class WarmupRunner:
    """:class:`Warmup` (``prefix=True``): the ramp, then the inner spec from its step 0.

    The ramp's target is the inner spec's initial lr as a factor (1 for ReduceLROnPlateau),
    so the plateau starts from the lr at the hand-off and counts its patience from there.
    """

    def __init__(self, spec: Any, base: float) -> None:
        self.spec, self.base, self.t = spec, base, 0
        self.child: Runner | None = runner(spec.inner, base) if not spec.steps else None
        self.lr = self._ramp() if self.child is None else self.child.lr

    def _ramp(self) -> float:
        return float(self.spec._warming(_xp.SCALAR, self.t, self.base))

    def step(self, metric: float) -> None:
        self.t += 1
        if self.child is not None:
            self.child.step(metric)
            self.lr = self.child.lr
        elif self.t < self.spec.steps:
            self.lr = self._ramp()
        else:  # the hand-off: the inner spec starts at its step 0
            self.child = runner(self.spec.inner, self.base)
            self.lr = self.child.lr

    def state(self) -> dict[str, Any]:
        return {"t": self.t, "inner": None if self.child is None else self.child.state()}

    def load(self, state: Any) -> None:
        _keys(state, ("t", "inner"), "Warmup")
        t = _count(state, "t", "Warmup")
        if (state["inner"] is None) != (t < self.spec.steps):
            raise ValueError(f"state of Warmup: step {t} and inner state {state['inner']!r}")
        self.t = t
        if state["inner"] is None:
            self.child, self.lr = None, self._ramp()
        else:
            child = runner(self.spec.inner, self.base)
            child.load(state["inner"])
            self.child, self.lr = child, child.lr


class ProductRunner:
    """:class:`Product`: every child on factors (base 1), stepped together."""

    def __init__(self, spec: Any, base: float) -> None:
        self.base = base
        self.children = [runner(child, 1.0) for child in spec.schedules]
        self.lr = self._value()

    def _value(self) -> float:
        value = self.base
        for child in self.children:
            value = value * child.lr
        return value

    def step(self, metric: float) -> None:
        for child in self.children:
            child.step(metric)
        self.lr = self._value()

    def state(self) -> dict[str, Any]:
        return {"children": [child.state() for child in self.children]}

    def load(self, state: Any) -> None:
        _keys(state, ("children",), "Product")
        states = state["children"]
        if not isinstance(states, list) or len(states) != len(self.children):
            raise ValueError(f"state of Product: one state per child, got {states!r}")
        for child, child_state in zip(self.children, states, strict=True):
            child.load(child_state)  # the caller built this runner fresh: all or nothing
        self.lr = self._value()


class ClipRunner:
    """:class:`Clip`: the inner spec's lr, kept within the bounds."""

    def __init__(self, spec: Any, base: float) -> None:
        self.spec, self.base = spec, base
        self.child = runner(spec.inner, base)
        self.lr = spec._bounded(self.child.lr, base)

    def step(self, metric: float) -> None:
        self.child.step(metric)
        self.lr = self.spec._bounded(self.child.lr, self.base)

    def state(self) -> dict[str, Any]:
        return {"inner": self.child.state()}

    def load(self, state: Any) -> None:
        self.child.load(_keys(state, ("inner",), "Clip")["inner"])
        self.lr = self.spec._bounded(self.child.lr, self.base)


def metric_trace(spec: Schedule, base: float, metrics: list[float]) -> list[float]:
    """The lr after each metric (``len(metrics) + 1`` values), the root runner stepped."""
    root = runner(spec, base)
    out = [root.lr]
    for m in metrics:
        root.step(m)
        out.append(root.lr)
    return out


__all__ = [
    "ClipRunner",
    "Closed",
    "Driven",
    "JoinRunner",
    "MetricTwin",
    "ProductRunner",
    "Runner",
    "WarmupRunner",
    "metric_trace",
    "runner",
]
