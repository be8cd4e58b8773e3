"""The tutorial's comparison, defined once: its runs (names and specs) and its settings.

Torch-free, so that ``lrspec plot`` can offer the tutorial's runs by name without torch;
``lrspec compare`` and :mod:`lrspec_torch._regression` read the same definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import lrspec

#: The tutorial's data: ``N`` samples of ``FEATURES`` features; SGD at ``LR`` for ``EPOCHS``.
N = 1000
FEATURES = 5
EPOCHS = 100
LR = 0.25
SEED = 42


def tutorial_lambda(epoch: int) -> float:
    """The tutorial's LambdaLR factor ``0.95 ** epoch`` (registered as ``tutorial_lambda``)."""
    return float(0.95**epoch)


# Registered on import, so the LambdaLR run has a text form that parses back to it.
lrspec.register_function("tutorial_lambda", tutorial_lambda)

#: The tutorial's runs, in its order: ``none`` (no scheduler) and six schedulers.
TUTORIAL_RUNS: Mapping[str, lrspec.Schedule | None] = MappingProxyType(
    {
        "none": None,
        "StepLR": lrspec.StepLR(step_size=1, gamma=0.9),
        "MultiStepLR": lrspec.MultiStepLR(milestones=[30, 80], gamma=0.1),
        "ExponentialLR": lrspec.ExponentialLR(gamma=0.95),
        "CosineAnnealingLR": lrspec.CosineAnnealingLR(T_max=100),
        "ReduceLROnPlateau": lrspec.ReduceLROnPlateau(mode="min", patience=10, factor=0.1),
        "LambdaLR": lrspec.LambdaLR(lr_lambda=tutorial_lambda),
    }
)


def tutorial_specs() -> dict[str, lrspec.Schedule | None]:
    """The tutorial's runs by name (a fresh dict of :data:`TUTORIAL_RUNS`).

    >>> tutorial_specs()["LambdaLR"]
    LambdaLR(lr_lambda=fn('tutorial_lambda'))
    """
    return dict(TUTORIAL_RUNS)
