"""The contract between a spec and a backend that applies it to real param groups.

A spec's :meth:`~lrspec.Schedule.twin` builds a :class:`Stepper` on one param group (a
``dict`` holding at least ``"lr"``): the replay of its torch scheduler, acting on the group
exactly as torch would. A backend (``lrspec_torch.SpecLR``) holds one stepper per group and
drives it through this protocol only; the helpers below are how a backend reads and writes a
group the way torch does (a tensor lr is filled in place, Adam's ``betas[0]`` is the
momentum).

What a backend may call, mirroring the hooks torch itself calls on a scheduler:

* ``step()`` / ``step(metric)`` -- one scheduler step (``metric`` for metric-driven specs);
* ``bind(group)`` -- act on another dict from now on (``Optimizer.load_state_dict``
  replaces the groups);
* ``state_dict()`` / ``load_state_dict(state)`` -- the stepping state, plain data;
* ``undo()``, ``initial_step()``, ``restart(epoch)`` -- what torch's own ``SequentialLR``
  does to its children (``recursive_undo``, ``_initial_step``, ``_update_lr(epoch)``), so a
  backend scheduler can be a child of torch's composites. A stepper that torch could not
  drive that way (metric-driven, or a composite restarted at a milestone) raises.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

#: One optimizer param group (torch's ``optimizer.param_groups[i]``).
Group = dict[str, Any]


@runtime_checkable
class Stepper(Protocol):
    """One param group's replay of a spec, as a backend drives it."""

    def step(self, metric: Any = None) -> None:
        """One scheduler step; ``metric`` is required by metric-driven specs only."""

    def bind(self, group: Group) -> None:
        """Act on ``group`` from now on."""

    def state_dict(self) -> dict[str, Any]:
        """The stepping state: plain numbers (tensors for a tensor lr)."""
        ...

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s state; ValueError if it was saved by another kind."""

    def undo(self) -> None:
        """torch's ``SequentialLR.recursive_undo`` on this scheduler."""

    def initial_step(self) -> None:
        """torch's ``LRScheduler._initial_step``: step once as at construction."""

    def restart(self, epoch: int) -> None:
        """torch's ``LRScheduler._update_lr(epoch)``: jump to ``epoch`` (SequentialLR's restart)."""


def clone(value: Any) -> Any:
    """Copy a tensor hyperparameter (torch clones them); numbers are immutable."""
    return value.clone() if hasattr(value, "clone") else value


def write(group: Group, key: str, value: Any) -> None:
    """Store ``value`` like torch's ``_update_param_group_val``: tensors are filled in place."""
    old = group.get(key)
    if type(old) is float:  # the common case first
        group[key] = value
    elif old is not None and hasattr(old, "fill_"):
        if hasattr(value, "dim") and value.dim() != 0:
            value = value.squeeze()
        old.fill_(value)
    else:
        group[key] = value


def get_momentum(group: Group) -> Any:
    """The group's momentum as torch's cyclic schedulers see it: Adam's ``betas[0]``."""
    return group["betas"][0] if "betas" in group else group["momentum"]


def set_momentum(group: Group, value: Any) -> None:
    """Write momentum the way torch does: ``betas[0]`` for Adam-style groups."""
    if "betas" in group:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


__all__ = ["Group", "Stepper", "clone", "get_momentum", "set_momentum", "write"]
