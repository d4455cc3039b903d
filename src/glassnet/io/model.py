r"""Model files: save a :class:`~glassnet.network.Network` to one file and load it back.

``save(network, path, *, preprocessing=None, classes=None, metadata=None)`` writes the network,
and what it needs around it, to exactly ``path`` (no suffix is added). ``load(path)`` returns
the :class:`~glassnet.network.Network`, which predicts bit for bit what the saved one did.
``load_model(path)`` returns a :class:`ModelFile`: the network, the preprocessing arrays (a
standardisation ``mean`` and ``std``, say), the class labels and the metadata; its
``predict`` applies what a file written by ``glassnet train`` records of the preprocessing
(:mod:`glassnet.io.modelfile`).

A model file (format version 1) is an uncompressed ``.npz`` archive, which
``numpy.load(path, allow_pickle=False)`` opens. It holds one array per parameter, named as in
:meth:`~glassnet.network.Network.parameters` (``"0.weight"``, ``"0.bias"``, …), one array
``"preprocessing.<key>"`` per preprocessing entry, and ``"__glassnet__"``, a ``uint8`` array
of UTF-8 JSON::

    {"format": "glassnet-model", "format_version": 1, "glassnet_version": "0.1.0",
     "network": {"layers": [{"type": "dense", "config": {"n_in": 2, "n_out": 8, "bias": true,
                                                         "dtype": "float64"}},
                            {"type": "leaky_relu", "config": {"negative_slope": 0.2}},
                            {"type": "dropout", "config": {"rate": 0.5}}, ...],
                 "output": {"type": "softmax", "config": {}}, "l2": 0.0, "l1": 0.0,
                 "penalty_scaling": "none"},
     "arrays": [{"name": "0.weight", "shape": [2, 8], "dtype": "<f8"}, ...],
     "preprocessing": ["mean", "std"], "classes": ["cat", "dog"], "metadata": {...},
     "checksum": "sha256:…"}

Loading never unpickles and never looks names up dynamically: layers are rebuilt from a fixed
table of known types, and every array is checked against the header and the architecture. A
file that cannot be loaded raises :class:`~glassnet.errors.ModelFileError` (a
``ValidationError``, so a ``ValueError``) saying what is wrong. Dropout layers come back with
``random_state=None``: their masks matter only in training.

The header records a SHA-256 checksum of every array (name, dtype, shape and bytes); a
file whose arrays do not match it is refused, so an edited or damaged model never loads.

Saving is atomic: the archive goes to a temporary file beside ``path``, is flushed to disk
(:func:`os.fsync`) and moved onto ``path`` (:func:`os.replace`), so a failed save or a crash
leaves a model already at ``path`` intact.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..activations import ACTIVATIONS, Activation
from ..backend import to_numpy
from ..errors import ModelFileError, ValidationError
from ..layers import Dense, Dropout
from ..network import Network
from .archive import NUMERIC_KINDS, UNREADABLE, array_entry, checksum, read_array, write_atomic
from .modelfile import ModelFile

Array = NDArray[Any]
PathLike = str | os.PathLike[str]

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFile", "load", "load_model", "save"]

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
_HEADER = "__glassnet__"
_PREFIX = "preprocessing."
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
#: bounds that keep a hostile file from exhausting memory before it is refused
_MAX_HEADER_BYTES = 16 * 2**20
_MAX_PARAMETERS = 2**28


# -- saving -------------------------------------------------------------------------------
def save(
    network: Network,
    path: PathLike,
    *,
    preprocessing: Mapping[str, ArrayLike] | None = None,
    classes: Sequence[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """Write ``network`` to a model file at exactly ``path``, replacing it atomically.

    Parameters
    ----------
    network : Network
        Built from :class:`~glassnet.layers.Dense`, :class:`~glassnet.layers.Dropout` and
        the built-in activations. A network on the GPU is written from host copies and loads
        on the CPU (``network.to("cuda")`` moves it back).
    path : str or path-like
        The file to write; its directory must exist. No ``.npz`` suffix is added.
    preprocessing : mapping of str to array-like, optional
        Numeric arrays to keep with the model, e.g. ``{"mean": mu, "std": sigma}``. A key is
        1 to 100 letters, digits, ``_``, ``.`` or ``-``.
    classes : sequence, optional
        JSON-serialisable class labels, e.g. ``["cat", "dog"]``; NumPy scalars and arrays
        are converted with ``.item()`` and ``.tolist()``.
    metadata : mapping of str to JSON-serialisable values, optional
        Stored as JSON (tuples come back as lists).

    Raises
    ------
    ValidationError
        If a layer has no file representation or an argument cannot be stored.
    FileNotFoundError
        If the directory of ``path`` does not exist.
    """
    from .. import __version__  # at call time: glassnet/__init__ imports this module first

    if not isinstance(network, Network):
        raise ValidationError(f"save needs a glassnet Network, got {type(network).__name__}")
    layers = [_describe(layer, f"layer {i}") for i, layer in enumerate(network.layers)]
    output = _describe(network.output, "output")
    arrays = {name: to_numpy(p) for name, p in network.parameters().items()}  # host copies
    prep = _check_preprocessing(preprocessing)
    arrays.update({_PREFIX + key: value for key, value in prep.items()})
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "glassnet_version": __version__,
        "network": {
            "layers": layers,
            "output": output,
            "l2": network.l2,
            "l1": network.l1,
            "penalty_scaling": network.penalty_scaling,
        },
        "arrays": [array_entry(name, a.shape, a.dtype) for name, a in arrays.items()],
        "preprocessing": list(prep),
        "classes": _check_classes(classes),
        "metadata": _check_metadata(metadata),
        "checksum": checksum(arrays),
    }
    text = json.dumps(header, ensure_ascii=False, allow_nan=False)
    arrays[_HEADER] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    write_atomic(Path(path), arrays)


def _describe(layer: object, what: str) -> dict[str, Any]:
    """The header entry ``{"type": ..., "config": ...}`` of one layer or activation."""
    if type(layer) is Dense:
        return {"type": "dense", "config": {**layer.config(), "dtype": layer.dtype.name}}
    if type(layer) is Dropout:
        return {"type": "dropout", "config": layer.config()}
    if isinstance(layer, Activation) and ACTIVATIONS.get(layer.name) is type(layer):
        return {"type": layer.name, "config": layer.config()}
    known = ", ".join(sorted({cls.name for cls in ACTIVATIONS.values()}))
    raise ValidationError(
        f"cannot save {what} {layer!r}: a model file holds Dense, Dropout and the built-in "
        f"activations ({known}) only"
    )


def _check_preprocessing(preprocessing: Mapping[str, ArrayLike] | None) -> dict[str, Array]:
    if not isinstance(preprocessing, (Mapping, type(None))):
        raise ValidationError(f"preprocessing must be a dict of arrays, got {preprocessing!r}")
    out = {}
    for key, value in (preprocessing or {}).items():
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValidationError(f"preprocessing key {key!r}: use 1-100 of A-Z a-z 0-9 _ . -")
        out[key] = arr = np.asarray(value)
        if arr.dtype.kind not in NUMERIC_KINDS:
            raise ValidationError(f"preprocessing[{key!r}] is not numeric (dtype {arr.dtype})")
    return out


def _check_classes(classes: Sequence[Any] | None) -> list[Any] | None:
    if isinstance(classes, (str, bytes)) or not isinstance(classes, (Sequence, np.ndarray)):
        if classes is None:
            return None
        raise ValidationError(f"classes must be a list of labels, got {classes!r}")
    labels = [c.item() if isinstance(c, np.generic) else c for c in classes]
    return _json_ready(labels, "classes")


def _check_metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    if not isinstance(metadata, Mapping) or not all(isinstance(k, str) for k in metadata):
        if metadata is None:
            return {}
        raise ValidationError(f"metadata must be a dict with str keys, got {metadata!r}")
    return _json_ready(dict(metadata), "metadata")


def _json_ready(value: Any, what: str) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what} must be JSON-serialisable: {exc}") from None
    return value


# -- loading ------------------------------------------------------------------------------
def load(path: PathLike) -> Network:
    """Read the network of a model file written by :func:`save`.

    Raises :class:`~glassnet.errors.ModelFileError` if the file cannot be loaded. Use
    :func:`load_model` for the preprocessing arrays, classes and metadata as well.
    """
    return load_model(path).network


def load_model(path: PathLike) -> ModelFile:
    """Read everything a model file written by :func:`save` holds.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    ModelFile
        The network, preprocessing arrays, classes, metadata and writing glassnet version.

    Raises
    ------
    ModelFileError
        If the file is not a glassnet model file, is truncated or corrupt, was written by a
        newer glassnet, names an unknown layer, or holds arrays that do not match.
    """
    where = os.fspath(path)
    try:
        with open(where, "rb") as handle, _open_archive(handle) as archive:
            return _read_model(archive)
    except ModelFileError as exc:
        raise ModelFileError(f"{where}: {exc}") from None


def _open_archive(handle: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except UNREADABLE:
        handle.seek(0)
        if handle.read(4) == b"PK\x03\x04":
            raise ModelFileError("truncated or corrupt model file (unreadable zip index)") from None
        raise ModelFileError("not a glassnet model file (not a zip/.npz archive)") from None


def _read_model(archive: zipfile.ZipFile) -> ModelFile:
    header = _read_header(archive)
    network = _build_network(header.get("network"))
    keys = _field(header, "preprocessing", list)
    if not all(isinstance(k, str) for k in keys) or len(set(keys)) != len(keys):
        raise ModelFileError(f"the preprocessing names are invalid: {keys!r}")
    listed = _check_arrays(network, _field(header, "arrays", list), keys, archive.namelist())
    arrays = {name: read_array(archive, name, entry) for name, entry in listed.items()}
    if checksum(arrays) != _field(header, "checksum", str):
        raise ModelFileError(
            "checksum mismatch: the arrays are not those the file was saved with (edited or "
            "corrupted since); re-save the model from its source"
        )
    for name, param in network.parameters().items():
        np.copyto(param, arrays[name])
    return ModelFile(
        network=network,
        preprocessing={key: arrays[_PREFIX + key] for key in keys},
        classes=_field(header, "classes", (list, type(None))),
        metadata=_field(header, "metadata", dict),
        glassnet_version=_field(header, "glassnet_version", str),
    )


def _read_header(archive: zipfile.ZipFile) -> dict[str, Any]:
    if _HEADER + ".npy" not in archive.namelist():
        raise ModelFileError(f"not a glassnet model file (no {_HEADER!r} header entry)")
    if archive.getinfo(_HEADER + ".npy").file_size > _MAX_HEADER_BYTES:
        raise ModelFileError(f"the header entry is too large (over {_MAX_HEADER_BYTES} bytes)")
    raw = read_array(archive, _HEADER)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError(f"corrupt header (dtype {raw.dtype}, shape {raw.shape})")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # ValueError: bad UTF-8 or bad JSON
        raise ModelFileError(f"corrupt header, not UTF-8 JSON ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"not a glassnet model file (header format is not {FORMAT!r})")
    version = header.get("format_version")
    if type(version) is not int or version < 1:
        raise ModelFileError(f"invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"written by a newer glassnet ({header.get('glassnet_version')}, format version "
            f"{version}; this one reads version {FORMAT_VERSION}): upgrade glassnet to load it"
        )
    return header


def _field(header: dict[str, Any], key: str, kind: Any) -> Any:
    value = header.get(key)
    if not isinstance(value, kind):
        raise ModelFileError(f"header field {key!r} is invalid: {value!r}")
    return value


def _build_network(architecture: object) -> Network:
    if not isinstance(architecture, dict) or not isinstance(architecture.get("layers"), list):
        raise ModelFileError("the header has no network architecture")
    declared = 0
    for spec in architecture["layers"]:  # sizes first: nothing is allocated for an absurd one
        config = spec.get("config") if isinstance(spec, dict) else None
        if isinstance(config, dict) and spec.get("type") == "dense":
            n_in, n_out = config.get("n_in"), config.get("n_out")
            if type(n_in) is int and type(n_out) is int and n_in > 0 and n_out > 0:
                declared += n_in * n_out + n_out
    if declared > _MAX_PARAMETERS:
        raise ModelFileError(
            f"the architecture declares {declared} parameters, more than the {_MAX_PARAMETERS} "
            "a model file may hold"
        )
    layers = [_build_layer(spec, f"layer {i}") for i, spec in enumerate(architecture["layers"])]
    dense = [(i, layer) for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    for (i, a), (j, b) in pairwise(dense):
        if a.n_out != b.n_in:
            raise ModelFileError(f"layer {i} gives {a.n_out} outputs but layer {j} takes {b.n_in}")
    output = _build_layer(architecture.get("output"), "output")
    if not isinstance(output, Activation):
        raise ModelFileError(f"the output must be an activation, got {output!r}")
    try:
        return Network(
            layers,
            output=output,
            l2=architecture["l2"],
            l1=architecture["l1"],
            penalty_scaling=architecture.get("penalty_scaling", "none"),  # older files: "none"
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"invalid network settings (l2, l1, penalty_scaling): {exc}") from None


def _dense(n_in: int, n_out: int, bias: bool, dtype: str) -> Dense:
    return Dense(n_in, n_out, bias=bias, dtype=dtype, init="zeros")  # "zeros" draws nothing


def _build_layer(spec: object, what: str) -> Any:
    """Rebuild one layer from its header entry by the fixed table of known types, and check
    that the rebuilt layer describes itself exactly as the entry does."""
    if not (isinstance(spec, dict) and isinstance(spec.get("config"), dict)):
        raise ModelFileError(f"{what} is not a {{'type': ..., 'config': ...}} entry: {spec!r}")
    kind, config = spec.get("type"), spec["config"]
    builders: dict[str, Any] = {"dense": _dense, "dropout": Dropout, **ACTIVATIONS}
    if not isinstance(kind, str) or kind not in builders:
        raise ModelFileError(f"{what} has an unknown type {kind!r} (known: {sorted(builders)})")
    try:
        layer = builders[kind](**config)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{what} ({kind}) has an invalid config {config} ({exc})") from None
    if _describe(layer, what) != spec:
        raise ModelFileError(f"{what} ({kind}) has an invalid entry {spec}")
    return layer


def _check_arrays(
    network: Network, entries: list[Any], keys: list[str], members: list[str]
) -> dict[str, dict[str, Any]]:
    """Check that the arrays the header lists, and those stored, are exactly the parameters
    (with the shapes and dtypes of the architecture) and the preprocessing arrays."""
    listed = {
        e["name"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)
    }
    if len(listed) != len(entries) or _HEADER in listed:
        raise ModelFileError("the header's list of arrays has invalid or repeated entries")
    params = {k: array_entry(k, v.shape, v.dtype) for k, v in network.parameters().items()}
    wanted = params.keys() | {_PREFIX + key for key in keys}
    stored = {m.removesuffix(".npy") for m in members} - {_HEADER}
    missing = sorted((wanted - listed.keys()) | (listed.keys() - stored))
    if missing:
        raise ModelFileError(f"missing arrays {missing}, which the model needs")
    unknown = sorted((listed.keys() - wanted) | (stored - listed.keys()))
    if unknown:
        raise ModelFileError(f"arrays {unknown} are not part of the model")
    for name, entry in params.items():
        if listed[name] != entry:
            raise ModelFileError(f"{name!r} is listed as {listed[name]}; the model needs {entry}")
    return listed
