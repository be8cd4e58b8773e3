"""The peers the catalogue is checked against, imported once: jax, ``jax.numpy`` and optax.

A test module importing from here is skipped when a peer is absent locally
(``pip install --group peers``); under ``CI=true`` a missing peer fails instead: CI never skips.
"""

from __future__ import annotations

import os

import pytest

try:
    import jax
    import jax.numpy as jnp
    import optax
except ImportError as exc:  # pragma: no cover - depends on the environment
    if os.environ.get("CI") == "true":
        raise
    pytest.skip(
        f"{exc.name} is not installed (`pip install --group peers`); CI=true never skips",
        allow_module_level=True,
    )

__all__ = ["jax", "jnp", "optax"]
