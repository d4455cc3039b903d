"""Input checks and random-state resolution shared by the engine (NumPy only)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .backend import is_sparse, namespace_of
from .errors import ValidationError

T = TypeVar("T")

RandomStateLike = int | np.integer | np.random.RandomState | np.random.Generator | None

__all__ = [
    "RandomStateLike",
    "all_finite",
    "check_array",
    "check_positive",
    "check_random_state",
    "is_sparse",
    "lookup",
]


def check_random_state(
    random_state: RandomStateLike,
) -> np.random.RandomState | np.random.Generator:
    """Turn ``random_state`` into a random generator, as scikit-learn does.

    ``None`` gives NumPy's global ``RandomState`` (never reseeded here), an int
    ``n`` gives ``RandomState(n)`` — so ``random_state=0`` draws exactly what a
    script draws after ``np.random.seed(0)`` — and a ``RandomState`` or
    ``Generator`` is returned as it is.
    """
    if random_state is None:
        return np.random.mtrand._rand
    if isinstance(random_state, (numbers.Integral, np.integer)) and not isinstance(
        random_state, bool
    ):
        return np.random.RandomState(int(random_state))
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    raise ValidationError(
        f"random_state must be None, an int, a numpy RandomState or Generator; got {random_state!r}"
    )


def check_array(
    x: ArrayLike,
    name: str = "X",
    *,
    ndim: int | tuple[int, ...] = 2,
    dtype: Any = None,
    allow_empty: bool = False,
) -> NDArray[Any]:
    """Return ``x`` as a finite floating-point array of the expected rank.

    Floating-point input keeps its dtype (float32 stays float32) unless ``dtype``
    is given; anything else becomes float64. A CuPy array is checked where it is and
    stays on its device; a SciPy sparse matrix or array stays sparse, in CSR form
    (:func:`check_sparse`); anything else becomes a NumPy array.
    """
    if is_sparse(x):
        return check_sparse(x, name, ndim=ndim, dtype=dtype, allow_empty=allow_empty)
    try:
        arr = namespace_of(x).asarray(x)
    except Exception as exc:  # ragged lists and such
        raise ValidationError(f"{name} could not be read as an array: {exc}") from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise ValidationError(
            f"{name} must hold numbers, got dtype {arr.dtype}; encode text columns first"
        )
    if np.iscomplexobj(arr):
        raise ValidationError(f"{name} must be real, got complex dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    ndims = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        raise ValidationError(
            f"{name} must be {want}, got an array of shape {arr.shape}"
            + ("; use x.reshape(-1, 1) for a single feature" if arr.ndim == 1 else "")
        )
    if not allow_empty and arr.size == 0:
        raise ValidationError(f"{name} is empty (shape {arr.shape}); it needs at least one row")
    if not all_finite(arr):
        raise ValidationError(
            f"{name} contains NaN or infinite values; drop or impute them before training"
        )
    return arr


def check_sparse(
    x: Any,
    name: str = "X",
    *,
    ndim: int | tuple[int, ...] = 2,
    dtype: Any = None,
    allow_empty: bool = False,
) -> Any:
    """:func:`check_array` for a SciPy sparse matrix or array: the same checks, on its stored
    values only, and the result in CSR form (rows are what batches slice), never dense.

    CSR input is returned as it is (or cast, when ``dtype`` or an integer dtype asks for it);
    CSC, COO and the others are converted once, as scikit-learn's ``accept_sparse="csr"``
    does.
    """
    arr = x.tocsr()
    if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise ValidationError(f"{name} must hold numbers, got sparse dtype {arr.dtype}")
    if np.iscomplexobj(arr.data):
        raise ValidationError(f"{name} must be real, got complex dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if 2 not in ((ndim,) if isinstance(ndim, int) else ndim):
        raise ValidationError(f"{name} must be a dense array here, got a sparse {arr.shape}")
    if not allow_empty and 0 in arr.shape:
        raise ValidationError(f"{name} is empty (shape {arr.shape}); it needs at least one row")
    if not all_finite(arr.data):
        raise ValidationError(
            f"{name} contains NaN or infinite values; drop or impute them before training"
        )
    return arr


def all_finite(arr: NDArray[Any]) -> bool:
    """Whether every entry is finite, without a mask the size of ``arr`` in the usual case.

    A sum (one pass, no temporary) is finite exactly when no entry is NaN or infinite —
    unless finite entries overflow it; only then is each entry checked, in blocks of rows.
    """
    if arr.size == 0:
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(arr.sum()):
            return True
    rows = max(1, (1 << 20) // max(1, arr.size // max(1, arr.shape[0])))
    return all(bool(np.isfinite(arr[i : i + rows]).all()) for i in range(0, arr.shape[0], rows))


def check_sample_weight(sample_weight: ArrayLike, n: int, dtype: Any) -> NDArray[Any]:
    """Row weights for ``n`` rows: shape ``(n,)``, finite, non-negative, not all zero."""
    w = np.asarray(sample_weight, dtype=dtype)
    if w.shape != (n,):
        raise ValidationError(f"sample_weight must have shape ({n},), got {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValidationError("sample_weight must be finite, non-negative and not all zero")
    return w


def check_positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    """Check that a hyperparameter is a finite number above (or at) zero."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValidationError(f"{name} must be a number, got {value!r}")
    ok = value >= 0 if allow_zero else value > 0
    if not ok or not np.isfinite(value):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValidationError(f"{name} must be finite and {bound}, got {value!r}")
    return float(value)


def lookup(spec: object, registry: Mapping[str, T], kind: str, hint: str = "") -> T:
    """Find a name (case-insensitive) in one of the engine's tables of classes or functions.

    Raises a :class:`ValidationError` listing the valid names when ``spec`` is not one.
    """
    if isinstance(spec, str) and spec.lower() in registry:
        return registry[spec.lower()]
    raise ValidationError(f"unknown {kind} {spec!r}; choose one of {sorted(registry)}{hint}")


def check_number(
    value: Any,
    name: str,
    low: float,
    high: float = math.inf,
    *,
    low_open: bool = False,
    integer: bool = False,
) -> None:
    """Check that ``value`` is a number (an integer) in ``[low, high)``, or ``(low, high)``."""
    kind = numbers.Integral if integer else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if not (ok and (value > low if low_open else value >= low) and value < high):
        span = f"{'(' if low_open else '['}{low}, {high})"
        what = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {what} in {span}, got {value!r}")


def check_choice(value: Any, name: str, choices: Sequence[str]) -> None:
    """Check that ``value`` is one of the strings ``choices``."""
    if not (isinstance(value, str) and value in choices):
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
