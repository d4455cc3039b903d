"""The archive format under model files and checkpoints: an ``.npz`` of numeric arrays.

Written atomically (temporary file, fsync, rename), read array by array after checking each
``.npy`` header — numeric dtypes only, never pickle, no more data than the archive holds —
and summed up by a checksum. :mod:`glassnet.io` and :mod:`glassnet.io.checkpoint` build on it.

The temporary file is ``.NAME.<pid>.<16 hex digits>.tmp`` beside the target ``NAME``, ``pid``
being the writer's process id. A writer killed before its rename leaves it behind; the next
write of the same target (and a resume from a checkpoint) removes those whose writer is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelFileError

Array = NDArray[Any]

__all__ = [
    "NUMERIC_KINDS",
    "UNREADABLE",
    "array_entry",
    "atomic_file",
    "checksum",
    "read_array",
    "remove_stale_temporaries",
    "write_atomic",
]

NUMERIC_KINDS = "biufc"
UNREADABLE = (zipfile.BadZipFile, ValueError, EOFError, OSError, zlib.error, NotImplementedError)
"""What reading a damaged archive raises (zipfile: NotImplementedError for unknown formats)."""
NPY_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


@contextlib.contextmanager
def atomic_file(path: Path, text: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; when the block ends without an
    error, sync it and rename it over ``path``, else remove it: ``path`` is either what it was
    or complete, never half written. glassnet's one way of writing a user's file.

    ``text=True`` opens it for UTF-8 text with universal newlines off (for CSV). Temporaries
    that killed writers left for the same ``path`` are removed first.
    """
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot save to '{path}': directory '{directory}' does not exist")
    remove_stale_temporaries(path)
    temporary = directory / f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp"
    # opened before the try: the file is unlinked below only once it is ours
    handle = open(temporary, "x", newline="", encoding="utf-8") if text else open(temporary, "xb")
    try:
        with handle:
            yield handle
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


def write_atomic(path: Path, arrays: Mapping[str, Any]) -> None:
    """Write the ``.npz`` archive of ``arrays`` to ``path`` atomically (:func:`atomic_file`)."""
    with atomic_file(path) as handle:
        np.savez(handle, **arrays)  # to a file object, so NumPy adds no ".npz" suffix


def _writer_gone(pid: int) -> bool:
    """Whether no process ``pid`` exists. Unsure (no permission, no way to ask) counts as alive."""
    if pid <= 0 or os.name == "nt":  # Windows' os.kill signals the process instead of probing
        return False
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, the kernel only checks that pid exists
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # PermissionError: it exists, under another user
        return False
    return False


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporaries of :func:`write_atomic` for ``path`` whose writer is gone.

    Only files named ``.NAME.<pid>.<16 hex digits>.tmp`` for this target ``NAME`` are
    candidates, and one is removed only when no process ``pid`` exists: the temporary of a
    live writer, another target's, or any other file is never touched. Returns what was
    removed; a file that cannot be removed stays, silently.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.([0-9]+)\.[0-9a-f]{{16}}\.tmp")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or not _writer_gone(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


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
