"""Conversions between lrspec specs and native torch schedulers: to_torch and to_spec."""

from __future__ import annotations

import decimal
import importlib
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import torch
from torch.optim import lr_scheduler as torch_lr
from torch.optim import swa_utils

import lrspec
from lrspec.functional import one_cycle_phases

_S = TypeVar("_S", bound=lrspec.Schedule)

#: The spec class twinning each torch scheduler class, found by the spec's ``torch_name``.
_SPEC_OF: dict[type[Any], type[lrspec.Schedule]] = {}
for _cls in lrspec.TORCH_TWINS:
    _module, _, _name = (_cls.torch_name or "").rpartition(".")
    _SPEC_OF[getattr(importlib.import_module(_module), _name)] = _cls


def _torch_class(spec: lrspec.Schedule) -> type[Any]:
    name = type(spec).torch_name
    if name is None:
        raise TypeError(f"spec must be one of lrspec's torch twins, got {type(spec).__name__}")
    module, _, cls_name = name.rpartition(".")
    cls: type[Any] = getattr(importlib.import_module(module), cls_name)
    return cls


def _torch_arg(value: Any, optimizer: torch.optim.Optimizer) -> Any:
    """A spec field as torch takes it: child specs built first, in order; tuples as lists."""
    if isinstance(value, lrspec.Schedule):
        return to_torch(value, optimizer)
    if isinstance(value, tuple):
        return [_torch_arg(item, optimizer) for item in value]
    return value


def to_torch(spec: lrspec.Schedule, optimizer: torch.optim.Optimizer) -> Any:
    """Build the native torch scheduler equal to ``spec`` on ``optimizer``.

    Every field is passed by keyword, so torch's defaults never apply. Composites build
    their children first, in order, exactly as a torch user would.
    """
    if not isinstance(spec, lrspec.Schedule):
        raise TypeError(f"spec must be an lrspec spec, got {spec!r} ({type(spec).__name__})")
    cls = _torch_class(spec)
    kwargs = {
        f.name: _torch_arg(getattr(spec, f.name), optimizer)
        for f in attrs.fields(type(spec))  # type: ignore[arg-type]  # every spec is an attrs class
    }
    return cls(optimizer=optimizer, **kwargs)


# --- torch scheduler -> spec ----------------------------------------------------------------


