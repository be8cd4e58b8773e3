"""The peers the catalogue is checked against, each imported once, on first use.

* ``jax``, ``jnp`` (``jax.numpy``) and ``optax``: optax's schedules on JAX (CPU);
* ``transformers`` and ``hf`` (``transformers.optimization``: ``get_scheduler``,
  ``TYPE_TO_SCHEDULER_FUNCTION``, ``SchedulerType``): HF's schedulers, stepping torch.

``from _peers import optax`` imports only what it names, so a test module is skipped, with the
missing package as the reason, only when one of *its* peers is absent locally
(``pip install --group peers``; transformers also needs torch). Under ``CI=true`` a missing
peer fails instead: CI never skips.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

#: attribute -> module it stands for.
_MODULES = {
    "jax": "jax",
    "jnp": "jax.numpy",
    "optax": "optax",
    "transformers": "transformers",
    "hf": "transformers.optimization",
}

__all__ = ["hf", "jax", "jnp", "optax", "transformers"]  # noqa: F822 - provided by __getattr__


def __getattr__(name: str) -> ModuleType:
    try:
        module_name = _MODULES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        if os.environ.get("CI") == "true":
            raise
        missing = exc.name or module_name
        needed_by = "" if missing == module_name else f", needed by {module_name}"
        pytest.skip(
            f"{missing} is not installed (`pip install --group peers`{needed_by}); "
            "CI=true never skips",
            allow_module_level=True,
        )
    globals()[name] = module  # imported once: later look-ups find it without __getattr__
    return module
