"""Progress output: a tqdm bar with the current loss, or plain per-epoch lines."""

from __future__ import annotations

import io

import numpy as np

from glassnet import fit, mlp
from glassnet.progress import EpochLogger, ProgressBar


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    return X, (X[:, 0] > 0).astype(int)


def test_progress_bar_counts_epochs_and_shows_the_loss():
    X, y = _data()
    stream = io.StringIO()
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    fit(net, X, y, epochs=7, learning_rate=0.1, callbacks=[ProgressBar(7, file=stream)])
    text = stream.getvalue()
    assert "7/7" in text and "loss=" in text and "epoch" in text


def test_epoch_logger_prints_one_line_per_epoch_or_every_n():
    X, y = _data()
    for every, expected in ((1, 6), (4, 2)):  # every 4th: epochs 4 and 6 (the last)
        stream = io.StringIO()
        net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
        history = fit(
            net,
            X,
            y,
            epochs=6,
            learning_rate=0.1,
            validation_fraction=0.25,
            random_state=0,
            callbacks=[EpochLogger(6, file=stream, every=every)],
        )
        lines = stream.getvalue().splitlines()
        assert len(lines) == expected
        assert lines[-1].startswith("epoch 6/6  loss ")
        assert f"{history.loss[-1]:.6g}" in lines[-1] and "val_loss" in lines[-1]