def to_spec(scheduler: Any) -> lrspec.Schedule:
    """Read a live torch scheduler back into the equal lrspec spec.

    ``scheduler`` must be an instance of one of torch's own 16 scheduler classes (the 15 in
    ``torch.optim.lr_scheduler`` and ``torch.optim.swa_utils.SWALR``), not a subclass: a
    subclass may change the schedule, so it raises TypeError, as does any other object. The
    spec is read from the scheduler's attributes and, where torch keeps a parameter only in
    the optimizer (OneCycleLR's ``max_lr``/``initial_lr``/``min_lr`` and momenta, SWALR's
    ``swa_lr``), from ``scheduler.optimizer.param_groups``. Composites convert their
    children recursively. Only the parameters are read, not the position: a scheduler that
    has already stepped gives the spec of its whole schedule from epoch 0.

    For every scheduler built from a spec, ``to_spec(to_torch(spec, opt))`` is ``spec``
    itself, or, in the lossy cases below, a canonical spec whose ``trace`` (and momentum)
    is bit-identical and which stores exactly the same values in a torch scheduler.

    Lossy cases -- torch does not keep the argument, so its canonical form is returned:

    * CyclicLR keeps ``total_size`` and ``step_ratio``: the int step sizes are recovered
      from them, and ``step_size_down`` is ``None`` when it equals ``step_size_up``.
      Without ``scale_fn`` torch overwrites ``scale_mode`` (the mode decides), so it comes
      back as the default ``"cycle"``; with ``cycle_momentum=False`` the momenta are not
      kept and come back as the defaults (0.8, 0.9). Neither affects the schedule.
    * OneCycleLR keeps only ``total_steps``: ``epochs`` and ``steps_per_epoch`` come back as
      ``None``. ``pct_start``, ``div_factor`` and ``final_div_factor`` are recovered from
      the first phase's end step and the group's ``max_lr``/``initial_lr``/``min_lr``: the
      value with the fewest significant digits among those that reproduce torch's stored
      values exactly (so 0.3, 25.0 and 1e4 come back as typed; an arbitrary double may come
      back as a neighbouring one that torch cannot tell apart). With
      ``cycle_momentum=False`` the momenta come back as the defaults (0.85, 0.95).
    * Torch keeps OneCycleLR's and SWALR's parameters (and OneCycleLR's momenta) only in
      the param groups, where another scheduler on the same optimizer overwrites them. The
      values read are the groups' current ones; a composite in which another child writes
      the same keys raises ValueError (one of the two values is lost), as does a
      OneCycleLR whose ``initial_lr`` was overwritten.
    * MultiStepLR keeps its milestones as a ``Counter``: they come back sorted.
    * ReduceLROnPlateau's ``min_lr`` comes from ``default_min_lr`` or, when a list was
      given, its single repeated value.

    Errors: a parameter that differs between param groups (a list of different lambdas,
    per-group CyclicLR ``base_lr``, different ``min_lr``, ...) raises ValueError -- convert
    to one spec per group instead (:class:`lrspec_torch.SpecLR` takes a list of specs).
    Values that lrspec rejects but torch accepts (repeated MultiStepLR milestones,
    ``step_size=0``, ...) raise the spec's own ValueError/TypeError, prefixed with the torch
    scheduler that could not be converted.

    >>> import torch, lrspec_torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    >>> lrspec_torch.to_spec(torch.optim.lr_scheduler.StepLR(opt, step_size=30))
    StepLR(step_size=30, gamma=0.1)
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> spec = lrspec_torch.to_spec(torch.optim.lr_scheduler.OneCycleLR(opt, 1.0, epochs=2,
    ...                                                                 steps_per_epoch=50))
    >>> spec.total_steps, spec.epochs, spec.pct_start, spec.div_factor
    (100, None, 0.3, 25.0)
    """
    converter = _CONVERTERS.get(type(scheduler))
    if converter is None and type(scheduler) in _SPEC_OF:
        converter = _by_attributes
    if converter is None:
        if isinstance(scheduler, lrspec.Schedule):
            raise TypeError(
                f"to_spec converts torch schedulers, got the lrspec spec {scheduler!r} "
                "(to_torch builds its torch scheduler)"
            )
        cls = type(scheduler)
        supported = ", ".join(c.__name__ for c in _SPEC_OF)
        kind = ""
        if isinstance(scheduler, tuple(_SPEC_OF)):
            kind = " (a subclass of a torch scheduler: it may change the schedule)"
        raise TypeError(
            f"to_spec needs one of torch's own scheduler classes ({supported}), got "
            f"{cls.__module__}.{cls.__qualname__}{kind}"
        )
    return converter(scheduler)


def _build(cls: type[_S], scheduler: Any, **kwargs: Any) -> _S:
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise _rewrap(err, scheduler, "") from err


def _rewrap(err: Exception, scheduler: Any, where: str) -> Exception:
    kind = ValueError if isinstance(err, ValueError) else TypeError
    return kind(f"cannot convert torch {type(scheduler).__name__} to a spec: {where}{err}")


