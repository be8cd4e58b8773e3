"""Introspection (issue 9, part 3): ``total_steps``, ``boundaries`` and ``describe()``.

``total_steps`` is checked against its definition over generated specs (the lr holds from
it on); ``describe()`` is checked for every public spec class (one non-empty line that words
every field off its default); both have a table of known answers.
"""

from __future__ import annotations

import math
import re
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lrspec
from lrspec import testing as lt
from lrspec._describe import number
from lrspec._registry import function_name
from lrspec._units import Epochs, Fraction, Unit

#: The classes whose lr never holds by design: total_steps is always None.
NEVER_HOLDS = frozenset(
    {
        "StepLR",
        "ExponentialLR",
        "CosineAnnealingLR",  # periodic, as torch's: back up after T_max
        "LambdaLR",
        "MultiplicativeLR",
        "ReduceLROnPlateau",
        "CyclicLR",
        "CosineAnnealingWarmRestarts",
        "Exponential",
        "InverseTime",
        "InverseSqrt",
    }
)

SPEC_CLASSES: dict[str, type[lrspec.Schedule]] = {
    name: obj
    for name in lrspec.__all__
    if isinstance(obj := getattr(lrspec, name), type)
    and issubclass(obj, lrspec.Schedule)
    and obj not in (lrspec.Schedule, lrspec.MomentumSchedule)
}
STRATEGIES = {
    **lt.TWIN_STRATEGIES,
    **lt.SHAPE_STRATEGIES,
    **lt.CURVE_STRATEGIES,
    **lt.COMBINATOR_STRATEGIES,
}


def test_every_public_spec_class_has_a_strategy() -> None:
    assert set(SPEC_CLASSES) == set(STRATEGIES)


# --- total_steps --------------------------------------------------------------------------------


def _declares_total_steps(cls: type) -> bool:
    """A field, a ``holds_after`` or its own ``total_steps`` below :class:`lrspec.Schedule`."""
    if any(f.name == "total_steps" for f in attrs.fields(cls)) or cls.holds_after is not None:  # type: ignore[attr-defined]
        return True
    own = [k for k in cls.__mro__ if issubclass(k, lrspec.Schedule) and k is not lrspec.Schedule]
    return any("total_steps" in vars(k) for k in own)


@pytest.mark.parametrize("name", sorted(SPEC_CLASSES))
def test_every_class_declares_its_end(name: str) -> None:
    cls = SPEC_CLASSES[name]
    assert (name in NEVER_HOLDS) != _declares_total_steps(cls), (
        f"{name}: declare total_steps (a field, holds_after or a property), or list it in "
        "NEVER_HOLDS if its lr never holds"
    )


def _all_specs() -> st.SearchStrategy[lrspec.Schedule]:
    return st.sampled_from(sorted(STRATEGIES)).flatmap(lambda name: STRATEGIES[name]())


def _lr(spec: lrspec.Schedule, t: float) -> float | None:
    """The lr at ``t``, or None where the spec is not defined (OneCycleLR past its end)."""
    try:
        value: float = spec.lr(t, 1.0)
    except ValueError as exc:  # torch's words, or ours, for a OneCycleLR stepped past its end
        if re.search(r"total[ _]steps", str(exc)):
            return None
        raise
    return value


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(spec=_all_specs(), data=st.data())
def test_the_lr_holds_from_total_steps_on(spec: lrspec.Schedule, data: st.DataObject) -> None:
    if type(spec).__name__ in NEVER_HOLDS:
        assert spec.total_steps is None
    total = spec.total_steps
    assume(total is not None and not spec.metric_driven)
    assert isinstance(total, int) and total >= 0
    end = _lr(spec, total)
    if end is None:  # a OneCycleLR child stops it before it could reach its total_steps
        assert lt.step_limit(spec, total) < total
        return
    reach = 40 if spec.closed_form else 10  # replaying specs evaluate O(t)
    later = [total + k for k in range(1, reach)]
    if spec.closed_form:
        later += [total + 0.5, total + 1e3 + 0.25, data.draw(st.integers(total, total + 10**6))]
    for t in later:
        value = _lr(spec, t)
        assert value is None or value == end, (t, value, end)


@given(spec=_all_specs())
def test_the_trace_holds_too(spec: lrspec.Schedule) -> None:
    total = spec.total_steps
    assume(total is not None and not spec.metric_driven and total <= 400)
    trace = spec.trace(1.0, lt.step_limit(spec, total + 20))
    assert all(v == trace[total] for v in trace[total:])


