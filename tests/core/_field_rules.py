"""The per-field validation rules of every public spec (the data test_validation runs).

``FIELDS`` declares, per spec class, constructor arguments valid with any one replaced and
the rule of every field; ``TABLE_FIELDS`` lists the fields checked by hand-written tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

import lrspec
from lrspec import (
    SWALR,
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

NAN = float("nan")
INF = float("inf")


# --- per-field rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class Real:
    """A finite real number within bounds (``gt``/``ge`` below, ``lt``/``le`` above)."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    rejected: tuple[float, ...] = ()  # in range, but refused by a cross-argument rule

    def bad_types(self) -> list[object]:
        return ["0.5", b"0.5", True, False, None, [0.5], 0.5j, Decimal("0.5")]

    def bad_values(self) -> list[object]:
        out: list[object] = [NAN, INF, -INF]
        if self.gt is not None:
            out += [self.gt, self.gt - 0.5]
        if self.ge is not None:
            out += [self.ge - 1e-9, self.ge - 1.0]
        if self.lt is not None:
            out += [self.lt, self.lt + 0.5]
        if self.le is not None:
            out += [self.le + 1e-9, self.le + 1.0]
        # floats, because the message shows the value after normalisation to float
        return [float(v) for v in out]

    def good_values(self) -> list[object]:
        low = self.gt if self.gt is not None else self.ge
        high = self.lt if self.lt is not None else self.le
        inside = (low + high) / 2 if high is not None else low + 0.5  # type: ignore[operator]
        out = [inside]
        if self.ge is not None:
            out.append(self.ge)
        if self.le is not None:
            out.append(self.le)
        if self.gt is not None:
            out.append(self.gt + 1e-12)
        return [v for v in out if v not in self.rejected]

    def numpy_value(self) -> object:
        return np.float64(self.good_values()[0])


@dataclass(frozen=True)
class Int:
    """An int (bool excluded) >= ``ge``; ``optional`` also takes None."""

    ge: int
    optional: bool = False

    def bad_types(self) -> list[object]:
        # Integral reals (3.0, np.float64(3.0), Fraction(3)) are converted: see
        # test_integral_reals_become_ints. Non-integral and non-finite ones are not ints.
        out: list[object] = [
            self.ge + 1.5,
            True,
            False,
            "3",
            [3],
            np.float64(self.ge + 0.5),
            Fraction(2 * self.ge + 1, 2),
            NAN,
            INF,
        ]
        if not self.optional:
            out.append(None)
        return out

    def integral_values(self) -> list[object]:
        """Reals with an integer value, which torch runs exactly like the int."""
        n = self.ge + 7
        return [float(n), np.float64(n), np.float32(n), Fraction(n)]

    def bad_values(self) -> list[object]:
        # 2**53 + 1: past the last int a float holds exactly (step counts stop at 2**53)
        return [self.ge - 1, self.ge - 5, -(10**20), 2**53 + 1]

    def good_values(self) -> list[object]:
        return [self.ge, self.ge + 7]

    def numpy_value(self) -> object:
        return np.int64(self.ge + 1)


@dataclass(frozen=True)
class OneOf:
    choices: tuple[str, ...]

    def bad_types(self) -> list[object]:
        return [1, None, self.choices[0].encode(), [self.choices[0]]]

    def bad_values(self) -> list[object]:
        first = self.choices[0]
        return ["", first.upper(), f"{first} ", "unknown"]

    def good_values(self) -> list[object]:
        return list(self.choices)

    def numpy_value(self) -> object:
        return None


@dataclass(frozen=True)
class Bool:
    def bad_types(self) -> list[object]:
        return [1, 0, 1.0, "True", None]

    def bad_values(self) -> list[object]:
        return []

    def good_values(self) -> list[object]:
        return [True, False]

    def numpy_value(self) -> object:
        return None


def _halve(epoch: int) -> float:
    return 0.5


