"""Torch's composites: ChainedScheduler and SequentialLR, holding specs."""

from __future__ import annotations

import functools
from bisect import bisect_right
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import _xp
from lrspec._base import Schedule, Twin, load_keys
from lrspec._registry import spec_class
from lrspec.stepping import Group, write


def _children(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        raise TypeError(
            f"{attribute.name} must be a list or tuple of specs, got {value!r} "
            f"({type(value).__name__})"
        )
    if not value:
        raise ValueError(f"{attribute.name} must hold at least one spec, got []")
    for i, child in enumerate(value):
        if not isinstance(child, Schedule):
            raise TypeError(
                f"{attribute.name}[{i}] must be a spec, got {child!r} ({type(child).__name__})"
            )
        if child.metric_driven:
            raise ValueError(
                f"{attribute.name}[{i}] must not be metric-driven (torch cannot step "
                f"{type(child).__name__} inside a composite), got {child!r}"
            )


@spec_class
@attrs.frozen(kw_only=True)
class ChainedScheduler(Schedule):
    """Step every child in turn on the same lr.

    Formula: none in general. Each step applies each child's *update* to the current lr in
    list order; for multiplicative children (StepLR, ExponentialLR, ConstantLR, ...) that is
    the product of their factors, ``base_lr * prod_i f_i(e)``.

    Torch twin: ``torch.optim.lr_scheduler.ChainedScheduler(schedulers)``. Quirks,
    reproduced: children that compute an *absolute* lr (LambdaLR, CyclicLR, OneCycleLR,
    CosineAnnealingWarmRestarts, SWALR, and CosineAnnealingLR on the step after a trough)
    overwrite whatever the children before them did; the lr at epoch 0 is what the children's
    constructors left, in order.

    ``lr(e)`` is the product of the children's closed forms when every child is
    multiplicative (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR);
    otherwise it replays the chain (O(e)) and so equals ``trace`` exactly.

    >>> from lrspec import ConstantLR, ExponentialLR
    >>> ChainedScheduler(schedulers=[ConstantLR(factor=0.5, total_iters=2),
    ...                              ExponentialLR(gamma=0.5)]).trace(1.0, 3)
    [0.5, 0.25, 0.25, 0.125]
    """

    schedulers: tuple[Schedule, ...] = attrs.field(converter=c.as_tuple, validator=_children)

    torch_name = "torch.optim.lr_scheduler.ChainedScheduler"
    can_restart = False

    @property
    def children(self) -> tuple[Schedule, ...]:
        return self.schedulers

    def landmarks(self, horizon: int) -> set[int]:
        return set().union(*(child.landmarks(horizon) for child in self.schedulers))

    @functools.cached_property
    def _closed(self) -> bool:
        """Whether ``lr`` is the product of the children's closed forms."""
        return all(child.multiplicative for child in self.schedulers)

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        if not self._closed:
            return self._replay_lr(xp, epoch, base_lr)
        value = base_lr
        for child in self.schedulers:
            value = value * child._lr(xp, epoch, 1.0)
        return value

    def twin(self, group: Group) -> Twin:
        return _ChainedTwin(self, group)


class _CompositeTwin(Twin):
    """A composite's twin: it holds its children's twins and never runs ``Twin.__init__``."""

    children: list[Any]

    def restart(self, epoch: int) -> None:
        raise NotImplementedError(
            f"torch's SequentialLR cannot restart a {type(self.spec).__name__} at a milestone "
            "(torch raises NotImplementedError too): only its first scheduler may be a composite"
        )

    def undo(self) -> None:
        for child in self.children:
            child.undo()

    def bind(self, group: Group) -> None:
        self.group = group
        for child in self.children:
            child.bind(group)


class _ChainedTwin(_CompositeTwin):
    def __init__(self, spec: ChainedScheduler, group: Group) -> None:
        # torch's ChainedScheduler runs no LRScheduler constructor and no initial step.
        self.spec = spec
        self.group = group
        self.children = [child.twin(group) for child in spec.schedulers]

    def step(self, metric: Any = None) -> None:
        for child in self.children:
            child.step()

    def initial_step(self) -> None:
        self.step()  # LRScheduler._initial_step -> ChainedScheduler.step

    def state_dict(self) -> dict[str, Any]:
        return {"children": [child.state_dict() for child in self.children]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_children(self, state, ())


def load_children(twin: Any, state: Any, keys: tuple[str, ...]) -> None:
    children = state.get("children") if isinstance(state, dict) else None
    if not isinstance(children, list) or len(children) != len(twin.children):
        raise ValueError(
            f"state must hold 'children', one state per child ({len(twin.children)}) for "
            f"{type(twin).__name__}, got {state!r}"
        )
    load_keys(twin, {k: v for k, v in state.items() if k != "children"}, keys)
    for child, child_state in zip(twin.children, children, strict=True):
        child.load_state_dict(child_state)


def _sequential_milestones(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    c.increasing_ints(ge=1)(inst, attribute, value)
    n = len(inst.schedulers)
    if len(value) != n - 1:
        raise ValueError(
            f"milestones must have one entry fewer than schedulers ({n - 1}), got {list(value)!r}"
        )


def _sequential_children(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _children(inst, attribute, value)
    for i, child in enumerate(value[1:], start=1):
        if not child.can_restart:
            raise ValueError(
                f"{attribute.name}[{i}] must not be a composite: torch cannot restart a "
                f"{type(child).__name__} at a milestone (only schedulers[0] may be one), "
                f"got {child!r}"
            )


@spec_class
@attrs.frozen(kw_only=True)
class SequentialLR(Schedule):
    """Run ``schedulers[k]`` from ``milestones[k-1]`` until ``milestones[k]``.

    Formula: ``lr(e) = schedulers[k].lr(e - milestones[k-1], base_lr)`` for
    ``milestones[k-1] <= e < milestones[k]`` (with ``milestones[-1] = 0``): each child
    restarts at its own epoch 0 at its milestone.

    Torch twin: ``torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers, milestones)``.
    Quirks, reproduced: the restart uses the child's closed form at 0 where torch has one, so
    the values after a milestone may differ from the child's own trace by an ulp; a
    MultiplicativeLR or SWALR child does *not* restart -- it continues from the lr the
    previous child left (MultiplicativeLR then multiplies by ``lr_lambda(0)``); a composite as
    ``schedulers[0]`` is stepped once more at construction (its sequence starts one step in).

    ``lr(e)`` composes the children's closed forms as in the formula when every child
    restarts cleanly (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
    CosineAnnealingLR, LambdaLR, CosineAnnealingWarmRestarts, and CyclicLR after the first);
    otherwise it replays the sequence (O(e)) and so equals ``trace`` exactly.

    Deviations: milestones must be strictly increasing ints >= 1 (torch accepts unsorted ones
    and gives nonsense); only ``schedulers[0]`` may be a composite (torch raises
    NotImplementedError when a milestone reaches one).

    >>> from lrspec import ExponentialLR, StepLR
    >>> SequentialLR(schedulers=[ExponentialLR(gamma=0.5), StepLR(step_size=1, gamma=0.5)],
    ...              milestones=[3]).trace(1.0, 5)
    [1.0, 0.5, 0.25, 1.0, 0.5, 0.25]
    """

    schedulers: tuple[Schedule, ...] = attrs.field(
        converter=c.as_tuple, validator=_sequential_children
    )
    milestones: tuple[int, ...] = attrs.field(
        converter=c.as_int_tuple, validator=_sequential_milestones
    )

    torch_name = "torch.optim.lr_scheduler.SequentialLR"
    can_restart = False

    @property
    def children(self) -> tuple[Schedule, ...]:
        return self.schedulers

    def landmarks(self, horizon: int) -> set[int]:
        points = set(self.milestones)
        for start, child in zip((0, *self.milestones), self.schedulers, strict=True):
            points.update(start + p for p in child.landmarks(horizon))
        return points

    @functools.cached_property
    def _closed(self) -> bool:
        """Whether ``lr`` composes the children's closed forms (decided once per spec)."""
        # A first child that writes initial_lr (CyclicLR) changes every later child's base.
        first = self.schedulers[0]
        return not first.sets_initial_lr and all(c.restarts_cleanly for c in self.schedulers)

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        children, milestones = self.schedulers, self.milestones
        if not self._closed:
            return self._replay_lr(xp, epoch, base_lr)
        if xp is _xp.SCALAR:
            k = bisect_right(milestones, epoch)
            return children[k]._lr(xp, epoch - (milestones[k - 1] if k else 0), base_lr)
        value = children[0]._lr(xp, epoch, base_lr)
        for child, start in zip(children[1:], milestones, strict=True):
            reached = epoch >= start
            local = xp.where(reached, epoch - start, 0)  # clamped: children reject e < 0
            value = xp.where(reached, child._lr(xp, local, base_lr), value)
        return value

    def twin(self, group: Group) -> Twin:
        return _SequentialTwin(self, group)


class _SequentialTwin(_CompositeTwin):
    def __init__(self, spec: SequentialLR, group: Group) -> None:
        self.spec = spec
        self.group = group
        self.milestones = spec.milestones
        self.children = [child.twin(group) for child in spec.schedulers]
        self.last_epoch = 0
        write(group, "lr", group["initial_lr"])
        self.undo()
        self.children[bisect_right(self.milestones, 0)].initial_step()

    def step(self, metric: Any = None) -> None:
        self.last_epoch += 1
        e, milestones = self.last_epoch, self.milestones
        idx = bisect_right(milestones, e)
        if idx > 0 and milestones[idx - 1] == e:
            self.children[idx].restart(0)
        else:
            self.children[idx].step()

    def initial_step(self) -> None:
        self.step()  # LRScheduler._initial_step -> SequentialLR.step

    def state_dict(self) -> dict[str, Any]:
        return {
            "last_epoch": self.last_epoch,
            "children": [child.state_dict() for child in self.children],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_children(self, state, ("last_epoch",))