def _cosine() -> lrspec.Cosine:
    return lrspec.Cosine(total_steps=90)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (lrspec.StepLR(step_size=3), None),
        (lrspec.MultiStepLR(milestones=[80, 30]), 80),
        (lrspec.MultiStepLR(milestones=[]), 0),
        (lrspec.ConstantLR(total_iters=7), 7),
        (lrspec.LinearLR(total_iters=7), 7),
        (lrspec.PolynomialLR(total_iters=7), 7),
        (lrspec.CosineAnnealingLR(T_max=10), None),
        (lrspec.SWALR(swa_lr=0.1, anneal_epochs=4), 4),
        (lrspec.OneCycleLR(max_lr=1.0, total_steps=100), 100),
        (lrspec.OneCycleLR(max_lr=1.0, epochs=10, steps_per_epoch=10), None),  # torch's keyword
        (lrspec.Constant(factor=0.5), 0),
        (lrspec.Linear(total_steps=10), 10),
        (lrspec.Tanh(total_steps=10), 10),
        (lrspec.PiecewiseConstant(boundaries=[3, 5], factors=[1, 0.5, 0.25]), 5),
        (lrspec.PiecewiseConstant(boundaries=[], factors=[0.5]), 0),
        (lrspec.Interpolate(steps=[-3.0, 10.5], factors=[0, 1]), 11),
        (lrspec.Interpolate(steps=[-3.0], factors=[1]), 0),
        (
            lrspec.ChainedScheduler(
                schedulers=[lrspec.ConstantLR(total_iters=5), lrspec.LinearLR(total_iters=9)]
            ),
            9,
        ),
        (
            lrspec.ChainedScheduler(schedulers=[lrspec.ConstantLR(), lrspec.StepLR(step_size=2)]),
            None,
        ),
        (lrspec.SequentialLR(schedulers=[lrspec.LinearLR(), _cosine()], milestones=[10]), 100),
        (
            lrspec.SequentialLR(
                schedulers=[_cosine(), lrspec.CosineAnnealingLR(T_max=5)], milestones=[10]
            ),
            None,
        ),
    ],
    ids=repr,
)
def test_total_steps_table(spec: lrspec.Schedule, expected: int | None) -> None:
    assert spec.total_steps == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (lambda: lrspec.warmup_cosine(500, 10_000), 10_000),
        (lambda: lrspec.wsd(500, 3000, 1000), 4500),
        (lambda: lrspec.Warmup(inner=_cosine(), steps=10, prefix=False), 90),
        (lambda: lrspec.Warmup(inner=_cosine(), steps=100, prefix=False), 100),
        (lambda: lrspec.Warmup(inner=lrspec.StepLR(step_size=2), steps=10), None),
        (lambda: lrspec.Join(schedules=[_cosine(), lrspec.Constant()], boundaries=[50]), 50),
        (lambda: lrspec.Product(schedules=[_cosine(), lrspec.Linear(total_steps=120)]), 120),
        (lambda: lrspec.Stretch(inner=_cosine(), ratio=1.5), 135),
        (lambda: lrspec.Stretch(inner=lrspec.Cosine(total_steps=3), ratio=0.1), 1),
        (lambda: lrspec.Clip(inner=_cosine(), min_factor=0.1), 90),
        (lambda: lrspec.Cycle(inner=_cosine(), period=90), None),
        (lambda: lrspec.Cycle(inner=_cosine(), period=10, period_mul=2, limit=3), 70),
        (lambda: lrspec.Cycle(inner=_cosine(), period=2.5, limit=3), 8),
    ],
)
def test_total_steps_of_the_combinators(spec: Any, expected: int | None) -> None:
    built = spec()
    assert built.total_steps == expected


# --- boundaries ---------------------------------------------------------------------------------


def test_boundaries() -> None:
    seq = lrspec.SequentialLR(
        schedulers=[lrspec.LinearLR(), _cosine(), lrspec.Constant()], milestones=[5, 95]
    )
    assert seq.boundaries == (5, 95)
    assert lrspec.StepLR(step_size=2).boundaries == ()
    join = lrspec.Join(schedules=[lrspec.Constant(), _cosine()], boundaries=[7])
    assert join.boundaries == (7,)  # the field


def test_cycle_boundaries() -> None:
    spec = lrspec.Cycle(inner=_cosine(), period=10, period_mul=2, limit=3)
    assert spec.boundaries == (10, 30)
    assert lrspec.Cycle(inner=_cosine(), period=2.5, limit=4).boundaries == (3, 5, 8)
    assert lrspec.Cycle(inner=_cosine(), period=10).boundaries is None


@given(spec=lt.cycle())
def test_cycle_boundaries_are_where_cycles_start(spec: lrspec.Cycle) -> None:
    bounds = spec.boundaries
    if spec.limit is None:
        assert bounds is None and spec.total_steps is None
        return
    assert bounds is not None and len(bounds) == spec.limit - 1
    ends = (*bounds, spec.total_steps)
    assert list(ends) == sorted(ends)
    assert set(bounds) <= spec.landmarks(max(ends))


# --- describe -----------------------------------------------------------------------------------