@dataclass(frozen=True)
class Function:
    optional: bool = False

    def bad_types(self) -> list[object]:
        out: list[object] = [5, "lambda epoch: 0.5", [_halve]]
        if not self.optional:
            out.append(None)
        return out

    def bad_values(self) -> list[object]:
        return []

    def good_values(self) -> list[object]:
        return [_halve, lambda epoch: 1.0, abs]

    def numpy_value(self) -> object:
        return None


Rule = Real | Int | OneOf | Bool | Function

#: torch accepts any momentum >= 0 (its own tests use max_momentum=5.0)
MOMENTUM = Real(ge=0)

#: Per spec class: constructor arguments that are valid with any single one replaced, and the
#: rule of every field that has a per-field rule. Composites are covered by COMPOSITE_CASES.
FIELDS: dict[type, tuple[dict[str, Any], dict[str, Rule]]] = {
    StepLR: ({"step_size": 3}, {"step_size": Int(ge=1), "gamma": Real(gt=0)}),
    MultiStepLR: ({"milestones": [2, 5]}, {"gamma": Real(gt=0)}),
    ConstantLR: ({}, {"factor": Real(gt=0, le=1), "total_iters": Int(ge=1)}),
    LinearLR: (
        {},
        {
            "start_factor": Real(gt=0, le=1),
            "end_factor": Real(ge=0, le=1),
            "total_iters": Int(ge=1),
        },
    ),
    ExponentialLR: ({"gamma": 0.9}, {"gamma": Real(gt=0)}),
    PolynomialLR: ({}, {"total_iters": Int(ge=1), "power": Real(ge=0)}),
    CosineAnnealingLR: ({"T_max": 10}, {"T_max": Int(ge=1), "eta_min": Real(ge=0)}),
    LambdaLR: ({"lr_lambda": _halve}, {"lr_lambda": Function()}),
    MultiplicativeLR: ({"lr_lambda": _halve}, {"lr_lambda": Function()}),
    ReduceLROnPlateau: (
        {},
        {
            "mode": OneOf(("min", "max")),
            "factor": Real(gt=0, lt=1),
            "patience": Int(ge=0),
            "threshold": Real(ge=0),
            "threshold_mode": OneOf(("rel", "abs")),
            "cooldown": Int(ge=0),
            "min_lr": Real(ge=0),
            "eps": Real(ge=0),
        },
    ),
    CyclicLR: (
        {"base_lr": 0.1, "max_lr": 1.0},
        {
            "base_lr": Real(ge=0),
            "max_lr": Real(ge=0),
            "step_size_up": Int(ge=1),
            "step_size_down": Int(ge=1, optional=True),
            "mode": OneOf(("triangular", "triangular2", "exp_range")),
            "gamma": Real(gt=0),
            "scale_fn": Function(optional=True),
            "scale_mode": OneOf(("cycle", "iterations")),
            "cycle_momentum": Bool(),
            "base_momentum": MOMENTUM,
            "max_momentum": MOMENTUM,
        },
    ),
    OneCycleLR: (
        {"max_lr": 1.0, "total_steps": 100},
        {
            "max_lr": Real(gt=0),
            "total_steps": Int(ge=1, optional=True),
            # pct_start=1.0 is in range but leaves a zero-length phase (see ONE_CYCLE_CASES)
            "pct_start": Real(ge=0, le=1, rejected=(1.0,)),
            "anneal_strategy": OneOf(("cos", "linear")),
            "cycle_momentum": Bool(),
            "base_momentum": MOMENTUM,
            "max_momentum": MOMENTUM,
            "div_factor": Real(gt=0),
            "final_div_factor": Real(gt=0),
            "three_phase": Bool(),
        },
    ),
    CosineAnnealingWarmRestarts: (
        {"T_0": 10},
        {"T_0": Int(ge=1), "T_mult": Int(ge=1), "eta_min": Real(ge=0)},
    ),
    SWALR: (
        {"swa_lr": 0.05},
        {
            "swa_lr": Real(ge=0),
            "anneal_epochs": Int(ge=0),
            "anneal_strategy": OneOf(("cos", "linear")),
        },
    ),
}

