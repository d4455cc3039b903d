"""Checkpoints: everything a training run needs to go on exactly where it stopped.

A checkpoint holds the parameters, the optimizer's state and update count (so its schedule
resumes where it was), the position in the run (epochs done, batches done in the current
epoch and that epoch's order of rows), the state of the shuffling generator and of every
Dropout layer's generator, the running epoch loss, early stopping's best loss, patience
count and best parameters, and the :class:`~glassnet.History`. A run
resumed from it — same network, data and arguments — ends with exactly the weights of the
run that was never interrupted.

The file is an ``.npz`` archive of numeric arrays plus a JSON header, written atomically
like a model file (:mod:`glassnet.io`) and read without pickle. NumPy only. Training writes
them through ``fit(..., checkpoint=path)`` or the callback
:class:`glassnet.callbacks.Checkpoint`, and goes on from one with ``fit(..., resume=path)``.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ._archive import read_array, remove_stale_temporaries, write_atomic
from .backend import to_numpy
from .errors import ModelFileError, ValidationError
from .layers import Dropout

if TYPE_CHECKING:
    from .training import Trainer

Array = NDArray[Any]

__all__ = ["FORMAT", "load_checkpoint", "save_checkpoint"]

FORMAT = "glassnet-checkpoint"
_HEADER = "__checkpoint__"


def _rng_state(rng: Any) -> tuple[dict[str, Any], dict[str, Array]]:
    """A generator's state as JSON plus arrays (RandomState's key vector is an array)."""
    if isinstance(rng, np.random.RandomState):
        kind, keys, pos, has_gauss, cached = rng.get_state()
        return {"kind": kind, "pos": int(pos), "has_gauss": int(has_gauss),
                "cached": float(cached)}, {"keys": np.asarray(keys)}  # fmt: skip
    if isinstance(rng, np.random.Generator):
        return {"bit_generator": rng.bit_generator.state}, {}
    raise ValidationError(f"cannot checkpoint a random generator of type {type(rng).__name__}")


def _set_rng_state(rng: Any, meta: dict[str, Any], arrays: dict[str, Array]) -> None:
    if isinstance(rng, np.random.RandomState):
        rng.set_state((meta["kind"], arrays["keys"], meta["pos"], meta["has_gauss"],
                       meta["cached"]))  # fmt: skip
    else:
        rng.bit_generator.state = meta["bit_generator"]


def _early_stoppers(trainer: Trainer) -> list[Any]:
    from .callbacks import EarlyStopping

    return [cb for cb in trainer.callbacks if isinstance(cb, EarlyStopping)]


def save_checkpoint(trainer: Trainer, path: str | Path) -> None:
    """Write the state of ``trainer`` (between two updates) to ``path``, atomically."""
    arrays: dict[str, Array] = {}
    for name, param in trainer.network.parameters().items():
        arrays[f"param/{name}"] = to_numpy(param)
    opt = trainer.optimizer
    for name, slots in opt.state.items():
        for slot, value in slots.items():
            arrays[f"opt/{name}/{slot}"] = to_numpy(value)
    rng_meta, rng_arrays = _rng_state(trainer.rng)
    arrays.update({f"rng/{k}": v for k, v in rng_arrays.items()})
    dropouts = []
    for i, layer in enumerate(trainer.network.layers):
        if isinstance(layer, Dropout):
            meta, extra = _rng_state(layer._rng)
            dropouts.append({"layer": i, **meta})
            arrays.update({f"dropout/{i}/{k}": v for k, v in extra.items()})
    stoppers = []
    for i, cb in enumerate(_early_stoppers(trainer)):
        stoppers.append({"best": cb.best, "wait": cb.wait, "params": cb.best_params is not None})
        for name, value in (cb.best_params or {}).items():
            arrays[f"early/{i}/{name}"] = to_numpy(value)
    epoch, batch, order, total = trainer.position
    if order is not None:
        arrays["order"] = to_numpy(order)
    header = {
        "format": FORMAT, "version": 1, "optimizer": type(opt).__name__, "t": opt.t,
        "epoch": epoch, "batch": batch, "epoch_total": total, "rng": rng_meta,
        "dropout": dropouts, "early_stopping": stoppers, "last_finite": trainer._last_finite,
        "history": asdict(trainer.history), "arrays": sorted(arrays),
    }  # fmt: skip
    text = json.dumps(header, allow_nan=True)
    arrays[_HEADER] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    write_atomic(Path(path), arrays)


def load_checkpoint(trainer: Trainer, path: str | Path) -> None:
    """Put the state saved in ``path`` into ``trainer``, built with the same arguments.

    Temporaries of writers of ``path`` that were killed before their rename are removed.
    """
    from .training import History

    remove_stale_temporaries(Path(path))
    try:
        with zipfile.ZipFile(path) as archive:
            names = {n[: -len(".npy")] for n in archive.namelist() if n.endswith(".npy")}
            if _HEADER not in names:
                raise ModelFileError(f"{path}: not a glassnet checkpoint")
            header = json.loads(read_array(archive, _HEADER).tobytes().decode("utf-8"))
            arrays = {n: read_array(archive, n) for n in names if n != _HEADER}
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"{path}: cannot read the checkpoint ({exc})") from None
    if header.get("format") != FORMAT or header.get("version") != 1:
        raise ModelFileError(f"{path}: not a glassnet checkpoint of version 1")
    if header["optimizer"] != type(trainer.optimizer).__name__:
        raise ValidationError(
            f"the checkpoint was made with {header['optimizer']}, this run uses "
            f"{type(trainer.optimizer).__name__}: resume with the same arguments"
        )
    params = trainer.network.parameters()
    saved = {k[len("param/") :]: v for k, v in arrays.items() if k.startswith("param/")}
    if set(saved) != set(params) or any(saved[k].shape != params[k].shape for k in params):
        raise ValidationError("the checkpoint's parameters do not fit this network")
    xp_asarray = trainer.network.xp.asarray
    for name, param in params.items():
        param[...] = xp_asarray(saved[name])
    opt = trainer.optimizer
    opt.t = int(header["t"])
    opt.state = {}
    for key, value in arrays.items():
        if key.startswith("opt/"):
            _, name, slot = key.split("/", 2)
            opt.state.setdefault(name, {})[slot] = xp_asarray(value)
    _set_rng_state(trainer.rng, header["rng"], {"keys": arrays.get("rng/keys")})  # type: ignore[dict-item]
    for meta in header["dropout"]:
        layer = trainer.network.layers[meta["layer"]]
        if not isinstance(layer, Dropout):
            raise ValidationError("the checkpoint's Dropout layers do not fit this network")
        _set_rng_state(layer._rng, meta, {"keys": arrays.get(f"dropout/{meta['layer']}/keys")})  # type: ignore[dict-item]
    stoppers = _early_stoppers(trainer)
    if len(stoppers) != len(header["early_stopping"]):
        raise ValidationError("the checkpoint's early stopping does not fit this run's arguments")
    for i, (cb, meta) in enumerate(zip(stoppers, header["early_stopping"], strict=True)):
        cb.best, cb.wait = float(meta["best"]), int(meta["wait"])
        prefix = f"early/{i}/"
        cb.best_params = (
            {k[len(prefix):]: xp_asarray(v) for k, v in arrays.items() if k.startswith(prefix)}
            if meta["params"] else None
        )  # fmt: skip
    order = arrays.get("order")
    trainer.position = (int(header["epoch"]), int(header["batch"]),
                        None if order is None else xp_asarray(order),
                        float(header["epoch_total"]))  # fmt: skip
    trainer._last_finite = header["last_finite"]
    trainer.history = History(**header["history"])
