"""Array-namespace dispatch for closed forms: Python numbers, numpy arrays, torch tensors.

The core never imports torch. A torch tensor is recognised by its type's module, and the
already-imported ``torch`` module is taken from ``sys.modules``. Formulas are written once
against the small interface below.

Integer inputs are promoted to float64 (numpy's rule); a floating tensor or array keeps its
dtype, so pass float64 when you need 1e-9 agreement with torch's float arithmetic.
"""

from __future__ import annotations

import bisect
import math
import sys
from typing import Any


def _plain(value: Any) -> Any:
    """Integral floats become ints, so a user function sees the epoch torch would pass."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class _Scalar:
    """Python floats, computed with :mod:`math`.

    Methods ending in ``_`` may work in place on array arguments: formulas call them only on
    temporaries they created themselves, never on the caller's array.
    """

    name = "python"

    @staticmethod
    def asfloat(x: Any) -> float:
        return float(x)

    cos = staticmethod(math.cos)
    cos_ = staticmethod(math.cos)
    floor = staticmethod(math.floor)

    @staticmethod
    def div_(x: Any, d: float) -> Any:
        return x / d

    @staticmethod
    def mul_(x: Any, m: float) -> Any:
        return x * m

    @staticmethod
    def add_(x: Any, a: float) -> Any:
        return x + a

    log = staticmethod(math.log)
    tanh = staticmethod(math.tanh)

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return a if cond else b

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return min(a, b)

    @staticmethod
    def count_le(sorted_points: tuple[int, ...], x: Any) -> Any:
        return bisect.bisect_right(sorted_points, x)

    @staticmethod
    def apply(fn: Any, x: Any) -> Any:
        return fn(x)

    @staticmethod
    def cast(x: Any, like: Any) -> Any:
        return x

    @staticmethod
    def filled(x: Any, value: float) -> Any:
        return float(value)

    @staticmethod
    def cuts(x: Any, points: tuple[int, ...]) -> None:
        return None  # a number is one step: the combinators branch on it themselves


class _Numpy:
    name = "numpy"

    def __init__(self) -> None:
        import numpy as np

        self.np = np

    def asfloat(self, x: Any) -> Any:
        # Integer arrays are left alone: numpy promotes them to float64 at the first float
        # operation, which saves a full copy on large curves.
        kind = self.np.asarray(x).dtype.kind
        if kind not in "fiu":
            raise TypeError(f"epoch must hold integers or floats, got dtype {x.dtype}")
        return x

    def cos(self, x: Any) -> Any:
        return self.np.cos(x)

    def cos_(self, x: Any) -> Any:
        # numpy scalars (from 0-d input) cannot be written in place
        return self.np.cos(x, out=x) if isinstance(x, self.np.ndarray) else self.np.cos(x)

    def div_(self, x: Any, d: float) -> Any:
        x /= d
        return x

    def mul_(self, x: Any, m: float) -> Any:
        x *= m
        return x

    def add_(self, x: Any, a: float) -> Any:
        x += a
        return x

    def floor(self, x: Any) -> Any:
        return self.np.floor(x)

    def log(self, x: Any) -> Any:
        return self.np.log(x)

    def tanh(self, x: Any) -> Any:
        return self.np.tanh(x)

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        return self.np.where(cond, a, b)

    def minimum(self, a: Any, b: Any) -> Any:
        return self.np.minimum(a, b)

    def count_le(self, sorted_points: tuple[int, ...], x: Any) -> Any:
        return self.np.searchsorted(self.np.asarray(sorted_points), x, side="right")

    def apply(self, fn: Any, x: Any) -> Any:
        flat = [fn(_plain(v.item())) for v in self.np.asarray(x).reshape(-1)]
        return self.np.asarray(flat, dtype=self.np.float64).reshape(self.np.shape(x))

    def cast(self, x: Any, like: Any) -> Any:
        return x  # numpy promotes bool/int arrays correctly against Python floats

    def filled(self, x: Any, value: float) -> Any:
        np = self.np
        if type(x) is not np.ndarray:  # numpy scalars stay numpy scalars
            return x * 0.0 + value
        # the dtype ``x * 0.0`` would have: float32 stays float32, integers become float64
        return np.full(x.shape, value, dtype=np.result_type(x.dtype, 0.0))

    def cuts(self, x: Any, points: tuple[int, ...]) -> list[int] | None:
        """Where a sorted 1-D float or int array first reaches each point, else None.

        Large curves are ``arange``s: a combinator then evaluates each child on its own
        slice instead of over the whole array under masks. One comparison pass checks the
        order (``searchsorted`` needs it); anything else takes the general path.
        """
        np = self.np
        if type(x) is not np.ndarray or x.ndim != 1 or not x.size:
            return None
        kind, dtype = x.dtype.kind, x.dtype
        if not (kind in "iu" or dtype == np.float32 or dtype == np.float64):
            return None
        if x.size > 1 and not (x[1:] >= x[:-1]).all():
            return None
        if kind == "f":
            # the least key >= each point, so ``x >= key`` is ``x >= point`` exactly (as the
            # Python-number path compares); float32 cannot hold every int
            keys = np.array(points, dtype=dtype)
            for i, point in enumerate(points):
                if float(keys[i]) < point:
                    keys[i] = np.nextafter(keys[i], dtype.type(np.inf))
        else:
            keys = np.array(points, dtype=np.float64)
        return [int(i) for i in np.searchsorted(x, keys, side="left")]

    def assemble(self, x: Any, parts: list[tuple[int, int, Any]]) -> Any:
        """One array of ``x``'s shape from ``(start, end, value)`` parts covering it."""
        np = self.np
        dtype = np.result_type(x.dtype, 0.0, *(value for _, _, value in parts))
        full = [value for start, end, value in parts if end - start == x.size]
        if full and type(full[0]) is np.ndarray and full[0].dtype == dtype:
            return full[0]  # one piece covers it all: no copy
        out = np.empty(x.shape, dtype=dtype)
        for start, end, value in parts:
            if end > start:
                out[start:end] = value
        return out


