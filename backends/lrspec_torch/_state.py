"""The checkpoint format of :class:`~lrspec_torch.SpecLR`, checked whole before it is applied.

``load_state_dict`` must not change half a scheduler and then fail: every key, type and
length is checked here first (ValueError naming what is wrong), the twins' states are then
loaded into fresh twins, and only when all of that succeeded is anything swapped in.
"""

from __future__ import annotations

from typing import Any

import torch

#: The format version written into every state (bumped when the format changes).
VERSION = 1
#: The keys every state has; "resolved" and "resolution" (specs written in units) may be
#: absent from states saved before units existed.
REQUIRED = ("version", "specs", "twins", "last_epoch", "step_count", "last_lr", "momentum")
_PER_GROUP = ("specs", "twins", "last_lr", "momentum", "resolved")


def _number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, torch.Tensor) and value.numel() == 1


def check(state: Any, n_groups: int) -> None:
    """Raise ValueError unless ``state`` is a whole SpecLR state for ``n_groups`` groups."""
    if not isinstance(state, dict) or state.get("version") != VERSION:
        got = sorted(map(str, state)) if isinstance(state, dict) else repr(state)[:200]
        raise ValueError(f"state_dict must be a SpecLR state (version {VERSION}), got keys {got}")
    missing = [key for key in REQUIRED if key not in state]
    if missing:
        raise ValueError(f"state_dict is missing {missing} (a SpecLR state has {list(REQUIRED)})")
    for key in _PER_GROUP:
        if key not in state:
            continue
        value = state[key]
        if not isinstance(value, list) or len(value) != n_groups:
            raise ValueError(
                f"state_dict[{key!r}] must be a list with one entry per param group "
                f"({n_groups}), got {repr(value)[:200]}"
            )
    for key in ("specs", "twins", "resolved"):
        for i, item in enumerate(state.get(key, [])):
            if not isinstance(item, dict):
                raise ValueError(f"state_dict[{key!r}][{i}] must be a dict, got {item!r}")
    for key in ("last_epoch", "step_count"):
        value = state[key]
        if type(value) is not int or value < 0:
            raise ValueError(f"state_dict[{key!r}] must be an int >= 0, got {value!r}")
    for i, lr in enumerate(state["last_lr"]):
        if not _number(lr):
            raise ValueError(f"state_dict['last_lr'][{i}] must be a number, got {lr!r}")
    for i, momentum in enumerate(state["momentum"]):
        if momentum is not None and not _number(momentum):
            raise ValueError(
                f"state_dict['momentum'][{i}] must be a number or None, got {momentum!r}"
            )
    resolution = state.get("resolution", {})
    if not isinstance(resolution, dict):
        raise ValueError(f"state_dict['resolution'] must be a dict, got {resolution!r}")


def scratch(group: dict[str, Any]) -> dict[str, Any]:
    """A copy of a param group to build a twin on: tensors cloned, no params."""
    return {
        key: value.clone() if isinstance(value, torch.Tensor) else value
        for key, value in group.items()
        if key != "params"
    }


def check_resolution(state: dict[str, Any], written: list[Any], resolved: list[Any]) -> None:
    """The state's resolved specs must follow from its written specs and its quantities."""
    import lrspec

    quantities = state.get("resolution")
    if not isinstance(quantities, dict):
        raise ValueError(f"state_dict['resolution'] must be a dict, got {quantities!r}")
    keys = {"steps_per_epoch", "total_steps", "accumulation"}
    if set(quantities) != keys:
        raise ValueError(
            f"state_dict['resolution'] must have keys {sorted(keys)}, got {quantities!r}"
        )
    try:
        expected = [lrspec.resolve(spec, **quantities) for spec in written]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"state_dict['resolution'] does not resolve its specs: {exc}") from None
    if expected != resolved:
        raise ValueError(
            f"state_dict['resolved'] is {resolved!r}, but its specs resolve to {expected!r} "
            "with its own quantities: the state is corrupted"
        )
