"""The archive format under model files and checkpoints: an ``.npz`` of numeric arrays.

Written atomically (temporary file, fsync, rename), read array by array after checking each
``.npy`` header — numeric dtypes only, never pickle, no more data than the archive holds —
and summed up by a checksum. :mod:`glassnet.io` and :mod:`glassnet.io.checkpoint` build on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelFileError

Array = NDArray[Any]

__all__ = ["NUMERIC_KINDS", "UNREADABLE", "array_entry", "checksum", "read_array", "write_atomic"]

NUMERIC_KINDS = "biufc"
UNREADABLE = (zipfile.BadZipFile, ValueError, EOFError, OSError, zlib.error, NotImplementedError)
"""What reading a damaged archive raises (zipfile: NotImplementedError for unknown formats)."""
NPY_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def write_atomic(path: Path, arrays: Mapping[str, Any]) -> None:
    """Write the archive to a temporary file beside ``path``, sync it, then rename it over."""
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot save to '{path}': directory '{directory}' does not exist")
    temporary = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
    handle = open(temporary, "xb")  # before the try: unlink the file only once it is ours
    try:
        with handle:
            np.savez(handle, **arrays)  # to a file object, so NumPy adds no ".npz" suffix
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # persist the rename; Windows can't open directories
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def checksum(arrays: Mapping[str, Array]) -> str:
    """SHA-256 over each array's name, dtype, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        digest.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode("utf-8"))
        digest.update(a.tobytes())  # works for every shape, zero-size ones included
    return "sha256:" + digest.hexdigest()


def array_entry(name: str, shape: tuple[int, ...], dtype: np.dtype[Any]) -> dict[str, Any]:
    return {"name": name, "shape": list(shape), "dtype": dtype.str}


def read_array(archive: zipfile.ZipFile, name: str, entry: dict[str, Any] | None = None) -> Array:
    """Read one array after checking its .npy header: numbers only, as ``entry`` lists."""
    member = name + ".npy"
    try:
        with archive.open(member) as handle:
            version = np.lib.format.read_magic(handle)
            if version not in NPY_HEADERS:
                raise ModelFileError(f"array {name!r} has an unknown .npy version {version}")
            shape, _, dtype = NPY_HEADERS[version](handle)
        if (
            int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
            > archive.getinfo(member).file_size
        ):
            raise ModelFileError(
                f"array {name!r} declares shape {shape}, more data than the archive holds"
            )
        if dtype.kind not in NUMERIC_KINDS:
            raise ModelFileError(
                f"array {name!r} has dtype {dtype}: a model file holds numeric arrays only"
                + (", and glassnet never unpickles Python objects" if dtype.hasobject else "")
            )
        if entry is not None and array_entry(name, shape, dtype) != entry:
            raise ModelFileError(f"{name!r} has shape {shape}, dtype {dtype.str}; header: {entry}")
        with archive.open(member) as handle:
            return np.lib.format.read_array(handle, allow_pickle=False)
    except ModelFileError:
        raise
    except UNREADABLE as exc:
        raise ModelFileError(f"truncated or corrupt file: cannot read {name!r} ({exc})") from None
