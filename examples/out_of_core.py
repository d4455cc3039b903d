"""
Out-of-core training with ``partial_fit``
=========================================

Training on one machine from a file larger than memory: ``partial_fit`` over chunks of a
memory-mapped file.

The features live in a ``.npy`` file that is opened with ``mmap_mode="r"``: only the chunk
being trained on is read into memory, so the file can be far larger than RAM.

Run it as ``python examples/out_of_core.py``: it writes the data to a temporary folder,
trains and scores.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from glassnet import GlassClassifier


def make_files(
    folder: Path, n_rows: int = 200_000, n_features: int = 8, seed: int = 0
) -> tuple[Path, Path]:
    """Write features and labels as .npy files, a chunk at a time (never all in memory)."""
    rng = np.random.RandomState(seed)
    X = np.lib.format.open_memmap(
        folder / "X.npy", mode="w+", dtype=np.float32, shape=(n_rows, n_features)
    )
    y = np.lib.format.open_memmap(folder / "y.npy", mode="w+", dtype=np.int64, shape=(n_rows,))
    for start in range(0, n_rows, 50_000):
        stop = min(start + 50_000, n_rows)
        block = rng.standard_normal((stop - start, n_features)).astype(np.float32)
        X[start:stop] = block
        y[start:stop] = (block[:, 0] * block[:, 1] > 0).astype(np.int64)  # XOR of two signs
    X.flush()
    y.flush()
    return folder / "X.npy", folder / "y.npy"


def train(
    x_path: Path, y_path: Path, chunk_rows: int = 20_000, epochs: int = 2
) -> tuple[GlassClassifier, float]:
    """partial_fit on each chunk of the memory-mapped data; returns the model and its accuracy
    on the last chunk it has not yet seen in the final pass (a rough held-out score)."""
    X = np.load(x_path, mmap_mode="r")
    y = np.load(y_path, mmap_mode="r")
    n = X.shape[0]
    holdout = n - chunk_rows  # keep the last chunk out of training
    model = GlassClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0)
    for _ in range(epochs):
        for start in range(0, holdout, chunk_rows):
            stop = min(start + chunk_rows, holdout)
            model.partial_fit(np.asarray(X[start:stop]), np.asarray(y[start:stop]), classes=[0, 1])
    score = model.score(np.asarray(X[holdout:]), np.asarray(y[holdout:]))
    return model, score


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        x_path, y_path = make_files(Path(folder))
        size = x_path.stat().st_size / 2**20
        _, score = train(x_path, y_path)
        print(f"trained on {x_path} ({size:.1f} MiB, memory-mapped) in chunks of 20 000 rows")
        chunks = len(range(0, 200_000 - 20_000, 20_000))  # the last chunk is held out
        print(f"held-out accuracy: {score:.3f} after 2 passes of {chunks} partial_fit calls")


if __name__ == "__main__":
    main()
