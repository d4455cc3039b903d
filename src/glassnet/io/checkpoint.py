"""Checkpoints: everything a training run needs to go on exactly where it stopped.

A checkpoint holds the parameters, the optimizer's state and update count (so its schedule
resumes where it was), the position in the run (epochs done, batches done in the current
epoch and that epoch's order of rows), the state of the shuffling generator and of every
Dropout layer's generator, the running epoch loss, the state of every callback that has one
(:meth:`Callback.state <glassnet.callbacks.Callback.state>`: early stopping's best loss,
patience count and best parameters, say), and the :class:`~glassnet.History`. A run
resumed from it — same network, data and arguments — ends with exactly the weights of the
run that was never interrupted.

The file is an ``.npz`` archive of numeric arrays plus a JSON header, written atomically
like a model file (:mod:`glassnet.io`) and read without pickle. NumPy only. Training writes
them through ``fit(..., checkpoint=path)`` or the callback
:class:`glassnet.callbacks.Checkpoint`, and goes on from one with ``fit(..., resume=path)``.
This module reads and writes the trainer's state and imports nothing of the training loop.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..backend import to_numpy
from ..errors import ModelFileError, ValidationError
from ..layers import Dropout
from .archive import UNREADABLE, read_array, remove_stale_temporaries, write_atomic

if TYPE_CHECKING:
    from ..trainer import Trainer

Array = NDArray[Any]

__all__ = ["FORMAT", "load_checkpoint", "save_checkpoint"]

FORMAT = "glassnet-checkpoint"
_HEADER = "__checkpoint__"


def _rng_state(rng: Any) -> tuple[dict[str, Any], dict[str, Array]]:
    """A generator's state as JSON plus arrays (RandomState's key vector is an array)."""
    if isinstance(rng, np.random.RandomState):
        kind, keys, pos, has_gauss, cached = rng.get_state()
        return {
            "kind": kind,
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached": float(cached),
        }, {"keys": np.asarray(keys)}
    if isinstance(rng, np.random.Generator):
        return {"bit_generator": rng.bit_generator.state}, {}
    raise ValidationError(f"cannot checkpoint a random generator of type {type(rng).__name__}")


def _set_rng_state(rng: Any, meta: dict[str, Any], arrays: dict[str, Array]) -> None:
    if isinstance(rng, np.random.RandomState):
        rng.set_state(
            (meta["kind"], arrays["keys"], meta["pos"], meta["has_gauss"], meta["cached"])
        )
    else:
        rng.bit_generator.state = meta["bit_generator"]


def save_checkpoint(trainer: Trainer, path: str | Path) -> None:
    """Write the state of ``trainer`` (between two updates) to ``path``, atomically."""
    arrays = _parameters_and_moments(trainer)
    generators = _generator_states(trainer, arrays)
    states = []
    for i, cb in enumerate(trainer.callbacks):
        saved = cb.state()
        if saved is not None:
            states.append({"callback": i, "type": type(cb).__name__, "values": saved[0]})
            arrays.update({f"callback/{i}/{k}": to_numpy(v) for k, v in saved[1].items()})
    if trainer.order is not None and trainer.batch:
        arrays["order"] = to_numpy(trainer.order)
    header = {
        "format": FORMAT,
        "version": 1,
        "optimizer": type(trainer.optimizer).__name__,
        "t": trainer.optimizer.t,
        "epoch": trainer.epoch,
        "batch": trainer.batch,
        "epoch_total": trainer.epoch_total,
        **generators,
        "callbacks": states,
        "last_finite": trainer.last_finite,
        "history": asdict(trainer.history),
        "arrays": sorted(arrays),
    }
    text = json.dumps(header, allow_nan=True)
    arrays[_HEADER] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    write_atomic(Path(path), arrays)


def _parameters_and_moments(trainer: Trainer) -> dict[str, Array]:
    """The parameters and the optimizer's state, on the host."""
    arrays = {f"param/{k}": to_numpy(v) for k, v in trainer.network.parameters().items()}
    for name, slots in trainer.optimizer.state.items():
        for slot, value in slots.items():
            arrays[f"opt/{name}/{slot}"] = to_numpy(value)
    return arrays


def _generator_states(trainer: Trainer, arrays: dict[str, Array]) -> dict[str, Any]:
    """The shuffling generator's and every Dropout layer's: JSON, with arrays put in ``arrays``."""
    rng_meta, rng_arrays = _rng_state(trainer.rng)
    arrays.update({f"rng/{k}": v for k, v in rng_arrays.items()})
    dropouts = []
    for i, layer in enumerate(trainer.network.layers):
        if isinstance(layer, Dropout):
            meta, extra = _rng_state(layer.rng)
            dropouts.append({"layer": i, **meta})
            arrays.update({f"dropout/{i}/{k}": v for k, v in extra.items()})
    return {"rng": rng_meta, "dropout": dropouts}


