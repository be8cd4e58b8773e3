"""Saving and loading specs: ``to_dict`` / ``from_dict`` (JSON-safe) and ``parse`` (repr text).

Nothing here imports or evaluates what the data names: class names are looked up in the
spec registry, function names in the function registry (:func:`register_function`), and
``parse`` walks the syntax tree of the text accepting literals only.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any, cast

import attrs

from lrspec._base import Schedule
from lrspec._registry import SPECS, UNITS, function_name, lookup_function
from lrspec._units import Unit

_TYPE = "type"
_FUNCTION = "function"

#: How deep specs may nest in saved data and spec text (a spec inside a spec inside ...;
#: lists count as a level too). Deeper data is refused with ValueError, never a
#: RecursionError; real schedules nest a handful of levels.
MAX_DEPTH = 50
#: The longest spec text :func:`parse` reads, in characters.
MAX_TEXT = 100_000


def _too_deep(where: str) -> ValueError:
    if len(where) > 120:
        where = f"{where[:60]}...{where[-40:]}"
    return ValueError(
        f"{where}: specs nest deeper than lrspec's limit of {MAX_DEPTH} levels "
        "(lrspec._serialize.MAX_DEPTH)"
    )


def _snippet(text: str) -> str:
    """The text for an error message: all of it, or its start and its length."""
    return repr(text) if len(text) <= 120 else f"{text[:100]!r}... ({len(text)} characters)"


def _encode(spec: Schedule, name: str, value: Any, depth: int) -> Any:
    if isinstance(value, Schedule):
        return _to_dict(value, depth + 1)
    if isinstance(value, tuple):
        return [_encode(spec, name, v, depth + 1) for v in value]
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
    return _to_dict(spec, 0)


def _to_dict(spec: Schedule, depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise _too_deep(f"cannot save {type(spec).__name__}")
    out: dict[str, Any] = {_TYPE: type(spec).__name__}
    for field in attrs.fields(cast(Any, type(spec))):
        out[field.name] = _encode(spec, field.name, getattr(spec, field.name), depth)
    return out


def _decode(value: Any, where: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _too_deep(where)
    if isinstance(value, dict):
        if _TYPE in value:
            return from_dict(value, _where=where, _depth=depth)
        if set(value) == {_FUNCTION}:
            return lookup_function(value[_FUNCTION])
        raise ValueError(f"{where}: a dict value must be a spec or a function, got {value!r}")
    if isinstance(value, list):
        return [_decode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
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


def from_dict(data: Any, *, _where: str = "data", _depth: int = 0) -> Schedule:
    """Rebuild a spec from :func:`to_dict` data (validation runs as at construction).

    Safe on untrusted data: type names are looked up in lrspec's registry (nothing is
    imported), functions in :func:`register_function`'s; anything else raises TypeError or
    ValueError saying where. Specs may nest at most ``MAX_DEPTH`` (50) levels.

    >>> import lrspec
    >>> lrspec.from_dict({"type": "CosineAnnealingLR", "T_max": 100})
    CosineAnnealingLR(T_max=100, eta_min=0.0)
    """
    if not isinstance(data, dict):
        raise TypeError(f"{_where} must be a dict, got {data!r} ({type(data).__name__})")
    if _TYPE not in data:
        raise ValueError(f"{_where} must have a 'type' key naming the spec, got {data!r}")
    kwargs = {
        key: _decode(value, f"{_where}.{key}", _depth + 1)
        for key, value in data.items()
        if key != _TYPE
    }
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
    if len(text) > MAX_TEXT:
        raise ValueError(
            f"spec text must be at most {MAX_TEXT} characters (lrspec._serialize.MAX_TEXT), "
            f"got {len(text)}"
        )
    try:
        with warnings.catch_warnings():  # the compiler's warnings ("is" with a literal, an
            warnings.simplefilter("ignore", SyntaxWarning)  # invalid escape) are not the user's
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot parse spec text {_snippet(text)}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ValueError(
            f"spec text {_snippet(text)} is nested too deeply to parse "
            f"(lrspec's limit: {MAX_DEPTH} levels)"
        ) from None
    value = _literal(tree.body, text.strip(), 0)
    if not isinstance(value, Schedule):
        raise ValueError(
            f"spec text must be a spec call like 'StepLR(step_size=10)', got {_snippet(text)}"
        )
    return value


def _literal(node: ast.AST, text: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _too_deep(f"spec text {_snippet(text)}")
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
        return [_literal(item, text, depth + 1) for item in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if name in UNITS:
            if len(node.args) != 1 or node.keywords:
                raise ValueError(f"{name}(...) takes one number, in {_snippet(text)}")
            return UNITS[name](_literal(node.args[0], text, depth + 1))
        if name == "fn":
            if len(node.args) != 1 or node.keywords:
                raise ValueError(f"fn(...) takes one name string, in {_snippet(text)}")
            return lookup_function(_literal(node.args[0], text, depth + 1))
        if node.args:
            raise ValueError(f"{name}(...) takes keyword arguments only, in {_snippet(text)}")
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise ValueError(f"'**' is not allowed in spec text {_snippet(text)}")
            if kw.arg in kwargs:
                raise ValueError(
                    f"argument {kw.arg!r} is given twice in spec text {_snippet(text)}"
                )
            kwargs[kw.arg] = _literal(kw.value, text, depth + 1)
        return _build(name, kwargs, f"spec text {_snippet(text)}")
    raise ValueError(
        f"spec text may hold only spec calls and literals; "
        f"{_snippet(ast.get_source_segment(text, node) or type(node).__name__)} is not allowed "
        f"in {_snippet(text)}"
    )