def test_the_issue_example() -> None:
    spec = lrspec.warmup_cosine(500, 10_000, end_factor=0.01)
    assert (
        spec.describe() == "linear warmup 500 steps to 1.0×, then cosine over 9500 steps to 0.01×"
    )


@pytest.mark.parametrize("name", sorted(SPEC_CLASSES))
def test_every_class_words_itself(name: str) -> None:
    cls = SPEC_CLASSES[name]
    assert cls.describe_format or cls.describe is not lrspec.Schedule.describe


def _texts(value: Any) -> set[str]:
    """The ways a line may word ``value``."""
    if isinstance(value, Epochs):
        return _texts(value.n)
    if isinstance(value, Fraction):
        return {f"{number(value.x * 100)}%", f"{value.exact() * 100}%", "of training"}
    if isinstance(value, float) and value.is_integer():
        return {number(value), str(int(value))}
    return {number(value)}


def _segment_words(line: str, children: Any, bounds: Any) -> None:
    for i, end in enumerate(bounds):
        start = bounds[i - 1] if i else 0
        if isinstance(start, Unit) or isinstance(end, Unit):
            assert any(t in line for t in _texts(end)), (end, line)
        elif children[i].total_steps != end - start:
            assert f"for {end - start} step" in line, (end - start, line)


def _check_words(spec: lrspec.Schedule) -> None:
    line = spec.describe()
    assert line and "\n" not in line and line == line.strip()
    segmented = {"Join": "boundaries", "SequentialLR": "milestones"}.get(type(spec).__name__)
    for field in attrs.fields(type(spec)):
        value = getattr(spec, field.name)
        if field.default is not attrs.NOTHING and value == field.default:
            continue
        if value is None:
            continue
        if field.name == segmented:
            _segment_words(line, spec.children, value)
        elif isinstance(value, lrspec.Schedule):
            assert value.describe() in line
        elif isinstance(value, tuple):
            for item in value:
                words = {item.describe()} if isinstance(item, lrspec.Schedule) else _texts(item)
                assert any(w in line for w in words), (field.name, item, line)
        elif isinstance(value, bool):
            try:
                flipped = attrs.evolve(spec, **{field.name: not value})
            except (TypeError, ValueError):
                continue
            assert flipped.describe() != line, (field.name, line)
        elif isinstance(value, str):
            assert value in line, (field.name, line)
        elif callable(value):
            assert (function_name(value) or value.__name__) in line
        else:
            assert any(t in line for t in _texts(value)), (field.name, value, line)


