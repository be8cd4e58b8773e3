"""Cyclical schedules: CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts.

All three are closed forms in the epoch in torch too, so ``trace`` evaluates the same
:mod:`lrspec.functional` formula on Python floats that torch evaluates, in the same order.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import attrs

from lrspec import _checks as c
from lrspec import _xp
from lrspec import functional as F
from lrspec._base import Group, Schedule, Twin
from lrspec._describe import render
from lrspec._momentum import MOMENTUM_KEYS, MomentumSchedule, start_momentum
from lrspec._registry import fn_repr, spec_class
from lrspec.stepping import set_momentum, write

#: torch accepts any momentum (its own tests use max_momentum=5.0); negatives are garbage.
_MOMENTUM = c.real(ge=0)


@spec_class
@attrs.frozen(kw_only=True)
class CyclicLR(MomentumSchedule):
    """Cycle the lr between ``base_lr`` and ``max_lr`` (and momentum the other way).

    Formula: with ``total = step_size_up + step_size_down``, ``cycle = floor(1 + e / total)``,
    ``x = 1 + e / total - cycle`` and ``s = x / r`` rising, ``(x - 1) / (r - 1)`` falling
    (``r = step_size_up / total``): ``lr(e) = base_lr + (max_lr - base_lr) * s * scale``,
    where ``scale`` is 1 (``"triangular"``), ``1 / 2**(cycle - 1)`` (``"triangular2"``),
    ``gamma**e`` (``"exp_range"``) or ``scale_fn(cycle or e)``. Momentum:
    ``max_momentum - (max_momentum - base_momentum) * s * scale``.

    Torch twin: ``torch.optim.lr_scheduler.CyclicLR(optimizer, base_lr, max_lr, ...)``. The
    lr is absolute: the ``base_lr`` argument of :meth:`lr` / :meth:`trace` is ignored, since
    torch overwrites the group's lr with this spec's ``base_lr``. Side effect, reproduced:
    with ``cycle_momentum=True`` torch writes momentum (or Adam's beta1) every step, so SGD's
    default momentum 0 becomes ``max_momentum`` (0.9). Quirk: if the group already had an
    ``initial_lr`` (a second scheduler), torch's lr at epoch 0 is that old ``initial_lr``.

    Deviations: scalar ``base_lr``/``max_lr``/momenta only (use one spec per param group);
    ``mode`` must be one of the three names even with a ``scale_fn`` (torch ignores it then);
    ``scale_mode`` must be ``"cycle"`` or ``"iterations"`` (torch treats any other string as
    iterations); step sizes are ints >= 1; momenta are finite numbers >= 0. Past 1024 cycles
    torch's ``"triangular2"`` scale ``1 / 2.0 ** (cycle - 1)`` raises OverflowError; lrspec
    gives its limit, 0 (the lr stays at ``base_lr``), on numbers as on arrays, and
    ``"exp_range"`` with ``gamma > 1`` gives inf where the power leaves a float's range.

    >>> CyclicLR(base_lr=0.1, max_lr=1.0, step_size_up=2, cycle_momentum=False).trace(0.1, 4)
    [0.1, 0.55, 1.0, 0.55, 0.1]
    """

    base_lr: float = attrs.field(converter=c.as_float, validator=c.real(ge=0))
    max_lr: float = attrs.field(converter=c.as_float, validator=c.real(ge=0))
    step_size_up: int = attrs.field(default=2000, converter=c.as_steps, validator=c.steps(ge=1))
    step_size_down: int | None = attrs.field(
        default=None, converter=c.as_optional_steps, validator=c.optional_steps(ge=1)
    )
    mode: str = attrs.field(
        default="triangular",
        converter=c.as_str,
        validator=c.one_of("triangular", "triangular2", "exp_range"),
    )
    gamma: float = attrs.field(default=1.0, converter=c.as_float, validator=c.real(gt=0))
    scale_fn: Callable[[float], float] | None = attrs.field(
        default=None, validator=c.optional_function, repr=fn_repr
    )
    scale_mode: str = attrs.field(
        default="cycle", converter=c.as_str, validator=c.one_of("cycle", "iterations")
    )
    cycle_momentum: bool = attrs.field(default=True, converter=c.as_bool, validator=c.boolean)
    base_momentum: float = attrs.field(default=0.8, converter=c.as_float, validator=_MOMENTUM)
    max_momentum: float = attrs.field(default=0.9, converter=c.as_float, validator=_MOMENTUM)

    torch_name = "torch.optim.lr_scheduler.CyclicLR"
    describe_format = "{mode} cycle between {base_lr:lr} and {max_lr:lr}, {step_size_up:steps} up"
    scales_with_base_lr = False  # absolute lrs of its own
    restarts_cleanly = True
    sets_initial_lr = True

    def landmarks(self, horizon: int) -> set[int]:
        up = self.step_size_up
        period = up + (self.step_size_down or up)
        return {p + q for p in range(0, horizon + 1, period) for q in (0, up)}

    @property
    def effective_scale_mode(self) -> str:
        """The scale mode torch uses: built-in modes fix it, a ``scale_fn`` takes the argument."""
        if self.scale_fn is not None:
            return self.scale_mode
        return "iterations" if self.mode == "exp_range" else "cycle"

    def _cycle(self, epoch: Any, low: float, high: float, momentum: bool) -> Any:
        return F.cyclic_lr(
            epoch,
            base_lr=low,
            max_lr=high,
            step_size_up=self.step_size_up,
            step_size_down=self.step_size_down,
            mode=self.mode,
            gamma=self.gamma,
            scale_fn=self.scale_fn,
            scale_mode=self.effective_scale_mode,
            momentum=momentum,
        )

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return self._cycle(epoch, self.base_lr, self.max_lr, False)

    def _momentum(self, xp: Any, epoch: Any) -> Any:
        return self._cycle(epoch, self.base_momentum, self.max_momentum, True)

    def twin(self, group: Group) -> Twin:
        return _CyclicTwin(self, group)


class _CyclicTwin(Twin):
    spec: CyclicLR

    def __init__(self, spec: CyclicLR, group: Group) -> None:
        write(group, "lr", spec.base_lr)
        start_momentum(spec, group, spec.base_momentum, spec.max_momentum)
        super().__init__(spec, group)  # the initial step runs with base = initial_lr
        self.base = spec.base_lr

    def get_lr(self) -> Any:
        spec, e = self.spec, self.last_epoch
        if spec.cycle_momentum:
            set_momentum(self.group, spec._momentum(_xp.SCALAR, e))
        return spec._cycle(e, self.base, spec.max_lr, False)


_ONE_CYCLE_KEYS = frozenset({"initial_lr", "max_lr", "min_lr"})


@spec_class
@attrs.frozen(kw_only=True)
class OneCycleLR(MomentumSchedule):
    """The 1cycle policy: warm up to ``max_lr``, then anneal far below the start.

    Formula: phases interpolate (cosine or linear) between ``initial = max_lr / div_factor``,
    ``max_lr`` and ``min = initial / final_div_factor``: two phases ``initial -> max -> min``
    ending at steps ``pct_start * total - 1`` and ``total - 1``, or with ``three_phase``
    ``initial -> max -> initial -> min`` ending at ``pct*total - 1``, ``2*pct*total - 2``,
    ``total - 1``. Cosine: ``end + (start - end) / 2 * (cos(pi * pct) + 1)``. Momentum runs
    ``max -> base -> max`` (``max -> base -> max -> max``).

    Torch twin: ``torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr, total_steps=None,
    epochs=None, steps_per_epoch=None, ...)``. The lr is absolute: the ``base_lr`` argument of
    :meth:`lr` / :meth:`trace` is ignored (torch overwrites ``initial_lr``). Quirks,
    reproduced: stepping to exactly ``total_steps`` is allowed and *extrapolates* past the
    last phase (a linear schedule can go negative there); one step more is an error
    (``trace`` raises ValueError). With ``pct_start=0`` the schedule starts mid-anneal.

    Deviations: ``pct_start`` may be an int or float in [0, 1) (torch rejects ints);
    configs that give a zero-length phase (``pct_start * total_steps == 1``, or
    ``pct_start=1``, which divide by zero in torch) or overlapping three-phase phases are
    rejected; ``total_steps`` together with ``epochs``/``steps_per_epoch`` must agree
    (torch silently ignores the latter).

    >>> s = OneCycleLR(max_lr=1.0, total_steps=4, pct_start=0.5, anneal_strategy="linear",
    ...                cycle_momentum=False)
    >>> s.trace(0.0, 3)
    [0.04, 1.0, 0.5000020000000001, 4.000000000004e-06]
    """

    max_lr: float = attrs.field(converter=c.as_float, validator=c.real(gt=0))
    total_steps: int | None = attrs.field(
        default=None, converter=c.as_optional_steps, validator=c.optional_steps(ge=1)
    )
    epochs: int | None = attrs.field(
        default=None, converter=c.as_optional_int, validator=c.optional_integer(ge=1)
    )
    steps_per_epoch: int | None = attrs.field(
        default=None, converter=c.as_optional_int, validator=c.optional_integer(ge=1)
    )
    pct_start: float = attrs.field(default=0.3, converter=c.as_float, validator=c.real(ge=0, le=1))
    anneal_strategy: str = attrs.field(
        default="cos", converter=c.as_str, validator=c.one_of("cos", "linear")
    )
    cycle_momentum: bool = attrs.field(default=True, converter=c.as_bool, validator=c.boolean)
    base_momentum: float = attrs.field(default=0.85, converter=c.as_float, validator=_MOMENTUM)
    max_momentum: float = attrs.field(default=0.95, converter=c.as_float, validator=_MOMENTUM)
    div_factor: float = attrs.field(default=25.0, converter=c.as_float, validator=c.real(gt=0))
    final_div_factor: float = attrs.field(default=1e4, converter=c.as_float, validator=c.real(gt=0))
    three_phase: bool = attrs.field(default=False, converter=c.as_bool, validator=c.boolean)

    torch_name = "torch.optim.lr_scheduler.OneCycleLR"
    scales_with_base_lr = False  # absolute lrs of its own
    sets_initial_lr = True

    @classmethod
    def group_keys(cls, cycle_momentum: bool = False) -> tuple[frozenset[str], frozenset[str]]:
        # torch keeps the lrs (and momenta) only in the param group, and reads them back
        keys = _ONE_CYCLE_KEYS | (MOMENTUM_KEYS if cycle_momentum else frozenset())
        return keys, keys

    def describe(self) -> str:
        line = "one cycle ({anneal_strategy}) peaking at {max_lr:lr} over {total_steps:steps}"
        return render(self, line, total_steps=self.total)

    def landmarks(self, horizon: int) -> set[int]:
        ends = self.phase_ends  # the first may be -1.0 (pct_start=0)
        points = {self.total, *(math.floor(e) for e in ends), *(math.ceil(e) for e in ends)}
        return {p for p in points if p >= 0}

    def __attrs_post_init__(self) -> None:
        per_epoch = (self.epochs, self.steps_per_epoch)
        if c.is_unit(self.total_steps):  # the phases are checked once lrspec.resolve runs
            if per_epoch != (None, None):
                raise ValueError(
                    "epochs and steps_per_epoch must be None when total_steps is a unit "
                    f"({self.total_steps!r}), got epochs={self.epochs!r}, "
                    f"steps_per_epoch={self.steps_per_epoch!r}"
                )
            return
        if self.total_steps is None:
            if None in per_epoch:
                raise ValueError(
                    "OneCycleLR needs total_steps, or both epochs and steps_per_epoch; got "
                    f"total_steps=None, epochs={self.epochs!r}, "
                    f"steps_per_epoch={self.steps_per_epoch!r}"
                )
        elif per_epoch != (None, None) and (
            None in per_epoch or self.epochs * self.steps_per_epoch != self.total_steps  # type: ignore[operator]
        ):
            raise ValueError(
                "total_steps must equal epochs * steps_per_epoch when epochs or "
                "steps_per_epoch is given too, got "
                f"total_steps={self.total_steps!r}, epochs={self.epochs!r}, "
                f"steps_per_epoch={self.steps_per_epoch!r}"
            )
        starts = (0.0, *self.phase_ends[:-1])
        if any(
            end <= start for start, end in zip(starts[1:], self.phase_ends[1:], strict=True)
        ) or (self.phase_ends[0] == 0.0):
            raise ValueError(
                "pct_start and total_steps must give phases of non-zero length in order, got "
                f"pct_start={self.pct_start!r}, total_steps={self.total!r}, "
                f"three_phase={self.three_phase!r} (phase ends {list(self.phase_ends)!r})"
            )

    @functools.cached_property
    def total(self) -> int:
        """The number of steps the cycle spans (``total_steps`` or ``epochs * steps_per_epoch``)."""
        if self.total_steps is not None:
            return self.total_steps
        return self.epochs * self.steps_per_epoch  # type: ignore[operator]

    @functools.cached_property
    def phase_ends(self) -> tuple[float, ...]:
        return F.one_cycle_phases(self.total, self.pct_start, self.three_phase)

    def lr_values(self, initial: float, max_lr: float, min_lr: float) -> tuple[float, ...]:
        if self.three_phase:
            return (initial, max_lr, initial, min_lr)
        return (initial, max_lr, min_lr)

    def momentum_values(self) -> tuple[float, ...]:
        hi, lo = self.max_momentum, self.base_momentum
        return (hi, lo, hi, hi) if self.three_phase else (hi, lo, hi)

    def _check_steps(self, steps: int) -> None:
        if steps > self.total:
            raise ValueError(
                f"steps must be <= total_steps ({self.total}) for OneCycleLR, got {steps!r}"
            )

    def _check_epoch(self, xp: Any, epoch: Any) -> None:
        if xp is _xp.SCALAR:
            if epoch <= self.total:
                return
            high = epoch
        else:
            high = epoch.max() if _xp.size(xp, epoch) else 0
        if float(high) > self.total:
            raise ValueError(
                f"epoch must be <= total_steps ({self.total}) for OneCycleLR, got {float(high)!r}"
            )

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        if xp is not _xp.SCALAR or epoch > self.total:  # _check_epoch's passing case inline
            self._check_epoch(xp, epoch)
        return F.one_cycle_lr(
            epoch, values=self._lrs, ends=self.phase_ends, anneal_strategy=self.anneal_strategy
        )

    @functools.cached_property
    def _lrs(self) -> tuple[float, ...]:
        """The lr at each phase boundary, as torch stores them in the param group."""
        initial = self.max_lr / self.div_factor
        return self.lr_values(initial, self.max_lr, initial / self.final_div_factor)

    def _momentum(self, xp: Any, epoch: Any) -> Any:
        self._check_epoch(xp, epoch)
        return F.one_cycle_lr(
            epoch,
            values=self.momentum_values(),
            ends=self.phase_ends,
            anneal_strategy=self.anneal_strategy,
        )

    def twin(self, group: Group) -> Twin:
        return _OneCycleTwin(self, group)

    def _trace(self, base_lr: float, steps: int) -> list[float]:
        # Closed form in torch too; on a fresh group the twin reads exactly these values.
        values = self._lrs
        # F.one_cycle_lr's scalar loop, unrolled by phase: same operations, same order.
        ends, last, cos, pi = self.phase_ends, len(self.phase_ends) - 1, math.cos, math.pi
        out: list[float] = []
        e, start_step = 0, 0.0
        for i, end_step in enumerate(ends):
            start, end = values[i], values[i + 1]
            width = end_step - start_step
            stop = steps + 1 if i == last else min(steps + 1, math.floor(end_step) + 1)
            if self.anneal_strategy == "cos":
                half = (start - end) / 2.0
                out.extend(
                    end + half * (cos(pi * ((k - start_step) / width)) + 1) for k in range(e, stop)
                )
            else:
                out.extend(
                    (end - start) * ((k - start_step) / width) + start for k in range(e, stop)
                )
            e, start_step = max(e, stop), end_step
        return out


class _OneCycleTwin(Twin):
    # torch's _schedule_phases: which group keys each phase anneals between (lr, momentum).
    _TWO = (
        ("initial_lr", "max_lr", "max_momentum", "base_momentum"),
        ("max_lr", "min_lr", "base_momentum", "max_momentum"),
    )
    _THREE = (
        ("initial_lr", "max_lr", "max_momentum", "base_momentum"),
        ("max_lr", "initial_lr", "base_momentum", "max_momentum"),
        ("initial_lr", "min_lr", "max_momentum", "max_momentum"),
    )

    def __init__(self, spec: OneCycleLR, group: Group) -> None:
        self.total, self.strategy = spec.total, spec.anneal_strategy
        self.cycle_momentum = spec.cycle_momentum
        starts = (0.0, *spec.phase_ends[:-1])
        keys = self._THREE if spec.three_phase else self._TWO
        self.phases = tuple(zip(spec.phase_ends, starts, keys, strict=True))
        group["initial_lr"] = spec.max_lr / spec.div_factor
        group["max_lr"] = spec.max_lr
        group["min_lr"] = group["initial_lr"] / spec.final_div_factor
        start_momentum(spec, group, spec.base_momentum, spec.max_momentum)
        super().__init__(spec, group)

    def get_lr(self) -> Any:
        group, e = self.group, self.last_epoch
        if e > self.total:
            raise ValueError(
                f"Tried to step {e} times. The specified number of total steps is {self.total}"
            )
        # the first phase that ends at or after e, else the last (which then extrapolates)
        for phase in self.phases:
            if e <= phase[0]:
                break
        end_step, start_step, keys = phase
        pct = (e - start_step) / (end_step - start_step)
        lr_from, lr_to, mom_from, mom_to = keys
        if self.cycle_momentum:
            set_momentum(group, F.anneal(self.strategy, group[mom_from], group[mom_to], pct))
        return F.anneal(self.strategy, group[lr_from], group[lr_to], pct)


@spec_class
@attrs.frozen(kw_only=True)
class CosineAnnealingWarmRestarts(Schedule):
    """SGDR: cosine annealing restarted every cycle; cycles grow by ``T_mult``.

    Formula: ``lr(e) = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``,
    where cycle i has length ``T_i = T_0 * T_mult**i`` and ``T_cur`` counts epochs since the
    last restart.

    Torch twin: ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0,
    T_mult=1, eta_min=0.0)``. The lr is absolute in ``base_lr``, so it overwrites other
    children in a ChainedScheduler. ``eta_min`` itself is never reached by integer stepping.
    Torch quirk *not* reproduced by ``lr``: torch's ``step(epoch)`` finds the cycle with
    ``math.log``, which rounds one cycle short at some restart epochs (T_0=1, T_mult=10,
    epoch 111 gives ``eta_min`` instead of ``base_lr``); ``lr`` finds the cycle exactly, which
    is what torch reaches by plain ``step()`` calls, and ``trace`` replays those.

    Deviations: ``eta_min`` must be a finite number >= 0.

    >>> CosineAnnealingWarmRestarts(T_0=2).trace(1.0, 4)
    [1.0, 0.5, 1.0, 0.5, 1.0]
    """

    T_0: int = attrs.field(converter=c.as_steps, validator=c.steps(ge=1))
    T_mult: int = attrs.field(default=1, converter=c.as_int, validator=c.integer(ge=1))
    eta_min: float = attrs.field(default=0.0, converter=c.as_float, validator=c.real(ge=0))

    torch_name = "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts"
    describe_format = "cosine to {eta_min:lr}, restarting every {T_0:steps}"
    restarts_cleanly = True

    @property
    def scales_with_base_lr(self) -> bool:
        return self.eta_min == 0.0  # eta_min is an absolute lr

    def landmarks(self, horizon: int) -> set[int]:
        points: set[int] = set()
        start, length = 0, self.T_0
        while start <= horizon:
            points.update((start, start + length // 2))
            start, length = start + length, length * self.T_mult
        return points

    def _lr(self, xp: Any, epoch: Any, base_lr: float) -> Any:
        return F.cosine_annealing_warm_restarts_lr(
            epoch, base_lr, T_0=self.T_0, T_mult=self.T_mult, eta_min=self.eta_min
        )

    def twin(self, group: Group) -> Twin:
        return _WarmRestartsTwin(self, group)


class _WarmRestartsTwin(Twin):
    state_keys = (*Twin.state_keys, "T_cur", "T_i")

    def __init__(self, spec: CosineAnnealingWarmRestarts, group: Group) -> None:
        self.T_0 = self.T_i = spec.T_0
        self.T_mult, self.eta_min = spec.T_mult, spec.eta_min
        self.T_cur = -1
        super().__init__(spec, group)

    def step(self, metric: Any = None) -> None:
        # torch overrides step(); it never touches the step counter.
        if self.last_epoch < 0:
            self.T_i, self.T_cur, self.last_epoch = self.T_0, 0, 0
        else:
            self.last_epoch += 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        write(self.group, "lr", self.get_lr())

    def get_lr(self) -> Any:
        eta = self.eta_min
        return eta + (self.base - eta) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
