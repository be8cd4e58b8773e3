"""lrspec: learning-rate schedules as values.

Every ``torch.optim.lr_scheduler`` class (and ``SWALR``) has a frozen, validated,
serialisable twin here whose learning rate is a pure function of the epoch:

>>> import lrspec
>>> spec = lrspec.StepLR(step_size=2, gamma=0.5)
>>> spec.lr(4, base_lr=1.0)
0.25
>>> spec.trace(1.0, 4)
[1.0, 1.0, 0.5, 0.5, 0.25]

The core never imports torch; the torch backend lives in ``lrspec_torch``.
"""

from lrspec import functional, stepping
from lrspec._base import Schedule
from lrspec._combinators import Clip, Join, Product, Stretch, Warmup
from lrspec._composite import ChainedScheduler, SequentialLR
from lrspec._cosine_annealing import CosineAnnealingLR
from lrspec._curves import InverseSqrt, InverseTime, Tanh
from lrspec._cycles import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from lrspec._decay import (
    ConstantLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from lrspec._hf import HF_SCHEDULERS, from_hf
from lrspec._lambda import LambdaLR, MultiplicativeLR
from lrspec._momentum import MomentumSchedule
from lrspec._piecewise import Interpolate, PiecewiseConstant
from lrspec._plateau import ReduceLROnPlateau
from lrspec._presets import warmup_cosine, wsd
from lrspec._registry import register_function
from lrspec._restarts import Cycle
from lrspec._serialize import from_dict, parse, to_dict
from lrspec._shapes import Constant, Cosine, Exponential, Linear, OneMinusSqrt, Polynomial
from lrspec._swa import SWALR
from lrspec._units import Epochs, Fraction, resolve

#: The spec classes that mirror a torch scheduler, by torch's class name.
TORCH_TWINS: tuple[type[Schedule], ...] = (
    LambdaLR,
    MultiplicativeLR,
    StepLR,
    MultiStepLR,
    ConstantLR,
    LinearLR,
    ExponentialLR,
    PolynomialLR,
    CosineAnnealingLR,
    ChainedScheduler,
    SequentialLR,
    ReduceLROnPlateau,
    CyclicLR,
    OneCycleLR,
    CosineAnnealingWarmRestarts,
    SWALR,
)

__version__ = "0.1.0"

__all__ = [
    "HF_SCHEDULERS",
    "SWALR",
    "TORCH_TWINS",
    "ChainedScheduler",
    "Clip",
    "Constant",
    "ConstantLR",
    "Cosine",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "Cycle",
    "CyclicLR",
    "Epochs",
    "Exponential",
    "ExponentialLR",
    "Fraction",
    "Interpolate",
    "InverseSqrt",
    "InverseTime",
    "Join",
    "LambdaLR",
    "Linear",
    "LinearLR",
    "MomentumSchedule",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "OneMinusSqrt",
    "PiecewiseConstant",
    "Polynomial",
    "PolynomialLR",
    "Product",
    "ReduceLROnPlateau",
    "Schedule",
    "SequentialLR",
    "StepLR",
    "Stretch",
    "Tanh",
    "Warmup",
    "__version__",
    "from_dict",
    "from_hf",
    "functional",
    "parse",
    "register_function",
    "resolve",
    "stepping",
    "to_dict",
    "warmup_cosine",
    "wsd",
]
