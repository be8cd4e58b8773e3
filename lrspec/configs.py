"""Specs in config files: YAML, TOML, JSON, OmegaConf and Hydra.

Every loader here turns the document into plain Python data and hands it to
:func:`lrspec.from_dict`, so a config is checked exactly as ``from_dict`` checks a dict: the
same ``TypeError`` / ``ValueError``, naming the path to the bad value, and nothing the data
names is ever imported or called. The writers write :func:`lrspec.to_dict`'s dict.

* A ``source`` that is a ``str`` is the document's text; a :class:`os.PathLike`
  (``pathlib.Path``) is a file, read as UTF-8.
* ``key`` (a dotted path such as ``"train.lr_schedule"``) picks the spec out of a larger
  config; errors then start from that path.
* YAML is read with ``yaml.safe_load`` only: tags such as ``!!python/object`` are refused.
* TOML has no null: a ``None`` argument (every such argument defaults to ``None``) is left
  out of the TOML text, and reading it back gives the default again.

This module needs the ``configs`` extra (``pip install 'lrspec[configs]'``: PyYAML,
OmegaConf and Hydra) for YAML, OmegaConf and Hydra; TOML and JSON use the standard library
(``tomllib`` reads, lrspec writes). ``import lrspec`` never imports it.

>>> import lrspec
>>> from lrspec import configs
>>> text = configs.to_toml(lrspec.StepLR(step_size=30))
>>> print(text)
type = "StepLR"
step_size = 30
gamma = 0.1
<BLANKLINE>
>>> configs.from_toml(text)
StepLR(step_size=30, gamma=0.1)
"""

from __future__ import annotations

import importlib
import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import attrs

from lrspec._base import Schedule
from lrspec._registry import SPECS
from lrspec._serialize import from_dict, to_dict

__all__ = [
    "build",
    "from_json",
    "from_omegaconf",
    "from_toml",
    "from_yaml",
    "to_json",
    "to_omegaconf",
    "to_toml",
    "to_yaml",
]


