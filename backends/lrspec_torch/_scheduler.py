"""SpecLR: apply lrspec specs to a real torch optimizer, as a drop-in LRScheduler."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

import lrspec
from lrspec.stepping import Stepper, clone, get_momentum, set_momentum, write
from lrspec_torch import _state

_LR = itemgetter("lr")


class SpecLR(LRScheduler):
    """A ``torch.optim.lr_scheduler.LRScheduler`` driven by lrspec specs.

    ``SpecLR(optimizer, spec)`` applies one spec to every param group; ``SpecLR(optimizer,
    [spec_0, spec_1, ...])`` applies one spec per group. Each group's base lr is its
    ``initial_lr`` as in torch. The lrs (and, for CyclicLR / OneCycleLR, the momentum or Adam
    beta1) written into the groups are bit-identical to what the native torch scheduler
    writes, for float lrs and for tensor lrs (a tensor lr stays the same tensor object,
    updated in place).

    Call ``step()`` once per epoch (or batch) after ``optimizer.step()``; for a metric-driven
    spec (ReduceLROnPlateau, or a composition holding one) call ``step(metric)``. Unlike
    torch, ``step(epoch)`` is refused and a param group added after construction is an error
    (it has no spec).

    Frameworks: a metric-driven SpecLR is a :class:`MetricSpecLR`, which is also an instance
    of torch's ``ReduceLROnPlateau`` -- the class Lightning and the HF ``Trainer`` look for
    to decide whether ``step`` gets the monitored metric -- so it needs no glue there
    (Lightning's ``"monitor"`` key; the Trainer's ``metric_for_best_model``). A SpecLR whose
    spec holds an unregistered function (``LambdaLR(lr_lambda=lambda e: ...)``) works but
    cannot be checkpointed: it warns (:class:`UncheckpointableWarning`) when it is built,
    not only at the first checkpoint.

    Inside torch's own composites: a SpecLR may be a child of torch's ``SequentialLR`` or
    ``ChainedScheduler`` beside native schedulers, and behaves exactly as the native twin
    would there (``SequentialLR`` undoes its first child's step, re-runs its initial step and
    restarts later children at their milestones with ``_update_lr(0)``: SpecLR forwards each
    to its twins). A composite spec cannot be restarted at a milestone (torch raises for its
    own composites too), and a metric-driven SpecLR cannot be driven by ``SequentialLR``.

    Why ``LRScheduler.__init__`` is not called: it would set ``initial_lr`` itself, wrap
    ``optimizer.step`` and take an initial step through ``get_lr``. The twins already
    perform their torch class's own constructor side effects, in its order and with its
    differences (CyclicLR writes the lr *before* ``initial_lr`` is set, OneCycleLR overwrites
    ``initial_lr``, ChainedScheduler takes no step of its own), so running the base
    constructor too would step twice and set the wrong base. SpecLR sets the attributes
    torch's machinery reads (``optimizer``, ``base_lrs``, ``last_epoch``, ``_step_count``,
    ``_last_lr``) itself.

    ``state_dict()`` is plain data: the specs as :func:`lrspec.to_dict` dicts, the step
    counters and the lrs in effect. Loading it continues the exact sequence, whichever of
    the optimizer and the scheduler is loaded first -- unlike torch's StepLR/MultiStepLR,
    nothing is decayed twice on resume. A spec holding an unregistered function cannot be
    saved: ``state_dict()`` raises ValueError.

    Time units: a spec written in ``Epochs`` / ``Fraction`` (``"10ep"``, ``"0.1dur"``) is
    resolved here with ``steps_per_epoch`` (batches per epoch), ``total_steps`` (optimizer
    steps in the run) and ``accumulation`` (batches per optimizer step), exactly as by
    :func:`lrspec.resolve`; ``specs`` holds the resolved specs that run, ``written_specs``
    the specs as given. Resuming with quantities that resolve the spec differently (a longer
    run, a new dataset size) **continues at the saved step on the new resolution**: the lr
    at step ``n`` is the new schedule's lr at ``n``, as if the run had been planned that long
    from the start (the schedule is replayed to ``n`` on the param groups), not the saved
    lr carried on; a UserWarning names the old and new quantities and specs. Load the
    optimizer's state first in that case (its saved lr would otherwise replace the new one
    until the next step). A metric-driven spec cannot be replayed without its metrics, so
    resuming one on a new resolution raises ValueError.

    >>> import torch, lrspec
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = SpecLR(opt, lrspec.StepLR(step_size=2, gamma=0.5))
    >>> for _ in range(4):
    ...     opt.step()
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.025]
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> SpecLR:
        # A metric-driven spec gets the class frameworks recognise as a plateau scheduler.
        if cls is SpecLR and _metric_driven(args[1] if len(args) > 1 else kwargs.get("spec")):
            cls = MetricSpecLR
        return super().__new__(cls)

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        spec: lrspec.Schedule | Sequence[lrspec.Schedule],
        *,
        steps_per_epoch: int | None = None,
        total_steps: int | None = None,
        accumulation: int = 1,
    ) -> None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
            )
        groups = optimizer.param_groups
        self.written_specs = self._per_group(spec, len(groups))
        #: The quantities the specs were resolved with (saved in ``state_dict``).
        self.resolution: dict[str, int | None] = {
            "steps_per_epoch": steps_per_epoch,
            "total_steps": total_steps,
            "accumulation": accumulation,
        }
        specs = [self._resolve(s) for s in self.written_specs]
        kinds = {s.metric_driven for s in specs}
        if len(kinds) > 1:
            raise ValueError(
                "spec must be all metric-driven (ReduceLROnPlateau) or none, got "
                f"{[type(s).__name__ for s in specs]}"
            )
        self.optimizer = optimizer
        self.specs: list[lrspec.Schedule] = specs
        self.metric_driven = kinds.pop()
        if isinstance(self, MetricSpecLR) and not self.metric_driven:
            raise TypeError(
                f"MetricSpecLR is for metric-driven specs, got {self.written_specs[0]!r}; "
                "build SpecLR(optimizer, spec), which picks the class"
            )
        _warn_if_unsaveable(self.written_specs)
        # Building a twin runs torch's constructor side effects on the group (initial_lr,
        # the initial step, momentum for the cyclic schedules), in torch's order.
        self._twins: list[Stepper] = [s.twin(g) for s, g in zip(specs, groups, strict=True)]
        self._steps = [twin.step for twin in self._twins]  # the hot loop's bound methods
        self._bound_to = groups  # the param_groups list the twins act on
        self.base_lrs = [clone(group.get("initial_lr", group["lr"])) for group in groups]
        self.last_epoch = 0
        self._step_count = 1
        self._last_lr = [clone(group["lr"]) for group in groups]

    def _resolve(self, spec: lrspec.Schedule) -> lrspec.Schedule:
        try:
            return lrspec.resolve(
                spec,
                steps_per_epoch=self.resolution["steps_per_epoch"],
                total_steps=self.resolution["total_steps"],
                accumulation=self.resolution["accumulation"],  # type: ignore[arg-type]
            )
        except ValueError as exc:
            raise ValueError(
                f"{exc} (SpecLR takes the same keywords: SpecLR(optimizer, spec, "
                "steps_per_epoch=..., total_steps=..., accumulation=...))"
            ) from None

    @staticmethod
    def _per_group(
        spec: lrspec.Schedule | Sequence[lrspec.Schedule], n_groups: int
    ) -> list[lrspec.Schedule]:
        if isinstance(spec, lrspec.Schedule):
            return [spec] * n_groups
        if not isinstance(spec, (list, tuple)):
            raise TypeError(
                f"spec must be an lrspec spec or a list of specs (one per param group), "
                f"got {spec!r} ({type(spec).__name__})"
            )
        if len(spec) != n_groups:
            raise ValueError(
                f"spec must hold one spec per param group ({n_groups}), got {len(spec)}"
            )
        for i, s in enumerate(spec):
            if not isinstance(s, lrspec.Schedule):
                raise TypeError(f"spec[{i}] must be an lrspec spec, got {s!r} ({type(s).__name__})")
        return list(spec)

    @property
    def spec(self) -> lrspec.Schedule:
        """The spec, when every group has the same one."""
        first = self.specs[0]
        if any(s != first for s in self.specs[1:]):
            raise AttributeError("spec: the param groups have different specs; see .specs")
        return first

    def step(self, metrics: Any = None, epoch: None = None) -> None:  # type: ignore[override]
        """Advance one step; ``metrics`` is the value a metric-driven spec reacts to."""
        if epoch is not None:
            raise TypeError(
                "SpecLR.step does not take an explicit epoch (torch deprecated it); "
                f"got epoch={epoch!r}"
            )
        groups = self.optimizer.param_groups
        if groups is not self._bound_to or len(groups) != len(self._twins):
            self._bind()
        if self.metric_driven:
            if metrics is None:
                raise TypeError(
                    f"{type(self.specs[0]).__name__} is metric-driven: call step(metric). "
                    "In Lightning, return {'scheduler': sched, 'monitor': '<logged metric>'} "
                    "from configure_optimizers (and do not set 'reduce_on_plateau': False); "
                    "the HF Trainer passes its metric_for_best_model after each evaluation"
                )
            for twin in self._twins:
                twin.step(metrics)
        elif metrics is not None:
            raise TypeError(
                f"{type(self.specs[0]).__name__} takes no metric: call step() without "
                f"arguments, got {metrics!r}"
            )
        else:
            for step in self._steps:
                step()
        self.last_epoch += 1
        self._step_count += 1
        self._last_lr = [lr if type(lr) is float else clone(lr) for lr in map(_LR, groups)]

    # -- driven by torch's own composites (SequentialLR) -------------------------------------

    def _initial_step(self) -> None:
        """torch's ``SequentialLR`` re-runs its first child's constructor step here.

        It has already reset the groups' lr to ``initial_lr`` and undone the child's
        construction step (``recursive_undo`` decrements ``last_epoch``): undo each twin's,
        then step it once as at construction.
        """
        self._check_bound()
        for twin in self._twins:
            twin.undo()
            twin.initial_step()
        self.last_epoch = 0
        self._step_count = 1
        self._record()

    def _update_lr(self, epoch: int | None = None) -> None:
        """torch's ``SequentialLR`` restarts a child at its milestone with ``_update_lr(0)``."""
        if epoch is None:
            self.step()
            return
        self._check_bound()
        for twin in self._twins:
            twin.restart(epoch)
        self.last_epoch = epoch
        self._record()

    def _record(self) -> None:
        self._last_lr = [clone(lr) for lr in map(_LR, self.optimizer.param_groups)]

    def _check_bound(self) -> None:
        groups = self.optimizer.param_groups
        if groups is not self._bound_to or len(groups) != len(self._twins):
            self._bind()

    def _bind(self) -> None:
        # Optimizer.load_state_dict replaces the param_groups list and its dicts: act on the
        # current ones. A group added after construction has no spec: refuse, loudly.
        groups = self.optimizer.param_groups
        if len(groups) != len(self._twins):
            raise ValueError(
                f"the optimizer has {len(groups)} param groups but this SpecLR was built for "
                f"{len(self._twins)}; build a new SpecLR after add_param_group()"
            )
        for twin, group in zip(self._twins, groups, strict=True):
            twin.bind(group)
        self._bound_to = groups

    def get_lr(self) -> list[float | torch.Tensor]:
        """The lrs the last step set (same as :meth:`get_last_lr`)."""
        return list(self._last_lr)

    # -- checkpointing -----------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        groups = self.optimizer.param_groups
        return {
            "version": _state.VERSION,
            "specs": [lrspec.to_dict(s) for s in self.written_specs],
            "resolved": [lrspec.to_dict(s) for s in self.specs],
            "resolution": dict(self.resolution),
            "twins": [twin.state_dict() for twin in self._twins],
            "last_epoch": self.last_epoch,
            "step_count": self._step_count,
            "last_lr": [clone(lr) for lr in self._last_lr],
            "momentum": [
                get_momentum(group) if s.moves_momentum else None
                for s, group in zip(self.specs, groups, strict=True)
            ],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the counters and the lrs saved by :meth:`state_dict`.

        The whole state is checked first (keys, types, one entry per param group, each
        twin's state loaded into a fresh twin); only then is anything changed, so a corrupted
        state raises ValueError and leaves the scheduler and the optimizer as they were.
        """
        _state.check(state_dict, len(self._twins))
        saved = [lrspec.from_dict(d) for d in state_dict["specs"]]
        if saved != self.written_specs:
            raise ValueError(
                f"state_dict was saved for specs {saved!r}, this SpecLR has {self.written_specs!r}"
            )
        # A state saved before units existed has no "resolved": its specs are all steps.
        resolved_data = state_dict["resolved"] if "resolved" in state_dict else state_dict["specs"]
        resolved = [lrspec.from_dict(d) for d in resolved_data]
        if "resolved" in state_dict:
            _state.check_resolution(state_dict, saved, resolved)
        if resolved != self.specs:
            self._resume_resolved_anew(state_dict, resolved)
            return
        self._check_bound()
        groups = self.optimizer.param_groups
        fresh = []
        for spec, group, twin_state in zip(self.specs, groups, state_dict["twins"], strict=True):
            twin = spec.twin(_state.scratch(group))  # built aside: the real group is untouched
            twin.load_state_dict(twin_state)
            fresh.append(twin)
        for twin, group in zip(fresh, groups, strict=True):  # all loaded: now swap them in
            twin.bind(group)
        self._twins = fresh
        self._steps = [twin.step for twin in fresh]
        self.last_epoch = state_dict["last_epoch"]
        self._step_count = state_dict["step_count"]
        for group, lr, momentum in zip(
            groups, state_dict["last_lr"], state_dict["momentum"], strict=True
        ):
            write(group, "lr", clone(lr))
            if momentum is not None:
                set_momentum(group, momentum)
        self._record()

    def _resume_resolved_anew(self, state: dict[str, Any], saved: list[lrspec.Schedule]) -> None:
        """Continue at the saved step on the new resolution: replay it there, and warn."""
        n = state["last_epoch"]
        old = state.get("resolution", {})
        if self.metric_driven:
            raise ValueError(
                f"state_dict was saved with {old!r}, which resolves the metric-driven spec to "
                f"{saved!r}; this SpecLR resolves it to {self.specs!r} and cannot replay it "
                "without its metrics: resume with the saved quantities"
            )
        changed = ", ".join(
            f"{key} {old.get(key)!r} -> {value!r}"
            for key, value in self.resolution.items()
            if old.get(key) != value
        )
        warnings.warn(
            f"SpecLR resumes at step {n} on a new resolution ({changed}): the schedule changed "
            f"from {saved!r} to {self.specs!r}; the lr continues as the new schedule's at step "
            f"{n}, not the saved one",
            UserWarning,
            stacklevel=3,
        )
        self._bind()
        groups = self.optimizer.param_groups
        for group in groups:  # a fresh start from each group's base, as at construction
            write(group, "lr", clone(group["initial_lr"]))
        self._twins = [s.twin(g) for s, g in zip(self.specs, groups, strict=True)]
        self._steps = [twin.step for twin in self._twins]
        for step in self._steps:
            for _ in range(n):
                step()
        self.last_epoch = n
        self._step_count = state["step_count"]
        self._record()


class MetricSpecLR(SpecLR, ReduceLROnPlateau):
    """The :class:`SpecLR` of a metric-driven spec; ``SpecLR(optimizer, spec)`` builds it.

    It is a torch ``ReduceLROnPlateau`` too, for the ``isinstance`` checks by which Lightning
    and the HF ``Trainer`` decide to call ``step(metric)``; every method is SpecLR's (torch's
    ``ReduceLROnPlateau.__init__`` never runs, so its attributes -- ``mode``, ``best``,
    ``num_bad_epochs`` -- are not here: the spec holds the settings, ``state_dict()`` the
    state). torch's ``SequentialLR`` and ``ChainedScheduler`` refuse it as they refuse their
    own plateau scheduler.

    >>> import torch, lrspec
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = SpecLR(opt, lrspec.ReduceLROnPlateau(patience=0))
    >>> type(sched).__name__, isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau)
    ('MetricSpecLR', True)
    """


class UncheckpointableWarning(UserWarning):
    """A SpecLR was built on a spec that ``state_dict()`` cannot save (an unregistered function)."""


def _metric_driven(spec: object) -> bool:
    """Whether ``spec`` (one spec or one per group) is metric-driven; False for anything else."""
    if isinstance(spec, lrspec.Schedule):
        return spec.metric_driven
    if isinstance(spec, (list, tuple)):
        return any(isinstance(s, lrspec.Schedule) and s.metric_driven for s in spec)
    return False


def _warn_if_unsaveable(specs: list[lrspec.Schedule]) -> None:
    for i, spec in enumerate(specs):
        if any(spec is other for other in specs[:i]):
            continue  # one spec for every group: check it once
        try:
            lrspec.to_dict(spec)
        except ValueError as exc:
            warnings.warn(
                f"SpecLR: this scheduler cannot be checkpointed -- state_dict() will raise at "
                f"the first checkpoint (Lightning's ModelCheckpoint, the HF Trainer's "
                f"save_steps, torch.save): {exc}. Register the function with "
                "lrspec.register_function(name, fn) before building the SpecLR",
                UncheckpointableWarning,
                stacklevel=3,
            )
            return
