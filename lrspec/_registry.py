"""Registries: spec classes by name (for loading) and user functions by name (for saving).

Loading a spec never imports or evaluates anything named in the data: names are looked up
in these dictionaries only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lrspec._units import Epochs, Fraction

T = TypeVar("T", bound=type)

SPECS: dict[str, type] = {}
#: The unit values ``parse`` reads as calls (``Epochs(10)``, ``Fraction(0.1)``).
UNITS: dict[str, type[Epochs] | type[Fraction]] = {"Epochs": Epochs, "Fraction": Fraction}
_FUNCTIONS: dict[str, Callable[..., Any]] = {}
_NAMES: dict[int, str] = {}


def spec_class(cls: T) -> T:
    """Class decorator: make a spec loadable by its class name."""
    SPECS[cls.__name__] = cls
    return cls


def register_function(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``fn`` under ``name`` so specs holding it can be saved and loaded.

    Returns ``fn``, so it can wrap a definition. Registering the same function under the
    same name again is a no-op; reusing a name for another function is an error.

    >>> import lrspec
    >>> decay = lrspec.register_function("doc_decay95", lambda epoch: 0.95**epoch)
    >>> lrspec.LambdaLR(lr_lambda=decay)
    LambdaLR(lr_lambda=fn('doc_decay95'))
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {name!r} ({type(name).__name__})")
    if not name.isidentifier():
        raise ValueError(f"name must be a Python identifier, got {name!r}")
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {fn!r} ({type(fn).__name__})")
    existing = _FUNCTIONS.get(name)
    if existing is not None and existing is not fn:
        raise ValueError(f"name {name!r} is already registered for {existing!r}")
    if id(fn) in _NAMES and _NAMES[id(fn)] != name:
        raise ValueError(f"{fn!r} is already registered as {_NAMES[id(fn)]!r}, not {name!r}")
    _FUNCTIONS[name] = fn
    _NAMES[id(fn)] = name
    return fn


def function_name(fn: Callable[..., Any]) -> str | None:
    """The registered name of ``fn``, or None."""
    name = _NAMES.get(id(fn))
    return name if name is not None and _FUNCTIONS.get(name) is fn else None


def lookup_function(name: object) -> Callable[..., Any]:
    if not isinstance(name, str):
        raise TypeError(f"a function reference must be a name string, got {name!r}")
    try:
        return _FUNCTIONS[name]
    except KeyError:
        known = ", ".join(sorted(_FUNCTIONS)) or "none"
        raise ValueError(
            f"function {name!r} is not registered (registered: {known}); call "
            f"lrspec.register_function({name!r}, fn) before loading"
        ) from None


def fn_repr(fn: Any) -> str:
    """``repr`` for a callable field: ``fn('name')`` when registered (``parse`` reads it)."""
    if fn is None:
        return "None"
    name = function_name(fn)
    return f"fn({name!r})" if name is not None else repr(fn)
