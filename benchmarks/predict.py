"""PRED: prediction throughput of a saved and reloaded glassnet model.

The W2 network (its initial Glorot weights) is written with ``glassnet.io.save``, read back
with ``glassnet.io.load`` (untimed), and ``predict`` runs over the 60 000 rows in batches of
8192. The bound is the three forward matrix products alone over the same batches.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .dense import SIZES, Run, batches, initial_weights, torch_model

PRED_BATCH = 8192


def forward_bound(X: np.ndarray) -> Run:
    W = initial_weights()
    H1, H2, Z3 = (np.full((PRED_BATCH, k), 0, np.float32) for k in SIZES[1:])
    slices = batches(X.shape[0], PRED_BATCH)

    def run() -> None:
        for s in slices:
            xb = X[s]
            m = xb.shape[0]
            np.matmul(xb, W[0], out=H1[:m])
            np.matmul(H1[:m], W[1], out=H2[:m])
            np.matmul(H2[:m], W[2], out=Z3[:m])

    return run


def saved_model(directory: Path) -> Path:
    import glassnet as gn

    from .wildml import set_weights

    net = gn.mlp(list(SIZES), activation="relu", output="softmax", dtype=np.float32, random_state=0)
    set_weights(net, initial_weights())
    path = directory / "w2.glassnet"
    gn.io.save(net, path)
    return path


def glassnet_predict(X: np.ndarray, path: Path) -> Run:
    import glassnet as gn

    net = gn.io.load(path)
    slices = batches(X.shape[0], PRED_BATCH)

    def run() -> np.ndarray:
        return np.concatenate([net.predict(X[s]) for s in slices])

    return run


def torch_predict(torch: Any, X: np.ndarray) -> Run:
    model = torch_model(torch)
    Xt = torch.from_numpy(X)
    slices = batches(X.shape[0], PRED_BATCH)

    def run() -> np.ndarray:
        with torch.inference_mode():
            return np.concatenate([model(Xt[s]).argmax(dim=1).numpy() for s in slices])

    return run


def temporary_directory() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="glassnet-bench-")
