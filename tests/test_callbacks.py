"""Callbacks: the hooks, History, early stopping, PrintLoss, and scikit-learn's rules
(PlateauStopping, InverseScalingRate) checked against those rules written out here."""

from __future__ import annotations

import io
import math
import re
from itertools import pairwise
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from glassnet import (
    Callback,
    EarlyStopping,
    GradientDescent,
    PrintLoss,
    SoftmaxCrossEntropy,
    SumSquaredError,
    TrainingDiverged,
    fit,
    mlp,
)
from glassnet.callbacks import EpochScores, History, InverseScalingRate, PlateauStopping
from glassnet.metrics import accuracy


def blobs(rng, n_per_class=20):
    """Two well separated Gaussian blobs: a linearly separable two-class problem."""
    x = np.vstack([rng.randn(n_per_class, 2) + 2.5, rng.randn(n_per_class, 2) - 2.5])
    y = np.repeat([0, 1], n_per_class)
    return x, y


def params_copy(net):
    return {k: v.copy() for k, v in net.parameters().items()}


# -- early stopping ------------------------------------------------------------------------------------


class Snapshots(Callback):
    """Copies of the parameters at the end of every epoch."""

    def __init__(self):
        self.params = []

    def on_epoch_end(self, trainer, epoch, logs):
        self.params.append(params_copy(trainer.network))


@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_with_patience_and_restore_best(restore_best, rising_validation):
    net, x, y, validation = rising_validation
    snapshots = Snapshots()
    history = fit(
        net,
        x,
        y,
        learning_rate=0.1,
        epochs=50,
        validation_data=validation,
        early_stopping=True,
        patience=3,
        restore_best=restore_best,
        callbacks=[snapshots],
    )
    assert all(b > a for a, b in pairwise(history.val_loss))
    assert history.best_epoch == 0
    assert history.stopped_early
    assert history.epochs == 4 == len(snapshots.params)  # epoch 0 then 3 epochs without progress
    expected = snapshots.params[0] if restore_best else snapshots.params[-1]
    for name, param in net.parameters().items():
        assert_array_equal(param, expected[name])
    assert not np.array_equal(snapshots.params[0]["0.weight"], snapshots.params[-1]["0.weight"])


def test_early_stopping_monitors_training_loss_without_validation(rng):
    x, y = rng.randn(10, 2), rng.randn(10)
    stopper = EarlyStopping(patience=2, min_delta=1e9)  # nothing counts as progress
    history = fit(mlp([2, 1], random_state=0), x, y, epochs=20, callbacks=[stopper])
    assert history.epochs == 3 and history.stopped_early and history.best_epoch == 0


def test_no_early_stop_while_improving(rng):
    x, y = blobs(rng)
    net = mlp([2, 4, 2], activation="tanh", output="softmax", random_state=0)
    history = fit(net, x, y, learning_rate=0.1, epochs=15, early_stopping=True, patience=2)
    assert history.epochs == 15 and not history.stopped_early and history.best_epoch == 14


# -- callbacks -----------------------------------------------------------------------------------------


class Recorder(Callback):
    def __init__(self, stop_after_epoch=None):
        self.events = []
        self.stop_after_epoch = stop_after_epoch

    def on_train_begin(self, trainer):
        self.events.append(("begin",))

    def on_update_end(self, trainer, update, batch_loss):
        self.events.append(("update", update, batch_loss))

    def on_epoch_end(self, trainer, epoch, logs):
        self.events.append(("epoch", epoch, dict(logs)))
        if epoch == self.stop_after_epoch:
            trainer.stop_training = True

    def on_train_end(self, trainer):
        self.events.append(("end",))


def test_callback_hooks_are_called_in_order(rng):
    x, y = rng.randn(6, 2), rng.randn(6)
    rec = Recorder()
    history = fit(
        mlp([2, 1], random_state=0),
        x,
        y,
        epochs=2,
        batch_size=3,
        callbacks=[rec],
        validation_data=(x, y),
        random_state=0,
    )
    kinds = [e[0] for e in rec.events]
    assert kinds == ["begin", "update", "update", "epoch", "update", "update", "epoch", "end"]
    updates = [e for e in rec.events if e[0] == "update"]
    assert [e[1] for e in updates] == [0, 1, 2, 3]
    assert [e[2] for e in updates] == history.batch_loss
    epochs = [e for e in rec.events if e[0] == "epoch"]
    assert [e[1] for e in epochs] == [0, 1]
    assert [e[2]["loss"] for e in epochs] == history.loss
    assert [e[2]["val_loss"] for e in epochs] == history.val_loss