#: Fields whose value rules involve other arguments; base kwargs that let them vary alone.
CONTEXT: dict[tuple[type, str], dict[str, Any]] = {
    (OneCycleLR, "epochs"): {"max_lr": 1.0, "steps_per_epoch": 10},
    (OneCycleLR, "steps_per_epoch"): {"max_lr": 1.0, "epochs": 10},
}
FIELDS[OneCycleLR][1].update(
    {"epochs": Int(ge=1, optional=True), "steps_per_epoch": Int(ge=1, optional=True)}
)

#: Fields validated by the hand-written tables below rather than by a FIELDS rule.
TABLE_FIELDS = {
    (MultiStepLR, "milestones"),
    (ChainedScheduler, "schedulers"),
    (SequentialLR, "schedulers"),
    (SequentialLR, "milestones"),
}

# --- the catalogue (lrspec's own specs): one block per family ------------------------------

# catalogue: decay shapes (Exponential.end_factor, whose rule depends on rate: in TABLE_FIELDS,
# with its hand-written cases in tests/core/test_shapes.py)
_T10 = {"total_steps": 10}
FIELDS.update(
    {
        lrspec.Constant: ({}, {"factor": Real(ge=0)}),
        lrspec.Linear: (
            _T10,
            {"total_steps": Int(ge=1), "start_factor": Real(ge=0), "end_factor": Real(ge=0)},
        ),
        lrspec.Cosine: (
            _T10,
            {
                "total_steps": Int(ge=1),
                "end_factor": Real(ge=0),
                "exponent": Real(gt=0),
                "k": Real(gt=0),
            },
        ),
        lrspec.Polynomial: (
            _T10,
            {
                "total_steps": Int(ge=1),
                "end_factor": Real(ge=0),
                "power": Real(gt=0),
                "k": Real(gt=0),
            },
        ),
        lrspec.OneMinusSqrt: (_T10, {"total_steps": Int(ge=1), "end_factor": Real(ge=0)}),
        lrspec.Exponential: (
            {"rate": 0.5},
            {"rate": Real(gt=0), "transition_steps": Int(ge=1), "staircase": Bool()},
        ),
    }
)
TABLE_FIELDS.add((lrspec.Exponential, "end_factor"))

# catalogue: curves and piecewise shapes (PiecewiseConstant and Interpolate's tuples and
# Tanh's lower/upper range: in TABLE_FIELDS, hand-written cases in tests/core/test_curves.py)
FIELDS.update(
    {
        lrspec.InverseTime: (
            {"decay_steps": 10, "rate": 0.5},
            {"decay_steps": Int(ge=1), "rate": Real(ge=0), "staircase": Bool()},
        ),
        lrspec.InverseSqrt: ({}, {"timescale": Int(ge=1)}),
        lrspec.Tanh: ({"total_steps": 10}, {"total_steps": Int(ge=1), "end_factor": Real(ge=0)}),
        lrspec.Interpolate: (
            {"steps": [0, 10], "factors": [1.0, 0.0]},
            {"kind": OneOf(("linear", "cosine"))},
        ),
    }
)
TABLE_FIELDS |= {
    (lrspec.Tanh, "lower"),
    (lrspec.Tanh, "upper"),
    (lrspec.PiecewiseConstant, "boundaries"),
    (lrspec.PiecewiseConstant, "factors"),
    (lrspec.Interpolate, "steps"),
    (lrspec.Interpolate, "factors"),
}