def _require(module: str) -> ModuleType:
    """Import an optional dependency, or say which extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"{module} is needed for this: pip install 'lrspec[configs]' ({err})"
        ) from err


def _text(source: str | os.PathLike[str]) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, os.PathLike):
        return Path(source).read_text(encoding="utf-8")
    raise TypeError(
        f"source must be the text (str) or a path (os.PathLike), got {source!r} "
        f"({type(source).__name__})"
    )


def _load(data: Any, key: str | None) -> Schedule:
    """``from_dict`` of ``data``, or of the part of it at the dotted ``key``."""
    if key is None:
        return from_dict(data)
    where = "data"
    for part in key.split("."):
        if not isinstance(data, Mapping) or part not in data:
            raise ValueError(f"{where} has no key {part!r} (looking up {key!r})")
        data = data[part]
        where = part if where == "data" else f"{where}.{part}"
    return from_dict(data, _where=where)


# --- JSON -------------------------------------------------------------------------------------


def from_json(source: str | os.PathLike[str], *, key: str | None = None) -> Schedule:
    """Load a spec from JSON text or a JSON file (the :func:`lrspec.to_dict` form).

    >>> from lrspec.configs import from_json
    >>> from_json('{"type": "CosineAnnealingLR", "T_max": 100}')
    CosineAnnealingLR(T_max=100, eta_min=0.0)
    >>> from_json('{"train": {"lr": {"type": "StepLR", "step_size": 0}}}', key="train.lr")
    Traceback (most recent call last):
    ...
    ValueError: step_size must be >= 1, got 0
    """
    try:
        data = json.loads(_text(source))
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON: {err}") from err
    return _load(data, key)


def to_json(spec: Schedule, *, indent: int | None = 2) -> str:
    """The JSON text of :func:`lrspec.to_dict` (``NaN``/``Infinity`` as Python's json writes
    them, which :func:`from_json` reads back).

    >>> import lrspec
    >>> from lrspec.configs import to_json
    >>> print(to_json(lrspec.ExponentialLR(gamma=0.9), indent=None))
    {"type": "ExponentialLR", "gamma": 0.9}
    """
    return json.dumps(to_dict(spec), indent=indent)


# --- YAML -------------------------------------------------------------------------------------


def from_yaml(source: str | os.PathLike[str], *, key: str | None = None) -> Schedule:
    """Load a spec from YAML text or a YAML file, with ``yaml.safe_load`` (never a loader
    that builds Python objects: ``!!python/...`` tags are a ``ValueError``).

    >>> from lrspec.configs import from_yaml
    >>> from_yaml('''
    ... type: SequentialLR
    ... schedulers:
    ...   - {type: LinearLR, start_factor: 0.01, total_iters: 10}
    ...   - {type: CosineAnnealingLR, T_max: 90}
    ... milestones: [10]
    ... ''')  # doctest: +NORMALIZE_WHITESPACE
    SequentialLR(schedulers=(LinearLR(start_factor=0.01, end_factor=1.0, total_iters=10),
                 CosineAnnealingLR(T_max=90, eta_min=0.0)), milestones=(10,))
    """
    yaml = _require("yaml")
    try:
        data = yaml.safe_load(_text(source))
    except yaml.YAMLError as err:
        raise ValueError(f"not valid YAML for lrspec (read with yaml.safe_load): {err}") from err
    return _load(data, key)


def to_yaml(spec: Schedule) -> str:
    """The YAML text of :func:`lrspec.to_dict` (block style, keys in argument order).

    >>> import lrspec
    >>> from lrspec.configs import to_yaml
    >>> print(to_yaml(lrspec.StepLR(step_size="10ep")), end="")
    type: StepLR
    step_size: 10ep
    gamma: 0.1
    """
    yaml = _require("yaml")
    return cast(str, yaml.safe_dump(to_dict(spec), sort_keys=False, allow_unicode=True))


# --- OmegaConf and Hydra ------------------------------------------------------------------------


def from_omegaconf(cfg: Any, *, key: str | None = None) -> Schedule:
    """Load a spec from an OmegaConf ``DictConfig`` (interpolations resolved), or from a
    plain dict.

    >>> from omegaconf import OmegaConf
    >>> from lrspec.configs import from_omegaconf
    >>> cfg = OmegaConf.create({"epochs": 90, "lr": {"type": "CosineAnnealingLR",
    ...                                              "T_max": "${epochs}"}})
    >>> from_omegaconf(cfg, key="lr")
    CosineAnnealingLR(T_max=90, eta_min=0.0)
    """
    return _load(_container(cfg), key)


def _container(cfg: Any) -> Any:
    """Plain dicts and lists for an OmegaConf node (anything else is returned as it is)."""
    if type(cfg).__module__.split(".")[0] != "omegaconf":
        return cfg
    omegaconf = _require("omegaconf")
    is_container = isinstance(cfg, omegaconf.Container)
    return omegaconf.OmegaConf.to_container(cfg, resolve=True) if is_container else cfg


def to_omegaconf(spec: Schedule) -> Any:
    """:func:`lrspec.to_dict` as an OmegaConf ``DictConfig``, to merge into a run's config.

    >>> import lrspec
    >>> from lrspec.configs import to_omegaconf
    >>> cfg = to_omegaconf(lrspec.StepLR(step_size=30))
    >>> cfg.step_size
    30
    """
    omegaconf = _require("omegaconf")
    return omegaconf.OmegaConf.create(to_dict(spec))


def build(spec: Any) -> Schedule:
    """The Hydra ``instantiate`` target: ``{_target_: lrspec.configs.build, spec: {...}}``.

    ``spec`` is a :func:`lrspec.to_dict` dict (a ``DictConfig`` from Hydra, or a plain
    dict); it goes through :func:`lrspec.from_dict`, so nested specs, registered functions
    and units load as in every other format, and nothing the config names is imported.

    >>> from hydra.utils import instantiate
    >>> instantiate({"_target_": "lrspec.configs.build",
    ...              "spec": {"type": "StepLR", "step_size": "10ep"}})
    StepLR(step_size=Epochs(10), gamma=0.1)
    """
    return from_dict(_container(spec), _where="spec")


# --- TOML -------------------------------------------------------------------------------------


def from_toml(source: str | os.PathLike[str], *, key: str | None = None) -> Schedule:
    """Load a spec from TOML text or a TOML file (read with the standard ``tomllib``).

    The spec is the document's top-level table, or the table at ``key``. An argument left
    out takes its default (TOML has no null: ``None`` arguments are written by leaving them
    out).

    >>> from lrspec.configs import from_toml
    >>> from_toml('''
    ... [lr_schedule]
    ... type = "OneCycleLR"
    ... max_lr = 0.1
    ... total_steps = 1000
    ... ''', key="lr_schedule")  # doctest: +ELLIPSIS
    OneCycleLR(max_lr=0.1, total_steps=1000, epochs=None, ...)
    """
    try:
        data = tomllib.loads(_text(source))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"not valid TOML: {err}") from err
    return _load(data, key)


def to_toml(spec: Schedule) -> str:
    """The TOML text of :func:`lrspec.to_dict`: the spec is the top-level table, a nested
    spec a ``[table]``, a list of specs an ``[[array of tables]]``, and ``None`` arguments
    are left out (TOML has no null; every argument that may be ``None`` defaults to it).

    >>> import lrspec
    >>> from lrspec.configs import to_toml
    >>> spec = lrspec.SequentialLR(
    ...     schedulers=[lrspec.LinearLR(total_iters=5), lrspec.ExponentialLR(gamma=0.9)],
    ...     milestones=[5],
    ... )
    >>> print(to_toml(spec))
    type = "SequentialLR"
    milestones = [5]
    <BLANKLINE>
    [[schedulers]]
    type = "LinearLR"
    start_factor = 0.3333333333333333
    end_factor = 1.0
    total_iters = 5
    <BLANKLINE>
    [[schedulers]]
    type = "ExponentialLR"
    gamma = 0.9
    <BLANKLINE>
    """
    lines: list[str] = []
    _toml_table(_without_none(to_dict(spec), "spec"), [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _without_none(value: Any, where: str) -> Any:
    """``value`` with every ``None`` argument of a spec dict left out (defaults only)."""
    if isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            if item is None:
                raise ValueError(f"cannot write {where}[{i}]=None to TOML (TOML has no null)")
            out.append(_without_none(item, f"{where}[{i}]"))
        return out
    if not isinstance(value, dict):
        return value
    fields = {}
    if "type" in value:
        fields = {f.name: f for f in attrs.fields(SPECS[value["type"]])}
    result = {}
    for name, item in value.items():
        if item is None:
            field = fields.get(name)
            if field is None or field.default is not None:
                raise ValueError(
                    f"cannot write {where}.{name}=None to TOML (TOML has no null, and "
                    "leaving it out would not read back as None)"
                )
            continue
        result[name] = _without_none(item, f"{where}.{name}")
    return result


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    """``value`` as an inline TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value)  # "0.1", "1e-05", "inf", "-inf": all TOML floats
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) to TOML")  # pragma: no cover


def _is_spec(value: Any) -> bool:
    return isinstance(value, dict) and "type" in value


def _toml_table(table: dict[str, Any], path: list[str], lines: list[str]) -> None:
    """Write ``table``'s plain values, then its nested specs as tables / arrays of tables."""
    tables = {k: v for k, v in table.items() if _is_spec(v)}
    arrays = {
        k: v
        for k, v in table.items()
        if isinstance(v, list) and v and all(_is_spec(item) for item in v)
    }
    for key, value in table.items():
        if key not in tables and key not in arrays:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in table.items():
        sub = [*path, _toml_key(key)]
        if key in tables:
            lines += ["", f"[{'.'.join(sub)}]"]
            _toml_table(value, sub, lines)
        elif key in arrays:
            for item in value:
                lines += ["", f"[[{'.'.join(sub)}]]"]
                _toml_table(item, sub, lines)