def test_callback_can_stop_training(rng):
    x, y = rng.randn(6, 2), rng.randn(6)
    rec = Recorder(stop_after_epoch=2)
    history = fit(mlp([2, 1], random_state=0), x, y, epochs=10, callbacks=[rec])
    assert history.epochs == 3
    assert rec.events[-1] == ("end",)


def test_on_train_end_runs_when_training_fails(rng):
    x, y = rng.randn(6, 2), rng.randn(6)
    rec = Recorder()
    with pytest.raises(TrainingDiverged):
        fit(mlp([2, 1], random_state=0), x * 1e3, y, learning_rate=1e3, epochs=500, callbacks=[rec])
    assert rec.events[0] == ("begin",) and rec.events[-1] == ("end",)


# -- PrintLoss -----------------------------------------------------------------------------------------

LINE = re.compile(r"^Loss after iteration (\d+): (\d+\.\d{6})$")


def test_print_loss_lines(rng):
    x, y = blobs(rng)
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    out = io.StringIO()
    fit(net, x, y, learning_rate=0.1, epochs=5, callbacks=[PrintLoss(every=2, file=out)])
    lines = out.getvalue().splitlines()
    assert [LINE.match(line).group(1) for line in lines] == ["0", "2", "4"]
    # the last line is the loss on the whole training set after the last update
    assert lines[-1] == f"Loss after iteration 4: {SoftmaxCrossEntropy()(net.raw_output(x), y):.6f}"


def test_print_loss_is_per_example_for_summed_losses(rng):
    x, y = rng.randn(8, 2), rng.randn(8)
    net = mlp([2, 1], random_state=0)
    out = io.StringIO()
    loss = SumSquaredError(0.5)
    fit(net, x, y, loss=loss, learning_rate=0.01, epochs=1, callbacks=[PrintLoss(1, file=out)])
    per_example = 0.5 * np.sum((net.predict(x)[:, 0] - y) ** 2) / 8
    assert out.getvalue() == f"Loss after iteration 0: {per_example:.6f}\n"


def test_engine_prints_nothing_by_itself(rng, capsys):
    x, y = rng.randn(8, 2), rng.randn(8)
    fit(mlp([2, 2, 1], random_state=0), x, y, epochs=3, validation_fraction=0.25, random_state=0)
    assert capsys.readouterr() == ("", "")


def test_print_loss_defaults_to_stdout(rng, capsys):
    x, y = rng.randn(4, 2), rng.randn(4)
    fit(mlp([2, 1], random_state=0), x, y, epochs=1, callbacks=[PrintLoss()])
    assert LINE.match(capsys.readouterr().out.strip())


# -- scikit-learn's rules, as engine callbacks ---------------------------------------------------------


def sklearn_rule(values, mode, tol, n_iter_no_change, adaptive=False, lr=0.1):
    """scikit-learn's MLP bookkeeping written out (``_update_no_improvement_count`` and
    ``trigger_stopping``): the epoch it stops at (or None), the learning rates, the bests."""
    best = math.inf if mode == "min" else -math.inf
    count, rates, bests = 0, [], []
    for epoch, v in enumerate(values):
        if mode == "min":
            count = count + 1 if v > best - tol else 0
            best = min(best, v)
        else:
            count = count + 1 if v < best + tol else 0
            best = max(best, v)
        bests.append(best)
        if count > n_iter_no_change:
            if not adaptive or lr <= 1e-6:
                return epoch, rates, bests
            lr /= 5.0
            count = 0
        rates.append(lr)
    return None, rates, bests


