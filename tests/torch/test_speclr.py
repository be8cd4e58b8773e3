"""SpecLR against the native torch schedulers, in real training loops.

For generated specs of all 16 torch twins, two identical training loops -- one stepping
``SpecLR``, one stepping the native scheduler that ``to_torch`` builds -- must leave the
param groups bit-identical after construction and after every step (the lr, SGD momentum or
Adam betas, and every key a scheduler adds: ``initial_lr``, ``max_lr``, ``swa_lr``, ...),
return equal ``get_last_lr()`` and end with bit-identical weights. Float lrs and float32 or
float64 tensor lrs (which must stay the same tensor object, with ``get_last_lr()`` returning
clones), one or two param groups, one spec for all groups or one spec per group. Then
SpecLR's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import attrs
import pytest
import torch
from _torch_helpers import X, Y, any_spec, bits, make_model, quiet_step_order
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import lrspec
from lrspec import testing as lt
from lrspec_torch import SpecLR, to_torch

#: Steps per generated loop: a training step costs ~1 ms on a small CI machine.
MAX_STEPS = 30

MOMENTUM_CLASSES = ("CyclicLR", "OneCycleLR")


def test_strategies_cover_every_torch_twin() -> None:
    assert set(lt.TWIN_STRATEGIES) == {cls.__name__ for cls in lrspec.TORCH_TWINS}


# --- the training loop ------------------------------------------------------------------

#: How a param group holds its lr: a Python float, or a 0-d tensor (torch.tensor(x) is float32).
DTYPES = {"float32": torch.float32, "float64": torch.float64}
LR_TYPES = st.sampled_from(["float", "float", "float32", "float32", "float64"])


def param_groups(
    model: nn.Linear, lrs: Sequence[float], lr_type: str, momenta: Sequence[float]
) -> list[dict[str, Any]]:
    """One group (all params) or two (weight, bias); a fresh lr tensor per group and run."""
    params = [[model.weight, model.bias]] if len(lrs) == 1 else [[model.weight], [model.bias]]
    return [
        {
            "params": p,
            "lr": lr if lr_type == "float" else torch.tensor(lr, dtype=DTYPES[lr_type]),
            "momentum": m,
        }
        for p, lr, m in zip(params, lrs, momenta, strict=True)
    ]


def build_optimizer(kind: str, groups: list[dict[str, Any]]) -> torch.optim.Optimizer:
    if kind == "adam":
        for g in groups:
            del g["momentum"]
        return torch.optim.Adam(groups, lr=0.1)
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


def canon(value: Any) -> Any:
    """A comparable, bit-exact form of a param-group value (floats by ``float.hex``)."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().reshape(-1).tolist()
        return ("tensor", str(value.dtype), tuple(value.shape), [float(v).hex() for v in flat])
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [canon(v) for v in value])
    return value  # int, bool, str, None


def canon_group(group: dict[str, Any]) -> dict[str, Any]:
    return {k: canon(v) for k, v in group.items() if k != "params"}


@attrs.define
class Run:
    groups: list[list[dict[str, Any]]]  # per step (0 = after construction), per group
    last_lr: list[list[Any]]  # get_last_lr(), canonical, per step
    weights: list[torch.Tensor]
    error: str | None = None


Setup = Callable[[nn.Linear], tuple[list[torch.optim.Optimizer], list[Any]]]


def train(setup: Setup, steps: int, metrics: Sequence[float] | None, *, metric_driven: bool) -> Run:
    """Run ``steps`` training steps; ``setup(model)`` builds the optimizers and schedulers.

    A metric-driven scheduler gets ``metrics[k]``, or the loss when ``metrics`` is None.
    """
    model = make_model()
    optimizers, schedulers = setup(model)

    def snapshot() -> None:
        run.groups.append([canon_group(g) for opt in optimizers for g in opt.param_groups])
        run.last_lr.append([canon(lr) for s in schedulers for lr in s.get_last_lr()])

    run = Run([], [], [])
    snapshot()
    for k in range(steps):
        for opt in optimizers:
            opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), Y)
        loss.backward()  # type: ignore[no-untyped-call]
        try:
            for opt in optimizers:
                opt.step()
        except ZeroDivisionError as exc:
            # Adam divides by 1 - beta1**t: a cyclic schedule writing beta1 = 1 makes torch's
            # own Adam fail. Both runs must then fail at the same step.
            run.error = f"{type(exc).__name__} at step {k}"
            break
        for sched in schedulers:
            if metric_driven:
                sched.step(loss.item() if metrics is None else metrics[k])
            else:
                sched.step()
        snapshot()
    run.weights = [p.detach().clone() for p in model.parameters()]
    return run