@pytest.mark.parametrize("name", sorted(SPEC_CLASSES))
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_describe_words_every_field_off_its_default(name: str, data: st.DataObject) -> None:
    _check_words(data.draw(STRATEGIES[name]()))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (lrspec.StepLR(step_size=30), "step decay ×0.1 every 30 steps"),
        (lrspec.MultiStepLR(milestones=[30, 80], gamma=0.5), "step decay ×0.5 at steps 30, 80"),
        (lrspec.ConstantLR(factor=0.5, total_iters=1), "0.5× for 1 step, then 1.0×"),
        (lrspec.LinearLR(), "linear from 0.3333× to 1.0× over 5 steps"),
        (lrspec.ExponentialLR(gamma=0.95), "exponential ×0.95 per step"),
        (lrspec.CosineAnnealingLR(T_max=100, eta_min=1e-5),
         "cosine annealing over 100 steps to lr 1e-05, periodic"),
        (lrspec.OneCycleLR(max_lr=0.1, epochs=10, steps_per_epoch=100),
         "one cycle (cos) peaking at lr 0.1 over 1000 steps, epochs=10, steps_per_epoch=100"),
        (lrspec.ReduceLROnPlateau(patience=3), "×0.1 on plateau (min, patience 3)"),
        (lrspec.Constant(factor=0.5), "constant 0.5×"),
        (lrspec.Cosine(total_steps=100, exponent=2), "cosine over 100 steps to 0.0×, exponent=2.0"),
        (lrspec.Exponential(rate=0.5, transition_steps=2, end_factor=0.1),
         "exponential ×0.5 every 2 steps, end_factor=0.1"),
        (lrspec.PiecewiseConstant(boundaries=[3, 5], factors=[1, 0.5, 0.25]),
         "piecewise constant 1.0×, 0.5× from step 3, 0.25× from step 5"),
        (lrspec.Interpolate(steps=[0, 10], factors=[0, 1], kind="cosine"),
         "cosine interpolation through 0.0× at step 0, 1.0× at step 10"),
        (lrspec.SequentialLR(schedulers=[lrspec.Constant(), _cosine()], milestones=[10]),
         "constant 1.0× for 10 steps, then cosine over 90 steps to 0.0×"),
        (lrspec.SequentialLR(schedulers=[lrspec.Linear(total_steps=10), _cosine()],
                             milestones=[10]),
         "linear from 1.0× to 0.0× over 10 steps, then cosine over 90 steps to 0.0×"),
        (lrspec.ChainedScheduler(schedulers=[lrspec.ConstantLR(factor=0.5),
                                             lrspec.StepLR(step_size=2)]),
         "(0.5× for 5 steps, then 1.0×) chained with (step decay ×0.1 every 2 steps)"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, lrspec.Schedule) else "",
)  # fmt: skip
def test_describe_table(spec: lrspec.Schedule, expected: str) -> None:
    assert spec.describe() == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (lambda: lrspec.wsd(500, 3000, 1000, decay="1-sqrt"),
         "linear warmup 500 steps to 1.0×, then constant 1.0× for 3000 steps, "
         "then 1-sqrt decay over 1000 steps to 0.0×"),
        (lambda: lrspec.Warmup(inner=_cosine(), steps=10, start_factor=0.1, prefix=False),
         "(cosine over 90 steps to 0.0×) overlaid with a linear warmup 10 steps from 0.1× to "
         "0.9698×"),
        (lambda: lrspec.Cycle(inner=_cosine(), period=90, period_mul=2, decay=0.5, limit=3),
         "(cosine over 90 steps to 0.0×) in cycles of 90 steps, each 2.0× longer, "
         "peak ×0.5 per cycle, 3 cycles, then held"),
        (lambda: lrspec.Product(schedules=[_cosine(), lrspec.StepLR(step_size=3)]),
         "(cosine over 90 steps to 0.0×) × (step decay ×0.1 every 3 steps)"),
        (lambda: lrspec.Stretch(inner=_cosine(), ratio=2),
         "(cosine over 90 steps to 0.0×) stretched 2.0× in time"),
        (lambda: lrspec.Clip(inner=lrspec.ExponentialLR(gamma=0.5), min_factor=0.2, max_factor=0.9),
         "(exponential ×0.5 per step) clipped to [0.2×, 0.9×]"),
        (lambda: lrspec.Join(schedules=[lrspec.Constant(), lrspec.StepLR(step_size=5)],
                             boundaries=["1ep"]),
         "constant 1.0× until epoch 1, then step decay ×0.1 every 5 steps"),
    ],
)  # fmt: skip
def test_describe_the_combinators(spec: Any, expected: str) -> None:
    built = spec()
    assert built.describe() == expected


# --- units --------------------------------------------------------------------------------------


def test_unresolved_specs_word_their_units() -> None:
    assert lrspec.Linear(total_steps="10ep").describe() == "linear from 1.0× to 0.0× over 10 epochs"
    assert lrspec.Cosine(total_steps="0.1dur").describe() == "cosine over 10% of training to 0.0×"
    assert lrspec.StepLR(step_size="1ep").describe() == "step decay ×0.1 every 1 epoch"
    assert "steps 1ep" not in lrspec.MultiStepLR(milestones=["1ep", "2ep"]).describe()
    assert lrspec.MultiStepLR(milestones=["1ep", "2ep"]).describe().endswith("epoch 1, epoch 2")


def test_total_steps_of_unresolved_specs() -> None:
    # one step field as written: the field, unit and all
    assert lrspec.Linear(total_steps="10ep").total_steps == Epochs(10)
    assert lrspec.LinearLR(total_iters="0.5dur").total_steps == Fraction(0.5)
    # computed from several values: the error evaluation raises, naming the field
    with pytest.raises(ValueError, match=r"not resolved: milestones\[0\] is Epochs\(1\)"):
        lrspec.MultiStepLR(milestones=["1ep"]).total_steps  # noqa: B018
    seq = lrspec.SequentialLR(
        schedulers=[lrspec.Linear(total_steps="1ep"), _cosine()], milestones=[5]
    )
    with pytest.raises(ValueError, match=r"schedulers\[0\]\.total_steps is Epochs\(1\)"):
        seq.total_steps  # noqa: B018


@given(case=lt.written_in_units(_all_specs()))
def test_resolving_gives_the_total_of_the_spec_in_steps(case: Any) -> None:
    spec, written, quantities = case
    line = written.describe()
    assert line and "\n" not in line
    assert lrspec.resolve(written, **quantities).total_steps == spec.total_steps
    try:
        total = written.total_steps
    except ValueError as exc:
        assert "not resolved" in str(exc)
        return
    if isinstance(total, Unit):
        assert lrspec.resolve(written, **quantities).total_steps == spec.total_steps
    else:
        assert total == spec.total_steps


def test_numbers_are_short() -> None:
    assert number(1 / 3) == "0.3333"
    assert number(1e-5) == "1e-05"
    assert number(0.1 + 0.2) == "0.3"
    assert math.isclose(float(number(2 / 3)), 2 / 3, rel_tol=1e-3)
