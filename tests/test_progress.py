"""Progress output: a tqdm bar with the current loss, or plain per-epoch lines."""

from __future__ import annotations

import io

import numpy as np
import pytest

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


@pytest.mark.parametrize("progress", [EpochLogger, ProgressBar])
def test_progress_ends_by_saying_why_training_stopped_early(progress, rising_validation):
    stream = io.StringIO()
    net, x, y, validation = rising_validation
    history = fit(
        net,
        x,
        y,
        learning_rate=0.1,
        epochs=50,
        validation_data=validation,
        early_stopping=True,
        patience=3,
        callbacks=[progress(50, file=stream)],
    )
    assert history.stopped_early and history.epochs == 4 and history.best_epoch == 0
    last = stream.getvalue().strip().splitlines()[-1]
    assert last == (
        "stopped at epoch 4: no improvement of the validation loss for 3 epochs; best epoch 1, "
        "its weights restored"
    )


def test_progress_says_nothing_more_when_the_run_goes_to_its_end():
    X, y = _data()
    stream = io.StringIO()
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    fit(net, X, y, epochs=3, learning_rate=0.1, callbacks=[EpochLogger(3, file=stream)])
    assert "stopped" not in stream.getvalue()
    assert len(stream.getvalue().splitlines()) == 3


def test_an_estimators_progress_bar_says_why_the_stopping_rule_stopped(capsys):
    from glassnet import GlassClassifier

    X, y = _data()
    clf = GlassClassifier(
        hidden_layer_sizes=(3,),
        max_iter=500,
        tol=0.5,
        n_iter_no_change=2,
        verbose=1,
        random_state=0,
    ).fit(X, y)
    # the loss never falls by tol: epoch 1 sets the best, epochs 2, 3, 4 count, and 3 > 2 stops
    assert clf.n_iter_ == 4
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "stopped at epoch 4: loss did not improve by more than tol=0.5 for 2 epochs"
    )
