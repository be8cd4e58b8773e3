"""Torch's composites: ChainedScheduler and SequentialLR, holding specs."""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from itertools import accumulate, chain, islice
from operator import mul
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import _xp
from lrspec._base import Schedule, Twin, load_keys
from lrspec._describe import latest_end, resolved, segments, segments_end
from lrspec._registry import spec_class
from lrspec.stepping import Group, write

_SCALAR = _xp.SCALAR


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

    @property
    def total_steps(self) -> int | None:
        """Once every child holds, else None; one step later when a multiplicative child
        follows one that writes an absolute lr (SWALR, ...), whose next write undoes the
        multiplicative child's last change."""
        children = resolved(self).schedulers
        end = latest_end(children)
        absolute = [not child.multiplicative for child in children]
        if end is None or True not in absolute or all(absolute[absolute.index(True) :]):
            return end
        return end + 1

    def describe(self) -> str:
        return " chained with ".join(f"({child.describe()})" for child in self.schedulers)

    def landmarks(self, horizon: int) -> set[int]:
        return set().union(*(child.landmarks(horizon) for child in self.schedulers))

    @property
    def closed_form(self) -> bool:
        return self._closed

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

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        return _trace_twin(self, base_lr, steps)

    def _advance(self, twin: Any, steps: int, out: list[float]) -> None:
        if not (self._closed and steps):
            super()._advance(twin, steps, out)
            return
        # Every child multiplies the lr by a factor of its epoch, in list order: one running
        # product over the factors interleaved step by step, keeping every k-th partial one.
        children = twin.children
        k = len(children)
        factors = [child.spec._factors(child.last_epoch, steps) for child in children]
        flat = factors[0] if k == 1 else chain.from_iterable(zip(*factors, strict=True))
        group = twin.group
        out.extend(islice(accumulate(flat, mul, initial=group["lr"]), k, None, k))
        for child in children:
            child.last_epoch += steps
            child.step_count += steps
        group["lr"] = out[-1]


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


def _trace_twin(spec: Schedule, base_lr: float, steps: int) -> list[float]:
    """The generic replay (``Schedule._trace``), advancing the twin in bulk."""
    group: Group = {"lr": base_lr, "momentum": 0.0}
    twin = spec.twin(group)
    out = [group["lr"]]
    spec._advance(twin, steps, out)
    return out


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
    c.increasing_steps(ge=1)(inst, attribute, value)
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
        converter=c.as_step_tuple, validator=_sequential_milestones
    )

    torch_name = "torch.optim.lr_scheduler.SequentialLR"
    can_restart = False

    @property
    def children(self) -> tuple[Schedule, ...]:
        return self.schedulers

    @property
    def total_steps(self) -> int | None:
        """The last milestone plus the last child's own ``total_steps`` (None if it has none)."""
        return segments_end(resolved(self).schedulers, self.milestones)

    @property
    def boundaries(self) -> tuple[int, ...]:
        """The milestones, where the next child starts at its own step 0."""
        return self.milestones

    def describe(self) -> str:
        return segments(self.schedulers, self.milestones)

    def landmarks(self, horizon: int) -> set[int]:
        points = set(self.milestones)
        for start, child in zip((0, *self.milestones), self.schedulers, strict=True):
            points.update(start + p for p in child.landmarks(horizon))
        return points

    @property
    def closed_form(self) -> bool:
        return self._closed is not None

    @functools.cached_property
    def _closed(self) -> tuple[tuple[int, ...], tuple[Any, ...]] | None:
        """How ``lr`` composes the children's closed forms (decided once per spec): each
        segment's first epoch and the child's ``_lr``; None when it replays instead."""
        # A first child that writes initial_lr (CyclicLR) changes every later child's base.
        first = self.schedulers[0]
        if first.sets_initial_lr or not all(c.restarts_cleanly for c in self.schedulers):
            return None
        return (0, *self.milestones), tuple(child._lr for child in self.schedulers)

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        closed = self._closed
        if xp is _SCALAR and closed is not None:  # the scalar path first: one bisect, one call
            k = bisect_right(self.milestones, epoch)
            return closed[1][k](xp, epoch - closed[0][k], base_lr)
        if closed is None:
            return self._replay_lr(xp, epoch, base_lr)
        if epoch.ndim == 1:
            value = self._lr_sorted(xp, epoch, base_lr)
            if value is not None:
                return value
        children, milestones = self.schedulers, self.milestones
        value = children[0]._lr(xp, epoch, base_lr)
        for child, start in zip(children[1:], milestones, strict=True):
            reached = epoch >= start
            local = xp.where(reached, epoch - start, 0)  # clamped: children reject e < 0
            value = xp.where(reached, child._lr(xp, local, base_lr), value)
        return value

    def _lr_sorted(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        """Each child on its own segment of a sorted 1-d ``epoch`` (None if unsorted).

        The same values as the masked evaluation: each element sees the same child on the
        same local epoch, and the result has the dtype the ``where`` chain promotes to.
        """
        n = len(epoch)
        if n > 1 and not bool((epoch[1:] >= epoch[:-1]).all()):
            return None
        # Where each segment starts: the first ``epoch >= m``, compared as the masks compare.
        cuts, positions = [0], range(n)
        for m in self.milestones:
            reached = lambda i, m=m: bool(epoch[i] >= m)  # noqa: E731
            cuts.append(bisect_left(positions, True, cuts[-1], key=reached))
        cuts.append(n)
        pieces = [self.schedulers[0]._lr(xp, epoch[: cuts[1]], base_lr)]
        for child, start, a, b in zip(
            self.schedulers[1:], self.milestones, cuts[1:-1], cuts[2:], strict=True
        ):
            pieces.append(child._lr(xp, epoch[a:b] - start, base_lr))
        kind = type(epoch)
        if any(
            type(p) is not kind or p.shape != (b - a,)
            for p, a, b in zip(pieces, cuts, cuts[1:], strict=False)
        ):
            return None  # a child answered with something else: the masked path decides
        return xp.np.concatenate(pieces) if xp.name == "numpy" else xp.torch.cat(pieces)

    def twin(self, group: Group) -> Twin:
        return _SequentialTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        return _trace_twin(self, base_lr, steps)

    def _advance(self, twin: Any, steps: int, out: list[float]) -> None:
        # _SequentialTwin.step, a run at a time: between two milestones one child steps, so it
        # advances in bulk (its own fast loop when it has one); at a milestone it restarts.
        milestones, children, group = self.milestones, twin.children, twin.group
        e, stop = twin.last_epoch, twin.last_epoch + steps
        while e < stop:
            idx = bisect_right(milestones, e + 1)
            if idx and milestones[idx - 1] == e + 1:
                children[idx].restart(0)
                out.append(group["lr"])
                e += 1
            else:
                end = min(milestones[idx] - 1, stop) if idx < len(milestones) else stop
                child = children[idx]
                child.spec._advance(child, end - e, out)
                e = end
            twin.last_epoch = e


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