# catalogue: combinators (child specs, Join.boundaries and Clip.max_factor: in TABLE_FIELDS,
# with their hand-written cases in tests/core/test_combinators.py)
FIELDS.update(
    {
        lrspec.Warmup: (
            {"inner": ExponentialLR(gamma=0.9), "steps": 5, "start_factor": 0.1},
            {
                "steps": Int(ge=0),
                "start_factor": Real(ge=0),
                "kind": OneOf(("linear", "cosine", "exponential", "1-sqrt")),
                "prefix": Bool(),
            },
        ),
        lrspec.Stretch: ({"inner": ExponentialLR(gamma=0.9), "ratio": 2.0}, {"ratio": Real(gt=0)}),
        lrspec.Clip: ({"inner": ExponentialLR(gamma=0.9)}, {"min_factor": Real(ge=0)}),
        lrspec.Cycle: (
            {"inner": ExponentialLR(gamma=0.9), "period": 5},
            {
                "period": Real(gt=0),
                "period_mul": Real(ge=1),
                "decay": Real(gt=0),
                "floor": Real(ge=0),
                "limit": Int(ge=1, optional=True),
            },
        ),
    }
)
TABLE_FIELDS |= {
    (lrspec.Join, "schedules"),
    (lrspec.Join, "boundaries"),
    (lrspec.Warmup, "inner"),
    (lrspec.Product, "schedules"),
    (lrspec.Stretch, "inner"),
    (lrspec.Clip, "inner"),
    (lrspec.Clip, "max_factor"),
    (lrspec.Cycle, "inner"),
}


def _base(cls: type, name: str) -> dict[str, Any]:
    return dict(CONTEXT.get((cls, name), FIELDS[cls][0]))


# --- time units: which fields count steps ----------------------------------------------------

#: Every step field: it takes an int (a float for a step position) or a unit value
#: (``Epochs`` / ``Fraction``, ``"10ep"`` / ``"0.1dur"``) that ``lrspec.resolve`` makes steps.
STEP_FIELDS = {
    (StepLR, "step_size"),
    (MultiStepLR, "milestones"),
    (ConstantLR, "total_iters"),
    (LinearLR, "total_iters"),
    (PolynomialLR, "total_iters"),
    (CosineAnnealingLR, "T_max"),
    (CyclicLR, "step_size_up"),
    (CyclicLR, "step_size_down"),
    (OneCycleLR, "total_steps"),
    (CosineAnnealingWarmRestarts, "T_0"),
    (SWALR, "anneal_epochs"),
    (SequentialLR, "milestones"),
    (lrspec.Linear, "total_steps"),
    (lrspec.Cosine, "total_steps"),
    (lrspec.Polynomial, "total_steps"),
    (lrspec.OneMinusSqrt, "total_steps"),
    (lrspec.Exponential, "transition_steps"),
    (lrspec.InverseTime, "decay_steps"),
    (lrspec.InverseSqrt, "timescale"),
    (lrspec.Tanh, "total_steps"),
    (lrspec.PiecewiseConstant, "boundaries"),
    (lrspec.Interpolate, "steps"),  # float knots: resolved exactly, never rounded
    (lrspec.Join, "boundaries"),
    (lrspec.Warmup, "steps"),
    (lrspec.Cycle, "period"),  # a float period: resolved exactly, never rounded
}

#: Step fields whose module still has to swap in the step converter/validator (``c.as_steps``
#: and friends); remove an entry once its field takes units.
AWAITING_UNITS: set[tuple[type, str]] = set()

#: Int fields that are not step counts, and why (they never take units).
NOT_STEPS = {
    (ReduceLROnPlateau, "patience"): "counts metric evaluations (step(metric) calls)",
    (ReduceLROnPlateau, "cooldown"): "counts metric evaluations (step(metric) calls)",
    (OneCycleLR, "epochs"): "torch's epochs * steps_per_epoch form; write total_steps='10ep'",
    (OneCycleLR, "steps_per_epoch"): "a rate (steps per epoch), the quantity resolve takes",
    (CosineAnnealingWarmRestarts, "T_mult"): "a multiplier of the period, not a count",
    (lrspec.Cycle, "limit"): "counts cycles",
}