def load_checkpoint(trainer: Trainer, path: str | Path) -> None:
    """Put the state saved in ``path`` into ``trainer``, built with the same arguments.

    Temporaries of writers of ``path`` that were killed before their rename are removed.
    """
    remove_stale_temporaries(Path(path))
    header, arrays = _read(path)
    if header["optimizer"] != type(trainer.optimizer).__name__:
        raise ValidationError(
            f"the checkpoint was made with {header['optimizer']}, this run uses "
            f"{type(trainer.optimizer).__name__}: resume with the same arguments"
        )
    xp_asarray = trainer.network.xp.asarray
    _restore_parameters_and_moments(trainer, header, arrays, xp_asarray)
    _restore_generators(trainer, header, arrays)
    _restore_callbacks(trainer, header, arrays, xp_asarray)
    order = arrays.get("order")
    trainer.resume_at(
        int(header["epoch"]),
        int(header["batch"]),
        None if order is None else xp_asarray(order),
        float(header["epoch_total"]),
    )
    trainer.last_finite = header["last_finite"]
    trainer.history = type(trainer.history)(**header["history"])


def _read(path: str | Path) -> tuple[dict[str, Any], dict[str, Array]]:
    """The checkpoint's header and arrays, checked to be a checkpoint of this version."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = {n[: -len(".npy")] for n in archive.namelist() if n.endswith(".npy")}
            if _HEADER not in names:
                raise ModelFileError(f"{path}: not a glassnet checkpoint")
            header = json.loads(read_array(archive, _HEADER).tobytes().decode("utf-8"))
            arrays = {n: read_array(archive, n) for n in names if n != _HEADER}
    except UNREADABLE as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"{path}: cannot read the checkpoint ({exc})") from None
    if header.get("format") != FORMAT or header.get("version") != 1:
        raise ModelFileError(f"{path}: not a glassnet checkpoint of version 1")
    return header, arrays


def _restore_parameters_and_moments(
    trainer: Trainer, header: dict[str, Any], arrays: dict[str, Array], xp_asarray: Any
) -> None:
    params = trainer.network.parameters()
    saved = {k[len("param/") :]: v for k, v in arrays.items() if k.startswith("param/")}
    if set(saved) != set(params) or any(saved[k].shape != params[k].shape for k in params):
        raise ValidationError("the checkpoint's parameters do not fit this network")
    for name, param in params.items():
        param[...] = xp_asarray(saved[name])
    opt = trainer.optimizer
    opt.t = int(header["t"])
    opt.state = {}
    for key, value in arrays.items():
        if key.startswith("opt/"):
            _, name, slot = key.split("/", 2)
            opt.state.setdefault(name, {})[slot] = xp_asarray(value)


def _restore_generators(trainer: Trainer, header: dict[str, Any], arrays: dict[str, Array]) -> None:
    _set_rng_state(trainer.rng, header["rng"], {"keys": arrays.get("rng/keys")})  # type: ignore[dict-item]
    for meta in header["dropout"]:
        layer = trainer.network.layers[meta["layer"]]
        if not isinstance(layer, Dropout):
            raise ValidationError("the checkpoint's Dropout layers do not fit this network")
        keys = arrays.get(f"dropout/{meta['layer']}/keys")
        _set_rng_state(layer.rng, meta, {"keys": keys})  # type: ignore[dict-item]


def _restore_callbacks(
    trainer: Trainer, header: dict[str, Any], arrays: dict[str, Array], xp_asarray: Any
) -> None:
    """Give each callback with state the state it had: the same kinds, in the same order."""
    stateful = [cb for cb in trainer.callbacks if cb.state() is not None]
    saved = header.get("callbacks", [])
    if [type(cb).__name__ for cb in stateful] != [meta["type"] for meta in saved]:
        raise ValidationError(
            "the checkpoint's callbacks (early stopping, …) do not fit this run's arguments: "
            "resume with the same arguments"
        )
    for cb, meta in zip(stateful, saved, strict=True):
        prefix = f"callback/{meta['callback']}/"
        own = {k[len(prefix) :]: xp_asarray(v) for k, v in arrays.items() if k.startswith(prefix)}
        cb.set_state(meta["values"], own)
