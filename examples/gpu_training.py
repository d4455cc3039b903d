"""
Training on a GPU (recorded run, not executed here)
===================================================

The same engine code runs on CuPy arrays: ``mlp(..., device="cuda")`` (or
``network.to("cuda")``), ``GlassClassifier(device="cuda")`` and ``glassnet train …
--device cuda``. The data go to the device once per ``fit``, predictions come back as NumPy
arrays, and a model file holds host copies, so a model trained on a GPU loads and predicts
on any CPU. It needs ``pip install "glassnet[gpu]"`` (CuPy) and an NVIDIA GPU, so the
documentation build does not run it.

    python examples/gpu_training.py

A recorded run, on a machine without CuPy or a GPU (it says what is missing and stops; no
run on a GPU has been recorded yet)::

    no GPU here: DeviceUnavailable: device 'cuda' needs CuPy, which could not be imported
    (No module named 'cupy'); install it with pip install "glassnet[gpu]" (CuPy for CUDA
    12), or use device='cpu'
"""

from __future__ import annotations

import time

import numpy as np

import glassnet as gn
from glassnet import GlassClassifier


def main() -> None:
    rng = np.random.RandomState(0)
    X = rng.standard_normal((60_000, 784)).astype(np.float32)
    y = (X[:, :10].sum(axis=1) > 0).astype(np.int64)
    try:
        net = gn.mlp(
            [784, 256, 128, 2],
            activation="relu",
            output="softmax",
            dtype=np.float32,
            random_state=0,
            device="cuda",
        )
    except gn.DeviceUnavailable as missing:
        print(f"no GPU here: {type(missing).__name__}: {missing}")
        return
    start = time.perf_counter()
    gn.fit(net, X, y, optimizer="adam", learning_rate=1e-3, epochs=3, batch_size=1024)
    print(
        f"engine: 3 epochs of a 784-256-128-2 network on 60 000 rows in "
        f"{time.perf_counter() - start:.2f} s on the GPU"
    )
    model = GlassClassifier(
        hidden_layer_sizes=(256, 128), max_iter=3, device="cuda", random_state=0
    ).fit(X, y)
    predictions = model.predict(X[:5])
    print("GlassClassifier(device='cuda') predicts NumPy arrays:", type(predictions), predictions)


if __name__ == "__main__":
    main()
