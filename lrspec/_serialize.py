"""Saving and loading specs: ``to_dict`` / ``from_dict`` (JSON-safe) and ``parse`` (repr text).

Nothing here imports or evaluates what the data names: class names are looked up in the
spec registry, function names in the function registry (:func:`register_function`), and
``parse`` walks the syntax tree of the text accepting literals only.
"""

from __future__ import annotations

import ast
from typing import Any, cast

import attrs

from lrspec._base import Schedule
from lrspec._registry import SPECS, UNITS, function_name, lookup_function
from lrspec._units import Unit

_TYPE = "type"
_FUNCTION = "function"


def _encode(spec: Schedule, name: str, value: Any) -> Any:
    if isinstance(value, Schedule):
        return to_dict(value)
    if isinstance(value, tuple):
        return [_encode(spec, name, v) for v in value]
    if isinstance(value, Unit):
        return str(value)  # "10ep", "0.1dur": the step field's converter reads it back
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if callable(value):
        fn_name = function_name(value)
        if fn_name is None:
            raise ValueError(
                f"cannot save {type(spec).__name__}.{name}={value!r}: the function is not "
                f"registered; call lrspec.register_function('some_name', fn) first"
            )
        return {_FUNCTION: fn_name}
    raise TypeError(f"cannot save {type(spec).__name__}.{name}={value!r}")  # pragma: no cover


def to_dict(spec: Schedule) -> dict[str, Any]:
    """A JSON-safe dict for ``spec``: ``{"type": "<ClassName>", <argument>: <value>, ...}``.

    Nested specs become nested dicts, tuples become lists, a unit value its text form
    (``Epochs(10)`` is ``"10ep"``, ``Fraction(0.1)`` is ``"0.1dur"``), and a registered
    function becomes ``{"function": "<name>"}``. An unregistered function raises ValueError.

    >>> import lrspec
    >>> lrspec.to_dict(lrspec.StepLR(step_size=30))
    {'type': 'StepLR', 'step_size': 30, 'gamma': 0.1}
    """
    if not isinstance(spec, Schedule):
        raise TypeError(f"spec must be an lrspec spec, got {spec!r} ({type(spec).__name__})")
    out: dict[str, Any] = {_TYPE: type(spec).__name__}
    for field in attrs.fields(cast(Any, type(spec))):
        out[field.name] = _encode(spec, field.name, getattr(spec, field.name))
    return out


def _decode(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        if _TYPE in value:
            return from_dict(value, _where=where)
        if set(value) == {_FUNCTION}:
            return lookup_function(value[_FUNCTION])
        raise ValueError(f"{where}: a dict value must be a spec or a function, got {value!r}")
    if isinstance(value, list):
        return [_decode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{where}: unsupported value {value!r} ({type(value).__name__})")


def _build(name: object, kwargs: dict[str, Any], where: str) -> Schedule:
    if not isinstance(name, str) or name not in SPECS:
        known = ", ".join(sorted(SPECS))
        raise ValueError(f"{where}: unknown spec type {name!r} (known: {known})")
    cls = SPECS[name]
    fields = attrs.fields(cls)
    allowed = {f.name for f in fields}
    bad_keys = [k for k in kwargs if not isinstance(k, str)]
    if bad_keys:
        raise ValueError(f"{where}: argument names must be strings, got {bad_keys!r}")
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ValueError(
            f"{where}: unknown argument(s) {', '.join(unknown)} for {name} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )
    missing = [f.name for f in fields if f.default is attrs.NOTHING and f.name not in kwargs]
    if missing:
        raise ValueError(f"{where}: {name} needs argument(s) {', '.join(missing)}")
    spec: Schedule = cls(**kwargs)
    return spec


def from_dict(data: Any, *, _where: str = "data") -> Schedule:
    """Rebuild a spec from :func:`to_dict` data (validation runs as at construction).

    >>> import lrspec
    >>> lrspec.from_dict({"type": "CosineAnnealingLR", "T_max": 100})
    CosineAnnealingLR(T_max=100, eta_min=0.0)
    """
    if not isinstance(data, dict):
        raise TypeError(f"{_where} must be a dict, got {data!r} ({type(data).__name__})")
    if _TYPE not in data:
        raise ValueError(f"{_where} must have a 'type' key naming the spec, got {data!r}")
    kwargs = {key: _decode(value, f"{_where}.{key}") for key, value in data.items() if key != _TYPE}
    return _build(data[_TYPE], kwargs, _where)


# --- the repr text form ---------------------------------------------------------------------


def parse(text: str) -> Schedule:
    """Read a spec from its ``repr`` text, e.g. ``"CosineAnnealingLR(T_max=100)"``.

    Only spec names with keyword arguments, numbers, strings, booleans, ``None``, lists and
    tuples, nested specs, ``fn('name')`` for registered functions, and the unit values
    ``Epochs(n)`` / ``Fraction(x)`` (one number each; a step field also reads their text
    forms ``'10ep'`` / ``'0.1dur'``) are accepted; nothing is evaluated.

    >>> import lrspec
    >>> lrspec.parse("MultiStepLR(milestones=[30, 80], gamma=0.1)")
    MultiStepLR(milestones=(30, 80), gamma=0.1)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {text!r} ({type(text).__name__})")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot parse spec text {text!r}: {exc.msg}") from None
    value = _literal(tree.body, text)
    if not isinstance(value, Schedule):
        raise ValueError(f"spec text must be a spec call like 'StepLR(step_size=10)', got {text!r}")
    return value


def _literal(node: ast.AST, text: str) -> Any:
    if isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, (bool, int, float, str))
    ):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, (int, float))
        and not isinstance(node.operand.value, bool)
    ):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(item, text) for item in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if name in UNITS:
            if len(node.args) != 1 or node.keywords:
                raise ValueError(f"{name}(...) takes one number, in {text!r}")
            return UNITS[name](_literal(node.args[0], text))
        if name == "fn":
            if len(node.args) != 1 or node.keywords:
                raise ValueError(f"fn(...) takes one name string, in {text!r}")
            return lookup_function(_literal(node.args[0], text))
        if node.args:
            raise ValueError(f"{name}(...) takes keyword arguments only, in {text!r}")
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise ValueError(f"'**' is not allowed in spec text {text!r}")
            if kw.arg in kwargs:
                raise ValueError(f"argument {kw.arg!r} is given twice in spec text {text!r}")
            kwargs[kw.arg] = _literal(kw.value, text)
        return _build(name, kwargs, f"spec text {text!r}")
    raise ValueError(
        f"spec text may hold only spec calls and literals; "
        f"{ast.unparse(node)!r} is not allowed in {text!r}"
    )