class _Torch:
    name = "torch"

    def __init__(self, torch: Any) -> None:
        self.torch = torch

    def asfloat(self, x: Any) -> Any:
        t = self.torch
        if x.is_floating_point():
            return x
        if x.dtype == t.bool or x.is_complex():
            raise TypeError(f"epoch must hold integers or floats, got dtype {x.dtype}")
        return x.to(t.float64)

    def cos(self, x: Any) -> Any:
        return self.torch.cos(x)

    def cos_(self, x: Any) -> Any:
        return x.cos_()

    def div_(self, x: Any, d: float) -> Any:
        return x.div_(d)

    def mul_(self, x: Any, m: float) -> Any:
        return x.mul_(m)

    def add_(self, x: Any, a: float) -> Any:
        return x.add_(a)

    def floor(self, x: Any) -> Any:
        return self.torch.floor(x)

    def log(self, x: Any) -> Any:
        return self.torch.log(x)

    def tanh(self, x: Any) -> Any:
        return self.torch.tanh(x)

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        t = self.torch
        ref = cond
        a = a if isinstance(a, t.Tensor) else t.tensor(a, dtype=t.float64, device=ref.device)
        b = b if isinstance(b, t.Tensor) else t.tensor(b, dtype=t.float64, device=ref.device)
        return t.where(cond, a, b)

    def minimum(self, a: Any, b: Any) -> Any:
        return (
            self.torch.clamp(a, max=b)
            if not isinstance(b, self.torch.Tensor)
            else (self.torch.minimum(a, b))
        )

    def count_le(self, sorted_points: tuple[int, ...], x: Any) -> Any:
        t = self.torch
        points = t.tensor(sorted_points, dtype=x.dtype, device=x.device)
        return t.searchsorted(points, x.contiguous(), right=True)

    def apply(self, fn: Any, x: Any) -> Any:
        t = self.torch
        flat = [fn(_plain(v)) for v in x.reshape(-1).tolist()]
        return t.tensor(flat, dtype=t.float64, device=x.device).reshape(x.shape)

    def cast(self, x: Any, like: Any) -> Any:
        # bool/int tensors combine with Python floats in torch's *default* dtype (float32)
        return x.to(like.dtype)

    def filled(self, x: Any, value: float) -> Any:
        return self.torch.full_like(x, value)  # x is floating (``asfloat``)

    def cuts(self, x: Any, points: tuple[int, ...]) -> None:
        # tensors take the general path: finding the cuts would synchronise with the device
        return None