def assert_same_run(ours: Run, native: Run) -> None:
    assert ours.error == native.error
    for k, (a, b) in enumerate(zip(ours.groups, native.groups, strict=True)):
        assert a == b, f"param groups differ after {k} steps"
    for k, (a, b) in enumerate(zip(ours.last_lr, native.last_lr, strict=True)):
        assert a == b, f"get_last_lr() differs after {k} steps"
    for w, w_native in zip(ours.weights, native.weights, strict=True):
        assert torch.equal(bits(w), bits(w_native)), f"final weights differ: {w} vs {w_native}"


class TensorLrChecks:
    """Wraps a SpecLR setup: tensor lrs stay the same objects; get_last_lr() gives clones."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.sched: SpecLR | None = None
        self.lr_objects: list[torch.Tensor] = []
        self.returned: list[tuple[torch.Tensor, Any]] = []

    def __call__(self, model: nn.Linear) -> tuple[list[torch.optim.Optimizer], list[Any]]:
        # The groups' lr tensors are captured before SpecLR is built: construction must
        # update them in place too.
        optimizers, schedulers = self.setup(model)
        (self.sched,) = schedulers
        self.lr_objects = [g["lr"] for g in optimizers[0].param_groups]
        return optimizers, [self]

    def step(self, *args: Any) -> None:
        assert self.sched is not None
        self.sched.step(*args)

    def get_last_lr(self) -> list[Any]:
        assert self.sched is not None
        groups = self.sched.optimizer.param_groups
        for obj, group in zip(self.lr_objects, groups, strict=True):
            assert group["lr"] is obj, "SpecLR replaced the group's lr tensor"
        out = self.sched.get_last_lr()
        for value, group in zip(out, groups, strict=True):
            assert isinstance(value, torch.Tensor)
            assert value is not group["lr"]
            assert value.data_ptr() != group["lr"].data_ptr(), "get_last_lr() aliases the lr"
            self.returned.append((value, canon(value)))
        return out

    def check_unchanged(self) -> None:
        """Everything get_last_lr() returned earlier still holds the value it had then."""
        for value, then in self.returned:
            assert canon(value) == then, "a tensor returned by get_last_lr() changed later"


def compare_runs(
    ours: Setup,
    native: Setup,
    lr_type: str,
    steps: int,
    metrics: Sequence[float] | None,
    *,
    metric_driven: bool,
) -> None:
    """Train with SpecLR (checking tensor lrs when the lrs are tensors) and natively; compare."""
    checks = TensorLrChecks(ours) if lr_type != "float" else None
    run = train(checks or ours, steps, metrics, metric_driven=metric_driven)
    if checks is not None:
        checks.check_unchanged()
    assert_same_run(run, train(native, steps, metrics, metric_driven=metric_driven))


# --- one scheduler on one optimizer ------------------------------------------------------


def compare_one(
    spec: lrspec.Schedule,
    *,
    kind: str,
    lrs: Sequence[float],
    momenta: Sequence[float],
    lr_type: str,
    steps: int,
    metrics: Sequence[float] | None,
) -> None:
    """SpecLR and ``to_torch(spec)`` on identical optimizers (``spec`` for all groups)."""
    metric_driven = spec.metric_driven

    def native(model: nn.Linear) -> tuple[list[torch.optim.Optimizer], list[Any]]:
        opt = build_optimizer(kind, param_groups(model, lrs, lr_type, momenta))
        with quiet_step_order():
            return [opt], [to_torch(spec, opt)]

    def ours(model: nn.Linear) -> tuple[list[torch.optim.Optimizer], list[Any]]:
        opt = build_optimizer(kind, param_groups(model, lrs, lr_type, momenta))
        sched = SpecLR(opt, spec)
        assert isinstance(sched, torch.optim.lr_scheduler.LRScheduler)
        return [opt], [sched]

    compare_runs(ours, native, lr_type, steps, metrics, metric_driven=metric_driven)


@st.composite
def loop_config(draw: st.DrawFn, spec: lrspec.Schedule, n_groups: int) -> dict[str, Any]:
    """Optimizer kind, lrs, momenta, steps and (for ReduceLROnPlateau) metrics for ``spec``."""
    steps = draw(lt.steps(MAX_STEPS, spec=spec), label="steps")
    metrics = None
    if spec.metric_driven and draw(st.booleans(), label="generated metrics (else the loss)"):
        metrics = draw(lt.metric_streams(steps, steps), label="metrics")
    return {
        "kind": draw(st.sampled_from(["sgd", "adam"]), label="optimizer"),
        "lrs": draw(st.lists(lt.base_lrs(), min_size=n_groups, max_size=n_groups), label="lrs"),
        "momenta": draw(
            st.lists(st.sampled_from([0.0, 0.5, 0.9]), min_size=n_groups, max_size=n_groups),
            label="momenta",
        ),
        "lr_type": draw(LR_TYPES, label="lr type"),
        "steps": steps,
        "metrics": metrics,
    }


@settings(deadline=None)
@given(data=st.data())
def test_speclr_matches_native_scheduler_in_a_training_loop(data: st.DataObject) -> None:
    spec = data.draw(any_spec(), label="spec")
    compare_one(spec, **data.draw(loop_config(spec, 1)))


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@settings(deadline=None)
@given(data=st.data())
def test_speclr_matches_native_momentum_schedules(kind: str, data: st.DataObject) -> None:
    """CyclicLR and OneCycleLR write SGD ``momentum`` / Adam ``betas[0]`` too."""
    name = data.draw(st.sampled_from(MOMENTUM_CLASSES), label="class")
    spec = data.draw(lt.TWIN_STRATEGIES[name](), label="spec")
    spec = attrs.evolve(
        cast(Any, spec), cycle_momentum=data.draw(st.sampled_from([True, True, False]))
    )
    config = data.draw(loop_config(spec, 1))
    compare_one(spec, **{**config, "kind": kind})


@settings(deadline=None)
@given(data=st.data())
def test_speclr_one_spec_for_two_param_groups(data: st.DataObject) -> None:
    spec = data.draw(any_spec(), label="spec")
    compare_one(spec, **data.draw(loop_config(spec, 2)))


# --- one spec per param group ------------------------------------------------------------


@settings(deadline=None)
@given(data=st.data())
def test_speclr_one_spec_per_param_group(data: st.DataObject) -> None:
    """``SpecLR(opt, [s0, s1])`` against two native optimizers, one per group.

    A torch scheduler acts on all the groups of its optimizer, so the live comparison is one
    optimizer per group, each with its own native scheduler, stepped in the same loop.
    SGD and Adam update each parameter independently, so the weights must match bit for bit.
    """
    metric_driven = data.draw(st.booleans(), label="metric-driven")
    specs = [data.draw(any_spec(metric_driven=metric_driven), label=f"spec {i}") for i in (0, 1)]
    cap = MAX_STEPS if metric_driven else min(lt.step_limit(s, MAX_STEPS) for s in specs)
    config = data.draw(loop_config(specs[0], 2))
    steps = min(config["steps"], cap)
    metrics = None if config["metrics"] is None else config["metrics"][:steps]
    kind, lrs, momenta, lr_type = (config[k] for k in ("kind", "lrs", "momenta", "lr_type"))

    def native(model: nn.Linear) -> tuple[list[torch.optim.Optimizer], list[Any]]:
        groups = param_groups(model, lrs, lr_type, momenta)
        opts = [build_optimizer(kind, [g]) for g in groups]
        with quiet_step_order():
            return opts, [to_torch(s, o) for s, o in zip(specs, opts, strict=True)]

    def ours(model: nn.Linear) -> tuple[list[torch.optim.Optimizer], list[Any]]:
        opt = build_optimizer(kind, param_groups(model, lrs, lr_type, momenta))
        sched = SpecLR(opt, specs)
        assert sched.specs == specs
        return [opt], [sched]

    compare_runs(ours, native, lr_type, steps, metrics, metric_driven=metric_driven)


def test_per_group_specs_with_different_base_lrs_follow_their_own_traces() -> None:
    specs = [lrspec.StepLR(step_size=2, gamma=0.5), lrspec.CosineAnnealingLR(T_max=5)]
    model = make_model()
    opt = build_optimizer("sgd", param_groups(model, [0.1, 0.3], "float", [0.9, 0.9]))
    sched = SpecLR(opt, specs)
    seen: list[list[Any]] = [sched.get_last_lr()]
    for _ in range(8):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr())
    assert [s[0] for s in seen] == specs[0].trace(0.1, 8)
    assert [s[1] for s in seen] == specs[1].trace(0.3, 8)
    with pytest.raises(AttributeError, match="different specs"):
        _ = sched.spec
    assert SpecLR(build_optimizer("sgd", param_groups(model, [0.1], "float", [0.9])), specs[0]).spec


# --- errors ------------------------------------------------------------------------------


def sgd(n_groups: int = 1) -> torch.optim.Optimizer:
    model = make_model()
    return build_optimizer("sgd", param_groups(model, [0.1] * n_groups, "float", [0.9] * n_groups))


@pytest.mark.parametrize("not_an_optimizer", [None, 0.1, "sgd", [torch.zeros(1)]])
def test_non_optimizer_is_a_type_error(not_an_optimizer: Any) -> None:
    with pytest.raises(TypeError, match=r"optimizer must be a torch\.optim\.Optimizer"):
        SpecLR(not_an_optimizer, lrspec.StepLR(step_size=1))


@pytest.mark.parametrize("n_specs", [0, 1, 3])
def test_wrong_number_of_specs_is_a_value_error(n_specs: int) -> None:
    with pytest.raises(ValueError, match=rf"one spec per param group \(2\), got {n_specs}"):
        SpecLR(sgd(2), [lrspec.StepLR(step_size=1)] * n_specs)


@pytest.mark.parametrize(
    "bad", [[lrspec.StepLR(step_size=1), "StepLR(step_size=1)"], [None, None]], ids=["str", "None"]
)
def test_non_spec_in_list_is_a_type_error(bad: list[Any]) -> None:
    with pytest.raises(TypeError, match=r"spec\[\d\] must be an lrspec spec"):
        SpecLR(sgd(2), bad)


@pytest.mark.parametrize("bad", ["StepLR(step_size=1)", {"type": "StepLR"}, 0.5, None])
def test_non_spec_is_a_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="spec must be an lrspec spec"):
        SpecLR(sgd(), bad)


def test_mixing_metric_driven_and_not_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="all metric-driven"):
        SpecLR(sgd(2), [lrspec.ReduceLROnPlateau(), lrspec.StepLR(step_size=1)])


def test_metric_driven_step_without_metric_is_a_type_error() -> None:
    opt = sgd()
    sched = SpecLR(opt, lrspec.ReduceLROnPlateau())
    opt.step()
    with pytest.raises(TypeError, match=r"metric-driven: call step\(metric\)"):
        sched.step()
    sched.step(1.0)  # the failed call did not count as a step
    assert sched.last_epoch == 1


def test_metric_for_a_non_metric_spec_is_a_type_error() -> None:
    opt = sgd()
    sched = SpecLR(opt, lrspec.StepLR(step_size=1, gamma=0.5))
    opt.step()
    with pytest.raises(TypeError, match="takes no metric"):
        sched.step(0.3)
    assert sched.get_last_lr() == [0.1]
    sched.step()
    assert sched.get_last_lr() == [0.05]


@pytest.mark.parametrize(
    "spec", [lrspec.StepLR(step_size=1), lrspec.ReduceLROnPlateau()], ids=["StepLR", "Plateau"]
)
def test_explicit_epoch_is_a_type_error(spec: lrspec.Schedule) -> None:
    opt = sgd()
    sched = SpecLR(opt, spec)
    opt.step()
    with pytest.raises(TypeError, match="explicit epoch"):
        sched.step(epoch=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="explicit epoch"):
        sched.step(1.0 if spec.metric_driven else None, epoch=3)  # type: ignore[arg-type]
    assert sched.last_epoch == 0


def test_speclr_is_an_lr_scheduler() -> None:
    opt = sgd()
    sched = SpecLR(opt, lrspec.OneCycleLR(max_lr=1.0, total_steps=10))
    assert isinstance(sched, torch.optim.lr_scheduler.LRScheduler)
    assert sched.get_lr() == sched.get_last_lr()
    for _ in range(2):
        opt.step()
        sched.step()
    assert sched.last_epoch == 2
    assert sched.get_last_lr() == lrspec.OneCycleLR(max_lr=1.0, total_steps=10).trace(0.1, 2)[-1:]


def test_param_group_added_after_construction_is_a_clear_error() -> None:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = SpecLR(opt, lrspec.StepLR(step_size=1, gamma=0.5))
    opt.add_param_group({"params": [torch.zeros(1, requires_grad=True)], "lr": 0.2})
    opt.step()
    with pytest.raises(ValueError, match=r"2 param groups but this SpecLR was built for 1"):
        sched.step()


def test_speclr_follows_the_groups_after_optimizer_load_state_dict() -> None:
    spec = lrspec.StepLR(step_size=1, gamma=0.5)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = SpecLR(opt, spec)
    saved = opt.state_dict()
    opt.load_state_dict(saved)  # replaces the param_groups list and its dicts
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] == sched.get_last_lr()[0] == spec.trace(0.1, 1)[-1]
