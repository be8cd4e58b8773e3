"""The schedule protocol shared by every spec, and the replay machinery behind ``trace``.

Two evaluations live on every spec:

* ``lr(epoch, base_lr)`` -- the closed form (``_lr``), elementwise on arrays.
* ``trace(base_lr, steps)`` -- a *replay* of torch's own arithmetic. A spec builds a
  :class:`Twin`: a small object that mirrors its ``torch.optim.lr_scheduler`` class line by
  line (constructor side effects, the initial step, recursive ``get_lr``), acting on a plain
  param-group ``dict``. Because the twin performs the same float operations in the same
  order, the sequence it writes into the group is bit-identical to torch's.

The same twins run on real torch param groups in the torch backend (they meet
:class:`lrspec.stepping.Stepper`), where a tensor lr is updated in place exactly as torch
does it (``fill_``).

**Fast traces are deliberate.** Several specs override ``_trace`` with an inlined loop that
performs the twin's float operations in the twin's order without the per-step method calls
(2-28x faster than the generic replay). Each must equal the generic twin replay bit for
bit; ``tests/core/test_fast_traces.py`` pins every one of them to it over generated specs.

**Knowledge about a schedule lives on its class**: composites, the backend and the test
strategies ask a spec (the class variables and methods of :class:`Schedule`) rather than
testing its type.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, islice
from operator import mul
from typing import TYPE_CHECKING, Any, ClassVar

from lrspec import _xp
from lrspec._describe import Introspection
from lrspec._eval_checks import check_base_lr, check_metrics, check_steps
from lrspec._units import require_resolved, unresolved
from lrspec.stepping import Group, clone, write

if TYPE_CHECKING:
    from lrspec.stepping import Stepper

_INF = float("inf")


class Twin:
    """Mirror of ``torch.optim.lr_scheduler.LRScheduler`` for one param group.

    Subclasses implement :meth:`get_lr` (torch's ``get_lr``). Where torch has a
    ``_get_closed_form_lr`` (used when SequentialLR restarts a child), ``has_closed_form``
    is True and :meth:`closed_form` evaluates the spec's own formula
    (:mod:`lrspec.functional`) at the twin's epoch and base.
    """

    has_closed_form: ClassVar[bool] = False
    #: The attributes that change as it steps: what a checkpoint must hold.
    state_keys: ClassVar[tuple[str, ...]] = ("base", "last_epoch", "step_count")

    def __new__(cls, spec: Schedule, *args: Any, **kwargs: Any) -> Any:
        require_resolved(spec)  # before any twin, a composite's children's included, is built
        return super().__new__(cls)

    def __init__(self, spec: Schedule, group: Group) -> None:
        self.spec = spec
        self.group = group
        self.is_initial = False
        self.step_count = 0
        self.init_base()

    def init_base(self) -> None:
        """``LRScheduler.__init__`` with ``last_epoch=-1``: setdefault ``initial_lr``, step once."""
        group = self.group
        if "initial_lr" not in group:
            group["initial_lr"] = clone(group["lr"])
        self.base = clone(group["initial_lr"])
        self.last_epoch = -1
        self.initial_step()

    def initial_step(self) -> None:
        self.step_count = 0
        self.is_initial = True
        try:
            self.step()
        finally:
            self.is_initial = False

    def step(self, metric: Any = None) -> None:
        self.step_count += 1
        self.last_epoch += 1
        write(self.group, "lr", self.get_lr())

    def restart(self, epoch: int) -> None:
        """torch's ``_update_lr(epoch)``: used by SequentialLR to restart a child at 0."""
        self.last_epoch = epoch
        value = self.closed_form() if self.has_closed_form else self.get_lr()
        write(self.group, "lr", value)

    def undo(self) -> None:
        """SequentialLR's ``recursive_undo`` on a leaf scheduler."""
        self.last_epoch -= 1

    def get_lr(self) -> Any:
        raise NotImplementedError

    def current(self) -> Any:
        """The group's lr, copied (torch's ``get_lr`` returns a clone of a tensor lr)."""
        return clone(self.group["lr"])

    def closed_form(self) -> Any:
        return self.spec._lr(_xp.SCALAR, self.last_epoch, self.base)

    def bind(self, group: Group) -> None:
        """Act on ``group`` from now on (torch's optimizer.load_state_dict replaces groups)."""
        self.group = group

    def state_dict(self) -> dict[str, Any]:
        """The stepping state (plain numbers, or tensors for a tensor lr)."""
        return {key: clone(getattr(self, key)) for key in self.state_keys}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_keys(self, state, self.state_keys)


def load_keys(twin: Any, state: Any, keys: tuple[str, ...]) -> None:
    """Restore ``keys`` from ``state``, rejecting a state saved by another kind of schedule."""
    if not isinstance(state, dict) or set(state) != set(keys):
        raise ValueError(
            f"state must be a dict with keys {sorted(keys)} for {type(twin).__name__}, "
            f"got {state!r}"
        )
    for key in keys:  # all checked before any is set
        value = state[key]
        if isinstance(value, bool) or not (
            isinstance(value, (int, float)) or hasattr(value, "clone")
        ):
            raise ValueError(
                f"state of {type(twin).__name__}: {key} must be a number (or a tensor), "
                f"got {value!r}"
            )
    for key in keys:
        setattr(twin, key, clone(state[key]))


class Schedule(Introspection):
    """Base class of every spec: the public ``lr`` / ``trace`` evaluation API.

    The class variables and small methods below declare what composites, backends and
    tests need to know about a schedule; a new spec sets them, nothing else changes.
    What a spec says about itself -- :attr:`total_steps`, :attr:`boundaries`,
    :meth:`describe` -- comes from :class:`lrspec._describe.Introspection`.
    """

    #: True for specs driven by a metric stream (ReduceLROnPlateau).
    metric_driven: ClassVar[bool] = False
    #: The torch scheduler this spec twins, as ``"module.Class"`` (None: no torch twin).
    torch_name: ClassVar[str | None] = None
    #: Stepping only multiplies the current lr by a factor of the epoch, so inside a
    #: ChainedScheduler the lr is the product of the children's closed forms.
    multiplicative: ClassVar[bool] = False
    #: SequentialLR restarts it cleanly at its own epoch 0 from ``base_lr`` (torch's closed
    #: form at the restart), so the sequence's closed form is the children's, shifted.
    restarts_cleanly: ClassVar[bool] = False
    #: Torch's SequentialLR can restart it at a milestone (composites: no, torch raises).
    can_restart: ClassVar[bool] = True
    #: Its constructor writes the group's ``initial_lr`` (the base later children see).
    sets_initial_lr: ClassVar[bool] = False
    #: :meth:`_continue` carries its torch recursion on from any epoch and float lr in one
    #: inlined loop: composites and :meth:`iter_trace` advance its twin in bulk with it.
    resumable: ClassVar[bool] = False

    @property
    def children(self) -> tuple[Schedule, ...]:
        """The specs it composes (empty for a leaf)."""
        return ()

    @functools.cached_property
    def _unresolved(self) -> str | None:
        """Why it cannot be evaluated (a unit left in it: :func:`lrspec.resolve`), or None;
        decided once per spec (specs are frozen), so evaluating checks it cheaply."""
        return unresolved(self)

    @property
    def scales_with_base_lr(self) -> bool:
        """Whether ``lr(t, k * base_lr) == k * lr(t, base_lr)``: the lr is a factor of the base.

        False for schedules with absolute lrs of their own (CyclicLR, OneCycleLR, SWALR);
        a composite scales when every child does.
        """
        return all(child.scales_with_base_lr for child in self.children)

    @property
    def moves_momentum(self) -> bool:
        """Whether stepping it writes momentum (SGD ``momentum`` / Adam ``betas[0]``)."""
        return any(child.moves_momentum for child in self.children)

    @property
    def closed_form(self) -> bool:
        """Whether ``lr`` is a closed form rather than a replay of ``trace`` (O(epoch)).

        The combinators (Join, Warmup, ...) evaluate a child at its own local time, which
        needs one: False for MultiplicativeLR, ReduceLROnPlateau and a composite that
        replays; a composite has one when its children do.
        """
        return not self.metric_driven and all(child.closed_form for child in self.children)

    @classmethod
    def group_keys(cls, cycle_momentum: bool = False) -> tuple[frozenset[str], frozenset[str]]:
        """The param-group keys its torch twin keeps parameters in, and those it writes.

        Besides ``lr``, ``initial_lr`` and the momentum itself. Torch reads OneCycleLR's and
        SWALR's parameters back from the group, where another scheduler on the same
        optimizer may overwrite them.
        """
        return frozenset(), frozenset()

    def landmarks(self, horizon: int) -> set[int]:
        """Epochs (>= 0) where it changes regime: milestones, period ends, phase ends.

        Periodic ones are listed up to ``horizon``; others may lie beyond it.

        The edges where schedulers go wrong: the test strategies probe them.
        """
        return set()

    def lr(self, epoch: Any, base_lr: float) -> Any:
        """The learning rate at ``epoch`` for a group whose initial lr is ``base_lr``.

        ``epoch`` may be an int, a float, a numpy array or a torch tensor; the result is of
        the same kind (a Python float for a Python number).
        """
        # The common case, checked inline: a plain int/float epoch in [0, 2**53) (NaN fails
        # the comparison; 2**53 is _xp.MAX_EPOCH, folded to a constant) and a float base_lr.
        if (
            self._unresolved is None
            and type(base_lr) is float
            and (type(epoch) is int or type(epoch) is float)
            and 0 <= epoch < 2**53
            and 0.0 <= base_lr < _INF
        ):
            return self._lr(_xp.SCALAR, epoch, base_lr)
        require_resolved(self)
        base = check_base_lr(base_lr)
        xp = _xp.namespace(epoch)
        return self._lr(xp, _xp.check_epoch(xp, epoch), base)

    def trace(
        self,
        base_lr: float,
        steps: int | None = None,
        *,
        metrics: Sequence[float] | None = None,
    ) -> list[float]:
        """Torch's lr sequence, bit for bit: element k is ``get_last_lr()[0]`` after k steps.

        Returns ``steps + 1`` values, the first being the lr right after construction.
        """
        require_resolved(self)
        base = check_base_lr(base_lr)
        if metrics is not None:
            raise TypeError(
                f"{type(self).__name__} is not metric-driven; call trace(base_lr, steps) "
                f"without metrics, got metrics={metrics!r}"
            )
        if steps is None:
            raise TypeError(f"{type(self).__name__}.trace needs steps, got None")
        n = check_steps(steps)
        self._check_steps(n)
        return self._trace(base, n)

    def iter_trace(
        self,
        base_lr: float,
        steps: int | None = None,
        *,
        metrics: Iterable[float] | None = None,
    ) -> Iterator[float]:
        """``trace(base_lr, steps)`` streamed: the same values, bit for bit, in constant memory.

        ``steps=None`` streams until the schedule itself stops (OneCycleLR after
        ``total_steps``, also inside a composite), else forever. The arguments are checked at
        the call, as by ``trace``; a composite that torch cannot step that far raises where
        ``trace`` would, after yielding the values before. A metric-driven spec
        (ReduceLROnPlateau) streams ``metrics``, any iterable, one lr per metric after the
        first; ``steps``, if given, must equal their number.

        >>> from itertools import islice
        >>> from lrspec import ExponentialLR
        >>> list(islice(ExponentialLR(gamma=0.5).iter_trace(1.0), 4))
        [1.0, 0.5, 0.25, 0.125]
        """
        require_resolved(self)
        base = check_base_lr(base_lr)
        if self.metric_driven:
            return self._iter_metrics(base, steps, metrics)
        if metrics is not None:
            raise TypeError(
                f"{type(self).__name__} is not metric-driven; call iter_trace(base_lr, steps) "
                f"without metrics, got metrics={metrics!r}"
            )
        n = None if steps is None else check_steps(steps)
        if n is not None:
            self._check_steps(n)
        return self._iter_trace(base, n)

    # -- hooks for subclasses ------------------------------------------------------------

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        raise NotImplementedError

    def twin(self, group: Group) -> Stepper:
        """Build the torch-twin replay of this spec on ``group`` (runs the initial step)."""
        raise NotImplementedError

    def _check_steps(self, steps: int) -> None:
        """Reject step counts torch would refuse (OneCycleLR past total_steps)."""

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        """The generic replay: step the twin. Fast overrides must equal it bit for bit."""
        group: Group = {"lr": base_lr, "momentum": 0.0}
        twin = self.twin(group)
        out = [group["lr"]]
        append = out.append
        step = twin.step
        for _ in range(steps):
            step()
            append(group["lr"])
        return out

    def _continue(
        self, base_lr: float, lr: float, epoch: int, steps: int, out: list[float]
    ) -> None:
        """Append torch's lrs at epochs ``epoch + 1 .. epoch + steps``, its recursion carried
        on from ``lr`` at ``epoch`` (``base_lr``: the twin's base). Only if ``resumable``;
        by default the running product of :meth:`_factors` (multiplicative specs)."""
        out.extend(islice(accumulate(self._factors(epoch, steps), mul, initial=lr), 1, None))

    def _factors(self, epoch: int, steps: int) -> list[float]:
        """For ``multiplicative`` specs: the factor each step from ``epoch`` multiplies the lr
        by (1.0 where torch leaves it: ``lr * 1.0`` is ``lr``, bit for bit)."""
        raise NotImplementedError

    def _advance(self, twin: Any, steps: int, out: list[float]) -> None:
        """``twin.step()`` ``steps`` times on a float lr, appending the lr after each step.

        Equivalent from any state the twin can reach; resumable specs (and composites) do it
        in bulk. Stepping appends as it goes, so on an error ``out`` holds the steps before.
        """
        group = twin.group
        if self.resumable and steps:
            self._continue(twin.base, group["lr"], twin.last_epoch, steps, out)
            twin.last_epoch += steps
            twin.step_count += steps
            group["lr"] = out[-1]
            return
        step, append = twin.step, out.append
        for _ in range(steps):
            step()
            append(group["lr"])

    def _iter_trace(self, base_lr: float, steps: int | None) -> Iterator[float]:
        """Advance the twin a chunk at a time: the generic replay, streamed."""
        group: Group = {"lr": base_lr, "momentum": 0.0}
        twin = self.twin(group)
        yield group["lr"]
        left = steps
        while left is None or left > 0:
            n = _CHUNK if left is None else min(_CHUNK, left)
            out: list[float] = []
            try:
                self._advance(twin, n, out)
            except ValueError:
                yield from out  # the steps before the error
                if left is not None or not _stopped(twin):
                    raise
                return  # the schedule's own end (a OneCycleLR past total_steps)
            yield from out
            if left is not None:
                left -= n

    def _iter_metrics(
        self, base_lr: float, steps: int | None, metrics: Iterable[float] | None
    ) -> Iterator[float]:
        if metrics is None:
            raise TypeError(
                f"{type(self).__name__} is metric-driven: call iter_trace(base_lr, metrics=...)"
            )
        if isinstance(metrics, (str, bytes)) or not hasattr(metrics, "__iter__"):
            check_metrics(metrics)  # raises its TypeError
        n = None if steps is None else check_steps(steps)
        if n is not None and hasattr(metrics, "__len__") and n != len(metrics):  # type: ignore[arg-type]
            raise ValueError(
                f"steps must equal len(metrics) for {type(self).__name__}, got steps={steps!r} "
                f"and {len(metrics)} metrics"  # type: ignore[arg-type]
            )
        return self._stream_metrics(base_lr, n, iter(metrics))

    def _stream_metrics(
        self, base_lr: float, steps: int | None, metrics: Iterator[float]
    ) -> Iterator[float]:
        group: Group = {"lr": base_lr, "momentum": 0.0}
        twin = self.twin(group)
        yield group["lr"]
        step, count = twin.step, 0
        for m in islice(metrics, steps):
            if isinstance(m, (str, bytes, bool)) or not hasattr(m, "__float__"):
                raise TypeError(f"metrics must contain only numbers, got {m!r} at index {count}")
            step(float(m))
            count += 1
            yield group["lr"]
        if steps is not None and count != steps:
            raise ValueError(
                f"steps must equal len(metrics) for {type(self).__name__}, got steps={steps!r} "
                f"and {count} metrics"
            )

    def _replay_lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        """``lr`` for specs with no closed form: replay ``trace`` to the largest epoch."""
        if xp is _xp.SCALAR:
            if epoch != int(epoch):
                raise ValueError(
                    f"{type(self).__name__}.lr has no closed form and needs integer "
                    f"epochs, got {epoch!r}"
                )
            return self._trace(base_lr, int(epoch))[-1]
        flat = epoch.reshape(-1)
        values = flat.tolist()
        if any(v != int(v) for v in values):
            raise ValueError(
                f"{type(self).__name__}.lr has no closed form and needs integer epochs"
            )
        seq = self._trace(base_lr, int(max(values)) if values else 0)
        return xp.apply(lambda v: seq[int(v)], epoch)


#: Steps per chunk of a streamed trace: memory stays constant, the fast loops stay fast.
_CHUNK = 1024


def _stopped(twin: Any) -> bool:
    """Whether a leaf of ``twin`` was stepped past where its spec stops (``_check_steps``)."""
    children = getattr(twin, "children", None)
    if children is not None:
        return any(_stopped(child) for child in children)
    try:
        twin.spec._check_steps(twin.last_epoch)
    except ValueError:
        return True
    return False


def metric_trace_args(
    spec: Schedule, base_lr: float, steps: int | None, metrics: Sequence[float] | None
) -> tuple[float, list[float]]:
    base = check_base_lr(base_lr)
    if metrics is None:
        raise TypeError(
            f"{type(spec).__name__} is metric-driven: call trace(base_lr, metrics=[...])"
        )
    values = check_metrics(metrics)
    if steps is not None and check_steps(steps) != len(values):
        raise ValueError(
            f"steps must equal len(metrics) for {type(spec).__name__}, got steps={steps!r} "
            f"and {len(values)} metrics"
        )
    return base, values


__all__ = ["Group", "Schedule", "Twin"]
