"""Testing helpers: Hypothesis strategies for every spec, and equivalence assertions.

The strategies generate *valid* configurations, biased towards the edges where schedulers
go wrong: step counts that land on milestones and period boundaries, ``T_max = 1``, gammas
and factors near 0 and exactly 1, empty milestone lists, zero-length warm-ups. Functions
held by generated specs (``LambdaLR.lr_lambda``, ``CyclicLR.scale_fn``, ...) come from a
small fixed set of module-level functions registered as ``lrspec_testing_<name>``, so
generated specs pickle and round-trip through :func:`lrspec.to_dict`.

The assertions compare a spec with *any* scheduler object that has ``step()`` and
``get_last_lr()`` -- a torch scheduler, or your own -- without this module importing torch:

>>> import lrspec
>>> from lrspec.testing import assert_trace_matches
>>> class Halving:  # a stand-in for a torch scheduler
...     def __init__(self, lr):
...         self.lr = lr
...     def step(self):
...         self.lr = self.lr * 0.5
...     def get_last_lr(self):
...         return [self.lr]
>>> values = assert_trace_matches(lrspec.ExponentialLR(gamma=0.5), Halving, 1.0, 3)
>>> values
[1.0, 0.5, 0.25, 0.125]

This module needs ``hypothesis`` (a test dependency); importing it never imports torch.
"""

from lrspec.testing._assertions import (
    SchedulerLike,
    assert_lr_close,
    assert_trace_matches,
    same_float,
)
from lrspec.testing._functions import (
    LAMBDA_FUNCTIONS,
    MULTIPLICATIVE_FUNCTIONS,
    SCALE_FUNCTIONS,
    alternate,
    decay95,
    factor99,
    half,
    halve_every7,
    halving_scale,
    inverse_time,
    one,
    slow_decay_scale,
    tiny_factor,
    warmup10,
    zero_after20,
)
from lrspec.testing._strategies import (
    MAX_STEPS,
    TWIN_STRATEGIES,
    base_lrs,
    chained_scheduler,
    constant_lr,
    cosine_annealing_lr,
    cosine_annealing_warm_restarts,
    cyclic_lr,
    exponential_lr,
    lambda_lr,
    leaf_specs,
    linear_lr,
    metric_streams,
    multiplicative_lr,
    multistep_lr,
    one_cycle_lr,
    polynomial_lr,
    reduce_lr_on_plateau,
    sequential_lr,
    specs,
    step_limit,
    step_lr,
    steps,
    swalr,
)
from lrspec.testing._strategies_combinators import (
    COMBINATOR_STRATEGIES,
    clip,
    combinator_children,
    combinators,
    cycle,
    join,
    product,
    stretch,
    warmup,
)
from lrspec.testing._strategies_curves import (
    CURVE_STRATEGIES,
    interpolate,
    inverse_sqrt_decay,
    inverse_time_decay,
    piecewise_constant,
    tanh_decay,
)
from lrspec.testing._strategies_metric import metric_compositions
from lrspec.testing._strategies_shapes import (
    SHAPE_STRATEGIES,
    constant,
    cosine,
    exponential,
    linear,
    one_minus_sqrt,
    polynomial,
)
from lrspec.testing._strategies_units import written_in_units

__all__ = [
    "COMBINATOR_STRATEGIES",
    "CURVE_STRATEGIES",
    "LAMBDA_FUNCTIONS",
    "MAX_STEPS",
    "MULTIPLICATIVE_FUNCTIONS",
    "SCALE_FUNCTIONS",
    "SHAPE_STRATEGIES",
    "TWIN_STRATEGIES",
    "SchedulerLike",
    "alternate",
    "assert_lr_close",
    "assert_trace_matches",
    "base_lrs",
    "chained_scheduler",
    "clip",
    "combinator_children",
    "combinators",
    "constant",
    "constant_lr",
    "cosine",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cycle",
    "cyclic_lr",
    "decay95",
    "exponential",
    "exponential_lr",
    "factor99",
    "half",
    "halve_every7",
    "halving_scale",
    "interpolate",
    "inverse_sqrt_decay",
    "inverse_time",
    "inverse_time_decay",
    "join",
    "lambda_lr",
    "leaf_specs",
    "linear",
    "linear_lr",
    "metric_compositions",
    "metric_streams",
    "multiplicative_lr",
    "multistep_lr",
    "one",
    "one_cycle_lr",
    "one_minus_sqrt",
    "piecewise_constant",
    "polynomial",
    "polynomial_lr",
    "product",
    "reduce_lr_on_plateau",
    "same_float",
    "sequential_lr",
    "slow_decay_scale",
    "specs",
    "step_limit",
    "step_lr",
    "steps",
    "stretch",
    "swalr",
    "tanh_decay",
    "tiny_factor",
    "warmup",
    "warmup10",
    "written_in_units",
    "zero_after20",
]