def stand_in_trainer(lr=0.1):
    """What the rules touch: the optimizer, the history, the stop flag, the network."""
    net = mlp([2, 1], random_state=0)
    return SimpleNamespace(
        optimizer=GradientDescent(lr),
        history=History(),
        network=net,
        stop_training=False,
        x=np.zeros((40, 2)),
    )


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("adaptive", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_plateau_stopping_is_scikit_learns_rule(mode, adaptive, seed):
    rng = np.random.RandomState(seed)
    # a noisy plateau: improvements smaller and larger than tol, ties, then a long stall
    values = np.concatenate(
        [np.cumsum(rng.choice([-1e-3, -1e-5, 0.0, 2e-4], 30)), np.full(200, 0.5)]
    )
    values = values if mode == "min" else -values
    expected_stop, expected_rates, expected_bests = sklearn_rule(values, mode, 1e-4, 3, adaptive)
    trainer = stand_in_trainer()
    rule = PlateauStopping(
        "loss", mode, tol=1e-4, n_iter_no_change=3, reduce_learning_rate=adaptive
    )
    stopped, rates, bests = None, [], []
    for epoch, v in enumerate(values):
        rule.on_epoch_end(trainer, epoch, {"loss": float(v)})
        bests.append(rule.best)
        if trainer.stop_training:
            stopped = epoch
            break
        rates.append(trainer.optimizer.current_learning_rate())
    assert stopped == expected_stop is not None
    assert bests == expected_bests
    assert_allclose(rates, expected_rates, rtol=1e-15)
    assert trainer.history.stopped_early


def test_plateau_stopping_says_why_in_scikit_learns_words():
    out = io.StringIO()
    trainer = stand_in_trainer(lr=1e-6)
    rule = PlateauStopping(
        "val_score", "max", tol=0.01, n_iter_no_change=1, reduce_learning_rate=True, file=out
    )
    for epoch in range(3):
        rule.on_epoch_end(trainer, epoch, {"val_score": 0.9, "loss": 1.0})
    assert out.getvalue() == (
        "Validation score did not improve more than tol=0.010000 for 1 consecutive epochs."
        " Learning rate too small. Stopping.\n"
    )


def test_plateau_stopping_restores_the_best_weights_of_a_real_run(rng):
    x, y = blobs(rng)
    xv, yv = x[::4], 1 - y[::4]  # a validation set the network gets ever more wrong

    def score(network):
        return {"val_score": accuracy(yv, network.predict(xv))}

    class Snapshot(Callback):
        def __init__(self):
            self.params = []

        def on_epoch_end(self, trainer, epoch, logs):
            self.params.append((logs["val_score"], params_copy(trainer.network)))

    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    snap = Snapshot()
    rule = PlateauStopping("val_score", "max", tol=1e-9, n_iter_no_change=2, restore_best=True)
    history = fit(
        net, x, y, learning_rate=0.5, epochs=30, callbacks=[EpochScores(score), snap, rule]
    )
    assert history.stopped_early and history.epochs < 30
    assert not np.array_equal(snap.params[0][1]["0.weight"], snap.params[-1][1]["0.weight"])
    assert history.metrics["val_score"] == [s for s, _ in snap.params]
    best = max(range(len(snap.params)), key=lambda i: (snap.params[i][0], -i))
    for name, param in net.parameters().items():
        assert_array_equal(param, snap.params[best][1][name])


def test_inverse_scaling_rate_is_scikit_learns_invscaling(rng):
    x, y = rng.randn(40, 2), rng.randn(40)
    rates = []

    class Rates(Callback):
        def on_update_end(self, trainer, update, batch_loss):
            rates.append(trainer.optimizer.current_learning_rate())

    fit(
        mlp([2, 1], random_state=0),
        x,
        y,
        learning_rate=0.1,
        epochs=4,
        batch_size=10,
        callbacks=[InverseScalingRate(0.1, power_t=0.5), Rates()],
        random_state=0,
    )
    # the rate of each update is the one set at the end of the previous epoch: 0.1/(t+1)^0.5
    expected = [0.1 / (40 * epoch + 1) ** 0.5 for epoch in range(4)]
    assert_allclose(rates[::4], expected, rtol=1e-15)


def test_epoch_scores_reach_the_logs_and_the_history(rng):
    x, y = blobs(rng)
    seen = []

    class Reader(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            seen.append(logs["double_loss"])

    def score(network):
        return {"double_loss": 2 * SoftmaxCrossEntropy()(network.raw_output(x), y)}

    net = mlp([2, 2], output="softmax", random_state=0)
    history = fit(net, x, y, epochs=3, callbacks=[EpochScores(score), Reader()])
    assert seen == history.metrics["double_loss"] and len(seen) == 3