SCALAR = _Scalar()
#: Epochs must be exactly representable as floats (and finite).
MAX_EPOCH = 2**53
_numpy: _Numpy | None = None
_torch: _Torch | None = None


def namespace(epoch: Any) -> Any:
    """The namespace for ``epoch``; raise TypeError for anything we cannot evaluate."""
    global _numpy, _torch
    kind = type(epoch)
    if kind is int or kind is float:
        return SCALAR
    module = kind.__module__
    if module == "numpy" or module.startswith("numpy."):
        if not (hasattr(epoch, "dtype") and hasattr(epoch, "shape")):  # a dtype, a Generator
            raise TypeError(
                "epoch must be an int, a float, a numpy array or a torch tensor, "
                f"got {epoch!r} ({kind.__name__})"
            )
        if _numpy is None:
            _numpy = _Numpy()
        return _numpy
    if module.startswith("torch") and "torch" in sys.modules:
        torch = sys.modules["torch"]
        if isinstance(epoch, torch.Tensor):
            if _torch is None:
                _torch = _Torch(torch)
            return _torch
    if isinstance(epoch, (int, float)) and not isinstance(epoch, bool):
        return SCALAR
    raise TypeError(
        "epoch must be an int, a float, a numpy array or a torch tensor, "
        f"got {epoch!r} ({kind.__name__})"
    )


def with_floats(epoch: Any) -> tuple[Any, Any]:
    """``(namespace, epoch)``, an array epoch as floats (integer arrays promote lazily)."""
    kind = type(epoch)
    if kind is int or kind is float:
        return SCALAR, epoch
    xp = namespace(epoch)
    return xp, (epoch if xp is SCALAR else xp.asfloat(epoch))


def piecewise(xp: Any, x: Any, points: tuple[int, ...], pieces: Any) -> Any:
    """``pieces[i](x[k])`` for the ``x[k]`` in ``[points[i-1], points[i])``, or None.

    For a sorted 1-D numpy array, each piece runs once on its own slice and writes into one
    output. The dtype is that of all pieces together (an empty slice still says its dtype,
    cheaply), as on the general path: float32 stays float32 unless a piece computes in
    float64. None means no such split here (unsorted, nd, a tensor): the caller takes its
    general, masked path.
    """
    cuts = xp.cuts(x, points)
    if cuts is None:
        return None
    spans = zip((0, *cuts), (*cuts, x.size), strict=True)
    parts = [
        (start, end, piece(x[start:end])) for piece, (start, end) in zip(pieces, spans, strict=True)
    ]
    return xp.assemble(x, parts)


def size(xp: Any, x: Any) -> int:
    """The number of elements of an array or tensor ``x`` of namespace ``xp``."""
    return int(x.numel()) if xp.name == "torch" else int(x.size)


def check_epoch(xp: Any, epoch: Any) -> Any:
    """Validate ``epoch`` (>= 0, finite) and return it as floats (ints stay ints for scalars)."""
    if xp is SCALAR:
        if not (0 <= epoch < MAX_EPOCH):
            raise ValueError(f"epoch must be >= 0 and < 2**53, got {epoch!r}")
        return epoch
    x = xp.asfloat(epoch)
    if size(xp, x):
        low = x.min()
        high = x.max()
        if not (bool(low >= 0) and math.isfinite(float(high))):
            raise ValueError(
                f"epoch must be finite and >= 0 everywhere, got values in [{float(low)!r}, "
                f"{float(high)!r}]"
            )
    return x
