r"""The array namespace: NumPy by default, CuPy on a CUDA GPU when asked — nothing else imports cupy.

The engine is written against NumPy's API. A CuPy array implements NumPy's dispatch
protocols (``__array_ufunc__`` and ``__array_function__``), so ``np.tanh(z)``,
``np.matmul(x, w, out=g)`` or ``np.zeros_like(w)`` on CuPy arrays run on the GPU and return
CuPy arrays: the same engine code trains on either device. What the protocols cannot cover
— making a new array, moving one between host and device — goes through this module:

- :func:`get_namespace` — the module for a device: ``numpy`` for ``"cpu"``, ``cupy`` for
  ``"cuda"`` (imported here, on first use, and only here);
- :func:`namespace_of` — the module an array belongs to, found from its type without
  importing CuPy;
- :func:`to_device` and :func:`to_numpy` — copies between host and device (no copy when the
  array already lives there).

CuPy is the optional extra ``gpu`` (``pip install "glassnet[gpu]"``). Asking for ``"cuda"``
without it, or without a visible CUDA device, raises
:class:`~glassnet.errors.DeviceUnavailable` with a message that says which is missing.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from .errors import DeviceUnavailable, ValidationError

__all__ = [
    "DEVICES",
    "check_device",
    "get_namespace",
    "is_device_array",
    "is_sparse",
    "namespace_of",
    "to_device",
    "to_numpy",
]

#: The devices glassnet trains on: the CPU with NumPy, an NVIDIA GPU with CuPy.
DEVICES = ("cpu", "cuda")
#: Other names accepted wherever a device is: the array library's name.
_ALIASES = {"cpu": "cpu", "numpy": "cpu", "cuda": "cuda", "cupy": "cuda"}

_INSTALL_HINT = 'pip install "glassnet[gpu]" (CuPy for CUDA 12)'


def check_device(device: object) -> str:
    """The canonical name (``"cpu"`` or ``"cuda"``) of ``device``; ``"numpy"`` and ``"cupy"``
    are accepted as aliases, in any case. Raises :class:`ValidationError` for anything else."""
    if isinstance(device, str) and device.lower() in _ALIASES:
        return _ALIASES[device.lower()]
    raise ValidationError(
        f"unknown device {device!r}; choose one of {list(DEVICES)} "
        "(or the array library's name: 'numpy', 'cupy')"
    )


def _import_cupy() -> ModuleType:
    """CuPy, imported on first use — the package's only import of it."""
    try:
        import cupy
    except ImportError as exc:
        raise DeviceUnavailable(
            f"device 'cuda' needs CuPy, which could not be imported ({exc}); install it with "
            f"{_INSTALL_HINT}, or use device='cpu'"
        ) from exc
    return cupy


def get_namespace(device: str = "cpu") -> ModuleType:
    """The array module for ``device``: ``numpy`` for ``"cpu"``, ``cupy`` for ``"cuda"``.

    For ``"cuda"`` it imports CuPy and checks that CUDA shows it at least one device.

    Raises
    ------
    ValidationError
        ``device`` is not a device name (see :func:`check_device`).
    DeviceUnavailable
        ``"cuda"`` without CuPy installed, or without a visible CUDA device.
    """
    if check_device(device) == "cpu":
        return np
    cupy = _import_cupy()
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except RuntimeError as exc:  # CuPy's CUDARuntimeError and CUDADriverError derive from it
        raise DeviceUnavailable(_no_device(f"{type(exc).__name__}: {exc}")) from exc
    if count < 1:
        raise DeviceUnavailable(_no_device("the CUDA runtime reports 0 devices"))
    return cupy


def _no_device(detail: str) -> str:
    return (
        f"device 'cuda' needs an NVIDIA GPU, but no CUDA device is visible ({detail}); "
        "check the GPU driver and CUDA_VISIBLE_DEVICES, or use device='cpu'"
    )


def is_device_array(array: object) -> bool:
    """Whether ``array`` is a CuPy array, judged by its type's module (CuPy is not imported)."""
    return type(array).__module__.partition(".")[0] == "cupy"


def is_sparse(array: object) -> bool:
    """Whether ``array`` is a SciPy sparse matrix or array, judged by what it offers (``tocsr``
    and ``nnz``) so that SciPy is not imported: the engine multiplies one by a dense array
    with the sparse object's own ``@`` and never makes it dense."""
    return hasattr(array, "tocsr") and hasattr(array, "nnz")


def namespace_of(array: object) -> ModuleType:
    """The module ``array`` belongs to: ``cupy`` for a CuPy array, ``numpy`` for anything else
    (NumPy arrays, lists, scalars)."""
    return _import_cupy() if is_device_array(array) else np


def to_numpy(array: Any) -> NDArray[Any]:
    """``array`` as a NumPy array on the host: a copy from the GPU for a CuPy array
    (``array.get()``), no copy for a NumPy array."""
    if is_device_array(array):
        return cast(Any, array).get()
    return np.asarray(array)


def to_device(array: Any, xp: ModuleType) -> Any:
    """``array`` in the namespace ``xp`` (from :func:`get_namespace` or :func:`namespace_of`),
    copied between host and device only when it lives elsewhere; dtype and shape are kept.

    A SciPy sparse matrix stays as it is on the host; it cannot go to a GPU.
    """
    if is_sparse(array):
        if xp is not np:
            raise ValidationError(
                "sparse X trains and predicts on the CPU only; use device='cpu', or pass a "
                "dense array (X.toarray()) to train on the GPU"
            )
        return array
    if xp is np:
        return to_numpy(array)
    return xp.asarray(array)