def _number(value: Any) -> Any:
    """A Python number for a one-element tensor (torch clones tensor arguments); else as is."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value


def _one_value(scheduler: Any, what: str, values: Sequence[Any]) -> Any:
    """The one value shared by every param group, or ValueError asking for per-group specs."""
    first = values[0]
    for value in values[1:]:
        if not (value is first or bool(value == first)):
            raise ValueError(
                f"cannot convert torch {type(scheduler).__name__} to a spec: {what} differs "
                f"between param groups ({list(values)!r}), and a spec holds one value; build "
                "one spec per param group instead (lrspec_torch.SpecLR accepts a list of specs)"
            )
    return first


def _group_value(scheduler: Any, key: str) -> Any:
    groups = scheduler.optimizer.param_groups
    return _one_value(scheduler, f"param_groups[i][{key!r}]", [_number(g[key]) for g in groups])


def _attr_value(scheduler: Any, what: str, values: Sequence[Any]) -> Any:
    return _one_value(scheduler, what, [_number(v) for v in values])


def _shortest(guess: float, ok: Callable[[float], bool]) -> float | None:
    """The float with the fewest significant digits near ``guess`` for which ``ok`` holds.

    ``ok`` must hold on an interval of floats around (or next to) ``guess``: then the
    shortest decimal in it is the floor or ceiling of ``guess`` at some digit count. Failing
    that, the floats within 64 ulp of ``guess``, nearest first.
    """
    if math.isfinite(guess):
        if guess == 0.0:
            if ok(0.0):
                return 0.0
        else:
            exact = decimal.Decimal(guess)
            # A private context: the caller's may have a low precision or other traps.
            context = decimal.Context(prec=40, Emin=-9999, Emax=9999)
            for digits in range(1, 18):
                quantum = decimal.Decimal(1).scaleb(exact.adjusted() - digits + 1, context)
                found = [
                    x
                    for x in {
                        float(exact.quantize(quantum, decimal.ROUND_FLOOR, context)),
                        float(exact.quantize(quantum, decimal.ROUND_CEILING, context)),
                    }
                    if ok(x)
                ]
                if found:
                    return min(found, key=lambda x: (abs(x - guess), x))
        below = above = guess
        for _ in range(64):
            below, above = math.nextafter(below, -math.inf), math.nextafter(above, math.inf)
            for x in (below, above):
                if ok(x):
                    return x
    return None


def _recover(scheduler: Any, what: str, guess: float, ok: Callable[[float], bool]) -> float:
    found = _shortest(guess, ok)
    if found is None:
        raise ValueError(
            f"cannot convert torch {type(scheduler).__name__} to a spec: no {what} reproduces "
            f"the values torch stored (first guess {guess!r})"
        )
    return found


def _lambda_kwargs(s: Any) -> dict[str, Any]:
    return {"lr_lambda": _one_value(s, "lr_lambda", s.lr_lambdas)}


def _lambda(s: Any) -> lrspec.Schedule:
    return _build(lrspec.LambdaLR, s, **_lambda_kwargs(s))


def _multiplicative(s: Any) -> lrspec.Schedule:
    return _build(lrspec.MultiplicativeLR, s, **_lambda_kwargs(s))


def _by_attributes(s: Any) -> lrspec.Schedule:
    """The spec whose fields torch keeps as attributes of the same names (StepLR, ...)."""
    cls = _SPEC_OF[type(s)]
    names = [f.name for f in attrs.fields(cls)]  # type: ignore[arg-type]  # every spec is attrs
    return _build(cls, s, **{name: getattr(s, name) for name in names})


def _multistep(s: Any) -> lrspec.Schedule:
    # torch keeps a Counter: elements() keeps a repeated milestone repeated (then rejected)
    return _build(lrspec.MultiStepLR, s, milestones=list(s.milestones.elements()), gamma=s.gamma)


def _children(s: Any) -> list[lrspec.Schedule]:
    _check_group_state(s)
    out = []
    for i, child in enumerate(s._schedulers):
        try:
            out.append(to_spec(child))
        except (TypeError, ValueError) as err:
            raise _rewrap(err, s, f"schedulers[{i}]: ") from err
    return out


def _group_keys(s: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The param-group keys a torch scheduler keeps its parameters in, and writes."""
    cls = _SPEC_OF.get(type(s))
    if cls is None:  # not convertible: converting it raises, naming it
        return frozenset(), frozenset()
    return cls.group_keys(bool(getattr(s, "cycle_momentum", False)))


def _leaves(s: Any, path: str) -> list[tuple[str, Any]]:
    children = getattr(s, "_schedulers", None)  # torch's composites
    if children is None:
        return [(path, s)]
    return [
        leaf
        for i, child in enumerate(children)
        for leaf in _leaves(child, f"{path}.schedulers[{i}]" if path else f"schedulers[{i}]")
    ]


def _check_group_state(s: Any) -> None:
    # Torch keeps OneCycleLR's and SWALR's parameters only in the param group, where another
    # child that writes the same key overwrote them at construction: the value is lost.
    leaves = _leaves(s, "")
    for path, leaf in leaves:
        for other_path, other in leaves:
            lost = _group_keys(leaf)[0] & _group_keys(other)[1]
            if other_path != path and lost:
                raise ValueError(
                    f"cannot convert torch {type(s).__name__} to a spec: {path} "
                    f"({type(leaf).__name__}) keeps {sorted(lost)!r} only in the optimizer's "
                    f"param groups, which {other_path} ({type(other).__name__}) also writes, "
                    "so torch kept one of the two values and the other is lost"
                )


def _chained(s: Any) -> lrspec.Schedule:
    return _build(lrspec.ChainedScheduler, s, schedulers=_children(s))


def _sequential(s: Any) -> lrspec.Schedule:
    return _build(lrspec.SequentialLR, s, schedulers=_children(s), milestones=list(s._milestones))


def _plateau(s: Any) -> lrspec.Schedule:
    min_lr = s.default_min_lr
    if min_lr is None:
        min_lr = _attr_value(s, "min_lr", s.min_lrs)
    return _build(
        lrspec.ReduceLROnPlateau,
        s,
        mode=s.mode,
        factor=s.factor,
        patience=s.patience,
        threshold=s.threshold,
        threshold_mode=s.threshold_mode,
        cooldown=s.cooldown,
        min_lr=min_lr,
        eps=s.eps,
    )


def _cyclic_step_sizes(s: Any) -> tuple[int, int | None]:
    # torch keeps total_size = float(up) + float(down) and step_ratio = float(up) / total_size.
    total, ratio = s.total_size, s.step_ratio
    if math.isfinite(total) and math.isfinite(ratio):
        guess = round(ratio * total)
        for up in sorted(range(guess - 2, guess + 3), key=lambda u: abs(u - guess)):
            down = round(total - up)
            if up >= 1 and down >= 1 and up + float(down) == total and up / total == ratio:
                return up, (None if down == up else down)
    raise ValueError(
        f"cannot convert torch CyclicLR to a spec: no int step_size_up/step_size_down give its "
        f"total_size={total!r} and step_ratio={ratio!r} (lrspec needs int step sizes >= 1)"
    )


def _cyclic(s: Any) -> lrspec.Schedule:
    up, down = _cyclic_step_sizes(s)
    scale_fn = s._scale_fn_custom
    kwargs: dict[str, Any] = {
        "base_lr": _attr_value(s, "base_lr", s.base_lrs),
        "max_lr": _attr_value(s, "max_lr", s.max_lrs),
        "step_size_up": up,
        "step_size_down": down,
        "mode": s.mode,
        "gamma": s.gamma,
        "scale_fn": scale_fn,
        # Without scale_fn torch overwrites scale_mode from the mode; the argument is lost.
        "scale_mode": "cycle" if scale_fn is None else s.scale_mode,
        "cycle_momentum": s.cycle_momentum,
    }
    if s.cycle_momentum:
        kwargs["base_momentum"] = _attr_value(s, "base_momentum", s.base_momentums)
        kwargs["max_momentum"] = _attr_value(s, "max_momentum", s.max_momentums)
    return _build(lrspec.CyclicLR, s, **kwargs)


def _one_cycle(s: Any) -> lrspec.Schedule:
    total: int = s.total_steps
    ends = tuple(phase["end_step"] for phase in s._schedule_phases)
    three_phase = len(ends) == 3
    max_lr = _group_value(s, "max_lr")
    initial = _group_value(s, "initial_lr")
    min_lr = _group_value(s, "min_lr")
    if any(_number(base) != initial for base in s.base_lrs):
        # base_lrs is this scheduler's own initial_lr; the group's is another scheduler's.
        raise ValueError(
            "cannot convert torch OneCycleLR to a spec: another scheduler on the same "
            f"optimizer overwrote its parameters in the param groups (its initial_lr "
            f"{[_number(b) for b in s.base_lrs]!r}, the groups' {initial!r}); the values are lost"
        )

    def positive(x: float) -> bool:
        return math.isfinite(x) and x > 0

    pct_start = _recover(
        s,
        "pct_start",
        (ends[0] + 1) / total,
        lambda p: 0 <= p <= 1 and one_cycle_phases(total, p, three_phase) == ends,
    )
    div_factor = _recover(
        s, "div_factor", max_lr / initial, lambda d: positive(d) and max_lr / d == initial
    )
    final_div_factor = _recover(
        s, "final_div_factor", initial / min_lr, lambda f: positive(f) and initial / f == min_lr
    )
    kwargs: dict[str, Any] = {
        "max_lr": max_lr,
        "total_steps": total,
        "pct_start": pct_start,
        "anneal_strategy": s._anneal_func_type,
        "cycle_momentum": s.cycle_momentum,
        "div_factor": div_factor,
        "final_div_factor": final_div_factor,
        "three_phase": three_phase,
    }
    if s.cycle_momentum:
        kwargs["base_momentum"] = _group_value(s, "base_momentum")
        kwargs["max_momentum"] = _group_value(s, "max_momentum")
    return _build(lrspec.OneCycleLR, s, **kwargs)


def _swalr(s: Any) -> lrspec.Schedule:
    return _build(
        lrspec.SWALR,
        s,
        swa_lr=_group_value(s, "swa_lr"),
        anneal_epochs=s.anneal_epochs,
        anneal_strategy=s._anneal_strategy,
    )


#: Torch schedulers that keep their parameters other than as same-named attributes.
_CONVERTERS: dict[type[Any], Callable[[Any], lrspec.Schedule]] = {
    torch_lr.LambdaLR: _lambda,
    torch_lr.MultiplicativeLR: _multiplicative,
    torch_lr.MultiStepLR: _multistep,
    torch_lr.ChainedScheduler: _chained,
    torch_lr.SequentialLR: _sequential,
    torch_lr.ReduceLROnPlateau: _plateau,
    torch_lr.CyclicLR: _cyclic,
    torch_lr.OneCycleLR: _one_cycle,
    swa_utils.SWALR: _swalr,
}
